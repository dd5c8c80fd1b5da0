(** * Bridge.v — from the integer quantities of checks 5, 6, 8, 9 to the real hypotheses of
    CellSound.v.

    - [table_entry_sound]: a passing check_exp_neg on ((-x) 2^F, s_hi 2^(4z)) and
      ((-x) 2^F, s_lo 2^(4z)), after a passing check_sqrt, encloses exp(x 2^(-4z) / sqrt h);
    - [term_ub]: one weight w = e p of two enclosed table entries times an integer bound;
    - [arrangement_neg]: a negative ub-sum of an arrangement makes its exact sum negative;
    - [bracket_split_le]: split maxima of the integer path matrices (with a shift vector)
      bound the real bracket of Sign.v. *)
From Coq Require Import ZArith Reals Lia Lra List.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Reals.ExpSeries Proof.Int.ExpInt Proof.Reals.PathForm
  Proof.Int.PathInt Proof.Reals.Cubic.
Local Open Scope R_scope.

Lemma div_le_inv : forall P b r, 0 < b -> 0 < r -> P * r <= b -> P * / b <= / r.
Proof.
  intros P b r Hb Hr H.
  apply Rle_trans with (b * / r * / b).
  - apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat, Hb|].
    apply Rmult_le_reg_r with r; [exact Hr|].
    replace (b * / r * r) with b by (field; lra). exact H.
  - right. field. lra.
Qed.

Lemma inv_le_div : forall P b r, 0 < b -> 0 < r -> b <= P * r -> / r <= P * / b.
Proof.
  intros P b r Hb Hr H.
  apply Rle_trans with (b * / r * / b).
  - right. field. lra.
  - apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat, Hb|].
    apply Rmult_le_reg_r with r; [exact Hr|].
    replace (b * / r * r) with b by (field; lra). exact H.
Qed.

(** one entry of check 6 *)
Theorem table_entry_sound : forall F NT s_lo s_hi (h : nat) z x lo hi,
  (0 <= F)%Z -> (1 <= NT)%nat -> (0 <= z)%Z -> (1 <= h)%nat ->
  check_sqrt s_lo s_hi (Z.of_nat h) F = true -> (x <= 0)%Z ->
  check_exp_neg F NT lo hi (- x * 2 ^ F) (s_hi * 2 ^ (4 * z)) (- x * 2 ^ F) (s_lo * 2 ^ (4 * z))
    = true ->
  IZR lo <= IZR (2 ^ F) * exp (IZR x / IZR (2 ^ (4 * z)) / sqrt (INR h))
  /\ IZR (2 ^ F) * exp (IZR x / IZR (2 ^ (4 * z)) / sqrt (INR h)) <= IZR hi.
Proof.
  intros F NT s_lo s_hi h z x lo hi HF HNT Hz Hh Hs Hx He.
  destruct (check_sqrt_sound s_lo s_hi (Z.of_nat h) F HF ltac:(lia) Hs) as (Hlo0 & Hslo & Hshi).
  rewrite <- INR_IZR_INZ in Hslo, Hshi.
  set (r := sqrt (INR h)) in *.
  assert (Hr : 0 < r) by (apply sqrt_lt_R0, lt_0_INR; lia).
  set (P := IZR (2 ^ F)) in *. set (Q := IZR (2 ^ (4 * z))).
  assert (HP : 0 < P) by (apply IZR_pow2_pos, HF).
  assert (HQ : 0 < Q) by (apply IZR_pow2_pos; lia).
  set (a := IZR (- x)).
  assert (Ha : 0 <= a) by (apply IZR_le; lia).
  replace (IZR x / Q / r) with (- (a * / Q * / r))
    by (unfold a; rewrite opp_IZR; field; split; lra).
  apply (check_exp_neg_sound F NT lo hi _ _ _ _ _ HF HNT He).
  rewrite !mult_IZR. fold P Q. fold a.
  assert (HaQ : 0 <= a * / Q) by (apply Rmult_le_pos; [lra| left; apply Rinv_0_lt_compat, HQ]).
  split.
  - replace (a * P / (IZR s_hi * Q)) with ((a * / Q) * (P * / IZR s_hi)) by (field; split; lra).
    apply Rmult_le_compat_l; [exact HaQ|].
    apply div_le_inv; lra.
  - replace (a * P / (IZR s_lo * Q)) with ((a * / Q) * (P * / IZR s_lo)) by (field; split; lra).
    apply Rmult_le_compat_l; [exact HaQ|].
    apply inv_le_div; lra.
Qed.

(** one weight times an integer bound, against its ub *)
Lemma term_ub : forall K e p elo ehi plo phi G, 0 < K ->
  (0 <= elo)%Z -> (0 <= plo)%Z ->
  IZR elo <= K * e <= IZR ehi -> IZR plo <= K * p <= IZR phi ->
  (K * K) * (e * p) * IZR G <= IZR (ubZ (elo * plo) (ehi * phi) G).
Proof.
  intros K e p elo ehi plo phi G HK He Hp H1 H2. apply ubZ_sound. rewrite !mult_IZR.
  apply enclosure_mul; [apply IZR_le, He| apply IZR_le, Hp| exact H1| exact H2].
Qed.

(** an arrangement: M-slots fM 0..r-1 holding m, K-slots fK 0..c-1 holding k, query slot iq
    holding q; all weights enclosed at scale K = 2^F; g t = G t * gs with gs > 0 *)
Theorem arrangement_neg : forall (e p : nat -> R) (elo ehi plo phi G : nat -> Z) K gs
    (fM fK : nat -> nat) r c m k q iq,
  0 < K -> 0 < gs ->
  (forall t, t = m \/ t = k \/ t = q -> (0 <= elo t)%Z /\ IZR (elo t) <= K * e t <= IZR (ehi t)) ->
  (forall i, (exists j, (j < r)%nat /\ i = fM j) \/ (exists j, (j < c)%nat /\ i = fK j) \/ i = iq ->
     (0 <= plo i)%Z /\ IZR (plo i) <= K * p i <= IZR (phi i)) ->
  (zsum r (fun j => ubZ (elo m * plo (fM j)) (ehi m * phi (fM j)) (G m))
   + zsum c (fun j => ubZ (elo k * plo (fK j)) (ehi k * phi (fK j)) (G k))
   + ubZ (elo q * plo iq) (ehi q * phi iq) (G q) < 0)%Z ->
  e m * (IZR (G m) * gs) * sum r (fun j => p (fM j))
  + e k * (IZR (G k) * gs) * sum c (fun j => p (fK j))
  + e q * (IZR (G q) * gs) * p iq < 0.
Proof.
  intros e p elo ehi plo phi G K gs fM fK r c m k q iq HK Hgs He Hp Hneg.
  apply IZR_lt in Hneg. rewrite !plus_IZR, !zsum_IZR in Hneg.
  assert (Hterm : forall t i, (t = m \/ t = k \/ t = q) ->
     ((exists j, (j < r)%nat /\ i = fM j) \/ (exists j, (j < c)%nat /\ i = fK j) \/ i = iq) ->
     (K * K) * (e t * p i) * IZR (G t) <= IZR (ubZ (elo t * plo i) (ehi t * phi i) (G t))).
  { intros t i Ht Hi. destruct (He t Ht) as [He0 He1]. destruct (Hp i Hi) as [Hp0 Hp1].
    apply term_ub; assumption. }
  assert (HM : (K * K) * (e m * IZR (G m) * sum r (fun j => p (fM j)))
               <= sum r (fun j => IZR (ubZ (elo m * plo (fM j)) (ehi m * phi (fM j)) (G m)))).
  { rewrite <- sum_scal_l, <- sum_scal_l. apply sum_le. intros j Hj.
    eapply Rle_trans; [|apply Hterm; [left; reflexivity| left; exists j; split; [exact Hj|reflexivity]]].
    right. ring. }
  assert (HKs : (K * K) * (e k * IZR (G k) * sum c (fun j => p (fK j)))
               <= sum c (fun j => IZR (ubZ (elo k * plo (fK j)) (ehi k * phi (fK j)) (G k)))).
  { rewrite <- sum_scal_l, <- sum_scal_l. apply sum_le. intros j Hj.
    eapply Rle_trans;
      [|apply Hterm; [right; left; reflexivity| right; left; exists j; split; [exact Hj|reflexivity]]].
    right. ring. }
  assert (HQ : (K * K) * (e q * IZR (G q) * p iq) <= IZR (ubZ (elo q * plo iq) (ehi q * phi iq) (G q))).
  { eapply Rle_trans; [|apply Hterm; [right; right; reflexivity| right; right; reflexivity]].
    right. ring. }
  assert (HKK : 0 < K * K * gs) by (apply Rmult_lt_0_compat; [nra| exact Hgs]).
  apply Rmult_lt_reg_l with (K * K); [nra|]. rewrite Rmult_0_r.
  assert (E : K * K * (e m * (IZR (G m) * gs) * sum r (fun j => p (fM j))
                       + e k * (IZR (G k) * gs) * sum c (fun j => p (fK j))
                       + e q * (IZR (G q) * gs) * p iq)
              = gs * ((K * K) * (e m * IZR (G m) * sum r (fun j => p (fM j)))
                      + (K * K) * (e k * IZR (G k) * sum c (fun j => p (fK j)))
                      + (K * K) * (e q * IZR (G q) * p iq))) by ring.
  rewrite E.
  assert (Hsum : (K * K) * (e m * IZR (G m) * sum r (fun j => p (fM j)))
                 + (K * K) * (e k * IZR (G k) * sum c (fun j => p (fK j)))
                 + (K * K) * (e q * IZR (G q) * p iq) < 0) by lra.
  nra.
Qed.

(** split maxima bound the bracket of Sign.v *)
Section Split.
Variable M : model.
Variable e0 : Z.
Variable X : Exps M e0.
Let u4 := powerRZ 2 e0 * powerRZ 2 e0 * powerRZ 2 e0 * powerRZ 2 e0.

Lemma u4_pos : 0 < u4.
Proof. unfold u4. pose proof (powerRZ_lt 2 e0 ltac:(lra)). repeat apply Rmult_lt_0_compat; lra. Qed.

Theorem bracket_split_le : forall (Zs : nat -> Z) q m y t i (U Et Py : Z),
  (EUPUZ M e0 q y + Zs y - (EUPUZ M e0 q m + Zs m) <= U)%Z ->
  (EVOUZ M e0 t y - Zs y - (EVOUZ M e0 t m - Zs m) + Py <= Et)%Z ->
  (PVOUZ M e0 i y - PVOUZ M e0 i m <= Py)%Z ->
  ((EUPU M q y + IZR (Zs y) * u4) - (EUPU M q m + IZR (Zs m) * u4))
  + ((EVOU M t y - IZR (Zs y) * u4) - (EVOU M t m - IZR (Zs m) * u4))
  + (PVOU M i y - PVOU M i m) <= IZR (U + Et) * u4.
Proof.
  intros Zs q m y t i U Et Py H1 H2 H3. pose proof u4_pos as Hu.
  rewrite !(EUPU_int M e0), !(EVOU_int M e0), !(PVOU_int M e0) by exps X. fold u4.
  assert (H : (EUPUZ M e0 q y + Zs y - (EUPUZ M e0 q m + Zs m)
               + (EVOUZ M e0 t y - Zs y - (EVOUZ M e0 t m - Zs m))
               + (PVOUZ M e0 i y - PVOUZ M e0 i m) <= U + Et)%Z) by lia.
  apply IZR_le in H. rewrite !plus_IZR, !minus_IZR, !plus_IZR in H.
  apply Rmult_le_compat_r with (r := u4) in H; [|lra].
  rewrite plus_IZR. eapply Rle_trans; [|exact H]. right. ring.
Qed.
End Split.
