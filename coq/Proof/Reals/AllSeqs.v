(** * AllSeqs.v — Spec.v's [all_seqs V k] is every list of length [k] over the tokens
    [0 .. V-1], each exactly once, so it has [V ^ k] members.

    [all_seqs_spec] characterises membership (the converse direction of Count.v's
    [all_seqs_in] is new here), [all_seqs_NoDup] rules out duplicates (which would let
    [count_correct] over-count), and [all_seqs_length] counts them.  Hence
    [count_correct M <= d_vocab M ^ n_ctx M] ([count_correct_le]): the accuracy that Spec.v
    states is a number of distinct inputs out of [d_vocab ^ n_ctx]. *)
From Coq Require Import Arith Lia List.
From MaxK Require Import Spec Proof.Reals.Count.
Import ListNotations.
Local Open Scope nat_scope.

(** every member of [all_seqs V k] has length [k] and tokens below [V] *)
Lemma all_seqs_sound : forall V k x, In x (all_seqs V k) ->
  length x = k /\ (forall t, In t x -> t < V).
Proof.
  intros V k. induction k as [|k IH]; intros x Hx; simpl in Hx.
  - destruct Hx as [<-|[]]. split; [reflexivity| intros t []].
  - apply in_flat_map in Hx. destruct Hx as [t [Ht Hx]].
    apply in_map_iff in Hx. destruct Hx as [y [<- Hy]].
    apply in_seq in Ht. destruct (IH y Hy) as [Hl Hv]. split; [simpl; rewrite Hl; reflexivity|].
    intros u [<-|Hu]; [lia| apply Hv, Hu].
Qed.

Theorem all_seqs_spec : forall V k x,
  In x (all_seqs V k) <-> length x = k /\ (forall t, In t x -> (t < V)%nat).
Proof.
  intros V k x. split; [apply all_seqs_sound|].
  intros [Hl Hv]. apply all_seqs_in; assumption.
Qed.

Theorem all_seqs_NoDup : forall V k, NoDup (all_seqs V k).
Proof.
  intros V k. induction k as [|k IH]; simpl.
  - constructor; [intros []| constructor].
  - (* the blocks [map (cons t) (all_seqs V k)] are keyed by their head [t] *)
    apply (NoDup_flat_map_key _ _ _ (fun t => t)).
    + rewrite map_id. apply seq_NoDup.
    + intros t _. apply NoDup_map_cons, IH.
    + intros a b x _ _ Ha Hb.
      apply in_map_iff in Ha. destruct Ha as [ya [<- _]].
      apply in_map_iff in Hb. destruct Hb as [yb [Hab _]].
      injection Hab as Hab _. symmetry. exact Hab.
Qed.

Theorem all_seqs_length : forall V k, length (all_seqs V k) = (V ^ k)%nat.
Proof.
  intros V k. induction k as [|k IH]; simpl; [reflexivity|].
  rewrite (length_flat_map_const _ _ _ _ (V ^ k)).
  - rewrite seq_length. reflexivity.
  - intros t. rewrite map_length. exact IH.
Qed.

Lemma length_filter_le : forall (A : Type) (f : A -> bool) (l : list A),
  length (filter f l) <= length l.
Proof.
  intros A f l. induction l as [|a l IH]; simpl; [lia|].
  destruct (f a); simpl; lia.
Qed.

Corollary count_correct_le : forall M, (count_correct M <= d_vocab M ^ n_ctx M)%nat.
Proof.
  intros M. unfold count_correct, all_inputs. rewrite <- all_seqs_length.
  apply length_filter_le.
Qed.
