(** * Model.v — the model a certificate speaks about, and what check 1 (check_header) gives.

    [model_of c]: Spec's model with the certificate's dimensions and its twelve tensors, each
    [tensor_link t = Align.tensor_of [t_exponent t] (rows of t as Z)] (flat row-major mantissas).
    Proved here, from [check_header c = true]:
    - [header_good]: [Good (model_of c) e0 (aligned_link (align_weights (weights c)))] with
      e0 = [min_exponent (weights c)], i.e. exactly the section hypotheses He0 .. EbU of
      Proof/CellList.v (cell_list_correct, c0_list_correct) for Checker's aligned weights;
    - [header_facts]: the remaining shape facts (dimensions, tables, orders, shifts, F, NT).
    Proofs: the && chain of header_shapes_ok split into its parts, [BigZ.spec_*] for the
    comparisons, Link.v for vshl, Align.v for the aligned entries. *)
From Coq Require Import ZArith Lia List Bool.
From Bignums Require Import BigZ.
From MaxK Require Import Checker CheckerSpec Spec Proof.Int.PathInt Proof.Twins.PathList Proof.Twins.Good Proof.Twins.Align
  Proof.Link.Link.
Import ListNotations.
Local Open Scope Z_scope.

(** ** The model of a certificate *)

Definition tensor_link (t : Checker.Tensor) : Spec.tensor :=
  Align.tensor_of (toZ (t_exponent t)) (zm (t_rows t)).

Definition model_of (c : Cert) : Spec.model :=
  let w := weights c in
  {| Spec.d_vocab := Checker.to_nat (Checker.d_vocab c);
     Spec.n_ctx := Checker.to_nat (Checker.n_ctx c);
     Spec.d_model := Checker.to_nat (Checker.d_model c);
     Spec.d_head := Checker.to_nat (Checker.d_head c);
     Spec.W_E := tensor_link (Checker.W_E w);   Spec.W_pos := tensor_link (Checker.W_pos w);
     Spec.W_Q := tensor_link (Checker.W_Q w);   Spec.W_K := tensor_link (Checker.W_K w);
     Spec.W_V := tensor_link (Checker.W_V w);   Spec.W_O := tensor_link (Checker.W_O w);
     Spec.W_U := tensor_link (Checker.W_U w);   Spec.b_Q := tensor_link (Checker.b_Q w);
     Spec.b_K := tensor_link (Checker.b_K w);   Spec.b_V := tensor_link (Checker.b_V w);
     Spec.b_O := tensor_link (Checker.b_O w);   Spec.b_U := tensor_link (Checker.b_U w) |}.

(** ** The two records *)

(** The other facts of check 1 that the soundness proof needs. *)
Record HeaderFacts (c : Cert) : Prop := mkHeaderFacts {
  h_V : toZ (Checker.d_vocab c) = Z.of_nat (Spec.d_vocab (model_of c));
  h_n : toZ (Checker.n_ctx c) = Z.of_nat (Spec.n_ctx (model_of c));
  h_d : toZ (Checker.d_model c) = Z.of_nat (Spec.d_model (model_of c));
  h_h : toZ (Checker.d_head c) = Z.of_nat (Spec.d_head (model_of c));
  h_V2 : (2 <= Spec.d_vocab (model_of c))%nat;
  h_eloS : shaped (Spec.d_vocab (model_of c)) (Spec.d_vocab (model_of c)) (zm (eqke_lo c));
  h_ehiS : shaped (Spec.d_vocab (model_of c)) (Spec.d_vocab (model_of c)) (zm (eqke_hi c));
  h_ploS : shaped (Spec.d_vocab (model_of c)) (Spec.n_ctx (model_of c)) (zm (eqkp_lo c));
  h_phiS : shaped (Spec.d_vocab (model_of c)) (Spec.n_ctx (model_of c)) (zm (eqkp_hi c));
  h_ordS : shaped (Spec.d_vocab (model_of c)) (Spec.n_ctx (model_of c) - 1) (zm (orders c));
  h_shifts : forall r, In r (shifts c) -> length r = Spec.d_vocab (model_of c);
  h_F : 1 <= toZ (frac_bits c);
  h_NT : 1 <= toZ (taylor_terms c) }.

(** ** Shapes *)

(** (stated for [to_nat]: [lia] sees [length (l : list BigZ.t)] and [length (l : list BigZ.t_)]
    as two atoms, [apply] unifies them) *)
Lemma to_nat_of : forall (k : nat) x, Z.of_nat k = toZ x -> k = Checker.to_nat x.
Proof. intros k x H. unfold Checker.to_nat. rewrite <- H. symmetry. apply Nat2Z.id. Qed.

Lemma all_rows_len_spec : forall k M, all_rows_len k M = true ->
  forall r, In r M -> length r = Checker.to_nat k.
Proof.
  intros k M. induction M as [|r0 M IH]; [intros _ r []|].
  cbn [all_rows_len]. rewrite andb_true_iff, BigZ.spec_eqb, Z.eqb_eq, lenZ_link.
  intros [H0 H] r [<-|Hr]; [exact (to_nat_of _ _ H0)| exact (IH H r Hr)].
Qed.

Lemma is_shape_spec : forall rows cols M, is_shape rows cols M = true ->
  shaped (Checker.to_nat rows) (Checker.to_nat cols) (zm M).
Proof.
  intros rows cols M. unfold is_shape, shaped.
  rewrite andb_true_iff, BigZ.spec_eqb, Z.eqb_eq, lenZ_link, map_length.
  intros [H0 H]. split; [exact (to_nat_of _ _ H0)|].
  intros r Hr. apply in_map_iff in Hr. destruct Hr as [r' [<- Hr']].
  rewrite map_length. exact (all_rows_len_spec _ _ H r' Hr').
Qed.

Lemma tensor_shape_ok_spec : forall t s rows cols, tensor_shape_ok t s rows cols = true ->
  shaped (Checker.to_nat rows) (Checker.to_nat cols) (zm (t_rows t)).
Proof.
  intros t s rows cols. unfold tensor_shape_ok. rewrite andb_true_iff.
  intros [_ H]. exact (is_shape_spec _ _ _ H).
Qed.

(** The shape facts of header_shapes_ok, for internal use. *)
Record Shapes (c : Cert) : Prop := mkShapes {
  s_V2 : 2 <= toZ (Checker.d_vocab c);
  s_n1 : 1 <= toZ (Checker.n_ctx c);
  s_d1 : 1 <= toZ (Checker.d_model c);
  s_h1 : 1 <= toZ (Checker.d_head c);
  s_E : shaped (Checker.to_nat (Checker.d_vocab c)) (Checker.to_nat (Checker.d_model c))
          (zm (t_rows (Checker.W_E (weights c))));
  s_P : shaped (Checker.to_nat (Checker.n_ctx c)) (Checker.to_nat (Checker.d_model c))
          (zm (t_rows (Checker.W_pos (weights c))));
  s_Q : shaped (Checker.to_nat (Checker.d_model c)) (Checker.to_nat (Checker.d_head c))
          (zm (t_rows (Checker.W_Q (weights c))));
  s_K : shaped (Checker.to_nat (Checker.d_model c)) (Checker.to_nat (Checker.d_head c))
          (zm (t_rows (Checker.W_K (weights c))));
  s_Vv : shaped (Checker.to_nat (Checker.d_model c)) (Checker.to_nat (Checker.d_head c))
          (zm (t_rows (Checker.W_V (weights c))));
  s_O : shaped (Checker.to_nat (Checker.d_head c)) (Checker.to_nat (Checker.d_model c))
          (zm (t_rows (Checker.W_O (weights c))));
  s_U : shaped (Checker.to_nat (Checker.d_model c)) (Checker.to_nat (Checker.d_vocab c))
          (zm (t_rows (Checker.W_U (weights c))));
  s_bQ : shaped (Checker.to_nat 1) (Checker.to_nat (Checker.d_head c))
           (zm (t_rows (Checker.b_Q (weights c))));
  s_bK : shaped (Checker.to_nat 1) (Checker.to_nat (Checker.d_head c))
           (zm (t_rows (Checker.b_K (weights c))));
  s_bV : shaped (Checker.to_nat 1) (Checker.to_nat (Checker.d_head c))
           (zm (t_rows (Checker.b_V (weights c))));
  s_bO : shaped (Checker.to_nat 1) (Checker.to_nat (Checker.d_model c))
           (zm (t_rows (Checker.b_O (weights c))));
  s_bU : shaped (Checker.to_nat 1) (Checker.to_nat (Checker.d_vocab c))
           (zm (t_rows (Checker.b_U (weights c))));
  s_elo : shaped (Checker.to_nat (Checker.d_vocab c)) (Checker.to_nat (Checker.d_vocab c))
            (zm (eqke_lo c));
  s_ehi : shaped (Checker.to_nat (Checker.d_vocab c)) (Checker.to_nat (Checker.d_vocab c))
            (zm (eqke_hi c));
  s_plo : shaped (Checker.to_nat (Checker.d_vocab c)) (Checker.to_nat (Checker.n_ctx c))
            (zm (eqkp_lo c));
  s_phi : shaped (Checker.to_nat (Checker.d_vocab c)) (Checker.to_nat (Checker.n_ctx c))
            (zm (eqkp_hi c));
  s_ord : shaped (Checker.to_nat (Checker.d_vocab c)) (Checker.to_nat (Checker.n_ctx c - 1))
            (zm (orders c));
  s_shifts : forall r, In r (shifts c) -> length r = Checker.to_nat (Checker.d_vocab c) }.

Lemma le_true : forall a b, (a <=? b)%bigZ = true -> toZ a <= toZ b.
Proof. intros a b. rewrite BigZ.spec_leb. apply Z.leb_le. Qed.

Lemma header_shapes_spec : forall c, header_shapes_ok c = true -> Shapes c.
Proof.
  intros c H. unfold header_shapes_ok, shifts_ok in H. cbv zeta in H.
  repeat match goal with Hc : (_ && _)%bool = true |- _ => apply andb_prop in Hc; destruct Hc end.
  repeat match goal with Hc : (_ <=? _)%bigZ = true |- _ => apply le_true in Hc end.
  rewrite ?toZ_1, ?toZ_2 in *.
  constructor; try assumption;
    first [ eapply tensor_shape_ok_spec; eassumption
          | apply is_shape_spec; assumption
          | eapply all_rows_len_spec; eassumption ].
Qed.

Lemma check_header_spec : forall c, check_header c = true ->
  Shapes c /\ 1 <= toZ (frac_bits c) /\ 1 <= toZ (taylor_terms c).
Proof.
  intros c H. unfold check_header in H.
  destruct (header_shapes_ok c) eqn:E; [|discriminate].
  repeat match goal with Hc : (_ && _)%bool = true |- _ => apply andb_prop in Hc; destruct Hc end.
  repeat match goal with Hc : (_ <=? _)%bigZ = true |- _ => apply le_true in Hc end.
  rewrite ?toZ_1 in *. auto using header_shapes_spec.
Qed.

Theorem header_facts : forall c, check_header c = true -> HeaderFacts c.
Proof.
  intros c H. destruct (check_header_spec c H) as [S [HF HNT]]. destruct S.
  unfold Checker.to_nat in *. rewrite BigZ.spec_sub, toZ_1, Z2Nat.inj_sub in s_ord0 by lia.
  constructor; cbn [model_of Spec.d_vocab Spec.n_ctx Spec.d_model Spec.d_head];
    unfold Checker.to_nat; first [assumption | lia].
Qed.

(** ** The common exponent e0 = min(0, min e) *)

Lemma min_exponent_link : forall w, toZ (min_exponent w)
  = Align.min_exponentZ (map (fun t => toZ (t_exponent t)) (tensors w)).
Proof.
  intros w. unfold min_exponent, Align.min_exponentZ. rewrite <- toZ_0.
  generalize 0%bigZ. induction (tensors w) as [|t l IH]; intros acc; [reflexivity|].
  cbn [fold_left map]. rewrite IH, BigZ.spec_min. reflexivity.
Qed.

Lemma min_exponent_le : forall w, toZ (min_exponent w) <= 0 /\
  forall t, In t (tensors w) -> toZ (min_exponent w) <= toZ (t_exponent t).
Proof.
  intros w. rewrite min_exponent_link.
  destruct (Align.min_exponentZ_le (map (fun t => toZ (t_exponent t)) (tensors w))) as [H0 H].
  split; [exact H0|]. intros t Ht. apply H, (in_map (fun t => toZ (t_exponent t))), Ht.
Qed.

(** ** Aligned tensors (align_tensor / align_vector = Align's align_rowsZ) *)

Lemma align_tensor_link : forall e0 t, toZ e0 <= toZ (t_exponent t) ->
  zm (align_tensor e0 t) = align_rowsZ (toZ e0) (toZ (t_exponent t)) (zm (t_rows t)).
Proof.
  intros e0 t H. unfold align_tensor, align_rowsZ.
  rewrite map_vshl_link, BigZ.spec_sub; [reflexivity|]. rewrite BigZ.spec_sub. lia.
Qed.

Lemma align_vector_link : forall e0 t, toZ e0 <= toZ (t_exponent t) ->
  zl (align_vector e0 t) = hd [] (align_rowsZ (toZ e0) (toZ (t_exponent t)) (zm (t_rows t))).
Proof.
  intros e0 t H. unfold align_vector. rewrite <- align_tensor_link by exact H.
  destruct (align_tensor e0 t); reflexivity.
Qed.

Lemma align_shaped : forall e0 e rows R C, shaped R C rows -> shaped R C (align_rowsZ e0 e rows).
Proof.
  intros e0 e rows R C [HR HC]. unfold align_rowsZ, vshlZ. split; [now rewrite map_length|].
  intros r Hr. apply in_map_iff in Hr. destruct Hr as [r' [<- Hr']].
  rewrite map_length. exact (HC r' Hr').
Qed.

Lemma align_entry : forall e0 e rows R C, e0 <= e -> shaped R C rows ->
  forall i j, (i < R)%nat -> (j < C)%nat ->
  nth j (nth i (align_rowsZ e0 e rows) []) 0 = amat e0 (tensor_of e rows) C i j.
Proof.
  intros e0 e rows R C He [HR HC] i j Hi Hj.
  apply align_rows_entry; [exact He| exact HC| lia| exact Hj].
Qed.

(** a bias: shaped 1 C is one row of C *)
Lemma one_row : forall (rows : list (list Z)) C, shaped 1 C rows ->
  exists r, rows = [r] /\ length r = C.
Proof.
  intros [|r [|r' rows]] C [HR HC]; try discriminate.
  exists r. split; [reflexivity| apply HC; left; reflexivity].
Qed.

Lemma vec_length : forall e0 e rows C, shaped 1 C rows -> length (hd [] (align_rowsZ e0 e rows)) = C.
Proof.
  intros e0 e rows C H. destruct (one_row rows C H) as [r [-> Hr]].
  unfold align_rowsZ, vshlZ. cbn [map hd]. rewrite map_length. exact Hr.
Qed.

Lemma vec_entry : forall e0 e rows C, e0 <= e -> shaped 1 C rows ->
  forall j, (j < C)%nat -> nth j (hd [] (align_rowsZ e0 e rows)) 0 = aent e0 (tensor_of e rows) j.
Proof.
  intros e0 e rows C He H j Hj. destruct (one_row rows C H) as [r [-> Hr]].
  apply align_vector_entry; [exact He| lia].
Qed.

(** ** Check 1 => CellList's hypotheses *)

Theorem header_good : forall c, check_header c = true ->
  Good (model_of c) (toZ (min_exponent (weights c))) (aligned_link (align_weights (weights c))).
Proof.
  intros c H. destruct (check_header_spec c H) as [S _]. destruct S.
  destruct (min_exponent_le (weights c)) as [He0 Hle].
  replace (Checker.to_nat 1) with 1%nat in * by reflexivity.
  constructor;
    cbn [model_of Spec.d_vocab Spec.n_ctx Spec.d_model Spec.d_head Spec.W_E Spec.W_pos Spec.W_Q
         Spec.W_K Spec.W_V Spec.W_O Spec.W_U Spec.b_Q Spec.b_K Spec.b_V Spec.b_O Spec.b_U
         tensor_link Align.tensor_of Spec.exponent aligned_link align_weights
         PathList.az PathList.aE PathList.aPos PathList.aQ PathList.aK PathList.aV PathList.aO
         PathList.aU PathList.abQ PathList.abK PathList.abV PathList.abO PathList.abU
         Checker.a_z Checker.aE Checker.aPos Checker.aQ Checker.aK Checker.aV Checker.aO
         Checker.aU Checker.abQ Checker.abK Checker.abV Checker.abO Checker.abU];
    rewrite ?align_tensor_link, ?align_vector_link, ?BigZ.spec_opp
      by (apply Hle; cbn [In tensors]; tauto);
    unfold Checker.to_nat in *;
    first
      [ reflexivity | assumption | lia
      | apply Hle; cbn [In tensors]; tauto
      | eapply align_shaped; eassumption
      | eapply vec_length; eassumption
      | intros i j Hi Hj; eapply align_entry;
          [apply Hle; cbn [In tensors]; tauto | eassumption | exact Hi | exact Hj]
      | intros j Hj; eapply vec_entry;
          [apply Hle; cbn [In tensors]; tauto | eassumption | exact Hj] ].
Qed.

(** the scale of the aligned weights: z = -e0 >= 0 (compute_paths_link needs 0 <= z) *)
Lemma align_weights_z : forall w,
  toZ (a_z (align_weights w)) = - toZ (min_exponent w) /\ 0 <= toZ (a_z (align_weights w)).
Proof.
  intros w. cbn [align_weights a_z]. rewrite BigZ.spec_opp.
  destruct (min_exponent_le w) as [H _]. split; [reflexivity| lia].
Qed.
