(** * ExactCount.v — coq/CheckerExact.v's residual enumeration and counters (check 11), read back
    on Proof/Reals/Residual.v's lists.

    - [gen_eq], [gen_out_eq]: CheckerExact's [gen] / [gen_out] (with O = A \ S passed in) are
      Count.v's [gen] / Residual.v's [gen_out];
    - [class_prefixes_res]: the prefixes of a key class, computed on the c0 entries and cells
      filtered by max token m, are Residual.v's [res_prefixes] for the lookups [c0b] / [cellS] on
      the whole lists;
    - [check_residual_counts]: check 11's triple is (|R|, #ok, #wrong) for R := Residual.v's
      [residual] and any two predicates on inputs that agree with [verdict] on R;
    - [cellS_sound], [lists_cons]: the lookups satisfy Residual.v's hypotheses [HcS] / [Hcons]
      for the c0 entries and cells that checks 8 and 9 accept ([c0_loop_nonneg],
      [cells_loop_headers]). *)
From Coq Require Import List ZArith Lia Sorted Bool.
From Bignums Require Import BigZ.
From MaxK Require Import Checker CheckerSpec CheckerExact.
From MaxK Require Proof.Reals.Count Proof.Reals.Residual Proof.Int.CountInt Proof.Int.Keys
  Proof.Twins.Assemble Proof.Link.Link Proof.Link.Loops.
Import ListNotations.
Local Open Scope Z_scope.

(** ** The enumeration *)

Lemma gen_eq : forall m A L c, CheckerExact.gen m A L c = Count.gen m A L c.
Proof.
  intros m A L. induction L as [|L IH]; intros c; [reflexivity|].
  cbn [CheckerExact.gen Count.gen]. rewrite (IH c). destruct c as [|c]; [reflexivity|].
  cbv beta iota. rewrite (IH c). reflexivity.
Qed.

Lemma gen_out_eq : forall m S A L c,
  CheckerExact.gen_out m S (CheckerExact.set_minus A S) A L c = Residual.gen_out m S A L c.
Proof.
  intros m S A L. induction L as [|L IH]; intros c; [reflexivity|].
  cbn [CheckerExact.gen_out Residual.gen_out]. rewrite (IH c). destruct c as [|c]; [reflexivity|].
  cbv beta iota. rewrite (IH c), (gen_eq m A L c). reflexivity.
Qed.

Lemma c0_mem_filter : forall l m q,
  c0_mem (filter (fun e => (fst e =? m)%bigZ) l) m q = c0_mem l m q.
Proof.
  intros l m q. induction l as [|[m' q'] l IH]; [reflexivity|].
  cbn [filter fst]. destruct (m' =? m)%bigZ eqn:E; cbn [c0_mem]; rewrite IH; [reflexivity|].
  rewrite E. reflexivity.
Qed.

Lemma cell_set_filter : forall l m q c mn,
  cell_set (filter (fun x => (cell_m x =? m)%bigZ) l) m q c mn = cell_set l m q c mn.
Proof.
  intros l m q c mn. induction l as [|x l IH]; [reflexivity|].
  cbn [filter]. destruct (cell_m x =? m)%bigZ eqn:E.
  - cbn [cell_set]. rewrite IH. reflexivity.
  - cbn [cell_set]. unfold key_eq. rewrite E. exact IH.
Qed.

(** the lookups on the whole lists *)
Definition c0b (c0l : list (bigZ * bigZ)) (m q : nat) : bool :=
  c0_mem c0l (BigZ.of_Z (Z.of_nat m)) (BigZ.of_Z (Z.of_nat q)).

Definition cellS (cl : list Cell) (m q c : nat) : list nat :=
  cell_set cl (BigZ.of_Z (Z.of_nat m)) (BigZ.of_Z (Z.of_nat q)) (BigZ.of_Z (Z.of_nat c)) m.

Lemma class_prefixes_res : forall c0l cl n m q c,
  class_prefixes (filter (fun e => (fst e =? BigZ.of_Z (Z.of_nat m))%bigZ) c0l)
                 (filter (fun x => (cell_m x =? BigZ.of_Z (Z.of_nat m))%bigZ) cl) n m q c
  = Residual.res_prefixes n (c0b c0l) (cellS cl) m q c.
Proof.
  intros c0l cl n m q c. unfold class_prefixes, Residual.res_prefixes. cbv zeta.
  destruct c as [|c].
  - rewrite c0_mem_filter. reflexivity.
  - rewrite cell_set_filter, gen_out_eq. reflexivity.
Qed.

(** ** The counters *)

Definition tZ (t : bigZ * bigZ * bigZ) : Z * Z * Z :=
  let '(r, o, w) := t in (toZ r, toZ o, toZ w).

Definition tadd (a b : Z * Z * Z) : Z * Z * Z :=
  let '(a1, a2, a3) := a in let '(b1, b2, b3) := b in (a1 + b1, a2 + b2, a3 + b3).

(** (|L|, #ok, #wrong) of a list of inputs *)
Definition cnt (okx wrx : list nat -> bool) (L : list (list nat)) : Z * Z * Z :=
  (Z.of_nat (length L), Z.of_nat (length (filter okx L)), Z.of_nat (length (filter wrx L))).

Lemma triple_eq : forall (a1 a2 a3 b1 b2 b3 : Z), a1 = b1 -> a2 = b2 -> a3 = b3 ->
  (a1, a2, a3) = (b1, b2, b3).
Proof. intros. subst. reflexivity. Qed.

Lemma tadd_assoc : forall a b c, tadd (tadd a b) c = tadd a (tadd b c).
Proof. intros [[a1 a2] a3] [[b1 b2] b3] [[c1 c2] c3]. cbn. f_equal; [f_equal|]; ring. Qed.

Lemma tadd_0_r : forall a, tadd a (0, 0, 0) = a.
Proof. intros [[a1 a2] a3]. cbn. f_equal; [f_equal|]; ring. Qed.

Lemma tadd_0_l : forall a, tadd (0, 0, 0) a = a.
Proof. intros [[a1 a2] a3]. reflexivity. Qed.

Lemma cnt_app : forall okx wrx L1 L2,
  cnt okx wrx (L1 ++ L2) = tadd (cnt okx wrx L1) (cnt okx wrx L2).
Proof. intros. unfold cnt. cbn. rewrite !filter_app, !app_length. f_equal; [f_equal|]; lia. Qed.

Lemma cnt_nil : forall okx wrx, cnt okx wrx [] = (0, 0, 0).
Proof. reflexivity. Qed.

(** the predicates [okx] / [wrx] are the verdicts 0 / 1 of the class environment E, max token m *)
Definition agree (okx wrx : list nat -> bool) (E : ClassEnv) (m : nat) (x : list nat) : Prop :=
  okx x = Nat.eqb (verdict E m x) 0 /\ wrx x = Nat.eqb (verdict E m x) 1.

Lemma count_class_spec : forall okx wrx E m q l acc,
  (forall p, In p l -> agree okx wrx E m (p ++ [q])) ->
  tZ (count_class E m q l acc) = tadd (tZ acc) (cnt okx wrx (map (fun p => p ++ [q]) l)).
Proof.
  intros okx wrx E m q l. induction l as [|p l IH]; intros acc H.
  - cbn [count_class map]. rewrite cnt_nil, tadd_0_r. reflexivity.
  - destruct acc as [[r o] w]. cbn [count_class].
    destruct (H p (or_introl eq_refl)) as [Ho Hw].
    change (map (fun p => p ++ [q]) (p :: l)) with ([p ++ [q]] ++ map (fun p => p ++ [q]) l).
    rewrite cnt_app, <- tadd_assoc.
    destruct (verdict E m (p ++ [q])) as [|[|k]] eqn:Ev;
      (rewrite IH by (intros p' Hp'; apply H; right; exact Hp'); f_equal;
       unfold cnt; cbn [filter length]; rewrite Ho, Hw; cbn; bigz; apply triple_eq; lia).
Qed.

Lemma count_cs_spec : forall okx wrx c0l cl E n m q cs acc,
  (forall c p, In c cs -> In p (class_prefixes c0l cl n m q c) -> agree okx wrx E m (p ++ [q])) ->
  tZ (count_cs c0l cl E n m q cs acc) =
  tadd (tZ acc) (cnt okx wrx (flat_map (fun c => map (fun p => p ++ [q]) (class_prefixes c0l cl n m q c)) cs)).
Proof.
  intros okx wrx c0l cl E n m q cs. induction cs as [|c cs IH]; intros acc H.
  - cbn. rewrite tadd_0_r. reflexivity.
  - cbn [count_cs flat_map]. rewrite IH by (intros c' p Hc Hp; apply (H c' p); [right|]; assumption).
    rewrite (count_class_spec okx wrx) by (intros p Hp; apply (H c p); [left; reflexivity| exact Hp]).
    rewrite cnt_app, tadd_assoc. reflexivity.
Qed.

Lemma count_qs_spec : forall okx wrx c0l cl P elo ehi plo phi n m qs acc,
  (forall q c p, In q qs -> In c (seq 0 (CheckerExact.n_keys n m q)) ->
     In p (class_prefixes c0l cl n m q c) ->
     agree okx wrx (class_env P elo ehi plo phi m q) m (p ++ [q])) ->
  tZ (count_qs c0l cl P elo ehi plo phi n m qs acc) =
  tadd (tZ acc) (cnt okx wrx (flat_map (fun q => flat_map (fun c =>
      map (fun p => p ++ [q]) (class_prefixes c0l cl n m q c)) (seq 0 (CheckerExact.n_keys n m q))) qs)).
Proof.
  intros okx wrx c0l cl P elo ehi plo phi n m qs. induction qs as [|q qs IH]; intros acc H.
  - cbn. rewrite tadd_0_r. reflexivity.
  - cbn [count_qs flat_map]. rewrite IH by (intros q' c p Hq Hc Hp; apply (H q' c p); [right| |]; assumption).
    rewrite (count_cs_spec okx wrx) by (intros c p Hc Hp; apply (H q c p); [left; reflexivity| |]; assumption).
    rewrite cnt_app, tadd_assoc. reflexivity.
Qed.

Lemma count_ms_spec : forall okx wrx c0l cl P elo ehi plo phi n ms acc,
  (forall m q c p, In m ms -> In q (seq 0 (S m)) -> In c (seq 0 (Residual.n_keys n m q)) ->
     In p (Residual.res_prefixes n (c0b c0l) (cellS cl) m q c) ->
     agree okx wrx (class_env P elo ehi plo phi m q) m (p ++ [q])) ->
  tZ (count_ms c0l cl P elo ehi plo phi n ms acc) =
  tadd (tZ acc) (cnt okx wrx (flat_map (fun m => flat_map (fun q => flat_map (fun c =>
      Residual.res_block n (c0b c0l) (cellS cl) m q c) (seq 0 (Residual.n_keys n m q)))
      (seq 0 (S m))) ms)).
Proof.
  intros okx wrx c0l cl P elo ehi plo phi n ms. induction ms as [|m ms IH]; intros acc H.
  - cbn. rewrite tadd_0_r. reflexivity.
  - cbn [count_ms flat_map]. cbv zeta.
    rewrite IH by (intros m' q c p Hm Hq Hc Hp; apply (H m' q c p); [right| | |]; assumption).
    rewrite (count_qs_spec okx wrx).
    2: { intros q c p Hq Hc Hp. rewrite class_prefixes_res in Hp.
         apply (H m q c p); [left; reflexivity| | |]; assumption. }
    rewrite cnt_app, tadd_assoc. f_equal. f_equal. f_equal.
    apply flat_map_ext. intros q. apply flat_map_ext. intros c.
    unfold Residual.res_block. rewrite class_prefixes_res. reflexivity.
Qed.

(** Check 11: (|R|, #ok, #wrong) of the residual, for predicates that agree with the verdicts *)
Theorem check_residual_counts : forall c P okx wrx,
  (forall m q cc p, (m < to_nat (d_vocab c))%nat -> (q <= m)%nat ->
     (cc < Residual.n_keys (to_nat (n_ctx c)) m q)%nat ->
     In p (Residual.res_prefixes (to_nat (n_ctx c)) (c0b (c0 c)) (cellS (cells c)) m q cc) ->
     agree okx wrx (class_env P (eqke_lo c) (eqke_hi c) (eqkp_lo c) (eqkp_hi c) m q) m (p ++ [q])) ->
  tZ (check_residual c P) =
  cnt okx wrx (Residual.residual (to_nat (d_vocab c)) (to_nat (n_ctx c)) (c0b (c0 c)) (cellS (cells c))).
Proof.
  intros c P okx wrx H. unfold check_residual. rewrite (count_ms_spec okx wrx).
  - rewrite tadd_0_l. reflexivity.
  - intros m q cc p Hm Hq Hc Hp. apply in_seq in Hm, Hq, Hc. apply (H m q cc p); [lia| lia| lia| exact Hp].
Qed.

(** ** The lookups and the cells *)

Theorem cellS_sound : forall cl m q c,
  NoDup (cellS cl m q c) /\ (forall s, In s (cellS cl m q c) -> (s < m)%nat).
Proof.
  intros cl m q c. unfold cellS. induction cl as [|x cl IH]; cbn [cell_set].
  - split; [constructor| intros s []].
  - destruct (key_eq _ _ _ x); [|exact IH]. unfold mask_tokens.
    split; [apply NoDup_filter, seq_NoDup|].
    intros s Hs. apply filter_In in Hs. destruct Hs as [Hs _]. apply in_seq in Hs. lia.
Qed.

Lemma mask_tokens_set : forall mask m, mask_tokens mask m = CountInt.mask_set m (toZ mask).
Proof.
  intros mask m. unfold mask_tokens, CountInt.mask_set. apply filter_ext. intros k.
  assert (Hk : toZ (BigZ.of_Z (Z.of_nat k)) = Z.of_nat k) by apply BigZ.spec_of_Z.
  rewrite BigZ.spec_odd, BigZ.spec_div, Link.pow2_link, Hk by lia.
  rewrite <- Z.shiftr_div_pow2 by lia. rewrite <- Z.bit0_odd, Z.shiftr_spec by lia.
  rewrite Z.add_0_l. reflexivity.
Qed.

Lemma toZ_of_nat_to_nat : forall z, 0 <= toZ z -> toZ (BigZ.of_Z (Z.of_nat (Z.to_nat (toZ z)))) = toZ z.
Proof. intros z Hz. rewrite BigZ.spec_of_Z. lia. Qed.

Lemma c0_mem_In : forall l e m q, In e l -> toZ m = toZ (fst e) -> toZ q = toZ (snd e) ->
  c0_mem l m q = true.
Proof.
  intros l e m q. induction l as [|[m' q'] l IH]; intros He Em Eq; [destruct He|].
  cbn [c0_mem]. destruct He as [<-|He].
  - cbn [fst snd] in Em, Eq. rewrite !BigZ.spec_eqb, Em, Eq, !Z.eqb_refl. reflexivity.
  - rewrite IH by assumption. apply orb_true_r.
Qed.

Lemma cell_set_find : forall l x mZ qZ cZ mn, NoDup (map Loops.cell_key3 l) -> In x l ->
  toZ mZ = toZ (cell_m x) -> toZ qZ = toZ (cell_q x) -> toZ cZ = toZ (cell_c x) ->
  cell_set l mZ qZ cZ mn = mask_tokens (cell_mask x) mn.
Proof.
  intros l x mZ qZ cZ mn. induction l as [|y l IH]; intros Hnd Hx Em Eq Ec; [destruct Hx|].
  cbn [cell_set map] in *. apply NoDup_cons_iff in Hnd. destruct Hnd as [Hnin Hnd].
  destruct (key_eq mZ qZ cZ y) eqn:Ek.
  - destruct Hx as [<-|Hx]; [reflexivity|]. exfalso. apply Hnin.
    unfold key_eq in Ek. rewrite !andb_true_iff, !BigZ.spec_eqb, !Z.eqb_eq in Ek.
    destruct Ek as [[E1 E2] E3].
    replace (Loops.cell_key3 y) with (Loops.cell_key3 x); [apply in_map, Hx|].
    unfold Loops.cell_key3, Loops.cell_nat. cbn. rewrite E1, E2, E3, Em, Eq, Ec. reflexivity.
  - destruct Hx as [<-|Hx].
    + unfold key_eq in Ek. rewrite !BigZ.spec_eqb, Em, Eq, Ec, !Z.eqb_refl in Ek. discriminate.
    + apply IH; assumption.
Qed.

(** Residual.v's [Hcons] for the cells of the lists (Assemble.v's [lists_cells]) *)
Theorem lists_cons : forall (c0l : list (bigZ * bigZ)) (cl : list Cell),
  (forall e, In e c0l -> 0 <= toZ (fst e) /\ 0 <= toZ (snd e)) ->
  (forall x, In x cl -> 0 <= toZ (cell_m x) /\ 0 <= toZ (cell_q x) /\ 1 <= toZ (cell_c x)) ->
  NoDup (map Loops.cell_key3 cl) ->
  forall k, In k (map Assemble.c0_cell (map Loops.c0_nat c0l) ++ map Assemble.mask_cell (map Loops.cell_nat cl)) ->
  (Count.cc k = 0%nat -> c0b c0l (Count.cm k) (Count.cq k) = true) /\
  ((1 <= Count.cc k)%nat -> cellS cl (Count.cm k) (Count.cq k) (Count.cc k) = Count.cS k).
Proof.
  intros c0l cl H0 H1 Hnd k Hk. apply in_app_or in Hk. destruct Hk as [Hk|Hk].
  - rewrite map_map in Hk. apply in_map_iff in Hk. destruct Hk as [e [<- He]].
    destruct (H0 e He) as [Hm Hq]. unfold Assemble.c0_cell, Loops.c0_nat. cbn.
    split; [|lia]. intros _. unfold c0b.
    apply (c0_mem_In _ e); [exact He| |]; apply toZ_of_nat_to_nat; assumption.
  - rewrite map_map in Hk. apply in_map_iff in Hk. destruct Hk as [x [<- Hx]].
    destruct (H1 x Hx) as (Hm & Hq & Hc). unfold Assemble.mask_cell, Loops.cell_nat. cbn.
    split; [lia|]. intros _. unfold cellS.
    rewrite (cell_set_find cl x) by (try apply toZ_of_nat_to_nat; try assumption; lia).
    apply mask_tokens_set.
Qed.

(** ** What checks 8 and 9 give besides Loops.v's specs *)

Lemma c0_loop_nonneg : forall P elo ehi plo phi V n l prev,
  c0_loop prev P elo ehi plo phi V n l = true ->
  forall e, In e l -> 0 <= toZ (fst e) /\ 0 <= toZ (snd e).
Proof.
  intros P elo ehi plo phi V n l. induction l as [|[m q] l IH]; intros prev H e He; [destruct He|].
  cbn [c0_loop] in H.
  match type of H with (if ?b then _ else _) = true => destruct b eqn:Hh; [|discriminate] end.
  destruct (c0_entry_ok m q P elo ehi plo phi); [|discriminate].
  destruct He as [<-|He]; [|exact (IH _ H e He)].
  rewrite !andb_true_iff in Hh. destruct Hh as [[[[_ Hq0] Hqm] _] _].
  rewrite BigZ.spec_leb, Z.leb_le in Hq0, Hqm. rewrite toZ_0 in Hq0. cbn [fst snd]. lia.
Qed.

Lemma cells_loop_headers : forall env l prev cache, cells_loop env prev cache l = true ->
  forall x, In x l -> cell_header_ok (v_V env) (v_n env) (lenZ (v_shifts env)) x = true.
Proof.
  intros env l. induction l as [|y l IH]; intros prev cache H x Hx; [destruct Hx|].
  rewrite Loops.cells_loop_cons in H.
  destruct (_ && _)%bool eqn:Hh; [|discriminate].
  destruct (Loops.lookup env cache y) as [ue cache'].
  destruct (Loops.cell_test env y ue); [|discriminate].
  destruct Hx as [<-|Hx].
  - apply andb_true_iff in Hh. exact (proj2 Hh).
  - exact (IH _ _ H x Hx).
Qed.
