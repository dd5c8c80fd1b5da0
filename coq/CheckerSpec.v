(** * CheckerSpec.v: BigZ -> Z specification lemmas for scalar pieces of Checker.v.

  For [ub], [ceil_div], [check_sqrt], [pow2] and the Taylor / squaring loops of the exp bounds, a
  twin [f_Z] on the standard library's binary integers [Z], written the same way, and a lemma
  [[f x] = f_Z [x]], by the [BigZ.spec_*] lemmas (tactic [bigz], also used by Proof/Link.v).
  Proof/Link.v relates these twins to the proof's own (ExpInt, ExpLoop, Cubic); the list helpers
  (vadd, matmul, ...) are linked there directly to Proof/ListOps.v's twins.  Nothing is admitted.

  Trust note: a lemma proved through [BigZ.spec_*] rests on the 25 kernel primitives
  [PrimInt63.*] AND on the standard library's axiomatic specification of them, 26 axioms of
  Coq's Uint63.v ([Uint63.add_spec], [Uint63.mul_spec], ..., [Uint63.of_to_Z],
  [Uint63.eqb_correct], [Uint63.eqb_refl]): the allowlist of the accuracy theorem names them
  (pipeline/coq_export/render.py ALLOWED_ASSUMPTIONS). *)

From Coq Require Import List ZArith Lia.
From Bignums Require Import BigZ.
From MaxK Require Import Checker.
Import ListNotations.

Local Open Scope Z_scope.

Notation toZ := BigZ.to_Z.
Notation zl := (map BigZ.to_Z).
Notation zm := (map (map BigZ.to_Z)).

(** ** Z twins *)

Definition ub_Z (wlo whi z : Z) : Z := if 0 <=? z then whi * z else wlo * z.

Definition ceil_div_Z (a b : Z) : Z := - ((- a) / b).

Definition check_sqrt_Z (s_lo s_hi h F : Z) : bool :=
  (0 <? s_lo) && (s_lo <=? s_hi) &&
  (s_lo * s_lo <=? Z.shiftl h (2 * F)) && (Z.shiftl h (2 * F) <=? s_hi * s_hi).

Definition pow2_Z (k : Z) : Z := Z.shiftl 1 k.

Fixpoint taylor_lower_Z (F r : Z) (k : nat) (i t total : Z) : Z :=
  match k with
  | O => total
  | S k' => let t' := (t * r) / Z.shiftl i F in taylor_lower_Z F r k' (i + 1) t' (total + t')
  end.

Fixpoint taylor_upper_Z (F r : Z) (k : nat) (i t total : Z) : Z :=
  match k with
  | O => total + 2 * ceil_div_Z (t * r) (Z.shiftl i F)
  | S k' => let t' := ceil_div_Z (t * r) (Z.shiftl i F) in
            taylor_upper_Z F r k' (i + 1) t' (total + t')
  end.

Fixpoint square_down_Z (F : Z) (j : nat) (x : Z) : Z :=
  match j with O => x | S j' => square_down_Z F j' ((x * x) / pow2_Z F) end.

Fixpoint square_up_Z (F : Z) (j : nat) (x : Z) : Z :=
  match j with O => x | S j' => square_up_Z F j' (ceil_div_Z (x * x) (pow2_Z F)) end.

(** ** Spec lemmas *)

(** Unfold the list functions only: the BigZ operations stay folded for their spec lemmas. *)
Ltac s := cbn -[BigZ.add BigZ.sub BigZ.mul BigZ.opp BigZ.max BigZ.shiftl BigZ.div BigZ.ltb
                BigZ.leb BigZ.eqb BigZ.to_Z pow2 ceil_div].

(** Numerals under bigZ_scope are literals, not [BigZ.zero]: their values, by computation. *)
Lemma toZ_0 : toZ 0%bigZ = 0. Proof. reflexivity. Qed.
Lemma toZ_1 : toZ 1%bigZ = 1. Proof. reflexivity. Qed.
Lemma toZ_2 : toZ 2%bigZ = 2. Proof. reflexivity. Qed.

Ltac bigz := repeat (rewrite ?toZ_0, ?toZ_1, ?toZ_2, ?BigZ.spec_add, ?BigZ.spec_sub, ?BigZ.spec_mul, ?BigZ.spec_opp,
                       ?BigZ.spec_max, ?BigZ.spec_shiftl, ?BigZ.spec_div, ?BigZ.spec_ltb,
                       ?BigZ.spec_leb, ?BigZ.spec_eqb, ?BigZ.spec_0, ?BigZ.spec_1,
                       ?BigZ.spec_2, ?BigZ.spec_compare).

Lemma ub_spec : forall wlo whi z, toZ (ub wlo whi z) = ub_Z (toZ wlo) (toZ whi) (toZ z).
Proof. intros. unfold ub, ub_Z. bigz. destruct (0 <=? toZ z); now bigz. Qed.

Lemma ceil_div_spec : forall a b, toZ (ceil_div a b) = ceil_div_Z (toZ a) (toZ b).
Proof. intros. unfold ceil_div, ceil_div_Z. now bigz. Qed.

Lemma check_sqrt_spec : forall s_lo s_hi h F,
  check_sqrt s_lo s_hi h F = check_sqrt_Z (toZ s_lo) (toZ s_hi) (toZ h) (toZ F).
Proof. intros. unfold check_sqrt, check_sqrt_Z. now bigz. Qed.

Lemma pow2_spec : forall k, toZ (pow2 k) = pow2_Z (toZ k).
Proof. intros. unfold pow2, pow2_Z. now bigz. Qed.

Lemma taylor_lower_spec : forall F r k i t total,
  toZ (taylor_lower F r k i t total) =
  taylor_lower_Z (toZ F) (toZ r) k (toZ i) (toZ t) (toZ total).
Proof.
  intros F r k. induction k as [|k IH]; intros i t total; s; auto.
  rewrite IH. now bigz.
Qed.

Lemma taylor_upper_spec : forall F r k i t total,
  toZ (taylor_upper F r k i t total) =
  taylor_upper_Z (toZ F) (toZ r) k (toZ i) (toZ t) (toZ total).
Proof.
  intros F r k. induction k as [|k IH]; intros i t total; s.
  - bigz. rewrite ceil_div_spec. now bigz.
  - rewrite IH. bigz. rewrite ceil_div_spec. now bigz.
Qed.

Lemma square_down_spec : forall F j x, toZ (square_down F j x) = square_down_Z (toZ F) j (toZ x).
Proof.
  intros F j. induction j as [|j IH]; intros x; s; auto.
  rewrite IH. bigz. now rewrite pow2_spec.
Qed.

Lemma square_up_spec : forall F j x, toZ (square_up F j x) = square_up_Z (toZ F) j (toZ x).
Proof.
  intros F j. induction j as [|j IH]; intros x; s; auto.
  rewrite IH, ceil_div_spec. bigz. now rewrite pow2_spec.
Qed.

