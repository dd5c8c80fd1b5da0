(** * Spec.v — the trusted statement of the Max-of-K accuracy theorem.

    Nothing in this file is proved; it only defines, over Coq's real numbers [R]
    (with the standard [exp] and [sqrt]), what the certified theorem says:

      [claimed <= count_correct M]

    where [M] is the model with the certificate's weights.  Read it top to bottom.

    Model: 1 layer, 1 attention head, no MLP, no LayerNorm, learned absolute position
    embeddings, attention scores divided by sqrt d_head, the logits of the LAST position
    only (which attends to every position, so the causal mask plays no role there).
    Tensor names and shapes follow TransformerLens. *)

From Coq Require Import ZArith Reals List.
Import ListNotations.
Local Open Scope R_scope.

(** ** Weights: dyadic integers.
    A tensor is stored flat in row-major order as integer mantissas sharing one binary
    exponent: entry [k] has the real value [mantissa_k * 2^exponent].  An index past the
    end reads 0 (the checker rejects lists of the wrong length anyway). *)
Record tensor := mk_tensor { exponent : Z; mantissas : list Z }.

Definition entry (T : tensor) (k : nat) : R :=
  IZR (nth k (mantissas T) 0%Z) * powerRZ 2 (exponent T).

(** [T[i, j]] for a tensor viewed as a matrix with [cols] columns.  A leading head axis
    of size 1 (W_Q, W_K, W_V : [1, d, h]; W_O : [1, h, d]; b_Q, b_K, b_V : [1, h]) does
    not change the flat index. *)
Definition mat (T : tensor) (cols i j : nat) : R := entry T (i * cols + j).

Record model := mk_model {
  d_vocab : nat;  n_ctx : nat;  d_model : nat;  d_head : nat;
  W_E : tensor;   (** [d_vocab, d_model]   token embedding *)
  W_pos : tensor; (** [n_ctx, d_model]     position embedding *)
  W_Q : tensor;   (** [1, d_model, d_head] *)
  W_K : tensor;   (** [1, d_model, d_head] *)
  W_V : tensor;   (** [1, d_model, d_head] *)
  W_O : tensor;   (** [1, d_head, d_model] *)
  W_U : tensor;   (** [d_model, d_vocab]   unembedding *)
  b_Q : tensor;   (** [1, d_head] *)
  b_K : tensor;   (** [1, d_head] *)
  b_V : tensor;   (** [1, d_head] *)
  b_O : tensor;   (** [d_model] *)
  b_U : tensor    (** [d_vocab] *)
}.

(** [sum k f = f 0 + f 1 + ... + f (k-1)]. *)
Fixpoint sum (k : nat) (f : nat -> R) : R :=
  match k with
  | O => 0
  | S k' => sum k' f + f k'
  end.

(** ** The forward pass, on an input [x] (a list of [n_ctx] tokens), from the weights. *)
Section Forward.
Variable M : model.
Variable x : list nat.

(** the token at position [i] *)
Definition tok (i : nat) : nat := nth i x O.

(** the query position: the last one *)
Definition qpos : nat := (n_ctx M - 1)%nat.

(** residual stream before the attention layer, coordinate [a] < d_model *)
Definition resid (i a : nat) : R :=
  mat (W_E M) (d_model M) (tok i) a + mat (W_pos M) (d_model M) i a.

(** query of the last position, keys and values of position [i]; coordinate [c] < d_head *)
Definition query (c : nat) : R :=
  sum (d_model M) (fun a => resid qpos a * mat (W_Q M) (d_head M) a c) + entry (b_Q M) c.
Definition key (i c : nat) : R :=
  sum (d_model M) (fun a => resid i a * mat (W_K M) (d_head M) a c) + entry (b_K M) c.
Definition value (i c : nat) : R :=
  sum (d_model M) (fun a => resid i a * mat (W_V M) (d_head M) a c) + entry (b_V M) c.

(** attention score of position [i] and the softmax over all [n_ctx] positions *)
Definition score (i : nat) : R :=
  sum (d_head M) (fun c => query c * key i c) / sqrt (INR (d_head M)).
Definition attn (i : nat) : R :=
  exp (score i) / sum (n_ctx M) (fun j => exp (score j)).

(** attention output at the last position, coordinate [a] < d_model *)
Definition attn_out (a : nat) : R :=
  sum (d_head M) (fun c => sum (n_ctx M) (fun i => attn i * value i c) * mat (W_O M) (d_model M) c a)
  + entry (b_O M) a.

(** the logit of token [y] < d_vocab at the last position *)
Definition logit (y : nat) : R :=
  sum (d_model M) (fun a => (resid qpos a + attn_out a) * mat (W_U M) (d_vocab M) a y)
  + entry (b_U M) y.

End Forward.

(** ** Correctness and the count. *)

(** the largest token of [x] *)
Definition max_tok (x : list nat) : nat := fold_right Nat.max O x.

(** [x] is classified correctly: the logit of [max_tok x] is strictly above every other
    logit (a tie counts as an error). *)
Definition correct (M : model) (x : list nat) : Prop :=
  forall y, (y < d_vocab M)%nat -> y <> max_tok x -> logit M x y < logit M x (max_tok x).

(** the same, decided with [Rlt_dec] *)
Definition correct_b (M : model) (x : list nat) : bool :=
  forallb (fun y => Nat.eqb y (max_tok x)
                    || (if Rlt_dec (logit M x y) (logit M x (max_tok x)) then true else false))%bool
          (seq 0 (d_vocab M)).

(** every list of length [k] over the tokens [0 .. V-1] (V^k lists, each once)
    (proved: Proof/AllSeqs.v) *)
Fixpoint all_seqs (V k : nat) : list (list nat) :=
  match k with
  | O => [ [] ]
  | S k' => flat_map (fun t => map (cons t) (all_seqs V k')) (seq 0 V)
  end.

Definition all_inputs (M : model) : list (list nat) := all_seqs (d_vocab M) (n_ctx M).

(** the number of correctly classified inputs among all [d_vocab ^ n_ctx] inputs *)
Definition count_correct (M : model) : nat :=
  length (filter (correct_b M) (all_inputs M)).
