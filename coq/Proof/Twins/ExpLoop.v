(** * ExpLoop.v — the exp enclosures and check_exp_neg in the loop shape of coq/Checker.v
    (accumulator loops, [NT - 1] Taylor steps, the remainder term added at the end), over Z,
    equal the reference definitions of ExpInt.v, so their soundness carries over. *)
From Coq Require Import ZArith Lia.
From MaxK Require Import Proof.Int.ExpInt.
Local Open Scope Z_scope.

Fixpoint taylor_lowerZ (F r : Z) (k : nat) (i t total : Z) : Z :=
  match k with
  | O => total
  | S k' => let t' := (t * r) / (i * 2 ^ F) in taylor_lowerZ F r k' (i + 1) t' (total + t')
  end.

Fixpoint taylor_upperZ (F r : Z) (k : nat) (i t total : Z) : Z :=
  match k with
  | O => total + 2 * ceil_div (t * r) (i * 2 ^ F)
  | S k' => let t' := ceil_div (t * r) (i * 2 ^ F) in taylor_upperZ F r k' (i + 1) t' (total + t')
  end.

Definition exp_lowerC (num den F NT : Z) : Z :=
  match exp_reduction num den with
  | None => -1
  | Some j => let r := (num * 2 ^ F) / (den * 2 ^ Z.of_nat j) in
              sq_lo F j (taylor_lowerZ F r (Z.to_nat (NT - 1)) 1 (2 ^ F) (2 ^ F))
  end.

Definition exp_upperC (num den F NT : Z) : Z :=
  match exp_reduction num den with
  | None => -1
  | Some j => let r := ceil_div (num * 2 ^ F) (den * 2 ^ Z.of_nat j) in
              sq_hi F j (taylor_upperZ F r (Z.to_nat (NT - 1)) 1 (2 ^ F) (2 ^ F))
  end.

Definition check_exp_negC (lo hi na da nb db F NT : Z) : bool :=
  if ((na <? 0) || (da <=? 0) || (nb <? 0) || (db <=? 0) || (lo <? 0))%bool then false else
  let lo_ok :=
    if lo =? 0 then true
    else if F * db <? nb then false
    else let H := exp_upperC nb db F NT in ((0 <=? H) && (lo * H <=? 2 ^ (2 * F)))%bool in
  if lo_ok then
    let na' := if F * da <? na then F else na in
    let da' := if F * da <? na then 1 else da in
    let L := exp_lowerC na' da' F NT in
    ((0 <=? L) && (2 ^ (2 * F) <=? hi * L))%bool
  else false.

Lemma taylor_lowerZ_spec : forall F r k a total,
  taylor_lowerZ F r k (Z.of_nat (S a)) (tlo F r a) total
  = total + (zsum (S a + k) (tlo F r) - zsum (S a) (tlo F r)).
Proof.
  intros F r k. induction k as [|k IH]; intros a total; cbn [taylor_lowerZ].
  - rewrite Nat.add_0_r. ring.
  - replace (Z.of_nat (S a) + 1) with (Z.of_nat (S (S a))) by lia.
    change ((tlo F r a * r) / (Z.of_nat (S a) * 2 ^ F)) with (tlo F r (S a)).
    rewrite IH. replace (S (S a) + k)%nat with (S a + S k)%nat by lia.
    change (zsum (S (S a)) (tlo F r)) with (zsum (S a) (tlo F r) + tlo F r (S a)). ring.
Qed.

Lemma taylor_upperZ_spec : forall F r k a total,
  taylor_upperZ F r k (Z.of_nat (S a)) (thi F r a) total
  = total + (zsum (S a + k) (thi F r) - zsum (S a) (thi F r)) + 2 * thi F r (S a + k).
Proof.
  intros F r k. induction k as [|k IH]; intros a total; cbn [taylor_upperZ].
  - rewrite Nat.add_0_r. change (ceil_div (thi F r a * r) (Z.of_nat (S a) * 2 ^ F))
      with (thi F r (S a)). ring.
  - replace (Z.of_nat (S a) + 1) with (Z.of_nat (S (S a))) by lia.
    change (ceil_div (thi F r a * r) (Z.of_nat (S a) * 2 ^ F)) with (thi F r (S a)).
    rewrite IH. replace (S (S a) + k)%nat with (S a + S k)%nat by lia.
    change (zsum (S (S a)) (thi F r)) with (zsum (S a) (thi F r) + thi F r (S a)). ring.
Qed.

Theorem exp_lowerC_eq : forall num den F NT, 1 <= NT ->
  exp_lowerC num den F NT = exp_lower F (Z.to_nat NT) num den.
Proof.
  intros num den F NT HNT. unfold exp_lowerC, exp_lower, exp_lower_core.
  destruct (exp_reduction num den) as [j|]; [|reflexivity]. f_equal.
  set (r := (num * 2 ^ F) / (den * 2 ^ Z.of_nat j)).
  pose proof (taylor_lowerZ_spec F r (Z.to_nat (NT - 1)) 0 (2 ^ F)) as H.
  simpl Z.of_nat in H. change (tlo F r 0) with (2 ^ F) in H. rewrite H.
  replace (Z.to_nat NT) with (1 + Z.to_nat (NT - 1))%nat by lia. simpl zsum. ring.
Qed.

Theorem exp_upperC_eq : forall num den F NT, 1 <= NT ->
  exp_upperC num den F NT = exp_upper F (Z.to_nat NT) num den.
Proof.
  intros num den F NT HNT. unfold exp_upperC, exp_upper, exp_upper_core.
  destruct (exp_reduction num den) as [j|]; [|reflexivity]. f_equal.
  set (r := ceil_div (num * 2 ^ F) (den * 2 ^ Z.of_nat j)).
  pose proof (taylor_upperZ_spec F r (Z.to_nat (NT - 1)) 0 (2 ^ F)) as H.
  simpl Z.of_nat in H. change (thi F r 0) with (2 ^ F) in H. rewrite H.
  replace (Z.to_nat NT) with (1 + Z.to_nat (NT - 1))%nat by lia. simpl zsum. ring.
Qed.

Theorem check_exp_negC_eq : forall lo hi na da nb db F NT, 1 <= NT ->
  check_exp_negC lo hi na da nb db F NT = check_exp_neg F (Z.to_nat NT) lo hi na da nb db.
Proof.
  intros lo hi na da nb db F NT HNT. unfold check_exp_negC, check_exp_neg.
  rewrite !exp_upperC_eq, !exp_lowerC_eq by exact HNT.
  destruct ((na <? 0) || (da <=? 0) || (nb <? 0) || (db <=? 0) || (lo <? 0))%bool; [reflexivity|].
  replace (F * db <? nb) with (negb (nb <=? F * db)) by (rewrite Z.leb_antisym, Bool.negb_involutive; reflexivity).
  replace (F * da <? na) with (na >? F * da) by (rewrite Z.gtb_ltb; reflexivity).
  destruct (lo =? 0); simpl.
  - destruct (na >? F * da); reflexivity.
  - destruct (nb <=? F * db); simpl; [|reflexivity].
    destruct ((0 <=? exp_upper F (Z.to_nat NT) nb db)
              && (lo * exp_upper F (Z.to_nat NT) nb db <=? 2 ^ (2 * F)))%bool; [|reflexivity].
    destruct (na >? F * da); reflexivity.
Qed.
