(** * InputSound.v — one input, any tokens, decided with the exact weighted sum over R (the
    verdicts of an exact certificate's residual, pipeline/certificate/FORMAT.md, check 11).

    CellSound.v's Section C0 handles the single input (m, ..., m, q); here x is any input of
    length n with max token m and query token q, and its tokens [tok x i] take the place of
    [c0tok i]:
    - [input_correct]: if for every y <> m the weighted sum of the brackets (no shift) is
      negative, x is classified correctly (the "ok" verdict);
    - [input_wrong]: if for SOME y <> m it is >= 0, then logit[y] >= logit[m] and x is
      misclassified (the "wrong" verdict; a tie counts as an error).
    For the integer checker: [lbZ] (the checker's lb) and [lbZ_sound], the twin of Cubic.v's
    [ubZ_sound], with [lb_sum_bound] and [term_lb] (Bridge.v's [term_ub] from below). *)
From Coq Require Import ZArith Reals Lia Lra List.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Int.ExpInt Proof.Reals.PathForm Proof.Reals.Sign
  Proof.Reals.Cubic Proof.Reals.CellSound.
Import ListNotations.
Local Open Scope R_scope.

(** ** lb, the lower twin of Cubic.v's ub *)
Definition lbZ (wlo whi z : Z) : Z := if (0 <=? z)%Z then (wlo * z)%Z else (whi * z)%Z.

Lemma lbZ_sound : forall wlo whi z w, IZR wlo <= w <= IZR whi -> IZR (lbZ wlo whi z) <= w * IZR z.
Proof.
  intros wlo whi z w [H1 H2]. unfold lbZ. destruct (0 <=? z)%Z eqn:E; rewrite mult_IZR.
  - apply Z.leb_le, IZR_le in E. nra.
  - apply Z.leb_gt, IZR_lt in E. nra.
Qed.

(** a sum of lb's bounds the exact sum from below (all at the same scale) *)
Lemma lb_sum_bound : forall k (w : nat -> R) (wlo whi zz : nat -> Z),
  (forall i, (i < k)%nat -> IZR (wlo i) <= w i <= IZR (whi i)) ->
  IZR (zsum k (fun i => lbZ (wlo i) (whi i) (zz i))) <= sum k (fun i => w i * IZR (zz i)).
Proof.
  intros k w wlo whi zz H. rewrite zsum_IZR. apply sum_le. intros i Hi.
  apply lbZ_sound, H, Hi.
Qed.

(** one weight w = e p of two enclosed table entries times an integer, against its lb *)
Lemma term_lb : forall K e p elo ehi plo phi G, 0 < K ->
  (0 <= elo)%Z -> (0 <= plo)%Z ->
  IZR elo <= K * e <= IZR ehi -> IZR plo <= K * p <= IZR phi ->
  IZR (lbZ (elo * plo) (ehi * phi) G) <= (K * K) * (e * p) * IZR G.
Proof.
  intros K e p elo ehi plo phi G HK He Hp H1 H2. apply lbZ_sound. rewrite !mult_IZR.
  apply enclosure_mul; [apply IZR_le, He| apply IZR_le, Hp| exact H1| exact H2].
Qed.

(** ** One input *)
Section Input.
Variable M : model.
Variables (x : list nat) (q m : nat) (maxE maxP : R).

Hypothesis Hn1 : (1 <= n_ctx M)%nat.
Hypothesis Hlen : length x = n_ctx M.
Hypothesis Hlast : last x O = q.
Hypothesis Hmax : max_tok x = m.

(** the weighted sum of the brackets of x for the wrong token y (CellSound's [Hc0] with the
    tokens of x) *)
Definition input_wsum (y : nat) : R :=
  sum (n_ctx M) (fun i => ee M q maxE (tok x i) * pp M q maxP i
                  * ((EUPU M q y - EUPU M q m) + (EVOU M (tok x i) y - EVOU M (tok x i) m)
                     + (PVOU M i y - PVOU M i m))).

Lemma tok_last : tok x (qpos M) = q.
Proof.
  unfold tok, qpos. rewrite <- Hlast, <- Hlen.
  assert (Hne : x <> []) by (intros ->; simpl in Hlen; lia).
  destruct (exists_last Hne) as [p [a ->]].
  rewrite last_last, app_length, app_nth2 by (simpl; lia). simpl.
  replace (length p + 1 - 1 - length p)%nat with O by lia. reflexivity.
Qed.

(** Sign.v's weighted sum with no shift and offset (maxE + maxP) / sqrt d_head is [input_wsum] *)
Lemma input_sum_wt : forall y,
  sum (n_ctx M) (fun i => wt M x ((maxE + maxP) / sqrt (INR (d_head M))) i * bracket M x (fun _ => 0) y m i)
  = input_wsum y.
Proof.
  intros y. unfold input_wsum. apply sum_ext. intros i _. rewrite wt_split.
  unfold bracket, ee, pp. rewrite tok_last. ring.
Qed.

Theorem input_correct : (forall y, (y < d_vocab M)%nat -> y <> m ->
  sum (n_ctx M) (fun i => ee M q maxE (tok x i) * pp M q maxP i
       * ((EUPU M q y - EUPU M q m) + (EVOU M (tok x i) y - EVOU M (tok x i) m)
          + (PVOU M i y - PVOU M i m))) < 0) ->
  correct M x.
Proof.
  intros H. unfold correct. rewrite Hmax. intros y Hy Hym.
  apply (sign_shift M x Hn1 (fun _ => 0) ((maxE + maxP) / sqrt (INR (d_head M))) y m).
  rewrite input_sum_wt. apply H; assumption.
Qed.

Theorem input_wrong : forall y, (y < d_vocab M)%nat -> y <> m ->
  0 <= sum (n_ctx M) (fun i => ee M q maxE (tok x i) * pp M q maxP i
       * ((EUPU M q y - EUPU M q m) + (EVOU M (tok x i) y - EVOU M (tok x i) m)
          + (PVOU M i y - PVOU M i m))) ->
  ~ correct M x.
Proof.
  intros y Hy Hym H Hc. change (0 <= input_wsum y) in H. unfold correct in Hc. rewrite Hmax in Hc.
  specialize (Hc y Hy Hym).
  set (C := (maxE + maxP) / sqrt (INR (d_head M))).
  pose proof (logit_diff_weighted M x Hn1 (fun _ => 0) C y m) as E.
  pose proof (wt_sum_pos M x Hn1 C) as HW.
  unfold C in E. rewrite input_sum_wt in E. fold C in E.
  assert (0 <= input_wsum y / sum (n_ctx M) (wt M x C)).
  { unfold Rdiv. apply Rmult_le_pos; [exact H| left; apply Rinv_0_lt_compat, HW]. }
  lra.
Qed.
End Input.
