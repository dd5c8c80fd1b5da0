(** * ExactCount.v — coq/CheckerExact.v's residual enumeration and counters (check 11), read back
    on Proof/Reals/Residual.v's lists.

    - [gen_eq], [gen_out_eq]: CheckerExact's [gen] / [gen_out] (with O = A \ S passed in) are
      Count.v's [gen] / Residual.v's [gen_out];
    - [class_prefixes_res]: the prefixes of a key class, computed on the c0 entries and cells
      filtered by max token m, are Residual.v's [res_prefixes] for the lookups [c0b] / [cellS] on
      the whole lists;
    - [verdict_fast_eq]: CheckerExact's fast verdict (rounded scalar and vector tiers, then
      [verdict]) is [verdict] on every input, for the table [fast_tab] of the class;
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

(** ** The fast verdict is [verdict] ([verdict_fast_eq]) *)

Lemma rdn_spec : forall k x, 0 <= toZ k -> 2 ^ toZ k * toZ (rdn k x) <= toZ x.
Proof.
  intros k x Hk. unfold rdn. rewrite BigZ.spec_shiftr, Z.shiftr_div_pow2 by exact Hk.
  apply Z.mul_div_le. apply Z.pow_pos_nonneg; lia.
Qed.

Lemma rup_spec : forall k x, 0 <= toZ k -> toZ x <= 2 ^ toZ k * toZ (rup k x).
Proof.
  intros k x Hk. unfold rup. rewrite BigZ.spec_opp, BigZ.spec_shiftr, BigZ.spec_opp,
    Z.shiftr_div_pow2 by exact Hk.
  assert (H := Z.mul_div_le (- toZ x) (2 ^ toZ k)). assert (0 < 2 ^ toZ k) by (apply Z.pow_pos_nonneg; lia).
  specialize (H ltac:(lia)). lia.
Qed.

(** u <= K v entrywise *)
Definition le_sc (K : Z) (u v : list bigZ) : Prop := Forall2 (fun a b => toZ a <= K * toZ b) u v.

Lemma le_sc_vadd : forall K a a' b b', le_sc K a a' -> le_sc K b b' -> le_sc K (vadd a b) (vadd a' b').
Proof.
  intros K a a' b b' Ha. revert b b'. induction Ha as [|x x' a a' Hx Ha IH]; intros b b' Hb.
  - constructor.
  - destruct Hb as [|y y' b b' Hy Hb]; [constructor|]. cbn [vadd]. constructor; [|exact (IH _ _ Hb)].
    rewrite !BigZ.spec_add. lia.
Qed.

Lemma le_sc_zeros : forall K k, le_sc K (zeros k) (zeros k).
Proof. intros K k. induction k as [|k IH]; constructor; [|exact IH]. rewrite toZ_0. lia. Qed.

Lemma le_sc_rup : forall k l, 0 <= toZ k -> le_sc (2 ^ toZ k) l (map (rup k) l).
Proof.
  intros k l Hk. induction l as [|x l IH]; constructor; [apply rup_spec; exact Hk| exact IH].
Qed.

(** du + (ev + p) against ev' + dp', with ev <= K ev', du + p <= K dp' *)
Lemma le_sc_swap : forall K du ev p ev' dp, le_sc K ev ev' -> le_sc K (vadd du p) dp ->
  le_sc K (vadd du (vadd ev p)) (vadd ev' dp).
Proof.
  intros K du. induction du as [|d du IH]; intros ev p ev' dp H1 H2.
  - cbn [vadd] in *. inversion H2; subst. destruct ev'; constructor.
  - destruct ev as [|e ev].
    + inversion H1; subst. constructor.
    + destruct p as [|x p].
      * cbn [vadd] in *. inversion H2; subst. destruct ev'; constructor.
      * cbn [vadd] in *. inversion H1 as [|? e' ? ev'' He Hev]; subst.
        inversion H2 as [|? d' ? dp' Hd Hdp]; subst. cbn [vadd]. constructor.
        -- rewrite !BigZ.spec_add in *. lia.
        -- exact (IH _ _ _ _ Hev Hdp).
Qed.

Lemma ub_round : forall wl wh z wl' wh' z' A B, 0 <= wl' -> 0 <= wh' -> 0 < A -> 0 < B ->
  A * wl' <= wl -> wh <= A * wh' -> z <= B * z' -> ub_Z wl wh z <= (A * B) * ub_Z wl' wh' z'.
Proof.
  intros wl wh z wl' wh' z' A B H1 H2 HA HB Hl Hh Hz. unfold ub_Z.
  destruct (Z.leb_spec 0 z) as [Hz0|Hz0]; destruct (Z.leb_spec 0 z') as [Hz1|Hz1].
  - assert (wh * z <= A * wh' * z) by (apply Z.mul_le_mono_nonneg_r; lia).
    assert (A * wh' * z <= A * wh' * (B * z')) by (apply Z.mul_le_mono_nonneg_l; nia). nia.
  - nia.
  - assert (wl * z <= 0) by nia. nia.
  - assert (wl * z <= A * wl' * z) by nia.
    assert (A * wl' * z <= A * wl' * (B * z')) by (apply Z.mul_le_mono_nonneg_l; nia). nia.
Qed.

Lemma le_sc_ub : forall wl wh wl' wh' A kz z z', 0 < A -> 0 <= toZ kz ->
  0 <= toZ wl' -> 0 <= toZ wh' ->
  A * toZ wl' <= toZ wl -> toZ wh <= A * toZ wh' -> le_sc (2 ^ toZ kz) z z' ->
  le_sc (A * 2 ^ toZ kz) (map (ub wl wh) z) (map (ub wl' wh') z').
Proof.
  intros wl wh wl' wh' A kz z z' HA Hkz H1 H2 Hl Hh Hz.
  induction Hz as [|x x' z z' Hx Hz IH]; constructor; [|exact IH].
  rewrite !ub_spec. apply ub_round; try assumption. apply Z.pow_pos_nonneg; lia.
Qed.

Lemma mxe2_eq : forall m u v i acc, mxe2 m i u v acc = mxe m i (vadd u v) acc.
Proof.
  intros m u. induction u as [|x u IH]; intros [|y v] i acc; try reflexivity.
  cbn [mxe2 vadd mxe]. apply IH.
Qed.

(** the rounded weights of an entry, when its guards hold *)
Lemma weights_round : forall ka kb el pl eh ph, 0 <= toZ ka -> 0 <= toZ kb ->
  0 <= toZ ph -> 0 <= toZ (rdn ka el) -> 0 <= toZ (rdn kb pl) -> 0 <= toZ (rup ka eh) ->
  2 ^ toZ ka * 2 ^ toZ kb * toZ (rdn ka el * rdn kb pl) <= toZ (el * pl) /\
  toZ (eh * ph) <= 2 ^ toZ ka * 2 ^ toZ kb * toZ (rup ka eh * rup kb ph).
Proof.
  intros ka kb el pl eh ph Ha Hb Hph H1 H2 H3. rewrite !BigZ.spec_mul.
  assert (E1 := rdn_spec ka el Ha). assert (E2 := rdn_spec kb pl Hb).
  assert (E3 := rup_spec ka eh Ha). assert (E4 := rup_spec kb ph Hb).
  assert (P1 : 0 < 2 ^ toZ ka) by (apply Z.pow_pos_nonneg; lia).
  assert (P2 : 0 < 2 ^ toZ kb) by (apply Z.pow_pos_nonneg; lia).
  split.
  - assert (2 ^ toZ ka * toZ (rdn ka el) * (2 ^ toZ kb * toZ (rdn kb pl)) <= toZ el * toZ pl).
    { apply Z.mul_le_mono_nonneg; nia. }
    nia.
  - assert (toZ eh * toZ ph <= 2 ^ toZ ka * toZ (rup ka eh) * (2 ^ toZ kb * toZ (rup kb ph))).
    { apply Z.le_trans with (2 ^ toZ ka * toZ (rup ka eh) * toZ ph); [apply Z.mul_le_mono_nonneg_r; lia|].
      apply Z.mul_le_mono_nonneg_l; nia. }
    nia.
Qed.


Lemma le_sc_neg : forall K u v m i, 0 < K -> le_sc K u v ->
  all_neg_except m i v = true -> all_neg_except m i u = true.
Proof.
  intros K u v m i HK H. revert i. induction H as [|x x' u v Hx H IH]; intros i Hv; [reflexivity|].
  cbn [all_neg_except] in *. apply andb_true_iff in Hv. destruct Hv as [Hv1 Hv2].
  rewrite (IH _ Hv2), andb_true_r. apply orb_true_iff in Hv1. apply orb_true_iff.
  destruct Hv1 as [Hv1|Hv1]; [left; exact Hv1| right]. rewrite BigZ.spec_ltb, Z.ltb_lt in *.
  rewrite toZ_0 in *. nia.
Qed.

(** the entries of v except the one at index m are <= s *)
Fixpoint bnd (m i : nat) (v : list bigZ) (s : Z) : Prop :=
  match v with [] => True | x :: v' => (i <> m -> toZ x <= s) /\ bnd m (S i) v' s end.

Lemma bnd_vadd : forall m a b i s1 s2, bnd m i a s1 -> bnd m i b s2 -> bnd m i (vadd a b) (s1 + s2).
Proof.
  intros m a. induction a as [|x a IH]; intros [|y b] i s1 s2 Ha Hb; cbn [vadd bnd] in *; try exact I.
  destruct Ha as [Hx Ha], Hb as [Hy Hb]. split; [|exact (IH _ _ _ _ Ha Hb)].
  intros Hi. rewrite BigZ.spec_add. specialize (Hx Hi). specialize (Hy Hi). lia.
Qed.

Lemma bnd_zeros : forall m k i, bnd m i (zeros k) 0.
Proof. intros m k. induction k as [|k IH]; intros i; cbn; [exact I|]. split; [|apply IH]. intros _. lia. Qed.

Lemma ub_mono : forall wl wh z1 z2, 0 <= wl -> 0 <= wh -> z1 <= z2 -> ub_Z wl wh z1 <= ub_Z wl wh z2.
Proof.
  intros wl wh z1 z2 H1 H2 Hz. unfold ub_Z.
  destruct (Z.leb_spec 0 z1), (Z.leb_spec 0 z2); nia.
Qed.

Lemma bnd_ub : forall m wl wh z c i, 0 <= toZ wl -> 0 <= toZ wh -> bnd m i z (toZ c) ->
  bnd m i (map (ub wl wh) z) (toZ (ub wl wh c)).
Proof.
  intros m wl wh z c. induction z as [|x z IH]; intros i H1 H2 Hz; cbn [map bnd] in *; [exact I|].
  destruct Hz as [Hx Hz]. split; [|exact (IH _ H1 H2 Hz)].
  intros Hi. rewrite !ub_spec. apply ub_mono; auto.
Qed.

Lemma bnd_mxe : forall m v i acc, bnd m i v (toZ (mxe m i v acc)) /\ toZ acc <= toZ (mxe m i v acc).
Proof.
  intros m v. induction v as [|x v IH]; intros i acc; cbn [mxe bnd]; [split; [exact I| lia]|].
  destruct (Nat.eqb_spec i m) as [Ei|Ei].
  - destruct (IH (S i) acc) as [H1 H2]. split; [split; [|exact H1]|]; [intros Hi; contradiction| exact H2].
  - destruct (IH (S i) (BigZ.max acc x)) as [H1 H2]. rewrite BigZ.spec_max in H2.
    split; [split; [|exact H1]|]; [intros _; lia| lia].
Qed.

Lemma bnd_neg : forall m v i s, bnd m i v s -> s < 0 -> all_neg_except m i v = true.
Proof.
  intros m v. induction v as [|x v IH]; intros i s H Hs; [reflexivity|].
  cbn [bnd all_neg_except] in *. destruct H as [Hx H]. rewrite (IH _ _ H Hs), andb_true_r.
  destruct (Nat.eqb_spec i m) as [E|E]; [reflexivity|]. cbn. rewrite BigZ.spec_ltb, toZ_0.
  apply Z.ltb_lt. specialize (Hx E). lia.
Qed.

(** the table *)
Lemma zip3_nth_error : forall a b c t x y z, nth_error (zip3 a b c) t = Some (x, y, z) ->
  nth_error a t = Some x /\ nth_error b t = Some y /\ nth_error c t = Some z.
Proof.
  intros a. induction a as [|x0 a IH]; intros [|y0 b] [|z0 c] t x y z H;
    try (destruct t; discriminate H).
  destruct t as [|t]; cbn in H |- *; [injection H as -> -> ->; auto| exact (IH _ _ _ _ _ _ H)].
Qed.

Lemma nth_error_firstn_some : forall (A : Type) k (l : list A) t x,
  nth_error (firstn k l) t = Some x -> nth_error l t = Some x.
Proof.
  intros A k. induction k as [|k IH]; intros l t x H; [destruct t; discriminate H|].
  destruct l as [|y l]; [destruct t; discriminate H|]. destruct t as [|t]; [exact H|].
  exact (IH l t x H).
Qed.

Lemma nth_error_map_some : forall (A B : Type) (f : A -> B) l t y d,
  nth_error (map f l) t = Some y -> y = f (nth t l d).
Proof.
  intros A B f l t y d H. rewrite nth_error_map in H.
  destruct (nth_error l t) as [x|] eqn:Hx; [|discriminate H]. injection H as <-.
  rewrite (@nth_error_nth _ _ _ _ d Hx). reflexivity.
Qed.

Lemma fast_row : forall E m ka kz evr t ev' el eh,
  evr = map (map (rup kz)) (firstn (S m) (e_ev E)) ->
  nth_error (zip3 evr (map (rdn ka) (firstn (S m) (e_elo E))) (map (rup ka) (firstn (S m) (e_ehi E)))) t
    = Some (ev', el, eh) ->
  ev' = map (rup kz) (nth t (e_ev E) []) /\ el = rdn ka (nth t (e_elo E) 0%bigZ) /\
  eh = rup ka (nth t (e_ehi E) 0%bigZ).
Proof.
  intros E m ka kz evr t ev' el eh -> H. apply zip3_nth_error in H. destruct H as (H1 & H2 & H3).
  assert (F : forall (A : Type) (l : list A) d x, nth_error (firstn (S m) l) t = Some x -> nth t l d = x).
  { intros A l d x Hx. apply nth_error_firstn_some in Hx. exact (@nth_error_nth _ _ _ _ d Hx). }
  rewrite nth_error_map in H1, H2, H3.
  destruct (nth_error (firstn (S m) (e_ev E)) t) as [r|] eqn:Hr; [|discriminate H1].
  destruct (nth_error (firstn (S m) (e_elo E)) t) as [a|] eqn:Ha; [|discriminate H2].
  destruct (nth_error (firstn (S m) (e_ehi E)) t) as [b|] eqn:Hb; [|discriminate H3].
  injection H1 as <-. injection H2 as <-. injection H3 as <-.
  split; [|split]; f_equal; symmetry; apply F; assumption.
Qed.

Section Walk.
  Variables (E : ClassEnv) (m : nat) (ka kb kz : bigZ) (tl : list (list bigZ * bigZ * bigZ)).
  Hypothesis Hka : 0 <= toZ ka.
  Hypothesis Hkb : 0 <= toZ kb.
  Hypothesis Hkz : 0 <= toZ kz.
  Hypothesis Htl : forall t ev' el eh, nth_error tl t = Some (ev', el, eh) ->
    ev' = map (rup kz) (nth t (e_ev E) []) /\ el = rdn ka (nth t (e_elo E) 0%bigZ) /\
    eh = rup ka (nth t (e_ehi E) 0%bigZ).

  Definition tab_of (pv : list (list bigZ)) (plo phi : list bigZ) : FastTab :=
    map (fun e => let '(p, pl, ph) := e in
                  let dp := map (rup kz) (vadd (e_du E) p) in
                  (dp, map (fast_entry m dp (rdn kb pl) (rup kb ph) (0 <=? ph)%bigZ) tl))
        (zip3 pv plo phi).

  (** an entry the fast tiers use: its weights are the rounded ones, >= 0 *)
  Lemma entry_ok : forall ev el eh pl ph dp wl wh s,
    fast_entry m dp (rdn kb pl) (rup kb ph) (0 <=? ph)%bigZ (ev, el, eh) = (ev, wl, wh, s) ->
    ((0 <=? wl) && (0 <=? wh))%bigZ = true ->
    0 <= toZ ph /\ 0 <= toZ el /\ 0 <= toZ (rdn kb pl) /\ 0 <= toZ eh /\
    wl = (el * rdn kb pl)%bigZ /\ wh = (eh * rup kb ph)%bigZ /\ 0 <= toZ wl /\ 0 <= toZ wh.
  Proof.
    intros ev el eh pl ph dp wl wh s H Hb. unfold fast_entry in H.
    apply andb_true_iff in Hb. rewrite !BigZ.spec_leb, !Z.leb_le, toZ_0 in Hb.
    destruct ((0 <=? ph) && (0 <=? el) && (0 <=? rdn kb pl) && (0 <=? eh))%bigZ eqn:Hg.
    - injection H as <- <- _. rewrite !andb_true_iff, !BigZ.spec_leb, !Z.leb_le, toZ_0 in Hg.
      destruct Hg as [[[G1 G2] G3] G4]. tauto.
    - injection H as <- _ _. exfalso. assert (toZ (-1)%bigZ = (-1)%Z) by reflexivity. lia.
  Qed.

  Lemma walk_vector : forall toks pv plo phi acc acc' v,
    le_sc (2 ^ toZ ka * 2 ^ toZ kb * 2 ^ toZ kz) acc acc' -> fast_vector (tab_of pv plo phi) toks acc' = Some v ->
    le_sc (2 ^ toZ ka * 2 ^ toZ kb * 2 ^ toZ kz) (input_sum ub E toks pv plo phi acc) v.
  Proof.
    intros toks. induction toks as [|t toks IH]; intros pv plo phi acc acc' v Ha Hv.
    - destruct pv, plo, phi; cbn in Hv; injection Hv as <-; exact Ha.
    - destruct pv as [|p pv]; [cbn in Hv; injection Hv as <-; exact Ha|].
      destruct plo as [|pl plo]; [cbn in Hv; injection Hv as <-; exact Ha|].
      destruct phi as [|ph phi]; [cbn in Hv; injection Hv as <-; exact Ha|].
      cbn [input_sum]. unfold tab_of in Hv. cbn [zip3 map fast_vector] in Hv.
      rewrite nth_error_map in Hv.
      destruct (nth_error tl t) as [[[ev' el] eh]|] eqn:Ht; [|discriminate Hv].
      destruct (Htl _ _ _ _ Ht) as (E1 & E2 & E3). cbn [option_map] in Hv.
      destruct (fast_entry m (map (rup kz) (vadd (e_du E) p)) (rdn kb pl) (rup kb ph) (0 <=? ph)%bigZ (ev', el, eh))
        as [[[ev wl] wh] s] eqn:He.
      assert (Hev : ev = ev') by (unfold fast_entry in He; injection He; auto). subst ev.
      match type of Hv with (if ?b then _ else _) = _ => destruct b eqn:Hb; [|discriminate Hv] end.
      destruct (entry_ok _ _ _ _ _ _ _ _ _ He Hb) as (G1 & G2 & G3 & G4 & -> & -> & G7 & G8).
      eapply IH; [|exact Hv]. apply le_sc_vadd; [exact Ha|].
      rewrite E2, E3 in *.
      destruct (weights_round ka kb (nth t (e_elo E) 0%bigZ) pl (nth t (e_ehi E) 0%bigZ) ph Hka Hkb G1 G2 G3 G4)
        as [W1 W2].
      apply le_sc_ub; try assumption.
      + apply Z.mul_pos_pos; apply Z.pow_pos_nonneg; lia.
      + rewrite E1. apply le_sc_swap; apply le_sc_rup; exact Hkz.
  Qed.

  Lemma walk_scalar : forall toks pv plo phi acc' s, bnd m O acc' (toZ s) ->
    fast_scalar (tab_of pv plo phi) toks s = true ->
    exists v, fast_vector (tab_of pv plo phi) toks acc' = Some v /\ all_neg_except m O v = true.
  Proof.
    intros toks. induction toks as [|t toks IH]; intros pv plo phi acc' s Ha Hs.
    - exists acc'. destruct pv, plo, phi; cbn in Hs |- *; (split; [reflexivity|]);
        (apply (bnd_neg m acc' O (toZ s) Ha); rewrite BigZ.spec_ltb, toZ_0 in Hs; apply Z.ltb_lt; exact Hs).
    - destruct pv as [|p pv]; [exists acc'; cbn in Hs |- *; split; [reflexivity|];
        apply (bnd_neg m acc' O (toZ s) Ha); rewrite BigZ.spec_ltb, toZ_0 in Hs; apply Z.ltb_lt; exact Hs|].
      destruct plo as [|pl plo]; [exists acc'; cbn in Hs |- *; split; [reflexivity|];
        apply (bnd_neg m acc' O (toZ s) Ha); rewrite BigZ.spec_ltb, toZ_0 in Hs; apply Z.ltb_lt; exact Hs|].
      destruct phi as [|ph phi]; [exists acc'; cbn in Hs |- *; split; [reflexivity|];
        apply (bnd_neg m acc' O (toZ s) Ha); rewrite BigZ.spec_ltb, toZ_0 in Hs; apply Z.ltb_lt; exact Hs|].
      unfold tab_of in Hs |- *. cbn [zip3 map fast_vector fast_scalar] in Hs |- *.
      rewrite nth_error_map in Hs |- *.
      destruct (nth_error tl t) as [[[ev' el] eh]|] eqn:Ht; [|discriminate Hs].
      cbn [option_map] in Hs |- *.
      destruct (fast_entry m (map (rup kz) (vadd (e_du E) p)) (rdn kb pl) (rup kb ph) (0 <=? ph)%bigZ (ev', el, eh))
        as [[[ev wl] wh] s'] eqn:He.
      assert (Hev : ev = ev' /\ s' = ub wl wh (mxe2 m O ev' (map (rup kz) (vadd (e_du E) p))
                  (nth (if Nat.eqb m O then 1%nat else O) ev' 0 +
                   nth (if Nat.eqb m O then 1%nat else O) (map (rup kz) (vadd (e_du E) p)) 0))%bigZ).
      { unfold fast_entry in He. injection He as <- <- <- <-. auto. }
      destruct Hev as [-> Hs']. 
      match type of Hs with (if ?b then _ else _) = _ => destruct b eqn:Hb; [|discriminate Hs] end.
      destruct (entry_ok _ _ _ _ _ _ _ _ _ He Hb) as (G1 & G2 & G3 & G4 & _ & _ & G7 & G8).
      eapply IH; [|exact Hs]. rewrite BigZ.spec_add. apply bnd_vadd; [exact Ha|].
      rewrite Hs'. apply bnd_ub; [exact G7| exact G8|]. rewrite mxe2_eq. apply bnd_mxe.
  Qed.
End Walk.

Theorem verdict_fast_eq : forall evr E m kz toks, 0 <= toZ kz ->
  evr = map (map (rup kz)) (firstn (S m) (e_ev E)) ->
  verdict_fast (fast_tab evr E m kz) E m toks = verdict E m toks.
Proof.
  intros evr E m kz toks Hkz Hevr.
  set (ka := BigZ.max 0 (bitlen (fold_left BigZ.max (firstn (S m) (e_ehi E)) 0%bigZ) - 31)).
  set (kb := BigZ.max 0 (bitlen (fold_left BigZ.max (e_phi E) 0%bigZ) - 31)).
  set (tl := zip3 evr (map (rdn ka) (firstn (S m) (e_elo E))) (map (rup ka) (firstn (S m) (e_ehi E)))).
  assert (Hka : 0 <= toZ ka) by (unfold ka; rewrite BigZ.spec_max, toZ_0; lia).
  assert (Hkb : 0 <= toZ kb) by (unfold kb; rewrite BigZ.spec_max, toZ_0; lia).
  assert (Htl : forall t ev' el eh, nth_error tl t = Some (ev', el, eh) ->
    ev' = map (rup kz) (nth t (e_ev E) []) /\ el = rdn ka (nth t (e_elo E) 0%bigZ) /\
    eh = rup ka (nth t (e_ehi E) 0%bigZ)) by (intros t ev' el eh; exact (fast_row E m ka kz evr t ev' el eh Hevr)).
  assert (HK : 0 < 2 ^ toZ ka * 2 ^ toZ kb * 2 ^ toZ kz)
    by (apply Z.mul_pos_pos; [apply Z.mul_pos_pos|]; apply Z.pow_pos_nonneg; lia).
  assert (Ht : fast_tab evr E m kz = tab_of E m kb kz tl (e_pv E) (e_plo E) (e_phi E)) by reflexivity.
  assert (Hok : forall v, fast_vector (fast_tab evr E m kz) toks (zeros (length (e_du E))) = Some v ->
            all_neg_except m O v = true -> verdict E m toks = O).
  { intros v Hv Hn. rewrite Ht in Hv.
    assert (H := walk_vector E m ka kb kz tl Hka Hkb Hkz Htl toks _ _ _ _ _ v (le_sc_zeros _ _) Hv).
    unfold verdict, sums. rewrite (le_sc_neg _ _ _ m O HK H Hn). reflexivity. }
  unfold verdict_fast. destruct (fast_scalar (fast_tab evr E m kz) toks 0%bigZ) eqn:Hs.
  - rewrite Ht in Hs.
    destruct (walk_scalar E m kb kz tl toks _ _ _ (zeros (length (e_du E))) 0%bigZ (bnd_zeros m _ O) Hs)
      as [v [Hv Hn]].
    rewrite <- Ht in Hv. symmetry. exact (Hok v Hv Hn).
  - destruct (fast_vector (fast_tab evr E m kz) toks (zeros (length (e_du E)))) as [v|] eqn:Hv; [|reflexivity].
    destruct (all_neg_except m O v) eqn:Hn; [|reflexivity]. symmetry. exact (Hok v eq_refl Hn).
Qed.

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

Lemma count_class_spec : forall okx wrx evr E kz m q l acc, 0 <= toZ kz ->
  evr = map (map (rup kz)) (firstn (S m) (e_ev E)) ->
  (forall p, In p l -> agree okx wrx E m (p ++ [q])) ->
  tZ (count_class E (fast_tab evr E m kz) m q l acc) = tadd (tZ acc) (cnt okx wrx (map (fun p => p ++ [q]) l)).
Proof.
  intros okx wrx evr E kz m q l. induction l as [|p l IH]; intros acc Hkz Hevr H.
  - cbn [count_class map]. rewrite cnt_nil, tadd_0_r. reflexivity.
  - destruct acc as [[r o] w]. cbn [count_class]. rewrite (verdict_fast_eq evr E m kz _ Hkz Hevr).
    destruct (H p (or_introl eq_refl)) as [Ho Hw].
    change (map (fun p => p ++ [q]) (p :: l)) with ([p ++ [q]] ++ map (fun p => p ++ [q]) l).
    rewrite cnt_app, <- tadd_assoc.
    destruct (verdict E m (p ++ [q])) as [|[|k]] eqn:Ev;
      (rewrite IH by (exact Hkz || exact Hevr || (intros p' Hp'; apply H; right; exact Hp')); f_equal;
       unfold cnt; cbn [filter length]; rewrite Ho, Hw; cbn; bigz; apply triple_eq; lia).
Qed.

Lemma count_cs_spec : forall okx wrx c0l cl evr E kz n m q cs acc, 0 <= toZ kz ->
  evr = map (map (rup kz)) (firstn (S m) (e_ev E)) ->
  (forall c p, In c cs -> In p (class_prefixes c0l cl n m q c) -> agree okx wrx E m (p ++ [q])) ->
  tZ (count_cs c0l cl E (fast_tab evr E m kz) n m q cs acc) =
  tadd (tZ acc) (cnt okx wrx (flat_map (fun c => map (fun p => p ++ [q]) (class_prefixes c0l cl n m q c)) cs)).
Proof.
  intros okx wrx c0l cl evr E kz n m q cs. induction cs as [|c cs IH]; intros acc Hkz Hevr H.
  - cbn. rewrite tadd_0_r. reflexivity.
  - cbn [count_cs flat_map]. rewrite IH by (exact Hkz || exact Hevr || (intros c' p Hc Hp; apply (H c' p); [right|]; assumption)).
    rewrite (count_class_spec okx wrx) by (exact Hkz || exact Hevr || (intros p Hp; apply (H c p); [left; reflexivity| exact Hp])).
    rewrite cnt_app, tadd_assoc. reflexivity.
Qed.

Lemma count_qs_spec : forall okx wrx c0l cl P elo ehi plo phi evr kz n m qs acc, 0 <= toZ kz ->
  evr = map (map (rup kz)) (firstn (S m) (map (centre (BigZ.of_Z (Z.of_nat m))) (EVOU P))) ->
  (forall q c p, In q qs -> In c (seq 0 (CheckerExact.n_keys n m q)) ->
     In p (class_prefixes c0l cl n m q c) ->
     agree okx wrx (class_env P elo ehi plo phi m q) m (p ++ [q])) ->
  tZ (count_qs c0l cl P elo ehi plo phi evr kz n m qs acc) =
  tadd (tZ acc) (cnt okx wrx (flat_map (fun q => flat_map (fun c =>
      map (fun p => p ++ [q]) (class_prefixes c0l cl n m q c)) (seq 0 (CheckerExact.n_keys n m q))) qs)).
Proof.
  intros okx wrx c0l cl P elo ehi plo phi evr kz n m qs. induction qs as [|q qs IH]; intros acc Hkz Hevr H.
  - cbn. rewrite tadd_0_r. reflexivity.
  - cbn [count_qs flat_map]. rewrite IH by (exact Hkz || exact Hevr || (intros q' c p Hq Hc Hp; apply (H q' c p); [right| |]; assumption)).
    rewrite (count_cs_spec okx wrx) by (exact Hkz || exact Hevr || (intros c p Hc Hp; apply (H q c p); [left; reflexivity| |]; assumption)).
    rewrite cnt_app, tadd_assoc. reflexivity.
Qed.

Lemma count_ms_spec : forall okx wrx c0l cl P elo ehi plo phi kz n ms acc, 0 <= toZ kz ->
  (forall m q c p, In m ms -> In q (seq 0 (S m)) -> In c (seq 0 (Residual.n_keys n m q)) ->
     In p (Residual.res_prefixes n (c0b c0l) (cellS cl) m q c) ->
     agree okx wrx (class_env P elo ehi plo phi m q) m (p ++ [q])) ->
  tZ (count_ms c0l cl P elo ehi plo phi kz n ms acc) =
  tadd (tZ acc) (cnt okx wrx (flat_map (fun m => flat_map (fun q => flat_map (fun c =>
      Residual.res_block n (c0b c0l) (cellS cl) m q c) (seq 0 (Residual.n_keys n m q)))
      (seq 0 (S m))) ms)).
Proof.
  intros okx wrx c0l cl P elo ehi plo phi kz n ms. induction ms as [|m ms IH]; intros acc Hkz H.
  - cbn. rewrite tadd_0_r. reflexivity.
  - cbn [count_ms flat_map]. cbv zeta.
    rewrite IH by (exact Hkz || (intros m' q c p Hm Hq Hc Hp; apply (H m' q c p); [right| | |]; assumption)).
    rewrite (count_qs_spec okx wrx); [| exact Hkz| reflexivity|].
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
  - rewrite BigZ.spec_max, toZ_0. lia.
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
