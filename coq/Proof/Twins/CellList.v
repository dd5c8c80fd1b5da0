(** * CellList.v — one cell of check 9 on the Checker-shaped Z lists (compute_pathsZ of the
    aligned weights, the exp tables, the orders, a shift vector, split_maximaZ, mask_okZ on the
    two prepared arrangements) => every input the cell covers is correct in Spec's semantics. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Spec Proof.Int.ExpInt Proof.Twins.ExpLoop Proof.Reals.Count Proof.Int.PathInt Proof.Reals.Cubic
  Proof.Reals.CellSound Proof.Int.CellInt Proof.Twins.ListOps Proof.Twins.PathList Proof.Twins.Orders Proof.Twins.SplitList
  Proof.Twins.Arrange Proof.Twins.ExpTables Proof.Twins.MaskArr Proof.Int.CountInt Proof.Twins.C0List Proof.Twins.Good.
Import ListNotations.
Local Open Scope Z_scope.

(** check 8 for one entry (m, q), in the shape of coq/Checker.v's c0_entry_ok *)
Definition c0_entry_okZ (m q : nat) (P : PathsZ) (elo ehi plo phi : list (list Z)) : bool :=
  let du := centreZ m (nth q (pEUPU P) []) in
  let evm := centreZ m (nth m (pEVOU P) []) in
  let evq := centreZ m (nth q (pEVOU P) []) in
  let pv := map (centreZ m) (pPVOU P) in
  let em := (nth m (nth q elo []) 0, nth m (nth q ehi []) 0) in
  let eqq := (nth q (nth q elo []) 0, nth q (nth q ehi []) 0) in
  let s := c0_sumZ du evm evq em eqq pv (nth q plo []) (nth q phi []) (zerosZ (length du)) in
  all_neg_exceptZ m O s.

Section CellList.
Variable M : model.
Variable e0 : Z.
Variable T : AlignedZ.
Notation V := (d_vocab M).
Notation n := (n_ctx M).
Notation d := (d_model M).
Notation h := (d_head M).
(** The weight facts of check 1, as one record (Proof/Twins/Good.v); the proofs below use each
    field under its short name. *)
Variable G : Good M e0 T.
Let He0 := @g_e0 _ _ _ G.
Let HxE := @g_xE _ _ _ G.
Let HxP := @g_xP _ _ _ G.
Let HxQ := @g_xQ _ _ _ G.
Let HxK := @g_xK _ _ _ G.
Let HxV := @g_xV _ _ _ G.
Let HxO := @g_xO _ _ _ G.
Let HxU := @g_xU _ _ _ G.
Let HxbQ := @g_xbQ _ _ _ G.
Let HxbK := @g_xbK _ _ _ G.
Let HxbV := @g_xbV _ _ _ G.
Let HxbO := @g_xbO _ _ _ G.
Let HxbU := @g_xbU _ _ _ G.
Let Hz := @g_z _ _ _ G.
Let HV1 := @g_V1 _ _ _ G.
Let Hn1 := @g_n1 _ _ _ G.
Let Hd1 := @g_d1 _ _ _ G.
Let Hh1 := @g_h1 _ _ _ G.
Let SE := @g_SE _ _ _ G.
Let SP := @g_SP _ _ _ G.
Let SQ := @g_SQ _ _ _ G.
Let SK := @g_SK _ _ _ G.
Let SV := @g_SV _ _ _ G.
Let SO := @g_SO _ _ _ G.
Let SU := @g_SU _ _ _ G.
Let LbQ := @g_LbQ _ _ _ G.
Let LbK := @g_LbK _ _ _ G.
Let LbV := @g_LbV _ _ _ G.
Let LbO := @g_LbO _ _ _ G.
Let LbU := @g_LbU _ _ _ G.
Let EE := @g_EE _ _ _ G.
Let EP := @g_EP _ _ _ G.
Let EQ := @g_EQ _ _ _ G.
Let EK := @g_EK _ _ _ G.
Let EV := @g_EV _ _ _ G.
Let EO := @g_EO _ _ _ G.
Let EU := @g_EU _ _ _ G.
Let EbQ := @g_EbQ _ _ _ G.
Let EbK := @g_EbK _ _ _ G.
Let EbV := @g_EbV _ _ _ G.
Let EbO := @g_EbO _ _ _ G.
Let EbU := @g_EbU _ _ _ G.
Let X : Exps M e0 := @mkExps M e0 He0 HxE HxP HxQ HxK HxV HxO HxU HxbQ HxbK HxbV HxbO HxbU.

Let P := compute_pathsZ T.

Variables (F NT s_lo s_hi : Z) (eloL ehiL ploL phiL orders : list (list Z)).
Hypothesis HF : 0 <= F.
Hypothesis HNT : 1 <= NT.
Hypothesis Hsqrt : check_sqrt s_lo s_hi (Z.of_nat h) F = true.
Hypothesis HtE : exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKE P) eloL ehiL = true.
Hypothesis HtP : exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKP P) ploL phiL = true.
Hypothesis SeL : shaped V V eloL.
Hypothesis SeH : shaped V V ehiL.
Hypothesis SpL : shaped V n ploL.
Hypothesis SpH : shaped V n phiL.

(** the path lists are shaped, and their entries are the integer path matrices of PathInt.v *)
Lemma paths_facts :
  (shaped V V (pEUPU P) /\ shaped V V (pEVOU P) /\ shaped n V (pPVOU P)
   /\ shaped V V (pEQKE P) /\ shaped V n (pEQKP P)) /\
  (forall a y, (a < V)%nat -> (y < V)%nat -> nth y (nth a (pEUPU P) []) 0 = EUPUZ M e0 a y) /\
  (forall a y, (a < V)%nat -> (y < V)%nat -> nth y (nth a (pEVOU P) []) 0 = EVOUZ M e0 a y) /\
  (forall a y, (a < n)%nat -> (y < V)%nat -> nth y (nth a (pPVOU P) []) 0 = PVOUZ M e0 a y) /\
  (forall a y, (a < V)%nat -> (y < V)%nat -> nth y (nth a (pEQKE P) []) 0 = EQKEZ M e0 a y) /\
  (forall a y, (a < V)%nat -> (y < n)%nat -> nth y (nth a (pEQKP P) []) 0 = EQKPZ M e0 a y).
Proof.
  split; [unfold P; eapply paths_shaped; eauto|].
  repeat split; intros; unfold P;
    [eapply EUPU_list | eapply EVOU_list | eapply PVOU_list | eapply EQKE_list | eapply EQKP_list];
    eauto.
Qed.

(** the exp tables of row q enclose the softmax numerators of CellInt.v *)
Lemma row_tables : forall q, (q < V)%nat ->
  (forall t, (t < V)%nat ->
    EQKEZ M e0 q t <= row_maxZ (nth q (pEQKE P) []) /\
    check_exp_neg F (Z.to_nat NT) (nth t (nth q eloL []) 0) (nth t (nth q ehiL []) 0)
      (- (EQKEZ M e0 q t - row_maxZ (nth q (pEQKE P) [])) * 2 ^ F) (s_hi * 2 ^ (4 * - e0))
      (- (EQKEZ M e0 q t - row_maxZ (nth q (pEQKE P) [])) * 2 ^ F) (s_lo * 2 ^ (4 * - e0)) = true) /\
  (forall i, (i < n)%nat ->
    EQKPZ M e0 q i <= row_maxZ (nth q (pEQKP P) []) /\
    check_exp_neg F (Z.to_nat NT) (nth i (nth q ploL []) 0) (nth i (nth q phiL []) 0)
      (- (EQKPZ M e0 q i - row_maxZ (nth q (pEQKP P) [])) * 2 ^ F) (s_hi * 2 ^ (4 * - e0))
      (- (EQKPZ M e0 q i - row_maxZ (nth q (pEQKP P) [])) * 2 ^ F) (s_lo * 2 ^ (4 * - e0)) = true).
Proof.
  intros q HqV.
  destruct paths_facts as ((_ & _ & _ & ShKE & ShKP) & _ & _ & _ & NKE & NKP).
  split.
  - intros t Ht. rewrite <- NKE by lia.
    destruct ShKE as [K1 K2]. destruct SeL as [L1 L2]. destruct SeH as [H1 H2].
    apply (exp_rows_okZ_spec s_lo s_hi (- e0) F NT (pEQKE P) eloL ehiL q t HNT HtE);
      try lia; [rewrite K2 | rewrite L2 | rewrite H2]; try lia; apply nth_In; lia.
  - intros i Hi. rewrite <- NKP by lia.
    destruct ShKP as [K1 K2]. destruct SpL as [L1 L2]. destruct SpH as [H1 H2].
    apply (exp_rows_okZ_spec s_lo s_hi (- e0) F NT (pEQKP P) ploL phiL q i HNT HtP);
      try lia; [rewrite K2 | rewrite L2 | rewrite H2]; try lia; apply nth_In; lia.
Qed.

Variable ZsL : list Z.
Hypothesis HZs : length ZsL = V.

Variables (q m c : nat) (mask : Z).
Hypothesis Hqm : (q <= m)%nat.
Hypothesis HmV : (m < V)%nat.
Hypothesis Hc : (1 <= c)%nat.
Hypothesis HcL : (c <= n - 1)%nat.
Hypothesis Hcq : (q < m)%nat -> (c < n - 1)%nat.
Hypothesis Horder : order_okZ (Z.of_nat n) (nth q orders []) (nth q (pEQKP P) []) = true.

Let UE := split_maximaZ (pEUPU P) (pEVOU P) (pPVOU P) ZsL m.
Let Ul := fst UE.
Let El := snd UE.
Let oq := nth q orders [].
Let low := arrangementZ (nth q ploL []) (nth q phiL []) (nth q eloL []) (nth q ehiL []) Ul El
             (Z.of_nat m) (Z.of_nat q) (Z.of_nat n) oq c false.
Let high := arrangementZ (nth q ploL []) (nth q phiL []) (nth q eloL []) (nth q ehiL []) Ul El
              (Z.of_nat m) (Z.of_nat q) (Z.of_nat n) oq c true.
Hypothesis Hmask : mask_okZ low high (entryZ Ul (Z.of_nat q)) (nth q eloL []) (nth q ehiL []) El m mask = true.

Theorem cell_list_correct : forall x,
  In x (cell_inputs n (mk_cell q m c (mask_set m mask))) -> correct M x.
Proof.
  destruct paths_facts as ((ShEU & ShEV & ShPV & ShKE & ShKP) & NEU & NEV & NPV & NKE & NKP).
  assert (HqV : (q < V)%nat) by lia.
  destruct (row_tables q HqV) as [HtabE HtabP].
  (* the order of row q *)
  destruct (order_okZ_spec (Z.of_nat n) oq (nth q (pEQKP P) []) ltac:(lia) Horder) as [Hperm Hsort].
  replace (Z.to_nat (Z.of_nat n - 1)) with (n - 1)%nat in Hperm, Hsort by lia.
  set (o := map Z.to_nat oq).
  assert (HoL : forall j, (j < n - 1)%nat -> (nth j o O < n - 1)%nat).
  { intros j Hj. destruct Hperm as (Hl & _ & Hin). apply Hin, nth_In. lia. }
  assert (Hon : forall j, nth j o O = Z.to_nat (nth j oq 0)).
  { intros j. unfold o. change O with (Z.to_nat 0). apply map_nth. }
  assert (HsortedZ : forall j k, (j <= k)%nat -> (k < n - 1)%nat ->
    EQKPZ M e0 q (nth j o O) <= EQKPZ M e0 q (nth k o O)).
  { intros j k Hjk Hk. pose proof (HoL j ltac:(lia)). pose proof (HoL k Hk).
    rewrite <- !NKP by lia.
    rewrite !Hon. apply (Hsort j k Hjk Hk). }
  (* split maxima *)
  assert (HU : forall y, (y < V)%nat -> y <> m ->
    EUPUZ M e0 q y + nth y ZsL 0 - (EUPUZ M e0 q m + nth m ZsL 0) <= nth q Ul 0).
  { intros y Hy Hym.
    exact (split_U V n (pEUPU P) (pEVOU P) (pPVOU P) ZsL m (EUPUZ M e0) HmV Hn1 ShEU HZs NEU
             q y HqV Hy Hym). }
  assert (HE : forall t y, (t < V)%nat -> (y < V)%nat -> y <> m ->
    EVOUZ M e0 t y - nth y ZsL 0 - (EVOUZ M e0 t m - nth m ZsL 0) + nth y (p_maxZ (pPVOU P) m) 0
    <= nth t El 0).
  { intros t y Ht Hy Hym.
    exact (split_E V n (pEUPU P) (pEVOU P) (pPVOU P) ZsL m (EVOUZ M e0) (PVOUZ M e0) HmV Hn1
             ShEV ShPV HZs NEV NPV t y Ht Hy Hym). }
  assert (HP : forall i y, (i < n)%nat -> (y < V)%nat -> y <> m ->
    PVOUZ M e0 i y - PVOUZ M e0 i m <= nth y (p_maxZ (pPVOU P) m) 0).
  { intros i y Hi Hy Hym.
    exact (split_P V n (pPVOU P) ZsL m (PVOUZ M e0) HmV Hn1 ShPV HZs NPV i y Hi Hy). }
  (* the cell and its set *)
  assert (Hvalid : cell_valid V n (mk_cell q m c (mask_set m mask))).
  { unfold cell_valid; simpl. split; [lia|]. split; [lia|]. split; [apply mask_set_NoDup|].
    split; [apply mask_set_lt|]. split; [lia| exact Hcq]. }
  assert (Hk := mask_cell_Hk (nth q ploL []) (nth q phiL []) (nth q eloL []) (nth q ehiL []) Ul El
                  m q (Z.of_nat n) oq c mask).
  replace (Z.to_nat (Z.of_nat n - 1)) with (n - 1)%nat in Hk by lia.
  specialize (Hk ltac:(destruct Hperm as [Hl _]; unfold o in Hl; rewrite map_length in Hl; exact Hl)
                 HcL).
  assert (Hlens : (m <= length (nth q eloL []))%nat /\ (m <= length (nth q ehiL []))%nat
                  /\ (m <= length El)%nat).
  { destruct SeL as [L1 L2]. destruct SeH as [H1 H2].
    assert (HEl : length El = V).
    { unfold El, UE, split_maximaZ. simpl. rewrite map_length. destruct ShEV; assumption. }
    rewrite L2, H2, HEl by (apply nth_In; lia). lia. }
  specialize (Hk Hlens Hmask).
  apply (cell_correct_int M e0 X
           F (Z.to_nat NT) s_lo s_hi HF ltac:(lia) Hh1 Hsqrt q
           (row_maxZ (nth q (pEQKE P) [])) (row_maxZ (nth q (pEQKP P) []))
           (fun t => nth t (nth q eloL []) 0) (fun t => nth t (nth q ehiL []) 0)
           (fun i => nth i (nth q ploL []) 0) (fun i => nth i (nth q phiL []) 0)
           HtabE HtabP m c (mask_set m mask) (fun y => nth y ZsL 0) o (nth q Ul 0)
           (fun t => nth t El 0) (fun y => nth y (p_maxZ (pPVOU P) m) 0)
           Hvalid Hc Hperm HsortedZ HU HE HP).
  exact Hk.
Qed.
Theorem c0_list_correct : ((q < m)%nat -> (2 <= n)%nat) ->
  c0_entry_okZ m q P eloL ehiL ploL phiL = true ->
  forall x, In x (cell_inputs n (mk_cell q m 0 [])) -> correct M x.
Proof.
  intros Hq2 Hok. clear Hmask Horder Hcq HcL Hc HZs.
  destruct paths_facts as ((ShEU & ShEV & ShPV & ShKE & ShKP) & NEU & NEV & NPV & NKE & NKP).
  assert (HqV : (q < V)%nat) by lia.
  destruct (row_tables q HqV) as [HtabE HtabP].
  assert (Hvalid : cell_valid V n (mk_cell q m 0 [])).
  { unfold cell_valid; simpl. split; [lia|]. split; [lia|]. split; [constructor|].
    split; [intros s []|]. split; [lia|]. intros H. specialize (Hq2 H). lia. }
  apply (c0_correct_int M e0 X
           F (Z.to_nat NT) s_lo s_hi HF ltac:(lia) Hh1 Hsqrt q
           (row_maxZ (nth q (pEQKE P) [])) (row_maxZ (nth q (pEQKP P) []))
           (fun t => nth t (nth q eloL []) 0) (fun t => nth t (nth q ehiL []) 0)
           (fun i => nth i (nth q ploL []) 0) (fun i => nth i (nth q phiL []) 0)
           HtabE HtabP m Hn1 Hvalid).
  intros y Hy Hym.
  (* the accumulated vector of c0_entry_okZ *)
  unfold c0_entry_okZ in Hok. cbv zeta in Hok.
  destruct ShEU as [EU1 EU2]. destruct ShEV as [EV1 EV2]. destruct ShPV as [PV1 PV2].
  destruct SpL as [L1 L2]. destruct SpH as [H1 H2].
  assert (Ldu : length (centreZ m (nth q (pEUPU P) [])) = V)
    by (unfold centreZ; rewrite vsubcZ_length; apply EU2, nth_In; lia).
  assert (Lev : forall a, (a < V)%nat -> length (centreZ m (nth a (pEVOU P) [])) = V)
    by (intros a Ha; unfold centreZ; rewrite vsubcZ_length; apply EV2, nth_In; lia).
  assert (Lpv : forall r, In r (map (centreZ m) (pPVOU P)) -> length r = V).
  { intros r Hr. apply in_map_iff in Hr. destruct Hr as [r0 [<- Hr0]].
    unfold centreZ. rewrite vsubcZ_length. apply PV2, Hr0. }
  destruct (c0_sumZ_spec V (centreZ m (nth q (pEUPU P) [])) (centreZ m (nth m (pEVOU P) []))
              (centreZ m (nth q (pEVOU P) []))
              (nth m (nth q eloL []) 0, nth m (nth q ehiL []) 0)
              (nth q (nth q eloL []) 0, nth q (nth q ehiL []) 0)
              (map (centreZ m) (pPVOU P)) (nth q ploL []) (nth q phiL [])
              (zerosZ (length (centreZ m (nth q (pEUPU P) [])))) y
              Ldu (Lev m HmV) (Lev q HqV) ltac:(rewrite zerosZ_length; exact Ldu) Lpv)
    as [Ls Hs];
    [rewrite map_length, PV1, L2 by (apply nth_In; lia); lia
    |rewrite map_length, PV1, H2 by (apply nth_In; lia); lia| exact Hy|].
  pose proof (all_neg_exceptZ_spec m _ O y Hok ltac:(lia) ltac:(lia)) as Hneg.
  rewrite Hs, zerosZ_nth, map_length, PV1 in Hneg.
  eapply Z.le_lt_trans; [|exact Hneg]. apply Z.eq_le_incl.
  assert (LEUq : length (nth q (pEUPU P) []) = V) by (apply EU2, nth_In; lia).
  assert (LEVm : length (nth m (pEVOU P) []) = V) by (apply EV2, nth_In; lia).
  assert (LEVq : length (nth q (pEVOU P) []) = V) by (apply EV2, nth_In; lia).
  apply zsum_ext. intros i Hi.
  assert (LPVi : length (nth i (pPVOU P) []) = V) by (apply PV2, nth_In; lia).
  unfold c0_term, c0Z, c0tok.
  rewrite map_length, PV1.
  destruct (Nat.ltb i (n - 1)) eqn:Elt; [apply Nat.ltb_lt in Elt| apply Nat.ltb_ge in Elt].
  - replace (Nat.eqb (S i) n) with false by (symmetry; apply Nat.eqb_neq; lia). simpl fst; simpl snd.
    unfold centreZ.
    rewrite (nth_map_lt _ _ _ _ i [] []) by lia.
    rewrite !vsubcZ_nth by lia.
    rewrite !NEU, !NEV, !NPV by lia. f_equal. ring.
  - replace (Nat.eqb (S i) n) with true by (symmetry; apply Nat.eqb_eq; lia). simpl fst; simpl snd.
    unfold centreZ.
    rewrite (nth_map_lt _ _ _ _ i [] []) by lia.
    rewrite !vsubcZ_nth by lia.
    rewrite !NEU, !NEV, !NPV by lia. f_equal. ring.
Qed.
End CellList.
