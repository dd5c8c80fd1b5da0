(** * Link.v — step 2 of PLAN.md: Checker.v's BigZ functions, mapped through [BigZ.to_Z],
    equal their Z twins in coq/Proof/ (Orders, CountInt, Keys, ExpInt/ExpLoop).
    Proofs by induction and the [BigZ.spec_*] lemmas (via CheckerSpec's [bigz] tactic). *)
From Coq Require Import List ZArith Lia.
From Bignums Require Import BigZ.
From MaxK Require Import Checker CheckerSpec.
From MaxK Require Proof.ExpInt Proof.ExpLoop Proof.CountInt Proof.Keys Proof.Orders.
Import ListNotations.
Local Open Scope Z_scope.

Notation toZ := BigZ.to_Z.
Notation zl := (map BigZ.to_Z).

Ltac s := cbn -[BigZ.add BigZ.sub BigZ.mul BigZ.opp BigZ.max BigZ.shiftl BigZ.div BigZ.ltb
                BigZ.leb BigZ.eqb BigZ.to_Z BigZ.odd BigZ.log2 BigZ.of_Z pow2 ceil_div
                Checker.entry].

(** ** Orders (check 7) *)

Lemma entry_link : forall r p, toZ (Checker.entry r p) = Orders.entryZ (zl r) (toZ p).
Proof.
  intros r p. unfold Checker.entry, nthZ, Checker.to_nat, Orders.entryZ.
  rewrite <- toZ_0, map_nth. reflexivity.
Qed.

Lemma lenZ_link : forall (A : Type) (l : list A), toZ (lenZ l) = Z.of_nat (length l).
Proof.
  intros A l. induction l as [|x l IH]; [reflexivity|].
  cbn [lenZ length]. bigz. rewrite IH. lia.
Qed.

Lemma not_mem_link : forall p l, not_mem p l = Orders.not_memZ (toZ p) (zl l).
Proof. intros p l. induction l as [|x l IH]; s; auto. bigz. now rewrite IH. Qed.

Lemma perm_ok_link : forall b l, perm_ok b l = Orders.perm_okZ (toZ b) (zl l).
Proof.
  intros b l. induction l as [|x l IH]; s; auto. bigz. now rewrite not_mem_link, IH.
Qed.

Lemma sorted_by_link : forall r prev l,
  sorted_by r prev l = Orders.sorted_byZ (zl r) (toZ prev) (zl l).
Proof.
  intros r prev l. revert prev. induction l as [|x l IH]; intros prev; s; auto.
  bigz. now rewrite !entry_link, IH.
Qed.

Lemma order_ok_link : forall n o r,
  order_ok n o r = Orders.order_okZ (toZ n) (zl o) (zl r).
Proof.
  intros n o r. unfold order_ok, Orders.order_okZ. bigz.
  rewrite lenZ_link, perm_ok_link, map_length. bigz.
  destruct (_ && _)%bool; [|reflexivity].
  destruct o as [|p o]; s; [reflexivity|]. apply sorted_by_link.
Qed.

(** ** popcount and choose (CountInt) *)

Lemma popcount_fuel_link : forall fuel mask,
  toZ (popcount_fuel fuel mask) = CountInt.popcount_fuelZ fuel (toZ mask).
Proof.
  intros fuel. induction fuel as [|f IH]; intros mask; s; [reflexivity|].
  bigz. rewrite IH, BigZ.spec_odd. bigz. destruct (Z.odd (toZ mask)); reflexivity.
Qed.

Lemma popcount_link : forall mask, toZ (popcount mask) = CountInt.popcountZ (toZ mask).
Proof.
  intros mask. unfold popcount, CountInt.popcountZ, Checker.to_nat. bigz.
  destruct (toZ mask <=? 0); [reflexivity|].
  rewrite popcount_fuel_link, BigZ.spec_log2. reflexivity.
Qed.

Lemma choose_loop_link : forall k base i acc,
  toZ (choose_loop base i k acc) = CountInt.choose_loopZ (toZ base) (toZ i) k (toZ acc).
Proof.
  intros k. induction k as [|k IH]; intros base i acc; s; [reflexivity|].
  rewrite IH. now bigz.
Qed.

Lemma choose_link : forall n k, toZ (choose n k) = CountInt.chooseZ (toZ n) (toZ k).
Proof.
  intros n k. unfold choose, CountInt.chooseZ, Checker.to_nat. bigz.
  destruct (_ || _)%bool; [reflexivity|].
  rewrite choose_loop_link. now bigz.
Qed.

(** ** the lexicographic test of cells_loop / c0_loop (Keys) *)

Definition cell_key (x : Cell) : Z * Z * Z := (toZ (cell_m x), toZ (cell_q x), toZ (cell_c x)).

Lemma lex_less3_link : forall a b, lex_less3 a b = Keys.lex_less3Z (cell_key a) (cell_key b).
Proof. intros a b. unfold lex_less3, Keys.lex_less3Z, cell_key. now bigz. Qed.
