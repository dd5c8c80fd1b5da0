(** * Audit.v — the axioms behind each proved layer (compiled last by [make coq-proof]).
    Allowed: ClassicalDedekindReals.sig_forall_dec, ClassicalDedekindReals.sig_not_dec,
    FunctionalExtensionality.functional_extensionality_dep (the standard reals), or none. *)
From MaxK Require Import Spec Proof.Sums Proof.ExpSeries Proof.ExpInt Proof.Count
  Proof.PathForm Proof.Sign.

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
