(** * ExpInt.v — the integer exponential enclosures of FORMAT.md check 6, over [Z], and
    their soundness: [L / 2^F <= e^(num/den) <= H / 2^F]; and check 5 (sqrt d_head).

    The Z functions here are the reference the computing checker (BigZ) is linked to:
    - [exp_reduction num den]: the smallest j in 0..12 with num <= den 2^j (None if none,
      or if num < 0 or den <= 0);
    - lower: r = floor(num 2^F / (den 2^j)); t_0 = 2^F; t_i = floor(t_(i-1) r / (i 2^F));
      L_0 = sum_(i<NT) t_i; then j times L <- floor(L^2 / 2^F);
    - upper: r = ceil(num 2^F / (den 2^j)); t_i with ceil; H_0 = sum_(i<NT) t_i + 2 t_NT;
      then j times H <- ceil(H^2 / 2^F).
    (replay.py writes [x << k] for [x * 2^k].) *)
From Coq Require Import ZArith Reals Lia Lra.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Reals.ExpSeries.

(** ** The algorithms, over Z *)
Local Open Scope Z_scope.

Definition ceil_div (a b : Z) : Z := - ((- a) / b).

Fixpoint zsum (k : nat) (f : nat -> Z) : Z :=
  match k with O => 0 | S k' => zsum k' f + f k' end.

(** Taylor terms at scale 2^F, rounded down / up *)
Fixpoint tlo (F r : Z) (i : nat) : Z :=
  match i with O => 2 ^ F | S i' => (tlo F r i' * r) / (Z.of_nat (S i') * 2 ^ F) end.
Fixpoint thi (F r : Z) (i : nat) : Z :=
  match i with O => 2 ^ F | S i' => ceil_div (thi F r i' * r) (Z.of_nat (S i') * 2 ^ F) end.

(** j squarings at scale 2^F, rounded down / up *)
Fixpoint sq_lo (F : Z) (j : nat) (L : Z) : Z :=
  match j with O => L | S j' => sq_lo F j' ((L * L) / 2 ^ F) end.
Fixpoint sq_hi (F : Z) (j : nat) (H : Z) : Z :=
  match j with O => H | S j' => sq_hi F j' (ceil_div (H * H) (2 ^ F)) end.

Definition exp_lower_core (F : Z) (NT : nat) (num den : Z) (j : nat) : Z :=
  let r := (num * 2 ^ F) / (den * 2 ^ Z.of_nat j) in
  sq_lo F j (zsum NT (tlo F r)).
Definition exp_upper_core (F : Z) (NT : nat) (num den : Z) (j : nat) : Z :=
  let r := ceil_div (num * 2 ^ F) (den * 2 ^ Z.of_nat j) in
  sq_hi F j (zsum NT (thi F r) + 2 * thi F r NT).

Fixpoint find_j (num den : Z) (j fuel : nat) : option nat :=
  match fuel with
  | O => None
  | S f => if num <=? den * 2 ^ Z.of_nat j then Some j else find_j num den (S j) f
  end.

Definition exp_reduction (num den : Z) : option nat :=
  if ((num <? 0) || (den <=? 0))%bool then None else find_j num den 0 13.

Definition exp_lower (F : Z) (NT : nat) (num den : Z) : Z :=
  match exp_reduction num den with Some j => exp_lower_core F NT num den j | None => -1 end.
Definition exp_upper (F : Z) (NT : nat) (num den : Z) : Z :=
  match exp_reduction num den with Some j => exp_upper_core F NT num den j | None => -1 end.

(** check 5 *)
Definition check_sqrt (s_lo s_hi h F : Z) : bool :=
  ((0 <? s_lo) && (s_lo <=? s_hi) && (s_lo * s_lo <=? h * 2 ^ (2 * F))
  && (h * 2 ^ (2 * F) <=? s_hi * s_hi))%bool.

(** ** Integer rounding facts, read in R *)
Local Open Scope R_scope.

Lemma floor_div_le : forall a b, (0 < b)%Z -> IZR (a / b) * IZR b <= IZR a.
Proof.
  intros a b Hb. rewrite <- mult_IZR. apply IZR_le.
  pose proof (Z.mul_div_le a b Hb). lia.
Qed.

Lemma floor_div_nonneg : forall a b, (0 <= a)%Z -> (0 < b)%Z -> (0 <= a / b)%Z.
Proof. intros a b Ha Hb. apply Z.div_pos; lia. Qed.

Lemma ceil_div_ge : forall a b, (0 < b)%Z -> IZR a <= IZR (ceil_div a b) * IZR b.
Proof.
  intros a b Hb. rewrite <- mult_IZR. apply IZR_le. unfold ceil_div.
  pose proof (Z.mul_div_le (- a) b Hb). lia.
Qed.

Lemma ceil_div_nonneg : forall a b, (0 <= a)%Z -> (0 < b)%Z -> (0 <= ceil_div a b)%Z.
Proof.
  intros a b Ha Hb. unfold ceil_div.
  assert (- a / b <= 0)%Z by (apply Z.div_le_upper_bound; lia). lia.
Qed.

Lemma ceil_div_le : forall a b c, (0 < b)%Z -> (a <= b * c)%Z -> (ceil_div a b <= c)%Z.
Proof.
  intros a b c Hb H. unfold ceil_div.
  assert (- c <= - a / b)%Z by (apply Z.div_le_lower_bound; lia). lia.
Qed.

Lemma IZR_pow2_pos : forall F, (0 <= F)%Z -> 0 < IZR (2 ^ F).
Proof. intros F HF. apply IZR_lt. apply Z.pow_pos_nonneg; lia. Qed.

Lemma IZR_pow2_nat : forall j, IZR (2 ^ Z.of_nat j) = 2 ^ j.
Proof. intros j. rewrite <- pow_IZR. reflexivity. Qed.

(** ** Taylor terms *)
Section Terms.
Variables F r : Z.
Hypothesis HF : (0 <= F)%Z.
Hypothesis Hr : (0 <= r)%Z.
Let rho := IZR r / IZR (2 ^ F).

Lemma tlo_sound : forall i, (0 <= tlo F r i)%Z /\ IZR (tlo F r i) <= IZR (2 ^ F) * tterm rho i.
Proof.
  pose proof (IZR_pow2_pos F HF) as H2.
  assert (H2z : (0 < 2 ^ F)%Z) by (apply Z.pow_pos_nonneg; lia).
  induction i as [|i [IH0 IH]].
  - simpl. split; [lia|]. replace (tterm rho 0) with 1 by (unfold tterm; simpl; field). lra.
  - assert (Hd : (0 < Z.of_nat (S i) * 2 ^ F)%Z) by nia.
    simpl tlo. split; [apply floor_div_nonneg; [nia|exact Hd]|].
    pose proof (floor_div_le (tlo F r i * r) _ Hd) as Hfl.
    rewrite mult_IZR, <- INR_IZR_INZ in Hfl.
    rewrite tterm_S.
    assert (HS : 0 < INR (S i)) by (apply lt_0_INR; lia).
    assert (Hr' : 0 <= IZR r) by (apply IZR_le; lia).
    apply Rmult_le_reg_r with (INR (S i) * IZR (2 ^ F)); [nra|].
    apply Rle_trans with (IZR (tlo F r i * r)); [exact Hfl|].
    rewrite mult_IZR. unfold rho.
    replace (IZR (2 ^ F) * (tterm (IZR r / IZR (2 ^ F)) i * (IZR r / IZR (2 ^ F)) / INR (S i))
             * (INR (S i) * IZR (2 ^ F)))
      with (IZR (2 ^ F) * tterm (IZR r / IZR (2 ^ F)) i * IZR r) by (field; lra).
    apply Rmult_le_compat_r; [exact Hr'|]. exact IH.
Qed.

Lemma thi_sound : forall i, (0 <= thi F r i)%Z /\ IZR (2 ^ F) * tterm rho i <= IZR (thi F r i).
Proof.
  pose proof (IZR_pow2_pos F HF) as H2.
  assert (H2z : (0 < 2 ^ F)%Z) by (apply Z.pow_pos_nonneg; lia).
  induction i as [|i [IH0 IH]].
  - simpl. split; [lia|]. replace (tterm rho 0) with 1 by (unfold tterm; simpl; field). lra.
  - assert (Hd : (0 < Z.of_nat (S i) * 2 ^ F)%Z) by nia.
    simpl thi. split; [apply ceil_div_nonneg; [nia|exact Hd]|].
    pose proof (ceil_div_ge (thi F r i * r) _ Hd) as Hcl.
    rewrite !mult_IZR, <- INR_IZR_INZ in Hcl.
    rewrite tterm_S.
    assert (HS : 0 < INR (S i)) by (apply lt_0_INR; lia).
    assert (Hr' : 0 <= IZR r) by (apply IZR_le; lia).
    apply Rmult_le_reg_r with (INR (S i) * IZR (2 ^ F)); [nra|].
    eapply Rle_trans; [|exact Hcl]. unfold rho.
    replace (IZR (2 ^ F) * (tterm (IZR r / IZR (2 ^ F)) i * (IZR r / IZR (2 ^ F)) / INR (S i))
             * (INR (S i) * IZR (2 ^ F)))
      with (IZR (2 ^ F) * tterm (IZR r / IZR (2 ^ F)) i * IZR r) by (field; lra).
    apply Rmult_le_compat_r; [exact Hr'|]. exact IH.
Qed.

Lemma zsum_IZR : forall k f, IZR (zsum k f) = sum k (fun i => IZR (f i)).
Proof. induction k as [|k IH]; intros f; simpl; [reflexivity|]. rewrite plus_IZR, IH. reflexivity. Qed.

Lemma taylor_lo_sound : forall NT,
  (0 <= zsum NT (tlo F r))%Z /\ IZR (zsum NT (tlo F r)) <= IZR (2 ^ F) * taylor NT rho.
Proof.
  intros NT. split.
  - apply le_IZR. rewrite zsum_IZR. apply sum_nonneg. intros i _.
    apply IZR_le. apply (tlo_sound i).
  - rewrite zsum_IZR. unfold taylor. rewrite <- sum_scal_l. apply sum_le.
    intros i _. apply (tlo_sound i).
Qed.

Lemma taylor_hi_sound : forall NT,
  (0 <= zsum NT (thi F r) + 2 * thi F r NT)%Z /\
  IZR (2 ^ F) * (taylor NT rho + 2 * tterm rho NT) <= IZR (zsum NT (thi F r) + 2 * thi F r NT).
Proof.
  intros NT. pose proof (thi_sound NT) as [H0 H1].
  assert (Hs : IZR (2 ^ F) * taylor NT rho <= IZR (zsum NT (thi F r))
               /\ (0 <= zsum NT (thi F r))%Z).
  { split.
    - rewrite zsum_IZR. unfold taylor. rewrite <- sum_scal_l. apply sum_le.
      intros i _. apply (thi_sound i).
    - apply le_IZR. rewrite zsum_IZR. apply sum_nonneg. intros i _.
      apply IZR_le. apply (thi_sound i). }
  destruct Hs as [Hs Hs0]. split; [lia|].
  rewrite plus_IZR, mult_IZR. lra.
Qed.
End Terms.

(** ** Squarings *)
Lemma sq_lo_sound : forall F j L y, (0 <= F)%Z -> (0 <= L)%Z ->
  IZR L <= IZR (2 ^ F) * exp y -> IZR (sq_lo F j L) <= IZR (2 ^ F) * exp (y * 2 ^ j).
Proof.
  intros F j. pose proof (IZR_pow2_pos F) as H2.
  induction j as [|j IH]; intros L y HF HL H.
  - simpl. rewrite Rmult_1_r. exact H.
  - simpl sq_lo. specialize (H2 HF).
    assert (H2z : (0 < 2 ^ F)%Z) by (apply Z.pow_pos_nonneg; lia).
    replace (y * 2 ^ S j) with ((2 * y) * 2 ^ j) by (simpl; ring).
    apply IH; [exact HF| apply floor_div_nonneg; nia|].
    pose proof (floor_div_le (L * L) _ H2z) as Hfl. rewrite mult_IZR in Hfl.
    assert (HL' : 0 <= IZR L) by (apply IZR_le; lia).
    assert (Hsq : IZR L * IZR L <= (IZR (2 ^ F) * exp y) * (IZR (2 ^ F) * exp y))
      by (apply Rmult_le_compat; assumption).
    replace (2 * y) with (y + y) by ring. rewrite exp_plus.
    apply Rmult_le_reg_r with (IZR (2 ^ F)); [exact H2|]. nra.
Qed.

Lemma sq_hi_sound : forall F j H y, (0 <= F)%Z -> (0 <= H)%Z ->
  IZR (2 ^ F) * exp y <= IZR H -> IZR (2 ^ F) * exp (y * 2 ^ j) <= IZR (sq_hi F j H).
Proof.
  intros F j. pose proof (IZR_pow2_pos F) as H2.
  induction j as [|j IH]; intros H y HF HH Hb.
  - simpl. rewrite Rmult_1_r. exact Hb.
  - simpl sq_hi. specialize (H2 HF).
    assert (H2z : (0 < 2 ^ F)%Z) by (apply Z.pow_pos_nonneg; lia).
    replace (y * 2 ^ S j) with ((2 * y) * 2 ^ j) by (simpl; ring).
    apply IH; [exact HF| apply ceil_div_nonneg; nia|].
    pose proof (ceil_div_ge (H * H) _ H2z) as Hcl. rewrite mult_IZR in Hcl.
    pose proof (exp_pos y) as Hey.
    assert (H0 : 0 <= IZR (2 ^ F) * exp y) by nra.
    assert (Hsq : (IZR (2 ^ F) * exp y) * (IZR (2 ^ F) * exp y) <= IZR H * IZR H)
      by (apply Rmult_le_compat; assumption).
    replace (2 * y) with (y + y) by ring. rewrite exp_plus.
    apply Rmult_le_reg_r with (IZR (2 ^ F)); [exact H2|]. nra.
Qed.

(** ** Soundness of exp_lower / exp_upper *)
Lemma find_j_spec : forall num den fuel j j',
  find_j num den j fuel = Some j' -> (num <= den * 2 ^ Z.of_nat j')%Z.
Proof.
  intros num den fuel. induction fuel as [|f IH]; intros j j' H; simpl in H; [discriminate|].
  destruct (num <=? den * 2 ^ Z.of_nat j)%Z eqn:E.
  - injection H as <-. apply Z.leb_le, E.
  - exact (IH _ _ H).
Qed.

Lemma exp_reduction_spec : forall num den j, exp_reduction num den = Some j ->
  (0 <= num)%Z /\ (0 < den)%Z /\ (num <= den * 2 ^ Z.of_nat j)%Z.
Proof.
  intros num den j H. unfold exp_reduction in H.
  destruct (num <? 0)%Z eqn:E1; cbn [orb] in H; [discriminate|].
  destruct (den <=? 0)%Z eqn:E2; cbn [orb] in H; [discriminate|].
  apply Z.ltb_ge in E1. apply Z.leb_gt in E2.
  split; [exact E1|]. split; [exact E2|]. exact (find_j_spec _ _ _ _ _ H).
Qed.

Lemma exp_lower_core_sound : forall F NT num den j,
  (0 <= F)%Z -> (0 <= num)%Z -> (0 < den)%Z -> (num <= den * 2 ^ Z.of_nat j)%Z ->
  IZR (exp_lower_core F NT num den j) <= IZR (2 ^ F) * exp (IZR num / IZR den).
Proof.
  intros F NT num den j HF Hn Hd Hj. unfold exp_lower_core.
  set (D := (den * 2 ^ Z.of_nat j)%Z).
  assert (HDz : (0 < D)%Z) by (unfold D; apply Z.mul_pos_pos; [lia| apply Z.pow_pos_nonneg; lia]).
  assert (HD : 0 < IZR D) by (apply IZR_lt; exact HDz).
  pose proof (IZR_pow2_pos F HF) as H2.
  assert (H2z : (0 < 2 ^ F)%Z) by (apply Z.pow_pos_nonneg; lia).
  set (r := ((num * 2 ^ F) / D)%Z).
  assert (Hr : (0 <= r)%Z) by (apply floor_div_nonneg; nia).
  set (x := IZR num / IZR D).
  assert (Hrho : IZR r / IZR (2 ^ F) <= x).
  { pose proof (floor_div_le (num * 2 ^ F) D HDz) as Hfl. rewrite mult_IZR in Hfl.
    unfold x. apply Rmult_le_reg_r with (IZR (2 ^ F) * IZR D); [nra|].
    replace (IZR r / IZR (2 ^ F) * (IZR (2 ^ F) * IZR D)) with (IZR r * IZR D) by (field; lra).
    replace (IZR num / IZR D * (IZR (2 ^ F) * IZR D)) with (IZR num * IZR (2 ^ F)) by (field; lra).
    exact Hfl. }
  destruct (taylor_lo_sound F r HF Hr NT) as [HL0 HL].
  apply Rle_trans with (IZR (2 ^ F) * exp (x * 2 ^ j)).
  - apply sq_lo_sound; [exact HF|exact HL0|].
    apply Rle_trans with (1 := HL). apply Rmult_le_compat_l; [lra|].
    apply Rle_trans with (exp (IZR r / IZR (2 ^ F))).
    + apply taylor_le_exp. apply Rmult_le_pos; [apply IZR_le; exact Hr|].
      left. apply Rinv_0_lt_compat. exact H2.
    + apply exp_le_mono, Hrho.
  - right. f_equal. f_equal. unfold x, D. rewrite mult_IZR, IZR_pow2_nat.
    assert (0 < 2 ^ j) by (apply pow_lt; lra). assert (0 < IZR den) by (apply IZR_lt; lia).
    field. lra.
Qed.

Lemma exp_upper_core_sound : forall F NT num den j,
  (0 <= F)%Z -> (1 <= NT)%nat -> (0 <= num)%Z -> (0 < den)%Z -> (num <= den * 2 ^ Z.of_nat j)%Z ->
  IZR (2 ^ F) * exp (IZR num / IZR den) <= IZR (exp_upper_core F NT num den j).
Proof.
  intros F NT num den j HF HNT Hn Hd Hj. unfold exp_upper_core.
  set (D := (den * 2 ^ Z.of_nat j)%Z).
  assert (HDz : (0 < D)%Z) by (unfold D; apply Z.mul_pos_pos; [lia| apply Z.pow_pos_nonneg; lia]).
  assert (HD : 0 < IZR D) by (apply IZR_lt; exact HDz).
  pose proof (IZR_pow2_pos F HF) as H2.
  assert (H2z : (0 < 2 ^ F)%Z) by (apply Z.pow_pos_nonneg; lia).
  set (r := ceil_div (num * 2 ^ F) D).
  assert (Hr : (0 <= r)%Z) by (apply ceil_div_nonneg; nia).
  assert (Hr1 : (r <= 2 ^ F)%Z) by (apply ceil_div_le; [exact HDz| unfold D in *; nia]).
  set (x := IZR num / IZR D).
  set (rho := IZR r / IZR (2 ^ F)).
  assert (Hrho : x <= rho).
  { pose proof (ceil_div_ge (num * 2 ^ F) D HDz) as Hcl. rewrite mult_IZR in Hcl.
    unfold x, rho. apply Rmult_le_reg_r with (IZR (2 ^ F) * IZR D); [nra|].
    replace (IZR r / IZR (2 ^ F) * (IZR (2 ^ F) * IZR D)) with (IZR r * IZR D) by (field; lra).
    replace (IZR num / IZR D * (IZR (2 ^ F) * IZR D)) with (IZR num * IZR (2 ^ F)) by (field; lra).
    exact Hcl. }
  assert (Hrho01 : 0 <= rho <= 1).
  { unfold rho. split.
    - apply Rmult_le_pos; [apply IZR_le; exact Hr| left; apply Rinv_0_lt_compat; exact H2].
    - apply Rmult_le_reg_r with (IZR (2 ^ F)); [exact H2|].
      replace (IZR r / IZR (2 ^ F) * IZR (2 ^ F)) with (IZR r) by (field; lra).
      rewrite Rmult_1_l. apply IZR_le. exact Hr1. }
  destruct (taylor_hi_sound F r HF Hr NT) as [HH0 HH].
  apply Rle_trans with (IZR (2 ^ F) * exp (x * 2 ^ j)).
  - right. f_equal. f_equal. unfold x, D. rewrite mult_IZR, IZR_pow2_nat.
    assert (0 < 2 ^ j) by (apply pow_lt; lra). assert (0 < IZR den) by (apply IZR_lt; lia).
    field. lra.
  - apply sq_hi_sound; [exact HF|exact HH0|].
    eapply Rle_trans; [|exact HH]. apply Rmult_le_compat_l; [lra|].
    apply Rle_trans with (exp rho); [apply exp_le_mono, Hrho|].
    apply exp_le_taylor; assumption.
Qed.

(** [exp_lower] is always a lower bound (its failure value -1 trivially is) *)
Theorem exp_lower_sound : forall F NT num den, (0 <= F)%Z ->
  IZR (exp_lower F NT num den) <= IZR (2 ^ F) * exp (IZR num / IZR den).
Proof.
  intros F NT num den HF. unfold exp_lower.
  destruct (exp_reduction num den) as [j|] eqn:E.
  - destruct (exp_reduction_spec _ _ _ E) as (H1 & H2 & H3).
    apply exp_lower_core_sound; assumption.
  - pose proof (IZR_pow2_pos F HF). pose proof (exp_pos (IZR num / IZR den)).
    assert (0 < IZR (2 ^ F) * exp (IZR num / IZR den)) by (apply Rmult_lt_0_compat; assumption).
    lra.
Qed.

(** [exp_upper] is an upper bound whenever it did not fail (failure value -1) *)
Theorem exp_upper_sound : forall F NT num den, (0 <= F)%Z -> (1 <= NT)%nat ->
  (0 <= exp_upper F NT num den)%Z ->
  IZR (2 ^ F) * exp (IZR num / IZR den) <= IZR (exp_upper F NT num den).
Proof.
  intros F NT num den HF HNT H. unfold exp_upper in *.
  destruct (exp_reduction num den) as [j|] eqn:E; [|lia].
  destruct (exp_reduction_spec _ _ _ E) as (H1 & H2 & H3).
  apply exp_upper_core_sound; assumption.
Qed.

(** ** check 5: the enclosure of sqrt d_head *)
Theorem check_sqrt_sound : forall s_lo s_hi h F, (0 <= F)%Z -> (0 <= h)%Z ->
  check_sqrt s_lo s_hi h F = true ->
  0 < IZR s_lo /\ IZR s_lo <= IZR (2 ^ F) * sqrt (IZR h) /\ IZR (2 ^ F) * sqrt (IZR h) <= IZR s_hi.
Proof.
  intros s_lo s_hi h F HF Hh Hc. unfold check_sqrt in Hc.
  rewrite !Bool.andb_true_iff, Z.ltb_lt, !Z.leb_le in Hc.
  destruct Hc as [[[H1 H2] H3] H4].
  assert (E : (2 ^ (2 * F) = 2 ^ F * 2 ^ F)%Z).
  { rewrite <- Z.pow_add_r by lia. f_equal. lia. }
  rewrite E in H3, H4.
  apply IZR_le in H3. apply IZR_le in H4. rewrite !mult_IZR in H3, H4.
  pose proof (IZR_pow2_pos F HF) as HP.
  assert (Hh' : 0 <= IZR h) by (apply IZR_le; exact Hh).
  pose proof (sqrt_sqrt (IZR h) Hh') as Hs. pose proof (sqrt_pos (IZR h)) as Hs0.
  set (a := IZR (2 ^ F) * sqrt (IZR h)) in *.
  assert (Ha : a * a = IZR h * (IZR (2 ^ F) * IZR (2 ^ F))).
  { unfold a. replace (IZR (2 ^ F) * sqrt (IZR h) * (IZR (2 ^ F) * sqrt (IZR h)))
      with (sqrt (IZR h) * sqrt (IZR h) * (IZR (2 ^ F) * IZR (2 ^ F))) by ring.
    rewrite Hs. reflexivity. }
  assert (Ha0 : 0 <= a) by (unfold a; apply Rmult_le_pos; lra).
  assert (Hlo : 0 < IZR s_lo) by (apply IZR_lt; exact H1).
  assert (Hhi : IZR s_lo <= IZR s_hi) by (apply IZR_le; exact H2).
  split; [exact Hlo|]. split; nra.
Qed.

(** ** check_exp_neg: one table entry of check 6 *)
Local Open Scope Z_scope.
Definition check_exp_neg (F : Z) (NT : nat) (lo hi na da nb db : Z) : bool :=
  if ((na <? 0) || (da <=? 0) || (nb <? 0) || (db <=? 0) || (lo <? 0))%bool then false
  else
    ((lo =? 0) || ((nb <=? F * db) && (0 <=? exp_upper F NT nb db)
                   && (lo * exp_upper F NT nb db <=? 2 ^ (2 * F))))%bool
    && (let na' := if na >? F * da then F else na in
        let da' := if na >? F * da then 1 else da in
        (0 <=? exp_lower F NT na' da') && (2 ^ (2 * F) <=? hi * exp_lower F NT na' da'))%bool.
Local Open Scope R_scope.

Lemma pow2_double : forall F, (0 <= F)%Z -> IZR (2 ^ (2 * F)) = IZR (2 ^ F) * IZR (2 ^ F).
Proof.
  intros F HF. rewrite <- mult_IZR, <- Z.pow_add_r by lia. f_equal. f_equal. lia.
Qed.

(** lo/2^F <= e^(-y) <= hi/2^F for every y in [na/da, nb/db] *)
Theorem check_exp_neg_sound : forall F NT lo hi na da nb db y,
  (0 <= F)%Z -> (1 <= NT)%nat -> check_exp_neg F NT lo hi na da nb db = true ->
  IZR na / IZR da <= y <= IZR nb / IZR db ->
  IZR lo <= IZR (2 ^ F) * exp (- y) /\ IZR (2 ^ F) * exp (- y) <= IZR hi.
Proof.
  intros F NT lo hi na da nb db y HF HNT Hc [Hya Hyb].
  unfold check_exp_neg in Hc.
  destruct ((na <? 0) || (da <=? 0) || (nb <? 0) || (db <=? 0) || (lo <? 0))%Z%bool eqn:Eg;
    [discriminate|].
  rewrite !Bool.orb_false_iff, !Z.ltb_ge, !Z.leb_gt in Eg.
  destruct Eg as [[[[Ena Eda] Enb] Edb] Elo].
  apply Bool.andb_true_iff in Hc. destruct Hc as [Hlo Hhi].
  pose proof (IZR_pow2_pos F HF) as H2.
  rewrite exp_Ropp. pose proof (exp_pos y) as Hey.
  split.
  - (* lower end *)
    apply Bool.orb_true_iff in Hlo. destruct Hlo as [H0|H0].
    + apply Z.eqb_eq in H0. subst lo. apply Rmult_le_pos; [lra|].
      left. apply Rinv_0_lt_compat, Hey.
    + rewrite !Bool.andb_true_iff, !Z.leb_le in H0. destruct H0 as [[_ HH0] HlH].
      pose proof (exp_upper_sound F NT nb db HF HNT HH0) as HU.
      set (H := exp_upper F NT nb db) in *.
      apply IZR_le in HlH. rewrite mult_IZR, pow2_double in HlH by exact HF.
      assert (Hb : exp y <= exp (IZR nb / IZR db)) by (apply exp_le_mono; exact Hyb).
      assert (HHpos : 0 < IZR H).
      { apply Rlt_le_trans with (2 := HU). apply Rmult_lt_0_compat; [lra|apply exp_pos]. }
      assert (Hlo0 : 0 <= IZR lo) by (apply IZR_le; lia).
      (* lo * H <= 4^F and 2^F e^y <= H imply lo e^y <= 2^F *)
      assert (Hk : IZR lo * (IZR (2 ^ F) * exp y) <= IZR (2 ^ F) * IZR (2 ^ F)).
      { apply Rle_trans with (IZR lo * IZR H); [|exact HlH].
        apply Rmult_le_compat_l; [exact Hlo0|]. nra. }
      apply Rmult_le_reg_r with (exp y); [exact Hey|].
      rewrite Rmult_assoc, Rinv_l by lra. nra.
  - (* upper end *)
    set (na' := if (na >? F * da)%Z then F else na) in *.
    set (da' := if (na >? F * da)%Z then 1%Z else da) in *.
    rewrite Bool.andb_true_iff, !Z.leb_le in Hhi. destruct Hhi as [HL0 HhL].
    pose proof (exp_lower_sound F NT na' da' HF) as HL.
    set (L := exp_lower F NT na' da') in *.
    assert (Ha' : IZR na' / IZR da' <= y).
    { unfold na', da'. destruct (na >? F * da)%Z eqn:Ec.
      - apply Z.gtb_lt in Ec. apply Rle_trans with (2 := Hya).
        assert (0 < IZR da) by (apply IZR_lt; lia).
        apply Rmult_le_reg_r with (IZR da); [lra|].
        replace (IZR F / IZR 1 * IZR da) with (IZR (F * da)) by (rewrite mult_IZR; field).
        replace (IZR na / IZR da * IZR da) with (IZR na) by (field; lra).
        apply IZR_le. lia.
      - exact Hya. }
    assert (Hy' : exp (IZR na' / IZR da') <= exp y) by (apply exp_le_mono; exact Ha').
    apply IZR_le in HhL. rewrite mult_IZR, pow2_double in HhL by exact HF.
    (* 4^F <= hi L and L <= 2^F e^y' <= 2^F e^y imply 2^F <= hi e^y *)
    assert (HLpos : 0 < IZR L).
    { destruct (Rle_lt_or_eq_dec 0 (IZR L) (IZR_le _ _ HL0)) as [Hp|Hz]; [exact Hp|].
      rewrite <- Hz in HhL. nra. }
    assert (Hhi0 : 0 < IZR hi) by nra.
    assert (Hk : IZR (2 ^ F) * IZR (2 ^ F) <= IZR hi * (IZR (2 ^ F) * exp y)).
    { apply Rle_trans with (1 := HhL). apply Rmult_le_compat_l; [lra|]. nra. }
    apply Rmult_le_reg_r with (exp y); [exact Hey|].
    rewrite Rmult_assoc, Rinv_l by lra. nra.
Qed.
