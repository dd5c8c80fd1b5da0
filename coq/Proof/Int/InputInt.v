(** * InputInt.v — one input of an exact certificate's residual, decided on integers
    (FORMAT.md, check 11), in Spec's real semantics: CellInt.v's [c0_correct_int] with the tokens
    of any input x in place of (m, ..., m, q), and its "wrong" twin with lb in place of ub.

    The hypotheses are CellInt.v's (a passing check_sqrt; the exp-table rows of q passing
    check_exp_neg against maxE / maxP) and, per verdict:
    - ok: for every y <> m, sum_i ub(elo[q,t_i] plo[q,i], ehi[q,t_i] phi[q,i], Z_i[y]) < 0;
    - wrong: for some y <> m, sum_i lb(elo[q,t_i] plo[q,i], ehi[q,t_i] phi[q,i], Z_i[y]) >= 0;
    where Z_i[y] = EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y] on the aligned integers. *)
From Coq Require Import ZArith Reals Lia Lra List.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Int.ExpInt Proof.Reals.Count Proof.Reals.PathForm
  Proof.Int.PathInt Proof.Reals.Cubic Proof.Reals.CellSound Proof.Int.Bridge Proof.Int.CellInt
  Proof.Reals.InputSound.
Import ListNotations.
Local Open Scope R_scope.

Section InputInt.
Variable M : model.
Variable e0 : Z.
Variable X : Exps M e0.

Variables (F : Z) (NT : nat) (s_lo s_hi : Z).
Hypothesis HF : (0 <= F)%Z.
Hypothesis HNT : (1 <= NT)%nat.
Hypothesis Hh : (1 <= d_head M)%nat.
Hypothesis Hsqrt : check_sqrt s_lo s_hi (Z.of_nat (d_head M)) F = true.

Variables (q : nat) (maxEZ maxPZ : Z) (elo ehi plo phi : nat -> Z).
Hypothesis HtabE : forall t, (t < d_vocab M)%nat ->
  (EQKEZ M e0 q t <= maxEZ)%Z /\
  check_exp_neg F NT (elo t) (ehi t)
    (- (EQKEZ M e0 q t - maxEZ) * 2 ^ F) (s_hi * 2 ^ (4 * - e0))
    (- (EQKEZ M e0 q t - maxEZ) * 2 ^ F) (s_lo * 2 ^ (4 * - e0)) = true.
Hypothesis HtabP : forall i, (i < n_ctx M)%nat ->
  (EQKPZ M e0 q i <= maxPZ)%Z /\
  check_exp_neg F NT (plo i) (phi i)
    (- (EQKPZ M e0 q i - maxPZ) * 2 ^ F) (s_hi * 2 ^ (4 * - e0))
    (- (EQKPZ M e0 q i - maxPZ) * 2 ^ F) (s_lo * 2 ^ (4 * - e0)) = true.

Let u4 := powerRZ 2 e0 * powerRZ 2 e0 * powerRZ 2 e0 * powerRZ 2 e0.
Let maxE := IZR maxEZ * u4.
Let maxP := IZR maxPZ * u4.

(** the bracket of position i of x for the wrong token y, on the aligned integers *)
Definition inputZ (x : list nat) (m i y : nat) : Z :=
  (EUPUZ M e0 q y - EUPUZ M e0 q m) + (EVOUZ M e0 (tok x i) y - EVOUZ M e0 (tok x i) m)
  + (PVOUZ M e0 i y - PVOUZ M e0 i m).

Variables (x : list nat) (m : nat).
Hypothesis Hn1 : (1 <= n_ctx M)%nat.
Hypothesis Hlen : length x = n_ctx M.
Hypothesis Hlast : last x O = q.
Hypothesis Hmax : max_tok x = m.
Hypothesis HxV : forall t, In t x -> (t < d_vocab M)%nat.

Lemma tok_lt : forall i, (i < n_ctx M)%nat -> (tok x i < d_vocab M)%nat.
Proof. intros i Hi. apply HxV. unfold tok. apply nth_In. lia. Qed.

(** the exact sum of InputSound.v, at the integers' scale: each term against its ub and lb *)
Lemma input_term_bounds : forall y i, (y < d_vocab M)%nat -> (i < n_ctx M)%nat ->
  let r := IZR (2 ^ F) * IZR (2 ^ F) / u4 * (ee M q maxE (tok x i) * pp M q maxP i
             * (EUPU M q y - EUPU M q m + (EVOU M (tok x i) y - EVOU M (tok x i) m)
                + (PVOU M i y - PVOU M i m))) in
  IZR (lbZ (elo (tok x i) * plo i) (ehi (tok x i) * phi i) (inputZ x m i y)) <= r
  /\ r <= IZR (ubZ (elo (tok x i) * plo i) (ehi (tok x i) * phi i) (inputZ x m i y)).
Proof.
  intros y i Hy Hi r. pose proof (u4_pos' e0) as Hu. fold u4 in Hu.
  pose proof (IZR_pow2_pos F HF) as HK.
  destruct (ee_enclosed M e0 X F NT s_lo s_hi HF HNT Hh Hsqrt q maxEZ elo ehi HtabE _ (tok_lt i Hi))
    as [He0' He1].
  destruct (pp_enclosed M e0 X F NT s_lo s_hi HF HNT Hh Hsqrt q maxPZ plo phi HtabP i Hi) as [Hp0 Hp1].
  fold u4 maxE in He1. fold u4 maxP in Hp1.
  assert (E : r = IZR (2 ^ F) * IZR (2 ^ F) * (ee M q maxE (tok x i) * pp M q maxP i)
                  * IZR (inputZ x m i y)).
  { unfold r, inputZ. rewrite !plus_IZR, !minus_IZR.
    rewrite !(EUPU_int M e0), !(EVOU_int M e0), !(PVOU_int M e0) by exps X. fold u4.
    field. lra. }
  rewrite E. split.
  - apply term_lb; assumption.
  - apply term_ub; assumption.
Qed.

Theorem input_correct_int :
  (forall y, (y < d_vocab M)%nat -> y <> m ->
     (zsum (n_ctx M) (fun i => ubZ (elo (tok x i) * plo i) (ehi (tok x i) * phi i) (inputZ x m i y))
      < 0)%Z) ->
  correct M x.
Proof.
  intros Hok. pose proof (u4_pos' e0) as Hu. fold u4 in Hu.
  pose proof (IZR_pow2_pos F HF) as HK.
  apply (input_correct M x q m maxE maxP Hn1 Hlen Hlast Hmax).
  intros y Hy Hym. specialize (Hok y Hy Hym).
  apply IZR_lt in Hok. rewrite zsum_IZR in Hok.
  assert (Hpos : 0 < IZR (2 ^ F) * IZR (2 ^ F) / u4)
    by (unfold Rdiv; apply Rmult_lt_0_compat; [nra| apply Rinv_0_lt_compat; lra]).
  match goal with |- ?S < 0 =>
    assert (Hle : IZR (2 ^ F) * IZR (2 ^ F) / u4 * S
      <= sum (n_ctx M) (fun i => IZR (ubZ (elo (tok x i) * plo i) (ehi (tok x i) * phi i) (inputZ x m i y))))
  end.
  { rewrite <- sum_scal_l. apply sum_le. intros i Hi. apply (input_term_bounds y i Hy Hi). }
  nra.
Qed.

Theorem input_wrong_int : forall y, (y < d_vocab M)%nat -> y <> m ->
  (0 <= zsum (n_ctx M) (fun i => lbZ (elo (tok x i) * plo i) (ehi (tok x i) * phi i) (inputZ x m i y)))%Z ->
  ~ correct M x.
Proof.
  intros y Hy Hym Hw. pose proof (u4_pos' e0) as Hu. fold u4 in Hu.
  pose proof (IZR_pow2_pos F HF) as HK.
  apply (input_wrong M x q m maxE maxP Hn1 Hlen Hlast Hmax y Hy Hym).
  apply IZR_le in Hw. rewrite zsum_IZR in Hw.
  assert (Hpos : 0 < IZR (2 ^ F) * IZR (2 ^ F) / u4)
    by (unfold Rdiv; apply Rmult_lt_0_compat; [nra| apply Rinv_0_lt_compat; lra]).
  match goal with |- 0 <= ?S =>
    assert (Hle : sum (n_ctx M) (fun i => IZR (lbZ (elo (tok x i) * plo i) (ehi (tok x i) * phi i) (inputZ x m i y)))
      <= IZR (2 ^ F) * IZR (2 ^ F) / u4 * S)
  end.
  { rewrite <- sum_scal_l. apply sum_le. intros i Hi. apply (input_term_bounds y i Hy Hi). }
  nra.
Qed.
End InputInt.
