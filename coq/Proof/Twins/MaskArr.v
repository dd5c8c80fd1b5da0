(** * MaskArr.v — the per-cell test of check 9 in the shape of coq/Checker.v (two prepared
    arrangements, then a walk of k along the mask's bits), over Z: it establishes, for every
    k of the cell's set S = mask_set m mask, the two ub-sum inequalities of CellInt.v (Hk). *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Proof.Int.ExpInt Proof.Reals.Cubic Proof.Twins.ListOps Proof.Twins.Orders Proof.Twins.PathList
  Proof.Int.CountInt Proof.Twins.Arrange.
Import ListNotations.
Local Open Scope Z_scope.

Record ArrZ := mkArrZ { afixed : Z; akslots : list (Z * Z) }.

Definition arrangementZ (plo phi elo ehi U E : list Z) (m q n : Z) (o : list Z) (c : nat)
    (high : bool) : ArrZ :=
  let '(Ms, Ks) := arrangement_slotsZ o c high in
  let Uq := entryZ U q in
  mkArrZ (slots_sumZ (entryZ elo m) (entryZ ehi m) (Uq + entryZ E m) (slot_weightsZ plo phi Ms)
          + slots_sumZ (entryZ elo q) (entryZ ehi q) (Uq + entryZ E q) (slot_weightsZ plo phi [n - 1]))
         (slot_weightsZ plo phi Ks).

Definition arrangement_okZ (a : ArrZ) (el eh gk : Z) : bool :=
  afixed a + slots_sumZ el eh gk (akslots a) <? 0.

Definition cell_k_okZ (low high : ArrZ) (el eh gk : Z) : bool :=
  (arrangement_okZ low el eh gk && arrangement_okZ high el eh gk)%bool.

Fixpoint mask_okZ (low high : ArrZ) (Uq : Z) (elos ehis Es : list Z) (fuel : nat) (mask : Z) : bool :=
  match fuel, elos, ehis, Es with
  | S f, el :: elos', eh :: ehis', e :: Es' =>
      ((if Z.odd mask then cell_k_okZ low high el eh (Uq + e) else true)
       && mask_okZ low high Uq elos' ehis' Es' f (mask / 2))%bool
  | _, _, _, _ => true
  end.

Lemma mask_okZ_spec : forall fuel low high Uq elos ehis Es mask k,
  mask_okZ low high Uq elos ehis Es fuel mask = true ->
  (k < fuel)%nat -> (k < length elos)%nat -> (k < length ehis)%nat -> (k < length Es)%nat ->
  Z.testbit mask (Z.of_nat k) = true ->
  cell_k_okZ low high (nth k elos 0) (nth k ehis 0) (Uq + nth k Es 0) = true.
Proof.
  induction fuel as [|f IH]; intros low high Uq elos ehis Es mask k H Hk H1 H2 H3 Hb; [lia|].
  destruct elos as [|el elos]; [simpl in H1; lia|].
  destruct ehis as [|eh ehis]; [simpl in H2; lia|].
  destruct Es as [|e Es]; [simpl in H3; lia|].
  simpl in H. apply Bool.andb_true_iff in H. destruct H as [Hh Ht].
  destruct k as [|k].
  - change (Z.of_nat 0) with 0 in Hb. rewrite Z.bit0_odd in Hb. rewrite Hb in Hh. exact Hh.
  - simpl. apply (IH _ _ _ _ _ _ (mask / 2)); [exact Ht| lia| simpl in *; lia| simpl in *; lia
                                          | simpl in *; lia|].
    rewrite Nat2Z.inj_succ, <- Z.div2_bits in Hb by lia. exact Hb.
Qed.

Section Cell.
Variables (plo phi elo ehi U E : list Z) (m q : nat) (n : Z) (o : list Z) (c : nat) (mask : Z).
Notation L := (Z.to_nat (n - 1)).
Hypothesis Hn : 1 <= n.
Hypothesis Ho : length o = L.
Hypothesis HcL : (c <= L)%nat.
Hypothesis Hlens : (m <= length elo)%nat /\ (m <= length ehi)%nat /\ (m <= length E)%nat.

Let low := arrangementZ plo phi elo ehi U E (Z.of_nat m) (Z.of_nat q) n o c false.
Let high := arrangementZ plo phi elo ehi U E (Z.of_nat m) (Z.of_nat q) n o c true.
Let on := map Z.to_nat o.
Let w (t i : nat) (gv : Z) : Z := ubZ (nth t elo 0 * nth i plo 0) (nth t ehi 0 * nth i phi 0) gv.
Let Uq := nth q U 0.
Let Ef (t : nat) := nth t E 0.

Lemma entryZ_nat : forall (l : list Z) (i : nat), entryZ l (Z.of_nat i) = nth i l 0.
Proof. intros l i. unfold entryZ. rewrite Nat2Z.id. reflexivity. Qed.

Lemma on_nth : forall j, entryZ plo (nth j o 0) = nth (nth j on O) plo 0
                      /\ entryZ phi (nth j o 0) = nth (nth j on O) phi 0.
Proof.
  intros j. unfold on, entryZ. change O with (Z.to_nat 0). rewrite map_nth. split; reflexivity.
Qed.

Theorem mask_cell_Hk : mask_okZ low high (entryZ U (Z.of_nat q)) elo ehi E m mask = true ->
  forall k, In k (mask_set m mask) ->
  (zsum (L - c) (fun j => w m (nth j on O) (Uq + Ef m))
   + zsum c (fun j => w k (nth (L - c + j) on O) (Uq + Ef k))
   + w q L (Uq + Ef q) < 0)
  /\ (zsum (L - c) (fun j => w m (nth (c + j) on O) (Uq + Ef m))
      + zsum c (fun j => w k (nth j on O) (Uq + Ef k))
      + w q L (Uq + Ef q) < 0).
Proof.
  intros Hmask k Hk. unfold mask_set in Hk. apply filter_In in Hk. destruct Hk as [Hk Hb].
  apply in_seq in Hk. destruct Hlens as (Hl1 & Hl2 & Hl3).
  pose proof (mask_okZ_spec m low high _ elo ehi E mask k Hmask ltac:(lia) ltac:(lia)
                ltac:(lia) ltac:(lia) Hb) as Hck.
  unfold cell_k_okZ, arrangement_okZ in Hck. rewrite Bool.andb_true_iff, !Z.ltb_lt in Hck.
  destruct Hck as [Hlo Hhi].
  assert (Hq : slots_sumZ (entryZ elo (Z.of_nat q)) (entryZ ehi (Z.of_nat q))
                 (entryZ U (Z.of_nat q) + entryZ E (Z.of_nat q)) (slot_weightsZ plo phi [n - 1])
               = w q L (Uq + Ef q)).
  { simpl. rewrite !entryZ_nat. unfold w, Uq, Ef, entryZ. lia. }
  unfold low, high, arrangementZ, arrangement_slotsZ in *. cbv beta iota zeta in Hlo, Hhi.
  cbn [afixed akslots] in Hlo, Hhi.
  rewrite Hq, !entryZ_nat in Hlo, Hhi. rewrite Ho in Hlo.
  rewrite slots_firstn, slots_skipn in Hlo by lia.
  rewrite slots_skipn, slots_firstn in Hhi by lia.
  rewrite Ho in Hlo, Hhi. replace (L - (L - c))%nat with c in Hlo by lia.
  split.
  - eapply Z.le_lt_trans; [|exact Hlo]. apply Z.eq_le_incl.
    assert (E1 : zsum (L - c) (fun j => w m (nth j on O) (Uq + Ef m))
      = zsum (L - c) (fun j => ubZ (nth m elo 0 * entryZ plo (nth j o 0)) (nth m ehi 0 * entryZ phi (nth j o 0))
                                   (nth q U 0 + nth m E 0))).
    { apply zsum_ext. intros j _. destruct (on_nth j) as [-> ->]. reflexivity. }
    assert (E2 : zsum c (fun j => w k (nth (L - c + j) on O) (Uq + Ef k))
      = zsum c (fun j => ubZ (nth k elo 0 * entryZ plo (nth (L - c + j) o 0))
                             (nth k ehi 0 * entryZ phi (nth (L - c + j) o 0)) (nth q U 0 + nth k E 0))).
    { apply zsum_ext. intros j _. destruct (on_nth (L - c + j)) as [-> ->]. reflexivity. }
    rewrite E1, E2. lia.
  - eapply Z.le_lt_trans; [|exact Hhi]. apply Z.eq_le_incl.
    assert (E1 : zsum (L - c) (fun j => w m (nth (c + j) on O) (Uq + Ef m))
      = zsum (L - c) (fun j => ubZ (nth m elo 0 * entryZ plo (nth (c + j) o 0))
                                   (nth m ehi 0 * entryZ phi (nth (c + j) o 0)) (nth q U 0 + nth m E 0))).
    { apply zsum_ext. intros j _. destruct (on_nth (c + j)) as [-> ->]. reflexivity. }
    assert (E2 : zsum c (fun j => w k (nth j on O) (Uq + Ef k))
      = zsum c (fun j => ubZ (nth k elo 0 * entryZ plo (nth j o 0))
                             (nth k ehi 0 * entryZ phi (nth j o 0)) (nth q U 0 + nth k E 0))).
    { apply zsum_ext. intros j _. destruct (on_nth j) as [-> ->]. reflexivity. }
    rewrite E1, E2. lia.
Qed.
End Cell.
