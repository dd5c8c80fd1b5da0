(** * Link.v — step 2 of PLAN.md: Checker.v's BigZ functions, mapped through [BigZ.to_Z],
    equal their Z twins in coq/Proof/ (Orders, CountInt, Keys, ExpInt/ExpLoop).
    Proofs by induction and the [BigZ.spec_*] lemmas (via CheckerSpec's [bigz] tactic). *)
From Coq Require Import List ZArith Lia.
From Bignums Require Import BigZ.
From MaxK Require Import Checker CheckerSpec.
From MaxK Require Proof.Int.ExpInt Proof.Twins.ExpLoop Proof.Int.CountInt Proof.Int.Keys Proof.Twins.Orders
  Proof.Twins.ListOps Proof.Twins.ExpTables Proof.Twins.PathList Proof.Reals.Cubic Proof.Twins.SplitList Proof.Twins.Arrange
  Proof.Twins.MaskArr Proof.Twins.C0List Proof.Twins.CellList.
Import ListNotations.
Local Open Scope Z_scope.

Notation toZ := BigZ.to_Z.
Notation zl := (map BigZ.to_Z).

Ltac s := cbn -[BigZ.add BigZ.sub BigZ.mul BigZ.opp BigZ.max BigZ.shiftl BigZ.div BigZ.ltb
                BigZ.leb BigZ.eqb BigZ.to_Z BigZ.odd BigZ.log2 BigZ.of_Z pow2 ceil_div
                Checker.entry].

(** ** Orders (check 7) *)

Lemma entry_link : forall r p, toZ (Checker.entry r p) = Orders.entryZ (zl r) (toZ p).
Proof.
  intros r p. unfold Checker.entry, nthZ, Checker.to_nat, Orders.entryZ.
  rewrite <- toZ_0, map_nth. reflexivity.
Qed.

Lemma lenZ_link : forall (A : Type) (l : list A), toZ (lenZ l) = Z.of_nat (length l).
Proof.
  intros A l. induction l as [|x l IH]; [reflexivity|].
  cbn [lenZ length]. bigz. rewrite IH. lia.
Qed.

Lemma not_mem_link : forall p l, not_mem p l = Orders.not_memZ (toZ p) (zl l).
Proof. intros p l. induction l as [|x l IH]; s; auto. bigz. now rewrite IH. Qed.

Lemma perm_ok_link : forall b l, perm_ok b l = Orders.perm_okZ (toZ b) (zl l).
Proof.
  intros b l. induction l as [|x l IH]; s; auto. bigz. now rewrite not_mem_link, IH.
Qed.

Lemma sorted_by_link : forall r prev l,
  sorted_by r prev l = Orders.sorted_byZ (zl r) (toZ prev) (zl l).
Proof.
  intros r prev l. revert prev. induction l as [|x l IH]; intros prev; s; auto.
  bigz. now rewrite !entry_link, IH.
Qed.

Lemma order_ok_link : forall n o r,
  order_ok n o r = Orders.order_okZ (toZ n) (zl o) (zl r).
Proof.
  intros n o r. unfold order_ok, Orders.order_okZ. bigz.
  rewrite lenZ_link, perm_ok_link, map_length. bigz.
  destruct (_ && _)%bool; [|reflexivity].
  destruct o as [|p o]; s; [reflexivity|]. apply sorted_by_link.
Qed.

(** ** popcount and choose (CountInt) *)

Lemma popcount_fuel_link : forall fuel mask,
  toZ (popcount_fuel fuel mask) = CountInt.popcount_fuelZ fuel (toZ mask).
Proof.
  intros fuel. induction fuel as [|f IH]; intros mask; s; [reflexivity|].
  bigz. rewrite IH, BigZ.spec_odd. bigz. destruct (Z.odd (toZ mask)); reflexivity.
Qed.

Lemma popcount_link : forall mask, toZ (popcount mask) = CountInt.popcountZ (toZ mask).
Proof.
  intros mask. unfold popcount, CountInt.popcountZ, Checker.to_nat. bigz.
  destruct (toZ mask <=? 0); [reflexivity|].
  rewrite popcount_fuel_link, BigZ.spec_log2. reflexivity.
Qed.

Lemma choose_loop_link : forall k base i acc,
  toZ (choose_loop base i k acc) = CountInt.choose_loopZ (toZ base) (toZ i) k (toZ acc).
Proof.
  intros k. induction k as [|k IH]; intros base i acc; s; [reflexivity|].
  rewrite IH. now bigz.
Qed.

Lemma choose_link : forall n k, toZ (choose n k) = CountInt.chooseZ (toZ n) (toZ k).
Proof.
  intros n k. unfold choose, CountInt.chooseZ, Checker.to_nat. bigz.
  destruct (_ || _)%bool; [reflexivity|].
  rewrite choose_loop_link. now bigz.
Qed.

(** ** the lexicographic test of cells_loop / c0_loop (Keys) *)

Definition cell_key (x : Cell) : Z * Z * Z := (toZ (cell_m x), toZ (cell_q x), toZ (cell_c x)).

Lemma lex_less3_link : forall a b, lex_less3 a b = Keys.lex_less3Z (cell_key a) (cell_key b).
Proof. intros a b. unfold lex_less3, Keys.lex_less3Z, cell_key. now bigz. Qed.

(** ** exp enclosures and check_exp_neg (ExpInt / ExpLoop), for [0 <= F] *)

Lemma pow2_link : forall k, 0 <= toZ k -> toZ (pow2 k) = 2 ^ toZ k.
Proof.
  intros k Hk. rewrite pow2_spec. unfold pow2_Z. rewrite Z.shiftl_mul_pow2 by exact Hk. ring.
Qed.

Lemma shiftl_nat_link : forall x (j : nat),
  toZ (BigZ.shiftl x (BigZ.of_Z (Z.of_nat j))) = toZ x * 2 ^ Z.of_nat j.
Proof.
  intros x j. rewrite BigZ.spec_shiftl, BigZ.spec_of_Z. apply Z.shiftl_mul_pow2. lia.
Qed.

Lemma exp_reduction_from_link : forall fuel num den j,
  exp_reduction_from num den j fuel = ExpInt.find_j (toZ num) (toZ den) j fuel.
Proof.
  intros fuel. induction fuel as [|f IH]; intros num den j; [reflexivity|].
  cbn [exp_reduction_from ExpInt.find_j]. rewrite BigZ.spec_leb, shiftl_nat_link, IH.
  reflexivity.
Qed.

Lemma exp_reduction_link : forall num den,
  Checker.exp_reduction num den = ExpInt.exp_reduction (toZ num) (toZ den).
Proof.
  intros num den. unfold Checker.exp_reduction, ExpInt.exp_reduction. bigz.
  destruct (_ || _)%bool; [reflexivity|]. apply exp_reduction_from_link.
Qed.

Lemma taylor_lower_Z_loop : forall F r k i t total, 0 <= F ->
  taylor_lower_Z F r k i t total = ExpLoop.taylor_lowerZ F r k i t total.
Proof.
  intros F r k. induction k as [|k IH]; intros i t total HF; [reflexivity|].
  cbn [taylor_lower_Z ExpLoop.taylor_lowerZ]. rewrite Z.shiftl_mul_pow2 by exact HF.
  apply IH, HF.
Qed.

Lemma taylor_upper_Z_loop : forall F r k i t total, 0 <= F ->
  taylor_upper_Z F r k i t total = ExpLoop.taylor_upperZ F r k i t total.
Proof.
  intros F r k. induction k as [|k IH]; intros i t total HF;
    cbn [taylor_upper_Z ExpLoop.taylor_upperZ]; rewrite Z.shiftl_mul_pow2 by exact HF;
    unfold ceil_div_Z, ExpInt.ceil_div; [reflexivity|].
  apply IH, HF.
Qed.

Lemma square_down_Z_sq_lo : forall F j x, 0 <= F -> square_down_Z F j x = ExpInt.sq_lo F j x.
Proof.
  intros F j. induction j as [|j IH]; intros x HF; [reflexivity|].
  cbn [square_down_Z ExpInt.sq_lo]. unfold pow2_Z. rewrite Z.shiftl_mul_pow2 by exact HF.
  rewrite Z.mul_1_l. apply IH, HF.
Qed.

Lemma square_up_Z_sq_hi : forall F j x, 0 <= F -> square_up_Z F j x = ExpInt.sq_hi F j x.
Proof.
  intros F j. induction j as [|j IH]; intros x HF; [reflexivity|].
  cbn [square_up_Z ExpInt.sq_hi]. unfold pow2_Z, ceil_div_Z, ExpInt.ceil_div.
  rewrite Z.shiftl_mul_pow2 by exact HF. rewrite Z.mul_1_l.
  apply IH, HF.
Qed.

Lemma exp_lower_link : forall num den F NT, 0 <= toZ F ->
  toZ (Checker.exp_lower num den F NT) = ExpLoop.exp_lowerC (toZ num) (toZ den) (toZ F) (toZ NT).
Proof.
  intros num den F NT HF. unfold Checker.exp_lower, ExpLoop.exp_lowerC.
  rewrite exp_reduction_link. destruct (ExpInt.exp_reduction _ _) as [j|]; [|reflexivity].
  rewrite square_down_spec, square_down_Z_sq_lo by exact HF.
  rewrite taylor_lower_spec, taylor_lower_Z_loop by exact HF.
  rewrite BigZ.spec_div, BigZ.spec_shiftl, shiftl_nat_link, pow2_link by exact HF.
  rewrite Z.shiftl_mul_pow2 by exact HF. unfold Checker.to_nat. now bigz.
Qed.

Lemma exp_upper_link : forall num den F NT, 0 <= toZ F ->
  toZ (Checker.exp_upper num den F NT) = ExpLoop.exp_upperC (toZ num) (toZ den) (toZ F) (toZ NT).
Proof.
  intros num den F NT HF. unfold Checker.exp_upper, ExpLoop.exp_upperC.
  rewrite exp_reduction_link. destruct (ExpInt.exp_reduction _ _) as [j|]; [|reflexivity].
  rewrite square_up_spec, square_up_Z_sq_hi by exact HF.
  rewrite taylor_upper_spec, taylor_upper_Z_loop by exact HF.
  rewrite ceil_div_spec, BigZ.spec_shiftl, shiftl_nat_link, pow2_link by exact HF.
  rewrite Z.shiftl_mul_pow2 by exact HF. unfold Checker.to_nat, ceil_div_Z, ExpInt.ceil_div.
  now bigz.
Qed.

Lemma check_exp_neg_link : forall lo hi na da nb db F NT, 0 <= toZ F ->
  check_exp_neg lo hi (na, da) (nb, db) F NT =
  ExpLoop.check_exp_negC (toZ lo) (toZ hi) (toZ na) (toZ da) (toZ nb) (toZ db) (toZ F) (toZ NT).
Proof.
  intros lo hi na da nb db F NT HF.
  assert (H2F : 0 <= toZ (2 * F)%bigZ) by (bigz; lia).
  unfold check_exp_neg, ExpLoop.check_exp_negC. bigz.
  rewrite exp_upper_link by exact HF. rewrite (pow2_link (2 * F)) by exact H2F.
  destruct (toZ F * toZ da <? toZ na); cbv beta iota zeta; bigz;
    rewrite !exp_lower_link by exact HF; rewrite (pow2_link (2 * F)) by exact H2F;
    bigz; reflexivity.
Qed.

(** ** check 6 rows (ExpTables), for [0 <= F] and [0 <= z] *)

Lemma toZ_4 : toZ 4%bigZ = 4. Proof. reflexivity. Qed.

Lemma max_from_link : forall u acc,
  toZ (max_from acc u) = ListOps.max_fromZ (toZ acc) (zl u).
Proof.
  intros u. induction u as [|x u IH]; intros acc; s; [reflexivity|]. rewrite IH. now bigz.
Qed.

Lemma row_max_link : forall u, toZ (row_max u) = ListOps.row_maxZ (zl u).
Proof. intros [|x u]; [reflexivity|]. apply max_from_link. Qed.

Lemma exp_entries_ok_link : forall mx s_lo s_hi z F NT xs los his,
  0 <= toZ F -> 0 <= toZ z ->
  exp_entries_ok mx s_lo s_hi z F NT xs los his =
  ExpTables.exp_entries_okZ (toZ mx) (toZ s_lo) (toZ s_hi) (toZ z) (toZ F) (toZ NT)
    (zl xs) (zl los) (zl his).
Proof.
  intros mx s_lo s_hi z F NT xs. induction xs as [|x xs IH]; intros los his HF Hz;
    [reflexivity|].
  destruct los as [|lo los]; [reflexivity|]. destruct his as [|hi his]; [reflexivity|].
  cbn [exp_entries_ok ExpTables.exp_entries_okZ map].
  rewrite check_exp_neg_link by exact HF. rewrite IH by assumption.
  assert (Hz4 : 0 <= toZ (4 * z)%bigZ) by (rewrite BigZ.spec_mul, toZ_4; lia).
  rewrite !BigZ.spec_shiftl, !Z.shiftl_mul_pow2 by assumption. bigz. now rewrite toZ_4.
Qed.

Lemma exp_rows_ok_link : forall s_lo s_hi z F NT S lo hi,
  0 <= toZ F -> 0 <= toZ z ->
  exp_rows_ok s_lo s_hi z F NT S lo hi =
  ExpTables.exp_rows_okZ (toZ s_lo) (toZ s_hi) (toZ z) (toZ F) (toZ NT)
    (map zl S) (map zl lo) (map zl hi).
Proof.
  intros s_lo s_hi z F NT S. induction S as [|r S IH]; intros lo hi HF Hz; [reflexivity|].
  destruct lo as [|l lo]; [reflexivity|]. destruct hi as [|h hi]; [reflexivity|].
  cbn [exp_rows_ok ExpTables.exp_rows_okZ map].
  rewrite exp_entries_ok_link, row_max_link, IH by assumption. reflexivity.
Qed.

(** ** vector / matrix / maximum helpers (ListOps, PathList) *)

Notation zm := (map (map BigZ.to_Z)).

Lemma zeros_link : forall k, zl (zeros k) = ListOps.zerosZ k.
Proof. intros k. induction k as [|k IH]; s; [reflexivity|]. now rewrite IH. Qed.

Lemma vadd_link : forall u v, zl (vadd u v) = ListOps.vaddZ (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma vsub_link : forall u v, zl (vsub u v) = ListOps.vsubZ (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma vsubc_link : forall c u, zl (vsubc c u) = ListOps.vsubcZ (toZ c) (zl u).
Proof. induction u as [|x u IH]; s; auto. bigz. now rewrite IH. Qed.

Lemma vmax_link : forall u v, zl (vmax u v) = ListOps.vmaxZ (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma vaxpy_link : forall a u acc, zl (vaxpy a u acc) = ListOps.vaxpyZ (toZ a) (zl u) (zl acc).
Proof. induction u as [|x u IH]; intros [|y acc]; s; auto. bigz. now rewrite IH. Qed.

Lemma vec_mat_acc_link : forall v M acc,
  zl (vec_mat_acc v M acc) = ListOps.vec_mat_accZ (zl v) (zm M) (zl acc).
Proof.
  induction v as [|a v IH]; intros [|r M] acc; s; auto. rewrite IH. now rewrite vaxpy_link.
Qed.

Lemma vec_mat_link : forall v M, zl (vec_mat v M) = ListOps.vec_matZ (zl v) (zm M).
Proof.
  intros v M. unfold vec_mat, ListOps.vec_matZ. rewrite vec_mat_acc_link, zeros_link.
  destruct M as [|r M]; s; auto. now rewrite map_length.
Qed.

Lemma matmul_link : forall A B, zm (matmul A B) = ListOps.matmulZ (zm A) (zm B).
Proof.
  intros A B. unfold matmul, ListOps.matmulZ. rewrite !map_map.
  apply map_ext. intro r. apply vec_mat_link.
Qed.

Lemma dot_link : forall u v, toZ (dot u v) = ListOps.dotZ (zl u) (zl v).
Proof. induction u as [|x u IH]; intros [|y v]; s; auto. bigz. now rewrite IH. Qed.

Lemma vshl_link : forall k u, 0 <= toZ k -> zl (vshl k u) = PathList.vshlZ (toZ k) (zl u).
Proof.
  intros k u Hk. unfold PathList.vshlZ. induction u as [|x u IH]; s; [reflexivity|].
  rewrite IH, BigZ.spec_shiftl, Z.shiftl_mul_pow2 by exact Hk. reflexivity.
Qed.

Lemma centre_link : forall m r,
  zl (centre m r) = ListOps.centreZ (Z.to_nat (toZ m)) (zl r).
Proof.
  intros m r. unfold centre, ListOps.centreZ. rewrite vsubc_link, entry_link. reflexivity.
Qed.

Lemma max_skip_link : forall m r i best,
  option_map toZ (max_skip m i best r) = ListOps.max_skipZ m i (option_map toZ best) (zl r).
Proof.
  intros m r. induction r as [|x r IH]; intros i best; s; [reflexivity|].
  destruct (Nat.eqb i m); rewrite IH; [reflexivity|].
  destruct best as [b|]; s; [|reflexivity]. now bigz.
Qed.

Lemma max_except_link : forall m r,
  toZ (max_except m r) = ListOps.max_exceptZ (Z.to_nat (toZ m)) (zl r).
Proof.
  intros m r. unfold max_except, ListOps.max_exceptZ, Checker.to_nat.
  rewrite <- (max_skip_link _ r O None).
  destruct (max_skip _ _ _ _); reflexivity.
Qed.

Lemma fold_vmax_link : forall rs r,
  zl (fold_left vmax rs r) = fold_left ListOps.vmaxZ (zm rs) (zl r).
Proof.
  intros rs. induction rs as [|x rs IH]; intros r; [reflexivity|].
  cbn [fold_left map]. rewrite IH, vmax_link. reflexivity.
Qed.

Lemma p_max_link : forall PV m,
  zl (p_max PV m) = ListOps.p_maxZ (zm PV) (Z.to_nat (toZ m)).
Proof.
  intros PV m. unfold p_max, ListOps.p_maxZ.
  replace (map (ListOps.centreZ (Z.to_nat (toZ m))) (zm PV))
    with (zm (map (centre m) PV))
    by (rewrite !map_map; apply map_ext; intro r; apply centre_link).
  destruct (map (centre m) PV) as [|r rs]; [reflexivity|].
  cbn [map]. apply fold_vmax_link.
Qed.

(** ** split_maxima (SplitList) *)

Lemma split_maxima_link : forall P Zs m,
  (zl (fst (split_maxima P Zs m)), zl (snd (split_maxima P Zs m))) =
  SplitList.split_maximaZ (zm (EUPU P)) (zm (EVOU P)) (zm (PVOU P)) (zl Zs) (Z.to_nat (toZ m)).
Proof.
  intros P Zs m. unfold split_maxima, SplitList.split_maximaZ. cbv zeta. cbn [fst snd].
  f_equal; rewrite !map_map; apply map_ext; intro r.
  - rewrite max_except_link, centre_link, vadd_link. reflexivity.
  - rewrite max_except_link, vadd_link, centre_link, vsub_link, p_max_link. reflexivity.
Qed.

(** ** arrangements and the mask walk (Arrange, MaskArr) *)

Notation zp := (map (fun p => (BigZ.to_Z (fst p), BigZ.to_Z (snd p)))).

Lemma ub_link : forall wlo whi z, toZ (ub wlo whi z) = Cubic.ubZ (toZ wlo) (toZ whi) (toZ z).
Proof. intros. rewrite ub_spec. reflexivity. Qed.

Lemma slots_sum_link : forall el eh g ws,
  toZ (slots_sum el eh g ws) = Arrange.slots_sumZ (toZ el) (toZ eh) (toZ g) (zp ws).
Proof.
  intros el eh g ws. induction ws as [|[pl ph] ws IH]; s; [reflexivity|].
  bigz. rewrite IH, ub_link. now bigz.
Qed.

Lemma slot_weights_link : forall plo phi slots,
  zp (slot_weights plo phi slots) = Arrange.slot_weightsZ (zl plo) (zl phi) (zl slots).
Proof.
  intros plo phi slots. unfold slot_weights, Arrange.slot_weightsZ. rewrite !map_map.
  apply map_ext. intro i. cbn [fst snd]. rewrite !entry_link. reflexivity.
Qed.

Lemma arrangement_slots_link : forall o c high,
  (zl (fst (arrangement_slots o c high)), zl (snd (arrangement_slots o c high))) =
  Arrange.arrangement_slotsZ (zl o) c high.
Proof.
  intros o c high. unfold arrangement_slots, Arrange.arrangement_slotsZ.
  destruct high; cbn [fst snd]; rewrite ?firstn_map, ?skipn_map, ?map_length; reflexivity.
Qed.

Definition arr_link (a : Arrangement) : MaskArr.ArrZ :=
  MaskArr.mkArrZ (toZ (arr_fixed a)) (zp (arr_kslots a)).

Lemma arrangement_link : forall plo phi elo ehi U E m q n o c high,
  arr_link (arrangement plo phi elo ehi U E m q n o c high) =
  MaskArr.arrangementZ (zl plo) (zl phi) (zl elo) (zl ehi) (zl U) (zl E) (toZ m) (toZ q) (toZ n)
    (zl o) c high.
Proof.
  intros. unfold arrangement, MaskArr.arrangementZ.
  rewrite <- arrangement_slots_link.
  destruct (arrangement_slots o c high) as [Ms Ks]. cbn [fst snd].
  unfold arr_link. cbn [arr_fixed arr_kslots]. f_equal.
  - bigz. rewrite !slots_sum_link, !slot_weights_link, !entry_link. bigz. cbn [map].
    bigz. rewrite !entry_link. reflexivity.
  - apply slot_weights_link.
Qed.

Lemma arrangement_ok_link : forall a el eh gk,
  arrangement_ok a el eh gk = MaskArr.arrangement_okZ (arr_link a) (toZ el) (toZ eh) (toZ gk).
Proof.
  intros. unfold arrangement_ok, MaskArr.arrangement_okZ, arr_link. cbn [MaskArr.afixed MaskArr.akslots].
  bigz. rewrite slots_sum_link. now bigz.
Qed.

Lemma cell_k_ok_link : forall low high el eh gk,
  cell_k_ok low high el eh gk =
  MaskArr.cell_k_okZ (arr_link low) (arr_link high) (toZ el) (toZ eh) (toZ gk).
Proof.
  intros. unfold cell_k_ok, MaskArr.cell_k_okZ. rewrite !arrangement_ok_link. reflexivity.
Qed.

Lemma mask_ok_link : forall fuel low high Uq elos ehis Es mask,
  mask_ok low high Uq elos ehis Es fuel mask =
  MaskArr.mask_okZ (arr_link low) (arr_link high) (toZ Uq) (zl elos) (zl ehis) (zl Es) fuel
    (toZ mask).
Proof.
  intros fuel. induction fuel as [|f IH]; intros low high Uq elos ehis Es mask;
    (destruct elos as [|el elos]; [reflexivity|]); (destruct ehis as [|eh ehis]; [reflexivity|]);
    (destruct Es as [|e Es]; [reflexivity|]); [reflexivity|].
  cbn [mask_ok MaskArr.mask_okZ map]. rewrite IH, BigZ.spec_odd, BigZ.spec_div, toZ_2.
  rewrite cell_k_ok_link, BigZ.spec_add. reflexivity.
Qed.

(** ** check 8 pieces (C0List) *)

Lemma all_neg_except_link : forall m v i,
  all_neg_except m i v = C0List.all_neg_exceptZ m i (zl v).
Proof.
  intros m v. induction v as [|x v IH]; intros i; s; [reflexivity|].
  rewrite IH. bigz. reflexivity.
Qed.

Lemma map_ub_link : forall a b l,
  zl (map (ub a b) l) = map (Cubic.ubZ (toZ a) (toZ b)) (zl l).
Proof. intros. rewrite !map_map. apply map_ext. intro x. apply ub_link. Qed.

Lemma c0_sum_link : forall pv du evm evq em1 em2 eq1 eq2 plo phi acc,
  zl (c0_sum du evm evq (em1, em2) (eq1, eq2) pv plo phi acc) =
  C0List.c0_sumZ (zl du) (zl evm) (zl evq) (toZ em1, toZ em2) (toZ eq1, toZ eq2) (zm pv)
    (zl plo) (zl phi) (zl acc).
Proof.
  intros pv. induction pv as [|p pv IH]; intros du evm evq em1 em2 eq1 eq2 plo phi acc;
    [reflexivity|].
  destruct plo as [|pl plo]; [reflexivity|]. destruct phi as [|ph phi]; [reflexivity|].
  cbn [c0_sum C0List.c0_sumZ map].
  destruct pv as [|p' pv']; cbv beta iota zeta; rewrite IH; f_equal;
    rewrite vadd_link, map_ub_link, !vadd_link; bigz; reflexivity.
Qed.

(** ** check 4: compute_paths (PathList), for [0 <= z] *)

Definition aligned_link (T : Aligned) : PathList.AlignedZ :=
  PathList.mkAlignedZ (toZ (a_z T)) (zm (Checker.aE T)) (zm (Checker.aPos T)) (zm (Checker.aQ T))
    (zm (Checker.aK T)) (zm (Checker.aV T)) (zm (Checker.aO T)) (zm (Checker.aU T))
    (zl (Checker.abQ T)) (zl (Checker.abK T)) (zl (Checker.abV T)) (zl (Checker.abO T))
    (zl (Checker.abU T)).

Definition paths_link (P : Paths) : PathList.PathsZ :=
  PathList.mkPathsZ (zm (EUPU P)) (zm (EVOU P)) (zm (PVOU P)) (zm (EQKE P)) (zm (EQKP P)).

Lemma toZ_3 : toZ 3%bigZ = 3. Proof. reflexivity. Qed.

Lemma last_link : forall (W : list (list bigZ)), zl (last W []) = last (zm W) [].
Proof.
  intros W. induction W as [|r W IH]; [reflexivity|].
  destruct W as [|r' W]; [reflexivity|]. exact IH.
Qed.

Lemma map_vadd_l_link : forall u M, zm (map (vadd u) M) = map (ListOps.vaddZ (zl u)) (zm M).
Proof. intros. rewrite !map_map. apply map_ext. intro r. apply vadd_link. Qed.

Lemma map_vadd_r_link : forall w M,
  zm (map (fun r => vadd r w) M) = map (fun r => ListOps.vaddZ r (zl w)) (zm M).
Proof. intros. rewrite !map_map. apply map_ext. intro r. apply vadd_link. Qed.

Lemma map_vshl_link : forall k M, 0 <= toZ k ->
  zm (map (vshl k) M) = map (PathList.vshlZ (toZ k)) (zm M).
Proof. intros k M Hk. rewrite !map_map. apply map_ext. intro r. now apply vshl_link. Qed.

Lemma map_dot_link : forall Q K,
  zm (map (fun qv => map (dot qv) K) Q) = map (fun qv => map (ListOps.dotZ qv) (zm K)) (zm Q).
Proof.
  intros. rewrite !map_map. apply map_ext. intro qv. rewrite !map_map. apply map_ext.
  intro k. apply dot_link.
Qed.

Lemma compute_paths_link : forall T, 0 <= toZ (a_z T) ->
  paths_link (compute_paths T) = PathList.compute_pathsZ (aligned_link T).
Proof.
  intros T Hz.
  assert (H2 : 0 <= toZ (2 * a_z T)%bigZ) by (rewrite BigZ.spec_mul, toZ_2; lia).
  assert (H3 : 0 <= toZ (3 * a_z T)%bigZ) by (rewrite BigZ.spec_mul, toZ_3; lia).
  unfold compute_paths, PathList.compute_pathsZ, paths_link, aligned_link. cbv zeta.
  cbn [EUPU EVOU PVOU EQKE EQKP PathList.az PathList.aE PathList.aPos PathList.aQ PathList.aK
       PathList.aV PathList.aO PathList.aU PathList.abQ PathList.abK PathList.abV PathList.abO
       PathList.abU].
  f_equal;
    repeat first
      [ rewrite map_vadd_l_link | rewrite map_vadd_r_link | rewrite map_dot_link
      | rewrite map_vshl_link by assumption | rewrite vshl_link by assumption
      | rewrite matmul_link | rewrite vec_mat_link | rewrite vadd_link | rewrite last_link ];
    rewrite ?BigZ.spec_mul, ?toZ_2, ?toZ_3; reflexivity.
Qed.

(** ** check 8: one c0 entry (CellList.c0_entry_okZ) *)

Lemma row_link : forall M q, zl (row M q) = nth (Z.to_nat (toZ q)) (zm M) [].
Proof.
  intros M q. unfold row, nthZ, Checker.to_nat. exact (eq_sym (map_nth zl M [] _)).
Qed.

Lemma entry_row_link : forall M q m,
  toZ (entry (row M q) m) = nth (Z.to_nat (toZ m)) (nth (Z.to_nat (toZ q)) (zm M) []) 0.
Proof. intros. rewrite entry_link, row_link. reflexivity. Qed.

Lemma c0_entry_ok_link : forall m q P elo ehi plo phi,
  c0_entry_ok m q P elo ehi plo phi =
  CellList.c0_entry_okZ (Z.to_nat (toZ m)) (Z.to_nat (toZ q)) (paths_link P)
    (zm elo) (zm ehi) (zm plo) (zm phi).
Proof.
  intros. unfold c0_entry_ok, CellList.c0_entry_okZ, paths_link. cbv zeta.
  cbn [PathList.pEUPU PathList.pEVOU PathList.pPVOU].
  rewrite all_neg_except_link. unfold Checker.to_nat. f_equal.
  rewrite c0_sum_link, zeros_link.
  rewrite <- (map_length BigZ.to_Z (centre _ _)).
  rewrite !centre_link, !row_link, !entry_row_link.
  f_equal. rewrite !map_map. apply map_ext. intro r. apply centre_link.
Qed.

(** ** check 5 (ExpInt.check_sqrt), for [0 <= F] *)

Lemma check_sqrt_link : forall s_lo s_hi h F, 0 <= toZ F ->
  check_sqrt s_lo s_hi h F = ExpInt.check_sqrt (toZ s_lo) (toZ s_hi) (toZ h) (toZ F).
Proof.
  intros s_lo s_hi h F HF. rewrite check_sqrt_spec. unfold check_sqrt_Z, ExpInt.check_sqrt.
  rewrite Z.shiftl_mul_pow2 by lia. reflexivity.
Qed.
