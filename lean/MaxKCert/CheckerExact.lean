/-
CheckerExact.lean: the exact-count checker (strategy "exact"), hand-written.  NEVER COMPILED
on the machines that wrote it (no Lean toolchain there): see lean/REVIEW-EXACT.md.

The Lean twin of coq/CheckerExact.v (names in camelCase, in its order) and of
pipeline/certificate/replay.py's checks 10x, 11 and 12 (FORMAT.md "The exact certificate"):
after the cubic checks 1..9 of Checker.lean, it enumerates the residual R (the inputs the c0
entries and cells do not cover) in FORMAT.md's order, gives each a verdict from the exact
enclosures (0 proved correct, 1 proved wrong, 2 undecided) and checks

  cubic_count + |R| = V^n,  claimed_count = cubic_count + #ok,  claimed_upper = V^n - #wrong.

Differences of form with CheckerExact.v (same values):
* Tokens are Nat, every summed or multiplied number an Int (Coq: nat and bigZ); the exp tables
  are Nat (as in Checker.lean).
* No fast verdict (Coq's verdict_fast and its rounded tables rdn, rup, fast_tab, fast_scalar,
  fast_vector): every input gets `verdict`, whose value verdict_fast equals by construction.
* The residual is counted in PIECES (one max token m and a range q0 .. q1-1 of query tokens, in
  the order of count_ms / count_qs), each piece a `count_qs` run from (0, 0, 0), so that Lake
  checks the pieces in parallel and no theorem is too large.  `ExactOk` says: the pieces cover
  every (m, q) once and in order, each piece's counter equals the triple the certificate data
  states for it, and the claim holds for the sum of those triples.  That the sum over such a
  cover equals `checkResidual` (count_ms over all m from (0, 0, 0)) is the additivity of the
  accumulators; it is argued in lean/REVIEW-EXACT.md, not proved in Lean here.
* Accumulators are forced (`forceCounts`) at every step: the kernel is lazy, and a counter
  threaded through ~2*10^4 inputs would otherwise be a ~2*10^4-deep unevaluated `+` chain
  (LEAN.md: nested unevaluated data costs kernel stack).
* max_bits is the bit length of the largest |entry| (bit length is monotone in |x|: the same
  number, one bit length instead of one per entry).

Core Lean only, as Checker.lean: Nat, Int, Bool, List, Prod and own structures; structural
recursion only; no division on Int.
-/
import MaxKCert.Checker

set_option autoImplicit false

namespace MaxKCert

/-! ## Small list helpers (Coq: seq, repeat, map (cons s), flat_map, ++, filter) -/

/-- `[s, s+1, ..., s+k-1]` (Coq: seq s k). -/
def seqN : Nat → Nat → List Nat
  | _, 0 => []
  | s, k + 1 => s :: seqN (s + 1) k

/-- `k` copies of `x` (Coq: repeat x k). -/
def repeatN (x : Nat) : Nat → List Nat
  | 0 => []
  | k + 1 => x :: repeatN x k

/-- `xs ++ ys`. -/
def appendL {α : Type} : List α → List α → List α
  | [], ys => ys
  | x :: xs, ys => x :: appendL xs ys

/-- `map (cons x) G`. -/
def consAll (x : Nat) : List (List Nat) → List (List Nat)
  | [] => []
  | p :: ps => (x :: p) :: consAll x ps

/-- `flat_map (fun s => map (cons s) G) ss`: G once for every s, in the order of ss. -/
def consEach : List Nat → List (List Nat) → List (List Nat)
  | [], _ => []
  | s :: ss, G => appendL (consAll s G) (consEach ss G)

/-- The c0 entries concatenated over the groups (Checker.lean groups them by m). -/
def flatC0 : List (List (Nat × Nat)) → List (Nat × Nat)
  | [] => []
  | g :: gs => appendL g (flatC0 gs)

/-- The cells concatenated over the parts (the certificate's list). -/
def flatCells : List (List Cell) → List Cell
  | [] => []
  | g :: gs => appendL g (flatCells gs)

/-- `filter (fun e => fst e =? m)` (count_ms). -/
def c0OfM (m : Nat) : List (Nat × Nat) → List (Nat × Nat)
  | [] => []
  | e :: es => cond (Nat.beq e.1 m) (e :: c0OfM m es) (c0OfM m es)

/-- `filter (fun x => cell_m x =? m)` (count_ms). -/
def cellsOfM (m : Nat) : List Cell → List Cell
  | [] => []
  | x :: xs => cond (Nat.beq x.m m) (x :: cellsOfM m xs) (cellsOfM m xs)

/-! ## The exact certificate -/

/-- One piece of the residual: max token `m`, query tokens `q0 .. q1-1`, and the counts
(|R|, #ok, #wrong) that the certificate data claims for it. -/
structure Piece where
  m : Nat
  q0 : Nat
  q1 : Nat
  r : Nat
  ok : Nat
  wr : Nat

/-- An exact certificate (Coq: ExactCert = {base; claimed_upper}): a cubic one, whose
`claimedCount` is lo, the claimed upper bound hi, and the split of the residual into
`nPieces` pieces. -/
structure ExactCert where
  base : Cert
  claimedUpper : Nat
  pieces : List Piece
  nPieces : Nat

/-! ## The residual enumeration (FORMAT.md "The residual R, in order") -/

/-- Prefixes of length L over {m} ∪ A with exactly c entries in A (Coq: gen; for c = 0 the
`++ []` of Coq is left out, the same list). -/
def gen (m : Nat) (A : List Nat) : Nat → Nat → List (List Nat)
  | 0, 0 => [[]]
  | 0, _ + 1 => []
  | L + 1, 0 => consAll m (gen m A L 0)
  | L + 1, c + 1 => appendL (consAll m (gen m A L (c + 1))) (consEach A (gen m A L c))

/-- A \ S as a filter of A (Coq: set_minus; `notMem a S` is `negb (existsb (Nat.eqb a) S)`). -/
def setMinus : List Nat → List Nat → List Nat
  | [], _ => []
  | a :: as, S => cond (notMem a S) (a :: setMinus as S) (setMinus as S)

/-- The prefixes of `gen m A L c` with at least one entry in o = A \ S (Coq: gen_out, with
S and o computed once per key class). -/
def genOut (m : Nat) (S o A : List Nat) : Nat → Nat → List (List Nat)
  | 0, _ => []
  | L + 1, 0 => consAll m (genOut m S o A L 0)
  | L + 1, c + 1 =>
    appendL (consAll m (genOut m S o A L (c + 1)))
      (appendL (consEach S (genOut m S o A L c)) (consEach o (gen m A L c)))

/-- The tokens of `ks` whose bit is set in `mask`, in order. -/
def maskSel (mask : Nat) : List Nat → List Nat
  | [] => []
  | k :: ks => cond (Nat.beq ((mask / 2 ^ k) % 2) 1) (k :: maskSel mask ks) (maskSel mask ks)

/-- The tokens k < m whose bit is set in mask, ascending (Coq: mask_tokens). -/
def maskTokens (mask m : Nat) : List Nat := maskSel mask (seqN 0 m)

/-- Coq: key_eq. -/
def keyEq (m q c : Nat) (x : Cell) : Bool := Nat.beq x.m m && Nat.beq x.q q && Nat.beq x.c c

/-- The set S of the first cell with key (m, q, c), [] if there is none (Coq: cell_set). -/
def cellSet (m q c mn : Nat) : List Cell → List Nat
  | [] => []
  | x :: l => cond (keyEq m q c x) (maskTokens x.mask mn) (cellSet m q c mn l)

/-- (m, q) is a c0 entry (Coq: c0_mem). -/
def c0Mem (m q : Nat) : List (Nat × Nat) → Bool
  | [] => false
  | e :: l => (Nat.beq e.1 m && Nat.beq e.2 q) || c0Mem m q l

/-- The number of key classes (m, q, c) of one (m, q): n if q = m, else n - 1 (Coq: n_keys). -/
def nKeys (n m q : Nat) : Nat := cond (Nat.beq q m) n (n - 1)

/-- The residual prefixes of the key class (m, q, c), each to be followed by q (Coq:
class_prefixes). -/
def classPrefixes (c0l : List (Nat × Nat)) (cl : List Cell) (n m q : Nat) (c : Nat) :
    List (List Nat) :=
  match c with
  | 0 => cond (c0Mem m q c0l) [] [repeatN m (n - 1)]
  | c' + 1 =>
    let A := seqN 0 m
    let S := cellSet m q (c' + 1) m cl
    genOut m S (setMinus A S) A (n - 1) (c' + 1)

/-! ## Verdicts (FORMAT.md "The verdict of x in R") -/

/-- Lower bound of w z over w in [wlo, whi], wlo >= 0: the mirror of Checker's `ub`. -/
def lb (wlo whi : Nat) (z : Int) : Int :=
  cond (nonneg z) (Int.ofNat wlo * z) (Int.ofNat whi * z)

/-- Every entry except the one at index m is < 0 (Coq: Checker.v's all_neg_except). -/
def allNegExcept (m : Nat) : Nat → List Int → Bool
  | _, [] => true
  | i, x :: v => (Nat.beq i m || ilt x 0) && allNegExcept m (i + 1) v

/-- Some entry except the one at index m is >= 0 (Coq: some_nonneg_except). -/
def someNonnegExcept (m : Nat) : Nat → List Int → Bool
  | _, [] => false
  | i, x :: v => (!(Nat.beq i m) && nonneg x) || someNonnegExcept m (i + 1) v

/-- The environment of one (m, q): the centred rows X'[., y] = X[., y] - X[., m] (full-bias
EUPU = EUPU0 + bU, EVOU = EVOU0 + bOV, as Checker's c0EntryOk) and the exp rows of q. -/
structure ClassEnv where
  du : List Int
  ev : List (List Int)
  pv : List (List Int)
  elo : List Nat
  ehi : List Nat
  plo : List Nat
  phi : List Nat

/-- `f` applied to every entry. -/
def vmapI (f : Int → Int) : List Int → List Int
  | [] => []
  | x :: xs => f x :: vmapI f xs

/-- sum over positions i of f(elo[q,t_i] plo[q,i], ehi[q,t_i] phi[q,i], Z_i[y]) as a vector over
y, Z_i[y] = EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]; `toks` are t_0 .. t_(n-1) (Coq: input_sum). -/
def inputSum (f : Nat → Nat → Int → Int) (E : ClassEnv) :
    List Nat → List (List Int) → List Nat → List Nat → List Int → List Int
  | t :: toks, p :: pv, pl :: plo, ph :: phi, acc =>
    inputSum f E toks pv plo phi
      (vadd acc (vmapI (f (nth 0 E.elo t * pl) (nth 0 E.ehi t * ph))
        (vadd E.du (vadd (nth [] E.ev t) p))))
  | _, _, _, _, acc => acc

/-- Coq: sums. -/
def sums (f : Nat → Nat → Int → Int) (E : ClassEnv) (toks : List Nat) : List Int :=
  inputSum f E toks E.pv E.plo E.phi (zeros (len E.du))

/-- 0: proved correct; 1: proved wrong; 2: undecided (Coq: verdict). -/
def verdict (E : ClassEnv) (m : Nat) (toks : List Nat) : Nat :=
  cond (allNegExcept m 0 (sums ub E toks)) 0
    (cond (someNonnegExcept m 0 (sums lb E toks)) 1 2)

/-! ## Counting (|R|, #ok, #wrong) -/

/-- The triple, returned only once the kernel has reduced the sum of its entries to a numeral
(`Nat.ble 0 _` needs one): a counter threaded through many inputs stays evaluated step by step
instead of growing into a deep unevaluated `+` chain.  The value is `t` either way. -/
def forceCounts (t : Nat × Nat × Nat) : Nat × Nat × Nat :=
  cond (Nat.ble 0 (t.1 + t.2.1 + t.2.2)) t t

/-- (r, ok, wr) after one input of verdict v (Coq: the match inside count_class). -/
def bumpCounts (v r ok wr : Nat) : Nat × Nat × Nat :=
  forceCounts (match v with
    | 0 => (r + 1, ok + 1, wr)
    | 1 => (r + 1, ok, wr + 1)
    | _ => (r + 1, ok, wr))

/-- (|R|, #ok, #wrong) accumulated over a list of prefixes of one class (Coq: count_class). -/
def countClass (E : ClassEnv) (m q : Nat) : List (List Nat) → Nat × Nat × Nat → Nat × Nat × Nat
  | [], acc => acc
  | p :: l, (r, ok, wr) => countClass E m q l (bumpCounts (verdict E m (appendL p [q])) r ok wr)

/-- `X + b` for every row X (the full-bias matrices EUPU, EVOU). -/
def addRows (b : List Int) : List (List Int) → List (List Int)
  | [] => []
  | r :: rs => vadd r b :: addRows b rs

/-- Coq: class_env. -/
def classEnv (P : Paths) (elo ehi plo phi : List (List Nat)) (m q : Nat) : ClassEnv :=
  { du := centre (vadd (nth [] P.eupu0 q) P.bU) m,
    ev := centreRows m (addRows P.bOV P.evou0),
    pv := centreRows m P.pvou,
    elo := nth [] elo q,
    ehi := nth [] ehi q,
    plo := nth [] plo q,
    phi := nth [] phi q }

/-- Coq: count_cs. -/
def countCs (c0l : List (Nat × Nat)) (cl : List Cell) (E : ClassEnv) (n m q : Nat) :
    List Nat → Nat × Nat × Nat → Nat × Nat × Nat
  | [], acc => acc
  | c :: cs, acc => countCs c0l cl E n m q cs (countClass E m q (classPrefixes c0l cl n m q c) acc)

/-- Coq: count_qs. -/
def countQs (c0l : List (Nat × Nat)) (cl : List Cell) (P : Paths) (elo ehi plo phi : List (List Nat))
    (n m : Nat) : List Nat → Nat × Nat × Nat → Nat × Nat × Nat
  | [], acc => acc
  | q :: qs, acc =>
    countQs c0l cl P elo ehi plo phi n m qs
      (countCs c0l cl (classEnv P elo ehi plo phi m q) n m q (seqN 0 (nKeys n m q)) acc)

/-- Coq: count_ms (the c0 entries and cells are first restricted to max token m). -/
def countMs (c0l : List (Nat × Nat)) (cl : List Cell) (P : Paths) (elo ehi plo phi : List (List Nat))
    (n : Nat) : List Nat → Nat × Nat × Nat → Nat × Nat × Nat
  | [], acc => acc
  | m :: ms, acc =>
    countMs c0l cl P elo ehi plo phi n ms
      (countQs (c0OfM m c0l) (cellsOfM m cl) P elo ehi plo phi n m (seqN 0 (m + 1)) acc)

/-! ## The budget (Coq: max_bits, MAX_RESIDUAL_WORK, residual_words) -/

/-- max(a, b) on Nat. -/
def nmax (a b : Nat) : Nat := cond (Nat.ble a b) b a

/-- Python's bit_length of x, by halving (`fuel` >= the bit length: x itself will do). -/
def bitLenFuel : Nat → Nat → Nat
  | 0, _ => 0
  | f + 1, x => cond (Nat.beq x 0) 0 (bitLenFuel f (x / 2) + 1)

def bitLen (x : Nat) : Nat := bitLenFuel x x

def maxAbsRow : Nat → List Int → Nat
  | acc, [] => acc
  | acc, x :: xs => maxAbsRow (nmax acc (iabs x)) xs

def maxAbsRows : Nat → List (List Int) → Nat
  | acc, [] => acc
  | acc, r :: rs => maxAbsRows (maxAbsRow acc r) rs

def maxAbsMats : Nat → List (List (List Int)) → Nat
  | acc, [] => acc
  | acc, M :: Ms => maxAbsMats (maxAbsRows acc M) Ms

def maxNatRow : Nat → List Nat → Nat
  | acc, [] => acc
  | acc, x :: xs => maxNatRow (nmax acc x) xs

def maxNatRows : Nat → List (List Nat) → Nat
  | acc, [] => acc
  | acc, r :: rs => maxNatRows (maxNatRow acc r) rs

def maxNatMats : Nat → List (List (List Nat)) → Nat
  | acc, [] => acc
  | acc, M :: Ms => maxNatMats (maxNatRows acc M) Ms

/-- The largest bit length of an entry (Coq: max_bits): that of the largest |entry|. -/
def maxBitsI (Ms : List (List (List Int))) : Nat := bitLen (maxAbsMats 0 Ms)

def maxBitsN (Ms : List (List (List Nat))) : Nat := bitLen (maxNatMats 0 Ms)

/-- n V |R| words is at most this = 2^32 (replay and Coq: MAX_RESIDUAL_WORK). -/
def maxResidualWork : Nat := 4294967296

/-- ceil((E + P + B + 64) / 64), E, P, B the largest bit lengths in exp_eqke, exp_eqkp and the
full-bias EUPU, EVOU and PVOU (Coq: residual_words). -/
def residualWords (c : Cert) (P : Paths) : Nat :=
  (maxBitsN [c.eqkeLo, c.eqkeHi] + maxBitsN [c.eqkpLo, c.eqkpHi] +
    maxBitsI [addRows P.bU P.eupu0, addRows P.bOV P.evou0, P.pvou] + 64 + 63) / 64

/-- Check 10x: len(c0) + sum over cells of C(n-1, c) popcount(mask)^c (Coq: lenZ (c0 c) +
cells_count; Checker.lean's c0Count and cellsCount). -/
def cubicCount (c : Cert) : Nat := c0Count c.c0 + cellsCount c.nCtx c.cells

/-- The budget test of check_exact: n V (V^n - cubic) words <= MAX_RESIDUAL_WORK (Nat
subtraction: cubic > V^n gives 0 here, a negative number in Coq; both pass, and the claim
check fails then). -/
def checkBudget (c : Cert) (P : Paths) : Bool :=
  Nat.ble (c.nCtx * c.dVocab * (c.nInputs - cubicCount c) * residualWords c P) maxResidualWork

/-! ## Checks 11 and 12 -/

/-- Check 11 over the whole residual (Coq: check_residual, without the fast verdict).  Not used
by `ExactOk`, which counts the same inputs piece by piece (`countPiece`). -/
def checkResidual (c : Cert) (P : Paths) : Nat × Nat × Nat :=
  countMs (flatC0 c.c0) (flatCells c.cells) P c.eqkeLo c.eqkeHi c.eqkpLo c.eqkpHi c.nCtx
    (seqN 0 c.dVocab) (0, 0, 0)

/-- Check 12 (Coq: check_exact_claim): cubic + |R| = NI, lo = cubic + #ok, hi = NI - #wrong
(Nat subtraction: once cubic + |R| = NI holds, #wrong <= |R| <= NI, so it does not truncate). -/
def checkExactClaim (lo hi cubic NI : Nat) (counts : Nat × Nat × Nat) : Bool :=
  Nat.beq (cubic + counts.1) NI && Nat.beq lo (cubic + counts.2.1) &&
    Nat.beq hi (NI - counts.2.2)

/-! ## The pieces -/

/-- count_qs of one piece from (0, 0, 0): max token p.m, query tokens p.q0 .. p.q1-1, with the
c0 entries and cells restricted to p.m as in count_ms. -/
def countPiece (c : Cert) (P : Paths) (p : Piece) : Nat × Nat × Nat :=
  countQs (c0OfM p.m (flatC0 c.c0)) (cellsOfM p.m (flatCells c.cells)) P c.eqkeLo c.eqkeHi
    c.eqkpLo c.eqkpHi c.nCtx p.m (seqN p.q0 (p.q1 - p.q0)) (0, 0, 0)

def pieceDefault : Piece := { m := 0, q0 := 0, q1 := 0, r := 0, ok := 0, wr := 0 }

/-- Piece j of the certificate. -/
def pieceAt (x : ExactCert) (j : Nat) : Piece := nth pieceDefault x.pieces j

/-- The counter of piece j (one theorem each). -/
def countAt (x : ExactCert) (P : Paths) (j : Nat) : Nat × Nat × Nat := countPiece x.base P (pieceAt x j)

/-- The counts the data states for a piece. -/
def pieceCounts (p : Piece) : Nat × Nat × Nat := (p.r, p.ok, p.wr)

/-- The pieces, in order, are the (m, q) of count_ms / count_qs, each once: the next piece starts
at (m, q); a piece covers q0 .. q1-1 with q0 < q1 <= m + 1 and m < V; after q1 = m + 1 comes
(m + 1, 0); the list ends at (V, 0). -/
def piecesFrom (V : Nat) : Nat → Nat → List Piece → Bool
  | m, q, [] => Nat.beq m V && Nat.beq q 0
  | m, q, p :: ps =>
    Nat.beq p.m m && Nat.beq p.q0 q && nlt p.q0 p.q1 && Nat.ble p.q1 (m + 1) && nlt m V &&
      cond (Nat.beq p.q1 (m + 1)) (piecesFrom V (m + 1) 0 ps) (piecesFrom V m p.q1 ps)

/-- The pieces cover every (m, q), in order, and there are nPieces of them. -/
def piecesOk (x : ExactCert) : Bool :=
  piecesFrom x.base.dVocab 0 0 x.pieces && Nat.beq (len x.pieces) x.nPieces

/-- The sum of the stated counts, left to right. -/
def sumPiecesFrom : Nat × Nat × Nat → List Piece → Nat × Nat × Nat
  | acc, [] => acc
  | acc, p :: ps =>
    sumPiecesFrom (forceCounts (acc.1 + p.r, acc.2.1 + p.ok, acc.2.2 + p.wr)) ps

def sumPieces (ps : List Piece) : Nat × Nat × Nat := sumPiecesFrom (0, 0, 0) ps

/-- Check 12 on the stated counts. -/
def checkClaim (x : ExactCert) : Bool :=
  checkExactClaim x.base.claimedCount x.claimedUpper (cubicCount x.base) x.base.nInputs
    (sumPieces x.pieces)

/-! ## Everything together -/

/-- Checks 1 and 3..9 of a certificate: `CertOk` without its last conjunct (check 10, which the
exact kind replaces by 10x, 11 and 12). -/
def CubicChecks (c : Cert) (P : Paths) : Prop :=
  checkHeader c = true ∧
  checkExponentRange c.weights = true ∧
  checkPathShapes c P = true ∧
  checkPathsGlobal c P = true ∧
  Every c.dVocab (fun k => checkPathsV c P k = true) ∧
  Every c.dModel (fun i => checkPathsD c P i = true) ∧
  Every c.nCtx (fun p => checkPathsN c P p = true) ∧
  checkSqrt c.sqrtLo c.sqrtHi c.dHead c.fracBits = true ∧
  Every c.dVocab (fun q => checkExpRow c P q = true) ∧
  checkOrders c P = true ∧
  Every c.dVocab (fun m => checkC0At c P m = true) ∧
  Every c.nCellParts (fun j => checkCellsAt c P j = true)

/-- The exact certificate `x` passes, in check_exact's order: checks 1 and 3..9 of the cubic
part; the residual budget; the pieces cover the residual's (m, q) in order; the counter of every
piece equals its stated counts; and check 12 holds for the sum of the stated counts (with
cubic = check 10x).  lo = x.base.claimedCount, hi = x.claimedUpper. -/
def ExactOk (x : ExactCert) (P : Paths) : Prop :=
  CubicChecks x.base P ∧
  checkBudget x.base P = true ∧
  piecesOk x = true ∧
  Every x.nPieces (fun j => countAt x P j = pieceCounts (pieceAt x j)) ∧
  checkClaim x = true

end MaxKCert
