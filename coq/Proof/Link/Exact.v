(** * Exact.v — the soundness of the exact certificate checker (issue 20, coq/CheckerExact.v):

      [exact_sound : check_exact x = true ->
                     lo <= count_correct (model_of (base x)) <= hi]

    with lo = claimed_count (base x), hi = claimed_upper x.  The proof assembles proved layers:
    - Sound.v's [cubic_facts]: checks 1, 4..9 (the same as in [checker_sound]) give the Z facts
      of the weights, the square root and the exp tables, and the premises of Assemble.v's
      [lists_cells] (distinct valid correct cells whose sizes sum to len(c0) + cells_count);
    - [verdict_sound] (per input, for any later faster verdict path proved equal to [verdict]):
      the BigZ verdict 0 / 1 of an input proves it correct / misclassified (the BigZ sums equal
      InputList.v's Z twins, which give InputInt.v's hypotheses);
    - ExactCount.v: check 11's triple is (|R|, #ok, #wrong) of Residual.v's [residual], and the
      lookups of the enumeration satisfy Residual.v's hypotheses;
    - Residual.v's [exact_count_residual]: cells + #ok <= count_correct and
      count_correct + #wrong <= V^n; check 12 gives lo = cubic + #ok and hi = V^n - #wrong. *)
From Coq Require Import List ZArith Lia Sorted Bool.
From Bignums Require Import BigZ.
From MaxK Require Import Spec Checker CheckerSpec CheckerExact Proof.Link.Model Proof.Link.Loops
  Proof.Link.ExactCount.
From MaxK Require Proof.Reals.Count Proof.Reals.AllSeqs Proof.Reals.Residual Proof.Reals.Cubic
  Proof.Reals.InputSound Proof.Int.ExpInt Proof.Int.Keys Proof.Twins.ListOps Proof.Twins.PathList
  Proof.Twins.ExpTables Proof.Twins.C0List Proof.Twins.Good Proof.Twins.Assemble Proof.Twins.InputList
  Proof.Link.Link Proof.Link.Model Proof.Link.Loops Proof.Link.ExactCount Proof.Sound.
Import ListNotations.
Local Open Scope Z_scope.

(** ** The verdict sums (CheckerExact.input_sum / sums) equal InputList.v's twins *)

Lemma lb_link : forall a b z,
  toZ (CheckerExact.lb a b z) = InputSound.lbZ (toZ a) (toZ b) (toZ z).
Proof.
  intros a b z. unfold CheckerExact.lb, InputSound.lbZ. bigz.
  destruct (0 <=? toZ z); bigz; reflexivity.
Qed.

Lemma some_nonneg_except_link : forall m v i,
  some_nonneg_except m i v = InputList.some_nonneg_exceptZ m i (zl v).
Proof.
  intros m v. induction v as [|x v IH]; intros i; [reflexivity|].
  cbn [some_nonneg_except InputList.some_nonneg_exceptZ map]. rewrite IH. bigz. reflexivity.
Qed.

Lemma map_f_link : forall (f : bigZ -> bigZ -> bigZ -> bigZ) (fZ : Z -> Z -> Z -> Z),
  (forall a b z, toZ (f a b z) = fZ (toZ a) (toZ b) (toZ z)) ->
  forall a b l, zl (map (f a b) l) = map (fZ (toZ a) (toZ b)) (zl l).
Proof. intros f fZ Hf a b l. rewrite !map_map. apply map_ext. intros z. apply Hf. Qed.

Lemma nth_zl : forall (l : list bigZ) t, toZ (nth t l 0%bigZ) = nth t (zl l) 0.
Proof. intros l t. rewrite <- toZ_0, map_nth. reflexivity. Qed.

Lemma nth_zm : forall (l : list (list bigZ)) t, zl (nth t l []) = nth t (zm l) [].
Proof. intros l t. exact (eq_sym (map_nth zl l [] t)). Qed.

Lemma input_sum_link : forall (f : bigZ -> bigZ -> bigZ -> bigZ) (fZ : Z -> Z -> Z -> Z),
  (forall a b z, toZ (f a b z) = fZ (toZ a) (toZ b) (toZ z)) ->
  forall E toks pv plo phi acc,
  zl (input_sum f E toks pv plo phi acc) =
  InputList.input_sumZ fZ (zl (e_du E)) (zl (e_elo E)) (zl (e_ehi E)) (zm (e_ev E)) toks (zm pv)
    (zl plo) (zl phi) (zl acc).
Proof.
  intros f fZ Hf E toks. induction toks as [|t toks IH]; intros pv plo phi acc; [reflexivity|].
  destruct pv as [|p pv]; [reflexivity|]. destruct plo as [|pl plo]; [reflexivity|].
  destruct phi as [|ph phi]; [reflexivity|].
  cbn [input_sum InputList.input_sumZ map]. rewrite IH. f_equal.
  rewrite Link.vadd_link, (map_f_link f fZ Hf), !Link.vadd_link, nth_zm, !BigZ.spec_mul, !nth_zl.
  reflexivity.
Qed.

Lemma map_centre_link : forall mZ L,
  zm (map (centre mZ) L) = map (ListOps.centreZ (Z.to_nat (toZ mZ))) (zm L).
Proof. intros mZ L. rewrite !map_map. apply map_ext. intros r. apply Link.centre_link. Qed.

Lemma of_nat_link : forall k : nat, Z.to_nat (toZ (BigZ.of_Z (Z.of_nat k))) = k.
Proof. intros k. rewrite BigZ.spec_of_Z. apply Nat2Z.id. Qed.

(** CheckerExact.sums in the class environment of (m, q) *)
Lemma class_sums_link : forall (f : bigZ -> bigZ -> bigZ -> bigZ) (fZ : Z -> Z -> Z -> Z),
  (forall a b z, toZ (f a b z) = fZ (toZ a) (toZ b) (toZ z)) ->
  forall P elo ehi plo phi m q x,
  zl (sums f (class_env P elo ehi plo phi m q) x) =
  InputList.verdict_sumsZ fZ (Link.paths_link P) (zm elo) (zm ehi) (zm plo) (zm phi) m q x.
Proof.
  intros f fZ Hf P elo ehi plo phi m q x. unfold sums.
  rewrite (input_sum_link f fZ Hf), Link.zeros_link.
  unfold class_env, InputList.verdict_sumsZ, Link.paths_link.
  cbn [e_du e_elo e_ehi e_ev e_pv e_plo e_phi PathList.pEUPU PathList.pEVOU PathList.pPVOU].
  rewrite <- (map_length toZ (centre _ _)).
  rewrite !map_centre_link, !Link.centre_link, !Link.row_link, !of_nat_link.
  reflexivity.
Qed.

Lemma verdict_link : forall P elo ehi plo phi m q x,
  (verdict (class_env P elo ehi plo phi m q) m x = 0%nat ->
     C0List.all_neg_exceptZ m O (InputList.verdict_sumsZ Cubic.ubZ (Link.paths_link P)
       (zm elo) (zm ehi) (zm plo) (zm phi) m q x) = true) /\
  (verdict (class_env P elo ehi plo phi m q) m x = 1%nat ->
     InputList.some_nonneg_exceptZ m O (InputList.verdict_sumsZ InputSound.lbZ (Link.paths_link P)
       (zm elo) (zm ehi) (zm plo) (zm phi) m q x) = true).
Proof.
  intros P elo ehi plo phi m q x. unfold verdict.
  rewrite Link.all_neg_except_link, some_nonneg_except_link,
    (class_sums_link ub Cubic.ubZ Link.ub_link), (class_sums_link CheckerExact.lb InputSound.lbZ lb_link).
  destruct (C0List.all_neg_exceptZ _ _ _); [split; intros H; [reflexivity| discriminate H]|].
  destruct (InputList.some_nonneg_exceptZ _ _ _); split; intros H; discriminate H || reflexivity.
Qed.

(** ** One input: its verdict is sound *)
Theorem verdict_sound : forall M e0 TZ (G : Good.Good M e0 TZ) (P : Paths)
    (elo ehi plo phi : list (list bigZ)) F NT s_lo s_hi,
  Link.paths_link P = PathList.compute_pathsZ TZ -> 0 <= F -> 1 <= NT ->
  ExpInt.check_sqrt s_lo s_hi (Z.of_nat (Spec.d_head M)) F = true ->
  ExpTables.exp_rows_okZ s_lo s_hi (- e0) F NT (PathList.pEQKE (PathList.compute_pathsZ TZ))
    (zm elo) (zm ehi) = true ->
  ExpTables.exp_rows_okZ s_lo s_hi (- e0) F NT (PathList.pEQKP (PathList.compute_pathsZ TZ))
    (zm plo) (zm phi) = true ->
  PathList.shaped (Spec.d_vocab M) (Spec.d_vocab M) (zm elo) ->
  PathList.shaped (Spec.d_vocab M) (Spec.d_vocab M) (zm ehi) ->
  PathList.shaped (Spec.d_vocab M) (Spec.n_ctx M) (zm plo) ->
  PathList.shaped (Spec.d_vocab M) (Spec.n_ctx M) (zm phi) ->
  forall x q m, length x = Spec.n_ctx M -> (forall t, In t x -> (t < Spec.d_vocab M)%nat) ->
  last x O = q -> max_tok x = m ->
  (verdict (class_env P elo ehi plo phi m q) m x = 0%nat -> correct M x) /\
  (verdict (class_env P elo ehi plo phi m q) m x = 1%nat -> ~ correct M x).
Proof.
  intros M e0 TZ G P elo ehi plo phi F NT s_lo s_hi HPL HF HNT Hsq HtE HtP SeL SeH SpL SpH
    x q m Hlen HxV Hlast Hmax.
  destruct (verdict_link P elo ehi plo phi m q x) as [Hok Hwr]. rewrite HPL in Hok, Hwr.
  split; intros Hv.
  - exact (InputList.input_list_correct M e0 TZ G F NT s_lo s_hi (zm elo) (zm ehi) (zm plo) (zm phi)
             HF HNT Hsq HtE HtP SeL SeH SpL SpH x q m Hlen HxV Hlast Hmax (Hok Hv)).
  - exact (InputList.input_list_wrong M e0 TZ G F NT s_lo s_hi (zm elo) (zm ehi) (zm plo) (zm phi)
             HF HNT Hsq HtE HtP SeL SeH SpL SpH x q m Hlen HxV Hlast Hmax (Hwr Hv)).
Qed.

(** ** Check 1: n_inputs = V^n *)
Lemma header_inputs : forall c, check_header c = true ->
  toZ (n_inputs c) = Z.of_nat (Spec.d_vocab (model_of c) ^ Spec.n_ctx (model_of c)).
Proof.
  intros c H. pose proof (Model.h_V _ (Model.header_facts c H)) as hV.
  unfold check_header in H. destruct (header_shapes_ok c); [|discriminate H]. cbv zeta in H.
  rewrite !andb_true_iff in H.
  repeat match goal with Hc : _ /\ _ |- _ => destruct Hc end.
  match goal with Hc : (n_inputs c =? _)%bigZ = true |- _ =>
    rewrite BigZ.spec_eqb, Z.eqb_eq, Loops.pow_nat_link in Hc; rewrite Hc end.
  rewrite hV, Nat2Z.inj_pow. reflexivity.
Qed.

(** ** The theorem *)
Theorem exact_sound : forall x : ExactCert, check_exact x = true ->
  toZ (claimed_count (base x)) <= Z.of_nat (count_correct (model_of (base x)))
  /\ Z.of_nat (count_correct (model_of (base x))) <= toZ (claimed_upper x).
Proof.
  intros x Hx. unfold check_exact in Hx. set (c := base x) in *.
  destruct (check_header c) eqn:Hh; [|discriminate Hx].
  destruct (check_float32 (weights c)); [|discriminate Hx].
  cbv zeta in Hx.
  destruct (Checker.check_sqrt (sqrt_lo c) (sqrt_hi c) (Checker.d_head c) (frac_bits c)) eqn:Hs;
    [|discriminate Hx].
  destruct (check_exp_tables _ _ _) eqn:He; [|discriminate Hx].
  destruct (check_orders _ _ _) eqn:Ho; [|discriminate Hx].
  destruct (check_c0 _ _ _ _ _ _ _ _) eqn:H0; [|discriminate Hx].
  destruct (check_cells _ _) eqn:H1; [|discriminate Hx].
  destruct (_ <=? MAX_RESIDUAL_WORK)%bigZ; [|discriminate Hx].
  destruct (Sound.cubic_facts c Hh Hs He Ho H0 H1)
    as ((G & HPL & HF0 & HNT & Hsq & HtE & HtP) & Hcc & Hs0 & Hs1 & Hc0 & Hc1).
  destruct (Model.header_facts c Hh) as [hV hn hd hh hV2 heloS hehiS hploS hphiS hordS hshifts hF hNT'].
  pose proof (header_inputs c Hh) as HNI.
  pose proof (Good.g_n1 _ _ _ G) as Hn1.
  set (M := model_of c) in *.
  set (P := compute_paths (align_weights (weights c))) in *.
  set (V := Spec.d_vocab M) in *. set (n := Spec.n_ctx M) in *.
  set (vx := fun y : list nat => verdict (class_env P (eqke_lo c) (eqke_hi c) (eqkp_lo c) (eqkp_hi c)
                                            (max_tok y) (last y O)) (max_tok y) y).
  set (okx := fun y => Nat.eqb (vx y) 0).
  set (wrx := fun y => Nat.eqb (vx y) 1).
  set (R := Residual.residual V n (c0b (c0 c)) (cellS (cells c))).
  (* the cells of the lists (Assemble.v) and Residual.v's hypotheses *)
  destruct (Assemble.lists_cells M (map c0_nat (c0 c)) (map cell_nat (cells c)) Hn1 Hs0 Hs1 Hc0 Hc1)
    as (Hk & Hv & Hcor & Ecount).
  set (cellsl := map Assemble.c0_cell (map c0_nat (c0 c)) ++ map Assemble.mask_cell (map cell_nat (cells c)))
    in Hk, Hv, Hcor, Ecount.
  assert (HcS : forall m q cc, (m < V)%nat -> (q <= m)%nat -> (1 <= cc)%nat ->
    NoDup (cellS (cells c) m q cc) /\ (forall s, In s (cellS (cells c) m q cc) -> (s < m)%nat))
    by (intros; apply cellS_sound).
  assert (Hcons : forall k, In k cellsl ->
    (Count.cc k = 0%nat -> c0b (c0 c) (Count.cm k) (Count.cq k) = true) /\
    ((1 <= Count.cc k)%nat -> cellS (cells c) (Count.cm k) (Count.cq k) (Count.cc k) = Count.cS k)).
  { apply lists_cons.
    - exact (c0_loop_nonneg _ _ _ _ _ _ _ _ None H0).
    - intros y Hy. pose proof (cells_loop_headers _ _ None [] H1 y Hy) as Hhd.
      apply Loops.cell_header_ok_spec in Hhd. lia.
    - rewrite Loops.cell_keys in Hs1. apply Keys.sorted_lex3_NoDup, Hs1. }
  (* check 11 *)
  assert (Hcnt : tZ (check_residual c P) = cnt okx wrx R).
  { apply check_residual_counts. intros m q cc p Hm Hq Hc Hp.
    destruct (Residual.res_block_spec V n (c0b (c0 c)) (cellS (cells c)) Hn1 HcS m q cc (p ++ [q])
                Hm Hq Hc) as (_ & _ & _ & K).
    { unfold Residual.res_block. apply (in_map (fun p => p ++ [q])), Hp. }
    unfold Count.input_key in K. injection K as Kq Km _.
    unfold agree, okx, wrx, vx. cbv beta. rewrite Km, Kq. split; reflexivity. }
  (* the verdicts are sound *)
  assert (HR : forall y, In y R -> length y = n /\ (forall t, In t y -> (t < V)%nat)).
  { intros y Hy. apply AllSeqs.all_seqs_spec.
    exact (Residual.residual_all_seqs V n (c0b (c0 c)) (cellS (cells c)) Hn1 HcS y Hy). }
  assert (Hok : forall y, In y R -> okx y = true -> correct M y).
  { intros y Hy Hv'. destruct (HR y Hy) as [Hl Ht]. apply Nat.eqb_eq in Hv'.
    exact (proj1 (verdict_sound M _ _ G P (eqke_lo c) (eqke_hi c) (eqkp_lo c) (eqkp_hi c) _ _ _ _
             HPL HF0 HNT Hsq HtE HtP heloS hehiS hploS hphiS y (last y O) (max_tok y) Hl Ht
             eq_refl eq_refl) Hv'). }
  assert (Hwr : forall y, In y R -> wrx y = true -> ~ correct M y).
  { intros y Hy Hv'. destruct (HR y Hy) as [Hl Ht]. apply Nat.eqb_eq in Hv'.
    exact (proj2 (verdict_sound M _ _ G P (eqke_lo c) (eqke_hi c) (eqkp_lo c) (eqkp_hi c) _ _ _ _
             HPL HF0 HNT Hsq HtE HtP heloS hehiS hploS hphiS y (last y O) (max_tok y) Hl Ht
             eq_refl eq_refl) Hv'). }
  destruct (Residual.exact_count_residual M cellsl (c0b (c0 c)) (cellS (cells c)) okx wrx
              Hn1 Hk Hv Hcor HcS Hcons Hok Hwr) as [Hlo Hhi].
  fold V n R in Hlo, Hhi.
  (* checks 10x and 12 *)
  destruct (check_residual c P) as [[r ok] wr] eqn:ER.
  unfold tZ, cnt in Hcnt. injection Hcnt as Er Eok Ewr.
  unfold check_exact_claim in Hx. rewrite !andb_true_iff, !BigZ.spec_eqb, !Z.eqb_eq in Hx.
  destruct Hx as [[_ Elo] Ehi].
  rewrite BigZ.spec_add, BigZ.spec_add, Link.lenZ_link, Loops.cells_count_link in Elo
    by (try exact Hcc; rewrite hn; lia).
  rewrite BigZ.spec_sub in Ehi.
  rewrite <- (map_length c0_nat (c0 c)) in Elo.
  change (Z.to_nat (toZ (Checker.n_ctx c))) with n in Elo.
  fold n in Ecount. rewrite Ecount in Elo.
  apply inj_le in Hlo. apply inj_le in Hhi. rewrite Nat2Z.inj_add in Hlo, Hhi.
  fold c. split; lia.
Qed.
