(** * Orders.v — check 7 in the shape of coq/Checker.v (perm_ok, sorted_by, order_ok), over Z:
    a passing order is a permutation of the non-query slots (Cubic.is_perm) sorted by its
    EQKP row. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Proof.Reals.Cubic.
Import ListNotations.
Local Open Scope Z_scope.

Definition entryZ (r : list Z) (p : Z) : Z := nth (Z.to_nat p) r 0.

Fixpoint not_memZ (p : Z) (l : list Z) : bool :=
  match l with [] => true | x :: l' => (negb (x =? p) && not_memZ p l')%bool end.

Fixpoint perm_okZ (b : Z) (l : list Z) : bool :=
  match l with [] => true | p :: l' => ((0 <=? p) && (p <? b) && not_memZ p l' && perm_okZ b l')%bool end.

Fixpoint sorted_byZ (r : list Z) (prev : Z) (l : list Z) : bool :=
  match l with [] => true | p :: l' => ((entryZ r prev <=? entryZ r p) && sorted_byZ r p l')%bool end.

Definition order_okZ (n : Z) (o r : list Z) : bool :=
  if ((Z.of_nat (length o) =? n - 1) && perm_okZ (n - 1) o)%bool then
    match o with [] => true | p :: o' => sorted_byZ r p o' end
  else false.

Lemma not_memZ_spec : forall p l, not_memZ p l = true -> ~ In p l.
Proof.
  intros p l. induction l as [|x l IH]; simpl; [tauto|].
  intros H [->|Hin]; apply Bool.andb_true_iff in H; destruct H as [H1 H2].
  - rewrite Z.eqb_refl in H1. discriminate.
  - exact (IH H2 Hin).
Qed.

Lemma perm_okZ_spec : forall b l, perm_okZ b l = true ->
  NoDup (map Z.to_nat l) /\ (forall p, In p l -> 0 <= p < b).
Proof.
  intros b l. induction l as [|p l IH]; simpl; intros H; [split; [constructor| tauto]|].
  rewrite !Bool.andb_true_iff, Z.leb_le, Z.ltb_lt in H. destruct H as [[[H0 H1] H2] H3].
  destruct (IH H3) as [Hnd Hin]. split.
  - constructor; [|exact Hnd]. intros Hm. apply in_map_iff in Hm. destruct Hm as [x [Hx Hxl]].
    apply (not_memZ_spec p l H2). specialize (Hin x Hxl).
    replace p with x by lia. exact Hxl.
  - intros x [<-|Hx]; [lia| apply Hin, Hx].
Qed.

Lemma sorted_byZ_nth : forall r l prev, sorted_byZ r prev l = true ->
  forall j k, (j <= k)%nat -> (k <= length l)%nat ->
  entryZ r (nth j (prev :: l) 0) <= entryZ r (nth k (prev :: l) 0).
Proof.
  intros r l. induction l as [|p l IH]; intros prev H j k Hjk Hk.
  - simpl in Hk. replace k with 0%nat by lia. replace j with 0%nat by lia. lia.
  - simpl in H. rewrite Bool.andb_true_iff, Z.leb_le in H. destruct H as [H1 H2].
    destruct j as [|j]; destruct k as [|k]; try lia.
    + simpl nth at 1. apply Z.le_trans with (entryZ r p); [exact H1|].
      change (nth (S k) (prev :: p :: l) 0) with (nth k (p :: l) 0).
      apply (IH p H2 0%nat k); simpl in Hk; lia.
    + change (nth (S j) (prev :: p :: l) 0) with (nth j (p :: l) 0).
      change (nth (S k) (prev :: p :: l) 0) with (nth k (p :: l) 0).
      apply IH; [exact H2| lia| simpl in Hk; lia].
Qed.

Theorem order_okZ_spec : forall n o r, 1 <= n -> order_okZ n o r = true ->
  is_perm (Z.to_nat (n - 1)) (map Z.to_nat o)
  /\ (forall j k, (j <= k)%nat -> (k < Z.to_nat (n - 1))%nat ->
        entryZ r (nth j o 0) <= entryZ r (nth k o 0)).
Proof.
  intros n o r Hn H. unfold order_okZ in H.
  destruct ((Z.of_nat (length o) =? n - 1) && perm_okZ (n - 1) o)%bool eqn:E; [|discriminate].
  rewrite Bool.andb_true_iff, Z.eqb_eq in E. destruct E as [Hl Hp].
  destruct (perm_okZ_spec _ _ Hp) as [Hnd Hin]. split.
  - split; [rewrite map_length; lia|]. split; [exact Hnd|].
    intros j Hj. apply in_map_iff in Hj. destruct Hj as [p [<- Hp']]. specialize (Hin p Hp'). lia.
  - intros j k Hjk Hk. destruct o as [|p o']; [simpl in Hl; lia|].
    apply (sorted_byZ_nth r o' p H); [exact Hjk| simpl in Hl; lia].
Qed.
