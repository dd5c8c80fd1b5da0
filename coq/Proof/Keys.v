(** * Keys.v — strictly increasing certificate lists name distinct cells.

    check_c0 demands its (m, q) list strictly increasing, check_cells its (m, q, c) list; a
    c0 entry is the cell (q, m, 0, []) and every cell of check_cells has c >= 1.  So the keys
    (q, m, c) of all of them are pairwise distinct ([all_keys_NoDup]), as Count.v needs. *)
From Coq Require Import Arith Lia List Sorted.
From MaxK Require Import Spec Proof.Count.
Import ListNotations.
Local Open Scope nat_scope.

Definition lex3 (a b : nat * nat * nat) : Prop :=
  let '(a1, a2, a3) := a in let '(b1, b2, b3) := b in
  a1 < b1 \/ (a1 = b1 /\ (a2 < b2 \/ (a2 = b2 /\ a3 < b3))).

Lemma lex3_trans : forall a b c, lex3 a b -> lex3 b c -> lex3 a c.
Proof.
  intros [[a1 a2] a3] [[b1 b2] b3] [[c1 c2] c3]. unfold lex3. lia.
Qed.

Lemma lex3_irrefl : forall a, ~ lex3 a a.
Proof. intros [[a1 a2] a3]. unfold lex3. lia. Qed.

Lemma sorted_lex3_NoDup : forall l, Sorted lex3 l -> NoDup l.
Proof.
  intros l H. apply Sorted_StronglySorted in H; [|exact lex3_trans].
  induction H as [|a l Hs IH Hall]; constructor; [|exact IH].
  intros Hin. rewrite Forall_forall in Hall. exact (lex3_irrefl a (Hall a Hin)).
Qed.

(** the (m, q, c) order of the certificate *)
Definition mqc (cl : cell) : nat * nat * nat := (cm cl, cq cl, cc cl).

Lemma NoDup_map_key : forall cells, NoDup (map mqc cells) -> NoDup (map cell_key cells).
Proof.
  intros cells H. induction cells as [|a l IH]; simpl in *; constructor.
  - inversion H as [|x y Hn Hl]; subst. intros Hin. apply Hn.
    apply in_map_iff in Hin. destruct Hin as [b [Hb Hbl]].
    apply in_map_iff. exists b. split; [|exact Hbl].
    unfold cell_key, mqc in *. injection Hb as H1 H2 H3. rewrite H1, H2, H3. reflexivity.
  - apply IH. inversion H; assumption.
Qed.

(** c0 entries (c = 0) and cells (c >= 1), each list strictly increasing in (m, q, c) *)
Theorem all_keys_NoDup : forall c0cells cells,
  Sorted lex3 (map mqc c0cells) -> (forall cl, In cl c0cells -> cc cl = 0) ->
  Sorted lex3 (map mqc cells) -> (forall cl, In cl cells -> 1 <= cc cl) ->
  NoDup (map cell_key (c0cells ++ cells)).
Proof.
  intros l0 l1 H0 Hc0 H1 Hc1. apply NoDup_map_key. rewrite map_app.
  apply NoDup_app_disj; [apply sorted_lex3_NoDup, H0| apply sorted_lex3_NoDup, H1|].
  intros k Hk0 Hk1. apply in_map_iff in Hk0, Hk1.
  destruct Hk0 as [a [Ha Hal]]. destruct Hk1 as [b [Hb Hbl]].
  specialize (Hc0 a Hal). specialize (Hc1 b Hbl).
  rewrite <- Hb in Ha. unfold mqc in Ha. injection Ha as _ _ Hc. lia.
Qed.
