(** * CheckerSpec.v: BigZ -> Z specification lemmas for pieces of Checker.v.

  For each function [f] of Checker.v below, a twin [f_Z] on the standard library's binary
  integers [Z], written the same way, and a lemma [[f x] = f_Z [x]] (lists mapped by
  [BigZ.to_Z]).  These are the first bricks of the soundness proof (issue 10), which reasons on
  [Z] and [R]; proofs are by induction on the list and the [BigZ.spec_*] lemmas.  Nothing is
  admitted here.

  Trust note for issue 10 (measured with Print Assumptions on [matmul_spec] and
  [check_sqrt_meaning]): a lemma proved through [BigZ.spec_*] rests on the 25 kernel primitives
  [PrimInt63.*] AND on the standard library's axiomatic specification of them, 26 axioms of
  Coq's Uint63.v ([Uint63.add_spec], [Uint63.mul_spec], ..., [Uint63.of_to_Z],
  [Uint63.eqb_correct], [Uint63.eqb_refl]).  Those are Coq's own (declared in the standard
  library, not in coq/); the allowlist of a soundness theorem over BigZ must name them. *)

From Coq Require Import List ZArith Lia.
From Bignums Require Import BigZ.
From MaxK Require Import Checker.
Import ListNotations.

Local Open Scope Z_scope.

Notation toZ := BigZ.to_Z.
Notation zl := (map BigZ.to_Z).
Notation zm := (map (map BigZ.to_Z)).

(** ** Z twins *)

Fixpoint vadd_Z (u v : list Z) : list Z :=
  match u, v with x :: u', y :: v' => (x + y) :: vadd_Z u' v' | _, _ => [] end.

Fixpoint vsub_Z (u v : list Z) : list Z :=
  match u, v with x :: u', y :: v' => (x - y) :: vsub_Z u' v' | _, _ => [] end.

Fixpoint vsubc_Z (c : Z) (u : list Z) : list Z :=
  match u with [] => [] | x :: u' => (x - c) :: vsubc_Z c u' end.

Fixpoint vshl_Z (k : Z) (u : list Z) : list Z :=
  match u with [] => [] | x :: u' => Z.shiftl x k :: vshl_Z k u' end.

Fixpoint vmax_Z (u v : list Z) : list Z :=
  match u, v with x :: u', y :: v' => Z.max x y :: vmax_Z u' v' | _, _ => [] end.

Fixpoint vaxpy_Z (a : Z) (u acc : list Z) : list Z :=
  match u, acc with x :: u', y :: acc' => (y + a * x) :: vaxpy_Z a u' acc' | _, _ => [] end.

Fixpoint vec_mat_acc_Z (v : list Z) (M : list (list Z)) (acc : list Z) : list Z :=
  match v, M with a :: v', r :: M' => vec_mat_acc_Z v' M' (vaxpy_Z a r acc) | _, _ => acc end.

Definition vec_mat_Z (v : list Z) (M : list (list Z)) : list Z :=
  vec_mat_acc_Z v M (repeat 0 (length (hd [] M))).

Definition matmul_Z (A B : list (list Z)) : list (list Z) := map (fun r => vec_mat_Z r B) A.

Fixpoint dot_Z (u v : list Z) : Z :=
  match u, v with x :: u', y :: v' => x * y + dot_Z u' v' | _, _ => 0 end.

Fixpoint max_from_Z (acc : Z) (u : list Z) : Z :=
  match u with [] => acc | x :: u' => max_from_Z (Z.max acc x) u' end.

Definition ub_Z (wlo whi z : Z) : Z := if 0 <=? z then whi * z else wlo * z.

Definition ceil_div_Z (a b : Z) : Z := - ((- a) / b).

Definition check_sqrt_Z (s_lo s_hi h F : Z) : bool :=
  (0 <? s_lo) && (s_lo <=? s_hi) &&
  (s_lo * s_lo <=? Z.shiftl h (2 * F)) && (Z.shiftl h (2 * F) <=? s_hi * s_hi).

Fixpoint slots_sum_Z (el eh g : Z) (ws : list (Z * Z)) : Z :=
  match ws with
  | [] => 0
  | (pl, ph) :: ws' => ub_Z (el * pl) (eh * ph) g + slots_sum_Z el eh g ws'
  end.

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

Lemma vadd_spec : forall u v, zl (vadd u v) = vadd_Z (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma vsub_spec : forall u v, zl (vsub u v) = vsub_Z (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma vsubc_spec : forall c u, zl (vsubc c u) = vsubc_Z (toZ c) (zl u).
Proof. induction u as [|x u IH]; s; auto. bigz. now rewrite IH. Qed.

Lemma vshl_spec : forall k u, zl (vshl k u) = vshl_Z (toZ k) (zl u).
Proof. induction u as [|x u IH]; s; auto. bigz. now rewrite IH. Qed.

Lemma vmax_spec : forall u v, zl (vmax u v) = vmax_Z (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma vaxpy_spec : forall a u acc, zl (vaxpy a u acc) = vaxpy_Z (toZ a) (zl u) (zl acc).
Proof. induction u as [|x u IH]; intros [|y acc]; s; auto. bigz. now rewrite IH. Qed.

Lemma vec_mat_acc_spec : forall v M acc,
  zl (vec_mat_acc v M acc) = vec_mat_acc_Z (zl v) (zm M) (zl acc).
Proof.
  induction v as [|a v IH]; intros [|r M] acc; s; auto.
  rewrite IH. now rewrite vaxpy_spec.
Qed.

Lemma zeros_spec : forall k, zl (zeros k) = repeat 0 k.
Proof. induction k as [|k IH]; s; auto. now rewrite IH. Qed.

Lemma vec_mat_spec : forall v M, zl (vec_mat v M) = vec_mat_Z (zl v) (zm M).
Proof.
  intros v M. unfold vec_mat, vec_mat_Z. rewrite vec_mat_acc_spec, zeros_spec.
  destruct M as [|r M]; s; auto. now rewrite map_length.
Qed.

Lemma matmul_spec : forall A B, zm (matmul A B) = matmul_Z (zm A) (zm B).
Proof.
  intros A B. unfold matmul, matmul_Z. rewrite !map_map.
  apply map_ext. intro r. apply vec_mat_spec.
Qed.

Lemma dot_spec : forall u v, toZ (dot u v) = dot_Z (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma max_from_spec : forall u acc, toZ (max_from acc u) = max_from_Z (toZ acc) (zl u).
Proof. induction u as [|x u IH]; intros acc; s; auto. rewrite IH. now bigz. Qed.

Lemma ub_spec : forall wlo whi z, toZ (ub wlo whi z) = ub_Z (toZ wlo) (toZ whi) (toZ z).
Proof. intros. unfold ub, ub_Z. bigz. destruct (0 <=? toZ z); now bigz. Qed.

Lemma ceil_div_spec : forall a b, toZ (ceil_div a b) = ceil_div_Z (toZ a) (toZ b).
Proof. intros. unfold ceil_div, ceil_div_Z. now bigz. Qed.

Lemma check_sqrt_spec : forall s_lo s_hi h F,
  check_sqrt s_lo s_hi h F = check_sqrt_Z (toZ s_lo) (toZ s_hi) (toZ h) (toZ F).
Proof. intros. unfold check_sqrt, check_sqrt_Z. now bigz. Qed.

Lemma slots_sum_spec : forall el eh g ws,
  toZ (slots_sum el eh g ws) =
  slots_sum_Z (toZ el) (toZ eh) (toZ g) (map (fun p => (toZ (fst p), toZ (snd p))) ws).
Proof.
  induction ws as [|[pl ph] ws IH]; s; auto. bigz. rewrite IH, ub_spec. now bigz.
Qed.

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

(** The computed check of check_sqrt means what FORMAT.md says: 0 < s_lo <= s_hi and
    s_lo^2 <= h 4^F <= s_hi^2 (for F >= 0). *)
Lemma check_sqrt_meaning : forall s_lo s_hi h F, 0 <= toZ F ->
  check_sqrt s_lo s_hi h F = true ->
  0 < toZ s_lo <= toZ s_hi /\
  toZ s_lo * toZ s_lo <= toZ h * 2 ^ (2 * toZ F) <= toZ s_hi * toZ s_hi.
Proof.
  intros s_lo s_hi h F HF H. rewrite check_sqrt_spec in H. unfold check_sqrt_Z in H.
  rewrite Z.shiftl_mul_pow2 in H by lia.
  repeat rewrite Bool.andb_true_iff in H.
  destruct H as [[[H1 H2] H3] H4].
  apply Z.ltb_lt in H1. apply Z.leb_le in H2. apply Z.leb_le in H3. apply Z.leb_le in H4.
  lia.
Qed.
