(** * Audit.v — the axioms behind the proved layers (compiled last by [make coq-proof]).
    Allowed: ClassicalDedekindReals.sig_forall_dec, ClassicalDedekindReals.sig_not_dec,
    FunctionalExtensionality.functional_extensionality_dep (the standard reals), or none;
    the lemmas about Checker.v's BigZ (Proof/Model.v) also rest on the kernel's primitive 63-bit
    integers (25 PrimInt63.* names) and Coq's own axiomatic specification of them (26 Uint63.*
    names, Uint63.v), listed by exact name in tests/test_coq_proof.py.
    Print Assumptions is transitive: the three composed results (accuracy_of_lists,
    cell_list_correct, c0_list_correct) cover every layer they use; the others are listed
    because they are headline results or outside that cone (Align). *)
From MaxK Require Import Spec Proof.Sums Proof.ExpSeries Proof.ExpInt Proof.Count
  Proof.PathForm Proof.PathInt Proof.Sign Proof.Cubic Proof.CellSound Proof.Bridge
  Proof.CellInt Proof.Keys Proof.CountInt Proof.ExpLoop
  Proof.Orders Proof.ListOps Proof.PathList Proof.Align
  Proof.SplitList Proof.Arrange Proof.ExpTables
  Proof.MaskArr Proof.C0List Proof.CellList
  Proof.Assemble Proof.Model.

Print Assumptions accuracy_of_lists.
Print Assumptions cell_list_correct.
Print Assumptions c0_list_correct.
Print Assumptions taylor_le_exp.
Print Assumptions exp_le_taylor.
Print Assumptions exp_lower_sound.
Print Assumptions exp_upper_sound.
Print Assumptions check_sqrt_sound.
Print Assumptions check_exp_neg_sound.
Print Assumptions logit_path.
Print Assumptions score_path.
Print Assumptions sign_shift.
Print Assumptions cell_correct.
Print Assumptions c0_correct.
Print Assumptions cell_correct_int.
Print Assumptions c0_correct_int.
Print Assumptions cells_count_le_correct.
Print Assumptions EUPU_int.
Print Assumptions EVOU_int.
Print Assumptions PVOU_int.
Print Assumptions EQKE_int.
Print Assumptions EQKP_int.
Print Assumptions chooseZ_binom.
Print Assumptions popcountZ_mask_set.
Print Assumptions check_exp_negC_eq.
Print Assumptions order_okZ_spec.
Print Assumptions paths_shaped.
Print Assumptions min_exponentZ_le.
Print Assumptions align_rows_entry.
Print Assumptions align_vector_entry.
Print Assumptions lex_chainZ_sorted.
Print Assumptions header_good.
Print Assumptions header_facts.
