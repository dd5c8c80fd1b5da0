(** * Cubic.v — the real-number lemmas behind checks 8 and 9 (c = 0 entries and cells).

    - [ubZ_sound]: for w in [wlo, whi], w z <= ub(wlo, whi, z) (the checker's [ub]);
    - [enclosure_mul]: products of the two exp-table enclosures enclose the weight;
    - [affine_neg]: an affine function of A negative at both ends of [Alo, Ahi] is negative
      on the whole interval (pure inputs: the bound is affine in the m-slots' weight A);
    - [sum_perm]: a sum over 0..L-1 can be taken in the order of a permutation [o];
    - [sorted_lower] / [sorted_upper]: any r of L values sorted ascending sum to at least the
      r first and at most the r last (the "low" and "high" arrangements);
    - [arrangement_bounds]: the same for a permutation sorted by the weights;
    - [exists_argmax], [exchange_le]: replacing every non-max token by an argmax k* of
      e(k) g(k) over S does not decrease the sum (mixed inputs). *)
From Coq Require Import ZArith Reals Lia Lra List Permutation.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Int.ExpInt.
Import ListNotations.
Local Open Scope R_scope.

(** ** ub and the enclosures *)
Definition ubZ (wlo whi z : Z) : Z := if (0 <=? z)%Z then (whi * z)%Z else (wlo * z)%Z.

Lemma ubZ_sound : forall wlo whi z w, IZR wlo <= w <= IZR whi -> w * IZR z <= IZR (ubZ wlo whi z).
Proof.
  intros wlo whi z w [H1 H2]. unfold ubZ. destruct (0 <=? z)%Z eqn:E; rewrite mult_IZR.
  - apply Z.leb_le, IZR_le in E. nra.
  - apply Z.leb_gt, IZR_lt in E. nra.
Qed.

(** a sum of ub's bounds the exact sum (all at the same scale) *)
Lemma ub_sum_bound : forall k (w : nat -> R) (wlo whi zz : nat -> Z),
  (forall i, (i < k)%nat -> IZR (wlo i) <= w i <= IZR (whi i)) ->
  sum k (fun i => w i * IZR (zz i)) <= IZR (zsum k (fun i => ubZ (wlo i) (whi i) (zz i))).
Proof.
  intros k w wlo whi zz H. rewrite zsum_IZR. apply sum_le. intros i Hi.
  apply ubZ_sound, H, Hi.
Qed.

Lemma enclosure_mul : forall elo ehi plo phi e p s, 0 <= elo -> 0 <= plo ->
  elo <= s * e <= ehi -> plo <= s * p <= phi ->
  elo * plo <= (s * s) * (e * p) <= ehi * phi.
Proof.
  intros elo ehi plo phi e p s He Hp [H1 H2] [H3 H4].
  replace ((s * s) * (e * p)) with ((s * e) * (s * p)) by ring.
  split; apply Rmult_le_compat; lra.
Qed.

(** ** Affine in A *)
Lemma affine_neg : forall a b A Alo Ahi, Alo <= A <= Ahi ->
  a * Alo + b < 0 -> a * Ahi + b < 0 -> a * A + b < 0.
Proof.
  intros a b A Alo Ahi [H1 H2] Hlo Hhi. destruct (Rle_dec 0 a) as [Ha|Ha].
  - assert (a * A <= a * Ahi) by (apply Rmult_le_compat_l; lra). lra.
  - assert (a * A <= a * Alo) by nra. lra.
Qed.

(** ** Exchange *)
Lemma exists_argmax : forall (f : nat -> R) (S : list nat), S <> [] ->
  exists k, In k S /\ forall k', In k' S -> f k' <= f k.
Proof.
  intros f S. induction S as [|a S IH]; intros Hne; [contradiction|].
  destruct S as [|b S'].
  - exists a. split; [left; reflexivity|]. intros k' [<-|[]]. lra.
  - destruct (IH ltac:(discriminate)) as [k [Hk Hmax]].
    destruct (Rle_dec (f a) (f k)) as [Hle|Hlt].
    + exists k. split; [right; exact Hk|]. intros k' [<-|Hk']; [exact Hle| apply Hmax, Hk'].
    + exists a. split; [left; reflexivity|]. intros k' [<-|Hk']; [lra|].
      specialize (Hmax k' Hk'). lra.
Qed.

Lemma exchange_le : forall L (p : nat -> R) (t : nat -> nat) (hf : nat -> R) m S kstar,
  (forall i, (i < L)%nat -> 0 <= p i) -> (forall i, (i < L)%nat -> t i = m \/ In (t i) S) ->
  (forall k, In k S -> hf k <= hf kstar) ->
  sum L (fun i => p i * hf (t i))
  <= sum L (fun i => p i * hf (if Nat.eqb (t i) m then m else kstar)).
Proof.
  intros L p t hf m S kstar Hp Ht Hk. apply sum_le. intros i Hi.
  apply Rmult_le_compat_l; [apply Hp, Hi|].
  destruct (Nat.eqb (t i) m) eqn:E.
  - apply Nat.eqb_eq in E. rewrite E. lra.
  - destruct (Ht i Hi) as [He|HS]; [apply Nat.eqb_neq in E; contradiction|]. apply Hk, HS.
Qed.

(** ** Sorted sums *)
Fixpoint cnt (L : nat) (B : nat -> bool) : nat :=
  match L with O => O | S L' => (cnt L' B + if B L' then 1 else 0)%nat end.

Lemma cnt_le : forall L B, (cnt L B <= L)%nat.
Proof. induction L as [|L IH]; intros B; simpl; [lia|]. specialize (IH B). destruct (B L); lia. Qed.

Definition masked (L : nat) (B : nat -> bool) (a : nat -> R) : R :=
  sum L (fun j => if B j then a j else 0).

Lemma sorted_lower : forall L (a : nat -> R) B,
  (forall j k, (j <= k)%nat -> (k < L)%nat -> a j <= a k) ->
  sum (cnt L B) a <= masked L B a.
Proof.
  induction L as [|L IH]; intros a B Hm; unfold masked in *; simpl; [lra|].
  assert (Hm' : forall j k, (j <= k)%nat -> (k < L)%nat -> a j <= a k)
    by (intros; apply Hm; lia).
  specialize (IH a B Hm'). pose proof (cnt_le L B).
  destruct (B L).
  - replace (cnt L B + 1)%nat with (S (cnt L B)) by lia. simpl.
    assert (a (cnt L B) <= a L) by (apply Hm; lia). lra.
  - rewrite Nat.add_0_r. lra.
Qed.

Lemma sorted_upper : forall L (a : nat -> R) B,
  (forall j k, (j <= k)%nat -> (k < L)%nat -> a j <= a k) ->
  masked L B a <= sum (cnt L B) (fun j => a (L - cnt L B + j)%nat).
Proof.
  induction L as [|L IH]; intros a B Hm; unfold masked in *; [simpl; lra|].
  cbn [cnt]. rewrite sum_S.
  assert (Hm' : forall j k, (j <= k)%nat -> (k < L)%nat -> a j <= a k)
    by (intros; apply Hm; lia).
  specialize (IH a B Hm'). pose proof (cnt_le L B) as Hc.
  destruct (B L).
  - replace (cnt L B + 1)%nat with (S (cnt L B)) by lia. rewrite sum_S.
    replace (S L - S (cnt L B) + cnt L B)%nat with L by lia.
    rewrite (sum_ext (cnt L B) (fun j => a (S L - S (cnt L B) + j)%nat)
               (fun j => a (L - cnt L B + j)%nat)) by (intros; f_equal; lia).
    lra.
  - rewrite Nat.add_0_r, Rplus_0_r. eapply Rle_trans; [exact IH|].
    apply sum_le. intros j Hj. apply Hm; lia.
Qed.

(** ** Sums in the order of a permutation *)
Lemma sum_shift : forall k f, sum (S k) f = f O + sum k (fun j => f (S j)).
Proof.
  induction k as [|k IH]; intros f; [simpl; ring|].
  rewrite sum_S, IH, sum_S. ring.
Qed.

Definition lsum (l : list nat) (f : nat -> R) : R := fold_right Rplus 0 (map f l).

Lemma sum_nth_lsum : forall l f, sum (length l) (fun j => f (nth j l O)) = lsum l f.
Proof.
  induction l as [|a l IH]; intros f; [reflexivity|].
  simpl length. rewrite sum_shift. simpl. rewrite IH. reflexivity.
Qed.

Lemma lsum_perm : forall l l' f, Permutation l l' -> lsum l f = lsum l' f.
Proof.
  intros l l' f H. induction H; unfold lsum in *; simpl; lra.
Qed.

Definition is_perm (L : nat) (o : list nat) : Prop :=
  length o = L /\ NoDup o /\ (forall j, In j o -> (j < L)%nat).

Lemma is_perm_Permutation : forall L o, is_perm L o -> Permutation o (seq 0 L).
Proof.
  intros L o (Hl & Hnd & Hin). apply NoDup_Permutation; [exact Hnd| apply seq_NoDup|].
  assert (Hinc : incl o (seq 0 L)) by (intros j Hj; apply in_seq; specialize (Hin j Hj); lia).
  intros j. split; [apply Hinc|].
  revert j. apply (NoDup_length_incl Hnd); [rewrite seq_length; lia| exact Hinc].
Qed.

Theorem sum_perm : forall L o f, is_perm L o ->
  sum L f = sum L (fun j => f (nth j o O)).
Proof.
  intros L o f Hp. pose proof (is_perm_Permutation L o Hp) as HP. destruct Hp as [Hl _].
  rewrite <- Hl at 2. rewrite sum_nth_lsum, (lsum_perm _ _ _ HP), <- sum_nth_lsum.
  rewrite seq_length. apply sum_ext. intros j Hj. rewrite seq_nth by exact Hj. reflexivity.
Qed.

(** the weight A of the slots selected by [B] lies between the "low" and "high" arrangements
    of a permutation [o] sorted by the weights [p] *)
Theorem arrangement_bounds : forall L o (p : nat -> R) (B : nat -> bool), is_perm L o ->
  (forall j k, (j <= k)%nat -> (k < L)%nat -> p (nth j o O) <= p (nth k o O)) ->
  let r := cnt L (fun j => B (nth j o O)) in
  sum r (fun j => p (nth j o O)) <= masked L B p
  /\ masked L B p <= sum r (fun j => p (nth (L - r + j) o O)).
Proof.
  intros L o p B Hp Hs r.
  assert (E : masked L B p = masked L (fun j => B (nth j o O)) (fun j => p (nth j o O))).
  { unfold masked. apply (sum_perm L o (fun j => if B j then p j else 0) Hp). }
  rewrite E. split.
  - apply sorted_lower. exact Hs.
  - apply (sorted_upper L (fun j => p (nth j o O))). exact Hs.
Qed.
