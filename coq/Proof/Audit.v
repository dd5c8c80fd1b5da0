(** * Audit.v — the axioms behind the proved layers (compiled last by [make coq-proof]).
    Allowed: ClassicalDedekindReals.sig_forall_dec, ClassicalDedekindReals.sig_not_dec,
    FunctionalExtensionality.functional_extensionality_dep (the standard reals), or none; for
    the results about Checker.v's BigZ functions (the last block, down to [checker_sound]),
    also the primitive integers and their Uint63 specifications.
    Print Assumptions is transitive: the three composed results (accuracy_of_lists,
    cell_list_correct, c0_list_correct) cover every layer they use; the others are listed
    because they are headline results or outside that cone (Align). *)
From MaxK Require Import Spec Proof.Sums Proof.ExpSeries Proof.ExpInt Proof.Count Proof.AllSeqs
  Proof.PathForm Proof.PathInt Proof.Sign Proof.Cubic Proof.CellSound Proof.Bridge
  Proof.CellInt Proof.Keys Proof.CountInt Proof.ExpLoop
  Proof.Orders Proof.ListOps Proof.PathList Proof.Align
  Proof.SplitList Proof.Arrange Proof.ExpTables
  Proof.MaskArr Proof.C0List Proof.CellList
  Proof.Assemble.

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
Print Assumptions all_seqs_spec.
Print Assumptions all_seqs_NoDup.
Print Assumptions all_seqs_length.
Print Assumptions count_correct_le.

(* Below this line: results about Checker.v's BigZ functions.  Besides the reals' axioms they
   rest on the kernel's primitive integers (PrimInt63.* ) and the standard library's
   specifications of them (Uint63.* ), exactly the names of pipeline/coq_export/render.py's
   ALLOWED_ASSUMPTIONS; tests/test_coq_proof.py checks both parts. *)
From MaxK Require Import Checker Proof.Link Proof.Model Proof.Loops Proof.Sound.
Print Assumptions compute_paths_link.
Print Assumptions orders_ok_rows.
Print Assumptions header_facts.
Print Assumptions header_good.
Print Assumptions check_c0_spec.
Print Assumptions check_cells_spec.
Print Assumptions check_count_spec.
Print Assumptions checker_sound.
