(** * PathInt.v — the integer path matrices of FORMAT.md check 4 (align_weights and
    compute_paths, over Z, in the association order of coq/Checker.v: VOU = W_V (W_O W_U))
    times 2^(4 e0) are the real path matrices of PathForm.v.

    Weights are aligned to the common exponent e0 <= every tensor exponent:
    [aent T k = mantissa_k * 2^(exponent T - e0)] (replay: [mant << (e - e0)]), z = -e0. *)
From Coq Require Import ZArith Reals Lia Lra List.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Int.ExpInt Proof.Reals.PathForm.
Local Open Scope R_scope.

(** ** Alignment *)
Definition aent (e0 : Z) (T : tensor) (k : nat) : Z :=
  (nth k (mantissas T) 0 * 2 ^ (exponent T - e0))%Z.
Definition amat (e0 : Z) (T : tensor) (cols i j : nat) : Z := aent e0 T (i * cols + j).

Lemma IZR_pow2_powerRZ : forall k, (0 <= k)%Z -> IZR (2 ^ k) = powerRZ 2 k.
Proof.
  intros [|p|p] Hk; [reflexivity| |lia].
  rewrite <- Zpower_pos_powerRZ. reflexivity.
Qed.

Lemma aent_spec : forall e0 T k, (e0 <= exponent T)%Z ->
  entry T k = IZR (aent e0 T k) * powerRZ 2 e0.
Proof.
  intros e0 T k He. unfold entry, aent. rewrite mult_IZR, IZR_pow2_powerRZ by lia.
  rewrite Rmult_assoc, <- powerRZ_add by lra. f_equal. f_equal. lia.
Qed.

Lemma amat_spec : forall e0 T cols i j, (e0 <= exponent T)%Z ->
  mat T cols i j = IZR (amat e0 T cols i j) * powerRZ 2 e0.
Proof. intros. unfold mat, amat. apply aent_spec. assumption. Qed.

Lemma pow2_z_inv : forall e0, (e0 <= 0)%Z -> IZR (2 ^ (- e0)) = / powerRZ 2 e0.
Proof.
  intros e0 He. rewrite IZR_pow2_powerRZ by lia.
  apply Rmult_eq_reg_r with (powerRZ 2 e0); [|apply powerRZ_NOR; lra].
  rewrite <- powerRZ_add, Rinv_l by (try apply powerRZ_NOR; lra).
  replace (- e0 + e0)%Z with 0%Z by lia. reflexivity.
Qed.

Lemma pow2_kz_inv : forall e0 k, (e0 <= 0)%Z -> (0 <= k)%Z ->
  IZR (2 ^ (k * - e0)) = / powerRZ 2 e0 ^ Z.to_nat k.
Proof.
  intros e0 k He Hk. rewrite <- (Z2Nat.id k) at 1 by exact Hk.
  induction (Z.to_nat k) as [|j IH].
  - simpl. rewrite Rinv_1. reflexivity.
  - rewrite Nat2Z.inj_succ, Z.mul_succ_l, Z.pow_add_r by lia.
    rewrite mult_IZR, IH, pow2_z_inv by exact He. simpl.
    assert (powerRZ 2 e0 <> 0) by (apply powerRZ_NOR; lra).
    assert (powerRZ 2 e0 ^ j <> 0) by (apply pow_nonzero; assumption).
    field. split; assumption.
Qed.

(** The exponent facts of check 1: every tensor's exponent is at least the common e0 <= 0. *)
Record Exps (M : model) (e0 : Z) : Prop := mkExps {
  x_e0 : (e0 <= 0)%Z;
  x_E : (e0 <= exponent (W_E M))%Z;  x_P : (e0 <= exponent (W_pos M))%Z;
  x_Q : (e0 <= exponent (W_Q M))%Z;  x_K : (e0 <= exponent (W_K M))%Z;
  x_V : (e0 <= exponent (W_V M))%Z;  x_O : (e0 <= exponent (W_O M))%Z;
  x_U : (e0 <= exponent (W_U M))%Z;
  x_bQ : (e0 <= exponent (b_Q M))%Z; x_bK : (e0 <= exponent (b_K M))%Z;
  x_bV : (e0 <= exponent (b_V M))%Z; x_bO : (e0 <= exponent (b_O M))%Z;
  x_bU : (e0 <= exponent (b_U M))%Z }.

(** A side goal among them (or any hypothesis). *)
Ltac exps X := first [assumption | destruct X; assumption].

(** ** compute_paths over Z *)
Section Paths.
Variable M : model.
Variable e0 : Z.
Notation V := (d_vocab M).
Notation n := (n_ctx M).
Notation d := (d_model M).
Notation h := (d_head M).
Let z := (- e0)%Z.
Let am T := amat e0 T.
Let av T := aent e0 T.

Local Open Scope Z_scope.
Definition EqZ (q a : nat) : Z := (am (W_E M) d q a + am (W_pos M) d (n - 1) a)%Z.
Definition EUPU0Z (q y : nat) : Z := (zsum d (fun a => EqZ q a * am (W_U M) V a y) * 2 ^ (2 * z))%Z.
Definition bUZ (y : nat) : Z := (av (b_U M) y * 2 ^ (3 * z))%Z.
Definition bOVZ (y : nat) : Z :=
  (zsum d (fun a => (zsum h (fun c => av (b_V M) c * am (W_O M) d c a) + av (b_O M) a * 2 ^ z)
                    * am (W_U M) V a y) * 2 ^ z)%Z.
Definition OUZ (c y : nat) : Z := zsum d (fun a => am (W_O M) d c a * am (W_U M) V a y).
Definition VOUZ (b y : nat) : Z := zsum h (fun c => am (W_V M) h b c * OUZ c y).
Definition EVOU0Z (t y : nat) : Z := zsum d (fun b => am (W_E M) d t b * VOUZ b y).
Definition PVOUZ (p y : nat) : Z := zsum d (fun b => am (W_pos M) d p b * VOUZ b y).
Definition QvZ (q c : nat) : Z := (zsum d (fun a => EqZ q a * am (W_Q M) h a c) + av (b_Q M) c * 2 ^ z)%Z.
Definition KtZ (t c : nat) : Z := (zsum d (fun a => am (W_E M) d t a * am (W_K M) h a c) + av (b_K M) c * 2 ^ z)%Z.
Definition KpZ (p c : nat) : Z := zsum d (fun a => am (W_pos M) d p a * am (W_K M) h a c).
Definition EQKEZ (q t : nat) : Z := zsum h (fun c => QvZ q c * KtZ t c).
Definition EQKPZ (q p : nat) : Z := zsum h (fun c => QvZ q c * KpZ p c).
Definition EUPUZ (q y : nat) : Z := (EUPU0Z q y + bUZ y)%Z.
Definition EVOUZ (t y : nat) : Z := (EVOU0Z t y + bOVZ y)%Z.

Local Open Scope R_scope.
Variable X : Exps M e0.
Let He0 := @x_e0 M e0 X.

Let u := powerRZ 2 e0.
Lemma u_nz : u <> 0.
Proof. apply powerRZ_NOR. lra. Qed.

Lemma z1 : IZR (2 ^ z) = / u.
Proof. apply pow2_z_inv, He0. Qed.
Lemma z2 : IZR (2 ^ (2 * z)) = / (u * u).
Proof.
  unfold z. rewrite pow2_kz_inv by (lia || exact He0). simpl. fold u.
  pose proof u_nz. field. assumption.
Qed.
Lemma z3 : IZR (2 ^ (3 * z)) = / (u * u * u).
Proof.
  unfold z. rewrite pow2_kz_inv by (lia || exact He0). simpl. fold u.
  pose proof u_nz. field. assumption.
Qed.

Lemma Eq_spec : forall q a, Eq M q a = IZR (EqZ q a) * u.
Proof.
  intros q a. unfold Eq, EqZ, qpos. rewrite plus_IZR, !amat_spec with (e0 := e0) by exps X. fold u.
  unfold am. ring.
Qed.

Theorem EUPU_int : forall q y, EUPU M q y = IZR (EUPUZ q y) * (u * u * u * u).
Proof.
  intros q y. pose proof u_nz as Hu.
  unfold EUPU, EUPUZ, EUPU0Z, bUZ.
  rewrite plus_IZR, !mult_IZR, zsum_IZR, z2, z3, aent_spec with (e0 := e0) by exps X. fold u.
  rewrite (sum_ext d _ (fun a => IZR (EqZ q a * am (W_U M) V a y) * (u * u)))
    by (intros a _; rewrite Eq_spec, amat_spec with (e0 := e0) by exps X; fold u;
        rewrite mult_IZR; unfold am; ring).
  rewrite sum_scal_r. unfold av. field. exact Hu.
Qed.

Lemma Qv_spec : forall q c, Qv M q c = IZR (QvZ q c) * (u * u).
Proof.
  intros q c. pose proof u_nz as Hu. unfold Qv, QvZ.
  rewrite plus_IZR, !mult_IZR, zsum_IZR, z1, aent_spec with (e0 := e0) by exps X. fold u.
  rewrite (sum_ext d _ (fun a => IZR (EqZ q a * am (W_Q M) h a c) * (u * u)))
    by (intros a _; rewrite Eq_spec, amat_spec with (e0 := e0) by exps X; fold u;
        rewrite mult_IZR; unfold am; ring).
  rewrite sum_scal_r. unfold av. field. exact Hu.
Qed.

Lemma Kt_spec : forall t c,
  sum d (fun a => mat (W_E M) d t a * mat (W_K M) h a c) + entry (b_K M) c = IZR (KtZ t c) * (u * u).
Proof.
  intros t c. pose proof u_nz as Hu. unfold KtZ.
  rewrite plus_IZR, !mult_IZR, zsum_IZR, z1, aent_spec with (e0 := e0) by exps X. fold u.
  rewrite (sum_ext d _ (fun a => IZR (am (W_E M) d t a * am (W_K M) h a c) * (u * u)))
    by (intros a _; rewrite !amat_spec with (e0 := e0) by exps X; fold u;
        rewrite mult_IZR; unfold am; ring).
  rewrite sum_scal_r. unfold av. field. exact Hu.
Qed.

Lemma Kp_spec : forall p c,
  sum d (fun a => mat (W_pos M) d p a * mat (W_K M) h a c) = IZR (KpZ p c) * (u * u).
Proof.
  intros p c. unfold KpZ. rewrite zsum_IZR, <- sum_scal_r. apply sum_ext. intros a _.
  rewrite !amat_spec with (e0 := e0) by exps X. fold u. rewrite mult_IZR. unfold am. ring.
Qed.

Theorem EQKE_int : forall q t, EQKE M q t = IZR (EQKEZ q t) * (u * u * u * u).
Proof.
  intros q t. unfold EQKE, EQKEZ. rewrite zsum_IZR, <- sum_scal_r. apply sum_ext. intros c _.
  rewrite Qv_spec, Kt_spec, mult_IZR. ring.
Qed.

Theorem EQKP_int : forall q p, EQKP M q p = IZR (EQKPZ q p) * (u * u * u * u).
Proof.
  intros q p. unfold EQKP, EQKPZ. rewrite zsum_IZR, <- sum_scal_r. apply sum_ext. intros c _.
  rewrite Qv_spec, Kp_spec, mult_IZR. ring.
Qed.

(** the OV circuit of a residual coordinate b, associated as W_V (W_O W_U) *)
Lemma OU_spec : forall c y,
  sum d (fun a => mat (W_O M) d c a * mat (W_U M) V a y) = IZR (OUZ c y) * (u * u).
Proof.
  intros c y. unfold OUZ. rewrite zsum_IZR, <- sum_scal_r. apply sum_ext. intros a _.
  rewrite !amat_spec with (e0 := e0) by exps X. fold u. rewrite mult_IZR. unfold am. ring.
Qed.

Lemma VOU_spec : forall b y,
  sum d (fun a => sum h (fun c => mat (W_V M) h b c * mat (W_O M) d c a) * mat (W_U M) V a y)
  = IZR (VOUZ b y) * (u * u * u).
Proof.
  intros b y. unfold VOUZ. rewrite zsum_IZR, <- sum_scal_r.
  rewrite (sum_ext d _ (fun a => sum h (fun c => mat (W_V M) h b c * mat (W_O M) d c a
                                                 * mat (W_U M) V a y)))
    by (intros; rewrite <- sum_scal_r; reflexivity).
  rewrite sum_swap. apply sum_ext. intros c _.
  rewrite (sum_ext d _ (fun a => mat (W_V M) h b c * (mat (W_O M) d c a * mat (W_U M) V a y)))
    by (intros; ring).
  rewrite sum_scal_l, OU_spec, mult_IZR, amat_spec with (e0 := e0) by exps X. fold u.
  unfold am. ring.
Qed.

(** re-association: (r W_V) W_O W_U = r (W_V W_O W_U) *)
Lemma assoc3 : forall (A : nat -> R) (B C : nat -> nat -> R) (D : nat -> R),
  sum d (fun a => sum h (fun c => sum d (fun b => A b * B b c) * C c a) * D a)
  = sum d (fun b => A b * sum d (fun a => sum h (fun c => B b c * C c a) * D a)).
Proof.
  intros A B C D.
  rewrite (sum_ext d (fun a => sum h (fun c => sum d (fun b => A b * B b c) * C c a) * D a)
             (fun a => sum d (fun b => sum h (fun c => A b * B b c * C c a * D a)))).
  - rewrite sum_swap. apply sum_ext. intros b _. rewrite <- sum_scal_l. apply sum_ext.
    intros a _. rewrite <- sum_scal_r, <- sum_scal_l. apply sum_ext. intros c _. ring.
  - intros a _. rewrite <- sum_scal_r.
    rewrite (sum_ext h (fun c => sum d (fun b => A b * B b c) * C c a * D a)
               (fun c => sum d (fun b => A b * B b c * C c a * D a)))
      by (intros c _; rewrite <- !sum_scal_r; reflexivity).
    apply sum_swap.
Qed.

Theorem PVOU_int : forall p y, PVOU M p y = IZR (PVOUZ p y) * (u * u * u * u).
Proof.
  intros p y. unfold PVOU, PVOUZ.
  rewrite (assoc3 (fun b => mat (W_pos M) d p b) (fun b c => mat (W_V M) h b c)
                  (fun c a => mat (W_O M) d c a) (fun a => mat (W_U M) V a y)).
  rewrite zsum_IZR, <- sum_scal_r. apply sum_ext. intros b _.
  rewrite VOU_spec, mult_IZR, amat_spec with (e0 := e0) by exps X. fold u. unfold am. ring.
Qed.

Theorem EVOU_int : forall t y, EVOU M t y = IZR (EVOUZ t y) * (u * u * u * u).
Proof.
  intros t y. pose proof u_nz as Hu. unfold EVOU, EVOUZ.
  (* split the bias part off *)
  rewrite (sum_ext d _ (fun a =>
      sum h (fun c => sum d (fun b => mat (W_E M) d t b * mat (W_V M) h b c) * mat (W_O M) d c a)
        * mat (W_U M) V a y
      + (sum h (fun c => entry (b_V M) c * mat (W_O M) d c a) + entry (b_O M) a) * mat (W_U M) V a y))
    by (intros a _;
        rewrite (sum_ext h _ (fun c => sum d (fun b => mat (W_E M) d t b * mat (W_V M) h b c)
                                         * mat (W_O M) d c a + entry (b_V M) c * mat (W_O M) d c a))
          by (intros; ring);
        rewrite sum_plus; ring).
  rewrite sum_plus.
  rewrite (assoc3 (fun b => mat (W_E M) d t b) (fun b c => mat (W_V M) h b c)
                  (fun c a => mat (W_O M) d c a) (fun a => mat (W_U M) V a y)).
  rewrite plus_IZR, Rmult_plus_distr_r. f_equal.
  - unfold EVOU0Z. rewrite zsum_IZR, <- sum_scal_r. apply sum_ext. intros b _.
    rewrite VOU_spec, mult_IZR, amat_spec with (e0 := e0) by exps X. fold u. unfold am. ring.
  - unfold bOVZ. rewrite !mult_IZR, zsum_IZR, z1.
    rewrite <- sum_scal_r, <- sum_scal_r. apply sum_ext. intros a _.
    rewrite mult_IZR, plus_IZR, mult_IZR, zsum_IZR, z1.
    rewrite amat_spec with (e0 := e0) (T := W_U M) by exps X.
    rewrite aent_spec with (e0 := e0) (T := b_O M) by exps X. fold u.
    rewrite (sum_ext h (fun c => entry (b_V M) c * mat (W_O M) d c a)
               (fun c => IZR (av (b_V M) c * am (W_O M) d c a) * (u * u)))
      by (intros c _; rewrite aent_spec with (e0 := e0) by exps X;
          rewrite amat_spec with (e0 := e0) by exps X; fold u; rewrite mult_IZR;
          unfold av, am; ring).
    rewrite sum_scal_r. unfold am, av. field. exact Hu.
Qed.
End Paths.
