(** * Assemble.v — the count: c0 entries and cells with strictly increasing keys, each proved
    to cover only correct inputs, give claimed = len(c0) + sum_cells C(n-1, c) popcount(mask)^c
    <= count_correct (check 10, with CountInt's Checker-shaped chooseZ and popcountZ). *)
From Coq Require Import ZArith Lia List Sorted.
From MaxK Require Import Spec Proof.Reals.Count Proof.Int.Keys Proof.Int.CountInt.
Import ListNotations.
Local Open Scope Z_scope.

Definition c0_cell (e : nat * nat) : cell := let '(m, q) := e in mk_cell q m 0 [].
Definition mask_cell (x : nat * nat * nat * Z) : cell :=
  let '(m, q, c, mask) := x in mk_cell q m c (mask_set m mask).
Definition mask_count (n : nat) (x : nat * nat * nat * Z) : Z :=
  let '(m, q, c, mask) := x in chooseZ (Z.of_nat n - 1) (Z.of_nat c) * popcountZ mask ^ Z.of_nat c.

Fixpoint zsuml (l : list Z) : Z := match l with [] => 0 | a :: l' => a + zsuml l' end.

Lemma nsum_app : forall l1 l2, nsum (l1 ++ l2) = (nsum l1 + nsum l2)%nat.
Proof. induction l1 as [|a l1 IH]; intros l2; simpl; [reflexivity|]. rewrite IH. lia. Qed.

(** The cells of the lists (c0 entries as cells of c = 0, then the mask cells): distinct keys,
    valid, correct, and their sizes sum to len(c0) + the sum of [mask_count]; shared by
    [accuracy_of_lists] and the exact certificate's count (Proof/Link/Exact.v). *)
Lemma lists_cells : forall M (c0l : list (nat * nat)) (cellsl : list (nat * nat * nat * Z)),
  let V := d_vocab M in let n := n_ctx M in
  let cells := map c0_cell c0l ++ map mask_cell cellsl in
  (1 <= n)%nat ->
  Sorted lex3 (map mqc (map c0_cell c0l)) ->
  Sorted lex3 (map mqc (map mask_cell cellsl)) ->
  (forall e, In e c0l -> let '(m, q) := e in
     (q <= m < V)%nat /\ ((q < m)%nat -> (2 <= n)%nat)
     /\ forall x, In x (cell_inputs n (c0_cell e)) -> correct M x) ->
  (forall e, In e cellsl -> let '(m, q, c, mask) := e in
     (q <= m < V)%nat /\ (1 <= c <= n - 1)%nat /\ ((q < m)%nat -> (c < n - 1)%nat)
     /\ 0 <= mask < 2 ^ Z.of_nat m
     /\ forall x, In x (cell_inputs n (mask_cell e)) -> correct M x) ->
  NoDup (map cell_key cells) /\ (forall cl, In cl cells -> cell_valid V n cl) /\
  (forall cl x, In cl cells -> In x (cell_inputs n cl) -> correct M x) /\
  Z.of_nat (length c0l) + zsuml (map (mask_count n) cellsl) = Z.of_nat (nsum (map (cell_size n) cells)).
Proof.
  intros M c0l cellsl V n cells Hn Hs0 Hs1 H0 H1.
  assert (Hkeys : NoDup (map cell_key cells)).
  { apply all_keys_NoDup; [exact Hs0| |exact Hs1|].
    - intros cl Hcl. apply in_map_iff in Hcl. destruct Hcl as [[m q] [<- _]]. reflexivity.
    - intros cl Hcl. apply in_map_iff in Hcl. destruct Hcl as [[[[m q] c] mask] [<- He]].
      specialize (H1 _ He). simpl in H1 |- *. lia. }
  assert (Hvalid : forall cl, In cl cells -> cell_valid V n cl).
  { intros cl Hcl. apply in_app_or in Hcl. destruct Hcl as [Hcl|Hcl];
      apply in_map_iff in Hcl.
    - destruct Hcl as [[m q] [<- He]]. specialize (H0 _ He). simpl in H0.
      unfold cell_valid; simpl. split; [lia|]. split; [lia|]. split; [constructor|].
      split; [intros s []|]. split; [lia|]. intros Hqm. specialize (proj1 (proj2 H0) Hqm). lia.
    - destruct Hcl as [[[[m q] c] mask] [<- He]]. specialize (H1 _ He). simpl in H1.
      unfold cell_valid; simpl. split; [lia|]. split; [lia|]. split; [apply mask_set_NoDup|].
      split; [apply mask_set_lt|]. split; [lia| apply H1]. }
  assert (Hcorr : forall cl x, In cl cells -> In x (cell_inputs n cl) -> correct M x).
  { intros cl x Hcl Hx. apply in_app_or in Hcl. destruct Hcl as [Hcl|Hcl];
      apply in_map_iff in Hcl.
    - destruct Hcl as [e [<- He]]. specialize (H0 _ He). destruct e as [m q].
      apply (proj2 (proj2 H0)), Hx.
    - destruct Hcl as [e [<- He]]. specialize (H1 _ He). destruct e as [[[m q] c] mask].
      apply H1, Hx. }
  split; [exact Hkeys|]. split; [exact Hvalid|]. split; [exact Hcorr|].
  unfold cells. rewrite map_app, nsum_app, Nat2Z.inj_add. f_equal.
  - clear -c0l. induction c0l as [|[m q] l IH]; [reflexivity|].
    simpl. rewrite Nat2Z.inj_add, <- IH. unfold cell_size. simpl.
    rewrite CountInt.binom_0_r. lia.
  - assert (Hc : forall e, In e cellsl -> let '(m, q, c, mask) := e in
                 (1 <= c <= n - 1)%nat /\ 0 <= mask < 2 ^ Z.of_nat m).
    { intros e He. specialize (H1 e He). destruct e as [[[m q] c] mask]. tauto. }
    clear -Hc Hn. induction cellsl as [|e l IH]; [reflexivity|].
    simpl. rewrite Nat2Z.inj_add, IH by (intros; apply Hc; right; assumption). f_equal.
    specialize (Hc e (or_introl eq_refl)). destruct e as [[[m q] c] mask]. simpl.
    unfold cell_size. simpl. rewrite Nat2Z.inj_mul, Nat2Z.inj_pow.
    rewrite chooseZ_binom by lia. rewrite (popcountZ_mask_set m mask) by lia.
    replace (Z.to_nat (Z.of_nat n - 1)) with (n - 1)%nat by lia. rewrite Nat2Z.id. reflexivity.
Qed.

Theorem accuracy_of_lists : forall M (c0l : list (nat * nat)) (cellsl : list (nat * nat * nat * Z)),
  let V := d_vocab M in let n := n_ctx M in
  (1 <= n)%nat ->
  Sorted lex3 (map mqc (map c0_cell c0l)) ->
  Sorted lex3 (map mqc (map mask_cell cellsl)) ->
  (forall e, In e c0l -> let '(m, q) := e in
     (q <= m < V)%nat /\ ((q < m)%nat -> (2 <= n)%nat)
     /\ forall x, In x (cell_inputs n (c0_cell e)) -> correct M x) ->
  (forall e, In e cellsl -> let '(m, q, c, mask) := e in
     (q <= m < V)%nat /\ (1 <= c <= n - 1)%nat /\ ((q < m)%nat -> (c < n - 1)%nat)
     /\ 0 <= mask < 2 ^ Z.of_nat m
     /\ forall x, In x (cell_inputs n (mask_cell e)) -> correct M x) ->
  Z.of_nat (length c0l) + zsuml (map (mask_count n) cellsl) <= Z.of_nat (count_correct M).
Proof.
  intros M c0l cellsl V n Hn Hs0 Hs1 H0 H1.
  destruct (lists_cells M c0l cellsl Hn Hs0 Hs1 H0 H1) as (Hkeys & Hvalid & Hcorr & E).
  eapply Z.le_trans; [apply Z.eq_le_incl; exact E|].
  apply inj_le, cells_count_le_correct; assumption.
Qed.
