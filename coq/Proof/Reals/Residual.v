(** * Residual.v — the inputs the cubic part leaves (the residual R of an exact certificate,
    pipeline/certificate/FORMAT.md, "The exact certificate"), and the counting theorem.

    - [gen_out m S A L c] is FORMAT.md's out(L, c): the prefixes of [gen m A L c] with at least
      one entry in A \ S ([gen_out_spec]), each once ([gen_out_NoDup]); with [gen m S L c] they
      partition [gen m A L c] ([gen_gen_out_disj], [gen_gen_out_cover]);
    - [residual V n c0b cellS] enumerates, for m = 0..V-1, q = 0..m, c = 0..cmax, the inputs of
      key (q, m, c) that the c0 entries and cells do not cover, each once ([residual_NoDup],
      [residual_all_seqs], [residual_not_cell]); with the cells they cover every input exactly
      once ([residual_complete]: sum of the cell sizes + |R| = V^n);
    - [exact_count_bounds]: with distinct valid correct cells and any duplicate-free list R of
      inputs outside the cells, cells + |R proved correct| <= count_correct and
      count_correct + |R proved wrong| <= V^n; [exact_count_residual] takes R := residual. *)
From Coq Require Import Arith Lia List Bool.
From MaxK Require Import Spec Proof.Reals.Count Proof.Reals.AllSeqs.
Import ListNotations.
Local Open Scope nat_scope.

(** ** Small list facts *)
Lemma existsb_eqb_In : forall (S : list nat) t, existsb (Nat.eqb t) S = true <-> In t S.
Proof.
  intros S t. rewrite existsb_exists. split.
  - intros [u [Hu E]]. apply Nat.eqb_eq in E. subst u. exact Hu.
  - intros H. exists t. split; [exact H| apply Nat.eqb_refl].
Qed.

Lemma forallb_false_In : forall (A : Type) (f : A -> bool) l, forallb f l = false ->
  exists x, In x l /\ f x = false.
Proof.
  intros A f l. induction l as [|a l IH]; intros H; [discriminate|].
  simpl in H. destruct (f a) eqn:E.
  - destruct (IH H) as [x [Hx Hf]]. exists x. split; [right; exact Hx|exact Hf].
  - exists a. split; [left; reflexivity|exact E].
Qed.

(** A \ S, in the order of A *)
Definition set_minus (A S : list nat) : list nat :=
  filter (fun s => negb (existsb (Nat.eqb s) S)) A.

Lemma set_minus_In : forall A S s, In s (set_minus A S) <-> In s A /\ ~ In s S.
Proof.
  intros A S s. unfold set_minus. rewrite filter_In, <- (existsb_eqb_In S s).
  destruct (existsb (Nat.eqb s) S); simpl; split; intros [H1 H2]; split; try exact H1;
    try discriminate; try (intros H; discriminate H); try reflexivity.
  exfalso. apply H2. reflexivity.
Qed.

Lemma set_minus_NoDup : forall A S, NoDup A -> NoDup (set_minus A S).
Proof. intros A S H. apply NoDup_filter, H. Qed.

Lemma count_nonm_cons : forall m a p,
  count_nonm m (a :: p) = (if Nat.eqb a m then 0 else 1) + count_nonm m p.
Proof. intros m a p. unfold count_nonm. simpl. destruct (Nat.eqb a m); reflexivity. Qed.

Lemma count_nonm_le : forall m p, count_nonm m p <= length p.
Proof. intros m p. apply length_filter_le. Qed.

Lemma count_nonm_lt : forall m p, In m p -> count_nonm m p < length p.
Proof.
  intros m p. induction p as [|a p IH]; intros H; [destruct H|].
  rewrite count_nonm_cons. simpl length. destruct H as [->|H].
  - rewrite Nat.eqb_refl. pose proof (count_nonm_le m p). lia.
  - specialize (IH H). destruct (Nat.eqb a m); lia.
Qed.

Lemma count_nonm_zero : forall m p, count_nonm m p = 0 -> p = repeat m (length p).
Proof.
  intros m p. induction p as [|a p IH]; intros H; [reflexivity|].
  rewrite count_nonm_cons in H. destruct (Nat.eqb a m) eqn:E; [|lia].
  apply Nat.eqb_eq in E. subst a. simpl. f_equal. apply IH, H.
Qed.

Lemma max_tok_In : forall x, x <> [] -> In (max_tok x) x.
Proof.
  induction x as [|a x IH]; intros H; [contradiction H; reflexivity|].
  unfold max_tok. cbn [fold_right]. fold (max_tok x).
  destruct x as [|b x'].
  - left. unfold max_tok. simpl. lia.
  - destruct (Nat.max_dec a (max_tok (b :: x'))) as [E|E]; rewrite E.
    + left. reflexivity.
    + right. apply IH. discriminate.
Qed.

(** a duplicate-free family of blocks [s :: _], keyed by their head *)
Lemma in_flat_map_cons : forall (T : list nat) (f : nat -> list (list nat)) p,
  In p (flat_map (fun s => map (cons s) (f s)) T) <->
  exists s p', p = s :: p' /\ In s T /\ In p' (f s).
Proof.
  intros T f p. rewrite in_flat_map. split.
  - intros [s [Hs Hp]]. apply in_map_iff in Hp. destruct Hp as [p' [<- Hp']].
    exists s, p'. split; [reflexivity|]. split; assumption.
  - intros (s & p' & -> & Hs & Hp'). exists s. split; [exact Hs|]. apply in_map, Hp'.
Qed.

Lemma NoDup_flat_map_cons : forall (T : list nat) (f : nat -> list (list nat)),
  NoDup T -> (forall s, In s T -> NoDup (f s)) ->
  NoDup (flat_map (fun s => map (cons s) (f s)) T).
Proof.
  intros T f HT Hf. apply (NoDup_flat_map_key _ _ _ (fun s => s)).
  - rewrite map_id. exact HT.
  - intros s Hs. apply NoDup_map_cons, Hf, Hs.
  - intros a b x _ _ Ha Hb. apply in_map_iff in Ha, Hb.
    destruct Ha as [pa [<- _]]. destruct Hb as [pb [Hx _]]. injection Hx as ->. reflexivity.
Qed.

(** ** [gen] *)
Lemma gen_zero : forall m S L, gen m S L 0 = [repeat m L].
Proof. intros m S L. induction L as [|L IH]; simpl; [reflexivity|]. rewrite IH. reflexivity. Qed.

(** the converse of Count.v's [gen_in] *)
Lemma gen_complete : forall m S p L c, length p = L -> count_nonm m p = c ->
  (forall t, In t p -> t = m \/ In t S) -> In p (gen m S L c).
Proof.
  intros m S p. induction p as [|a p IH]; intros L c Hl Hc Ht.
  - subst L. unfold count_nonm in Hc. simpl in Hc. subst c. left. reflexivity.
  - destruct L as [|L]; [discriminate|]. simpl in Hl. injection Hl as Hl.
    rewrite count_nonm_cons in Hc. simpl gen. apply in_or_app.
    assert (Hp : forall t, In t p -> t = m \/ In t S) by (intros t H; apply Ht; right; exact H).
    destruct (Nat.eqb a m) eqn:E.
    + apply Nat.eqb_eq in E. subst a. left. apply in_map. apply IH; [exact Hl| lia| exact Hp].
    + destruct c as [|c]; [lia|]. right. apply in_flat_map_cons. exists a, p.
      split; [reflexivity|]. split.
      * destruct (Ht a (or_introl eq_refl)) as [Ha|Ha]; [apply Nat.eqb_neq in E; contradiction|exact Ha].
      * apply IH; [exact Hl| lia| exact Hp].
Qed.

Theorem gen_spec : forall m S L c p, ~ In m S ->
  In p (gen m S L c) <->
  length p = L /\ count_nonm m p = c /\ (forall t, In t p -> t = m \/ In t S).
Proof.
  intros m S L c p Hm. split.
  - intros H. destruct (gen_in m S L Hm c p H) as (H1 & H2 & H3 & _). tauto.
  - intros (H1 & H2 & H3). apply gen_complete; assumption.
Qed.

(** ** [gen_out]: FORMAT.md's out(L, c) *)
Fixpoint gen_out (m : nat) (S A : list nat) (L c : nat) : list (list nat) :=
  match L with
  | O => []
  | S L' => map (cons m) (gen_out m S A L' c)
            ++ match c with
               | O => []
               | S c' => flat_map (fun s => map (cons s) (gen_out m S A L' c')) S
                         ++ flat_map (fun s => map (cons s) (gen m A L' c')) (set_minus A S)
               end
  end.

Section GenOut.
Variables (m : nat) (S A : list nat).
Hypothesis HmA : ~ In m A.
Hypothesis HSA : incl S A.

Lemma notin_incl : ~ In m S.
Proof. intros H. apply HmA, HSA, H. Qed.

Theorem gen_out_spec : forall L c p,
  In p (gen_out m S A L c) <->
  length p = L /\ count_nonm m p = c /\ (forall t, In t p -> t = m \/ In t A)
  /\ (exists t, In t p /\ In t A /\ ~ In t S).
Proof.
  induction L as [|L IH]; intros c p.
  - simpl. split; [intros []|]. intros (Hl & _ & _ & t & Ht & _).
    destruct p; [destruct Ht|discriminate].
  - simpl gen_out. rewrite in_app_iff. split.
    + intros [Hp|Hp].
      * apply in_map_iff in Hp. destruct Hp as [p' [<- Hp']].
        apply IH in Hp'. destruct Hp' as (H1 & H2 & H3 & t & Ht & HtA & HtS).
        split; [simpl; rewrite H1; reflexivity|].
        split; [rewrite count_nonm_cons, Nat.eqb_refl; exact H2|].
        split; [intros u [<-|Hu]; [left; reflexivity| apply H3, Hu]|].
        exists t. split; [right; exact Ht|]. split; assumption.
      * destruct c as [|c]; [destruct Hp|]. apply in_app_iff in Hp.
        destruct Hp as [Hp|Hp]; apply in_flat_map_cons in Hp; destruct Hp as (s & p' & -> & Hs & Hp').
        -- assert (HsA : In s A) by (apply HSA, Hs).
           assert (Hsm : Nat.eqb s m = false) by (apply Nat.eqb_neq; intros ->; contradiction).
           apply IH in Hp'. destruct Hp' as (H1 & H2 & H3 & t & Ht & HtA & HtS).
           split; [simpl; rewrite H1; reflexivity|].
           split; [rewrite count_nonm_cons, Hsm, H2; reflexivity|].
           split; [intros u [<-|Hu]; [right; exact HsA| apply H3, Hu]|].
           exists t. split; [right; exact Ht|]. split; assumption.
        -- apply set_minus_In in Hs. destruct Hs as [HsA HsS].
           assert (Hsm : Nat.eqb s m = false) by (apply Nat.eqb_neq; intros ->; contradiction).
           apply (gen_spec m A L c p' HmA) in Hp'. destruct Hp' as (H1 & H2 & H3).
           split; [simpl; rewrite H1; reflexivity|].
           split; [rewrite count_nonm_cons, Hsm, H2; reflexivity|].
           split; [intros u [<-|Hu]; [right; exact HsA| apply H3, Hu]|].
           exists s. split; [left; reflexivity|]. split; assumption.
    + intros (Hl & Hc & Ht & t & Htp & HtA & HtS).
      destruct p as [|a p]; [discriminate|]. simpl in Hl. injection Hl as Hl.
      rewrite count_nonm_cons in Hc.
      assert (Hp : forall u, In u p -> u = m \/ In u A) by (intros u H; apply Ht; right; exact H).
      destruct (Nat.eqb a m) eqn:E.
      * apply Nat.eqb_eq in E. subst a. left. apply in_map. apply IH.
        split; [exact Hl|]. split; [lia|]. split; [exact Hp|].
        exists t. split; [|split; assumption].
        destruct Htp as [<-|Htp]; [contradiction|exact Htp].
      * destruct c as [|c]; [lia|]. right. apply in_app_iff.
        assert (HaA : In a A).
        { destruct (Ht a (or_introl eq_refl)) as [Ha|Ha]; [apply Nat.eqb_neq in E; contradiction|exact Ha]. }
        destruct (in_dec Nat.eq_dec a S) as [HaS|HaS].
        -- left. apply in_flat_map_cons. exists a, p. split; [reflexivity|]. split; [exact HaS|].
           apply IH. split; [exact Hl|]. split; [lia|]. split; [exact Hp|].
           exists t. split; [|split; assumption].
           destruct Htp as [<-|Htp]; [contradiction|exact Htp].
        -- right. apply in_flat_map_cons. exists a, p. split; [reflexivity|].
           split; [apply set_minus_In; split; assumption|].
           apply (gen_spec m A L c p HmA). split; [exact Hl|]. split; [lia|exact Hp].
Qed.

Theorem gen_out_NoDup : NoDup S -> NoDup A -> forall L c, NoDup (gen_out m S A L c).
Proof.
  intros HS HA L. induction L as [|L IH]; intros c; simpl; [constructor|].
  apply NoDup_app_disj.
  - apply NoDup_map_cons, IH.
  - destruct c as [|c]; [constructor|]. apply NoDup_app_disj.
    + apply NoDup_flat_map_cons; [exact HS| intros; apply IH].
    + apply NoDup_flat_map_cons; [apply set_minus_NoDup, HA|].
      intros s _. apply gen_NoDup; assumption.
    + intros x H1 H2. apply in_flat_map_cons in H1, H2.
      destruct H1 as (s1 & p1 & -> & Hs1 & _). destruct H2 as (s2 & p2 & E & Hs2 & _).
      injection E as <- _. apply set_minus_In in Hs2. destruct Hs2 as [_ Hs2]. contradiction.
  - intros x H1 H2. apply in_map_iff in H1. destruct H1 as [p [<- _]].
    destruct c as [|c]; [destruct H2|]. apply in_app_iff in H2.
    destruct H2 as [H2|H2]; apply in_flat_map_cons in H2; destruct H2 as (s & p' & E & Hs & _);
      injection E as <- _.
    + apply notin_incl, Hs.
    + apply set_minus_In in Hs. destruct Hs as [Hs _]. contradiction.
Qed.

Theorem gen_gen_out_disj : forall L c p, In p (gen m S L c) -> In p (gen_out m S A L c) -> False.
Proof.
  intros L c p H1 H2. apply (gen_spec m S L c p notin_incl) in H1. destruct H1 as (_ & _ & H1).
  apply gen_out_spec in H2. destruct H2 as (_ & _ & _ & t & Ht & HtA & HtS).
  destruct (H1 t Ht) as [->|Hin]; contradiction.
Qed.

Theorem gen_gen_out_cover : forall L c p, length p = L -> count_nonm m p = c ->
  (forall t, In t p -> t = m \/ In t A) -> In p (gen m S L c) \/ In p (gen_out m S A L c).
Proof.
  intros L c p Hl Hc Ht.
  destruct (forallb (fun t => Nat.eqb t m || existsb (Nat.eqb t) S) p) eqn:E.
  - left. apply gen_complete; [exact Hl| exact Hc|]. intros t Htp.
    rewrite forallb_forall in E. specialize (E t Htp). apply orb_true_iff in E.
    destruct E as [E|E]; [left; apply Nat.eqb_eq, E| right; apply existsb_eqb_In, E].
  - right. apply gen_out_spec. split; [exact Hl|]. split; [exact Hc|]. split; [exact Ht|].
    apply forallb_false_In in E. destruct E as [t [Htp E]].
    apply orb_false_iff in E. destruct E as [E1 E2]. apply Nat.eqb_neq in E1.
    exists t. split; [exact Htp|]. split.
    + destruct (Ht t Htp) as [H|H]; [contradiction|exact H].
    + intros H. apply existsb_eqb_In in H. congruence.
Qed.
End GenOut.

Lemma gen_nil_S : forall m L c, gen m [] L (S c) = [].
Proof. intros m L c. induction L as [|L IH]; simpl; [reflexivity|]. rewrite IH. reflexivity. Qed.

Lemma seq_notin : forall m, ~ In m (seq 0 m).
Proof. intros m H. apply in_seq in H. lia. Qed.

(** ** The residual of a certificate: FORMAT.md's order (m, then q, then c, then the prefix) *)

(** the prefixes of key (q, m, c) not covered: the c0 entry (m, q) if absent (c = 0), else
    out(n-1, c) against the cell's set (the empty set when there is no cell) *)
Definition res_prefixes (n : nat) (c0b : nat -> nat -> bool) (cellS : nat -> nat -> nat -> list nat)
    (m q c : nat) : list (list nat) :=
  match c with
  | O => if c0b m q then [] else [repeat m (n - 1)]
  | S _ => gen_out m (cellS m q c) (seq 0 m) (n - 1) c
  end.

Definition res_block (n : nat) (c0b : nat -> nat -> bool) (cellS : nat -> nat -> nat -> list nat)
    (m q c : nat) : list (list nat) :=
  map (fun p => p ++ [q]) (res_prefixes n c0b cellS m q c).

(** the number of c of (m, q), cmax + 1: c = 0..n-1 if q = m, c = 0..n-2 if q < m *)
Definition n_keys (n m q : nat) : nat := if Nat.eqb q m then n else n - 1.

Definition residual (V n : nat) (c0b : nat -> nat -> bool) (cellS : nat -> nat -> nat -> list nat)
    : list (list nat) :=
  flat_map (fun m =>
    flat_map (fun q =>
      flat_map (fun c => res_block n c0b cellS m q c) (seq 0 (n_keys n m q)))
    (seq 0 (S m)))
  (seq 0 V).

Section Residual.
Variables (V n : nat) (c0b : nat -> nat -> bool) (cellS : nat -> nat -> nat -> list nat).
Hypothesis Hn : 1 <= n.
(** the cells' sets: duplicate-free sets of tokens below m *)
Hypothesis HcS : forall m q c, m < V -> q <= m -> 1 <= c ->
  NoDup (cellS m q c) /\ (forall s, In s (cellS m q c) -> s < m).

Lemma cellS_incl : forall m q c, m < V -> q <= m -> 1 <= c -> incl (cellS m q c) (seq 0 m).
Proof.
  intros m q c Hm Hq Hc s Hs. apply in_seq. destruct (HcS m q c Hm Hq Hc) as [_ H].
  specialize (H s Hs). lia.
Qed.

Lemma key_cell_valid : forall m q c, m < V -> q <= m -> c < n_keys n m q ->
  cell_valid V n (mk_cell q m c (seq 0 m)).
Proof.
  intros m q c Hm Hq Hc. unfold n_keys in Hc. unfold cell_valid; simpl.
  split; [exact Hq|]. split; [exact Hm|]. split; [apply seq_NoDup|].
  split; [intros s Hs; apply in_seq in Hs; lia|].
  destruct (Nat.eqb q m) eqn:E; [apply Nat.eqb_eq in E|apply Nat.eqb_neq in E]; lia.
Qed.

Lemma res_prefixes_gen : forall m q c p, m < V -> q <= m ->
  In p (res_prefixes n c0b cellS m q c) -> In p (gen m (seq 0 m) (n - 1) c).
Proof.
  intros m q c p Hm Hq Hp. destruct c as [|c]; simpl in Hp.
  - rewrite gen_zero. destruct (c0b m q); [destruct Hp|exact Hp].
  - apply (gen_out_spec m (cellS m q (S c)) (seq 0 m) (seq_notin m)) in Hp;
      [|apply (cellS_incl m q); lia].
    destruct Hp as (H1 & H2 & H3 & _). apply gen_complete; assumption.
Qed.

Lemma res_prefixes_NoDup : forall m q c, m < V -> q <= m -> NoDup (res_prefixes n c0b cellS m q c).
Proof.
  intros m q c Hm Hq. destruct c as [|c]; simpl.
  - destruct (c0b m q); constructor; [intros []|constructor].
  - apply gen_out_NoDup; [apply seq_notin| apply (cellS_incl m q); lia| apply (HcS m q); lia
                        | apply seq_NoDup].
Qed.

Lemma res_block_NoDup : forall m q c, m < V -> q <= m -> NoDup (res_block n c0b cellS m q c).
Proof. intros m q c Hm Hq. apply NoDup_map_app_r, res_prefixes_NoDup; assumption. Qed.

(** every input of the block (m, q, c): its shape, and its key is (q, m, c) *)
Lemma res_block_spec : forall m q c x, m < V -> q <= m -> c < n_keys n m q ->
  In x (res_block n c0b cellS m q c) ->
  (exists p, x = p ++ [q] /\ In p (res_prefixes n c0b cellS m q c))
  /\ length x = n /\ (forall t, In t x -> t < V) /\ input_key x = (q, m, c).
Proof.
  intros m q c x Hm Hq Hc Hx. unfold res_block in Hx. apply in_map_iff in Hx.
  destruct Hx as [p [Hxp Hp]].
  assert (Hx' : In x (cell_inputs n (mk_cell q m c (seq 0 m)))).
  { unfold cell_inputs. simpl. rewrite <- Hxp. apply (in_map (fun p => p ++ [q])).
    apply (res_prefixes_gen m q); assumption. }
  destruct (cell_input_spec V n _ x Hn (key_cell_valid m q c Hm Hq Hc) Hx')
    as (_ & _ & _ & Hl & Ht & _ & Hk).
  split; [exists p; split; [symmetry; exact Hxp| exact Hp]|]. split; [exact Hl|].
  split; [exact Ht|]. exact Hk.
Qed.

Lemma residual_In : forall x, In x (residual V n c0b cellS) <->
  exists m q c, m < V /\ q <= m /\ c < n_keys n m q /\ In x (res_block n c0b cellS m q c).
Proof.
  intros x. unfold residual. split.
  - intros H. apply in_flat_map in H. destruct H as [m [Hm H]].
    apply in_flat_map in H. destruct H as [q [Hq H]].
    apply in_flat_map in H. destruct H as [c [Hc H]].
    apply in_seq in Hm, Hq, Hc. exists m, q, c. repeat split; try lia. exact H.
  - intros (m & q & c & Hm & Hq & Hc & H). apply in_flat_map. exists m.
    split; [apply in_seq; lia|]. apply in_flat_map. exists q.
    split; [apply in_seq; lia|]. apply in_flat_map. exists c.
    split; [apply in_seq; lia| exact H].
Qed.

Theorem residual_NoDup : NoDup (residual V n c0b cellS).
Proof.
  unfold residual. apply (NoDup_flat_map_key _ _ _ (fun m => m)).
  { rewrite map_id. apply seq_NoDup. }
  2: { intros a b x Ha Hb H1 H2. apply in_seq in Ha, Hb.
       apply in_flat_map in H1. destruct H1 as [q1 [Hq1 H1]].
       apply in_flat_map in H1. destruct H1 as [c1 [Hc1 H1]].
       apply in_flat_map in H2. destruct H2 as [q2 [Hq2 H2]].
       apply in_flat_map in H2. destruct H2 as [c2 [Hc2 H2]].
       apply in_seq in Hq1, Hc1, Hq2, Hc2.
       destruct (res_block_spec a q1 c1 x ltac:(lia) ltac:(lia) ltac:(lia) H1) as (_ & _ & _ & K1).
       destruct (res_block_spec b q2 c2 x ltac:(lia) ltac:(lia) ltac:(lia) H2) as (_ & _ & _ & K2).
       rewrite K1 in K2. congruence. }
  intros m Hm. apply in_seq in Hm.
  apply (NoDup_flat_map_key _ _ _ (fun q => q)).
  { rewrite map_id. apply seq_NoDup. }
  2: { intros a b x Ha Hb H1 H2. apply in_seq in Ha, Hb.
       apply in_flat_map in H1. destruct H1 as [c1 [Hc1 H1]].
       apply in_flat_map in H2. destruct H2 as [c2 [Hc2 H2]].
       apply in_seq in Hc1, Hc2.
       destruct (res_block_spec m a c1 x ltac:(lia) ltac:(lia) ltac:(lia) H1) as (_ & _ & _ & K1).
       destruct (res_block_spec m b c2 x ltac:(lia) ltac:(lia) ltac:(lia) H2) as (_ & _ & _ & K2).
       rewrite K1 in K2. congruence. }
  intros q Hq. apply in_seq in Hq.
  apply (NoDup_flat_map_key _ _ _ (fun c => c)).
  { rewrite map_id. apply seq_NoDup. }
  { intros c _. apply res_block_NoDup; lia. }
  intros a b x Ha Hb H1 H2. apply in_seq in Ha, Hb.
  destruct (res_block_spec m q a x ltac:(lia) ltac:(lia) ltac:(lia) H1) as (_ & _ & _ & K1).
  destruct (res_block_spec m q b x ltac:(lia) ltac:(lia) ltac:(lia) H2) as (_ & _ & _ & K2).
  rewrite K1 in K2. congruence.
Qed.

Theorem residual_all_seqs : forall x, In x (residual V n c0b cellS) -> In x (all_seqs V n).
Proof.
  intros x Hx. apply residual_In in Hx. destruct Hx as (m & q & c & Hm & Hq & Hc & Hx).
  destruct (res_block_spec m q c x Hm Hq Hc Hx) as (_ & Hl & Ht & _).
  apply all_seqs_in; assumption.
Qed.

(** ** The residual and the cells *)
Variable cells : list cell.
Hypothesis Hvalid : forall cl, In cl cells -> cell_valid V n cl.
(** the lookups [c0b] and [cellS] agree with the cells *)
Hypothesis Hcons : forall cl, In cl cells ->
  (cc cl = 0 -> c0b (cm cl) (cq cl) = true) /\ (1 <= cc cl -> cellS (cm cl) (cq cl) (cc cl) = cS cl).

Theorem residual_not_cell : forall x cl, In x (residual V n c0b cellS) -> In cl cells ->
  ~ In x (cell_inputs n cl).
Proof.
  intros x cl Hx Hcl Hxc. apply residual_In in Hx. destruct Hx as (m & q & c & Hm & Hq & Hc & Hx).
  destruct (res_block_spec m q c x Hm Hq Hc Hx) as ([p [Hxp Hp]] & _ & _ & K).
  pose proof (Hvalid cl Hcl) as Hv.
  destruct (cell_input_spec V n cl x Hn Hv Hxc) as (p0 & Hxp0 & Hp0 & _ & _ & _ & K0).
  rewrite K in K0. unfold cell_key in K0. injection K0 as Eq Em Ec.
  rewrite Hxp, <- Eq in Hxp0. apply app_inj_tail in Hxp0. destruct Hxp0 as [<- _].
  destruct (Hcons cl Hcl) as [H0 H1].
  destruct c as [|c].
  - simpl in Hp. rewrite Em, Eq, H0 in Hp by (symmetry; exact Ec). destruct Hp.
  - simpl in Hp. rewrite Em, Eq, Ec, H1 in Hp by lia. rewrite <- Em, <- Ec in Hp, Hp0.
    apply (gen_gen_out_disj m (cS cl) (seq 0 m) (seq_notin m)) with (L := n - 1) (c := S c) (p := p).
    + intros s Hs. apply in_seq. destruct Hv as (_ & _ & _ & HS & _). specialize (HS s Hs). lia.
    + exact Hp0.
    + exact Hp.
Qed.

(** conversely, every c0 entry and every non-empty cell set is a cell *)
Hypothesis Hc0 : forall m q, m < V -> q <= m -> c0b m q = true ->
  exists cl, In cl cells /\ cell_key cl = (q, m, 0).
Hypothesis HcSc : forall m q c, m < V -> q <= m -> 1 <= c -> cellS m q c <> [] ->
  exists cl, In cl cells /\ cell_key cl = (q, m, c) /\ cS cl = cellS m q c.

Lemma cell_inputs_key : forall cl q m c p, cell_key cl = (q, m, c) ->
  In p (gen m (cS cl) (n - 1) c) -> In (p ++ [q]) (cell_inputs n cl).
Proof.
  intros cl q m c p K Hp. unfold cell_key in K. injection K as <- <- <-.
  unfold cell_inputs. apply (in_map (fun p => p ++ [cq cl])), Hp.
Qed.

Theorem all_seqs_covered : forall x, In x (all_seqs V n) ->
  In x (flat_map (cell_inputs n) cells) \/ In x (residual V n c0b cellS).
Proof.
  intros x Hx. apply all_seqs_spec in Hx. destruct Hx as [Hl Ht].
  assert (Hne : x <> []) by (intros ->; simpl in Hl; lia).
  destruct (exists_last Hne) as [p [q Hxp]].
  set (m := max_tok x).
  assert (HmV : m < V) by (apply Ht, max_tok_In, Hne).
  assert (Hqm : q <= m) by (apply max_tok_ge; rewrite Hxp; apply in_or_app; right; left; reflexivity).
  assert (Hlp : length p = n - 1) by (rewrite Hxp, app_length in Hl; simpl in Hl; lia).
  assert (Htp : forall t, In t p -> t = m \/ In t (seq 0 m)).
  { intros t Htp. assert (t <= m) by (apply max_tok_ge; rewrite Hxp; apply in_or_app; left; exact Htp).
    destruct (Nat.eq_dec t m) as [E|E]; [left; exact E| right; apply in_seq; lia]. }
  assert (Hc : count_nonm m p < n_keys n m q).
  { unfold n_keys. destruct (Nat.eqb q m) eqn:E.
    - pose proof (count_nonm_le m p). lia.
    - apply Nat.eqb_neq in E. rewrite <- Hlp. apply count_nonm_lt.
      assert (Hin : In m x) by (apply max_tok_In, Hne). rewrite Hxp in Hin.
      apply in_app_or in Hin. destruct Hin as [Hin|[Hin|[]]]; [exact Hin| contradiction]. }
  destruct (count_nonm m p) as [|c] eqn:Ec.
  - assert (Hp : p = repeat m (n - 1)) by (rewrite <- Hlp; apply count_nonm_zero, Ec).
    destruct (c0b m q) eqn:E0.
    + left. destruct (Hc0 m q HmV Hqm E0) as [cl [Hcl K]]. apply in_flat_map. exists cl.
      split; [exact Hcl|]. rewrite Hxp. apply (cell_inputs_key cl q m 0 p K).
      rewrite gen_zero, Hp. left. reflexivity.
    + right. apply residual_In. exists m, q, 0. split; [exact HmV|]. split; [exact Hqm|].
      split; [exact Hc|]. unfold res_block, res_prefixes. rewrite E0, Hxp, Hp. left. reflexivity.
  - destruct (gen_gen_out_cover m (cellS m q (S c)) (seq 0 m) (seq_notin m)
                (cellS_incl m q (S c) HmV Hqm ltac:(lia)) (n - 1) (S c) p Hlp Ec Htp) as [Hg|Hg].
    + left. assert (HSne : cellS m q (S c) <> []).
      { intros E. rewrite E, gen_nil_S in Hg. destruct Hg. }
      destruct (HcSc m q (S c) HmV Hqm ltac:(lia) HSne) as (cl & Hcl & K & HS).
      apply in_flat_map. exists cl. split; [exact Hcl|]. rewrite Hxp.
      apply (cell_inputs_key cl q m (S c) p K). rewrite HS. exact Hg.
    + right. apply residual_In. exists m, q, (S c). split; [exact HmV|]. split; [exact Hqm|].
      split; [exact Hc|]. unfold res_block, res_prefixes. rewrite Hxp. apply (in_map (fun p => p ++ [q])), Hg.
Qed.

Lemma cells_length : length (flat_map (cell_inputs n) cells) = nsum (map (cell_size n) cells).
Proof.
  rewrite length_flat_map_nsum. f_equal. apply map_ext. apply cell_inputs_length.
Qed.

(** the cells and the residual cover every input exactly once *)
Theorem residual_complete : NoDup (map cell_key cells) ->
  nsum (map (cell_size n) cells) + length (residual V n c0b cellS) = V ^ n.
Proof.
  intros Hk. rewrite <- cells_length, <- app_length, <- all_seqs_length.
  set (C := flat_map (cell_inputs n) cells).
  assert (HnC : NoDup (C ++ residual V n c0b cellS)).
  { apply NoDup_app_disj; [apply (cells_inputs_NoDup V); assumption| apply residual_NoDup|].
    intros x H1 H2. apply in_flat_map in H1. destruct H1 as [cl [Hcl H1]].
    exact (residual_not_cell x cl H2 Hcl H1). }
  apply Nat.le_antisymm.
  - apply NoDup_incl_length; [exact HnC|]. intros x Hx. apply in_app_or in Hx.
    destruct Hx as [Hx|Hx]; [|apply residual_all_seqs, Hx].
    apply in_flat_map in Hx. destruct Hx as [cl [Hcl Hx]].
    destruct (cell_input_spec V n cl x Hn (Hvalid cl Hcl) Hx) as (_ & _ & _ & Hl & Ht & _).
    apply all_seqs_in; assumption.
  - apply NoDup_incl_length; [apply all_seqs_NoDup|]. intros x Hx. apply in_or_app.
    apply all_seqs_covered, Hx.
Qed.
End Residual.

(** ** The counting theorem of an exact certificate *)
Theorem exact_count_bounds : forall M cells R (ok wrong : list nat -> bool), (1 <= n_ctx M)%nat ->
  NoDup (map cell_key cells) -> (forall cl, In cl cells -> cell_valid (d_vocab M) (n_ctx M) cl) ->
  (forall cl x, In cl cells -> In x (cell_inputs (n_ctx M) cl) -> correct M x) ->
  NoDup R -> (forall x, In x R -> In x (all_inputs M)) ->
  (forall x cl, In x R -> In cl cells -> ~ In x (cell_inputs (n_ctx M) cl)) ->
  (forall x, In x R -> ok x = true -> correct M x) ->
  (forall x, In x R -> wrong x = true -> ~ correct M x) ->
  nsum (map (cell_size (n_ctx M)) cells) + length (filter ok R) <= count_correct M
  /\ count_correct M + length (filter wrong R) <= d_vocab M ^ n_ctx M.
Proof.
  intros M cells R ok wrong Hn Hk Hv Hc HR HRall HRc Hok Hwrong.
  unfold count_correct. split.
  - rewrite <- (cells_length (n_ctx M) cells), <- app_length.
    apply NoDup_incl_length.
    + apply NoDup_app_disj; [apply (cells_inputs_NoDup (d_vocab M)); assumption| apply NoDup_filter, HR|].
      intros x H1 H2. apply in_flat_map in H1. destruct H1 as [cl [Hcl H1]].
      apply filter_In in H2. exact (HRc x cl (proj1 H2) Hcl H1).
    + intros x Hx. apply filter_In. apply in_app_or in Hx. destruct Hx as [Hx|Hx].
      * apply in_flat_map in Hx. destruct Hx as [cl [Hcl Hx]].
        destruct (cell_input_spec (d_vocab M) (n_ctx M) cl x Hn (Hv cl Hcl) Hx) as (_ & _ & _ & Hl & Ht & _).
        split; [apply all_seqs_in; assumption| apply correct_b_spec, (Hc cl x Hcl Hx)].
      * apply filter_In in Hx. destruct Hx as [HxR Hx].
        split; [apply HRall, HxR| apply correct_b_spec, (Hok x HxR Hx)].
  - rewrite <- all_seqs_length, <- app_length. apply NoDup_incl_length.
    + apply NoDup_app_disj; [apply NoDup_filter, all_seqs_NoDup| apply NoDup_filter, HR|].
      intros x H1 H2. apply filter_In in H1, H2. destruct H1 as [_ H1]. destruct H2 as [HxR H2].
      apply (Hwrong x HxR H2), correct_b_spec, H1.
    + intros x Hx. apply in_app_or in Hx. destruct Hx as [Hx|Hx]; apply filter_In in Hx.
      * exact (proj1 Hx).
      * apply HRall, (proj1 Hx).
Qed.

(** the same with R := the residual of the cells (FORMAT.md, checks 11 and 12; the bounds do not
    need the cover to be complete, [residual_complete]) *)
Corollary exact_count_residual : forall M cells c0b cellS (ok wrong : list nat -> bool),
  (1 <= n_ctx M)%nat ->
  NoDup (map cell_key cells) -> (forall cl, In cl cells -> cell_valid (d_vocab M) (n_ctx M) cl) ->
  (forall cl x, In cl cells -> In x (cell_inputs (n_ctx M) cl) -> correct M x) ->
  (forall m q c, m < d_vocab M -> q <= m -> 1 <= c ->
     NoDup (cellS m q c) /\ (forall s, In s (cellS m q c) -> s < m)) ->
  (forall cl, In cl cells ->
     (cc cl = 0 -> c0b (cm cl) (cq cl) = true) /\ (1 <= cc cl -> cellS (cm cl) (cq cl) (cc cl) = cS cl)) ->
  (forall x, In x (residual (d_vocab M) (n_ctx M) c0b cellS) -> ok x = true -> correct M x) ->
  (forall x, In x (residual (d_vocab M) (n_ctx M) c0b cellS) -> wrong x = true -> ~ correct M x) ->
  nsum (map (cell_size (n_ctx M)) cells) + length (filter ok (residual (d_vocab M) (n_ctx M) c0b cellS))
    <= count_correct M
  /\ count_correct M + length (filter wrong (residual (d_vocab M) (n_ctx M) c0b cellS))
    <= d_vocab M ^ n_ctx M.
Proof.
  intros M cells c0b cellS ok wrong Hn Hk Hv Hc HcS Hcons Hok Hwrong.
  apply exact_count_bounds; try assumption.
  - apply residual_NoDup; assumption.
  - intros x Hx. apply (residual_all_seqs _ _ c0b cellS); assumption.
  - intros x cl Hx Hcl. apply (residual_not_cell (d_vocab M) (n_ctx M) c0b cellS Hn HcS cells Hv Hcons); assumption.
Qed.
