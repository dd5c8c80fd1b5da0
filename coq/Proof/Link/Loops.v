(** * Loops.v — steps 4 and 5 of PLAN.md: the loops of checks 7..10 of coq/Checker.v, read
    back on Z and nat.

    - [orders_ok_rows]: check 7 gives Orders.order_okZ for every row q of the orders;
    - [check_c0_spec]: check 8 gives a lex-sorted list of c0 keys, and for every entry
      (m, q): q <= m < V, (q < m -> 2 <= n) and CellList.c0_entry_okZ;
    - [check_cells_spec]: check 9 gives a lex-sorted list of cell keys, and for every cell the
      header facts Assemble.accuracy_of_lists needs and MaskArr.mask_okZ on the Z twins of its
      two arrangements, built from SplitList.split_maximaZ of its (m, shift) (the loop's cache
      only ever holds such split maxima);
    - [check_count_spec]: check 10 gives claimed = len(c0) + sum of Assemble.mask_count.
    Helpers: [lex_less2_link] and [pow_nat_link] (BigZ -> Z, as in Link.v). *)
From Coq Require Import List ZArith Lia Sorted.
From Bignums Require Import BigZ.
From MaxK Require Import Checker CheckerSpec.
From MaxK Require Proof.Reals.Count Proof.Int.Keys Proof.Int.CountInt Proof.Twins.Orders Proof.Twins.ListOps
  Proof.Twins.PathList Proof.Twins.SplitList Proof.Twins.MaskArr Proof.Twins.CellList Proof.Twins.Assemble Proof.Link.Link.
Import ListNotations.
Local Open Scope Z_scope.

(** Boolean tests of a hypothesis, pushed to Z propositions. *)
Ltac zbool H :=
  repeat (rewrite ?Bool.andb_true_iff, ?Bool.orb_true_iff, ?BigZ.spec_leb, ?BigZ.spec_ltb,
            ?BigZ.spec_eqb, ?Z.leb_le, ?Z.ltb_lt, ?Z.eqb_eq, ?Z.leb_gt, ?Z.ltb_ge,
            ?BigZ.spec_sub, ?BigZ.spec_add, ?toZ_0, ?toZ_1, ?toZ_2 in H).

(** ** BigZ -> Z helpers *)

(** the c0 order is the cell order on keys (m, q, 0) *)
Lemma lex_less2_link : forall a b, lex_less2 a b =
  Keys.lex_less3Z (toZ (fst a), toZ (snd a), 0) (toZ (fst b), toZ (snd b), 0).
Proof.
  intros [a0 a1] [b0 b1]. unfold lex_less2, Keys.lex_less3Z. cbn [fst snd]. bigz.
  destruct (toZ a1 =? toZ b1); rewrite ?Bool.andb_false_r, ?Bool.orb_false_r; reflexivity.
Qed.

Lemma pow_nat_link : forall a k, toZ (pow_nat a k) = toZ a ^ Z.of_nat k.
Proof.
  intros a k. induction k as [|k IH]; [reflexivity|].
  cbn [pow_nat]. rewrite BigZ.spec_mul, IH, Nat2Z.inj_succ, Z.pow_succ_r by lia. reflexivity.
Qed.

(** ** check 7: every row of the orders *)

Theorem orders_ok_rows : forall n O S, orders_ok n O S = true -> length O = length S ->
  forall q, (q < length O)%nat ->
  Orders.order_okZ (toZ n) (nth q (zm O) []) (nth q (zm S) []) = true.
Proof.
  intros n O. induction O as [|o O IH]; intros S H HL q Hq; [cbn in Hq; lia|].
  destruct S as [|r S]; [discriminate|].
  cbn [orders_ok] in H. apply Bool.andb_true_iff in H. destruct H as [Ho H].
  destruct q as [|q]; cbn [nth map].
  - rewrite <- Link.order_ok_link. exact Ho.
  - apply IH; [exact H| cbn in HL; lia| cbn in Hq; lia].
Qed.

(** ** check 8: the c0 loop *)

Definition c0_nat (e : bigZ * bigZ) : nat * nat :=
  (Z.to_nat (toZ (fst e)), Z.to_nat (toZ (snd e))).

Definition c0_key (e : bigZ * bigZ) : nat * nat * nat := Keys.mqc (Assemble.c0_cell (c0_nat e)).

Lemma c0_keys : forall l,
  map Keys.mqc (map Assemble.c0_cell (map c0_nat l)) = map c0_key l.
Proof. intros l. rewrite !map_map. reflexivity. Qed.

Lemma lex_less2_lex3 : forall a b,
  0 <= toZ (fst a) -> 0 <= toZ (snd a) -> 0 <= toZ (fst b) -> 0 <= toZ (snd b) ->
  lex_less2 a b = true -> Keys.lex3 (c0_key a) (c0_key b).
Proof.
  intros [a0 a1] [b0 b1] H1 H2 H3 H4 H. rewrite lex_less2_link in H. cbn [fst snd] in *.
  apply Keys.lex_less3Z_spec in H; [exact H| cbn; lia| cbn; lia].
Qed.

Section C0.
Variables (P : Paths) (elo ehi plo phi : list (list bigZ)) (V n : bigZ).

Definition c0_ok (e : bigZ * bigZ) : Prop := let '(m, q) := c0_nat e in
  (q <= m < Z.to_nat (toZ V))%nat /\ ((q < m)%nat -> (2 <= Z.to_nat (toZ n))%nat) /\
  CellList.c0_entry_okZ m q (Link.paths_link P) (zm elo) (zm ehi) (zm plo) (zm phi) = true.

Definition nonneg2 (prev : option (bigZ * bigZ)) : Prop :=
  forall p, prev = Some p -> 0 <= toZ (fst p) /\ 0 <= toZ (snd p).

Lemma c0_loop_spec : forall l prev, nonneg2 prev ->
  c0_loop prev P elo ehi plo phi V n l = true ->
  Sorted Keys.lex3 (map c0_key l) /\
  (forall p, prev = Some p -> HdRel Keys.lex3 (c0_key p) (map c0_key l)) /\
  forall e, In e l -> c0_ok e.
Proof.
  intros l. induction l as [|[m q] l IH]; intros prev Hp H.
  { split; [constructor|]. split; [intros; constructor| intros e []]. }
  cbn [c0_loop] in H.
  match type of H with (if ?b then _ else _) = true => destruct b eqn:Hh; [|discriminate] end.
  destruct (c0_entry_ok m q P elo ehi plo phi) eqn:He; [|discriminate].
  rewrite Bool.andb_true_iff in Hh. destruct Hh as [Hh Hnq].
  zbool Hh. destruct Hh as [[[Hinc Hq0] Hqm] HmV].
  assert (Hn2 : toZ q < toZ m -> 2 <= toZ n).
  { intros Hlt. zbool Hnq. destruct Hnq; lia. }
  destruct (IH (Some (m, q)) ltac:(intros p E; injection E as <-; cbn [fst snd]; lia) H)
    as (Hs & Hhd & Hall).
  split; [|split].
  - apply Sorted_cons; [exact Hs|]. apply Hhd. reflexivity.
  - intros p Ep. subst prev. apply HdRel_cons. destruct (Hp p eq_refl).
    apply lex_less2_lex3; cbn [fst snd]; auto; lia.
  - intros e [<-|Hin]; [|exact (Hall e Hin)].
    unfold c0_ok, c0_nat. cbn [fst snd]. rewrite Link.c0_entry_ok_link in He.
    split; [lia|]. split; [intros; lia| exact He].
Qed.

End C0.

Theorem check_c0_spec : forall l P elo ehi plo phi V n,
  check_c0 l P elo ehi plo phi V n = true ->
  Sorted Keys.lex3 (map Keys.mqc (map Assemble.c0_cell (map c0_nat l))) /\
  forall e, In e l -> let '(m, q) := c0_nat e in
    (q <= m < Z.to_nat (toZ V))%nat /\ ((q < m)%nat -> (2 <= Z.to_nat (toZ n))%nat) /\
    CellList.c0_entry_okZ m q (Link.paths_link P) (zm elo) (zm ehi) (zm plo) (zm phi) = true.
Proof.
  intros l P elo ehi plo phi V n H. unfold check_c0 in H.
  destruct (c0_loop_spec P elo ehi plo phi V n l None ltac:(intros p E; discriminate) H)
    as (Hs & _ & Hall).
  rewrite c0_keys. split; [exact Hs| exact Hall].
Qed.

(** ** check 9: the cells loop *)

Definition cell_nat (x : Cell) : nat * nat * nat * Z :=
  (Z.to_nat (toZ (cell_m x)), Z.to_nat (toZ (cell_q x)), Z.to_nat (toZ (cell_c x)),
   toZ (cell_mask x)).

Definition cell_key3 (x : Cell) : nat * nat * nat := Keys.mqc (Assemble.mask_cell (cell_nat x)).

Lemma cell_keys : forall l,
  map Keys.mqc (map Assemble.mask_cell (map cell_nat l)) = map cell_key3 l.
Proof. intros l. rewrite !map_map. reflexivity. Qed.

Definition nonneg_cell (x : Cell) : Prop :=
  0 <= toZ (cell_m x) /\ 0 <= toZ (cell_q x) /\ 0 <= toZ (cell_c x).

Lemma lex_less3_lex3 : forall a b, nonneg_cell a -> nonneg_cell b ->
  lex_less3 a b = true -> Keys.lex3 (cell_key3 a) (cell_key3 b).
Proof.
  intros a b Ha Hb H. rewrite Link.lex_less3_link in H. unfold nonneg_cell in Ha, Hb.
  apply Keys.lex_less3Z_spec in H; [exact H| cbn; lia| cbn; lia].
Qed.

(** the header of a cell, on Z *)
Lemma cell_header_ok_spec : forall V n ns x, cell_header_ok V n ns x = true ->
  0 <= toZ (cell_q x) <= toZ (cell_m x) /\ toZ (cell_m x) < toZ V /\
  1 <= toZ (cell_c x) <= toZ n - 1 /\
  (toZ (cell_q x) < toZ (cell_m x) -> toZ (cell_c x) <= toZ n - 2) /\
  0 <= toZ (cell_shift x) < toZ ns /\ 1 <= toZ (cell_mask x) < 2 ^ toZ (cell_m x).
Proof.
  intros V n ns x H. unfold cell_header_ok in H. cbv zeta in H.
  destruct (cell_q x <? cell_m x)%bigZ eqn:Eqm; cbv beta iota in H;
    (match type of H with (if ?b then _ else _) = true => destruct b eqn:Hh; [|discriminate] end);
    zbool Eqm; zbool Hh; zbool H; rewrite Link.pow2_link in H by lia; lia.
Qed.

Section Cells.
Variable env : CellsEnv.

(** the Z split maxima of max token m and shift row j *)
Definition ue_of (m j : bigZ) : list Z * list Z :=
  SplitList.split_maximaZ (zm (EUPU (v_P env))) (zm (EVOU (v_P env))) (zm (PVOU (v_P env)))
    (nth (Z.to_nat (toZ j)) (zm (v_shifts env)) []) (Z.to_nat (toZ m)).

Definition ue_ok (m j : bigZ) (ue : list bigZ * list bigZ) : Prop :=
  (zl (fst ue), zl (snd ue)) = ue_of m j.

(** the cache invariant of cells_loop *)
Definition cache_ok (cache : list (bigZ * bigZ * (list bigZ * list bigZ))) : Prop :=
  forall m' j' ue, In (m', j', ue) cache -> ue_ok m' j' ue.

Lemma cache_find_ok : forall cache m j ue, cache_ok cache ->
  cache_find m j cache = Some ue -> ue_ok m j ue.
Proof.
  intros cache m j ue. induction cache as [|[[m' j'] ue'] cache IH]; intros Hc H;
    [discriminate|].
  cbn [cache_find] in H. destruct ((m' =? m)%bigZ && (j' =? j)%bigZ)%bool eqn:E.
  - injection H as <-. zbool E. destruct E as [E1 E2].
    unfold ue_ok, ue_of. rewrite <- E1, <- E2. apply Hc. left. reflexivity.
  - apply IH; [intros a b u Hin; apply Hc; right; exact Hin| exact H].
Qed.

(** the cache step of cells_loop *)
Definition lookup (cache : list (bigZ * bigZ * (list bigZ * list bigZ))) (x : Cell)
    : (list bigZ * list bigZ) * list (bigZ * bigZ * (list bigZ * list bigZ)) :=
  match cache_find (cell_m x) (cell_shift x) cache with
  | Some ue => (ue, cache)
  | None => let ue := split_maxima (v_P env) (row (v_shifts env) (cell_shift x)) (cell_m x) in
            (ue, (cell_m x, cell_shift x, ue) :: cache)
  end.

Lemma lookup_ok : forall cache x ue cache', cache_ok cache -> lookup cache x = (ue, cache') ->
  ue_ok (cell_m x) (cell_shift x) ue /\ cache_ok cache'.
Proof.
  intros cache x ue cache' Hc H. unfold lookup in H.
  destruct (cache_find _ _ _) as [u|] eqn:Hf; injection H as <- <-.
  - split; [exact (cache_find_ok _ _ _ _ Hc Hf)| exact Hc].
  - assert (Hu : ue_ok (cell_m x) (cell_shift x)
                   (split_maxima (v_P env) (row (v_shifts env) (cell_shift x)) (cell_m x))).
    { unfold ue_ok, ue_of. rewrite Link.split_maxima_link, Link.row_link. reflexivity. }
    split; [exact Hu|].
    intros a b u [E|Hin]; [injection E as <- <- <-; exact Hu| exact (Hc a b u Hin)].
Qed.

(** the mask test of one cell, given its split maxima *)
Definition cell_test (x : Cell) (ue : list bigZ * list bigZ) : bool :=
  let m := cell_m x in let q := cell_q x in
  let U := fst ue in let E := snd ue in
  let o := row (v_orders env) q in
  let plo := row (v_plo env) q in let phi := row (v_phi env) q in
  let elo := row (v_elo env) q in let ehi := row (v_ehi env) q in
  let c := to_nat (cell_c x) in let n := v_n env in
  let low := arrangement plo phi elo ehi U E m q n o c false in
  let high := arrangement plo phi elo ehi U E m q n o c true in
  mask_ok low high (entry U q) elo ehi E (to_nat m) (cell_mask x).

Lemma cells_loop_cons : forall prev cache x l, cells_loop env prev cache (x :: l) =
  if ((match prev with None => true | Some p => lex_less3 p x end) &&
      cell_header_ok (v_V env) (v_n env) (lenZ (v_shifts env)) x)%bool then
    let (ue, cache') := lookup cache x in
    if cell_test x ue then cells_loop env (Some x) cache' l else false
  else false.
Proof. reflexivity. Qed.

(** what check_cells gives for one cell *)
Definition cell_ok (x : Cell) : Prop :=
  let '(m, q, c, mask) := cell_nat x in
  let V := Z.to_nat (toZ (v_V env)) in let n := Z.to_nat (toZ (v_n env)) in
  let j := Z.to_nat (toZ (cell_shift x)) in
  (q <= m < V)%nat /\ (1 <= c <= n - 1)%nat /\ ((q < m)%nat -> (c < n - 1)%nat) /\
  0 <= mask < 2 ^ Z.of_nat m /\ 0 <= toZ (cell_c x) /\ (j < length (v_shifts env))%nat /\
  let PZ := Link.paths_link (v_P env) in
  let UE := SplitList.split_maximaZ (PathList.pEUPU PZ) (PathList.pEVOU PZ) (PathList.pPVOU PZ)
              (nth j (zm (v_shifts env)) []) m in
  let low := MaskArr.arrangementZ (nth q (zm (v_plo env)) []) (nth q (zm (v_phi env)) [])
               (nth q (zm (v_elo env)) []) (nth q (zm (v_ehi env)) []) (fst UE) (snd UE)
               (Z.of_nat m) (Z.of_nat q) (Z.of_nat n) (nth q (zm (v_orders env)) []) c false in
  let high := MaskArr.arrangementZ (nth q (zm (v_plo env)) []) (nth q (zm (v_phi env)) [])
                (nth q (zm (v_elo env)) []) (nth q (zm (v_ehi env)) []) (fst UE) (snd UE)
                (Z.of_nat m) (Z.of_nat q) (Z.of_nat n) (nth q (zm (v_orders env)) []) c true in
  MaskArr.mask_okZ low high (Orders.entryZ (fst UE) (Z.of_nat q)) (nth q (zm (v_elo env)) [])
    (nth q (zm (v_ehi env)) []) (snd UE) m mask = true.

Lemma cell_ok_intro : forall x ue,
  cell_header_ok (v_V env) (v_n env) (lenZ (v_shifts env)) x = true ->
  ue_ok (cell_m x) (cell_shift x) ue -> cell_test x ue = true -> cell_ok x.
Proof.
  intros x ue Hh Hue Ht. apply cell_header_ok_spec in Hh. rewrite Link.lenZ_link in Hh.
  destruct Hh as (Hq & HmV & Hc & Hcq & Hj & Hmask).
  unfold ue_ok in Hue.
  pose proof (f_equal fst Hue) as HU. pose proof (f_equal snd Hue) as HE. cbn [fst snd] in HU, HE.
  unfold cell_test, Checker.to_nat in Ht. cbv zeta in Ht.
  rewrite Link.mask_ok_link, !Link.arrangement_link, Link.entry_link, !Link.row_link, HU, HE
    in Ht.
  unfold cell_ok, cell_nat, ue_of in *. cbv beta iota zeta. unfold Link.paths_link.
  cbn [PathList.pEUPU PathList.pEVOU PathList.pPVOU].
  rewrite !Z2Nat.id by lia.
  split; [lia|]. split; [lia|]. split; [lia|]. split; [lia|]. split; [lia|]. split; [lia|].
  exact Ht.
Qed.

Definition prev_ok (prev : option Cell) : Prop := forall p, prev = Some p -> nonneg_cell p.

Lemma cells_loop_spec : forall l prev cache, cache_ok cache -> prev_ok prev ->
  cells_loop env prev cache l = true ->
  Sorted Keys.lex3 (map cell_key3 l) /\
  (forall p, prev = Some p -> HdRel Keys.lex3 (cell_key3 p) (map cell_key3 l)) /\
  forall x, In x l -> cell_ok x.
Proof.
  intros l. induction l as [|x l IH]; intros prev cache Hc Hp H.
  { split; [constructor|]. split; [intros; constructor| intros x []]. }
  rewrite cells_loop_cons in H.
  match type of H with (if ?b then _ else _) = true => destruct b eqn:Hh; [|discriminate] end.
  apply Bool.andb_true_iff in Hh. destruct Hh as [Hinc Hhdr].
  destruct (lookup cache x) as [ue cache'] eqn:Hl. cbv beta iota in H.
  destruct (lookup_ok cache x ue cache' Hc Hl) as [Hue Hc'].
  destruct (cell_test x ue) eqn:Ht; [|discriminate].
  assert (Hx : nonneg_cell x)
    by (apply cell_header_ok_spec in Hhdr; unfold nonneg_cell; lia).
  destruct (IH (Some x) cache' Hc' ltac:(intros p E; injection E as <-; exact Hx) H)
    as (Hs & Hhd & Hall).
  split; [|split].
  - apply Sorted_cons; [exact Hs| apply Hhd; reflexivity].
  - intros p Ep. subst prev. apply HdRel_cons.
    apply lex_less3_lex3; [exact (Hp p eq_refl)| exact Hx| exact Hinc].
  - intros y [<-|Hin]; [exact (cell_ok_intro x ue Hhdr Hue Ht)| exact (Hall y Hin)].
Qed.
End Cells.

Theorem check_cells_spec : forall l env, check_cells l env = true ->
  Sorted Keys.lex3 (map Keys.mqc (map Assemble.mask_cell (map cell_nat l))) /\
  forall x, In x l -> cell_ok env x.
Proof.
  intros l env H. unfold check_cells in H.
  destruct (cells_loop_spec env l None []
              ltac:(intros m j ue []) ltac:(intros p E; discriminate) H) as (Hs & _ & Hall).
  rewrite cell_keys. split; [exact Hs| exact Hall].
Qed.

(** ** check 10: the count *)

Lemma cell_count_link : forall n x, 1 <= toZ n -> 0 <= toZ (cell_c x) ->
  toZ (cell_count n x) = Assemble.mask_count (Z.to_nat (toZ n)) (cell_nat x).
Proof.
  intros n x Hn Hc. unfold cell_count, Assemble.mask_count, cell_nat, Checker.to_nat.
  cbv beta iota zeta.
  rewrite BigZ.spec_mul, Link.choose_link, pow_nat_link, Link.popcount_link, BigZ.spec_sub,
    toZ_1, !Z2Nat.id by lia.
  reflexivity.
Qed.

Lemma cells_count_link : forall n l, 1 <= toZ n -> (forall x, In x l -> 0 <= toZ (cell_c x)) ->
  toZ (cells_count n l) =
  Assemble.zsuml (map (Assemble.mask_count (Z.to_nat (toZ n))) (map cell_nat l)).
Proof.
  intros n l Hn Hc. induction l as [|x l IH]; [reflexivity|].
  cbn [cells_count map Assemble.zsuml]. rewrite BigZ.spec_add, cell_count_link, IH; auto.
  - intros y Hy. apply Hc. right. exact Hy.
  - apply Hc. left. reflexivity.
Qed.

Theorem check_count_spec : forall claimed c0l l n, check_count claimed c0l l n = true ->
  1 <= toZ n -> (forall x, In x l -> 0 <= toZ (cell_c x)) ->
  toZ claimed = Z.of_nat (length c0l)
                + Assemble.zsuml (map (Assemble.mask_count (Z.to_nat (toZ n))) (map cell_nat l)).
Proof.
  intros claimed c0l l n H Hn Hc. unfold check_count in H.
  rewrite BigZ.spec_eqb, Z.eqb_eq, BigZ.spec_add, Link.lenZ_link in H.
  rewrite <- cells_count_link by assumption. exact H.
Qed.
