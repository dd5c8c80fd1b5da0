(** * PathList.v — compute_paths in the list shape of coq/Checker.v, over Z: every entry of
    its five matrices is the PathInt.v integer (hence, times 2^(4 e0), the real path matrix). *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Spec Proof.ExpInt Proof.PathInt Proof.ListOps.
Import ListNotations.
Local Open Scope Z_scope.

Record AlignedZ := mkAlignedZ {
  az : Z; aE : list (list Z); aPos : list (list Z); aQ : list (list Z); aK : list (list Z);
  aV : list (list Z); aO : list (list Z); aU : list (list Z);
  abQ : list Z; abK : list Z; abV : list Z; abO : list Z; abU : list Z }.

Definition vshlZ (k : Z) (u : list Z) : list Z := map (fun x => x * 2 ^ k) u.

Record PathsZ := mkPathsZ {
  pEUPU : list (list Z); pEVOU : list (list Z); pPVOU : list (list Z);
  pEQKE : list (list Z); pEQKP : list (list Z) }.

Definition compute_pathsZ (T : AlignedZ) : PathsZ :=
  let z := az T in
  let WE := aE T in let Wpos := aPos T in let WU := aU T in
  let wq := last Wpos [] in
  let Eq := map (fun r => vaddZ r wq) WE in
  let EUPU0 := map (vshlZ (2 * z)) (matmulZ Eq WU) in
  let bU := vshlZ (3 * z) (abU T) in
  let bVO := vec_matZ (abV T) (aO T) in
  let bsum := vaddZ bVO (vshlZ z (abO T)) in
  let bOV := vshlZ z (vec_matZ bsum WU) in
  let VOU := matmulZ (aV T) (matmulZ (aO T) WU) in
  let EVOU0 := matmulZ WE VOU in
  let PVOU := matmulZ Wpos VOU in
  let bQz := vshlZ z (abQ T) in
  let bKz := vshlZ z (abK T) in
  let Qv := map (fun r => vaddZ r bQz) (matmulZ Eq (aQ T)) in
  let Kt := map (fun r => vaddZ r bKz) (matmulZ WE (aK T)) in
  let Kp := matmulZ Wpos (aK T) in
  mkPathsZ (map (vaddZ bU) EUPU0) (map (vaddZ bOV) EVOU0) PVOU
           (map (fun qv => map (dotZ qv) Kt) Qv) (map (fun qv => map (dotZ qv) Kp) Qv).

(** ** generic list facts *)
Lemma nth_map_lt : forall (A B : Type) (f : A -> B) l i (dA : A) (dB : B), (i < length l)%nat ->
  nth i (map f l) dB = f (nth i l dA).
Proof.
  intros A B f l i dA dB Hi. rewrite nth_indep with (d' := f dA) by (rewrite map_length; exact Hi).
  apply map_nth.
Qed.

Lemma zsum_ext : forall k f g, (forall i, (i < k)%nat -> f i = g i) -> zsum k f = zsum k g.
Proof.
  induction k as [|k IH]; intros f g H; simpl; [reflexivity|].
  rewrite (IH f g) by (intros; apply H; lia). rewrite (H k) by lia. reflexivity.
Qed.

Lemma zsum_mul_r : forall k f c, zsum k f * c = zsum k (fun i => f i * c).
Proof. induction k as [|k IH]; intros f c; simpl; [lia|]. rewrite <- IH. ring. Qed.

Lemma last_nth : forall (l : list (list Z)), last l [] = nth (length l - 1) l [].
Proof.
  induction l as [|a l IH]; [reflexivity|]. destruct l as [|b l]; [reflexivity|].
  change (last (a :: b :: l) []) with (last (b :: l) []). rewrite IH.
  replace (length (a :: b :: l) - 1)%nat with (S (length (b :: l) - 1)) by (simpl; lia).
  reflexivity.
Qed.

Definition shaped (rows cols : nat) (A : list (list Z)) : Prop :=
  length A = rows /\ forall r, In r A -> length r = cols.

Lemma matmulZ_shaped : forall A B r k c, shaped r k A -> shaped k c B -> (0 < k)%nat ->
  shaped r c (matmulZ A B).
Proof.
  intros A B r k c [HA1 HA2] [HB1 HB2] Hk. split; [unfold matmulZ; rewrite map_length; exact HA1|].
  intros x Hx. unfold matmulZ in Hx. apply in_map_iff in Hx. destruct Hx as [a [<- Ha]].
  assert (Hl : length a = length B) by (rewrite HA2, HB1 by exact Ha; reflexivity).
  destruct (vec_matZ_spec a B c HB2 Hl ltac:(lia)) as [H _]. exact H.
Qed.

Lemma matmulZ_entry : forall A B r k c i j, shaped r k A -> shaped k c B -> (0 < k)%nat ->
  (i < r)%nat -> (j < c)%nat ->
  nth j (nth i (matmulZ A B) []) 0 = zsum k (fun b => nth b (nth i A []) 0 * nth j (nth b B []) 0).
Proof.
  intros A B r k c i j [HA1 HA2] [HB1 HB2] Hk Hi Hj.
  rewrite (matmulZ_spec A B c i j HB2); [rewrite HB1; reflexivity| |lia|lia|exact Hj].
  intros a Ha. rewrite HA2, HB1 by exact Ha. reflexivity.
Qed.

Lemma shaped_map_vadd : forall A w r c, shaped r c A -> length w = c ->
  shaped r c (map (fun x => vaddZ x w) A).
Proof.
  intros A w r c [H1 H2] Hw. split; [rewrite map_length; exact H1|].
  intros x Hx. apply in_map_iff in Hx. destruct Hx as [a [<- Ha]].
  rewrite vaddZ_length, H2, Hw by exact Ha. lia.
Qed.

Lemma nth_map_vadd : forall A w r c i j, shaped r c A -> length w = c -> (i < r)%nat -> (j < c)%nat ->
  nth j (nth i (map (fun x => vaddZ x w) A) []) 0 = nth j (nth i A []) 0 + nth j w 0.
Proof.
  intros A w r c i j [H1 H2] Hw Hi Hj. rewrite (nth_map_lt _ _ _ A i [] []) by lia.
  apply vaddZ_nth; [rewrite H2; [lia| apply nth_In; lia]| lia].
Qed.

Lemma nth_vshlZ : forall k u j, (j < length u)%nat -> nth j (vshlZ k u) 0 = nth j u 0 * 2 ^ k.
Proof. intros k u j Hj. unfold vshlZ. rewrite (nth_map_lt _ _ _ u j 0 0) by exact Hj. reflexivity. Qed.

Lemma vshlZ_length : forall k u, length (vshlZ k u) = length u.
Proof. intros. apply map_length. Qed.

(** ** the correspondence with the weights *)
Section Link.
Variable M : model.
Variable e0 : Z.
Variable T : AlignedZ.
Notation V := (d_vocab M).
Notation n := (n_ctx M).
Notation d := (d_model M).
Notation h := (d_head M).
Hypothesis Hz : az T = - e0.
Hypothesis HV1 : (1 <= V)%nat.
Hypothesis Hn1 : (1 <= n)%nat.
Hypothesis Hd1 : (1 <= d)%nat.
Hypothesis Hh1 : (1 <= h)%nat.
Hypothesis SE : shaped V d (aE T).
Hypothesis SP : shaped n d (aPos T).
Hypothesis SQ : shaped d h (aQ T).
Hypothesis SK : shaped d h (aK T).
Hypothesis SV : shaped d h (aV T).
Hypothesis SO : shaped h d (aO T).
Hypothesis SU : shaped d V (aU T).
Hypothesis LbQ : length (abQ T) = h.
Hypothesis LbK : length (abK T) = h.
Hypothesis LbV : length (abV T) = h.
Hypothesis LbO : length (abO T) = d.
Hypothesis LbU : length (abU T) = V.
Hypothesis EE : forall i j, (i < V)%nat -> (j < d)%nat -> nth j (nth i (aE T) []) 0 = amat e0 (W_E M) d i j.
Hypothesis EP : forall i j, (i < n)%nat -> (j < d)%nat -> nth j (nth i (aPos T) []) 0 = amat e0 (W_pos M) d i j.
Hypothesis EQ : forall i j, (i < d)%nat -> (j < h)%nat -> nth j (nth i (aQ T) []) 0 = amat e0 (W_Q M) h i j.
Hypothesis EK : forall i j, (i < d)%nat -> (j < h)%nat -> nth j (nth i (aK T) []) 0 = amat e0 (W_K M) h i j.
Hypothesis EV : forall i j, (i < d)%nat -> (j < h)%nat -> nth j (nth i (aV T) []) 0 = amat e0 (W_V M) h i j.
Hypothesis EO : forall i j, (i < h)%nat -> (j < d)%nat -> nth j (nth i (aO T) []) 0 = amat e0 (W_O M) d i j.
Hypothesis EU : forall i j, (i < d)%nat -> (j < V)%nat -> nth j (nth i (aU T) []) 0 = amat e0 (W_U M) V i j.
Hypothesis EbQ : forall j, (j < h)%nat -> nth j (abQ T) 0 = aent e0 (b_Q M) j.
Hypothesis EbK : forall j, (j < h)%nat -> nth j (abK T) 0 = aent e0 (b_K M) j.
Hypothesis EbV : forall j, (j < h)%nat -> nth j (abV T) 0 = aent e0 (b_V M) j.
Hypothesis EbO : forall j, (j < d)%nat -> nth j (abO T) 0 = aent e0 (b_O M) j.
Hypothesis EbU : forall j, (j < V)%nat -> nth j (abU T) 0 = aent e0 (b_U M) j.

Let wq := last (aPos T) [].
Let Eql := map (fun r => vaddZ r wq) (aE T).

Lemma wq_length : length wq = d.
Proof.
  unfold wq. rewrite last_nth. destruct SP as [H1 H2]. apply H2, nth_In. lia.
Qed.

Lemma wq_nth : forall j, (j < d)%nat -> nth j wq 0 = amat e0 (W_pos M) d (n - 1) j.
Proof.
  intros j Hj. unfold wq. rewrite last_nth. destruct SP as [H1 H2]. rewrite H1. apply EP; lia.
Qed.

Lemma Eql_shaped : shaped V d Eql.
Proof. apply shaped_map_vadd; [exact SE| exact wq_length]. Qed.

Lemma Eql_nth : forall q a, (q < V)%nat -> (a < d)%nat -> nth a (nth q Eql []) 0 = EqZ M e0 q a.
Proof.
  intros q a Hq Ha. unfold Eql. rewrite (nth_map_vadd _ _ V d) by (exact SE || exact wq_length || lia).
  rewrite EE, wq_nth by lia. reflexivity.
Qed.

Lemma shaped_row : forall r c A i, shaped r c A -> (i < r)%nat -> length (nth i A []) = c.
Proof. intros r c A i [H1 H2] Hi. apply H2, nth_In. lia. Qed.

Theorem EUPU_list : forall q y, (q < V)%nat -> (y < V)%nat ->
  nth y (nth q (pEUPU (compute_pathsZ T)) []) 0 = EUPUZ M e0 q y.
Proof.
  intros q y Hq Hy. simpl pEUPU. fold wq. fold Eql.
  pose proof (matmulZ_shaped Eql (aU T) V d V Eql_shaped SU ltac:(lia)) as Sm.
  pose proof (shaped_row _ _ _ q Sm Hq) as Hrow.
  rewrite (nth_map_lt _ _ _ _ q [] []) by (rewrite map_length; destruct Sm; lia).
  rewrite (nth_map_lt _ _ _ _ q [] []) by (destruct Sm; lia).
  rewrite vaddZ_nth by (rewrite vshlZ_length; lia).
  rewrite !nth_vshlZ by lia.
  rewrite (matmulZ_entry Eql (aU T) V d V q y Eql_shaped SU) by lia.
  rewrite Hz, EbU by exact Hy.
  unfold EUPUZ, EUPU0Z, bUZ. cbv zeta. rewrite Z.add_comm. f_equal. f_equal.
  apply zsum_ext. intros b Hb. rewrite Eql_nth, EU by lia. reflexivity.
Qed.
End Link.
