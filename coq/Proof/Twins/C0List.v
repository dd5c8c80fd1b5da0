(** * C0List.v — check 8 in the shape of coq/Checker.v (c0_sum accumulating one vector of
    ub-terms per position, the query position being the last row; all_neg_except), over Z:
    entry y of the accumulated vector is the zsum over positions of CellInt.v's c0 hypothesis. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Proof.Int.ExpInt Proof.Reals.Cubic Proof.Twins.ListOps Proof.Twins.PathList.
Import ListNotations.
Local Open Scope Z_scope.

Fixpoint c0_sumZ (du evm evq : list Z) (em eqq : Z * Z) (pv : list (list Z)) (plo phi : list Z)
    (acc : list Z) : list Z :=
  match pv, plo, phi with
  | p :: pv', pl :: plo', ph :: phi' =>
      let is_query := match pv' with [] => true | _ => false end in
      let ev := if is_query then evq else evm in
      let '(el, eh) := if is_query then eqq else em in
      c0_sumZ du evm evq em eqq pv' plo' phi'
        (vaddZ acc (map (ubZ (el * pl) (eh * ph)) (vaddZ du (vaddZ ev p))))
  | _, _, _ => acc
  end.

Fixpoint all_neg_exceptZ (m i : nat) (v : list Z) : bool :=
  match v with
  | [] => true
  | x :: v' => ((Nat.eqb i m || (x <? 0)) && all_neg_exceptZ m (S i) v')%bool
  end.

Theorem all_neg_exceptZ_spec : forall m v i y, all_neg_exceptZ m i v = true ->
  (y < length v)%nat -> (i + y)%nat <> m -> nth y v 0 < 0.
Proof.
  intros m v. induction v as [|x v IH]; intros i y H Hy Hm; [simpl in Hy; lia|].
  simpl in H. apply Bool.andb_true_iff in H. destruct H as [H1 H2].
  destruct y as [|y].
  - simpl. apply Bool.orb_true_iff in H1. destruct H1 as [H1|H1]; [apply Nat.eqb_eq in H1; lia|].
    apply Z.ltb_lt, H1.
  - simpl. apply (IH (S i)); [exact H2| simpl in Hy; lia| lia].
Qed.

(** the weights and the token row of position i: the last position is the query's *)
Definition c0_term (du evm evq : list Z) (em eqq : Z * Z) (pv : list (list Z)) (plo phi : list Z)
    (y i : nat) : Z :=
  let last := Nat.eqb (S i) (length pv) in
  let ev := if last then evq else evm in
  let el := fst (if last then eqq else em) in
  let eh := snd (if last then eqq else em) in
  ubZ (el * nth i plo 0) (eh * nth i phi 0) (nth y du 0 + (nth y ev 0 + nth y (nth i pv []) 0)).

Theorem c0_sumZ_spec : forall V du evm evq em eqq pv plo phi acc y,
  length du = V -> length evm = V -> length evq = V -> length acc = V ->
  (forall r, In r pv -> length r = V) -> (length pv <= length plo)%nat ->
  (length pv <= length phi)%nat -> (y < V)%nat ->
  length (c0_sumZ du evm evq em eqq pv plo phi acc) = V /\
  nth y (c0_sumZ du evm evq em eqq pv plo phi acc) 0
  = nth y acc 0 + zsum (length pv) (c0_term du evm evq em eqq pv plo phi y).
Proof.
  intros V du evm evq em eqq pv. induction pv as [|p pv IH];
    intros plo phi acc y Hdu Hem Heq Hacc Hpv Hplo Hphi Hy.
  - destruct plo; destruct phi; simpl; split; lia.
  - destruct plo as [|pl plo]; [simpl in Hplo; lia|]. destruct phi as [|ph phi]; [simpl in Hphi; lia|].
    assert (Hp : length p = V) by (apply Hpv; left; reflexivity).
    set (last := match pv with [] => true | _ => false end).
    assert (Hlast : last = Nat.eqb 1 (length (p :: pv))) by (unfold last; destruct pv; reflexivity).
    cbn [c0_sumZ]. fold last.
    set (ev := if last then evq else evm).
    assert (Hev : length ev = V) by (unfold ev; destruct last; assumption).
    destruct (if last then eqq else em) as [el eh] eqn:Eel.
    set (acc' := vaddZ acc (map (ubZ (el * pl) (eh * ph)) (vaddZ du (vaddZ ev p)))).
    assert (Hacc' : length acc' = V)
      by (unfold acc'; rewrite vaddZ_length, map_length, !vaddZ_length; lia).
    destruct (IH plo phi acc' y Hdu Hem Heq Hacc') as [IH1 IH2];
      [intros r Hr; apply Hpv; right; exact Hr| simpl in Hplo; lia| simpl in Hphi; lia| exact Hy|].
    split; [exact IH1|]. rewrite IH2.
    cbn [length]. rewrite zsum_shift.
    assert (Hhead : nth y acc' 0 = nth y acc 0
              + c0_term du evm evq em eqq (p :: pv) (pl :: plo) (ph :: phi) y 0).
    { unfold acc'. rewrite vaddZ_nth by (rewrite ?map_length, ?vaddZ_length; lia).
      rewrite (nth_map_lt _ _ _ _ y 0 0) by (rewrite !vaddZ_length; lia).
      rewrite !vaddZ_nth by (rewrite ?vaddZ_length; lia).
      unfold c0_term. cbn [nth]. rewrite <- Hlast. fold ev. rewrite Eel. reflexivity. }
    rewrite Hhead.
    assert (Htail : zsum (length pv) (c0_term du evm evq em eqq pv plo phi y)
              = zsum (length pv) (fun i => c0_term du evm evq em eqq (p :: pv) (pl :: plo) (ph :: phi) y (S i))).
    { apply zsum_ext. intros i _. reflexivity. }
    rewrite Htail. ring.
Qed.
