(** * Sign.v — the sign trick with a shift vector.

    For any constant C and any vector Z, with w_i = exp(score_i - C) > 0:
      logit[y] - logit[m] = (sum_i w_i ((EUPU+Z)'[q,y] + (EVOU-Z)'[t_i,y] + PVOU'[i,y])) / sum_i w_i
    where X'[., y] = X[., y] - X[., m]; so a negative weighted sum proves logit[y] < logit[m].
    The weights split as w_i = e(q, t_i) p(q, i) with e, p the certificate's exp tables. *)
From Coq Require Import Reals Lia Lra.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Reals.PathForm.
Local Open Scope R_scope.

Section Sign.
Variable M : model.
Variable x : list nat.
Notation n := (n_ctx M).
Notation q := (tok x (qpos M)).

Definition wt (C : R) (i : nat) : R := exp (score M x i - C).

Lemma wt_pos : forall C i, 0 < wt C i.
Proof. intros. apply exp_pos. Qed.

Lemma wt_sum_pos : (1 <= n)%nat -> forall C, 0 < sum n (wt C).
Proof. intros Hn C. apply sum_pos; [lia| intros; apply wt_pos]. Qed.

Lemma attn_wt : (1 <= n)%nat -> forall C i, attn M x i = wt C i / sum n (wt C).
Proof.
  intros Hn C i. unfold attn, wt.
  assert (E : forall s, exp (s - C) = exp s * exp (- C))
    by (intros s; unfold Rminus; apply exp_plus).
  rewrite E. rewrite (sum_ext n (fun j => exp (score M x j - C)) (fun j => exp (score M x j) * exp (- C)))
    by (intros; apply E).
  rewrite sum_scal_r.
  assert (0 < sum n (fun j => exp (score M x j))) by (apply sum_pos; [lia| intros; apply exp_pos]).
  pose proof (exp_pos (- C)). field. split; lra.
Qed.

(** the bracket of one position, with the shift Z booked as in check_cells *)
Definition bracket (Z : nat -> R) (y m i : nat) : R :=
  ((EUPU M q y + Z y) - (EUPU M q m + Z m))
  + ((EVOU M (tok x i) y - Z y) - (EVOU M (tok x i) m - Z m))
  + (PVOU M i y - PVOU M i m).

Theorem logit_diff_weighted : (1 <= n)%nat -> forall Z C y m,
  logit M x y - logit M x m = sum n (fun i => wt C i * bracket Z y m i) / sum n (wt C).
Proof.
  intros Hn Z C y m. pose proof (attn_sum M x Hn) as Ha. pose proof (wt_sum_pos Hn C) as HW.
  rewrite !logit_path by exact Hn.
  unfold Rdiv. rewrite <- sum_scal_r.
  rewrite (sum_ext n (fun i => wt C i * bracket Z y m i * / sum n (wt C))
             (fun i => (EUPU M q y - EUPU M q m) * attn M x i
                       + attn M x i * (EVOU M (tok x i) y + PVOU M i y)
                       - attn M x i * (EVOU M (tok x i) m + PVOU M i m)))
    by (intros i _; rewrite (attn_wt Hn C i); unfold bracket; field; lra).
  assert (Ha' : sum n (attn M x) = 1) by exact Ha.
  rewrite sum_minus, sum_plus, sum_scal_l, ?Ha, ?Ha'. ring.
Qed.

Theorem sign_shift : (1 <= n)%nat -> forall Z C y m,
  sum n (fun i => wt C i * bracket Z y m i) < 0 -> logit M x y < logit M x m.
Proof.
  intros Hn Z C y m H. pose proof (logit_diff_weighted Hn Z C y m) as E.
  pose proof (wt_sum_pos Hn C) as HW.
  assert (sum n (fun i => wt C i * bracket Z y m i) / sum n (wt C) < 0).
  { unfold Rdiv. pose proof (Rinv_0_lt_compat _ HW). nra. }
  lra.
Qed.

(** the weights factor into the two exp tables of check 6 (any offsets C1, C2) *)
Lemma wt_split : forall C1 C2 i,
  wt ((C1 + C2) / sqrt (INR (d_head M))) i =
  exp ((EQKE M q (tok x i) - C1) / sqrt (INR (d_head M)))
  * exp ((EQKP M q i - C2) / sqrt (INR (d_head M))).
Proof.
  intros C1 C2 i. unfold wt. rewrite score_path, <- exp_plus. f_equal.
  unfold Rdiv. ring.
Qed.
End Sign.
