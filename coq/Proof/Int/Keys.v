(** * Keys.v — strictly increasing certificate lists name distinct cells.

    check_c0 demands its (m, q) list strictly increasing, check_cells its (m, q, c) list; a
    c0 entry is the cell (q, m, 0, []) and every cell of check_cells has c >= 1.  So the keys
    (q, m, c) of all of them are pairwise distinct ([all_keys_NoDup]), as Count.v needs. *)
From Coq Require Import Arith ZArith Lia List Sorted.
From MaxK Require Import Spec Proof.Reals.Count.
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

(** ** the Checker's consecutive lexicographic test (cells_loop, c0_loop), over Z *)
Definition lex_less3Z (a b : Z * Z * Z) : bool :=
  let '(a1, a2, a3) := a in let '(b1, b2, b3) := b in
  ((a1 <? b1) || ((a1 =? b1) && ((a2 <? b2) || ((a2 =? b2) && (a3 <? b3)))))%Z%bool.

Definition to_nat3 (a : Z * Z * Z) : nat * nat * nat :=
  let '(a1, a2, a3) := a in (Z.to_nat a1, Z.to_nat a2, Z.to_nat a3).

Definition nonneg3 (a : Z * Z * Z) : Prop :=
  let '(a1, a2, a3) := a in (0 <= a1 /\ 0 <= a2 /\ 0 <= a3)%Z.

Lemma lex_less3Z_spec : forall a b, nonneg3 a -> nonneg3 b -> lex_less3Z a b = true ->
  lex3 (to_nat3 a) (to_nat3 b).
Proof.
  intros [[a1 a2] a3] [[b1 b2] b3] Ha Hb H. simpl in *.
  rewrite !Bool.orb_true_iff, !Bool.andb_true_iff, !Bool.orb_true_iff, !Bool.andb_true_iff,
    !Z.ltb_lt, !Z.eqb_eq in H. lia.
Qed.

Fixpoint lex_chainZ (prev : option (Z * Z * Z)) (l : list (Z * Z * Z)) : bool :=
  match l with
  | [] => true
  | x :: l' => ((match prev with None => true | Some p => lex_less3Z p x end)
                && lex_chainZ (Some x) l')%bool
  end.

Theorem lex_chainZ_sorted : forall l, (forall a, In a l -> nonneg3 a) ->
  lex_chainZ None l = true -> Sorted lex3 (map to_nat3 l).
Proof.
  intros l Hn H. apply Sorted_LocallySorted_iff.
  assert (G : forall l prev, (forall a, In a l -> nonneg3 a) ->
            (forall p, prev = Some p -> nonneg3 p) -> lex_chainZ prev l = true ->
            LocallySorted lex3 (map to_nat3 l)
            /\ forall p x l', prev = Some p -> l = x :: l' -> lex3 (to_nat3 p) (to_nat3 x)).
  { induction l0 as [|x l0 IH]; intros prev Hl Hp Hc; simpl in *.
    - split; [constructor| intros p x l' _ E; discriminate].
    - apply Bool.andb_true_iff in Hc. destruct Hc as [Hx Hc].
      destruct (IH (Some x) (fun a Ha => Hl a (or_intror Ha))
                  (fun p E => ltac:(injection E as <-; apply Hl; left; reflexivity)) Hc) as [H1 H2].
      split.
      + destruct l0 as [|y l0]; simpl; [constructor|].
        constructor; [exact H1|]. apply (H2 x y l0 eq_refl eq_refl).
      + intros p y l' Ep E. injection E as <- <-. subst prev.
        apply lex_less3Z_spec; [apply Hp; reflexivity| apply Hl; left; reflexivity| exact Hx]. }
  apply (G l None Hn (fun p E => ltac:(discriminate)) H).
Qed.
