(** * PathForm.v — the forward pass of Spec.v equals its path decomposition.

    With q the query token (the token at the last position), t_i the token at position i:
      score i   = (EQKE[q, t_i] + EQKP[q, i]) / sqrt d_head                    [score_path]
      logit y   = EUPU[q, y] + sum_i attn_i (EVOU[t_i, y] + PVOU[i, y])       [logit_path]
    (b_V, b_O are inside EVOU: sum_i attn_i = 1 moves them into the sum; b_U is in EUPU.)
    The matrices are the real-valued ones, read directly off the weights. *)
From Coq Require Import Reals Lia Lra.
From MaxK Require Import Spec Proof.Reals.Sums.
Local Open Scope R_scope.

Section Paths.
Variable M : model.
Notation V := (d_vocab M).
Notation n := (n_ctx M).
Notation d := (d_model M).
Notation h := (d_head M).

(** query-side embedding of token q at the last position *)
Definition Eq (q a : nat) : R := mat (W_E M) d q a + mat (W_pos M) d (qpos M) a.

Definition EUPU (q y : nat) : R := sum d (fun a => Eq q a * mat (W_U M) V a y) + entry (b_U M) y.

Definition EVOU (t y : nat) : R :=
  sum d (fun a =>
    (sum h (fun c => (sum d (fun b => mat (W_E M) d t b * mat (W_V M) h b c) + entry (b_V M) c)
                     * mat (W_O M) d c a) + entry (b_O M) a) * mat (W_U M) V a y).

Definition PVOU (p y : nat) : R :=
  sum d (fun a =>
    sum h (fun c => sum d (fun b => mat (W_pos M) d p b * mat (W_V M) h b c) * mat (W_O M) d c a)
    * mat (W_U M) V a y).

Definition Qv (q c : nat) : R := sum d (fun a => Eq q a * mat (W_Q M) h a c) + entry (b_Q M) c.

Definition EQKE (q t : nat) : R :=
  sum h (fun c => Qv q c * (sum d (fun a => mat (W_E M) d t a * mat (W_K M) h a c) + entry (b_K M) c)).

Definition EQKP (q p : nat) : R :=
  sum h (fun c => Qv q c * sum d (fun a => mat (W_pos M) d p a * mat (W_K M) h a c)).

Variable x : list nat.
Notation q := (tok x (qpos M)).

Lemma resid_qpos : forall a, resid M x (qpos M) a = Eq q a.
Proof. intros a. reflexivity. Qed.

Lemma query_Qv : forall c, query M x c = Qv q c.
Proof. intros c. reflexivity. Qed.

Lemma key_split : forall i c, key M x i c =
  (sum d (fun a => mat (W_E M) d (tok x i) a * mat (W_K M) h a c) + entry (b_K M) c)
  + sum d (fun a => mat (W_pos M) d i a * mat (W_K M) h a c).
Proof.
  intros i c. unfold key, resid.
  rewrite (sum_ext d _ (fun a => mat (W_E M) d (tok x i) a * mat (W_K M) h a c
                                 + mat (W_pos M) d i a * mat (W_K M) h a c))
    by (intros; ring).
  rewrite sum_plus. ring.
Qed.

Theorem score_path : forall i,
  score M x i = (EQKE q (tok x i) + EQKP q i) / sqrt (INR h).
Proof.
  intros i. unfold score. f_equal. unfold EQKE, EQKP. rewrite <- sum_plus.
  apply sum_ext. intros c _. rewrite query_Qv, key_split. ring.
Qed.

Lemma value_split : forall i c, value M x i c =
  (sum d (fun b => mat (W_E M) d (tok x i) b * mat (W_V M) h b c) + entry (b_V M) c)
  + sum d (fun b => mat (W_pos M) d i b * mat (W_V M) h b c).
Proof.
  intros i c. unfold value, resid.
  rewrite (sum_ext d _ (fun b => mat (W_E M) d (tok x i) b * mat (W_V M) h b c
                                 + mat (W_pos M) d i b * mat (W_V M) h b c))
    by (intros; ring).
  rewrite sum_plus. ring.
Qed.

(** EVOU + PVOU of one position is the OV circuit applied to its value vector *)
Lemma EVOU_PVOU : forall i y, EVOU (tok x i) y + PVOU i y =
  sum d (fun a => (sum h (fun c => value M x i c * mat (W_O M) d c a) + entry (b_O M) a)
                  * mat (W_U M) V a y).
Proof.
  intros i y. unfold EVOU, PVOU. rewrite <- sum_plus. apply sum_ext. intros a _.
  rewrite <- Rmult_plus_distr_r. f_equal.
  rewrite (sum_ext h (fun c => value M x i c * mat (W_O M) d c a)
     (fun c => (sum d (fun b => mat (W_E M) d (tok x i) b * mat (W_V M) h b c) + entry (b_V M) c)
                * mat (W_O M) d c a
               + sum d (fun b => mat (W_pos M) d i b * mat (W_V M) h b c) * mat (W_O M) d c a))
    by (intros; rewrite value_split; ring).
  rewrite sum_plus. ring.
Qed.

Lemma attn_sum : (1 <= n)%nat -> sum n (fun i => attn M x i) = 1.
Proof.
  intros Hn. unfold attn.
  assert (HW : 0 < sum n (fun j => exp (score M x j))).
  { apply sum_pos; [lia| intros; apply exp_pos]. }
  unfold Rdiv. rewrite sum_scal_r. field. lra.
Qed.

Theorem logit_path : (1 <= n)%nat -> forall y,
  logit M x y = EUPU q y + sum n (fun i => attn M x i * (EVOU (tok x i) y + PVOU i y)).
Proof.
  intros Hn y. pose proof (attn_sum Hn) as Ha.
  set (al := attn M x) in *.
  unfold logit, EUPU.
  rewrite (sum_ext d _ (fun a => Eq q a * mat (W_U M) V a y + attn_out M x a * mat (W_U M) V a y))
    by (intros; rewrite resid_qpos; ring).
  rewrite sum_plus.
  rewrite (sum_ext n _ (fun i => sum d (fun a => al i *
             ((sum h (fun c => value M x i c * mat (W_O M) d c a) + entry (b_O M) a)
              * mat (W_U M) V a y))))
    by (intros; rewrite EVOU_PVOU, <- sum_scal_l; reflexivity).
  rewrite sum_swap.
  rewrite (sum_ext d (fun a => attn_out M x a * mat (W_U M) V a y)
     (fun a => sum n (fun i => al i *
             ((sum h (fun c => value M x i c * mat (W_O M) d c a) + entry (b_O M) a)
              * mat (W_U M) V a y)))); [ring|].
  intros a _. unfold attn_out. fold al.
  rewrite (sum_ext n _ (fun i => (sum h (fun c => al i * value M x i c * mat (W_O M) d c a)
                                  + al i * entry (b_O M) a) * mat (W_U M) V a y))
    by (intros i _;
        rewrite (sum_ext h (fun c => al i * value M x i c * mat (W_O M) d c a)
                           (fun c => al i * (value M x i c * mat (W_O M) d c a))) by (intros; ring);
        rewrite sum_scal_l; ring).
  rewrite sum_scal_r, sum_plus, sum_swap, sum_scal_r, Ha.
  f_equal. f_equal; [|ring]. apply sum_ext. intros c _.
  rewrite <- sum_scal_r. reflexivity.
Qed.
End Paths.
