(** * ExpTables.v — check 6 in the shape of coq/Checker.v (exp_entries_ok / exp_rows_ok over
    the rows of EQKE or EQKP), over Z: every entry passes ExpInt's check_exp_neg against its
    row maximum, as CellInt.v's hypotheses HtabE / HtabP require. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Proof.Int.ExpInt Proof.Twins.ExpLoop Proof.Twins.ListOps.
Import ListNotations.
Local Open Scope Z_scope.

Fixpoint exp_entries_okZ (mx s_lo s_hi z F NT : Z) (xs los his : list Z) : bool :=
  match xs, los, his with
  | x :: xs', lo :: los', hi :: his' =>
      (check_exp_negC lo hi ((mx - x) * 2 ^ F) (s_hi * 2 ^ (4 * z))
                            ((mx - x) * 2 ^ F) (s_lo * 2 ^ (4 * z)) F NT
       && exp_entries_okZ mx s_lo s_hi z F NT xs' los' his')%bool
  | _, _, _ => true
  end.

Fixpoint exp_rows_okZ (s_lo s_hi z F NT : Z) (S lo hi : list (list Z)) : bool :=
  match S, lo, hi with
  | r :: S', l :: lo', h :: hi' =>
      (exp_entries_okZ (row_maxZ r) s_lo s_hi z F NT r l h && exp_rows_okZ s_lo s_hi z F NT S' lo' hi')%bool
  | _, _, _ => true
  end.

Lemma exp_entries_okZ_spec : forall mx s_lo s_hi z F NT xs los his t, 1 <= NT ->
  exp_entries_okZ mx s_lo s_hi z F NT xs los his = true ->
  (t < length xs)%nat -> (t < length los)%nat -> (t < length his)%nat ->
  check_exp_neg F (Z.to_nat NT) (nth t los 0) (nth t his 0)
    (- (nth t xs 0 - mx) * 2 ^ F) (s_hi * 2 ^ (4 * z))
    (- (nth t xs 0 - mx) * 2 ^ F) (s_lo * 2 ^ (4 * z)) = true.
Proof.
  intros mx s_lo s_hi z F NT xs. induction xs as [|x xs IH]; intros los his t HNT H Hx Hl Hh;
    [simpl in Hx; lia|].
  destruct los as [|lo los]; [simpl in Hl; lia|]. destruct his as [|hi his]; [simpl in Hh; lia|].
  simpl in H. apply Bool.andb_true_iff in H. destruct H as [H1 H2].
  destruct t as [|t].
  - simpl. rewrite <- check_exp_negC_eq by exact HNT.
    replace (- (x - mx)) with (mx - x) by lia. exact H1.
  - simpl. apply IH; [exact HNT| exact H2| simpl in *; lia| simpl in *; lia| simpl in *; lia].
Qed.

(** for every row q and entry t: x = S[q,t] <= max of its row, and the enclosure check passes *)
Theorem exp_rows_okZ_spec : forall s_lo s_hi z F NT S lo hi q t, 1 <= NT ->
  exp_rows_okZ s_lo s_hi z F NT S lo hi = true ->
  (q < length S)%nat -> (q < length lo)%nat -> (q < length hi)%nat ->
  (t < length (nth q S []))%nat -> (t < length (nth q lo []))%nat -> (t < length (nth q hi []))%nat ->
  nth t (nth q S []) 0 <= row_maxZ (nth q S [])
  /\ check_exp_neg F (Z.to_nat NT) (nth t (nth q lo []) 0) (nth t (nth q hi []) 0)
       (- (nth t (nth q S []) 0 - row_maxZ (nth q S [])) * 2 ^ F) (s_hi * 2 ^ (4 * z))
       (- (nth t (nth q S []) 0 - row_maxZ (nth q S [])) * 2 ^ F) (s_lo * 2 ^ (4 * z)) = true.
Proof.
  intros s_lo s_hi z F NT S. induction S as [|r S IH]; intros lo hi q t HNT H HS Hl Hh Ht1 Ht2 Ht3;
    [simpl in HS; lia|].
  destruct lo as [|l lo]; [simpl in Hl; lia|]. destruct hi as [|hr hi]; [simpl in Hh; lia|].
  simpl in H. apply Bool.andb_true_iff in H. destruct H as [H1 H2].
  destruct q as [|q].
  - simpl in *. split; [apply row_maxZ_ge, nth_In, Ht1|].
    apply (exp_entries_okZ_spec _ _ _ _ _ _ _ _ _ _ HNT H1); assumption.
  - simpl in *. apply IH; [exact HNT| exact H2| lia| lia| lia| exact Ht1| exact Ht2| exact Ht3].
Qed.
