(** * Sums.v — algebra of Spec's finite sums [sum k f = f 0 + ... + f (k-1)]. *)
From Coq Require Import Reals Lia Lra.
From MaxK Require Import Spec.
Local Open Scope R_scope.

Lemma sum_0 : forall f, sum 0 f = 0.
Proof. reflexivity. Qed.

Lemma sum_S : forall k f, sum (S k) f = sum k f + f k.
Proof. reflexivity. Qed.

Lemma sum_ext : forall k f g, (forall i, (i < k)%nat -> f i = g i) -> sum k f = sum k g.
Proof.
  induction k as [|k IH]; intros f g H; simpl; [reflexivity|].
  rewrite (IH f g) by (intros; apply H; lia). rewrite (H k) by lia. reflexivity.
Qed.

Lemma sum_plus : forall k f g, sum k (fun i => f i + g i) = sum k f + sum k g.
Proof. induction k as [|k IH]; intros f g; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma sum_minus : forall k f g, sum k (fun i => f i - g i) = sum k f - sum k g.
Proof. induction k as [|k IH]; intros f g; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma sum_scal_l : forall k c f, sum k (fun i => c * f i) = c * sum k f.
Proof. induction k as [|k IH]; intros c f; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma sum_scal_r : forall k c f, sum k (fun i => f i * c) = sum k f * c.
Proof. induction k as [|k IH]; intros c f; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma sum_const : forall k c, sum k (fun _ => c) = INR k * c.
Proof.
  induction k as [|k IH]; intros c; [simpl; ring|].
  rewrite sum_S, IH, S_INR. ring.
Qed.

Lemma sum_swap : forall k l (f : nat -> nat -> R),
  sum k (fun i => sum l (fun j => f i j)) = sum l (fun j => sum k (fun i => f i j)).
Proof.
  induction k as [|k IH]; intros l f; simpl.
  - induction l as [|l IHl]; simpl; [reflexivity|]. rewrite <- IHl. ring.
  - rewrite IH. rewrite <- sum_plus. reflexivity.
Qed.

Lemma sum_le : forall k f g, (forall i, (i < k)%nat -> f i <= g i) -> sum k f <= sum k g.
Proof.
  induction k as [|k IH]; intros f g H; simpl; [lra|].
  apply Rplus_le_compat; [apply IH; intros; apply H; lia | apply H; lia].
Qed.

Lemma sum_lt : forall k f g, (0 < k)%nat -> (forall i, (i < k)%nat -> f i < g i) -> sum k f < sum k g.
Proof.
  induction k as [|k IH]; intros f g Hk H; [lia|]. simpl.
  destruct k as [|k].
  - simpl. specialize (H 0%nat ltac:(lia)). lra.
  - apply Rplus_lt_compat; [apply IH; [lia| intros; apply H; lia] | apply H; lia].
Qed.

Lemma sum_nonneg : forall k f, (forall i, (i < k)%nat -> 0 <= f i) -> 0 <= sum k f.
Proof.
  intros k f H. replace 0 with (sum k (fun _ => 0)).
  - apply sum_le. exact H.
  - rewrite sum_const. ring.
Qed.

Lemma sum_pos : forall k f, (0 < k)%nat -> (forall i, (i < k)%nat -> 0 < f i) -> 0 < sum k f.
Proof.
  intros k f Hk H. replace 0 with (sum k (fun _ => 0)).
  - apply sum_lt; assumption.
  - rewrite sum_const. ring.
Qed.

Lemma sum_le_more : forall k l f, (k <= l)%nat -> (forall i, (i < l)%nat -> 0 <= f i) ->
  sum k f <= sum l f.
Proof.
  intros k l f Hkl H. induction Hkl as [|l Hkl IH]; [lra|].
  rewrite sum_S. assert (0 <= f l) by (apply H; lia).
  assert (sum k f <= sum l f) by (apply IH; intros; apply H; lia). lra.
Qed.

(** Spec's [sum] and the standard library's [sum_f_R0] *)
Lemma sum_f_R0_sum : forall f N, sum_f_R0 f N = sum (S N) f.
Proof.
  intros f N. induction N as [|N IH]; simpl; [ring|].
  simpl in IH. rewrite IH. reflexivity.
Qed.
