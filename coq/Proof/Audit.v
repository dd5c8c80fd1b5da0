(** * Audit.v — the axioms behind the proved layers (compiled last by [make coq-proof]).
    Allowed: ClassicalDedekindReals.sig_forall_dec, ClassicalDedekindReals.sig_not_dec,
    FunctionalExtensionality.functional_extensionality_dep (the standard reals), or none; for
    the results about Checker.v's BigZ functions (the last block, down to [checker_sound]),
    also the primitive integers and their Uint63 specifications.
    Print Assumptions is transitive: the three composed results (accuracy_of_lists,
    cell_list_correct, c0_list_correct) cover every layer they use; the others are listed
    because they are headline results or outside that cone (Align). *)
From MaxK Require Import Spec Proof.Reals.Sums Proof.Reals.ExpSeries Proof.Int.ExpInt Proof.Reals.Count Proof.Reals.AllSeqs
  Proof.Reals.PathForm Proof.Int.PathInt Proof.Reals.Sign Proof.Reals.Cubic Proof.Reals.CellSound Proof.Int.Bridge
  Proof.Int.CellInt Proof.Int.Keys Proof.Int.CountInt Proof.Twins.ExpLoop
  Proof.Twins.Orders Proof.Twins.ListOps Proof.Twins.PathList Proof.Twins.Align
  Proof.Twins.SplitList Proof.Twins.Arrange Proof.Twins.ExpTables
  Proof.Twins.MaskArr Proof.Twins.C0List Proof.Twins.CellList
  Proof.Twins.Assemble Proof.Reals.Residual Proof.Reals.InputSound Proof.Int.InputInt.

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
Print Assumptions gen_out_spec.
Print Assumptions residual_NoDup.
Print Assumptions residual_not_cell.
Print Assumptions residual_complete.
Print Assumptions exact_count_bounds.
Print Assumptions exact_count_residual.
Print Assumptions lbZ_sound.
Print Assumptions input_correct.
Print Assumptions input_wrong.
Print Assumptions input_correct_int.
Print Assumptions input_wrong_int.

(* Below this line: results about Checker.v's BigZ functions.  Besides the reals' axioms they
   rest on the kernel's primitive integers (PrimInt63.* ) and the standard library's
   specifications of them (Uint63.* ), exactly the names of pipeline/coq_export/render.py's
   ALLOWED_ASSUMPTIONS; tests/test_coq_proof.py checks both parts. *)
From MaxK Require Import Checker Proof.Link.Link Proof.Link.Model Proof.Link.Loops Proof.Sound
  Proof.Link.ExactCount Proof.Link.Exact.
Print Assumptions compute_paths_link.
Print Assumptions orders_ok_rows.
Print Assumptions header_facts.
Print Assumptions header_good.
Print Assumptions check_c0_spec.
Print Assumptions check_cells_spec.
Print Assumptions check_count_spec.
Print Assumptions checker_sound.
Print Assumptions cubic_facts.
Print Assumptions check_residual_counts.
Print Assumptions verdict_sound.
Print Assumptions exact_sound.
