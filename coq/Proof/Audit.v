(** * Audit.v — the axioms behind each proved layer (compiled last by [make coq-proof]).
    Allowed: ClassicalDedekindReals.sig_forall_dec, ClassicalDedekindReals.sig_not_dec,
    FunctionalExtensionality.functional_extensionality_dep (the standard reals), or none. *)
From MaxK Require Import Spec Proof.Sums Proof.ExpSeries Proof.ExpInt Proof.Count
  Proof.PathForm Proof.PathInt Proof.Sign Proof.Cubic Proof.CellSound Proof.Bridge
  Proof.CellInt Proof.Keys Proof.CountInt Proof.ExpLoop
  Proof.Orders Proof.ListOps Proof.PathList Proof.Align
  Proof.SplitList Proof.Arrange Proof.ExpTables
  Proof.MaskArr Proof.C0List Proof.CellList
  Proof.Assemble.

Print Assumptions taylor_le_exp.
Print Assumptions exp_le_taylor.
Print Assumptions exp_lower_sound.
Print Assumptions exp_upper_sound.
Print Assumptions check_sqrt_sound.
Print Assumptions check_exp_neg_sound.
Print Assumptions gen_length.
Print Assumptions cells_count_le.
Print Assumptions correct_b_spec.
Print Assumptions cells_count_le_correct.
Print Assumptions score_path.
Print Assumptions logit_path.
Print Assumptions logit_diff_weighted.
Print Assumptions sign_shift.
Print Assumptions wt_split.
Print Assumptions ubZ_sound.
Print Assumptions enclosure_mul.
Print Assumptions affine_neg.
Print Assumptions exchange_le.
Print Assumptions exists_argmax.
Print Assumptions sum_perm.
Print Assumptions arrangement_bounds.
Print Assumptions cell_correct.
Print Assumptions ub_sum_bound.
Print Assumptions c0_correct.
Print Assumptions aent_spec.
Print Assumptions EUPU_int.
Print Assumptions EVOU_int.
Print Assumptions PVOU_int.
Print Assumptions EQKE_int.
Print Assumptions EQKP_int.
Print Assumptions table_entry_sound.
Print Assumptions arrangement_neg.
Print Assumptions bracket_split_le.
Print Assumptions cell_correct_int.
Print Assumptions c0_correct_int.
Print Assumptions all_keys_NoDup.
Print Assumptions chooseZ_binom.
Print Assumptions popcountZ_mask_set.
Print Assumptions exp_lowerC_eq.
Print Assumptions exp_upperC_eq.
Print Assumptions check_exp_negC_eq.
Print Assumptions order_okZ_spec.
Print Assumptions vec_matZ_spec.
Print Assumptions matmulZ_spec.
Print Assumptions dotZ_spec.
Print Assumptions row_maxZ_ge.
Print Assumptions max_exceptZ_ge.
Print Assumptions p_maxZ_ge.
Print Assumptions nth_concat_rows.
Print Assumptions EUPU_list.
Print Assumptions EVOU_list.
Print Assumptions PVOU_list.
Print Assumptions EQKE_list.
Print Assumptions EQKP_list.
Print Assumptions min_exponentZ_le.
Print Assumptions align_rows_entry.
Print Assumptions align_vector_entry.
Print Assumptions split_U.
Print Assumptions split_E.
Print Assumptions split_P.
Print Assumptions slots_firstn.
Print Assumptions slots_skipn.
Print Assumptions exp_rows_okZ_spec.
Print Assumptions mask_okZ_spec.
Print Assumptions mask_cell_Hk.
Print Assumptions all_neg_exceptZ_spec.
Print Assumptions c0_sumZ_spec.
Print Assumptions paths_shaped.
Print Assumptions cell_list_correct.
Print Assumptions c0_list_correct.
Print Assumptions accuracy_of_lists.
