(** * ListOps.v — the vector / matrix / maximum helpers of coq/Checker.v, over Z lists, with
    their entrywise specifications (index j of the result in terms of the inputs).  The
    BigZ <-> Z layer maps each Checker helper to its twin here ([map BigZ.to_Z] commutes);
    these lemmas then give the path matrices as Z sums (PathInt.v) and the split maxima as
    upper bounds (CellInt.v). *)
From Coq Require Import ZArith Lia List.
From MaxK Require Import Proof.Int.ExpInt.
Import ListNotations.
Local Open Scope Z_scope.

Fixpoint zerosZ (k : nat) : list Z := match k with O => [] | S k' => 0 :: zerosZ k' end.
Fixpoint vaddZ (u v : list Z) : list Z :=
  match u, v with x :: u', y :: v' => (x + y) :: vaddZ u' v' | _, _ => [] end.
Fixpoint vsubZ (u v : list Z) : list Z :=
  match u, v with x :: u', y :: v' => (x - y) :: vsubZ u' v' | _, _ => [] end.
Fixpoint vsubcZ (c : Z) (u : list Z) : list Z :=
  match u with [] => [] | x :: u' => (x - c) :: vsubcZ c u' end.
Fixpoint vmaxZ (u v : list Z) : list Z :=
  match u, v with x :: u', y :: v' => Z.max x y :: vmaxZ u' v' | _, _ => [] end.
Fixpoint vaxpyZ (a : Z) (u acc : list Z) : list Z :=
  match u, acc with x :: u', y :: acc' => (y + a * x) :: vaxpyZ a u' acc' | _, _ => [] end.
Fixpoint vec_mat_accZ (v : list Z) (M : list (list Z)) (acc : list Z) : list Z :=
  match v, M with a :: v', r :: M' => vec_mat_accZ v' M' (vaxpyZ a r acc) | _, _ => acc end.
Definition vec_matZ (v : list Z) (M : list (list Z)) : list Z :=
  vec_mat_accZ v M (zerosZ (length (hd [] M))).
Definition matmulZ (A B : list (list Z)) : list (list Z) := map (fun r => vec_matZ r B) A.
Fixpoint dotZ (u v : list Z) : Z :=
  match u, v with x :: u', y :: v' => x * y + dotZ u' v' | _, _ => 0 end.
Fixpoint max_fromZ (acc : Z) (u : list Z) : Z :=
  match u with [] => acc | x :: u' => max_fromZ (Z.max acc x) u' end.
Definition row_maxZ (u : list Z) : Z := match u with [] => 0 | x :: u' => max_fromZ x u' end.
Fixpoint max_skipZ (m i : nat) (best : option Z) (r : list Z) : option Z :=
  match r with
  | [] => best
  | x :: r' =>
      if Nat.eqb i m then max_skipZ m (S i) best r'
      else max_skipZ m (S i) (match best with None => Some x | Some b => Some (Z.max b x) end) r'
  end.
Definition max_exceptZ (m : nat) (r : list Z) : Z :=
  match max_skipZ m O None r with None => 0 | Some x => x end.
Definition centreZ (m : nat) (r : list Z) : list Z := vsubcZ (nth m r 0) r.
Definition p_maxZ (PV : list (list Z)) (m : nat) : list Z :=
  match map (centreZ m) PV with [] => [] | r :: rs => fold_left vmaxZ rs r end.

(** ** entrywise specifications *)
Lemma zsum_shift : forall k f, zsum (S k) f = f O + zsum k (fun j => f (S j)).
Proof. induction k as [|k IH]; intros f; simpl in *; [lia|]. rewrite IH. lia. Qed.

Lemma zerosZ_length : forall k, length (zerosZ k) = k.
Proof. induction k; simpl; auto. Qed.

Lemma zerosZ_nth : forall k j, nth j (zerosZ k) 0 = 0.
Proof. induction k as [|k IH]; intros [|j]; simpl; auto. Qed.

Lemma vaddZ_length : forall u v, length (vaddZ u v) = Nat.min (length u) (length v).
Proof. induction u as [|x u IH]; intros [|y v]; simpl; auto. Qed.

Lemma vaddZ_nth : forall u v j, (j < length u)%nat -> (j < length v)%nat ->
  nth j (vaddZ u v) 0 = nth j u 0 + nth j v 0.
Proof.
  induction u as [|x u IH]; intros [|y v] j Hu Hv; simpl in *; try lia.
  destruct j; [reflexivity|]. apply IH; lia.
Qed.

Lemma vsubZ_nth : forall u v j, (j < length u)%nat -> (j < length v)%nat ->
  nth j (vsubZ u v) 0 = nth j u 0 - nth j v 0.
Proof.
  induction u as [|x u IH]; intros [|y v] j Hu Hv; simpl in *; try lia.
  destruct j; [reflexivity|]. apply IH; lia.
Qed.

Lemma vsubZ_length : forall u v, length (vsubZ u v) = Nat.min (length u) (length v).
Proof. induction u as [|x u IH]; intros [|y v]; simpl; auto. Qed.

Lemma vsubcZ_nth : forall c u j, (j < length u)%nat -> nth j (vsubcZ c u) 0 = nth j u 0 - c.
Proof.
  induction u as [|x u IH]; intros j Hu; simpl in *; [lia|]. destruct j; [reflexivity|].
  apply IH; lia.
Qed.

Lemma vsubcZ_length : forall c u, length (vsubcZ c u) = length u.
Proof. induction u; simpl; auto. Qed.

Lemma vmaxZ_nth : forall u v j, (j < length u)%nat -> (j < length v)%nat ->
  nth j (vmaxZ u v) 0 = Z.max (nth j u 0) (nth j v 0).
Proof.
  induction u as [|x u IH]; intros [|y v] j Hu Hv; simpl in *; try lia.
  destruct j; [reflexivity|]. apply IH; lia.
Qed.

Lemma vmaxZ_length : forall u v, length (vmaxZ u v) = Nat.min (length u) (length v).
Proof. induction u as [|x u IH]; intros [|y v]; simpl; auto. Qed.

Lemma vaxpyZ_length : forall a u acc, length (vaxpyZ a u acc) = Nat.min (length u) (length acc).
Proof. induction u as [|x u IH]; intros [|y acc]; simpl; auto. Qed.

Lemma vaxpyZ_nth : forall a u acc j, (j < length u)%nat -> (j < length acc)%nat ->
  nth j (vaxpyZ a u acc) 0 = nth j acc 0 + a * nth j u 0.
Proof.
  induction u as [|x u IH]; intros [|y acc] j Hu Hv; simpl in *; try lia.
  destruct j; [reflexivity|]. apply IH; lia.
Qed.

(** the product of a row vector and a matrix whose rows all have [c] entries *)
Lemma vec_mat_accZ_spec : forall v M acc c,
  (forall r, In r M -> length r = c) -> length acc = c -> (length v <= length M)%nat ->
  length (vec_mat_accZ v M acc) = c /\
  forall j, (j < c)%nat -> nth j (vec_mat_accZ v M acc) 0
    = nth j acc 0 + zsum (length v) (fun b => nth b v 0 * nth j (nth b M []) 0).
Proof.
  induction v as [|a v IH]; intros M acc c HM Hacc Hl.
  - split; [exact Hacc|]. intros j Hj. simpl. lia.
  - destruct M as [|r M]; [simpl in Hl; lia|]. simpl vec_mat_accZ.
    assert (Hr : length r = c) by (apply HM; left; reflexivity).
    assert (Hax : length (vaxpyZ a r acc) = c) by (rewrite vaxpyZ_length; lia).
    destruct (IH M (vaxpyZ a r acc) c) as [H1 H2];
      [intros r' Hr'; apply HM; right; exact Hr'| exact Hax| simpl in Hl; lia|].
    split; [exact H1|]. intros j Hj. rewrite H2 by exact Hj.
    rewrite vaxpyZ_nth by lia. simpl length. rewrite zsum_shift. simpl nth. lia.
Qed.

Theorem vec_matZ_spec : forall v M c,
  (forall r, In r M -> length r = c) -> length v = length M -> (0 < length M)%nat ->
  length (vec_matZ v M) = c /\
  forall j, (j < c)%nat ->
    nth j (vec_matZ v M) 0 = zsum (length v) (fun b => nth b v 0 * nth j (nth b M []) 0).
Proof.
  intros v M c HM Hl HM0. unfold vec_matZ.
  assert (Hh : length (hd [] M) = c) by (destruct M; [simpl in HM0; lia| apply HM; left; reflexivity]).
  rewrite Hh. destruct (vec_mat_accZ_spec v M (zerosZ c) c HM) as [H1 H2];
    [apply zerosZ_length| lia|].
  split; [exact H1|]. intros j Hj. rewrite H2 by exact Hj.
  rewrite zerosZ_nth. lia.
Qed.

Theorem matmulZ_spec : forall A B c i j,
  (forall r, In r B -> length r = c) -> (forall r, In r A -> length r = length B) ->
  (0 < length B)%nat -> (i < length A)%nat -> (j < c)%nat ->
  nth j (nth i (matmulZ A B) []) 0
  = zsum (length B) (fun b => nth b (nth i A []) 0 * nth j (nth b B []) 0).
Proof.
  intros A B c i j HB HA HB0 Hi Hj. unfold matmulZ.
  replace (nth i (map (fun r => vec_matZ r B) A) [])
    with (nth i (map (fun r => vec_matZ r B) A) ((fun r => vec_matZ r B) []))
    by (apply nth_indep; rewrite map_length; exact Hi).
  pose proof (map_nth (fun r => vec_matZ r B) A [] i) as Hm. cbv beta in Hm. rewrite Hm.
  assert (Hl : length (nth i A []) = length B) by (apply HA, nth_In, Hi).
  destruct (vec_matZ_spec (nth i A []) B c HB Hl HB0) as [_ H]. rewrite H by exact Hj.
  rewrite Hl. reflexivity.
Qed.

Theorem dotZ_spec : forall u v, length u = length v ->
  dotZ u v = zsum (length u) (fun i => nth i u 0 * nth i v 0).
Proof.
  induction u as [|x u IH]; intros [|y v] Hl; try (simpl in Hl; lia); [reflexivity|].
  cbn [dotZ length]. rewrite zsum_shift. cbn [nth]. rewrite IH by (simpl in Hl; lia). reflexivity.
Qed.

(** ** maxima are upper bounds *)
Lemma max_fromZ_ge : forall u acc, acc <= max_fromZ acc u /\ forall x, In x u -> x <= max_fromZ acc u.
Proof.
  induction u as [|y u IH]; intros acc; simpl; [split; [lia| tauto]|].
  destruct (IH (Z.max acc y)) as [H1 H2]. split; [lia|].
  intros x [<-|Hx]; [lia| apply H2, Hx].
Qed.

Theorem row_maxZ_ge : forall u x, In x u -> x <= row_maxZ u.
Proof.
  intros [|y u] x Hx; [destruct Hx|]. simpl. destruct (max_fromZ_ge u y) as [H1 H2].
  destruct Hx as [<-|Hx]; [exact H1| apply H2, Hx].
Qed.

Lemma max_skipZ_ge : forall r m i best,
  (forall b, best = Some b -> exists x, max_skipZ m i best r = Some x /\ b <= x) /\
  (forall y, (y < length r)%nat -> (i + y)%nat <> m ->
     exists x, max_skipZ m i best r = Some x /\ nth y r 0 <= x).
Proof.
  induction r as [|a r IH]; intros m i best.
  - split; [intros b ->; exists b; split; [reflexivity| lia]|]. intros y Hy. simpl in Hy. lia.
  - simpl max_skipZ. destruct (Nat.eqb i m) eqn:E.
    + apply Nat.eqb_eq in E. destruct (IH m (S i) best) as [H1 H2]. split; [exact H1|].
      intros [|y] Hy Hym; [lia|]. apply H2; simpl in Hy; lia.
    + apply Nat.eqb_neq in E.
      set (best' := match best with None => Some a | Some b => Some (Z.max b a) end).
      destruct (IH m (S i) best') as [H1 H2].
      assert (Ha : exists x, max_skipZ m (S i) best' r = Some x /\ a <= x).
      { destruct best as [b|].
        - destruct (H1 (Z.max b a)) as [x [Hx Hle]]; [reflexivity|]. exists x. split; [exact Hx| lia].
        - destruct (H1 a) as [x [Hx Hle]]; [reflexivity|]. exists x. split; [exact Hx| lia]. }
      split.
      * intros b Hb. subst best. destruct (H1 (Z.max b a) eq_refl) as [x [Hx Hle]].
        exists x. split; [exact Hx| lia].
      * intros [|y] Hy Hym; [exact Ha|]. apply H2; simpl in Hy; lia.
Qed.

Theorem max_exceptZ_ge : forall m r y, (y < length r)%nat -> y <> m -> nth y r 0 <= max_exceptZ m r.
Proof.
  intros m r y Hy Hym. destruct (max_skipZ_ge r m O None) as [_ H].
  destruct (H y Hy ltac:(lia)) as [x [Hx Hle]]. unfold max_exceptZ. rewrite Hx. exact Hle.
Qed.


Lemma fold_vmaxZ_ge : forall rs acc c, length acc = c -> (forall r, In r rs -> length r = c) ->
  length (fold_left vmaxZ rs acc) = c /\
  forall y, (y < c)%nat -> nth y acc 0 <= nth y (fold_left vmaxZ rs acc) 0
    /\ forall r, In r rs -> nth y r 0 <= nth y (fold_left vmaxZ rs acc) 0.
Proof.
  induction rs as [|r rs IH]; intros acc c Hacc Hrs; simpl.
  - split; [exact Hacc|]. intros y _. split; [lia| tauto].
  - assert (Hr : length r = c) by (apply Hrs; left; reflexivity).
    assert (Hm : length (vmaxZ acc r) = c) by (rewrite vmaxZ_length; lia).
    destruct (IH (vmaxZ acc r) c Hm) as [H1 H2]; [intros r' Hr'; apply Hrs; right; exact Hr'|].
    split; [exact H1|]. intros y Hy. destruct (H2 y Hy) as [H3 H4].
    rewrite vmaxZ_nth in H3 by lia. split; [lia|].
    intros r' [<-|Hr']; [lia| apply H4, Hr'].
Qed.

(** P[y] = max_p (PVOU[p,y] - PVOU[p,m]) bounds every centred entry *)
Theorem p_maxZ_ge : forall PV m c p y, (forall r, In r PV -> length r = c) ->
  (p < length PV)%nat -> (y < c)%nat ->
  nth y (nth p PV []) 0 - nth m (nth p PV []) 0 <= nth y (p_maxZ PV m) 0.
Proof.
  intros PV m c p y HPV Hp Hy. unfold p_maxZ.
  assert (Hc : forall r, In r (map (centreZ m) PV) -> length r = c).
  { intros r Hr. apply in_map_iff in Hr. destruct Hr as [r0 [<- Hr0]].
    unfold centreZ. rewrite vsubcZ_length. apply HPV, Hr0. }
  assert (Hin : In (centreZ m (nth p PV [])) (map (centreZ m) PV)) by (apply in_map, nth_In, Hp).
  assert (Hv : nth y (centreZ m (nth p PV [])) 0 = nth y (nth p PV []) 0 - nth m (nth p PV []) 0).
  { unfold centreZ. apply vsubcZ_nth. rewrite (HPV _ (nth_In _ _ Hp)). exact Hy. }
  rewrite <- Hv. destruct (map (centreZ m) PV) as [|r rs] eqn:E; [destruct Hin|].
  destruct (fold_vmaxZ_ge rs r c) as [_ H];
    [apply Hc; left; reflexivity| intros r' Hr'; apply Hc; right; exact Hr'|].
  destruct (H y Hy) as [H1 H2]. destruct Hin as [<-|Hin]; [exact H1| apply H2, Hin].
Qed.

(** ** rows and the flat row-major storage of Spec.v *)
Lemma nth_concat_rows : forall (R : list (list Z)) cols i j,
  (forall r, In r R -> length r = cols) -> (i < length R)%nat -> (j < cols)%nat ->
  nth (i * cols + j) (concat R) 0 = nth j (nth i R []) 0.
Proof.
  induction R as [|r R IH]; intros cols i j HR Hi Hj; simpl in Hi; [lia|].
  assert (Hr : length r = cols) by (apply HR; left; reflexivity).
  simpl concat. destruct i as [|i].
  - simpl. rewrite app_nth1 by lia. reflexivity.
  - rewrite app_nth2 by nia. replace (S i * cols + j - length r)%nat with (i * cols + j)%nat by nia.
    simpl nth at 2. apply IH; [intros r' Hr'; apply HR; right; exact Hr'| lia| exact Hj].
Qed.
