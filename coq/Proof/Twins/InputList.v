(** * InputList.v — the verdict sums of an exact certificate's residual input (coq/CheckerExact.v's
    [input_sum] / [sums], [all_neg_except], [some_nonneg_except]) over Z, and what they prove.

    - [input_sumZ f ...]: accumulates, position by position, the vector over y of
      f(elo[t_i] plo[i], ehi[t_i] phi[i], du[y] + ev[t_i][y] + pv[i][y]) for any tokens t_i
      (C0List.v's [c0_sumZ] is the case t = (m, ..., m, q)); [input_sumZ_spec]: entry y is the
      zsum over positions;
    - [verdict_sumsZ f P elo ehi plo phi m q x]: the vector of CheckerExact.sums for the class
      environment of (m, q) (rows of q, centred at m);
    - [input_list_correct] / [input_list_wrong]: under the facts of checks 1, 5, 6 (as in
      CellList.v's [c0_list_correct]), for an input x of length n over the vocabulary with last
      token q and max token m: all sums of ub except y = m negative => x is correct
      (InputInt.v's [input_correct_int]); some sum of lb with y <> m non-negative => x is
      misclassified ([input_wrong_int]). *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Spec Proof.Int.ExpInt Proof.Reals.Count Proof.Int.PathInt Proof.Reals.Cubic
  Proof.Reals.InputSound Proof.Int.InputInt Proof.Twins.ListOps Proof.Twins.PathList Proof.Twins.ExpTables
  Proof.Twins.C0List Proof.Twins.Good Proof.Twins.CellList.
Import ListNotations.
Local Open Scope Z_scope.

Fixpoint input_sumZ (f : Z -> Z -> Z -> Z) (du elo ehi : list Z) (ev : list (list Z))
    (toks : list nat) (pv : list (list Z)) (plo phi : list Z) (acc : list Z) : list Z :=
  match toks, pv, plo, phi with
  | t :: toks', p :: pv', pl :: plo', ph :: phi' =>
      input_sumZ f du elo ehi ev toks' pv' plo' phi'
        (vaddZ acc (map (f (nth t elo 0 * pl) (nth t ehi 0 * ph)) (vaddZ du (vaddZ (nth t ev []) p))))
  | _, _, _, _ => acc
  end.

Fixpoint some_nonneg_exceptZ (m i : nat) (v : list Z) : bool :=
  match v with
  | [] => false
  | x :: v' => ((negb (Nat.eqb i m) && (0 <=? x)) || some_nonneg_exceptZ m (S i) v')%bool
  end.

Theorem some_nonneg_exceptZ_spec : forall m v i, some_nonneg_exceptZ m i v = true ->
  exists y, (y < length v)%nat /\ (i + y)%nat <> m /\ 0 <= nth y v 0.
Proof.
  intros m v. induction v as [|x v IH]; intros i H; [discriminate|].
  cbn [some_nonneg_exceptZ] in H. apply Bool.orb_true_iff in H. destruct H as [H|H].
  - apply Bool.andb_true_iff in H. destruct H as [H1 H2].
    apply Bool.negb_true_iff, Nat.eqb_neq in H1. apply Z.leb_le in H2.
    exists O. cbn [length nth]. split; [lia|]. split; [lia| exact H2].
  - destruct (IH (S i) H) as [y (Hy & Hm & Hn)]. exists (S y). cbn [length nth].
    split; [lia|]. split; [lia| exact Hn].
Qed.

(** the term of position i for the wrong token y *)
Definition input_term (f : Z -> Z -> Z -> Z) (du elo ehi : list Z) (ev : list (list Z))
    (toks : list nat) (pv : list (list Z)) (plo phi : list Z) (y i : nat) : Z :=
  let t := nth i toks O in
  f (nth t elo 0 * nth i plo 0) (nth t ehi 0 * nth i phi 0)
    (nth y du 0 + (nth y (nth t ev []) 0 + nth y (nth i pv []) 0)).

Theorem input_sumZ_spec : forall V f du elo ehi ev toks pv plo phi acc y,
  length du = V -> length acc = V -> (forall t, In t toks -> length (nth t ev []) = V) ->
  (forall r, In r pv -> length r = V) -> length toks = length pv ->
  (length pv <= length plo)%nat -> (length pv <= length phi)%nat -> (y < V)%nat ->
  length (input_sumZ f du elo ehi ev toks pv plo phi acc) = V /\
  nth y (input_sumZ f du elo ehi ev toks pv plo phi acc) 0
  = nth y acc 0 + zsum (length pv) (input_term f du elo ehi ev toks pv plo phi y).
Proof.
  intros V f du elo ehi ev toks. induction toks as [|t toks IH];
    intros pv plo phi acc y Hdu Hacc Hev Hpv Hlen Hplo Hphi Hy.
  - destruct pv; [|discriminate]. cbn. split; [exact Hacc| lia].
  - destruct pv as [|p pv]; [discriminate|].
    destruct plo as [|pl plo]; [cbn in Hplo; lia|]. destruct phi as [|ph phi]; [cbn in Hphi; lia|].
    assert (Hp : length p = V) by (apply Hpv; left; reflexivity).
    assert (Ht : length (nth t ev []) = V) by (apply Hev; left; reflexivity).
    cbn [input_sumZ].
    set (acc' := vaddZ acc (map (f (nth t elo 0 * pl) (nth t ehi 0 * ph))
                              (vaddZ du (vaddZ (nth t ev []) p)))).
    assert (Hacc' : length acc' = V)
      by (unfold acc'; rewrite vaddZ_length, map_length, !vaddZ_length; lia).
    destruct (IH pv plo phi acc' y Hdu Hacc') as [IH1 IH2];
      [intros u Hu; apply Hev; right; exact Hu| intros r Hr; apply Hpv; right; exact Hr
      | cbn in Hlen; lia| cbn in Hplo; lia| cbn in Hphi; lia| exact Hy|].
    split; [exact IH1|]. rewrite IH2.
    cbn [length]. rewrite zsum_shift.
    assert (Hhead : nth y acc' 0 = nth y acc 0
              + input_term f du elo ehi ev (t :: toks) (p :: pv) (pl :: plo) (ph :: phi) y 0).
    { unfold acc'. rewrite vaddZ_nth by (rewrite ?map_length, ?vaddZ_length; lia).
      rewrite (nth_map_lt _ _ _ _ y 0 0) by (rewrite !vaddZ_length; lia).
      rewrite !vaddZ_nth by (rewrite ?vaddZ_length; lia).
      reflexivity. }
    rewrite Hhead.
    assert (Htail : zsum (length pv) (input_term f du elo ehi ev toks pv plo phi y)
              = zsum (length pv) (fun i =>
                  input_term f du elo ehi ev (t :: toks) (p :: pv) (pl :: plo) (ph :: phi) y (S i))).
    { apply zsum_ext. intros i _. reflexivity. }
    rewrite Htail. ring.
Qed.

(** CheckerExact.sums for the class environment of (m, q) (CheckerExact.class_env) *)
Definition verdict_sumsZ (f : Z -> Z -> Z -> Z) (P : PathsZ) (elo ehi plo phi : list (list Z))
    (m q : nat) (x : list nat) : list Z :=
  let du := centreZ m (nth q (pEUPU P) []) in
  input_sumZ f du (nth q elo []) (nth q ehi []) (map (centreZ m) (pEVOU P)) x
    (map (centreZ m) (pPVOU P)) (nth q plo []) (nth q phi []) (zerosZ (length du)).

Lemma last_In_nat : forall (x : list nat), x <> [] -> In (last x O) x.
Proof.
  intros x Hx. destruct (exists_last Hx) as [p [a ->]]. rewrite last_last.
  apply in_or_app. right. left. reflexivity.
Qed.

Lemma max_tok_In_nat : forall (x : list nat), x <> [] -> In (max_tok x) x.
Proof.
  induction x as [|a x IH]; intros H; [contradiction H; reflexivity|].
  unfold max_tok. cbn [fold_right]. fold (max_tok x).
  destruct x as [|b x'].
  - left. unfold max_tok. cbn. lia.
  - destruct (Nat.max_dec a (max_tok (b :: x'))) as [E|E]; rewrite E.
    + left. reflexivity.
    + right. apply IH. discriminate.
Qed.

Section InputList.
Variable M : model.
Variable e0 : Z.
Variable T : AlignedZ.
Variable G : Good M e0 T.
Let X : Exps M e0 := mkExps M e0 (g_e0 _ _ _ G) (g_xE _ _ _ G) (g_xP _ _ _ G) (g_xQ _ _ _ G)
  (g_xK _ _ _ G) (g_xV _ _ _ G) (g_xO _ _ _ G) (g_xU _ _ _ G) (g_xbQ _ _ _ G) (g_xbK _ _ _ G)
  (g_xbV _ _ _ G) (g_xbO _ _ _ G) (g_xbU _ _ _ G).
Let P := compute_pathsZ T.

Variables (F NT s_lo s_hi : Z) (eloL ehiL ploL phiL : list (list Z)).
Hypothesis HF : 0 <= F.
Hypothesis HNT : 1 <= NT.
Hypothesis Hsqrt : check_sqrt s_lo s_hi (Z.of_nat (d_head M)) F = true.
Hypothesis HtE : exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKE P) eloL ehiL = true.
Hypothesis HtP : exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKP P) ploL phiL = true.
Hypothesis SeL : shaped (d_vocab M) (d_vocab M) eloL.
Hypothesis SeH : shaped (d_vocab M) (d_vocab M) ehiL.
Hypothesis SpL : shaped (d_vocab M) (n_ctx M) ploL.
Hypothesis SpH : shaped (d_vocab M) (n_ctx M) phiL.

Variables (x : list nat) (q m : nat).
Hypothesis Hlen : length x = n_ctx M.
Hypothesis HxV : forall t, In t x -> (t < d_vocab M)%nat.
Hypothesis Hlast : last x O = q.
Hypothesis Hmax : max_tok x = m.

Lemma x_nonempty : x <> [].
Proof. intros E. pose proof (g_n1 _ _ _ G) as H. rewrite E in Hlen. cbn in Hlen. lia. Qed.

Lemma q_lt : (q < d_vocab M)%nat.
Proof. rewrite <- Hlast. apply HxV, last_In_nat, x_nonempty. Qed.

Lemma m_lt : (m < d_vocab M)%nat.
Proof. rewrite <- Hmax. apply HxV, max_tok_In_nat, x_nonempty. Qed.

(** entry y of the verdict's sum vector is InputInt.v's zsum over positions *)
Lemma verdict_sums_nth : forall f y, (y < d_vocab M)%nat ->
  length (verdict_sumsZ f P eloL ehiL ploL phiL m q x) = d_vocab M /\
  nth y (verdict_sumsZ f P eloL ehiL ploL phiL m q x) 0 =
  zsum (n_ctx M) (fun i => f (nth (tok x i) (nth q eloL []) 0 * nth i (nth q ploL []) 0)
                             (nth (tok x i) (nth q ehiL []) 0 * nth i (nth q phiL []) 0)
                             (inputZ M e0 q x m i y)).
Proof.
  intros f y Hy. pose proof q_lt as HqV. pose proof m_lt as HmV.
  destruct (paths_facts M e0 T G) as ((ShEU & ShEV & ShPV & _ & _) & NEU & NEV & NPV & _ & _).
  fold P in ShEU, ShEV, ShPV, NEU, NEV, NPV.
  destruct ShEU as [EU1 EU2]. destruct ShEV as [EV1 EV2]. destruct ShPV as [PV1 PV2].
  destruct SpL as [L1 L2]. destruct SpH as [H1 H2].
  assert (Ldu : length (centreZ m (nth q (pEUPU P) [])) = d_vocab M)
    by (unfold centreZ; rewrite vsubcZ_length; apply EU2, nth_In; lia).
  assert (Lev : forall t, In t x -> length (nth t (map (centreZ m) (pEVOU P)) []) = d_vocab M).
  { intros t Ht. pose proof (HxV t Ht).
    rewrite (nth_map_lt _ _ _ _ t [] []) by lia.
    unfold centreZ. rewrite vsubcZ_length. apply EV2, nth_In; lia. }
  assert (Lpv : forall r, In r (map (centreZ m) (pPVOU P)) -> length r = d_vocab M).
  { intros r Hr. apply in_map_iff in Hr. destruct Hr as [r0 [<- Hr0]].
    unfold centreZ. rewrite vsubcZ_length. apply PV2, Hr0. }
  assert (Lplo : length (nth q ploL []) = n_ctx M) by (apply L2, nth_In; lia).
  assert (Lphi : length (nth q phiL []) = n_ctx M) by (apply H2, nth_In; lia).
  unfold verdict_sumsZ. cbv zeta.
  destruct (input_sumZ_spec (d_vocab M) f (centreZ m (nth q (pEUPU P) [])) (nth q eloL [])
              (nth q ehiL []) (map (centreZ m) (pEVOU P)) x (map (centreZ m) (pPVOU P))
              (nth q ploL []) (nth q phiL []) (zerosZ (length (centreZ m (nth q (pEUPU P) [])))) y
              Ldu ltac:(rewrite zerosZ_length; exact Ldu) Lev Lpv)
    as [Ls Hs]; [rewrite map_length, PV1; exact Hlen
                |rewrite map_length, PV1, Lplo; lia|rewrite map_length, PV1, Lphi; lia|exact Hy|].
  split; [exact Ls|]. rewrite Hs, zerosZ_nth, map_length, PV1, Z.add_0_l.
  apply zsum_ext. intros i Hi.
  assert (Hti : (tok x i < d_vocab M)%nat) by (apply HxV; unfold tok; apply nth_In; lia).
  unfold input_term, inputZ. fold (tok x i).
  rewrite (nth_map_lt _ _ _ _ (tok x i) [] []) by lia.
  rewrite (nth_map_lt _ _ _ _ i [] []) by lia.
  assert (LEUq : length (nth q (pEUPU P) []) = d_vocab M) by (apply EU2, nth_In; lia).
  assert (LEVt : length (nth (tok x i) (pEVOU P) []) = d_vocab M) by (apply EV2, nth_In; lia).
  assert (LPVi : length (nth i (pPVOU P) []) = d_vocab M) by (apply PV2, nth_In; lia).
  unfold centreZ. rewrite !vsubcZ_nth by lia.
  rewrite !NEU, !NEV, !NPV by lia. f_equal. ring.
Qed.

Theorem input_list_correct :
  C0List.all_neg_exceptZ m O (verdict_sumsZ ubZ P eloL ehiL ploL phiL m q x) = true ->
  correct M x.
Proof.
  intros Hok. pose proof q_lt as HqV.
  destruct (row_tables M e0 T G F NT s_lo s_hi eloL ehiL ploL phiL HNT HtE HtP SeL SeH SpL SpH q HqV)
    as [HtabE HtabP].
  apply (input_correct_int M e0 X F (Z.to_nat NT) s_lo s_hi HF ltac:(lia) (g_h1 _ _ _ G) Hsqrt q
           (row_maxZ (nth q (pEQKE P) [])) (row_maxZ (nth q (pEQKP P) []))
           (fun t => nth t (nth q eloL []) 0) (fun t => nth t (nth q ehiL []) 0)
           (fun i => nth i (nth q ploL []) 0) (fun i => nth i (nth q phiL []) 0)
           HtabE HtabP x m (g_n1 _ _ _ G) Hlen Hlast Hmax HxV).
  intros y Hy Hym. destruct (verdict_sums_nth ubZ y Hy) as [Ls Hs].
  pose proof (all_neg_exceptZ_spec m _ O y Hok ltac:(lia) ltac:(lia)) as Hneg.
  rewrite Hs in Hneg. exact Hneg.
Qed.

Theorem input_list_wrong :
  some_nonneg_exceptZ m O (verdict_sumsZ lbZ P eloL ehiL ploL phiL m q x) = true ->
  ~ correct M x.
Proof.
  intros Hw. pose proof q_lt as HqV.
  destruct (some_nonneg_exceptZ_spec m _ O Hw) as [y (Hy & Hym & Hnn)].
  destruct (verdict_sums_nth lbZ O ltac:(pose proof (g_V1 _ _ _ G); lia)) as [Ls _].
  rewrite Ls in Hy. destruct (verdict_sums_nth lbZ y Hy) as [_ Hs]. rewrite Hs in Hnn.
  destruct (row_tables M e0 T G F NT s_lo s_hi eloL ehiL ploL phiL HNT HtE HtP SeL SeH SpL SpH q HqV)
    as [HtabE HtabP].
  apply (input_wrong_int M e0 X F (Z.to_nat NT) s_lo s_hi HF ltac:(lia) (g_h1 _ _ _ G) Hsqrt q
           (row_maxZ (nth q (pEQKE P) [])) (row_maxZ (nth q (pEQKP P) []))
           (fun t => nth t (nth q eloL []) 0) (fun t => nth t (nth q ehiL []) 0)
           (fun i => nth i (nth q ploL []) 0) (fun i => nth i (nth q phiL []) 0)
           HtabE HtabP x m (g_n1 _ _ _ G) Hlen Hlast Hmax HxV y Hy ltac:(lia) Hnn).
Qed.
End InputList.
