(** * PathList.v — compute_paths in the list shape of coq/Checker.v, over Z: every entry of
    its five matrices is the PathInt.v integer (hence, times 2^(4 e0), the real path matrix). *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Spec Proof.Int.ExpInt Proof.Int.PathInt Proof.Twins.ListOps.
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
Let bQz := vshlZ (az T) (abQ T).
Let bKz := vshlZ (az T) (abK T).
Let Qvl := map (fun r => vaddZ r bQz) (matmulZ Eql (aQ T)).
Let Ktl := map (fun r => vaddZ r bKz) (matmulZ (aE T) (aK T)).
Let Kpl := matmulZ (aPos T) (aK T).

Lemma Qvl_shaped : shaped V h Qvl.
Proof.
  apply shaped_map_vadd; [apply (matmulZ_shaped _ _ V d h Eql_shaped SQ); lia|].
  unfold bQz. rewrite vshlZ_length. exact LbQ.
Qed.

Lemma Ktl_shaped : shaped V h Ktl.
Proof.
  apply shaped_map_vadd; [apply (matmulZ_shaped _ _ V d h SE SK); lia|].
  unfold bKz. rewrite vshlZ_length. exact LbK.
Qed.

Lemma Kpl_shaped : shaped n h Kpl.
Proof. apply (matmulZ_shaped _ _ n d h SP SK); lia. Qed.

Lemma Qvl_nth : forall q c, (q < V)%nat -> (c < h)%nat -> nth c (nth q Qvl []) 0 = QvZ M e0 q c.
Proof.
  intros q c Hq Hc. unfold Qvl.
  rewrite (nth_map_vadd _ _ V h); [| apply (matmulZ_shaped _ _ V d h Eql_shaped SQ); lia
                                   | unfold bQz; rewrite vshlZ_length; exact LbQ | exact Hq | exact Hc].
  rewrite (matmulZ_entry Eql (aQ T) V d h q c Eql_shaped SQ) by lia.
  unfold bQz. rewrite nth_vshlZ by lia. rewrite Hz, EbQ by exact Hc.
  unfold QvZ. cbv zeta. f_equal. apply zsum_ext. intros a Ha. rewrite Eql_nth, EQ by lia. reflexivity.
Qed.

Lemma Ktl_nth : forall t c, (t < V)%nat -> (c < h)%nat -> nth c (nth t Ktl []) 0 = KtZ M e0 t c.
Proof.
  intros t c Ht Hc. unfold Ktl.
  rewrite (nth_map_vadd _ _ V h); [| apply (matmulZ_shaped _ _ V d h SE SK); lia
                                   | unfold bKz; rewrite vshlZ_length; exact LbK | exact Ht | exact Hc].
  rewrite (matmulZ_entry (aE T) (aK T) V d h t c SE SK) by lia.
  unfold bKz. rewrite nth_vshlZ by lia. rewrite Hz, EbK by exact Hc.
  unfold KtZ. cbv zeta. f_equal. apply zsum_ext. intros a Ha. rewrite EE, EK by lia. reflexivity.
Qed.

Lemma Kpl_nth : forall p c, (p < n)%nat -> (c < h)%nat -> nth c (nth p Kpl []) 0 = KpZ M e0 p c.
Proof.
  intros p c Hp Hc. unfold Kpl.
  rewrite (matmulZ_entry (aPos T) (aK T) n d h p c SP SK) by lia.
  unfold KpZ. cbv zeta. apply zsum_ext. intros a Ha. rewrite EP, EK by lia. reflexivity.
Qed.

Theorem EQKE_list : forall q t, (q < V)%nat -> (t < V)%nat ->
  nth t (nth q (pEQKE (compute_pathsZ T)) []) 0 = EQKEZ M e0 q t.
Proof.
  intros q t Hq Ht. simpl pEQKE. fold wq. fold Eql. fold bQz bKz. fold Qvl Ktl.
  destruct Qvl_shaped as [HQ1 HQ2]. destruct Ktl_shaped as [HK1 HK2].
  rewrite (nth_map_lt _ _ _ _ q [] []) by lia.
  rewrite (nth_map_lt _ _ _ _ t [] 0) by lia.
  rewrite dotZ_spec by (rewrite HQ2, HK2; [reflexivity| apply nth_In; lia| apply nth_In; lia]).
  rewrite HQ2 by (apply nth_In; lia).
  unfold EQKEZ. apply zsum_ext. intros c Hc. rewrite Qvl_nth, Ktl_nth by lia. reflexivity.
Qed.

Theorem EQKP_list : forall q p, (q < V)%nat -> (p < n)%nat ->
  nth p (nth q (pEQKP (compute_pathsZ T)) []) 0 = EQKPZ M e0 q p.
Proof.
  intros q p Hq Hp. simpl pEQKP. fold wq. fold Eql. fold bQz. fold Qvl Kpl.
  destruct Qvl_shaped as [HQ1 HQ2]. destruct Kpl_shaped as [HK1 HK2].
  rewrite (nth_map_lt _ _ _ _ q [] []) by lia.
  rewrite (nth_map_lt _ _ _ _ p [] 0) by lia.
  rewrite dotZ_spec by (rewrite HQ2, HK2; [reflexivity| apply nth_In; lia| apply nth_In; lia]).
  rewrite HQ2 by (apply nth_In; lia).
  unfold EQKPZ. apply zsum_ext. intros c Hc. rewrite Qvl_nth, Kpl_nth by lia. reflexivity.
Qed.
Let OUl := matmulZ (aO T) (aU T).
Let VOUl := matmulZ (aV T) OUl.

Lemma OUl_shaped : shaped h V OUl.
Proof. apply (matmulZ_shaped _ _ h d V SO SU); lia. Qed.

Lemma VOUl_shaped : shaped d V VOUl.
Proof. apply (matmulZ_shaped _ _ d h V SV OUl_shaped); lia. Qed.

Lemma OUl_nth : forall c y, (c < h)%nat -> (y < V)%nat -> nth y (nth c OUl []) 0 = OUZ M e0 c y.
Proof.
  intros c y Hc Hy. unfold OUl. rewrite (matmulZ_entry (aO T) (aU T) h d V c y SO SU) by lia.
  unfold OUZ. cbv zeta. apply zsum_ext. intros a Ha. rewrite EO, EU by lia. reflexivity.
Qed.

Lemma VOUl_nth : forall b y, (b < d)%nat -> (y < V)%nat -> nth y (nth b VOUl []) 0 = VOUZ M e0 b y.
Proof.
  intros b y Hb Hy. unfold VOUl. rewrite (matmulZ_entry (aV T) OUl d h V b y SV OUl_shaped) by lia.
  unfold VOUZ. cbv zeta. apply zsum_ext. intros c Hc. rewrite EV, OUl_nth by lia. reflexivity.
Qed.

Theorem PVOU_list : forall p y, (p < n)%nat -> (y < V)%nat ->
  nth y (nth p (pPVOU (compute_pathsZ T)) []) 0 = PVOUZ M e0 p y.
Proof.
  intros p y Hp Hy. simpl pPVOU. fold OUl VOUl.
  rewrite (matmulZ_entry (aPos T) VOUl n d V p y SP VOUl_shaped) by lia.
  unfold PVOUZ. cbv zeta. apply zsum_ext. intros b Hb. rewrite EP, VOUl_nth by lia. reflexivity.
Qed.

Theorem EVOU_list : forall t y, (t < V)%nat -> (y < V)%nat ->
  nth y (nth t (pEVOU (compute_pathsZ T)) []) 0 = EVOUZ M e0 t y.
Proof.
  intros t y Ht Hy. simpl pEVOU. fold OUl VOUl.
  set (bsum := vaddZ (vec_matZ (abV T) (aO T)) (vshlZ (az T) (abO T))).
  destruct SO as [SO1 SO2]. destruct SU as [SU1 SU2].
  destruct (vec_matZ_spec (abV T) (aO T) d SO2 ltac:(lia) ltac:(lia)) as [Hb1 Hb2].
  assert (Hbs : length bsum = d) by (unfold bsum; rewrite vaddZ_length, vshlZ_length; lia).
  destruct (vec_matZ_spec bsum (aU T) V SU2 ltac:(lia) ltac:(lia)) as [Ho1 Ho2].
  pose proof (matmulZ_shaped (aE T) VOUl V d V SE VOUl_shaped ltac:(lia)) as Sev.
  pose proof (shaped_row _ _ _ t Sev Ht) as Hrow.
  rewrite (nth_map_lt _ _ _ _ t [] []) by (destruct Sev; lia).
  rewrite vaddZ_nth by (rewrite ?vshlZ_length; lia).
  rewrite nth_vshlZ by lia. rewrite Ho2 by exact Hy.
  rewrite (matmulZ_entry (aE T) VOUl V d V t y SE VOUl_shaped) by lia.
  unfold EVOUZ, EVOU0Z, bOVZ. cbv zeta. rewrite Z.add_comm, Hz. f_equal.
  - apply zsum_ext. intros b Hb. rewrite EE, VOUl_nth by lia. reflexivity.
  - f_equal. rewrite Hbs. apply zsum_ext. intros a Ha. unfold bsum.
    rewrite vaddZ_nth by (rewrite ?vshlZ_length; lia). rewrite Hb2, nth_vshlZ, EbO, EU by lia.
    f_equal. f_equal; [|rewrite Hz; reflexivity].
    rewrite LbV. apply zsum_ext. intros c Hc. rewrite EbV, EO by lia. reflexivity.
Qed.
(** ** shapes of the five matrices *)
Theorem paths_shaped :
  shaped V V (pEUPU (compute_pathsZ T)) /\ shaped V V (pEVOU (compute_pathsZ T))
  /\ shaped n V (pPVOU (compute_pathsZ T)) /\ shaped V V (pEQKE (compute_pathsZ T))
  /\ shaped V n (pEQKP (compute_pathsZ T)).
Proof.
  pose proof (matmulZ_shaped Eql (aU T) V d V Eql_shaped SU ltac:(lia)) as S1.
  pose proof (matmulZ_shaped (aE T) VOUl V d V SE VOUl_shaped ltac:(lia)) as S2.
  pose proof (matmulZ_shaped (aPos T) VOUl n d V SP VOUl_shaped ltac:(lia)) as S3.
  destruct Qvl_shaped as [HQ1 HQ2]. destruct Ktl_shaped as [HK1 HK2]. destruct Kpl_shaped as [HP1 HP2].
  assert (LbUs : length (vshlZ (3 * az T) (abU T)) = V) by (rewrite vshlZ_length; exact LbU).
  destruct SO as [SO1 SO2]. destruct SU as [SU1 SU2].
  destruct (vec_matZ_spec (abV T) (aO T) d SO2 ltac:(lia) ltac:(lia)) as [Hb1 _].
  assert (Hbs : length (vaddZ (vec_matZ (abV T) (aO T)) (vshlZ (az T) (abO T))) = d)
    by (rewrite vaddZ_length, vshlZ_length; lia).
  destruct (vec_matZ_spec (vaddZ (vec_matZ (abV T) (aO T)) (vshlZ (az T) (abO T))) (aU T) V SU2
              ltac:(lia) ltac:(lia)) as [Ho1 _].
  simpl. fold wq. fold Eql. fold bQz bKz. fold Qvl Ktl Kpl. fold OUl VOUl.
  split; [|split; [|split; [|split]]].
  - destruct S1 as [S11 S12]. split; [rewrite !map_length; exact S11|].
    intros r Hr. apply in_map_iff in Hr. destruct Hr as [r0 [<- Hr0]].
    apply in_map_iff in Hr0. destruct Hr0 as [r1 [<- Hr1]].
    rewrite vaddZ_length, !vshlZ_length, LbU, S12 by exact Hr1. lia.
  - destruct S2 as [S21 S22]. split; [rewrite map_length; exact S21|].
    intros r Hr. apply in_map_iff in Hr. destruct Hr as [r0 [<- Hr0]].
    rewrite vaddZ_length, !vshlZ_length, Ho1, S22 by exact Hr0. lia.
  - exact S3.
  - split; [rewrite map_length; exact HQ1|]. intros r Hr. apply in_map_iff in Hr.
    destruct Hr as [qv [<- _]]. rewrite map_length. exact HK1.
  - split; [rewrite map_length; exact HQ1|]. intros r Hr. apply in_map_iff in Hr.
    destruct Hr as [qv [<- _]]. rewrite map_length. exact HP1.
Qed.
End Link.
