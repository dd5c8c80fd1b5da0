(** * CheckerExact.v: the exact-count checker (strategy "exact"), hand-written.

  Twin of pipeline/certificate/replay.py's checks 10x, 11 and 12 (FORMAT.md "The exact
  certificate"): after the cubic checks 1..9 of Checker.v, it enumerates the residual R, the
  inputs the cubic part (c0 entries and cells) does not cover, in FORMAT.md's order, gives each
  a verdict from the exact enclosures (proved correct, proved wrong, undecided; computed by
  [verdict_fast], proved equal to [verdict]), and checks

    cubic_count + |R| = V^n,  claimed_count = cubic_count + #ok,  claimed_upper = V^n - #wrong.

  Tokens are [nat] here (they index rows; V <= 2^14 in practice, and every token is < V); every
  number that is summed or multiplied is a [bigZ], as in Checker.v.  The per-input sums are
  check 8's c0 sums for arbitrary tokens ([input_sum]), with [ub] for the proof of correctness
  and its mirror [lb] for the proof of an error.

  Compute with [vm_compute] only. *)

From Coq Require Import List.
From Bignums Require Import BigZ.
From MaxK Require Import Checker.
Import ListNotations.

Local Open Scope bigZ_scope.
Local Open Scope bool_scope.

(** An exact certificate: a cubic one (its [claimed_count] is lo) and the claimed upper bound hi. *)
Record ExactCert := mkExactCert { base : Cert; claimed_upper : bigZ }.

(** ** The residual enumeration (FORMAT.md "The residual R, in order") *)

(** Prefixes of length [L] over {m} ∪ A with exactly [c] entries in A (Count.v's [gen]). *)
Fixpoint gen (m : nat) (A : list nat) (L c : nat) : list (list nat) :=
  match L with
  | O => match c with O => [ [] ] | S _ => [] end
  | S L' => map (cons m) (gen m A L' c)
            ++ match c with
               | O => []
               | S c' => flat_map (fun s => map (cons s) (gen m A L' c')) A
               end
  end.

(** A \ S, as a filter of A (Proof/Reals/Residual.v's [set_minus]). *)
Definition set_minus (A S : list nat) : list nat :=
  filter (fun s => negb (existsb (Nat.eqb s) S)) A.

(** The prefixes of [gen m A L c] with at least one entry in O = A \ S (S and O computed once
    per key class, not at every level). *)
Fixpoint gen_out (m : nat) (S O A : list nat) (L c : nat) : list (list nat) :=
  match L with
  | O => []
  | S L' => map (cons m) (gen_out m S O A L' c)
            ++ match c with
               | O => []
               | S c' => flat_map (fun s => map (cons s) (gen_out m S O A L' c')) S
                         ++ flat_map (fun s => map (cons s) (gen m A L' c')) O
               end
  end.

(** The tokens k < m whose bit is set in [mask], ascending. *)
Definition mask_tokens (mask : bigZ) (m : nat) : list nat :=
  filter (fun k => BigZ.odd (mask / pow2 (BigZ.of_Z (BinInt.Z.of_nat k)))) (seq 0 m).

Definition key_eq (m q c : bigZ) (x : Cell) : bool :=
  (cell_m x =? m) && (cell_q x =? q) && (cell_c x =? c).

(** The set S of the cell with key (m, q, c), [] if there is none. *)
Fixpoint cell_set (l : list Cell) (m q c : bigZ) (mn : nat) : list nat :=
  match l with
  | [] => []
  | x :: l' => if key_eq m q c x then mask_tokens (cell_mask x) mn else cell_set l' m q c mn
  end.

Fixpoint c0_mem (l : list (bigZ * bigZ)) (m q : bigZ) : bool :=
  match l with [] => false | (m', q') :: l' => ((m' =? m) && (q' =? q)) || c0_mem l' m q end.

(** The number of key classes (m, q, c) for one (m, q): c = 0 .. n-1 if q = m, c = 0 .. n-2 if
    q < m (m occurs among the first n-1 tokens); none when n = 1 and q < m. *)
Definition n_keys (n m q : nat) : nat := if Nat.eqb q m then n else (n - 1)%nat.

(** The residual prefixes of the key class (m, q, c), each to be followed by q; [c0l] and
    [cl] may be restricted to the entries of max token m. *)
Definition class_prefixes (c0l : list (bigZ * bigZ)) (cl : list Cell) (n m q c : nat) : list (list nat) :=
  let mZ := BigZ.of_Z (BinInt.Z.of_nat m) in
  let qZ := BigZ.of_Z (BinInt.Z.of_nat q) in
  match c with
  | O => if c0_mem c0l mZ qZ then [] else [repeat m (n - 1)]
  | S _ => let A := seq 0 m in
           let S := cell_set cl mZ qZ (BigZ.of_Z (BinInt.Z.of_nat c)) m in
           gen_out m S (set_minus A S) A (n - 1) c
  end.

(** ** Verdicts (FORMAT.md "The verdict of x in R") *)

(** Lower bound of w z over w in [wlo, whi] (wlo >= 0): the mirror of Checker.ub. *)
Definition lb (wlo whi z : bigZ) : bigZ := if 0 <=? z then wlo * z else whi * z.

(** Some entry except the one at index [m] is >= 0. *)
Fixpoint some_nonneg_except (m i : nat) (v : list bigZ) : bool :=
  match v with
  | [] => false
  | x :: v' => ((negb (Nat.eqb i m)) && (0 <=? x)) || some_nonneg_except m (S i) v'
  end.

(** The environment of one (m, q): the centred rows (X'[., y] = X[., y] - X[., m]). *)
Record ClassEnv := mkClassEnv {
  e_du : list bigZ;                 (* EUPU'[q, .] *)
  e_ev : list (list bigZ);          (* EVOU'[t, .] for every token t *)
  e_pv : list (list bigZ);          (* PVOU'[i, .] for every position i *)
  e_elo : list bigZ; e_ehi : list bigZ;   (* exp_eqke rows of q *)
  e_plo : list bigZ; e_phi : list bigZ }. (* exp_eqkp rows of q *)

(** sum over positions i of f(elo[q,t_i] plo[q,i], ehi[q,t_i] phi[q,i], Z_i[y]) as a vector
    over y, with Z_i[y] = EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]; [toks] are t_0 .. t_{n-1}. *)
Fixpoint input_sum (f : bigZ -> bigZ -> bigZ -> bigZ) (E : ClassEnv) (toks : list nat)
    (pv : list (list bigZ)) (plo phi : list bigZ) (acc : list bigZ) : list bigZ :=
  match toks, pv, plo, phi with
  | t :: toks', p :: pv', pl :: plo', ph :: phi' =>
      input_sum f E toks' pv' plo' phi'
        (vadd acc (map (f (nth t (e_elo E) 0 * pl) (nth t (e_ehi E) 0 * ph))
                       (vadd (e_du E) (vadd (nth t (e_ev E) []) p))))
  | _, _, _, _ => acc
  end.

Definition sums (f : bigZ -> bigZ -> bigZ -> bigZ) (E : ClassEnv) (toks : list nat) : list bigZ :=
  input_sum f E toks (e_pv E) (e_plo E) (e_phi E) (zeros (length (e_du E))).

(** 0: proved correct; 1: proved wrong; 2: undecided. *)
Definition verdict (E : ClassEnv) (m : nat) (toks : list nat) : nat :=
  if all_neg_except m O (sums ub E toks) then O
  else if some_nonneg_except m O (sums lb E toks) then 1%nat else 2%nat.

(** ** The fast verdict: rounded bounds first, [verdict] last (the same value as [verdict])

  Proof/Link/ExactCount.v's [verdict_fast_eq]: [verdict_fast (fast_tab evr E m kz) E m x =
  verdict E m x] for every input x (kz >= 0, evr the rounded centred EVOU rows of E), so the
  counters and the statement are those of [verdict].  The exact numbers have ~150-200 bits; the
  fast tiers use ~60-bit roundings: exp_eqke lo / hi[q, t] to floor / ceil(. / 2^ka), exp_eqkp
  lo / hi[q, i] to floor / ceil(. / 2^kb), the centred path rows to ceil(. / 2^kz) (EUPU'[q] +
  PVOU'[i] rounded as one row).  When the rounded weights are >= 0 (and exp_eqkp hi >= 0), the
  exact ub sum is at most 2^(ka + kb + kz) times the rounded one (ub is monotone), so a negative
  rounded sum proves the exact one negative:
  - tier 1 (scalar): per class (m, q), s(t, i) = ub(wlo', whi', max_{y <> m} Z'[t, i, y]); an
    input with sum_i s(t_i, i) < 0 is proved correct;
  - tier 2 (vector): the rounded ub sums of the input, negative for every y <> m: correct;
  - tier 3: [verdict] itself (the inputs proved wrong and the undecided ones).
  On the shipped exact certificate (V = 64, n = 4, 589,348 residual inputs) check 11 takes ~61 s
  in vm_compute instead of ~17 min. *)

(** floor(x / 2^k) and ceil(x / 2^k) for k >= 0 *)
Definition rdn (k x : bigZ) : bigZ := BigZ.shiftr x k.
Definition rup (k x : bigZ) : bigZ := - BigZ.shiftr (- x) k.

Fixpoint zip3 (a : list (list bigZ)) (b c : list bigZ) : list (list bigZ * bigZ * bigZ) :=
  match a, b, c with x :: a', y :: b', z :: c' => (x, y, z) :: zip3 a' b' c' | _, _, _ => [] end.

(** max of acc and the entries of v except the one at index m *)
Fixpoint mxe (m i : nat) (v : list bigZ) (acc : bigZ) : bigZ :=
  match v with
  | [] => acc
  | x :: v' => mxe m (S i) v' (if Nat.eqb i m then acc else BigZ.max acc x)
  end.

(** [mxe m i (vadd u v) acc], without building the sum *)
Fixpoint mxe2 (m i : nat) (u v : list bigZ) (acc : bigZ) : bigZ :=
  match u, v with
  | x :: u', y :: v' => mxe2 m (S i) u' v' (if Nat.eqb i m then acc else BigZ.max acc (x + y))
  | _, _ => acc
  end.

(** Python's int.bit_length. *)
Definition bitlen (x : bigZ) : bigZ := if x =? 0 then 0 else BigZ.log2 (BigZ.abs x) + 1.

(** per position i: (rounded EUPU'[q] + PVOU'[i], per token t <= m: (rounded EVOU'[t], wlo', whi', s)) *)
Definition FastTab : Type := list (list bigZ * list (list bigZ * bigZ * bigZ * bigZ)).

(** one table entry: [e] = (rounded EVOU'[t], floor(exp_eqke_lo[q, t] / 2^ka), ceil(exp_eqke_hi[q, t] / 2^ka)),
    [pl], [ph] = floor / ceil(exp_eqkp_lo / hi[q, i] / 2^kb), [ok]: exp_eqkp_hi[q, i] >= 0; wlo' = -1
    marks an entry the fast tiers may not use *)
Definition fast_entry (m : nat) (dp : list bigZ) (pl ph : bigZ) (ok : bool) (e : list bigZ * bigZ * bigZ)
    : list bigZ * bigZ * bigZ * bigZ :=
  let '(ev, el, eh) := e in
  let wl := if ok && (0 <=? el) && (0 <=? pl) && (0 <=? eh) then el * pl else -1 in
  let wh := eh * ph in
  let k := if Nat.eqb m O then 1%nat else O in
  (ev, wl, wh, ub wl wh (mxe2 m O ev dp (nth k ev 0 + nth k dp 0))).

(** the table of the class (m, q) of [E]; [evr] is the rounded centred EVOU (per m, not per q) *)
Definition fast_tab (evr : list (list bigZ)) (E : ClassEnv) (m : nat) (kz : bigZ) : FastTab :=
  let ka := BigZ.max 0 (bitlen (fold_left BigZ.max (firstn (S m) (e_ehi E)) 0) - 31) in
  let kb := BigZ.max 0 (bitlen (fold_left BigZ.max (e_phi E) 0) - 31) in
  let tl := zip3 evr (map (rdn ka) (firstn (S m) (e_elo E))) (map (rup ka) (firstn (S m) (e_ehi E))) in
  map (fun e => let '(p, pl, ph) := e in
                let dp := map (rup kz) (vadd (e_du E) p) in
                (dp, map (fast_entry m dp (rdn kb pl) (rup kb ph) (0 <=? ph)) tl))
      (zip3 (e_pv E) (e_plo E) (e_phi E)).

(** tier 1: the sum of the scalar bounds is negative *)
Fixpoint fast_scalar (tab : FastTab) (toks : list nat) (acc : bigZ) : bool :=
  match toks, tab with
  | t :: toks', (_, row) :: tab' =>
      match nth_error row t with
      | Some (_, wl, wh, s) => if (0 <=? wl) && (0 <=? wh) then fast_scalar tab' toks' (acc + s) else false
      | None => false
      end
  | _, _ => acc <? 0
  end.

(** tier 2: the rounded ub sums *)
Fixpoint fast_vector (tab : FastTab) (toks : list nat) (acc : list bigZ) : option (list bigZ) :=
  match toks, tab with
  | t :: toks', (dp, row) :: tab' =>
      match nth_error row t with
      | Some (ev, wl, wh, _) =>
          if (0 <=? wl) && (0 <=? wh) then fast_vector tab' toks' (vadd acc (map (ub wl wh) (vadd ev dp)))
          else None
      | None => None
      end
  | _, _ => Some acc
  end.

Definition verdict_fast (tab : FastTab) (E : ClassEnv) (m : nat) (toks : list nat) : nat :=
  if fast_scalar tab toks 0 then O
  else match fast_vector tab toks (zeros (length (e_du E))) with
       | Some v => if all_neg_except m O v then O else verdict E m toks
       | None => verdict E m toks
       end.

(** (|R|, #ok, #wrong) accumulated over a list of prefixes of one class. *)
Fixpoint count_class (E : ClassEnv) (tab : FastTab) (m q : nat) (l : list (list nat)) (acc : bigZ * bigZ * bigZ)
    : bigZ * bigZ * bigZ :=
  match l with
  | [] => acc
  | p :: l' =>
      let '(r, ok, wr) := acc in
      let acc' := match verdict_fast tab E m (p ++ [q]) with
                  | O => (r + 1, ok + 1, wr)
                  | 1%nat => (r + 1, ok, wr + 1)
                  | _ => (r + 1, ok, wr)
                  end in
      count_class E tab m q l' acc'
  end.

Definition class_env (P : Paths) (elo ehi plo phi : list (list bigZ)) (m q : nat) : ClassEnv :=
  let mZ := BigZ.of_Z (BinInt.Z.of_nat m) in
  let qZ := BigZ.of_Z (BinInt.Z.of_nat q) in
  mkClassEnv (centre mZ (row (EUPU P) qZ)) (map (centre mZ) (EVOU P)) (map (centre mZ) (PVOU P))
             (row elo qZ) (row ehi qZ) (row plo qZ) (row phi qZ).

Fixpoint count_cs (c0l : list (bigZ * bigZ)) (cl : list Cell) (E : ClassEnv) (tab : FastTab) (n m q : nat)
    (cs : list nat) (acc : bigZ * bigZ * bigZ) : bigZ * bigZ * bigZ :=
  match cs with
  | [] => acc
  | c :: cs' => count_cs c0l cl E tab n m q cs' (count_class E tab m q (class_prefixes c0l cl n m q c) acc)
  end.

Fixpoint count_qs (c0l : list (bigZ * bigZ)) (cl : list Cell) (P : Paths) (elo ehi plo phi : list (list bigZ))
    (evr : list (list bigZ)) (kz : bigZ) (n m : nat) (qs : list nat) (acc : bigZ * bigZ * bigZ) : bigZ * bigZ * bigZ :=
  match qs with
  | [] => acc
  | q :: qs' =>
      let E := class_env P elo ehi plo phi m q in
      let acc' := count_cs c0l cl E (fast_tab evr E m kz) n m q (seq 0 (n_keys n m q)) acc in
      count_qs c0l cl P elo ehi plo phi evr kz n m qs' acc'
  end.

Fixpoint count_ms (c0l : list (bigZ * bigZ)) (cl : list Cell) (P : Paths) (elo ehi plo phi : list (list bigZ))
    (kz : bigZ) (n : nat) (ms : list nat) (acc : bigZ * bigZ * bigZ) : bigZ * bigZ * bigZ :=
  match ms with
  | [] => acc
  | m :: ms' =>
      let mZ := BigZ.of_Z (BinInt.Z.of_nat m) in
      (* the c0 entries and cells of max token m: every lookup of this m's classes scans only them *)
      let c0m := filter (fun e => fst e =? mZ) c0l in
      let clm := filter (fun x => cell_m x =? mZ) cl in
      (* the rounded centred EVOU rows of the tokens <= m, shared by the classes of m *)
      let evr := map (map (rup kz)) (firstn (S m) (map (centre mZ) (EVOU P))) in
      count_ms c0l cl P elo ehi plo phi kz n ms' (count_qs c0m clm P elo ehi plo phi evr kz n m (seq 0 (S m)) acc)
  end.

Definition max_bits (Ms : list (list (list bigZ))) : bigZ :=
  fold_left (fun b M => fold_left (fun b r => fold_left (fun b v => BigZ.max b (bitlen v)) r b) M b) Ms 0.

(** Check 11: (|R|, #ok, #wrong) over the whole residual; the path rows are rounded to about 58
    bits for the fast verdict. *)
Definition check_residual (c : Cert) (P : Paths) : bigZ * bigZ * bigZ :=
  count_ms (c0 c) (cells c) P (eqke_lo c) (eqke_hi c) (eqkp_lo c) (eqkp_hi c)
           (BigZ.max 0 (max_bits [EUPU P; EVOU P; PVOU P] - 58))
           (to_nat (n_ctx c)) (seq 0 (to_nat (d_vocab c))) (0, 0, 0).

(** Check 12. *)
Definition check_exact_claim (lo hi cubic NI : bigZ) (counts : bigZ * bigZ * bigZ) : bool :=
  let '(r, ok, wr) := counts in
  (cubic + r =? NI) && (lo =? cubic + ok) && (hi =? NI - wr).

(** The residual work n V |R| words is bounded before it is done (FORMAT.md, MAX_RESIDUAL_WORK;
    replay.py's residual_words / residual_work): words = ceil((E + P + B + 64) / 64), with E, P, B
    the largest bit lengths in exp_eqke, exp_eqkp and the path matrices EUPU, EVOU, PVOU. *)
Definition MAX_RESIDUAL_WORK : bigZ := 4294967296.  (* 2^32 *)

Definition residual_words (P : Paths) (elo ehi plo phi : list (list bigZ)) : bigZ :=
  (max_bits [elo; ehi] + max_bits [plo; phi] + max_bits [EUPU P; EVOU P; PVOU P] + 64 + 63) / 64.

(** ** The driver: Checker.check's checks 1..9, then 10x, 11, 12. *)
Definition check_exact (x : ExactCert) : bool :=
  let c := base x in
  if check_header c then
  if check_float32 (weights c) then
  let T := align_weights (weights c) in
  let P := compute_paths T in
  if check_sqrt (sqrt_lo c) (sqrt_hi c) (d_head c) (frac_bits c) then
  if check_exp_tables P c (a_z T) then
  if check_orders (orders c) P (n_ctx c) then
  if check_c0 (c0 c) P (eqke_lo c) (eqke_hi c) (eqkp_lo c) (eqkp_hi c) (d_vocab c) (n_ctx c) then
  if check_cells (cells c) (mkCellsEnv P (shifts c) (eqke_lo c) (eqke_hi c) (eqkp_lo c)
                              (eqkp_hi c) (orders c) (d_vocab c) (n_ctx c)) then
  let cubic := lenZ (c0 c) + cells_count (n_ctx c) (cells c) in
  if (n_ctx c) * (d_vocab c) * (n_inputs c - cubic)
       * residual_words P (eqke_lo c) (eqke_hi c) (eqkp_lo c) (eqkp_hi c) <=? MAX_RESIDUAL_WORK then
  check_exact_claim (claimed_count c) (claimed_upper x) cubic (n_inputs c) (check_residual c P)
  else false else false else false else false else false else false else false else false.
