(** * CellInt.v — one cell (and one c = 0 entry) checked on integers implies every input it
    covers is correct, in Spec's real semantics.

    The hypotheses are exactly what checks 3-9 establish for one (q, m, c, S, shift) on the
    aligned integer weights: a passing check_sqrt; the exp-table rows of q passing
    check_exp_neg against maxE / maxP; the order o of the non-query slots a permutation sorted
    by EQKP; split maxima U, E, P of the shifted integer path matrices; and both sorted
    arrangements' ub-sums negative for every k in S. *)
From Coq Require Import ZArith Reals Lia Lra List.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Reals.ExpSeries Proof.Int.ExpInt Proof.Reals.Count Proof.Reals.PathForm
  Proof.Int.PathInt Proof.Reals.Sign Proof.Reals.Cubic Proof.Reals.CellSound Proof.Int.Bridge.
Import ListNotations.
Local Open Scope R_scope.

Lemma check_exp_neg_lo_nonneg : forall F NT lo hi na da nb db,
  check_exp_neg F NT lo hi na da nb db = true -> (0 <= lo)%Z.
Proof.
  intros F NT lo hi na da nb db H. unfold check_exp_neg in H.
  destruct (lo <? 0)%Z eqn:E; [rewrite !Bool.orb_true_r in H; discriminate|].
  apply Z.ltb_ge, E.
Qed.

Section CellInt.
Variable M : model.
Variable e0 : Z.
Variable X : Exps M e0.
Let He0 := @x_e0 M e0 X.
Notation V := (d_vocab M).
Notation n := (n_ctx M).
Notation L := (n_ctx M - 1)%nat.
Notation z := (- e0)%Z.

Variables (F : Z) (NT : nat) (s_lo s_hi : Z).
Hypothesis HF : (0 <= F)%Z.
Hypothesis HNT : (1 <= NT)%nat.
Hypothesis Hh : (1 <= d_head M)%nat.
Hypothesis Hsqrt : check_sqrt s_lo s_hi (Z.of_nat (d_head M)) F = true.

Variables (q : nat) (maxEZ maxPZ : Z) (elo ehi plo phi : nat -> Z).
Hypothesis HtabE : forall t, (t < V)%nat ->
  (EQKEZ M e0 q t <= maxEZ)%Z /\
  check_exp_neg F NT (elo t) (ehi t)
    (- (EQKEZ M e0 q t - maxEZ) * 2 ^ F) (s_hi * 2 ^ (4 * z))
    (- (EQKEZ M e0 q t - maxEZ) * 2 ^ F) (s_lo * 2 ^ (4 * z)) = true.
Hypothesis HtabP : forall i, (i < n)%nat ->
  (EQKPZ M e0 q i <= maxPZ)%Z /\
  check_exp_neg F NT (plo i) (phi i)
    (- (EQKPZ M e0 q i - maxPZ) * 2 ^ F) (s_hi * 2 ^ (4 * z))
    (- (EQKPZ M e0 q i - maxPZ) * 2 ^ F) (s_lo * 2 ^ (4 * z)) = true.

Let u4 := powerRZ 2 e0 * powerRZ 2 e0 * powerRZ 2 e0 * powerRZ 2 e0.
Let maxE := IZR maxEZ * u4.
Let maxP := IZR maxPZ * u4.

Lemma u4_inv : u4 = / IZR (2 ^ (4 * z)).
Proof.
  rewrite pow2_kz_inv by (lia || exact He0). simpl. unfold u4.
  assert (powerRZ 2 e0 <> 0) by (apply powerRZ_NOR; lra).
  field. assumption.
Qed.

Lemma u4_pos' : 0 < u4.
Proof. unfold u4. pose proof (powerRZ_lt 2 e0 ltac:(lra)). repeat apply Rmult_lt_0_compat; lra. Qed.

Lemma ee_enclosed : forall t, (t < V)%nat ->
  (0 <= elo t)%Z /\ IZR (elo t) <= IZR (2 ^ F) * ee M q maxE t <= IZR (ehi t).
Proof.
  intros t Ht. destruct (HtabE t Ht) as [Hmx Hc].
  split; [exact (check_exp_neg_lo_nonneg _ _ _ _ _ _ _ _ Hc)|].
  assert (E : ee M q maxE t
              = exp (IZR (EQKEZ M e0 q t - maxEZ) / IZR (2 ^ (4 * z)) / sqrt (INR (d_head M)))).
  { unfold ee, maxE. rewrite (EQKE_int M e0) by exps X. fold u4. f_equal.
    rewrite minus_IZR, u4_inv. field.
    repeat split; apply Rgt_not_eq;
      first [apply IZR_pow2_pos; lia | apply sqrt_lt_R0, lt_0_INR; lia]. }
  rewrite E. apply (table_entry_sound F NT s_lo s_hi); try assumption; lia.
Qed.

Lemma pp_enclosed : forall i, (i < n)%nat ->
  (0 <= plo i)%Z /\ IZR (plo i) <= IZR (2 ^ F) * pp M q maxP i <= IZR (phi i).
Proof.
  intros i Hi. destruct (HtabP i Hi) as [Hmx Hc].
  split; [exact (check_exp_neg_lo_nonneg _ _ _ _ _ _ _ _ Hc)|].
  assert (E : pp M q maxP i
              = exp (IZR (EQKPZ M e0 q i - maxPZ) / IZR (2 ^ (4 * z)) / sqrt (INR (d_head M)))).
  { unfold pp, maxP. rewrite (EQKP_int M e0) by exps X. fold u4. f_equal.
    rewrite minus_IZR, u4_inv. field.
    repeat split; apply Rgt_not_eq;
      first [apply IZR_pow2_pos; lia | apply sqrt_lt_R0, lt_0_INR; lia]. }
  rewrite E. apply (table_entry_sound F NT s_lo s_hi); try assumption; lia.
Qed.

(** ** c = 0: the single input (m, ..., m, q), checked with the exact integer brackets *)
Definition c0Z (m i y : nat) : Z :=
  (EUPUZ M e0 q y - EUPUZ M e0 q m) + (EVOUZ M e0 (c0tok M q m i) y - EVOUZ M e0 (c0tok M q m i) m)
  + (PVOUZ M e0 i y - PVOUZ M e0 i m).

Theorem c0_correct_int : forall m, (1 <= n)%nat -> cell_valid V n (mk_cell q m 0 []) ->
  (forall y, (y < V)%nat -> y <> m ->
     (zsum n (fun i => ubZ (elo (c0tok M q m i) * plo i) (ehi (c0tok M q m i) * phi i) (c0Z m i y))
      < 0)%Z) ->
  forall x, In x (cell_inputs n (mk_cell q m 0 [])) -> correct M x.
Proof.
  intros m Hn1 Hv Hc0. pose proof u4_pos' as Hu.
  assert (Hqm : (q <= m < V)%nat) by (destruct Hv as (H1 & H2 & _); simpl in *; lia).
  apply (c0_correct M q m maxE maxP Hn1 Hv).
  intros y Hy Hym. specialize (Hc0 y Hy Hym).
  apply IZR_lt in Hc0. rewrite zsum_IZR in Hc0.
  pose proof (IZR_pow2_pos F HF) as HK.
  assert (Hle : (IZR (2 ^ F) * IZR (2 ^ F) / u4)
      * sum n (fun i => ee M q maxE (c0tok M q m i) * pp M q maxP i
                        * (EUPU M q y - EUPU M q m + (EVOU M (c0tok M q m i) y - EVOU M (c0tok M q m i) m)
                           + (PVOU M i y - PVOU M i m)))
      <= sum n (fun i => IZR (ubZ (elo (c0tok M q m i) * plo i) (ehi (c0tok M q m i) * phi i)
                                 (c0Z m i y)))).
  { rewrite <- sum_scal_l. apply sum_le. intros i Hi.
    assert (Ht : (c0tok M q m i < V)%nat) by (unfold c0tok; destruct (Nat.ltb i _); lia).
    destruct (ee_enclosed _ Ht) as [He0' He1]. destruct (pp_enclosed i Hi) as [Hp0 Hp1].
    eapply Rle_trans;
      [|apply (term_ub (IZR (2 ^ F)) (ee M q maxE (c0tok M q m i)) (pp M q maxP i)); assumption].
    right. unfold c0Z. rewrite !plus_IZR, !minus_IZR.
    rewrite !(EUPU_int M e0), !(EVOU_int M e0), !(PVOU_int M e0) by exps X. fold u4.
    field. lra. }
  assert (Hpos : 0 < IZR (2 ^ F) * IZR (2 ^ F) / u4)
    by (unfold Rdiv; apply Rmult_lt_0_compat; [nra| apply Rinv_0_lt_compat; lra]).
  nra.
Qed.

(** ** c >= 1 *)
Variables (m c : nat) (S : list nat) (Zs : nat -> Z) (o : list nat) (U : Z) (E P : nat -> Z).
Hypothesis Hvalid : cell_valid V n (mk_cell q m c S).
Hypothesis Hc : (1 <= c)%nat.
Hypothesis Ho : is_perm L o.
Hypothesis HsortedZ : forall j k, (j <= k)%nat -> (k < L)%nat ->
  (EQKPZ M e0 q (nth j o O) <= EQKPZ M e0 q (nth k o O))%Z.
Hypothesis HU : forall y, (y < V)%nat -> y <> m ->
  (EUPUZ M e0 q y + Zs y - (EUPUZ M e0 q m + Zs m) <= U)%Z.
Hypothesis HE : forall t y, (t < V)%nat -> (y < V)%nat -> y <> m ->
  (EVOUZ M e0 t y - Zs y - (EVOUZ M e0 t m - Zs m) + P y <= E t)%Z.
Hypothesis HP : forall i y, (i < n)%nat -> (y < V)%nat -> y <> m ->
  (PVOUZ M e0 i y - PVOUZ M e0 i m <= P y)%Z.
Let w (t i : nat) (gv : Z) : Z := ubZ (elo t * plo i) (ehi t * phi i) gv.
Hypothesis Hk : forall k, In k S ->
  (zsum (L - c) (fun j => w m (nth j o O) (U + E m))
   + zsum c (fun j => w k (nth (L - c + j) o O) (U + E k))
   + w q L (U + E q) < 0)%Z
  /\ (zsum (L - c) (fun j => w m (nth (c + j) o O) (U + E m))
      + zsum c (fun j => w k (nth j o O) (U + E k))
      + w q L (U + E q) < 0)%Z.

Theorem cell_correct_int : forall x, In x (cell_inputs n (mk_cell q m c S)) -> correct M x.
Proof.
  pose proof u4_pos' as Hu.
  destruct Hvalid as (Hqm & HmV & _ & HS & HcL & _). simpl in *.
  assert (Hn1 : (1 <= n)%nat) by lia.
  assert (HoL : forall j, (j < L)%nat -> (nth j o O < L)%nat).
  { intros j Hj. destruct Ho as (Hl & _ & Hin). apply Hin, nth_In. lia. }
  apply (cell_correct M q m c S (fun y => IZR (Zs y) * u4) maxE maxP
           (fun t => IZR (U + E t) * u4) o Hh Hvalid Hc).
  - intros y t i Hy Hym Ht Hi.
    apply (bracket_split_le M e0) with (Py := P y); try assumption; [apply HU| apply HE| apply HP]; assumption.
  - exact Ho.
  - intros j k Hjk HkL. rewrite !(EQKP_int M e0) by exps X. fold u4.
    apply Rmult_le_compat_r; [lra|]. apply IZR_le, HsortedZ; assumption.
  - intros k HkS. assert (HkV : (k < V)%nat) by (specialize (HS k HkS); lia).
    destruct (Hk k HkS) as [Hlo Hhi]. unfold hh.
    assert (Henc : forall t, t = m \/ t = k \/ t = q -> (0 <= elo t)%Z
              /\ IZR (elo t) <= IZR (2 ^ F) * ee M q maxE t <= IZR (ehi t)).
    { intros t Ht. apply ee_enclosed. destruct Ht as [->|[->| ->]]; lia. }
    pose proof (IZR_pow2_pos F HF) as HK.
    split.
    + apply (arrangement_neg (ee M q maxE) (pp M q maxP) elo ehi plo phi (fun t => (U + E t)%Z)
               (IZR (2 ^ F)) u4 (fun j => nth j o O) (fun j => nth (L - c + j) o O)
               (L - c) c m k q L HK Hu Henc); [|exact Hlo].
      intros i Hi. apply pp_enclosed.
      destruct Hi as [[j [Hj ->]]|[[j [Hj ->]]| ->]]; [apply Nat.lt_trans with L; [apply HoL|]; lia
                                                     |apply Nat.lt_trans with L; [apply HoL|]; lia|lia].
    + apply (arrangement_neg (ee M q maxE) (pp M q maxP) elo ehi plo phi (fun t => (U + E t)%Z)
               (IZR (2 ^ F)) u4 (fun j => nth (c + j) o O) (fun j => nth j o O)
               (L - c) c m k q L HK Hu Henc); [|exact Hhi].
      intros i Hi. apply pp_enclosed.
      destruct Hi as [[j [Hj ->]]|[[j [Hj ->]]| ->]]; [apply Nat.lt_trans with L; [apply HoL|]; lia
                                                     |apply Nat.lt_trans with L; [apply HoL|]; lia|lia].
Qed.
End CellInt.
