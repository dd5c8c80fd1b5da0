(** * ModelOf.v — how a certificate's integers become Spec's model (trusted, with Spec.v).

    A certificate stores each tensor as rows of integer mantissas (the last axis) sharing one
    binary exponent.  [tensor_of e rows] is Spec's flat row-major tensor: the rows
    concatenated, the exponent kept, so entry [k] is [nth k (concat rows) 0 * 2^e].

    The rendered statement of a certificate (Certs/<Name>_Statement.v, from
    templates/coq/trusted/statement.v.j2) builds its model with Spec's record syntax, one
    [tensor_of] per named field, and imports nothing but the standard library, Spec.v and this
    file; so no untrusted file can change how its literals or names are read. *)
From Coq Require Import ZArith List.
From MaxK Require Spec.

Definition tensor_of (e : Z) (rows : list (list Z)) : MaxK.Spec.tensor :=
  MaxK.Spec.mk_tensor e (List.concat rows).
