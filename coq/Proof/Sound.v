(** * Sound.v — the soundness of the certificate checker (issue 10, PLAN.md step 5):

      [checker_sound : check c = true ->
                       BigZ.to_Z (claimed_count c) <= Z.of_nat (count_correct (model_of c))]

    for every certificate [c] (Checker.v's data), with [model_of c] (Model.v) Spec's model of
    the certificate's weights.  The proof only assembles proved layers:
    - Model.v: the header checks give the shapes, and the aligned integers of [align_weights]
      are Spec's weights at the common scale (the hypotheses of CellList.v, as [Good]);
    - Link.v: [compute_paths], [check_sqrt] and [check_exp_tables] equal their Z twins;
    - Loops.v: checks 7..10 give, per row / c0 entry / cell, the Z-level facts of CellList.v,
      the lexicographic order of the keys and the claimed count as a sum;
    - CellList.v: each c0 entry and each cell covers only correct inputs;
    - Assemble.v: distinct correct cells count at most [count_correct]. *)
From Coq Require Import ZArith Lia List Sorted Bool.
From Bignums Require Import BigZ.
From MaxK Require Import Spec Checker CheckerSpec Proof.Int.PathInt Proof.Twins.PathList Proof.Twins.Good Proof.Int.ExpInt
  Proof.Twins.ExpTables Proof.Twins.Orders Proof.Int.Keys Proof.Reals.Count Proof.Int.CountInt Proof.Twins.MaskArr
  Proof.Twins.CellList Proof.Twins.Assemble Proof.Link.Link Proof.Link.Model Proof.Link.Loops.
Import ListNotations.
Local Open Scope Z_scope.

Notation toZ := BigZ.to_Z.


(** CellList's two theorems, which take the weight facts as one record [Good]. *)
Section WithGood.
Variables (M : Spec.model) (e0 : Z) (T : AlignedZ).
Hypothesis G : Good M e0 T.

Lemma good_cell : forall F NT s_lo s_hi eloL ehiL ploL phiL orders ZsL,
  0 <= F -> 1 <= NT -> ExpInt.check_sqrt s_lo s_hi (Z.of_nat (Spec.d_head M)) F = true ->
  exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKE (compute_pathsZ T)) eloL ehiL = true ->
  exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKP (compute_pathsZ T)) ploL phiL = true ->
  shaped (Spec.d_vocab M) (Spec.d_vocab M) eloL -> shaped (Spec.d_vocab M) (Spec.d_vocab M) ehiL ->
  shaped (Spec.d_vocab M) (Spec.n_ctx M) ploL -> shaped (Spec.d_vocab M) (Spec.n_ctx M) phiL ->
  length ZsL = Spec.d_vocab M ->
  forall q m c mask, (q <= m)%nat -> (m < Spec.d_vocab M)%nat -> (1 <= c)%nat ->
  (c <= Spec.n_ctx M - 1)%nat -> ((q < m)%nat -> (c < Spec.n_ctx M - 1)%nat) ->
  order_okZ (Z.of_nat (Spec.n_ctx M)) (nth q orders []) (nth q (pEQKP (compute_pathsZ T)) []) = true ->
  let UE := SplitList.split_maximaZ (pEUPU (compute_pathsZ T)) (pEVOU (compute_pathsZ T))
              (pPVOU (compute_pathsZ T)) ZsL m in
  let low := arrangementZ (nth q ploL []) (nth q phiL []) (nth q eloL []) (nth q ehiL [])
               (fst UE) (snd UE) (Z.of_nat m) (Z.of_nat q) (Z.of_nat (Spec.n_ctx M))
               (nth q orders []) c false in
  let high := arrangementZ (nth q ploL []) (nth q phiL []) (nth q eloL []) (nth q ehiL [])
                (fst UE) (snd UE) (Z.of_nat m) (Z.of_nat q) (Z.of_nat (Spec.n_ctx M))
                (nth q orders []) c true in
  mask_okZ low high (entryZ (fst UE) (Z.of_nat q)) (nth q eloL []) (nth q ehiL []) (snd UE) m mask
    = true ->
  forall x, In x (cell_inputs (Spec.n_ctx M) (mk_cell q m c (mask_set m mask))) -> correct M x.
Proof.
  intros F NT s_lo s_hi eloL ehiL ploL phiL orders ZsL HF HNT Hsqrt HtE HtP SeL SeH
    SpL SpH HZs q m c mask Hqm HmV Hc HcL Hcq Horder UE low high Hmask.
  exact (cell_list_correct M e0 T G F NT s_lo s_hi eloL ehiL ploL phiL orders HF HNT Hsqrt HtE HtP
    SeL SeH SpL SpH ZsL HZs q m c mask Hqm HmV Hc HcL Hcq Horder Hmask).
Qed.

Lemma good_c0 : forall F NT s_lo s_hi eloL ehiL ploL phiL,
  0 <= F -> 1 <= NT -> ExpInt.check_sqrt s_lo s_hi (Z.of_nat (Spec.d_head M)) F = true ->
  exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKE (compute_pathsZ T)) eloL ehiL = true ->
  exp_rows_okZ s_lo s_hi (- e0) F NT (pEQKP (compute_pathsZ T)) ploL phiL = true ->
  shaped (Spec.d_vocab M) (Spec.d_vocab M) eloL -> shaped (Spec.d_vocab M) (Spec.d_vocab M) ehiL ->
  shaped (Spec.d_vocab M) (Spec.n_ctx M) ploL -> shaped (Spec.d_vocab M) (Spec.n_ctx M) phiL ->
  forall q m, (q <= m)%nat -> (m < Spec.d_vocab M)%nat ->
  ((q < m)%nat -> (2 <= Spec.n_ctx M)%nat) ->
  c0_entry_okZ m q (compute_pathsZ T) eloL ehiL ploL phiL = true ->
  forall x, In x (cell_inputs (Spec.n_ctx M) (mk_cell q m 0 [])) -> correct M x.
Proof.
  intros F NT s_lo s_hi eloL ehiL ploL phiL HF HNT Hsqrt HtE HtP SeL SeH SpL SpH q m Hqm HmV Hq2 Hok.
  exact (c0_list_correct M e0 T G F NT s_lo s_hi eloL ehiL ploL phiL HF HNT Hsqrt HtE HtP
    SeL SeH SpL SpH q m Hqm HmV Hq2 Hok).
Qed.

Lemma good_paths_EQKP : length (pEQKP (compute_pathsZ T)) = Spec.d_vocab M.
Proof.
  destruct G. exact (proj1 (proj2 (proj2 (proj2 (proj2 (paths_shaped M T g_V1 g_n1 g_d1 g_h1
    g_SE g_SP g_SQ g_SK g_SV g_SO g_SU g_LbQ g_LbK g_LbV g_LbO g_LbU)))))).
Qed.
End WithGood.

Lemma nth_zm_length : forall (S : list (list bigZ)) j k,
  (forall r, In r S -> length r = k) -> (j < length S)%nat ->
  length (nth j (map (map toZ) S) []) = k.
Proof.
  intros S j k HS Hj. replace (@nil Z) with (map toZ (@nil bigZ)) by reflexivity.
  rewrite map_nth, map_length. apply HS, nth_In, Hj.
Qed.

(** What checks 1 and 4..9 give (checks 2 and 3 are not needed): the Z facts of the exp tables,
    the square root and the weights (for any later per-input test, as in CheckerExact.v), and
    the premises of [accuracy_of_lists] / [lists_cells] for the c0 entries and the cells.
    Shared by [checker_sound] and Proof/Link/Exact.v's [exact_sound]. *)
Theorem cubic_facts : forall c,
  check_header c = true ->
  Checker.check_sqrt (sqrt_lo c) (sqrt_hi c) (Checker.d_head c) (frac_bits c) = true ->
  check_exp_tables (compute_paths (align_weights (weights c))) c (a_z (align_weights (weights c)))
    = true ->
  check_orders (orders c) (compute_paths (align_weights (weights c))) (Checker.n_ctx c) = true ->
  check_c0 (c0 c) (compute_paths (align_weights (weights c))) (eqke_lo c) (eqke_hi c) (eqkp_lo c)
    (eqkp_hi c) (Checker.d_vocab c) (Checker.n_ctx c) = true ->
  check_cells (cells c) (mkCellsEnv (compute_paths (align_weights (weights c))) (shifts c) (eqke_lo c)
    (eqke_hi c) (eqkp_lo c) (eqkp_hi c) (orders c) (Checker.d_vocab c) (Checker.n_ctx c)) = true ->
  let M := model_of c in
  let T := aligned_link (align_weights (weights c)) in
  let e0 := toZ (min_exponent (weights c)) in
  let V := Spec.d_vocab M in let n := Spec.n_ctx M in
  (Good M e0 T /\ paths_link (compute_paths (align_weights (weights c))) = compute_pathsZ T /\
   0 <= toZ (frac_bits c) /\ 1 <= toZ (taylor_terms c) /\
   ExpInt.check_sqrt (toZ (sqrt_lo c)) (toZ (sqrt_hi c)) (Z.of_nat (Spec.d_head M)) (toZ (frac_bits c))
     = true /\
   exp_rows_okZ (toZ (sqrt_lo c)) (toZ (sqrt_hi c)) (- e0) (toZ (frac_bits c)) (toZ (taylor_terms c))
     (pEQKE (compute_pathsZ T)) (map (map toZ) (eqke_lo c)) (map (map toZ) (eqke_hi c)) = true /\
   exp_rows_okZ (toZ (sqrt_lo c)) (toZ (sqrt_hi c)) (- e0) (toZ (frac_bits c)) (toZ (taylor_terms c))
     (pEQKP (compute_pathsZ T)) (map (map toZ) (eqkp_lo c)) (map (map toZ) (eqkp_hi c)) = true) /\
  (forall x, In x (cells c) -> 0 <= toZ (cell_c x)) /\
  Sorted lex3 (map mqc (map c0_cell (map c0_nat (c0 c)))) /\
  Sorted lex3 (map mqc (map mask_cell (map cell_nat (cells c)))) /\
  (forall e, In e (map c0_nat (c0 c)) -> let '(m, q) := e in
     (q <= m < V)%nat /\ ((q < m)%nat -> (2 <= n)%nat)
     /\ forall x, In x (cell_inputs n (c0_cell e)) -> correct M x) /\
  (forall e, In e (map cell_nat (cells c)) -> let '(m, q, cc, mask) := e in
     (q <= m < V)%nat /\ (1 <= cc <= n - 1)%nat /\ ((q < m)%nat -> (cc < n - 1)%nat)
     /\ 0 <= mask < 2 ^ Z.of_nat m
     /\ forall x, In x (cell_inputs n (mask_cell e)) -> correct M x).
Proof.
  intros c Hh Hs He Ho H0 H1.
  destruct (header_facts c Hh) as [hV hn hd hh hV2 heloS hehiS hploS hphiS hordS hshifts hF hNT].
  pose proof (header_good c Hh) as G.
  set (M := model_of c) in *.
  set (T := align_weights (weights c)) in *.
  set (e0 := toZ (min_exponent (weights c))) in *.
  set (P := compute_paths T) in *.
  set (V := Spec.d_vocab M) in *. set (n := Spec.n_ctx M) in *.
  assert (Hz : toZ (a_z T) = - e0) by exact (g_z _ _ _ G).
  assert (Hz0 : 0 <= toZ (a_z T)) by (pose proof (g_e0 _ _ _ G); lia).
  assert (HPL : paths_link P = compute_pathsZ (aligned_link T))
    by (apply compute_paths_link; exact Hz0).
  assert (HF0 : 0 <= toZ (frac_bits c)) by (pose proof hF; lia).
  (* check 5 *)
  rewrite check_sqrt_link, hh in Hs by exact HF0.
  (* check 6 *)
  unfold check_exp_tables in He. apply andb_true_iff in He. destruct He as [HtE HtP].
  rewrite exp_rows_ok_link, Hz in HtE, HtP by assumption.
  change (map (map toZ) (EQKE P)) with (pEQKE (paths_link P)) in HtE.
  change (map (map toZ) (EQKP P)) with (pEQKP (paths_link P)) in HtP.
  rewrite HPL in HtE, HtP.
  (* check 7 *)
  unfold check_orders in Ho.
  assert (Hord : forall q, (q < V)%nat ->
    order_okZ (Z.of_nat n) (nth q (map (map toZ) (orders c)) [])
      (nth q (pEQKP (compute_pathsZ (aligned_link T))) []) = true).
  { intros q Hq. rewrite <- hn, <- HPL.
    destruct hordS as [HoL _]. rewrite map_length in HoL.
    apply orders_ok_rows; [exact Ho| |apply (Nat.lt_le_trans _ _ _ Hq), Nat.eq_le_incl; symmetry; exact HoL].
    pose proof (good_paths_EQKP _ _ _ G) as HL. rewrite <- HPL in HL.
    cbn [paths_link pEQKP] in HL. rewrite map_length in HL. fold V in HL. transitivity V; [exact HoL| symmetry; exact HL]. }
  (* checks 8, 9 *)
  destruct (check_c0_spec _ _ _ _ _ _ _ _ H0) as [Hs0 Hc0].
  destruct (check_cells_spec _ _ H1) as [Hs1 Hc1]. unfold cell_ok in Hc1.
  cbn [v_P v_shifts v_elo v_ehi v_plo v_phi v_orders v_V v_n] in Hc1.
  split; [split; [exact G|]; split; [exact HPL|]; split; [exact HF0|]; split; [exact hNT|];
         split; [exact Hs|]; split; [exact HtE| exact HtP]|].
  split.
  { intros x Hx. specialize (Hc1 x Hx). destruct (cell_nat x) as [[[m q] cc] mask]. tauto. }
  split; [exact Hs0|]. split; [exact Hs1|]. split.
  - intros e He'. apply in_map_iff in He'. destruct He' as [e' [<- He']].
    specialize (Hc0 e' He'). destruct (c0_nat e') as [m q].
    destruct Hc0 as (Hqm & Hq2 & Hok). split; [exact Hqm|]. split; [exact Hq2|].
    rewrite HPL in Hok.
    eapply (good_c0 M e0 (aligned_link T) G); try eassumption; try lia.
  - intros x Hx. apply in_map_iff in Hx. destruct Hx as [x' [<- Hx']].
    specialize (Hc1 x' Hx').
    pose proof hshifts as Hsh.
    destruct (cell_nat x') as [[[m q] cc] mask].
    destruct Hc1 as (Hqm & Hcn & Hcq & Hmask & _ & Hj & Hok).
    split; [exact Hqm|]. split; [exact Hcn|]. split; [exact Hcq|]. split; [exact Hmask|].
    rewrite HPL in Hok.
    assert (HqV : (q < V)%nat) by lia.
    pose proof (Hord q HqV) as Hoq.
    eapply (good_cell M e0 (aligned_link T) G); try eassumption; try lia.
    apply nth_zm_length; [exact Hsh | exact Hj].
Qed.

Theorem checker_sound : forall c, check c = true ->
  toZ (claimed_count c) <= Z.of_nat (count_correct (model_of c)).
Proof.
  intros c Hc. unfold check in Hc.
  destruct (check_header c) eqn:Hh; [|discriminate Hc].
  destruct (check_float32 (weights c)); [|discriminate Hc].
  cbv zeta in Hc.
  destruct (Checker.check_sqrt (sqrt_lo c) (sqrt_hi c) (Checker.d_head c) (frac_bits c)) eqn:Hs; [|discriminate Hc].
  destruct (check_exp_tables _ _ _) eqn:He; [|discriminate Hc].
  destruct (check_orders _ _ _) eqn:Ho; [|discriminate Hc].
  destruct (check_c0 _ _ _ _ _ _ _ _) eqn:H0; [|discriminate Hc].
  destruct (check_cells _ _) eqn:H1; [|discriminate Hc].
  destruct (cubic_facts c Hh Hs He Ho H0 H1) as (_ & Hcc & Hs0 & Hs1 & Hc0 & Hc1).
  pose proof (g_n1 _ _ _ (header_good c Hh)) as Hn1.
  pose proof (h_n _ (header_facts c Hh)) as hn.
  rewrite (check_count_spec _ _ _ _ Hc); [| lia | exact Hcc].
  rewrite <- (map_length c0_nat (c0 c)).
  apply (accuracy_of_lists (model_of c)); assumption.
Qed.
