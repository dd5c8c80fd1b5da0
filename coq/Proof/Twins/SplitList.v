(** * SplitList.v — split_maxima in the shape of coq/Checker.v, over Z lists: its U, E and
    P(m) bound the shifted, centred path entries exactly as CellInt.v's hypotheses HU, HE, HP
    require. *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Proof.Twins.ListOps Proof.Twins.PathList.
Import ListNotations.
Local Open Scope Z_scope.

Definition split_maximaZ (EUl EVl PVl : list (list Z)) (Zs : list Z) (m : nat)
    : list Z * list Z :=
  let Pm := p_maxZ PVl m in
  (map (fun r => max_exceptZ m (centreZ m (vaddZ r Zs))) EUl,
   map (fun r => max_exceptZ m (vaddZ (centreZ m (vsubZ r Zs)) Pm)) EVl).

Section Split.
Variables (V n : nat) (EUl EVl PVl : list (list Z)) (Zs : list Z) (m : nat).
Variables (fEU fEV fPV : nat -> nat -> Z).
Hypothesis Hm : (m < V)%nat.
Hypothesis Hn : (1 <= n)%nat.
Hypothesis SEU : shaped V V EUl.
Hypothesis SEV : shaped V V EVl.
Hypothesis SPV : shaped n V PVl.
Hypothesis LZ : length Zs = V.
Hypothesis NEU : forall q y, (q < V)%nat -> (y < V)%nat -> nth y (nth q EUl []) 0 = fEU q y.
Hypothesis NEV : forall t y, (t < V)%nat -> (y < V)%nat -> nth y (nth t EVl []) 0 = fEV t y.
Hypothesis NPV : forall i y, (i < n)%nat -> (y < V)%nat -> nth y (nth i PVl []) 0 = fPV i y.

Let Pm := p_maxZ PVl m.

Lemma Pm_length : length Pm = V.
Proof.
  unfold Pm, p_maxZ. destruct SPV as [H1 H2].
  destruct PVl as [|r rs] eqn:E; [simpl in H1; lia|]. simpl map.
  destruct (fold_vmaxZ_ge (map (centreZ m) rs) (centreZ m r) V) as [H _].
  - unfold centreZ. rewrite vsubcZ_length. apply H2. left. reflexivity.
  - intros x Hx. apply in_map_iff in Hx. destruct Hx as [r0 [<- Hr0]].
    unfold centreZ. rewrite vsubcZ_length. apply H2. right. exact Hr0.
  - exact H.
Qed.

Theorem split_P : forall i y, (i < n)%nat -> (y < V)%nat -> fPV i y - fPV i m <= nth y Pm 0.
Proof.
  intros i y Hi Hy. rewrite <- !NPV by lia. destruct SPV as [H1 H2].
  apply (p_maxZ_ge PVl m V i y H2); lia.
Qed.

Theorem split_U : forall q y, (q < V)%nat -> (y < V)%nat -> y <> m ->
  fEU q y + nth y Zs 0 - (fEU q m + nth m Zs 0)
  <= nth q (fst (split_maximaZ EUl EVl PVl Zs m)) 0.
Proof.
  intros q y Hq Hy Hym. simpl fst. destruct SEU as [H1 H2].
  assert (Hr : length (nth q EUl []) = V) by (apply H2, nth_In; lia).
  rewrite (nth_map_lt _ _ _ _ q [] 0) by lia.
  set (w := vaddZ (nth q EUl []) Zs).
  assert (Hw : length w = V) by (unfold w; rewrite vaddZ_length; lia).
  eapply Z.le_trans; [|apply (max_exceptZ_ge m (centreZ m w) y); [|exact Hym]].
  - unfold centreZ. rewrite vsubcZ_nth by lia. unfold w. rewrite !vaddZ_nth by lia.
    rewrite !NEU by lia. lia.
  - unfold centreZ. rewrite vsubcZ_length. lia.
Qed.

Theorem split_E : forall t y, (t < V)%nat -> (y < V)%nat -> y <> m ->
  fEV t y - nth y Zs 0 - (fEV t m - nth m Zs 0) + nth y Pm 0
  <= nth t (snd (split_maximaZ EUl EVl PVl Zs m)) 0.
Proof.
  intros t y Ht Hy Hym. simpl snd. fold Pm. destruct SEV as [H1 H2].
  assert (Hr : length (nth t EVl []) = V) by (apply H2, nth_In; lia).
  rewrite (nth_map_lt _ _ _ _ t [] 0) by lia.
  set (w := vsubZ (nth t EVl []) Zs).
  assert (Hw : length w = V) by (unfold w; rewrite vsubZ_length; lia).
  pose proof Pm_length as HP.
  set (u := vaddZ (centreZ m w) Pm).
  assert (Hu : length u = V) by (unfold u, centreZ; rewrite vaddZ_length, vsubcZ_length; lia).
  eapply Z.le_trans; [|apply (max_exceptZ_ge m u y); [lia|exact Hym]].
  unfold u. rewrite vaddZ_nth by (unfold centreZ; rewrite ?vsubcZ_length; lia).
  unfold centreZ. rewrite vsubcZ_nth by lia. unfold w. rewrite !vsubZ_nth by lia.
  rewrite !NEV by lia. lia.
Qed.
End Split.
