(** * Checker.v: the exact-integer checker of a cubic certificate (schema v2), hand-written.

  This file is the Coq twin of pipeline/certificate/replay.py.  It runs the replay's checks
  1..10 (pipeline/certificate/FORMAT.md, schema v2 as in the project's V2.md) in the replay's
  order; the table "Names in the three checkers" of FORMAT.md maps every replay function to its
  name here and in lean/MaxKCert/Checker.lean.

  What is NOT here (Python only):
  - the JSON structure (key sets, integer types, the strategy string "cubic"): the Coq data
    are typed records rendered from a certificate that the schema loader accepted;
  - the sha256 of check 2 (no hashing in Coq).  The rest of check 2 (every exponent in
    -149..127 and every mantissa * 2^e a float32 value) is mirrored by [check_float32].
  So [check c = true] is a statement about the integers of the rendered data module; the Python
  tests check that those integers are exactly the certificate's.

  Unlike the Lean twin, the path matrices of check 4 are COMPUTED here from the weights (no
  witness), once, and shared by the later checks.

  Style (for the soundness proof of issue 10): every number is a [bigZ] (Bignums, on the
  kernel's primitive 63-bit integers), every function is small and structurally recursive over
  a list, or over a [nat] fuel that is small (at most 1024, the Taylor-term guard).  Only these
  BigZ operations occur: [+ - *], [=? <? <=?], [BigZ.shiftl], [/] by a positive divisor,
  [BigZ.max], [BigZ.min], [BigZ.abs], [BigZ.odd], [BigZ.log2], [BigZ.of_Z] on small [nat]
  counters, and [BigZ.to_Z] to turn small checked indices into [nat].  Each has a specification lemma [BigZ.spec_*] relating it to [Z].
  Lazy evaluation matters under [vm_compute] (call by value): a later check runs only inside
  the [then] branch of the earlier one, never as an argument of [andb].

  Compute with [vm_compute] only: never the native compiler, no extraction. *)

From Coq Require Import List.
From Bignums Require Import BigZ.
Import ListNotations.

Local Open Scope bigZ_scope.
Local Open Scope bool_scope.

(** ** Constants (replay.py) *)

Definition MAX_FRAC_BITS : bigZ := 4096.
Definition MAX_TAYLOR_TERMS : bigZ := 1024.
Definition MAX_SQUARINGS : nat := 12.
Definition F32_MIN_EXPONENT : bigZ := -149.
Definition F32_MAX_EXPONENT : bigZ := 127.
Definition SCHEMA_VERSION : bigZ := 2.
Definition MAX_SHIFTS : nat := 16.
Definition MAX_SHIFT_BITS : bigZ := 2048.
Definition MAX_D_MODEL : bigZ := 1024.
Definition MAX_D_HEAD : bigZ := 1024.
Definition MAX_N_INPUTS_BITS : bigZ := 14000.
Definition MAX_EXP_WORK : bigZ := 1073741824.  (* 2^30 *)

(** ** Certificate data *)

(** A tensor: its declared shape, exponent and mantissa rows (the row-major mantissas cut along
    the last axis; a bias is one row, W_Q etc. are d rows of h: the head axis of size 1 is only
    in the shape).  Real value = mantissa * 2^exponent. *)
Record Tensor := mkTensor { t_shape : list bigZ; t_exponent : bigZ; t_rows : list (list bigZ) }.

Record Weights := mkWeights {
  W_E : Tensor; W_pos : Tensor; W_Q : Tensor; W_K : Tensor; W_V : Tensor; W_O : Tensor;
  W_U : Tensor; b_Q : Tensor; b_K : Tensor; b_V : Tensor; b_O : Tensor; b_U : Tensor }.

(** A cell [m, q, c, shift, mask]. *)
Record Cell := mkCell { cell_m : bigZ; cell_q : bigZ; cell_c : bigZ; cell_shift : bigZ;
                        cell_mask : bigZ }.

Record Cert := mkCert {
  schema_version : bigZ;
  d_vocab : bigZ; n_ctx : bigZ; d_model : bigZ; d_head : bigZ;
  n_inputs : bigZ; claimed_count : bigZ; frac_bits : bigZ; taylor_terms : bigZ;
  weights : Weights;
  sqrt_lo : bigZ; sqrt_hi : bigZ;
  eqke_lo : list (list bigZ); eqke_hi : list (list bigZ);
  eqkp_lo : list (list bigZ); eqkp_hi : list (list bigZ);
  orders : list (list bigZ);
  shifts : list (list bigZ);
  c0 : list (bigZ * bigZ);
  cells : list Cell }.

(** ** Small helpers *)

(** [Z.to_nat] of a checked, small, non-negative integer (an index or a count). *)
Definition to_nat (x : bigZ) : nat := BinInt.Z.to_nat (BigZ.to_Z x).

(** The length of a list as a [bigZ]. *)
Fixpoint lenZ {A : Type} (l : list A) : bigZ :=
  match l with [] => 0 | _ :: l' => lenZ l' + 1 end.

Definition nthZ {A : Type} (d : A) (l : list A) (i : bigZ) : A := nth (to_nat i) l d.

Definition row (M : list (list bigZ)) (i : bigZ) : list bigZ := nthZ [] M i.
Definition entry (v : list bigZ) (i : bigZ) : bigZ := nthZ 0 v i.

Definition ceil_div (a b : bigZ) : bigZ := - ((- a) / b).

(** [2^k] for [k >= 0]. *)
Definition pow2 (k : bigZ) : bigZ := BigZ.shiftl 1 k.

Fixpoint all_rows_len (k : bigZ) (M : list (list bigZ)) : bool :=
  match M with [] => true | r :: M' => (lenZ r =? k) && all_rows_len k M' end.

Definition is_shape (rows cols : bigZ) (M : list (list bigZ)) : bool :=
  (lenZ M =? rows) && all_rows_len cols M.

Fixpoint zeros (k : nat) : list bigZ := match k with O => [] | S k' => 0 :: zeros k' end.

Fixpoint vadd (u v : list bigZ) : list bigZ :=
  match u, v with x :: u', y :: v' => (x + y) :: vadd u' v' | _, _ => [] end.

Fixpoint vsub (u v : list bigZ) : list bigZ :=
  match u, v with x :: u', y :: v' => (x - y) :: vsub u' v' | _, _ => [] end.

(** [u - c] entrywise. *)
Fixpoint vsubc (c : bigZ) (u : list bigZ) : list bigZ :=
  match u with [] => [] | x :: u' => (x - c) :: vsubc c u' end.

Fixpoint vshl (k : bigZ) (u : list bigZ) : list bigZ :=
  match u with [] => [] | x :: u' => BigZ.shiftl x k :: vshl k u' end.

Fixpoint vmax (u v : list bigZ) : list bigZ :=
  match u, v with x :: u', y :: v' => BigZ.max x y :: vmax u' v' | _, _ => [] end.

(** [acc + a u] entrywise. *)
Fixpoint vaxpy (a : bigZ) (u acc : list bigZ) : list bigZ :=
  match u, acc with x :: u', y :: acc' => (y + a * x) :: vaxpy a u' acc' | _, _ => [] end.

(** [acc + v M] ([v] a row vector, [M] a list of rows). *)
Fixpoint vec_mat_acc (v : list bigZ) (M : list (list bigZ)) (acc : list bigZ) : list bigZ :=
  match v, M with a :: v', r :: M' => vec_mat_acc v' M' (vaxpy a r acc) | _, _ => acc end.

Definition vec_mat (v : list bigZ) (M : list (list bigZ)) : list bigZ :=
  vec_mat_acc v M (zeros (length (hd [] M))).

(** [matmul A B]: exact integer matrix product [r x k] @ [k x c]. *)
Definition matmul (A B : list (list bigZ)) : list (list bigZ) := map (fun r => vec_mat r B) A.

Fixpoint dot (u v : list bigZ) : bigZ :=
  match u, v with x :: u', y :: v' => x * y + dot u' v' | _, _ => 0 end.

Fixpoint max_from (acc : bigZ) (u : list bigZ) : bigZ :=
  match u with [] => acc | x :: u' => max_from (BigZ.max acc x) u' end.

(** max of a non-empty row ([0] for the empty row, never used). *)
Definition row_max (u : list bigZ) : bigZ :=
  match u with [] => 0 | x :: u' => max_from x u' end.

Definition lex_less2 (a b : bigZ * bigZ) : bool :=
  let (a0, a1) := a in let (b0, b1) := b in (a0 <? b0) || ((a0 =? b0) && (a1 <? b1)).

Definition lex_less3 (a b : Cell) : bool :=
  (cell_m a <? cell_m b) ||
  ((cell_m a =? cell_m b) &&
   ((cell_q a <? cell_q b) || ((cell_q a =? cell_q b) && (cell_c a <? cell_c b)))).

(** Number of set bits of [mask >= 0]; [fuel] at least its bit length. *)
Fixpoint popcount_fuel (fuel : nat) (mask : bigZ) : bigZ :=
  match fuel with
  | O => 0
  | S f => (if BigZ.odd mask then 1 else 0) + popcount_fuel f (mask / 2)
  end.

Definition popcount (mask : bigZ) : bigZ :=
  if mask <=? 0 then 0 else popcount_fuel (S (to_nat (BigZ.log2 mask))) mask.

(** [a^k] by [k] multiplications. *)
Fixpoint pow_nat (a : bigZ) (k : nat) : bigZ :=
  match k with O => 1 | S k' => a * pow_nat a k' end.

(** [C(n, k)] as [prod_{i=1..k} (n-k+i)/i], every partial product exact. *)
Fixpoint choose_loop (base : bigZ) (i : bigZ) (k : nat) (acc : bigZ) : bigZ :=
  match k with O => acc | S k' => choose_loop base (i + 1) k' ((acc * (base + i)) / i) end.

Definition choose (n k : bigZ) : bigZ :=
  if (k <? 0) || (n <? k) then 0 else choose_loop (n - k) 1 (to_nat k) 1.

(** ** 1. check_header *)

Fixpoint list_eqb (u v : list bigZ) : bool :=
  match u, v with
  | [], [] => true
  | x :: u', y :: v' => (x =? y) && list_eqb u' v'
  | _, _ => false
  end.

(** The declared shape is [shape] and the mantissas are [rows] rows of [cols]. *)
Definition tensor_shape_ok (t : Tensor) (shape : list bigZ) (rows cols : bigZ) : bool :=
  list_eqb (t_shape t) shape && is_shape rows cols (t_rows t).

Fixpoint small_entries (v : list bigZ) : bool :=
  match v with [] => true | x :: v' => (BigZ.abs x <? pow2 MAX_SHIFT_BITS) && small_entries v' end.

(** [shifts]: 1..16 vectors of exactly V integers, each of bit length at most 2048. *)
Definition shifts_ok (V : bigZ) (S : list (list bigZ)) : bool :=
  (1 <=? lenZ S) && (lenZ S <=? 16) && all_rows_len V S && forallb small_entries S.

(** Schema v2, V >= 2, n, d, h >= 1, every tensor, table and the shifts of the declared shape,
    n_inputs = V^n, F and N_T in range.  (Shapes first, and V^n only then: the W_pos shape
    bounds n, so the [nat] loop of [pow_nat] is small.) *)
Definition header_shapes_ok (c : Cert) : bool :=
  let V := d_vocab c in let n := n_ctx c in let d := d_model c in let h := d_head c in
  let w := weights c in
  (schema_version c =? SCHEMA_VERSION) &&
  (2 <=? V) && (1 <=? n) && (1 <=? d) && (1 <=? h) &&
  tensor_shape_ok (W_E w) (V :: d :: nil) V d && tensor_shape_ok (W_pos w) (n :: d :: nil) n d &&
  tensor_shape_ok (W_Q w) (1 :: d :: h :: nil) d h &&
  tensor_shape_ok (W_K w) (1 :: d :: h :: nil) d h &&
  tensor_shape_ok (W_V w) (1 :: d :: h :: nil) d h &&
  tensor_shape_ok (W_O w) (1 :: h :: d :: nil) h d && tensor_shape_ok (W_U w) (d :: V :: nil) d V &&
  tensor_shape_ok (b_Q w) (1 :: h :: nil) 1 h && tensor_shape_ok (b_K w) (1 :: h :: nil) 1 h &&
  tensor_shape_ok (b_V w) (1 :: h :: nil) 1 h &&
  tensor_shape_ok (b_O w) (d :: nil) 1 d && tensor_shape_ok (b_U w) (V :: nil) 1 V &&
  is_shape V V (eqke_lo c) && is_shape V V (eqke_hi c) &&
  is_shape V n (eqkp_lo c) && is_shape V n (eqkp_hi c) &&
  is_shape V (n - 1) (orders c) &&
  shifts_ok V (shifts c).

(** The size of check 6: V (V + n) F N_T (the replay's exp_work). *)
Definition exp_work (V n F NT : bigZ) : bigZ := V * (V + n) * F * NT.

Definition check_header (c : Cert) : bool :=
  let V := d_vocab c in let n := n_ctx c in let F := frac_bits c in let NT := taylor_terms c in
  if header_shapes_ok c then
    let Vn := pow_nat V (to_nat n) in
    (d_model c <=? MAX_D_MODEL) && (d_head c <=? MAX_D_HEAD) &&
    (Vn <? pow2 MAX_N_INPUTS_BITS) && (n_inputs c =? Vn) &&
    (1 <=? F) && (F <=? MAX_FRAC_BITS) && (1 <=? NT) && (NT <=? MAX_TAYLOR_TERMS) &&
    (exp_work V n F NT <=? MAX_EXP_WORK)
  else false.

(** ** 2. check_float32 (the sha256 is Python only) *)

(** Strip trailing zero bits: [(a', e')] with [a * 2^e = a' * 2^e'], [a'] odd if fuel allows. *)
Fixpoint strip_zeros (fuel : nat) (a e : bigZ) : bigZ * bigZ :=
  match fuel with
  | O => (a, e)
  | S f => if BigZ.odd a then (a, e) else strip_zeros f (a / 2) (e + 1)
  end.

(** [mantissa * 2^e] is a float32 value (the integer test of replay.float32_bits >= 0), for
    [-149 <= e <= 127].  Fuel 300: more trailing zeros than that put the value above 2^151. *)
Definition float32_ok (mantissa e : bigZ) : bool :=
  if mantissa =? 0 then true else
  let (a, e1) := strip_zeros 300 (BigZ.abs mantissa) e in
  let nbits := BigZ.log2 a + 1 in
  let top := e1 + nbits - 1 in
  BigZ.odd a && (top <=? F32_MAX_EXPONENT) &&
  (if -126 <=? top then nbits <=? 24 else -149 <=? e1).

Definition tensor_float32_ok (t : Tensor) : bool :=
  let e := t_exponent t in
  if (F32_MIN_EXPONENT <=? e) && (e <=? F32_MAX_EXPONENT)
  then forallb (forallb (fun x => float32_ok x e)) (t_rows t)
  else false.

Definition tensors (w : Weights) : list Tensor :=
  [W_E w; W_pos w; W_Q w; W_K w; W_V w; W_O w; W_U w; b_Q w; b_K w; b_V w; b_O w; b_U w].

Definition check_float32 (w : Weights) : bool := forallb tensor_float32_ok (tensors w).

(** ** 3. align_weights *)

Record Aligned := mkAligned {
  a_z : bigZ;  (* z = -e0 >= 0 *)
  aE : list (list bigZ); aPos : list (list bigZ); aQ : list (list bigZ); aK : list (list bigZ);
  aV : list (list bigZ); aO : list (list bigZ); aU : list (list bigZ);
  abQ : list bigZ; abK : list bigZ; abV : list bigZ; abO : list bigZ; abU : list bigZ }.

Definition min_exponent (w : Weights) : bigZ :=
  fold_left (fun acc t => BigZ.min acc (t_exponent t)) (tensors w) 0.

Definition align_tensor (e0 : bigZ) (t : Tensor) : list (list bigZ) :=
  map (vshl (t_exponent t - e0)) (t_rows t).

Definition align_vector (e0 : bigZ) (t : Tensor) : list bigZ := hd [] (align_tensor e0 t).

(** Every tensor as integers at the common scale 2^e0, e0 = min(0, min exponent). *)
Definition align_weights (w : Weights) : Aligned :=
  let e0 := min_exponent w in
  mkAligned (- e0)
    (align_tensor e0 (W_E w)) (align_tensor e0 (W_pos w)) (align_tensor e0 (W_Q w))
    (align_tensor e0 (W_K w)) (align_tensor e0 (W_V w)) (align_tensor e0 (W_O w))
    (align_tensor e0 (W_U w))
    (align_vector e0 (b_Q w)) (align_vector e0 (b_K w)) (align_vector e0 (b_V w))
    (align_vector e0 (b_O w)) (align_vector e0 (b_U w)).

(** ** 4. compute_paths *)

Record Paths := mkPaths {
  EUPU : list (list bigZ); EVOU : list (list bigZ); PVOU : list (list bigZ);
  EQKE : list (list bigZ); EQKP : list (list bigZ) }.

(** The exact path matrices of FORMAT.md check 4, all at scale 2^(4 e0) (n = number of rows of
    W_pos; the query is its last row).  EUPU and EVOU carry the full biases. *)
Definition compute_paths (T : Aligned) : Paths :=
  let z := a_z T in
  let WE := aE T in let Wpos := aPos T in let WU := aU T in
  let wq := last Wpos [] in
  let Eq := map (fun r => vadd r wq) WE in
  let EUPU0 := map (vshl (2 * z)) (matmul Eq WU) in
  let bU := vshl (3 * z) (abU T) in
  let bVO := vec_mat (abV T) (aO T) in
  let bsum := vadd bVO (vshl z (abO T)) in
  let bOV := vshl z (vec_mat bsum WU) in
  let VOU := matmul (aV T) (matmul (aO T) WU) in  (* W_V (W_O W_U): no d x d product *)
  let EVOU0 := matmul WE VOU in
  let PVOU := matmul Wpos VOU in
  let bQz := vshl z (abQ T) in
  let bKz := vshl z (abK T) in
  let Qv := map (fun r => vadd r bQz) (matmul Eq (aQ T)) in
  let Kt := map (fun r => vadd r bKz) (matmul WE (aK T)) in
  let Kp := matmul Wpos (aK T) in
  mkPaths (map (vadd bU) EUPU0) (map (vadd bOV) EVOU0) PVOU
          (map (fun qv => map (dot qv) Kt) Qv) (map (fun qv => map (dot qv) Kp) Qv).

(** ** 5. check_sqrt *)

Definition check_sqrt (s_lo s_hi h F : bigZ) : bool :=
  (0 <? s_lo) && (s_lo <=? s_hi) &&
  (s_lo * s_lo <=? BigZ.shiftl h (2 * F)) && (BigZ.shiftl h (2 * F) <=? s_hi * s_hi).

(** ** 6. check_exp_tables *)

(** Smallest [j] in [from..12] with [num <= den 2^j]. *)
Fixpoint exp_reduction_from (num den : bigZ) (j : nat) (fuel : nat) : option nat :=
  match fuel with
  | O => None
  | S f => if num <=? BigZ.shiftl den (BigZ.of_Z (BinInt.Z.of_nat j)) then Some j
           else exp_reduction_from num den (S j) f
  end.

(** Smallest j in 0..12 with num <= den 2^j; None unless num >= 0 and den > 0. *)
Definition exp_reduction (num den : bigZ) : option nat :=
  if (num <? 0) || (den <=? 0) then None else exp_reduction_from num den 0 (S MAX_SQUARINGS).

(** [total + sum_{i..i+k-1} t_i] with [t_i = floor(t_{i-1} r / (i 2^F))]. *)
Fixpoint taylor_lower (F r : bigZ) (k : nat) (i t total : bigZ) : bigZ :=
  match k with
  | O => total
  | S k' => let t' := (t * r) / BigZ.shiftl i F in taylor_lower F r k' (i + 1) t' (total + t')
  end.

(** Then, at the last term [i], [+ 2 t_i] (the remainder bound), rounding up. *)
Fixpoint taylor_upper (F r : bigZ) (k : nat) (i t total : bigZ) : bigZ :=
  match k with
  | O => total + 2 * ceil_div (t * r) (BigZ.shiftl i F)
  | S k' => let t' := ceil_div (t * r) (BigZ.shiftl i F) in
            taylor_upper F r k' (i + 1) t' (total + t')
  end.

Fixpoint square_down (F : bigZ) (j : nat) (x : bigZ) : bigZ :=
  match j with O => x | S j' => square_down F j' ((x * x) / pow2 F) end.

Fixpoint square_up (F : bigZ) (j : nat) (x : bigZ) : bigZ :=
  match j with O => x | S j' => square_up F j' (ceil_div (x * x) (pow2 F)) end.

(** L with L/2^F <= e^(num/den); [-1] when out of range. *)
Definition exp_lower (num den F NT : bigZ) : bigZ :=
  match exp_reduction num den with
  | None => -1
  | Some j =>
      let r := BigZ.shiftl num F / BigZ.shiftl den (BigZ.of_Z (BinInt.Z.of_nat j)) in
      square_down F j (taylor_lower F r (to_nat (NT - 1)) 1 (pow2 F) (pow2 F))
  end.

(** H with e^(num/den) <= H/2^F; [-1] when out of range. *)
Definition exp_upper (num den F NT : bigZ) : bigZ :=
  match exp_reduction num den with
  | None => -1
  | Some j =>
      let r := ceil_div (BigZ.shiftl num F) (BigZ.shiftl den (BigZ.of_Z (BinInt.Z.of_nat j))) in
      square_up F j (taylor_upper F r (to_nat (NT - 1)) 1 (pow2 F) (pow2 F))
  end.

(** lo/2^F <= e^(-yB) and e^(-min(yA, F)) <= hi/2^F. *)
Definition check_exp_neg (lo hi : bigZ) (yA yB : bigZ * bigZ) (F NT : bigZ) : bool :=
  let (na, da) := yA in let (nb, db) := yB in
  if (na <? 0) || (da <=? 0) || (nb <? 0) || (db <=? 0) || (lo <? 0) then false else
  let lo_ok :=
    if lo =? 0 then true
    else if F * db <? nb then false
    else let H := exp_upper nb db F NT in (0 <=? H) && (lo * H <=? pow2 (2 * F)) in
  if lo_ok then
    let (na', da') := if F * da <? na then (F, 1) else (na, da) in
    let L := exp_lower na' da' F NT in
    (0 <=? L) && (pow2 (2 * F) <=? hi * L)
  else false.

Fixpoint exp_entries_ok (mx s_lo s_hi z F NT : bigZ) (xs los his : list bigZ) : bool :=
  match xs, los, his with
  | x :: xs', lo :: los', hi :: his' =>
      let negx := mx - x in
      let yA := (BigZ.shiftl negx F, BigZ.shiftl s_hi (4 * z)) in
      let yB := (BigZ.shiftl negx F, BigZ.shiftl s_lo (4 * z)) in
      check_exp_neg lo hi yA yB F NT && exp_entries_ok mx s_lo s_hi z F NT xs' los' his'
  | _, _, _ => true
  end.

Fixpoint exp_rows_ok (s_lo s_hi z F NT : bigZ) (S lo hi : list (list bigZ)) : bool :=
  match S, lo, hi with
  | r :: S', l :: lo', h :: hi' =>
      exp_entries_ok (row_max r) s_lo s_hi z F NT r l h && exp_rows_ok s_lo s_hi z F NT S' lo' hi'
  | _, _, _ => true
  end.

(** Both tables enclose exp((S[q,t] - max_t S[q,t]) / sqrt h) at scale 2^F. *)
Definition check_exp_tables (P : Paths) (c : Cert) (z : bigZ) : bool :=
  let F := frac_bits c in let NT := taylor_terms c in
  exp_rows_ok (sqrt_lo c) (sqrt_hi c) z F NT (EQKE P) (eqke_lo c) (eqke_hi c) &&
  exp_rows_ok (sqrt_lo c) (sqrt_hi c) z F NT (EQKP P) (eqkp_lo c) (eqkp_hi c).

(** ** 7. check_orders *)

Fixpoint not_mem (p : bigZ) (l : list bigZ) : bool :=
  match l with [] => true | x :: l' => negb (x =? p) && not_mem p l' end.

(** Every entry in [0, b) and no entry twice (with length b: a permutation of 0..b-1). *)
Fixpoint perm_ok (b : bigZ) (l : list bigZ) : bool :=
  match l with [] => true | p :: l' => (0 <=? p) && (p <? b) && not_mem p l' && perm_ok b l' end.

Fixpoint sorted_by (r : list bigZ) (prev : bigZ) (l : list bigZ) : bool :=
  match l with [] => true | p :: l' => (entry r prev <=? entry r p) && sorted_by r p l' end.

Definition order_ok (n : bigZ) (o eqkp_row : list bigZ) : bool :=
  if (lenZ o =? n - 1) && perm_ok (n - 1) o then
    match o with [] => true | p :: o' => sorted_by eqkp_row p o' end
  else false.

Fixpoint orders_ok (n : bigZ) (O S : list (list bigZ)) : bool :=
  match O, S with o :: O', r :: S' => order_ok n o r && orders_ok n O' S' | _, _ => true end.

Definition check_orders (O : list (list bigZ)) (P : Paths) (n : bigZ) : bool := orders_ok n O (EQKP P).

(** ** 8. check_c0 *)

(** Upper bound of w z over w in [wlo, whi] (wlo >= 0). *)
Definition ub (wlo whi z : bigZ) : bigZ := if 0 <=? z then whi * z else wlo * z.

(** Every entry except the one at index [m] is negative ([i]: index of the head of [v]). *)
Fixpoint all_neg_except (m i : nat) (v : list bigZ) : bool :=
  match v with
  | [] => true
  | x :: v' => (Nat.eqb i m || (x <? 0)) && all_neg_except m (S i) v'
  end.

Definition centre (m : bigZ) (r : list bigZ) : list bigZ := vsubc (entry r m) r.

(** The per-position terms of the input (m, ..., m, q): for position i, the vector over y of
    ub(w_i, Z_i[y]), Z_i[y] = EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]; summed over i. *)
Fixpoint c0_sum (du evm evq : list bigZ) (em eqq : bigZ * bigZ) (pv : list (list bigZ))
    (plo phi : list bigZ) (acc : list bigZ) : list bigZ :=
  match pv, plo, phi with
  | p :: pv', pl :: plo', ph :: phi' =>
      let is_query := match pv' with [] => true | _ => false end in
      let ev := if is_query then evq else evm in
      let (el, eh) := if is_query then eqq else em in
      c0_sum du evm evq em eqq pv' plo' phi'
        (vadd acc (map (ub (el * pl) (eh * ph)) (vadd du (vadd ev p))))
  | _, _, _ => acc
  end.

Definition c0_entry_ok (m q : bigZ) (P : Paths) (elo ehi plo phi : list (list bigZ)) : bool :=
  let du := centre m (row (EUPU P) q) in
  let evm := centre m (row (EVOU P) m) in
  let evq := centre m (row (EVOU P) q) in
  let pv := map (centre m) (PVOU P) in
  let em := (entry (row elo q) m, entry (row ehi q) m) in
  let eqq := (entry (row elo q) q, entry (row ehi q) q) in
  let s := c0_sum du evm evq em eqq pv (row plo q) (row phi q) (zeros (length du)) in
  all_neg_except (to_nat m) O s.

Fixpoint c0_loop (prev : option (bigZ * bigZ)) (P : Paths) (elo ehi plo phi : list (list bigZ))
    (V n : bigZ) (l : list (bigZ * bigZ)) : bool :=
  match l with
  | [] => true
  | (m, q) :: l' =>
      let inc := match prev with None => true | Some p => lex_less2 p (m, q) end in
      if inc && (0 <=? q) && (q <=? m) && (m <? V) && ((m <=? q) || (2 <=? n)) then
        if c0_entry_ok m q P elo ehi plo phi then c0_loop (Some (m, q)) P elo ehi plo phi V n l'
        else false
      else false
  end.

(** Each listed (m, q) names a distinct c = 0 input (m, ..., m, q) that is correct. *)
Definition check_c0 (l : list (bigZ * bigZ)) (P : Paths) (elo ehi plo phi : list (list bigZ))
    (V n : bigZ) : bool :=
  c0_loop None P elo ehi plo phi V n l.

(** ** 9. check_cells *)

(** max of [best] and the entries of [r] except the one at index [m] ([i]: index of the head
    of [r]; [None] if there are none). *)
Fixpoint max_skip (m i : nat) (best : option bigZ) (r : list bigZ) : option bigZ :=
  match r with
  | [] => best
  | x :: r' =>
      if Nat.eqb i m then max_skip m (S i) best r'
      else max_skip m (S i) (match best with None => Some x | Some b => Some (BigZ.max b x) end) r'
  end.

Definition max_except (m : bigZ) (r : list bigZ) : bigZ :=
  match max_skip (to_nat m) O None r with None => 0 | Some x => x end.

(** P[y] = max_p (PVOU[p,y] - PVOU[p,m]). *)
Definition p_max (PV : list (list bigZ)) (m : bigZ) : list bigZ :=
  match map (centre m) PV with [] => [] | r :: rs => fold_left vmax rs r end.

(** (U, E) for max token m and shift Zs: U[q] = max_{y!=m} Dir'[q,y],
    E[t] = max_{y!=m} (Ov'[t,y] + P[y]), Dir = EUPU + Zs, Ov = EVOU - Zs. *)
Definition split_maxima (P : Paths) (Zs : list bigZ) (m : bigZ) : list bigZ * list bigZ :=
  let Pm := p_max (PVOU P) m in
  (map (fun r => max_except m (centre m (vadd r Zs))) (EUPU P),
   map (fun r => max_except m (vadd (centre m (vsub r Zs)) Pm)) (EVOU P)).

(** (Mslots, Kslots): low puts m on the n-1-c lowest-EQKP slots, high on the highest. *)
Definition arrangement_slots (o : list bigZ) (c : nat) (high : bool) : list bigZ * list bigZ :=
  if high then (skipn c o, firstn c o)
  else (firstn (Nat.sub (length o) c) o, skipn (Nat.sub (length o) c) o).

(** The positional weights (plo[q,i], phi[q,i]) of the slots i. *)
Definition slot_weights (plo phi : list bigZ) (slots : list bigZ) : list (bigZ * bigZ) :=
  map (fun i => (entry plo i, entry phi i)) slots.

(** sum over the slots of ub(w(t, i), g), w(t, i) = [el plo[q,i], eh phi[q,i]],
    (el, eh) = (elo[q,t], ehi[q,t]). *)
Fixpoint slots_sum (el eh g : bigZ) (ws : list (bigZ * bigZ)) : bigZ :=
  match ws with
  | [] => 0
  | (pl, ph) :: ws' => ub (el * pl) (eh * ph) g + slots_sum el eh g ws'
  end.

(** One arrangement of a cell, prepared once per cell: the part of the replay's sum that does
    not depend on k (the m-slots and the query slot n-1), and the weights of the k-slots. *)
Record Arrangement := mkArrangement { arr_fixed : bigZ; arr_kslots : list (bigZ * bigZ) }.

Definition arrangement (plo phi elo ehi U E : list bigZ) (m q n : bigZ) (o : list bigZ) (c : nat)
    (high : bool) : Arrangement :=
  let (Ms, Ks) := arrangement_slots o c high in
  let Uq := entry U q in
  mkArrangement
    (slots_sum (entry elo m) (entry ehi m) (Uq + entry E m) (slot_weights plo phi Ms)
     + slots_sum (entry elo q) (entry ehi q) (Uq + entry E q) (slot_weights plo phi ((n - 1) :: nil)))
    (slot_weights plo phi Ks).

(** The replay's sum for the pure input with k on the k-slots is negative; (el, eh) =
    (elo[q,k], ehi[q,k]), gk = U[q] + E[k]. *)
Definition arrangement_ok (a : Arrangement) (el eh gk : bigZ) : bool :=
  arr_fixed a + slots_sum el eh gk (arr_kslots a) <? 0.

(** Both sorted arrangements ("low", "high") of the pure input with token k. *)
Definition cell_k_ok (low high : Arrangement) (el eh gk : bigZ) : bool :=
  arrangement_ok low el eh gk && arrangement_ok high el eh gk.

(** Every k < fuel with bit k of [mask] set passes [cell_k_ok]; walks k = 0, 1, ... along the
    token-indexed rows elo[q], ehi[q] and E (their heads belong to token k). *)
Fixpoint mask_ok (low high : Arrangement) (Uq : bigZ) (elos ehis Es : list bigZ) (fuel : nat)
    (mask : bigZ) : bool :=
  match fuel, elos, ehis, Es with
  | S f, el :: elos', eh :: ehis', e :: Es' =>
      (if BigZ.odd mask then cell_k_ok low high el eh (Uq + e) else true) &&
      mask_ok low high Uq elos' ehis' Es' f (mask / 2)
  | _, _, _, _ => true
  end.

Fixpoint cache_find (m j : bigZ) (cache : list (bigZ * bigZ * (list bigZ * list bigZ)))
    : option (list bigZ * list bigZ) :=
  match cache with
  | [] => None
  | (m', j', ue) :: cache' => if (m' =? m) && (j' =? j) then Some ue else cache_find m j cache'
  end.

Definition cell_header_ok (V n : bigZ) (nshifts : bigZ) (x : Cell) : bool :=
  let m := cell_m x in let q := cell_q x in let c := cell_c x in
  let cmax := if q <? m then n - 2 else n - 1 in
  if (0 <=? q) && (q <=? m) && (m <? V) && (1 <=? c) && (c <=? cmax) &&
     (0 <=? cell_shift x) && (cell_shift x <? nshifts)
  then (1 <=? cell_mask x) && (cell_mask x <? pow2 m)  (* m < V is small here *)
  else false.

Record CellsEnv := mkCellsEnv {
  v_P : Paths; v_shifts : list (list bigZ); v_elo : list (list bigZ); v_ehi : list (list bigZ);
  v_plo : list (list bigZ); v_phi : list (list bigZ); v_orders : list (list bigZ);
  v_V : bigZ; v_n : bigZ }.

Fixpoint cells_loop (env : CellsEnv) (prev : option Cell)
    (cache : list (bigZ * bigZ * (list bigZ * list bigZ))) (l : list Cell) : bool :=
  match l with
  | [] => true
  | x :: l' =>
      let inc := match prev with None => true | Some p => lex_less3 p x end in
      if inc && cell_header_ok (v_V env) (v_n env) (lenZ (v_shifts env)) x then
        (* split maxima once per (m, shift) pair actually used, as the replay's cache *)
        let m := cell_m x in let j := cell_shift x in let q := cell_q x in
        let (ue, cache') :=
          match cache_find m j cache with
          | Some ue => (ue, cache)
          | None => let ue := split_maxima (v_P env) (row (v_shifts env) j) m in
                    (ue, (m, j, ue) :: cache)
          end in
        let U := fst ue in let E := snd ue in
        let o := row (v_orders env) q in
        let plo := row (v_plo env) q in let phi := row (v_phi env) q in
        let elo := row (v_elo env) q in let ehi := row (v_ehi env) q in
        let c := to_nat (cell_c x) in let n := v_n env in
        let low := arrangement plo phi elo ehi U E m q n o c false in
        let high := arrangement plo phi elo ehi U E m q n o c true in
        if mask_ok low high (entry U q) elo ehi E (to_nat m) (cell_mask x)
        then cells_loop env (Some x) cache' l'
        else false
      else false
  end.

(** For each cell, every input with c non-max non-query tokens in S is correct. *)
Definition check_cells (l : list Cell) (env : CellsEnv) : bool := cells_loop env None [] l.

(** ** 10. check_count *)

Definition cell_count (n : bigZ) (x : Cell) : bigZ :=
  choose (n - 1) (cell_c x) * pow_nat (popcount (cell_mask x)) (to_nat (cell_c x)).

Fixpoint cells_count (n : bigZ) (l : list Cell) : bigZ :=
  match l with [] => 0 | x :: l' => cell_count n x + cells_count n l' end.

Definition check_count (claimed : bigZ) (c0l : list (bigZ * bigZ)) (l : list Cell) (n : bigZ) : bool :=
  claimed =? lenZ c0l + cells_count n l.

(** ** The driver: checks 1..10 in order, each run only when the earlier ones passed. *)

Definition check (c : Cert) : bool :=
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
  check_count (claimed_count c) (c0 c) (cells c) (n_ctx c)
  else false else false else false else false else false else false else false.
