(** * Align.v — align_weights in the shape of coq/Checker.v, over Z: a tensor given as rows
    with one exponent is Spec's flat tensor [tensor_of e rows]; shifting every row left by
    e - e0 gives the aligned integers of PathInt.v ([amat] / [aent]); the common exponent
    e0 = min(0, min e) is below every exponent. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Spec Proof.Int.PathInt Proof.Twins.ListOps Proof.Twins.PathList.
Import ListNotations.
Local Open Scope Z_scope.

Definition tensor_of (e : Z) (rows : list (list Z)) : tensor := mk_tensor e (concat rows).

Definition align_rowsZ (e0 e : Z) (rows : list (list Z)) : list (list Z) :=
  map (vshlZ (e - e0)) rows.

Definition min_exponentZ (es : list Z) : Z := fold_left Z.min es 0.

Lemma min_exponentZ_le : forall es, min_exponentZ es <= 0 /\ forall e, In e es -> min_exponentZ es <= e.
Proof.
  unfold min_exponentZ. intros es.
  assert (H : forall acc, fold_left Z.min es acc <= acc
                          /\ forall e, In e es -> fold_left Z.min es acc <= e).
  { induction es as [|x es IH]; intros acc; simpl; [split; [lia| tauto]|].
    destruct (IH (Z.min acc x)) as [H1 H2]. split; [lia|].
    intros e [<-|He]; [lia| apply H2, He]. }
  exact (H 0).
Qed.

Theorem align_rows_entry : forall e0 e rows cols i j,
  e0 <= e -> (forall r, In r rows -> length r = cols) ->
  (i < length rows)%nat -> (j < cols)%nat ->
  nth j (nth i (align_rowsZ e0 e rows) []) 0 = amat e0 (tensor_of e rows) cols i j.
Proof.
  intros e0 e rows cols i j He Hr Hi Hj. unfold align_rowsZ, amat, aent, tensor_of. simpl.
  rewrite (nth_map_lt _ _ _ rows i [] []) by exact Hi.
  rewrite nth_vshlZ by (rewrite (Hr _ (nth_In _ _ Hi)); exact Hj).
  rewrite (nth_concat_rows rows cols i j Hr Hi Hj). reflexivity.
Qed.

(** a bias: one row *)
Theorem align_vector_entry : forall e0 e r j, e0 <= e -> (j < length r)%nat ->
  nth j (hd [] (align_rowsZ e0 e [r])) 0 = aent e0 (tensor_of e [r]) j.
Proof.
  intros e0 e r j He Hj. unfold align_rowsZ, aent, tensor_of. simpl.
  rewrite nth_vshlZ by exact Hj. rewrite app_nil_r. reflexivity.
Qed.
