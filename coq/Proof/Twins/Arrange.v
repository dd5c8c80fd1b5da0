(** * Arrange.v — the arrangement sums of check 9 in the shape of coq/Checker.v (slot lists
    from firstn / skipn of the order, slot_weights, slots_sum), over Z, as the zsum forms of
    CellInt.v's hypothesis Hk. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Proof.Int.ExpInt Proof.Reals.Cubic Proof.Twins.ListOps Proof.Twins.Orders Proof.Twins.PathList.
Import ListNotations.
Local Open Scope Z_scope.

Fixpoint slots_sumZ (el eh g : Z) (ws : list (Z * Z)) : Z :=
  match ws with [] => 0 | (pl, ph) :: ws' => ubZ (el * pl) (eh * ph) g + slots_sumZ el eh g ws' end.

Definition slot_weightsZ (plo phi : list Z) (slots : list Z) : list (Z * Z) :=
  map (fun i => (entryZ plo i, entryZ phi i)) slots.

(** (Mslots, Kslots): low puts m on the n-1-c lowest-EQKP slots, high on the highest *)
Definition arrangement_slotsZ (o : list Z) (c : nat) (high : bool) : list Z * list Z :=
  if high then (skipn c o, firstn c o)
  else (firstn (length o - c) o, skipn (length o - c) o).

Lemma nth_firstn_lt : forall (l : list Z) r j d, (j < r)%nat -> nth j (firstn r l) d = nth j l d.
Proof.
  induction l as [|a l IH]; intros r j d Hj; destruct r as [|r]; try lia; simpl.
  - destruct j; reflexivity.
  - destruct j as [|j]; [reflexivity|]. apply IH. lia.
Qed.

Lemma nth_skipn_add : forall (l : list Z) r j d, nth j (skipn r l) d = nth (r + j) l d.
Proof.
  induction l as [|a l IH]; intros r j d; destruct r as [|r]; simpl; auto.
  destruct j; reflexivity.
Qed.

Lemma slots_sum_zsum : forall el eh g plo phi l,
  slots_sumZ el eh g (slot_weightsZ plo phi l)
  = zsum (length l) (fun j => ubZ (el * entryZ plo (nth j l 0)) (eh * entryZ phi (nth j l 0)) g).
Proof.
  intros el eh g plo phi l. induction l as [|i l IH]; [reflexivity|].
  cbn [slot_weightsZ map slots_sumZ length]. rewrite zsum_shift. cbn [nth].
  unfold slot_weightsZ in IH. rewrite IH. reflexivity.
Qed.

Theorem slots_firstn : forall el eh g plo phi o r, (r <= length o)%nat ->
  slots_sumZ el eh g (slot_weightsZ plo phi (firstn r o))
  = zsum r (fun j => ubZ (el * entryZ plo (nth j o 0)) (eh * entryZ phi (nth j o 0)) g).
Proof.
  intros el eh g plo phi o r Hr. rewrite slots_sum_zsum, firstn_length_le by exact Hr.
  apply zsum_ext. intros j Hj. rewrite nth_firstn_lt by exact Hj. reflexivity.
Qed.

Theorem slots_skipn : forall el eh g plo phi o r, (r <= length o)%nat ->
  slots_sumZ el eh g (slot_weightsZ plo phi (skipn r o))
  = zsum (length o - r)
      (fun j => ubZ (el * entryZ plo (nth (r + j) o 0)) (eh * entryZ phi (nth (r + j) o 0)) g).
Proof.
  intros el eh g plo phi o r Hr. rewrite slots_sum_zsum, skipn_length.
  apply zsum_ext. intros j Hj. rewrite nth_skipn_add. reflexivity.
Qed.
