(** * Count.v — counting the inputs covered by the certificate's cells.

    A cell (q, m, c, S) covers the inputs [p ++ [q]] where the prefix [p] (the n-1 non-query
    positions) holds the max token [m] except at exactly [c] positions, which hold tokens of
    [S] (all < m).  There are C(n-1, c) |S|^c of them ([cell_inputs_length]); inputs of
    cells with different (q, m, c) are different ([key_cell_input]); so the total over a list
    of cells with distinct keys is at most the number of inputs that satisfy any property
    every covered input has ([cells_count_le]).  A c0 entry (m, q) is the cell (q, m, 0, []). *)
From Coq Require Import Arith Lia List Reals.
From MaxK Require Import Spec.
Import ListNotations.
Local Open Scope nat_scope.

(** ** Definitions *)
Fixpoint binom (n k : nat) : nat :=
  match n, k with
  | _, O => 1
  | O, S _ => 0
  | S n', S k' => binom n' k' + binom n' (S k')
  end.

(** number of entries of [p] different from [m] *)
Definition count_nonm (m : nat) (p : list nat) : nat :=
  length (filter (fun t => negb (Nat.eqb t m)) p).

(** all lists of length [L] over {m} ∪ S with exactly [c] entries in S *)
Fixpoint gen (m : nat) (S : list nat) (L c : nat) : list (list nat) :=
  match L with
  | O => match c with O => [ [] ] | S _ => [] end
  | S L' => map (cons m) (gen m S L' c)
            ++ match c with
               | O => []
               | S c' => flat_map (fun s => map (cons s) (gen m S L' c')) S
               end
  end.

Record cell := mk_cell { cq : nat; cm : nat; cc : nat; cS : list nat }.

Definition cell_key (cl : cell) : nat * nat * nat := (cq cl, cm cl, cc cl).

Definition cell_inputs (n : nat) (cl : cell) : list (list nat) :=
  map (fun p => p ++ [cq cl]) (gen (cm cl) (cS cl) (n - 1) (cc cl)).

Definition cell_size (n : nat) (cl : cell) : nat :=
  binom (n - 1) (cc cl) * length (cS cl) ^ (cc cl).

(** q <= m < V, S a duplicate-free subset of [0, m), c <= n-1, and m occurs in the
    prefix when q < m *)
Definition cell_valid (V n : nat) (cl : cell) : Prop :=
  cq cl <= cm cl /\ cm cl < V /\ NoDup (cS cl) /\ (forall s, In s (cS cl) -> s < cm cl)
  /\ cc cl <= n - 1 /\ (cq cl < cm cl -> cc cl < n - 1).

(** the (q, m, c) of an input *)
Definition input_key (x : list nat) : nat * nat * nat :=
  (last x O, max_tok x, count_nonm (max_tok x) (removelast x)).

Fixpoint nsum (l : list nat) : nat := match l with [] => 0 | a :: l' => a + nsum l' end.

(** ** List lemmas *)
Lemma NoDup_app_disj : forall (A : Type) (l1 l2 : list A),
  NoDup l1 -> NoDup l2 -> (forall x, In x l1 -> In x l2 -> False) -> NoDup (l1 ++ l2).
Proof.
  intros A l1 l2 H1 H2 Hd. induction H1 as [|a l1 Ha H1 IH]; simpl; [exact H2|].
  constructor.
  - intros Hin. apply in_app_or in Hin. destruct Hin as [Hin|Hin]; [contradiction|].
    apply (Hd a); [left; reflexivity|exact Hin].
  - apply IH. intros x Hx1 Hx2. apply (Hd x); [right; exact Hx1|exact Hx2].
Qed.

Lemma NoDup_map_cons : forall (t : nat) l, NoDup l -> NoDup (map (cons t) l).
Proof.
  intros t l H. induction H as [|a l Ha H IH]; simpl; constructor; [|exact IH].
  intros Hin. apply in_map_iff in Hin. destruct Hin as [b [Hb Hbin]].
  injection Hb as ->. contradiction.
Qed.

Lemma NoDup_map_app_r : forall (q : nat) l, NoDup l -> NoDup (map (fun p => p ++ [q]) l).
Proof.
  intros q l H. induction H as [|a l Ha H IH]; simpl; constructor; [|exact IH].
  intros Hin. apply in_map_iff in Hin. destruct Hin as [b [Hb Hbin]].
  apply app_inj_tail in Hb. destruct Hb as [-> _]. contradiction.
Qed.

(** flat_map of a duplicate-free family whose members overlap only for equal keys *)
Lemma NoDup_flat_map_key : forall (A B K : Type) (g : A -> K) (f : A -> list B) (l : list A),
  NoDup (map g l) -> (forall a, In a l -> NoDup (f a)) ->
  (forall a b x, In a l -> In b l -> In x (f a) -> In x (f b) -> g a = g b) ->
  NoDup (flat_map f l).
Proof.
  intros A B K g f l. induction l as [|a l IH]; intros Hk Hf Hd; simpl; [constructor|].
  inversion Hk as [|ga gl Hga Hgl]; subst.
  apply NoDup_app_disj.
  - apply Hf. left. reflexivity.
  - apply IH; [exact Hgl| intros; apply Hf; right; assumption|].
    intros a0 b x Ha0 Hb Hx0 Hxb. apply (Hd a0 b x); [right; exact Ha0|right; exact Hb|exact Hx0|exact Hxb].
  - intros x Hx1 Hx2. apply in_flat_map in Hx2. destruct Hx2 as [b [Hb Hxb]].
    apply Hga. rewrite (Hd a b x); [apply in_map, Hb|left; reflexivity|right; exact Hb|exact Hx1|exact Hxb].
Qed.

Lemma length_flat_map_const : forall (A B : Type) (f : A -> list B) (l : list A) k,
  (forall a, length (f a) = k) -> length (flat_map f l) = length l * k.
Proof.
  intros A B f l k H. induction l as [|a l IH]; simpl; [reflexivity|].
  rewrite app_length, H, IH. reflexivity.
Qed.

Lemma length_flat_map_nsum : forall (A B : Type) (f : A -> list B) (l : list A),
  length (flat_map f l) = nsum (map (fun a => length (f a)) l).
Proof.
  intros A B f l. induction l as [|a l IH]; simpl; [reflexivity|].
  rewrite app_length, IH. reflexivity.
Qed.

(** ** [gen] *)
Lemma gen_length : forall m S L c, length (gen m S L c) = binom L c * length S ^ c.
Proof.
  intros m S L. induction L as [|L IH]; intros c.
  - destruct c; simpl; reflexivity.
  - simpl gen. rewrite app_length, map_length, IH. destruct c as [|c].
    + simpl. destruct L; simpl; reflexivity.
    + rewrite (length_flat_map_const _ _ _ _ (binom L c * length S ^ c))
        by (intros s; rewrite map_length, IH; reflexivity).
      simpl binom. simpl Nat.pow. nia.
Qed.

Lemma gen_NoDup : forall m S L c, NoDup S -> ~ In m S -> NoDup (gen m S L c).
Proof.
  intros m S L. induction L as [|L IH]; intros c HS Hm.
  - destruct c; simpl; constructor; [intros []|constructor].
  - simpl gen. apply NoDup_app_disj.
    + apply NoDup_map_cons, IH; assumption.
    + destruct c as [|c]; [constructor|].
      apply (NoDup_flat_map_key _ _ _ (fun s => s)); [rewrite map_id; exact HS| |].
      * intros s _. apply NoDup_map_cons, IH; assumption.
      * intros a b x _ _ Ha Hb. apply in_map_iff in Ha, Hb.
        destruct Ha as [pa [<- _]]. destruct Hb as [pb [Hx _]]. injection Hx as ->. reflexivity.
    + intros x Hx1 Hx2. destruct c as [|c]; [exact Hx2|].
      apply in_map_iff in Hx1. destruct Hx1 as [p [<- _]].
      apply in_flat_map in Hx2. destruct Hx2 as [s [Hs Hx2]].
      apply in_map_iff in Hx2. destruct Hx2 as [p' [Hp _]]. injection Hp as -> _.
      contradiction.
Qed.

Lemma gen_in : forall m S L, ~ In m S -> forall c p, In p (gen m S L c) ->
  length p = L /\ (forall t, In t p -> t = m \/ In t S) /\ count_nonm m p = c
  /\ (c < L -> In m p).
Proof.
  intros m S L Hm. induction L as [|L IH]; intros c p Hp.
  - destruct c; simpl in Hp; [|contradiction].
    destruct Hp as [<-|[]]. split; [reflexivity|]. split; [intros t []|].
    split; [reflexivity|]. intros H. lia.
  - simpl gen in Hp. apply in_app_or in Hp. destruct Hp as [Hp|Hp].
    + apply in_map_iff in Hp. destruct Hp as [p' [<- Hp']].
      destruct (IH c p' Hp') as (H1 & H2 & H3 & _).
      split; [simpl; rewrite H1; reflexivity|].
      split; [intros t [<-|Ht]; [left; reflexivity| apply H2, Ht]|].
      split; [unfold count_nonm; simpl; rewrite Nat.eqb_refl; exact H3|].
      intros _. left. reflexivity.
    + destruct c as [|c]; [contradiction|].
      apply in_flat_map in Hp. destruct Hp as [s [Hs Hp]].
      apply in_map_iff in Hp. destruct Hp as [p' [<- Hp']].
      destruct (IH c p' Hp') as (H1 & H2 & H3 & H4).
      split; [simpl; rewrite H1; reflexivity|].
      split; [intros t [<-|Ht]; [right; exact Hs| apply H2, Ht]|].
      split.
      * unfold count_nonm in *. simpl.
        destruct (Nat.eqb s m) eqn:E; [apply Nat.eqb_eq in E; subst s; contradiction|].
        simpl. rewrite H3. reflexivity.
      * intros Hc. right. apply H4. lia.
Qed.

(** ** max_tok and all_seqs *)
Lemma max_tok_le : forall l m, (forall t, In t l -> t <= m) -> max_tok l <= m.
Proof.
  induction l as [|a l IH]; intros m H; simpl; [lia|].
  apply Nat.max_lub; [apply H; left; reflexivity| apply IH; intros t Ht; apply H; right; exact Ht].
Qed.

Lemma max_tok_ge : forall l t, In t l -> t <= max_tok l.
Proof.
  induction l as [|a l IH]; intros t Ht; [destruct Ht|]. unfold max_tok; simpl.
  destruct Ht as [<-|Ht]; [lia|]. specialize (IH t Ht). unfold max_tok in IH. lia.
Qed.

Lemma max_tok_eq : forall l m, (forall t, In t l -> t <= m) -> In m l -> max_tok l = m.
Proof.
  intros l m H Hm. apply Nat.le_antisymm; [apply max_tok_le, H| apply max_tok_ge, Hm].
Qed.

Lemma all_seqs_in : forall V k x, length x = k -> (forall t, In t x -> t < V) ->
  In x (all_seqs V k).
Proof.
  intros V k. induction k as [|k IH]; intros x Hl Hx.
  - destruct x; [left; reflexivity| discriminate].
  - destruct x as [|t x]; [discriminate|]. simpl. apply in_flat_map.
    exists t. split.
    + apply in_seq. split; [lia|]. simpl. apply Hx. left. reflexivity.
    + apply in_map. apply IH; [simpl in Hl; lia| intros u Hu; apply Hx; right; exact Hu].
Qed.

(** ** Cells *)
Lemma cell_inputs_length : forall n cl, length (cell_inputs n cl) = cell_size n cl.
Proof. intros n cl. unfold cell_inputs, cell_size. rewrite map_length. apply gen_length. Qed.

Lemma cell_valid_notin : forall V n cl, cell_valid V n cl -> ~ In (cm cl) (cS cl).
Proof.
  intros V n cl (_ & _ & _ & HS & _) Hin. specialize (HS _ Hin). lia.
Qed.

(** every input of a valid cell: its shape, and its (q, m, c) is the cell's *)
Lemma cell_input_spec : forall V n cl x, (1 <= n)%nat -> cell_valid V n cl ->
  In x (cell_inputs n cl) ->
  exists p, x = p ++ [cq cl] /\ In p (gen (cm cl) (cS cl) (n - 1) (cc cl))
  /\ length x = n /\ (forall t, In t x -> t < V) /\ max_tok x = cm cl
  /\ input_key x = cell_key cl.
Proof.
  intros V n cl x Hn Hv Hx. pose proof (cell_valid_notin V n cl Hv) as Hm.
  destruct Hv as (Hqm & HmV & _ & HS & Hc & Hcq).
  unfold cell_inputs in Hx. apply in_map_iff in Hx. destruct Hx as [p [<- Hp]].
  destruct (gen_in _ _ _ Hm _ _ Hp) as (H1 & H2 & H3 & H4).
  assert (Hle : forall t, In t (p ++ [cq cl]) -> t <= cm cl).
  { intros t Ht. apply in_app_or in Ht. destruct Ht as [Ht|[<-|[]]]; [|exact Hqm].
    destruct (H2 t Ht) as [->|Hs]; [lia| specialize (HS t Hs); lia]. }
  assert (Hmax : max_tok (p ++ [cq cl]) = cm cl).
  { apply max_tok_eq; [exact Hle|]. apply in_or_app.
    destruct (Nat.eq_dec (cq cl) (cm cl)) as [Heq|Hne].
    - right. left. exact Heq.
    - left. apply H4, Hcq. lia. }
  exists p. split; [reflexivity|]. split; [exact Hp|].
  split; [rewrite app_length; simpl; lia|].
  split; [intros t Ht; specialize (Hle t Ht); lia|].
  split; [exact Hmax|].
  unfold input_key, cell_key. rewrite Hmax, last_last, removelast_last, H3. reflexivity.
Qed.

Lemma cells_inputs_NoDup : forall V n cells, (1 <= n)%nat -> NoDup (map cell_key cells) ->
  (forall cl, In cl cells -> cell_valid V n cl) ->
  NoDup (flat_map (cell_inputs n) cells).
Proof.
  intros V n cells Hn Hk Hv. apply (NoDup_flat_map_key _ _ _ cell_key); [exact Hk| |].
  - intros cl Hcl. unfold cell_inputs. apply NoDup_map_app_r, gen_NoDup.
    + apply (Hv cl Hcl).
    + apply (cell_valid_notin V n cl (Hv cl Hcl)).
  - intros a b x Ha Hb Hxa Hxb.
    destruct (cell_input_spec V n a x Hn (Hv a Ha) Hxa) as (_ & _ & _ & _ & _ & _ & Ka).
    destruct (cell_input_spec V n b x Hn (Hv b Hb) Hxb) as (_ & _ & _ & _ & _ & _ & Kb).
    rewrite <- Ka, <- Kb. reflexivity.
Qed.

(** the main counting theorem: cells with distinct (q, m, c), every covered input
    satisfying [P], cover at most as many inputs as satisfy [P] *)
Theorem cells_count_le : forall V n (P : list nat -> bool) cells, (1 <= n)%nat ->
  NoDup (map cell_key cells) -> (forall cl, In cl cells -> cell_valid V n cl) ->
  (forall cl x, In cl cells -> In x (cell_inputs n cl) -> P x = true) ->
  nsum (map (cell_size n) cells) <= length (filter P (all_seqs V n)).
Proof.
  intros V n P cells Hn Hk Hv HP.
  replace (nsum (map (cell_size n) cells)) with (length (flat_map (cell_inputs n) cells)).
  - apply NoDup_incl_length; [apply (cells_inputs_NoDup V); assumption|].
    intros x Hx. apply in_flat_map in Hx. destruct Hx as [cl [Hcl Hx]].
    apply filter_In. split; [|exact (HP cl x Hcl Hx)].
    destruct (cell_input_spec V n cl x Hn (Hv cl Hcl) Hx) as (_ & _ & _ & Hl & Ht & _).
    apply all_seqs_in; assumption.
  - rewrite length_flat_map_nsum. f_equal. apply map_ext. apply cell_inputs_length.
Qed.

(** ** The count of correct inputs *)
Lemma correct_b_spec : forall M x, correct_b M x = true <-> correct M x.
Proof.
  intros M x. unfold correct_b, correct. rewrite forallb_forall. split.
  - intros H y Hy Hne. specialize (H y ltac:(apply in_seq; lia)).
    apply Bool.orb_true_iff in H. destruct H as [H|H].
    + apply Nat.eqb_eq in H. contradiction.
    + destruct (Rlt_dec (logit M x y) (logit M x (max_tok x))) as [Hl|_]; [exact Hl|discriminate].
  - intros H y Hy. apply in_seq in Hy. apply Bool.orb_true_iff.
    destruct (Nat.eq_dec y (max_tok x)) as [->|Hne]; [left; apply Nat.eqb_refl|right].
    destruct (Rlt_dec (logit M x y) (logit M x (max_tok x))) as [_|Hn]; [reflexivity|].
    exfalso. apply Hn, H; [lia|exact Hne].
Qed.

Theorem cells_count_le_correct : forall M cells, (1 <= n_ctx M)%nat ->
  NoDup (map cell_key cells) -> (forall cl, In cl cells -> cell_valid (d_vocab M) (n_ctx M) cl) ->
  (forall cl x, In cl cells -> In x (cell_inputs (n_ctx M) cl) -> correct M x) ->
  nsum (map (cell_size (n_ctx M)) cells) <= count_correct M.
Proof.
  intros M cells Hn Hk Hv Hc. unfold count_correct, all_inputs.
  apply cells_count_le; try assumption.
  intros cl x Hcl Hx. apply correct_b_spec, (Hc cl x Hcl Hx).
Qed.
