(** * CountInt.v — the integer counting of check 10, over Z, in the shape of coq/Checker.v:
    [chooseZ] (C(n, k) as prod_{i=1..k} (n-k+i)/i, every partial product exact) equals
    Count.binom, and [popcountZ mask] is the size of [mask_set m mask], the set S of a cell. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Spec Proof.Reals.Count.
Import ListNotations.
Local Open Scope Z_scope.

(** ** Binomials *)
Lemma binom_0_r : forall n, binom n 0 = 1%nat.
Proof. intros [|n]; reflexivity. Qed.

Lemma binom_absorb : forall n k,
  (S k * binom (S n) (S k) = S n * binom n k)%nat.
Proof.
  induction n as [|n IH]; intros k.
  - destruct k as [|k]; [reflexivity|]. simpl binom. destruct k; simpl binom; lia.
  - change (binom (S (S n)) (S k)) with (binom (S n) k + binom (S n) (S k))%nat.
    destruct k as [|k].
    + change (binom (S n) 0) with 1%nat. change (binom (S (S n)) 0) with 1%nat.
      pose proof (IH 0%nat) as H. rewrite binom_0_r in H. nia.
    + pose proof (IH k) as H1. pose proof (IH (S k)) as H2.
      change (binom (S n) (S k)) with (binom n k + binom n (S k))%nat in *.
      nia.
Qed.

Fixpoint choose_loopZ (base i : Z) (k : nat) (acc : Z) : Z :=
  match k with O => acc | S k' => choose_loopZ base (i + 1) k' ((acc * (base + i)) / i) end.

Definition chooseZ (n k : Z) : Z :=
  if ((k <? 0) || (n <? k))%bool then 0 else choose_loopZ (n - k) 1 (Z.to_nat k) 1.

Lemma choose_loopZ_spec : forall b k j, (0 <= b)%Z ->
  choose_loopZ b (Z.of_nat j + 1) k (Z.of_nat (binom (Z.to_nat b + j) j))
  = Z.of_nat (binom (Z.to_nat b + j + k) (j + k)).
Proof.
  intros b k. induction k as [|k IH]; intros j Hb; simpl.
  - rewrite !Nat.add_0_r. reflexivity.
  - replace (Z.of_nat j + 1 + 1) with (Z.of_nat (S j) + 1) by lia.
    replace ((Z.of_nat (binom (Z.to_nat b + j) j) * (b + (Z.of_nat j + 1))) / (Z.of_nat j + 1))
      with (Z.of_nat (binom (Z.to_nat b + S j) (S j))).
    + rewrite IH by exact Hb. f_equal. f_equal; lia.
    + pose proof (binom_absorb (Z.to_nat b + j) j) as H.
      replace (S (Z.to_nat b + j)) with (Z.to_nat b + S j)%nat in H by lia.
      apply (f_equal Z.of_nat) in H. rewrite !Nat2Z.inj_mul in H.
      apply Z.div_unique_exact; [lia|].
      set (B1 := Z.of_nat (binom (Z.to_nat b + j) j)) in *.
      set (B2 := Z.of_nat (binom (Z.to_nat b + S j) (S j))) in *.
      rewrite Nat2Z.inj_succ in H. rewrite Nat2Z.inj_add, Nat2Z.inj_succ, Z2Nat.id in H by exact Hb.
      lia.
Qed.

Theorem chooseZ_binom : forall n k, 0 <= k <= n ->
  chooseZ n k = Z.of_nat (binom (Z.to_nat n) (Z.to_nat k)).
Proof.
  intros n k Hk. unfold chooseZ.
  destruct (k <? 0) eqn:E1; [apply Z.ltb_lt in E1; lia|].
  destruct (n <? k) eqn:E2; [apply Z.ltb_lt in E2; lia|]. simpl.
  pose proof (choose_loopZ_spec (n - k) (Z.to_nat k) 0 ltac:(lia)) as H.
  simpl in H. rewrite !Nat.add_0_r, binom_0_r in H.
  replace (Z.to_nat (n - k) + Z.to_nat k)%nat with (Z.to_nat n) in H by lia.
  exact H.
Qed.

(** ** The set of a mask *)
Definition mask_set (m : nat) (mask : Z) : list nat :=
  filter (fun k => Z.testbit mask (Z.of_nat k)) (seq 0 m).

Lemma mask_set_NoDup : forall m mask, NoDup (mask_set m mask).
Proof. intros. apply NoDup_filter, seq_NoDup. Qed.

Lemma mask_set_lt : forall m mask k, In k (mask_set m mask) -> (k < m)%nat.
Proof. intros m mask k H. apply filter_In in H. destruct H as [H _]. apply in_seq in H. lia. Qed.


Fixpoint popcount_fuelZ (fuel : nat) (mask : Z) : Z :=
  match fuel with
  | O => 0
  | S f => (if Z.odd mask then 1 else 0) + popcount_fuelZ f (mask / 2)
  end.

Definition popcountZ (mask : Z) : Z :=
  if mask <=? 0 then 0 else popcount_fuelZ (S (Z.to_nat (Z.log2 mask))) mask.

Lemma length_filter_shift : forall (f : nat -> bool) a m,
  length (filter f (seq (S a) m)) = length (filter (fun k => f (S k)) (seq a m)).
Proof.
  intros f a m. revert a. induction m as [|m IH]; intros a; [reflexivity|].
  simpl. destruct (f (S a)); simpl; rewrite IH; reflexivity.
Qed.

Lemma popcount_fuel_mask_set : forall f mask, 0 <= mask ->
  popcount_fuelZ f mask = Z.of_nat (length (mask_set f mask)).
Proof.
  unfold mask_set. induction f as [|f IH]; intros mask Hm; [reflexivity|].
  simpl. rewrite <- Z.bit0_odd.
  rewrite (IH (mask / 2)) by (apply Z.div_pos; lia).
  assert (E : length (filter (fun k => Z.testbit mask (Z.of_nat k)) (seq 1 f))
              = length (filter (fun k => Z.testbit (mask / 2) (Z.of_nat k)) (seq 0 f))).
  { rewrite length_filter_shift. f_equal. apply filter_ext. intros k.
    rewrite Nat2Z.inj_succ, <- Z.div2_bits by lia. reflexivity. }
  change (seq 0 (S f)) with (0%nat :: seq 1 f). cbn [filter]. change (Z.of_nat 0) with 0.
  destruct (Z.testbit mask 0); cbn [length]; rewrite ?Nat2Z.inj_succ, E; lia.
Qed.

Lemma popcount_fuel_extra : forall f j mask, 0 <= mask < 2 ^ Z.of_nat f ->
  popcount_fuelZ (f + j) mask = popcount_fuelZ f mask.
Proof.
  induction f as [|f IH]; intros j mask Hm.
  - simpl in Hm. assert (mask = 0) by lia. subst mask. simpl.
    induction j as [|j IHj]; simpl; [reflexivity|]. exact IHj.
  - simpl. f_equal. apply IH. split; [apply Z.div_pos; lia|].
    apply Z.div_lt_upper_bound; [lia|]. rewrite Nat2Z.inj_succ, Z.pow_succ_r in Hm by lia. lia.
Qed.

(** the count of check 10 uses [popcountZ mask]; the cell's S is [mask_set m mask] *)
Theorem popcountZ_mask_set : forall m mask, 0 <= mask < 2 ^ Z.of_nat m ->
  popcountZ mask = Z.of_nat (length (mask_set m mask)).
Proof.
  intros m mask Hm. unfold popcountZ. destruct (mask <=? 0) eqn:E.
  - apply Z.leb_le in E. assert (mask = 0) by lia. subst mask.
    rewrite <- (popcount_fuel_mask_set m 0) by lia. clear. induction m; simpl; [reflexivity|]. exact IHm.
  - apply Z.leb_gt in E.
    pose proof (Z.log2_spec mask E) as [_ Hlog].
    assert (Hle : (S (Z.to_nat (Z.log2 mask)) <= m)%nat).
    { destruct (le_lt_dec (S (Z.to_nat (Z.log2 mask))) m) as [H|H]; [exact H|].
      exfalso. assert (2 ^ Z.of_nat m <= 2 ^ Z.log2 mask).
      { apply Z.pow_le_mono_r; [lia|]. pose proof (Z.log2_nonneg mask). lia. }
      pose proof (Z.log2_spec mask E). lia. }
    rewrite <- (popcount_fuel_mask_set m mask) by lia.
    assert (Hx := popcount_fuel_extra (S (Z.to_nat (Z.log2 mask)))
                                      (m - S (Z.to_nat (Z.log2 mask))) mask).
    replace (S (Z.to_nat (Z.log2 mask)) + (m - S (Z.to_nat (Z.log2 mask))))%nat with m in Hx by lia.
    rewrite Hx; [reflexivity|].
    split; [lia|]. rewrite Nat2Z.inj_succ, Z2Nat.id by apply Z.log2_nonneg.
    rewrite Z.pow_succ_r by apply Z.log2_nonneg.
    rewrite Z.pow_succ_r in Hlog by apply Z.log2_nonneg. lia.
Qed.
