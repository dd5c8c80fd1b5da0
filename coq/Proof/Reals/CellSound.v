(** * CellSound.v — the cubic argument for one cell, over R.

    For a cell (q, m, c, S) with c >= 1, a shift vector Z, split bounds g (every
    wrong-minus-right bracket of a slot holding token t is at most g t), a permutation o of
    the non-query slots sorted by EQKP[q, .], and, for every k in S, the two sorted
    arrangements ("low": m on the n-1-c lowest slots; "high": m on the highest) of the pure
    input with c copies of k having a negative exact weighted sum, every input the cell
    covers is correct ([cell_correct]).  The integer checker supplies those hypotheses
    through ExpInt (the exp tables), Cubic.ubZ_sound (the ub-sums bound the exact sums)
    and its split maxima. *)
From Coq Require Import Reals Lia Lra List.
From MaxK Require Import Spec Proof.Reals.Sums Proof.Reals.ExpSeries Proof.Reals.Count Proof.Reals.PathForm Proof.Reals.Sign
  Proof.Reals.Cubic.
Import ListNotations.
Local Open Scope R_scope.

(** ** Counting helpers *)
Lemma sum_split : forall a b f, sum (a + b) f = sum a f + sum b (fun j => f (a + j)%nat).
Proof.
  intros a b f. induction b as [|b IH]; [rewrite Nat.add_0_r; simpl; ring|].
  replace (a + S b)%nat with (S (a + b)) by lia. rewrite !sum_S, IH. ring.
Qed.

Lemma cnt_sum : forall L B, INR (cnt L B) = sum L (fun j => if B j then 1 else 0).
Proof.
  induction L as [|L IH]; intros B; [reflexivity|]. cbn [cnt]. rewrite sum_S, plus_INR, IH.
  destruct (B L); simpl; ring.
Qed.

Lemma count_m_nth : forall m l,
  sum (length l) (fun i => if Nat.eqb (nth i l O) m then 1 else 0) + INR (count_nonm m l)
  = INR (length l).
Proof.
  intros m l. induction l as [|a l IH]; [simpl; unfold count_nonm; simpl; ring|].
  simpl length. rewrite sum_shift. simpl nth. unfold count_nonm in *. simpl filter.
  destruct (Nat.eqb a m); simpl length; rewrite ?S_INR; simpl negb; lra.
Qed.

Lemma count_nonm_all_m : forall m l, (forall t, In t l -> t = m) -> count_nonm m l = O.
Proof.
  intros m l H. induction l as [|a l IH]; [reflexivity|]. unfold count_nonm in *. simpl.
  rewrite (H a (or_introl eq_refl)), Nat.eqb_refl. simpl. apply IH.
  intros t Ht. apply H. right. exact Ht.
Qed.

Section Model.
Variable M : model.
Notation V := (d_vocab M).
Notation n := (n_ctx M).
Notation L := (n_ctx M - 1)%nat.
Notation s := (sqrt (INR (d_head M))).

Section Cell.
Variables (q m c : nat) (S : list nat) (Z : nat -> R) (maxE maxP : R) (g : nat -> R)
  (o : list nat).

(** the two exp tables (exact) and e(t) g(t) *)
Definition ee (t : nat) : R := exp ((EQKE M q t - maxE) / s).
Definition pp (i : nat) : R := exp ((EQKP M q i - maxP) / s).
Definition hh (t : nat) : R := ee t * g t.

Hypothesis Hh : (1 <= d_head M)%nat.
Hypothesis Hvalid : cell_valid V n (mk_cell q m c S).
Hypothesis Hc : (1 <= c)%nat.
Hypothesis Hbr : forall y t i, (y < V)%nat -> y <> m -> (t < V)%nat -> (i < n)%nat ->
  ((EUPU M q y + Z y) - (EUPU M q m + Z m)) + ((EVOU M t y - Z y) - (EVOU M t m - Z m))
  + (PVOU M i y - PVOU M i m) <= g t.
Hypothesis Ho : is_perm L o.
Hypothesis Hsorted : forall j k, (j <= k)%nat -> (k < L)%nat ->
  EQKP M q (nth j o O) <= EQKP M q (nth k o O).
Hypothesis Hk : forall k, In k S ->
  hh m * sum (L - c) (fun j => pp (nth j o O)) + hh k * sum c (fun j => pp (nth (L - c + j) o O))
  + hh q * pp L < 0
  /\ hh m * sum (L - c) (fun j => pp (nth (c + j) o O)) + hh k * sum c (fun j => pp (nth j o O))
  + hh q * pp L < 0.

Lemma s_pos : 0 < s.
Proof. apply sqrt_lt_R0. apply lt_0_INR. lia. Qed.

Lemma pp_sorted : forall j k, (j <= k)%nat -> (k < L)%nat -> pp (nth j o O) <= pp (nth k o O).
Proof.
  intros j k Hjk HkL. unfold pp. apply exp_le_mono. unfold Rdiv.
  apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat, s_pos|].
  pose proof (Hsorted j k Hjk HkL). lra.
Qed.

(** the pure input with m on the slots selected by B and k elsewhere, r = L - c m-slots *)
Lemma pure_neg : forall k (B : nat -> bool), In k S ->
  cnt L (fun j => B (nth j o O)) = (L - c)%nat ->
  sum L (fun i => pp i * hh (if B i then m else k)) + hh q * pp L < 0.
Proof.
  intros k B HkS Hr.
  destruct Hvalid as (_ & _ & _ & _ & HcL & _). simpl in HcL.
  set (T := sum L pp).
  set (A := masked L B pp).
  assert (Hpure : sum L (fun i => pp i * hh (if B i then m else k)) = (hh m - hh k) * A + hh k * T).
  { unfold A, T, masked.
    rewrite (sum_ext L _ (fun i => (hh m - hh k) * (if B i then pp i else 0) + hh k * pp i))
      by (intros i _; destruct (B i); ring).
    rewrite sum_plus, !sum_scal_l. reflexivity. }
  destruct (arrangement_bounds L o pp B Ho pp_sorted) as [Hlo Hhi]. rewrite Hr in Hlo, Hhi.
  fold A in Hlo, Hhi.
  replace (L - (L - c))%nat with c in Hhi by lia.
  assert (HT : T = sum L (fun j => pp (nth j o O))) by (apply sum_perm, Ho).
  assert (HTlo : T = sum (L - c) (fun j => pp (nth j o O)) + sum c (fun j => pp (nth (L - c + j) o O))).
  { rewrite HT, <- sum_split. f_equal. lia. }
  assert (HThi : T = sum c (fun j => pp (nth j o O)) + sum (L - c) (fun j => pp (nth (c + j) o O))).
  { rewrite HT, <- sum_split. f_equal. lia. }
  destruct (Hk k HkS) as [Klo Khi].
  rewrite Hpure.
  set (b := hh k * T + hh q * pp L).
  replace ((hh m - hh k) * A + hh k * T + hh q * pp L) with ((hh m - hh k) * A + b) by (unfold b; ring).
  apply (affine_neg _ _ A (sum (L - c) (fun j => pp (nth j o O)))
                          (sum (L - c) (fun j => pp (nth (c + j) o O)))).
  - split; assumption.
  - unfold b. rewrite HTlo. lra.
  - unfold b. rewrite HThi. lra.
Qed.

Theorem cell_correct : forall x, In x (cell_inputs n (mk_cell q m c S)) -> correct M x.
Proof.
  intros x Hx.
  assert (Hn1 : (1 <= n)%nat) by (destruct Hvalid as (_ & _ & _ & _ & HcL & _); simpl in HcL; lia).
  destruct (cell_input_spec V n _ x Hn1 Hvalid Hx) as (pre & Hxe & Hpre & Hlen & HV & Hmax & _).
  simpl in Hxe, Hpre, Hmax.
  pose proof (cell_valid_notin V n _ Hvalid) as HmS. simpl in HmS.
  destruct (gen_in _ _ _ HmS _ _ Hpre) as (Hl & Htok & Hcnt & _).
  (* tokens of x *)
  assert (Htq : tok x (qpos M) = q).
  { unfold tok, qpos. rewrite Hxe, app_nth2 by lia. rewrite Hl, Nat.sub_diag. reflexivity. }
  assert (Hti : forall i, (i < L)%nat -> tok x i = nth i pre O).
  { intros i Hi. unfold tok. rewrite Hxe, app_nth1 by lia. reflexivity. }
  assert (HtL : tok x L = q) by exact Htq.
  unfold correct. rewrite Hmax. intros y Hy Hym.
  set (C := (maxE + maxP) / s).
  apply (sign_shift M x Hn1 Z C y m).
  (* step 1: each bracket is at most g of its token *)
  apply Rle_lt_trans with (sum n (fun i => pp i * hh (tok x i))).
  { apply sum_le. intros i Hi. unfold C. rewrite wt_split.
    assert (HtV : (tok x i < V)%nat) by (apply HV; unfold tok; apply nth_In; lia).
    pose proof (Hbr y (tok x i) i Hy Hym HtV Hi) as Hb. unfold bracket. rewrite Htq.
    fold (ee (tok x i)). fold (pp i). unfold hh.
    pose proof (exp_pos ((EQKE M q (tok x i) - maxE) / s)) as H1. fold (ee (tok x i)) in H1.
    pose proof (exp_pos ((EQKP M q i - maxP) / s)) as H2. fold (pp i) in H2.
    assert (0 < ee (tok x i) * pp i) by (apply Rmult_lt_0_compat; assumption).
    replace (pp i * (ee (tok x i) * g (tok x i))) with (ee (tok x i) * pp i * g (tok x i)) by ring.
    apply Rmult_le_compat_l; lra. }
  (* step 2: split off the query slot *)
  replace n with (Datatypes.S L) by lia. rewrite sum_S, HtL.
  rewrite (sum_ext L (fun i => pp i * hh (tok x i)) (fun i => pp i * hh (nth i pre O)))
    by (intros i Hi; rewrite Hti by exact Hi; reflexivity).
  (* step 3: exchange every non-max token for an argmax k* of hh over S *)
  assert (HSne : S <> []).
  { intros HS. subst S. assert (count_nonm m pre = O).
    { apply count_nonm_all_m. intros t Ht. destruct (Htok t Ht) as [->|[]]. reflexivity. }
    lia. }
  destruct (exists_argmax hh S HSne) as [ks [HksS Hks]].
  assert (Hex := exchange_le L pp (fun i => nth i pre O) hh m S ks).
  assert (Hpp : forall i, (i < L)%nat -> 0 <= pp i) by (intros; left; apply exp_pos).
  assert (Hin : forall i, (i < L)%nat -> nth i pre O = m \/ In (nth i pre O) S).
  { intros i Hi. apply Htok, nth_In. lia. }
  specialize (Hex Hpp Hin Hks).
  (* step 4: the pure input is negative in every arrangement *)
  set (B := fun i => Nat.eqb (nth i pre O) m).
  assert (Hpure := pure_neg ks B HksS).
  assert (Hr : cnt L (fun j => B (nth j o O)) = (L - c)%nat).
  { assert (HcL : (c <= L)%nat) by (destruct Hvalid as (_ & _ & _ & _ & H & _); simpl in H; lia).
    apply INR_eq. rewrite cnt_sum, minus_INR by lia.
    rewrite <- (sum_perm L o (fun j => if B j then 1 else 0) Ho).
    pose proof (count_m_nth m pre) as E. rewrite Hl, Hcnt in E. unfold B. lra. }
  specialize (Hpure Hr).
  rewrite (sum_ext L (fun i => pp i * hh (if B i then m else ks))
                     (fun i => pp i * hh (if Nat.eqb (nth i pre O) m then m else ks))) in Hpure
    by reflexivity.
  lra.
Qed.
End Cell.

(** ** c = 0 entries: the single input (m, ..., m, q), checked with the exact brackets *)
Section C0.
Variables (q m : nat) (maxE maxP : R).

Definition c0tok (i : nat) : nat := if Nat.ltb i L then m else q.

Hypothesis Hn1 : (1 <= n)%nat.
Hypothesis Hvalid : cell_valid V n (mk_cell q m 0 []).
Hypothesis Hc0 : forall y, (y < V)%nat -> y <> m ->
  sum n (fun i => ee q maxE (c0tok i) * pp q maxP i
                  * ((EUPU M q y - EUPU M q m) + (EVOU M (c0tok i) y - EVOU M (c0tok i) m)
                     + (PVOU M i y - PVOU M i m))) < 0.

Theorem c0_correct : forall x, In x (cell_inputs n (mk_cell q m 0 [])) -> correct M x.
Proof.
  intros x Hx.
  destruct (cell_input_spec V n _ x Hn1 Hvalid Hx) as (pre & Hxe & Hpre & Hlen & HV & Hmax & _).
  simpl in Hxe, Hpre, Hmax.
  destruct (gen_in _ _ _ (fun H : In m [] => H) _ _ Hpre) as (Hl & Htok & _ & _).
  assert (Htq : tok x (qpos M) = q).
  { unfold tok, qpos. rewrite Hxe, app_nth2 by lia. rewrite Hl, Nat.sub_diag. reflexivity. }
  assert (Htok' : forall i, (i < n)%nat -> tok x i = c0tok i).
  { intros i Hi. unfold tok, c0tok. destruct (Nat.ltb i L) eqn:E.
    - apply Nat.ltb_lt in E. rewrite Hxe, app_nth1 by lia.
      destruct (Htok (nth i pre O)) as [H|[]]; [apply nth_In; lia|exact H].
    - apply Nat.ltb_ge in E. rewrite Hxe, app_nth2 by lia.
      replace (i - length pre)%nat with O by lia. reflexivity. }
  unfold correct. rewrite Hmax. intros y Hy Hym.
  apply (sign_shift M x Hn1 (fun _ => 0) ((maxE + maxP) / s) y m).
  eapply Rle_lt_trans; [|exact (Hc0 y Hy Hym)].
  right. apply sum_ext. intros i Hi. rewrite wt_split. unfold bracket, ee, pp.
  rewrite Htq, (Htok' i Hi). ring.
Qed.
End C0.
End Model.
