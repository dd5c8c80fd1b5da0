(** * ExpSeries.v — Taylor bounds for [exp] on [0, 1].
    [taylor N r = sum_{k<N} r^k / k!];  for r >= 0, [taylor N r <= exp r];
    for 0 <= r <= 1 and N >= 1, [exp r <= taylor N r + 2 r^N / N!]. *)
From Coq Require Import Reals Lia Lra.
From MaxK Require Import Spec Proof.Reals.Sums.
Local Open Scope R_scope.

Definition tterm (r : R) (k : nat) : R := r ^ k / INR (fact k).
Definition taylor (N : nat) (r : R) : R := sum N (tterm r).

Lemma tterm_nonneg : forall r k, 0 <= r -> 0 <= tterm r k.
Proof.
  intros r k Hr. unfold tterm. apply Rmult_le_pos; [apply pow_le; exact Hr|].
  left. apply Rinv_0_lt_compat, INR_fact_lt_0.
Qed.

Lemma tterm_S : forall r k, tterm r (S k) = tterm r k * r / INR (S k).
Proof.
  intros r k. unfold tterm. rewrite fact_simpl, mult_INR. simpl pow.
  assert (INR (fact k) <> 0) by apply INR_fact_neq_0.
  assert (INR (S k) <> 0) by (apply not_0_INR; lia).
  field. split; assumption.
Qed.

Lemma exp_series_cv : forall r,
  Un_cv (fun N => sum_f_R0 (fun i => / INR (fact i) * r ^ i) N) (exp r).
Proof. intros r. unfold exp. destruct (exist_exp r) as [l Hl]. exact Hl. Qed.

Lemma exp_partial_cv : forall r, Un_cv (fun N => taylor (S N) r) (exp r).
Proof.
  intros r eps Heps. destruct (exp_series_cv r eps Heps) as [N HN]. exists N.
  intros k Hk. specialize (HN k Hk). unfold taylor.
  replace (sum (S k) (tterm r)) with (sum_f_R0 (fun i => / INR (fact i) * r ^ i) k); [exact HN|].
  rewrite sum_f_R0_sum. apply sum_ext. intros i _. unfold tterm. unfold Rdiv. ring.
Qed.

(** lower bound: a partial sum of non-negative terms is below the limit *)
Lemma taylor_le_exp : forall N r, 0 <= r -> taylor N r <= exp r.
Proof.
  intros N r Hr. destruct N as [|N].
  - unfold taylor. simpl. left. apply exp_pos.
  - apply (@growing_ineq (fun N => taylor (S N) r)); [|apply exp_partial_cv].
    intros k. unfold taylor. rewrite (sum_S (S k)). pose proof (tterm_nonneg r (S k) Hr). lra.
Qed.

Lemma tterm_tail : forall r N j, 0 <= r <= 1 -> (1 <= N)%nat ->
  tterm r (N + j) <= tterm r N * (/ 2) ^ j.
Proof.
  intros r N j Hr HN. induction j as [|j IH].
  - rewrite Nat.add_0_r. simpl. lra.
  - replace (N + S j)%nat with (S (N + j)) by lia. rewrite tterm_S.
    pose proof (tterm_nonneg r (N + j) (proj1 Hr)) as Ht.
    assert (H2 : 2 <= INR (S (N + j))) by (replace 2 with (INR 2) by (simpl; ring); apply le_INR; lia).
    simpl pow.
    apply Rle_trans with (tterm r (N + j) * / 2).
    + unfold Rdiv. rewrite Rmult_assoc. apply Rmult_le_compat_l; [exact Ht|].
      apply Rle_trans with (1 * / INR (S (N + j))).
      * apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat; lra | lra].
      * rewrite Rmult_1_l. apply Rinv_le_contravar; lra.
    + assert (0 <= / 2) by lra.
      apply Rle_trans with (tterm r N * (/ 2) ^ j * / 2); [apply Rmult_le_compat_r; assumption|].
      right. ring.
Qed.

Lemma taylor_tail_sum : forall r N j, 0 <= r <= 1 -> (1 <= N)%nat ->
  taylor (N + j) r <= taylor N r + 2 * tterm r N * (1 - (/ 2) ^ j).
Proof.
  intros r N j Hr HN. induction j as [|j IH].
  - rewrite Nat.add_0_r. simpl. lra.
  - unfold taylor in *. replace (N + S j)%nat with (S (N + j)) by lia. rewrite sum_S.
    pose proof (tterm_tail r N j Hr HN). simpl pow. lra.
Qed.

Lemma taylor_le_bound : forall r N k, 0 <= r <= 1 -> (1 <= N)%nat ->
  taylor k r <= taylor N r + 2 * tterm r N.
Proof.
  intros r N k Hr HN. pose proof (tterm_nonneg r N (proj1 Hr)) as HtN.
  destruct (le_lt_dec k N) as [Hk|Hk].
  - assert (taylor k r <= taylor N r).
    { apply sum_le_more; [exact Hk|]. intros i _. apply tterm_nonneg, Hr. }
    lra.
  - replace k with (N + (k - N))%nat by lia.
    pose proof (taylor_tail_sum r N (k - N) Hr HN).
    assert (0 <= (/ 2) ^ (k - N)) by (apply pow_le; lra).
    assert (0 <= 2 * tterm r N * (/2) ^ (k - N)) by (apply Rmult_le_pos; lra).
    lra.
Qed.

(** upper bound: the tail of the series for r in [0, 1] is at most 2 r^N / N! *)
Lemma exp_le_taylor : forall N r, 0 <= r <= 1 -> (1 <= N)%nat ->
  exp r <= taylor N r + 2 * tterm r N.
Proof.
  intros N r Hr HN.
  apply (@Rle_cv_lim (fun k => taylor (S k) r) (fun _ => taylor N r + 2 * tterm r N)).
  - intros k. apply taylor_le_bound; assumption.
  - apply exp_partial_cv.
  - intros eps Heps. exists 0%nat. intros k _. unfold R_dist.
    rewrite Rminus_diag_eq, Rabs_R0 by reflexivity. exact Heps.
Qed.

(** monotonicity of exp, from the series (the standard library's [exp_increasing] goes
    through the mean value theorem and the axiom [Classical_Prop.classic]) *)
Lemma exp_gt_1 : forall t, 0 < t -> 1 < exp t.
Proof.
  intros t Ht. pose proof (taylor_le_exp 2 t (Rlt_le _ _ Ht)) as H.
  unfold taylor, tterm in H. simpl in H. lra.
Qed.

Lemma exp_lt_mono : forall x y, x < y -> exp x < exp y.
Proof.
  intros x y H. replace y with (x + (y - x)) by ring. rewrite exp_plus.
  pose proof (exp_gt_1 (y - x) ltac:(lra)). pose proof (exp_pos x). nra.
Qed.

Lemma exp_le_mono : forall x y, x <= y -> exp x <= exp y.
Proof.
  intros x y H. destruct (Rle_lt_or_eq_dec x y H) as [Hl|He].
  - left. apply exp_lt_mono, Hl.
  - subst. lra.
Qed.
