(** * Loops.v — steps 4 and 5 of PLAN.md: the loops of checks 7..10 of coq/Checker.v, read
    back on Z and nat.

    - [orders_ok_rows]: check 7 gives Orders.order_okZ for every row q of the orders;
    - [check_c0_spec]: check 8 gives a lex-sorted list of c0 keys, and for every entry
      (m, q): q <= m < V, (q < m -> 2 <= n) and CellList.c0_entry_okZ;
    - [check_cells_spec]: check 9 gives a lex-sorted list of cell keys, and for every cell the
      header facts Assemble.accuracy_of_lists needs and MaskArr.mask_okZ on the Z twins of its
      two arrangements, built from SplitList.split_maximaZ of its (m, shift) (the loop's cache
      only ever holds such split maxima);
    - [check_count_spec]: check 10 gives claimed = len(c0) + sum of Assemble.mask_count.
    Helpers: [lex_less2_link] and [pow_nat_link] (BigZ -> Z, as in Link.v). *)
From Coq Require Import List ZArith Lia Sorted.
From Bignums Require Import BigZ.
From MaxK Require Import Checker CheckerSpec.
From MaxK Require Proof.Count Proof.Keys Proof.CountInt Proof.Orders Proof.ListOps
  Proof.PathList Proof.SplitList Proof.MaskArr Proof.CellList Proof.Assemble Proof.Link.
Import ListNotations.
Local Open Scope Z_scope.

(** Boolean tests of a hypothesis, pushed to Z propositions. *)
Ltac zbool H :=
  repeat (rewrite ?Bool.andb_true_iff, ?Bool.orb_true_iff, ?BigZ.spec_leb, ?BigZ.spec_ltb,
            ?BigZ.spec_eqb, ?Z.leb_le, ?Z.ltb_lt, ?Z.eqb_eq, ?BigZ.spec_sub, ?BigZ.spec_add,
            ?toZ_0, ?toZ_1, ?toZ_2 in H).

(** ** BigZ -> Z helpers *)

(** the c0 order is the cell order on keys (m, q, 0) *)
Lemma lex_less2_link : forall a b, lex_less2 a b =
  Keys.lex_less3Z (toZ (fst a), toZ (snd a), 0) (toZ (fst b), toZ (snd b), 0).
Proof.
  intros [a0 a1] [b0 b1]. unfold lex_less2, Keys.lex_less3Z. cbn [fst snd]. bigz.
  destruct (toZ a1 =? toZ b1); rewrite ?Bool.andb_false_r, ?Bool.orb_false_r; reflexivity.
Qed.

Lemma pow_nat_link : forall a k, toZ (pow_nat a k) = toZ a ^ Z.of_nat k.
Proof.
  intros a k. induction k as [|k IH]; [reflexivity|].
  cbn [pow_nat]. rewrite BigZ.spec_mul, IH, Nat2Z.inj_succ, Z.pow_succ_r by lia. reflexivity.
Qed.

(** ** check 7: every row of the orders *)

Theorem orders_ok_rows : forall n O S, orders_ok n O S = true -> length O = length S ->
  forall q, (q < length O)%nat ->
  Orders.order_okZ (toZ n) (nth q (zm O) []) (nth q (zm S) []) = true.
Proof.
  intros n O. induction O as [|o O IH]; intros S H HL q Hq; [cbn in Hq; lia|].
  destruct S as [|r S]; [discriminate|].
  cbn [orders_ok] in H. apply Bool.andb_true_iff in H. destruct H as [Ho H].
  destruct q as [|q]; cbn [nth map].
  - rewrite <- Link.order_ok_link. exact Ho.
  - apply IH; [exact H| cbn in HL; lia| cbn in Hq; lia].
Qed.

(** ** check 8: the c0 loop *)

Definition c0_nat (e : bigZ * bigZ) : nat * nat := (Z.to_nat (toZ (fst e)), Z.to_nat (toZ (snd e))).

Definition c0_key (e : bigZ * bigZ) : nat * nat * nat := Keys.mqc (Assemble.c0_cell (c0_nat e)).

Lemma c0_keys : forall l,
  map Keys.mqc (map Assemble.c0_cell (map c0_nat l)) = map c0_key l.
Proof. intros l. rewrite !map_map. reflexivity. Qed.

Lemma lex_less2_lex3 : forall a b,
  0 <= toZ (fst a) -> 0 <= toZ (snd a) -> 0 <= toZ (fst b) -> 0 <= toZ (snd b) ->
  lex_less2 a b = true -> Keys.lex3 (c0_key a) (c0_key b).
Proof.
  intros [a0 a1] [b0 b1] H1 H2 H3 H4 H. rewrite lex_less2_link in H. cbn [fst snd] in *.
  apply Keys.lex_less3Z_spec in H; [exact H| cbn; lia| cbn; lia].
Qed.

Section C0.
Variables (P : Paths) (elo ehi plo phi : list (list bigZ)) (V n : bigZ).

Definition c0_ok (e : bigZ * bigZ) : Prop := let '(m, q) := c0_nat e in
  (q <= m < Z.to_nat (toZ V))%nat /\ ((q < m)%nat -> (2 <= Z.to_nat (toZ n))%nat) /\
  CellList.c0_entry_okZ m q (Link.paths_link P) (zm elo) (zm ehi) (zm plo) (zm phi) = true.

Definition nonneg2 (prev : option (bigZ * bigZ)) : Prop :=
  forall p, prev = Some p -> 0 <= toZ (fst p) /\ 0 <= toZ (snd p).

Lemma c0_loop_spec : forall l prev, nonneg2 prev ->
  c0_loop prev P elo ehi plo phi V n l = true ->
  Sorted Keys.lex3 (map c0_key l) /\
  (forall p, prev = Some p -> HdRel Keys.lex3 (c0_key p) (map c0_key l)) /\
  forall e, In e l -> c0_ok e.
Proof.
  intros l. induction l as [|[m q] l IH]; intros prev Hp H.
  { split; [constructor|]. split; [intros; constructor| intros e []]. }
  cbn [c0_loop] in H.
  match type of H with (if ?b then _ else _) = true => destruct b eqn:Hh; [|discriminate] end.
  destruct (c0_entry_ok m q P elo ehi plo phi) eqn:He; [|discriminate].
  rewrite Bool.andb_true_iff in Hh. destruct Hh as [Hh Hnq].
  zbool Hh. destruct Hh as [[[Hinc Hq0] Hqm] HmV].
  assert (Hn2 : toZ q < toZ m -> 2 <= toZ n).
  { intros Hlt. zbool Hnq. destruct Hnq; lia. }
  destruct (IH (Some (m, q)) ltac:(intros p E; injection E as <-; cbn [fst snd]; lia) H)
    as (Hs & Hhd & Hall).
  split; [|split].
  - apply Sorted_cons; [exact Hs|]. apply Hhd. reflexivity.
  - intros p Ep. subst prev. apply HdRel_cons. destruct (Hp p eq_refl).
    apply lex_less2_lex3; cbn [fst snd]; auto; lia.
  - intros e [<-|Hin]; [|exact (Hall e Hin)].
    unfold c0_ok, c0_nat. cbn [fst snd]. rewrite Link.c0_entry_ok_link in He.
    split; [lia|]. split; [intros; lia| exact He].
Qed.

End C0.

Theorem check_c0_spec : forall l P elo ehi plo phi V n,
  check_c0 l P elo ehi plo phi V n = true ->
  Sorted Keys.lex3 (map Keys.mqc (map Assemble.c0_cell (map c0_nat l))) /\
  forall e, In e l -> let '(m, q) := c0_nat e in
    (q <= m < Z.to_nat (toZ V))%nat /\ ((q < m)%nat -> (2 <= Z.to_nat (toZ n))%nat) /\
    CellList.c0_entry_okZ m q (Link.paths_link P) (zm elo) (zm ehi) (zm plo) (zm phi) = true.
Proof.
  intros l P elo ehi plo phi V n H. unfold check_c0 in H.
  destruct (c0_loop_spec P elo ehi plo phi V n l None ltac:(intros p E; discriminate) H) as (Hs & _ & Hall).
  rewrite c0_keys. split; [exact Hs| exact Hall].
Qed.
