(** * Good.v — the weight facts that check 1 gives, bundled: one record instead of 42 hypotheses.

    [Good M e0 T]: every tensor's exponent is at least e0 <= 0, the aligned integer lists T have
    the model's shapes, and each aligned entry is Spec's weight at the common scale 2^e0.
    Proof/Link/Model.v proves it from [check_header] ([header_good]); Proof/Twins/CellList.v
    takes it as its one section hypothesis. *)
From Coq Require Import ZArith List.
From MaxK Require Import Spec Proof.Int.PathInt Proof.Twins.PathList.
Import ListNotations.
Local Open Scope Z_scope.

(** The facts, with V, n, d, h spelled out. *)
Record Good (M : Spec.model) (e0 : Z) (T : AlignedZ) : Prop := mkGood {
  g_e0 : e0 <= 0;
  g_xE : e0 <= exponent (Spec.W_E M);
  g_xP : e0 <= exponent (Spec.W_pos M);
  g_xQ : e0 <= exponent (Spec.W_Q M);
  g_xK : e0 <= exponent (Spec.W_K M);
  g_xV : e0 <= exponent (Spec.W_V M);
  g_xO : e0 <= exponent (Spec.W_O M);
  g_xU : e0 <= exponent (Spec.W_U M);
  g_xbQ : e0 <= exponent (Spec.b_Q M);
  g_xbK : e0 <= exponent (Spec.b_K M);
  g_xbV : e0 <= exponent (Spec.b_V M);
  g_xbO : e0 <= exponent (Spec.b_O M);
  g_xbU : e0 <= exponent (Spec.b_U M);
  g_z : az T = - e0;
  g_V1 : (1 <= Spec.d_vocab M)%nat;
  g_n1 : (1 <= Spec.n_ctx M)%nat;
  g_d1 : (1 <= Spec.d_model M)%nat;
  g_h1 : (1 <= Spec.d_head M)%nat;
  g_SE : shaped (Spec.d_vocab M) (Spec.d_model M) (PathList.aE T);
  g_SP : shaped (Spec.n_ctx M) (Spec.d_model M) (PathList.aPos T);
  g_SQ : shaped (Spec.d_model M) (Spec.d_head M) (PathList.aQ T);
  g_SK : shaped (Spec.d_model M) (Spec.d_head M) (PathList.aK T);
  g_SV : shaped (Spec.d_model M) (Spec.d_head M) (PathList.aV T);
  g_SO : shaped (Spec.d_head M) (Spec.d_model M) (PathList.aO T);
  g_SU : shaped (Spec.d_model M) (Spec.d_vocab M) (PathList.aU T);
  g_LbQ : length (PathList.abQ T) = Spec.d_head M;
  g_LbK : length (PathList.abK T) = Spec.d_head M;
  g_LbV : length (PathList.abV T) = Spec.d_head M;
  g_LbO : length (PathList.abO T) = Spec.d_model M;
  g_LbU : length (PathList.abU T) = Spec.d_vocab M;
  g_EE : forall i j, (i < Spec.d_vocab M)%nat -> (j < Spec.d_model M)%nat ->
    nth j (nth i (PathList.aE T) []) 0 = amat e0 (Spec.W_E M) (Spec.d_model M) i j;
  g_EP : forall i j, (i < Spec.n_ctx M)%nat -> (j < Spec.d_model M)%nat ->
    nth j (nth i (PathList.aPos T) []) 0 = amat e0 (Spec.W_pos M) (Spec.d_model M) i j;
  g_EQ : forall i j, (i < Spec.d_model M)%nat -> (j < Spec.d_head M)%nat ->
    nth j (nth i (PathList.aQ T) []) 0 = amat e0 (Spec.W_Q M) (Spec.d_head M) i j;
  g_EK : forall i j, (i < Spec.d_model M)%nat -> (j < Spec.d_head M)%nat ->
    nth j (nth i (PathList.aK T) []) 0 = amat e0 (Spec.W_K M) (Spec.d_head M) i j;
  g_EV : forall i j, (i < Spec.d_model M)%nat -> (j < Spec.d_head M)%nat ->
    nth j (nth i (PathList.aV T) []) 0 = amat e0 (Spec.W_V M) (Spec.d_head M) i j;
  g_EO : forall i j, (i < Spec.d_head M)%nat -> (j < Spec.d_model M)%nat ->
    nth j (nth i (PathList.aO T) []) 0 = amat e0 (Spec.W_O M) (Spec.d_model M) i j;
  g_EU : forall i j, (i < Spec.d_model M)%nat -> (j < Spec.d_vocab M)%nat ->
    nth j (nth i (PathList.aU T) []) 0 = amat e0 (Spec.W_U M) (Spec.d_vocab M) i j;
  g_EbQ : forall j, (j < Spec.d_head M)%nat -> nth j (PathList.abQ T) 0 = aent e0 (Spec.b_Q M) j;
  g_EbK : forall j, (j < Spec.d_head M)%nat -> nth j (PathList.abK T) 0 = aent e0 (Spec.b_K M) j;
  g_EbV : forall j, (j < Spec.d_head M)%nat -> nth j (PathList.abV T) 0 = aent e0 (Spec.b_V M) j;
  g_EbO : forall j, (j < Spec.d_model M)%nat -> nth j (PathList.abO T) 0 = aent e0 (Spec.b_O M) j;
  g_EbU : forall j, (j < Spec.d_vocab M)%nat -> nth j (PathList.abU T) 0 = aent e0 (Spec.b_U M) j }.

