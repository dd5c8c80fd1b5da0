/-
Checker.lean: the exact-integer checker of a cubic certificate (schema v2), hand-written.

This file owns the Lean twin of pipeline/certificate/replay.py.  The names are the replay's in
camelCase (exp_lower -> expLower), in the replay's order: checks 1 and 3..10 of
pipeline/certificate/FORMAT.md.  Where Lean splits a replay loop into per-index pieces the
name says so: check_exp_tables -> checkExpRow (one row q), check_c0 -> checkC0At (one max
token m), check_cells -> checkCellsAt (one part j of the cells: cells of one max token m and a
range of q, at most a few thousand arrangements), compute_paths -> checkPathsV/D/N (one row).  Check 2 (every mantissa is a float32 value, and the canonical
sha256 of the weights equals model_sha256) runs in the Python replay only: Lean has no hashing.
The statement proved here is therefore about the integers in the rendered data module; the
Python tests check that those integers are exactly the certificate's.

Core Lean only: Nat, Int, Bool, List, Prod, Option and the structures below.  Every function
is Bool-valued or a plain total function defined by structural recursion on a list or on a
small Nat fuel.  No division on Int; Nat division only where the replay floors or ceils.

How the work is split (so that Lake checks it in parallel and no theorem recomputes the
matrix products of another):
* `Cert` holds the certificate data; the c0 entries are grouped by the max token m (group m
  holds the entries with that m, in the certificate's order); the cells are cut into parts
  (consecutive runs of the certificate's list, one max token m each), so that no theorem
  checks more than a few thousand arrangements.
* `Paths` is an untrusted witness: the path matrices of compute_paths as literal rows.
  `checkPathShapes` and `checkPathsGlobal/V/D/N` prove, row by row, that the witness equals
  the exact products of the aligned weights.  All later checks only read the witness.
* `CertOk` is the conjunction of every check, with the per-row and per-m checks written as
  `Every count (fun i => check i = true)`.  A generated module proves each conjunct, one
  theorem per index, by `decide +kernel`, and the final theorem `CertOk cert paths` just
  assembles those theorems (no recomputation).

Recursion and kernel depth (second reader's notes, checked against the Lean 4 sources):
* Every recursive def is structural.  Where the decreasing list is not the first argument
  (minList, maxFrom, colMaxFrom, sortedFrom, c0IncFrom, cellsIncFrom, posWeights, c0Sum, c0Loop,
  maxSkip, cellKs) the arguments before it are accumulators or counters, as in core's
  `List.foldl`: without a measure annotation Lean tries every varying parameter in turn
  (Lean/Elab/PreDefinition/Structural/FindRecArg.lean, `getRecArgInfos`) and settles on the list.
* An `&&` chain costs no kernel stack: `and true y` reduces to `y` and whnf continues in its
  loop, so a long chain of `&&` links is evaluated iteratively.  What costs kernel stack is
  nested unevaluated data, such as a deep tree of non-tail `+` (slotsSum, c0Sum, dot): each of
  those walks one row (at most V or n terms).  The per-index split serves parallelism and
  bounded kernel time and memory per theorem, not stack depth.
-/
set_option autoImplicit false

namespace MaxKCert

/-! ## Constants (replay.py) -/

/-- argument reduction e^x = (e^(x/2^j))^(2^j) with j at most this; exp arguments are capped
at F <= 4096 = 2^12 (replay: MAX_SQUARINGS). -/
def maxSquarings : Nat := 12
/-- resource guard on frac_bits (replay: MAX_FRAC_BITS). -/
def maxFracBits : Nat := 4096
/-- resource guard on taylor_terms (replay: MAX_TAYLOR_TERMS). -/
def maxTaylorTerms : Nat := 1024
/-- float32 values are multiples of 2^-149 (replay: F32_MIN_EXPONENT). -/
def f32MinExponent : Int := -149
/-- float32 values are below 2^128 (replay: F32_MAX_EXPONENT). -/
def f32MaxExponent : Int := 127
/-- resource guard on d_model (schema: MAX_D_MODEL). -/
def maxDModel : Nat := 1024
/-- resource guard on d_head (schema: MAX_D_HEAD). -/
def maxDHead : Nat := 1024
/-- V^n < 2^this (schema: MAX_N_INPUTS_BITS). -/
def maxNInputsBits : Nat := 14000
/-- V (V + n) F N_T <= this = 2^30, the size of the exp-table check (schema: MAX_EXP_WORK). -/
def maxExpWork : Nat := 1073741824
/-- at most this many shift vectors (schema: MAX_SHIFTS). -/
def maxShifts : Nat := 16
/-- every shift entry has |x| < 2^this (schema: MAX_SHIFT_BITS). -/
def maxShiftBits : Nat := 2048

/-! ## Certificate data -/

/-- One weight tensor: every value is `mantissa * 2^exponent`.  The rows are the certificate's
row-major mantissa list cut into rows of the last axis (a bias vector is a single row). -/
structure Tensor where
  exponent : Int
  rows : List (List Int)

/-- The twelve tensors, TransformerLens names, in the canonical order. -/
structure Weights where
  wE : Tensor
  wPos : Tensor
  wQ : Tensor
  wK : Tensor
  wV : Tensor
  wO : Tensor
  wU : Tensor
  bQ : Tensor
  bK : Tensor
  bV : Tensor
  bO : Tensor
  bU : Tensor

/-- One entry `[m, q, c, shift, mask]` of the certificate's `cells` list (`shift` indexes
`Cert.shifts`). -/
structure Cell where
  m : Nat
  q : Nat
  c : Nat
  shift : Nat
  mask : Nat

/-- The certificate (FORMAT.md keys; `strategy` is fixed to "cubic" by this checker and
`model_sha256` is check 2, Python only).  `c0` is grouped by m: V groups, group m holding the
`(m, q)` entries with that m.  `cells` is the certificate's list cut into `nCellParts`
consecutive non-empty parts, each of one max token m. -/
structure Cert where
  schemaVersion : Nat
  dVocab : Nat
  nCtx : Nat
  dModel : Nat
  dHead : Nat
  nInputs : Nat
  claimedCount : Nat
  fracBits : Nat
  taylorTerms : Nat
  weights : Weights
  sqrtLo : Nat
  sqrtHi : Nat
  eqkeLo : List (List Nat)
  eqkeHi : List (List Nat)
  eqkpLo : List (List Nat)
  eqkpHi : List (List Nat)
  orders : List (List Nat)
  shifts : List (List Int)
  c0 : List (List (Nat × Nat))
  cells : List (List Cell)
  nCellParts : Nat

/-- The witness for compute_paths (all at scale 2^(4 e0) except `vou` at 3 e0 and `kt`, `kp`
at 2 e0).  Untrusted: `checkPathShapes` and `checkPathsGlobal/V/D/N` verify every row. -/
structure Paths where
  eupu0 : List (List Int)
  bU : List Int
  bOV : List Int
  vou : List (List Int)
  evou0 : List (List Int)
  pvou : List (List Int)
  kt : List (List Int)
  kp : List (List Int)
  eqke : List (List Int)
  eqkp : List (List Int)

/-! ## Small integer helpers (replay: ceil_div, lex_less, matmul, dot, popcount) -/

/-- `0 ≤ a`. -/
def nonneg : Int → Bool
  | Int.ofNat _ => true
  | Int.negSucc _ => false

/-- `a ≤ b` on Int. -/
def ile (a b : Int) : Bool := nonneg (b - a)

/-- `a < b` on Int. -/
def ilt (a b : Int) : Bool := nonneg (b - a - 1)

/-- `a == b` on Int. -/
def ieq : Int → Int → Bool
  | Int.ofNat a, Int.ofNat b => Nat.beq a b
  | Int.negSucc a, Int.negSucc b => Nat.beq a b
  | _, _ => false

/-- `a < b` on Nat. -/
def nlt (a b : Nat) : Bool := Nat.ble (a + 1) b

/-- |a| as a Nat (Python's abs; bit_length(a) <= k iff |a| < 2^k). -/
def iabs : Int → Nat
  | Int.ofNat a => a
  | Int.negSucc a => a + 1

def imax (a b : Int) : Int := cond (ile a b) b a

def imin (a b : Int) : Int := cond (ile a b) a b

/-- `x << k` on Int (a left shift is a multiplication by 2^k). -/
def shl (x : Int) (k : Nat) : Int := x * Int.ofNat (2 ^ k)

/-- ceil(a / b) for b > 0 (replay: ceil_div). -/
def ceilDiv (a b : Nat) : Nat := (a + b - 1) / b

def len {α : Type} : List α → Nat
  | [] => 0
  | _ :: xs => len xs + 1

/-- `xs[k]`, or `d` past the end (never reached once the shapes are checked). -/
def nth {α : Type} (d : α) : List α → Nat → α
  | [], _ => d
  | x :: _, 0 => x
  | _ :: xs, k + 1 => nth d xs k

def takeN {α : Type} : Nat → List α → List α
  | 0, _ => []
  | _, [] => []
  | k + 1, x :: xs => x :: takeN k xs

def dropN {α : Type} : Nat → List α → List α
  | 0, xs => xs
  | _, [] => []
  | k + 1, _ :: xs => dropN k xs

def allRowsLen {α : Type} (k : Nat) : List (List α) → Bool
  | [] => true
  | r :: rs => Nat.beq (len r) k && allRowsLen k rs

/-- `M` has exactly `rows` rows of exactly `cols` entries. -/
def isShape {α : Type} (rows cols : Nat) (M : List (List α)) : Bool :=
  Nat.beq (len M) rows && allRowsLen cols M

def minList : Int → List Int → Int
  | acc, [] => acc
  | acc, x :: xs => minList (imin acc x) xs

def maxFrom : Int → List Int → Int
  | acc, [] => acc
  | acc, x :: xs => maxFrom (imax acc x) xs

/-- max of a non-empty row (replay: `mx = row[0]; for x in row: ...`). -/
def rowMax : List Int → Int
  | [] => 0
  | x :: xs => maxFrom x xs

def zeros : Nat → List Int
  | 0 => []
  | k + 1 => 0 :: zeros k

def vadd : List Int → List Int → List Int
  | a :: as, b :: bs => (a + b) :: vadd as bs
  | _, _ => []

def vsub : List Int → List Int → List Int
  | a :: as, b :: bs => (a - b) :: vsub as bs
  | _, _ => []

/-- `x - c` for every entry. -/
def vsubc (c : Int) : List Int → List Int
  | [] => []
  | x :: xs => (x - c) :: vsubc c xs

def vshl (k : Nat) : List Int → List Int
  | [] => []
  | x :: xs => shl x k :: vshl k xs

def mshl (k : Nat) : List (List Int) → List (List Int)
  | [] => []
  | r :: rs => vshl k r :: mshl k rs

/-- `acc + a * row`, entrywise (one step of the replay's matmul inner loop). -/
def vaxpy (a : Int) : List Int → List Int → List Int
  | x :: xs, y :: ys => (x + a * y) :: vaxpy a xs ys
  | _, _ => []

def vecMatAcc : List Int → List (List Int) → List Int → List Int
  | a :: as, r :: rs, acc => vecMatAcc as rs (vaxpy a acc r)
  | _, _, acc => acc

/-- The row vector `v` [k] times the matrix `M` [k][cols]: one row of the replay's matmul. -/
def vecMat (cols : Nat) (v : List Int) (M : List (List Int)) : List Int :=
  vecMatAcc v M (zeros cols)

def dot : List Int → List Int → Int
  | a :: as, b :: bs => a * b + dot as bs
  | _, _ => 0

/-- `[dot v r for r in M]`. -/
def dots (v : List Int) : List (List Int) → List Int
  | [] => []
  | r :: rs => dot v r :: dots v rs

/-- Equal lists of integers (same length, same entries). -/
def veq : List Int → List Int → Bool
  | [], [] => true
  | a :: as, b :: bs => ieq a b && veq as bs
  | _, _ => false

def headD : List Int → Int
  | [] => 0
  | x :: _ => x

def tailL : List Int → List Int
  | [] => []
  | _ :: xs => xs

def heads : List (List Int) → List Int
  | [] => []
  | r :: rs => headD r :: heads rs

def tails : List (List Int) → List (List Int)
  | [] => []
  | r :: rs => tailL r :: tails rs

def popcount : Nat → Nat → Nat
  | 0, _ => 0
  | f + 1, x => x % 2 + popcount f (x / 2)

/-- The binomial coefficient C(n, k) (replay: math.comb), by C(n, k+1) = C(n, k) (n-k) / (k+1). -/
def choose (n : Nat) : Nat → Nat
  | 0 => 1
  | k + 1 => choose n k * (n - k) / (k + 1)

/-! ## 1. check_header -/

def tensorShapeOk (t : Tensor) (rows cols : Nat) : Bool := isShape rows cols t.rows

def allSmall (k : Nat) : List Int → Bool
  | [] => true
  | x :: xs => nlt (iabs x) (2 ^ k) && allSmall k xs

def allRowsSmall (k : Nat) : List (List Int) → Bool
  | [] => true
  | r :: rs => allSmall k r && allRowsSmall k rs

/-- 1..16 shift vectors of V entries, each entry of bit length <= 2048. -/
def shiftsOk (V : Nat) (zs : List (List Int)) : Bool :=
  Nat.ble 1 (len zs) && Nat.ble (len zs) maxShifts && allRowsLen V zs &&
    allRowsSmall maxShiftBits zs

/-- Check 1: schema v2, V >= 2 (a wrong answer exists, so every max over y != m below is over a
non-empty set), n, d, h >= 1, the budget (d, h, V^n, the exp-table work V (V + n) F N_T),
n_inputs = V^n, F and N_T in range, every tensor and table of the declared shape, the shifts,
V groups of c0 entries and `nCellParts` parts of cells. -/
def checkHeader (c : Cert) : Bool :=
  let V := c.dVocab
  let n := c.nCtx
  let d := c.dModel
  let h := c.dHead
  let w := c.weights
  Nat.beq c.schemaVersion 2 &&
    Nat.ble 2 V && Nat.ble 1 n && Nat.ble 1 d && Nat.ble 1 h &&
    Nat.ble d maxDModel && Nat.ble h maxDHead &&
    nlt (V ^ n) (2 ^ maxNInputsBits) &&
    Nat.beq c.nInputs (V ^ n) &&
    Nat.ble 1 c.fracBits && Nat.ble c.fracBits maxFracBits &&
    Nat.ble 1 c.taylorTerms && Nat.ble c.taylorTerms maxTaylorTerms &&
    Nat.ble (V * (V + n) * c.fracBits * c.taylorTerms) maxExpWork &&
    tensorShapeOk w.wE V d && tensorShapeOk w.wPos n d &&
    tensorShapeOk w.wQ d h && tensorShapeOk w.wK d h && tensorShapeOk w.wV d h &&
    tensorShapeOk w.wO h d && tensorShapeOk w.wU d V &&
    tensorShapeOk w.bQ 1 h && tensorShapeOk w.bK 1 h && tensorShapeOk w.bV 1 h &&
    tensorShapeOk w.bO 1 d && tensorShapeOk w.bU 1 V &&
    isShape V V c.eqkeLo && isShape V V c.eqkeHi &&
    isShape V n c.eqkpLo && isShape V n c.eqkpHi &&
    isShape V (n - 1) c.orders &&
    shiftsOk V c.shifts &&
    Nat.beq (len c.c0) V && Nat.beq (len c.cells) c.nCellParts

/-! ## 2. check_float32 + weights_sha256: Python replay only.  The exponent range, the one
part of check_float32 that bounds every shift below, is repeated here. -/

def exponentOk (t : Tensor) : Bool :=
  ile f32MinExponent t.exponent && ile t.exponent f32MaxExponent

/-- The exponent range of check_float32: -149 <= e <= 127 for every tensor. -/
def checkExponentRange (w : Weights) : Bool :=
  exponentOk w.wE && exponentOk w.wPos && exponentOk w.wQ && exponentOk w.wK &&
    exponentOk w.wV && exponentOk w.wO && exponentOk w.wU && exponentOk w.bQ &&
    exponentOk w.bK && exponentOk w.bV && exponentOk w.bO && exponentOk w.bU

/-! ## 3. align_weights -/

/-- Every tensor as integers at the common scale 2^e0, e0 = min(0, min exponent); z = -e0.
Matrices are lists of rows (the head axis of size 1 dropped); biases are vectors. -/
structure Aligned where
  z : Nat
  wE : List (List Int)
  wPos : List (List Int)
  wQ : List (List Int)
  wK : List (List Int)
  wV : List (List Int)
  wO : List (List Int)
  wU : List (List Int)
  bQ : List Int
  bK : List Int
  bV : List Int
  bO : List Int
  bU : List Int

/-- `mantissa << (e - e0)` for every entry. -/
def alignTensor (e0 : Int) (t : Tensor) : List (List Int) :=
  mshl (Int.toNat (t.exponent - e0)) t.rows

/-- Check 3 (replay: align_weights). -/
def alignWeights (w : Weights) : Aligned :=
  let e0 := minList 0 [w.wE.exponent, w.wPos.exponent, w.wQ.exponent, w.wK.exponent,
    w.wV.exponent, w.wO.exponent, w.wU.exponent, w.bQ.exponent, w.bK.exponent,
    w.bV.exponent, w.bO.exponent, w.bU.exponent]
  { z := Int.toNat (0 - e0),
    wE := alignTensor e0 w.wE,
    wPos := alignTensor e0 w.wPos,
    wQ := alignTensor e0 w.wQ,
    wK := alignTensor e0 w.wK,
    wV := alignTensor e0 w.wV,
    wO := alignTensor e0 w.wO,
    wU := alignTensor e0 w.wU,
    bQ := nth [] (alignTensor e0 w.bQ) 0,
    bK := nth [] (alignTensor e0 w.bK) 0,
    bV := nth [] (alignTensor e0 w.bV) 0,
    bO := nth [] (alignTensor e0 w.bO) 0,
    bU := nth [] (alignTensor e0 w.bU) 0 }

/-! ## 4. compute_paths, verified row by row against the witness -/

/-- Eq[q] = W_E[q] + W_pos[n-1] (scale e0). -/
def eqRow (A : Aligned) (n q : Nat) : List Int :=
  vadd (nth [] A.wE q) (nth [] A.wPos (n - 1))

/-- Qv[q] = Eq[q] W_Q + (b_Q << z) (scale 2 e0). -/
def qvRow (A : Aligned) (h : Nat) (eqq : List Int) : List Int :=
  vadd (vecMat h eqq A.wQ) (vshl A.z A.bQ)

/-- The witness has the shapes of compute_paths' matrices. -/
def checkPathShapes (c : Cert) (P : Paths) : Bool :=
  let V := c.dVocab
  let n := c.nCtx
  let d := c.dModel
  let h := c.dHead
  isShape V V P.eupu0 && Nat.beq (len P.bU) V && Nat.beq (len P.bOV) V &&
    isShape d V P.vou && isShape V V P.evou0 && isShape n V P.pvou &&
    isShape V h P.kt && isShape n h P.kp && isShape V V P.eqke && isShape V n P.eqkp

/-- bU = b_U << 3z;  bOV = ((b_V W_O) + (b_O << z)) W_U << z. -/
def checkPathsGlobal (c : Cert) (P : Paths) : Bool :=
  let A := alignWeights c.weights
  let bVO := vecMat c.dModel A.bV A.wO
  veq P.bU (vshl (3 * A.z) A.bU) &&
    veq P.bOV (vshl A.z (vecMat c.dVocab (vadd bVO (vshl A.z A.bO)) A.wU))

/-- Row k < V of every V-row matrix: EUPU0[k] = (Eq W_U)[k] << 2z, EVOU0[k] = W_E[k] VOU,
Kt[k] = W_E[k] W_K + (b_K << z), EQKE[k] = Qv[k] . Kt, EQKP[k] = Qv[k] . Kp. -/
def checkPathsV (c : Cert) (P : Paths) (k : Nat) : Bool :=
  let A := alignWeights c.weights
  let eqk := eqRow A c.nCtx k
  let qvk := qvRow A c.dHead eqk
  veq (nth [] P.eupu0 k) (vshl (2 * A.z) (vecMat c.dVocab eqk A.wU)) &&
    veq (nth [] P.evou0 k) (vecMat c.dVocab (nth [] A.wE k) P.vou) &&
    veq (nth [] P.kt k) (vadd (vecMat c.dHead (nth [] A.wE k) A.wK) (vshl A.z A.bK)) &&
    veq (nth [] P.eqke k) (dots qvk P.kt) &&
    veq (nth [] P.eqkp k) (dots qvk P.kp)

/-- Row i < d of VOU = (W_V W_O) W_U (scale 3 e0). -/
def checkPathsD (c : Cert) (P : Paths) (i : Nat) : Bool :=
  let A := alignWeights c.weights
  veq (nth [] P.vou i) (vecMat c.dVocab (vecMat c.dModel (nth [] A.wV i) A.wO) A.wU)

/-- Row p < n of PVOU = W_pos VOU and of Kp = W_pos W_K. -/
def checkPathsN (c : Cert) (P : Paths) (p : Nat) : Bool :=
  let A := alignWeights c.weights
  veq (nth [] P.pvou p) (vecMat c.dVocab (nth [] A.wPos p) P.vou) &&
    veq (nth [] P.kp p) (vecMat c.dHead (nth [] A.wPos p) A.wK)

/-! ## 5. check_sqrt -/

/-- Check 5: 0 < s_lo <= s_hi, s_lo^2 <= h 4^F <= s_hi^2. -/
def checkSqrt (sLo sHi h F : Nat) : Bool :=
  Nat.ble 1 sLo && Nat.ble sLo sHi &&
    Nat.ble (sLo * sLo) (h * 2 ^ (2 * F)) && Nat.ble (h * 2 ^ (2 * F)) (sHi * sHi)

/-! ## 6. exp_reduction, exp_lower, exp_upper, check_exp_neg, check_exp_tables -/

def expReductionFrom (num den : Nat) : Nat → Nat → Option Nat
  | 0, _ => none
  | fuel + 1, j => cond (Nat.ble num (den * 2 ^ j)) (some j) (expReductionFrom num den fuel (j + 1))

/-- Smallest j in 0..12 with num <= den 2^j; none if there is none or den = 0. -/
def expReduction (num den : Nat) : Option Nat :=
  cond (Nat.beq den 0) none (expReductionFrom num den (maxSquarings + 1) 0)

/-- Taylor terms rounded down: t_i = floor(t_(i-1) r / (i 2^F)), summed. -/
def taylorLower (F r : Nat) : Nat → Nat → Nat → Nat → Nat
  | 0, _, _, total => total
  | fuel + 1, i, t, total =>
    let t' := t * r / (i * 2 ^ F)
    taylorLower F r fuel (i + 1) t' (total + t')

/-- j times L <- floor(L^2 / 2^F). -/
def squareDown (F : Nat) : Nat → Nat → Nat
  | 0, x => x
  | k + 1, x => squareDown F k (x * x / 2 ^ F)

/-- L with L/2^F <= e^(num/den), or none when num/den is out of range. -/
def expLower (num den F NT : Nat) : Option Nat :=
  match expReduction num den with
  | none => none
  | some j =>
    let r := num * 2 ^ F / (den * 2 ^ j)
    some (squareDown F j (taylorLower F r (NT - 1) 1 (2 ^ F) (2 ^ F)))

/-- Taylor terms rounded up: t_i = ceil(t_(i-1) r / (i 2^F)); the last one (i = N_T) counted
twice, for the remainder of the series. -/
def taylorUpper (F r NT : Nat) : Nat → Nat → Nat → Nat → Nat
  | 0, _, _, total => total
  | fuel + 1, i, t, total =>
    let t' := ceilDiv (t * r) (i * 2 ^ F)
    taylorUpper F r NT fuel (i + 1) t' (cond (Nat.beq i NT) (total + 2 * t') (total + t'))

/-- j times H <- ceil(H^2 / 2^F). -/
def squareUp (F : Nat) : Nat → Nat → Nat
  | 0, x => x
  | k + 1, x => squareUp F k (ceilDiv (x * x) (2 ^ F))

/-- H with e^(num/den) <= H/2^F, or none when num/den is out of range. -/
def expUpper (num den F NT : Nat) : Option Nat :=
  match expReduction num den with
  | none => none
  | some j =>
    let r := ceilDiv (num * 2 ^ F) (den * 2 ^ j)
    some (squareUp F j (taylorUpper F r NT NT 1 (2 ^ F) (2 ^ F)))

/-- lo H <= 4^F, i.e. lo/2^F <= 2^F/H <= e^(-y). -/
def upperOk (lo F : Nat) : Option Nat → Bool
  | some H => Nat.ble (lo * H) (2 ^ (2 * F))
  | none => false

/-- hi L >= 4^F, i.e. e^(-y) <= 2^F/L <= hi/2^F. -/
def lowerOk (hi F : Nat) : Option Nat → Bool
  | some L => Nat.ble (2 ^ (2 * F)) (hi * L)
  | none => false

/-- min(y, F) as a (num, den) pair. -/
def capArg (F : Nat) (y : Nat × Nat) : Nat × Nat :=
  cond (Nat.ble y.1 (F * y.2)) y (F, 1)

/-- lo/2^F <= e^(-yB) and e^(-yA) <= hi/2^F for yA = (na, da), yB = (nb, db) (numerators are
Nat, so >= 0; denominators must be positive).  Arguments are capped at F (e^-F 2^F < 1): lo != 0
needs yB <= F, and hi is checked against e^-min(yA, F). -/
def checkExpNeg (lo hi : Nat) (yA yB : Nat × Nat) (F NT : Nat) : Bool :=
  let ya := capArg F yA
  Nat.ble 1 yA.2 && Nat.ble 1 yB.2 &&
    (Nat.beq lo 0 || (Nat.ble yB.1 (F * yB.2) && upperOk lo F (expUpper yB.1 yB.2 F NT))) &&
    lowerOk hi F (expLower ya.1 ya.2 F NT)

/-- Every entry of one table row: x = S[q,t] - max_t S[q,t] <= 0, y = (-x) 2^(4 e0) / sqrt h in
[yA, yB] = [((-x) << F) / (s_hi << 4z), ((-x) << F) / (s_lo << 4z)]. -/
def expEntriesOk (mx : Int) (sLo sHi z F NT : Nat) : List Int → List Nat → List Nat → Bool
  | x :: xs, lo :: los, hi :: his =>
    let negx := Int.toNat (mx - x)
    checkExpNeg lo hi (negx * 2 ^ F, sHi * 2 ^ (4 * z)) (negx * 2 ^ F, sLo * 2 ^ (4 * z)) F NT &&
      expEntriesOk mx sLo sHi z F NT xs los his
  | [], [], [] => true
  | _, _, _ => false

/-- Check 6 for row q of exp_eqke (against EQKE[q]) and of exp_eqkp (against EQKP[q]). -/
def checkExpRow (c : Cert) (P : Paths) (q : Nat) : Bool :=
  let z := (alignWeights c.weights).z
  let er := nth [] P.eqke q
  let pr := nth [] P.eqkp q
  expEntriesOk (rowMax er) c.sqrtLo c.sqrtHi z c.fracBits c.taylorTerms er
      (nth [] c.eqkeLo q) (nth [] c.eqkeHi q) &&
    expEntriesOk (rowMax pr) c.sqrtLo c.sqrtHi z c.fracBits c.taylorTerms pr
      (nth [] c.eqkpLo q) (nth [] c.eqkpHi q)

/-! ## 7. check_orders -/

def allLt (b : Nat) : List Nat → Bool
  | [] => true
  | p :: ps => nlt p b && allLt b ps

def notMem (p : Nat) : List Nat → Bool
  | [] => true
  | x :: xs => !(Nat.beq x p) && notMem p xs

def noDup : List Nat → Bool
  | [] => true
  | p :: ps => notMem p ps && noDup ps

def sortedFrom (row : List Int) (prev : Nat) : List Nat → Bool
  | [] => true
  | b :: rest => ile (nth 0 row prev) (nth 0 row b) && sortedFrom row b rest

/-- EQKP[q, o[i]] <= EQKP[q, o[i+1]] for every i. -/
def sortedBy (row : List Int) : List Nat → Bool
  | [] => true
  | a :: rest => sortedFrom row a rest

/-- o is a permutation of 0..n-2 (n-1 distinct entries below n-1) sorted by EQKP[q, .]. -/
def orderRowOk (n : Nat) (o : List Nat) (eqkpRow : List Int) : Bool :=
  Nat.beq (len o) (n - 1) && allLt (n - 1) o && noDup o && sortedBy eqkpRow o

def ordersOk (n : Nat) : List (List Nat) → List (List Int) → Bool
  | o :: os, r :: rs => orderRowOk n o r && ordersOk n os rs
  | [], [] => true
  | _, _ => false

/-- Check 7. -/
def checkOrders (c : Cert) (P : Paths) : Bool := ordersOk c.nCtx c.orders P.eqkp

/-! ## 8. ub, c0_entry_ok, check_c0 -/

/-- Upper bound of w z over w in [wlo, whi], wlo >= 0: whi z if z >= 0, else wlo z. -/
def ub (wlo whi : Nat) (z : Int) : Int :=
  cond (nonneg z) (Int.ofNat whi * z) (Int.ofNat wlo * z)

/-- X[., y] - X[., m] for every y. -/
def centre (row : List Int) (m : Nat) : List Int := vsubc (nth 0 row m) row

def centreRows (m : Nat) : List (List Int) → List (List Int)
  | [] => []
  | r :: rs => centre r m :: centreRows m rs

/-- [wlo_i, whi_i] = [elo[q,t_i] plo[q,i], ehi[q,t_i] phi[q,i]] for positions i = 0..n-1, with
t_i = m for i < n-1 and t_(n-1) = q. -/
def posWeights (elom ehim eloq ehiq n : Nat) : Nat → List Nat → List Nat → List (Nat × Nat)
  | i, pl :: pls, ph :: phs =>
    cond (Nat.beq (i + 1) n) (eloq * pl, ehiq * ph) (elom * pl, ehim * ph) ::
      posWeights elom ehim eloq ehiq n (i + 1) pls phs
  | _, _, _ => []

/-- sum_i ub(w_i, Z_i[y]), Z_i[y] = EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]. -/
def c0Sum (n : Nat) (du vm vq : Int) : Nat → List (Nat × Nat) → List Int → Int
  | i, w :: ws, dp :: dps =>
    ub w.1 w.2 (du + cond (Nat.beq (i + 1) n) vq vm + dp) + c0Sum n du vm vq (i + 1) ws dps
  | _, _, _ => 0

/-- For every y != m: the sum is < 0.  The lists are EUPU'[q,.], EVOU'[m,.], EVOU'[q,.] and
the rows PVOU'[i,.], walked together over y. -/
def c0Loop (m n : Nat) (ws : List (Nat × Nat)) :
    Nat → List Int → List Int → List Int → List (List Int) → Bool
  | y, du :: dus, vm :: vms, vq :: vqs, dps =>
    (Nat.beq y m || ilt (c0Sum n du vm vq 0 ws (heads dps)) 0) &&
      c0Loop m n ws (y + 1) dus vms vqs (tails dps)
  | _, [], [], [], _ => true
  | _, _, _, _, _ => false

/-- The c = 0 input (m, ..., m, q) is correct: for every y != m, sum_i ub(w_i, Z_i[y]) < 0,
with the full-bias EUPU = EUPU0 + bU and EVOU = EVOU0 + bOV. -/
def c0EntryOk (m q : Nat) (P : Paths) (elo ehi plo phi : List (List Nat)) (n : Nat) : Bool :=
  let eloq := nth [] elo q
  let ehiq := nth [] ehi q
  let ws := posWeights (nth 0 eloq m) (nth 0 ehiq m) (nth 0 eloq q) (nth 0 ehiq q) n 0
    (nth [] plo q) (nth [] phi q)
  c0Loop m n ws 0 (centre (vadd (nth [] P.eupu0 q) P.bU) m)
    (centre (vadd (nth [] P.evou0 m) P.bOV) m) (centre (vadd (nth [] P.evou0 q) P.bOV) m)
    (centreRows m P.pvou)

/-- (m, q) < (m', q') lexicographically (replay: lex_less on [m, q]). -/
def lexLess2 (a b : Nat × Nat) : Bool :=
  nlt a.1 b.1 || (Nat.beq a.1 b.1 && nlt a.2 b.2)

def c0IncFrom (prev : Nat × Nat) : List (Nat × Nat) → Bool
  | [] => true
  | e :: es => lexLess2 prev e && c0IncFrom e es

def c0Increasing : List (Nat × Nat) → Bool
  | [] => true
  | e :: es => c0IncFrom e es

/-- Every entry of group m has that m, 0 <= q <= m < V, q == m if n == 1 (the input
(m, ..., m, q) must contain m: for n = 1 it is just (q)), and a correct c = 0 input. -/
def c0GroupOk (P : Paths) (elo ehi plo phi : List (List Nat)) (V n m : Nat) :
    List (Nat × Nat) → Bool
  | [] => true
  | e :: es =>
    Nat.beq e.1 m && Nat.ble e.2 e.1 && nlt e.1 V && (Nat.beq e.2 e.1 || Nat.ble 2 n) &&
      c0EntryOk e.1 e.2 P elo ehi plo phi n && c0GroupOk P elo ehi plo phi V n m es

/-- Check 8 for the entries with max token m (group m). -/
def checkC0At (c : Cert) (P : Paths) (m : Nat) : Bool :=
  let g := nth [] c.c0 m
  c0Increasing g && c0GroupOk P c.eqkeLo c.eqkeHi c.eqkpLo c.eqkpHi c.dVocab c.nCtx m g

/-! ## 9. shift_matrices, split_maxima, arrangement_slots, slots_sum, cell_k_ok,
check_cells -/

/-- Dir[r] = EUPU[r] + Zs = (EUPU0[r] + bU) + Zs (replay: shift_matrices). -/
def shiftDir (Zs row bU : List Int) : List Int := vadd (vadd row bU) Zs

/-- Ov[r] = EVOU[r] - Zs = (EVOU0[r] + bOV) - Zs (replay: shift_matrices). -/
def shiftOv (Zs row bOV : List Int) : List Int := vsub (vadd row bOV) Zs

def optMax : Option Int → Int → Int
  | none, x => x
  | some a, x => imax a x

def maxSkip (m : Nat) : Nat → Option Int → List Int → Option Int
  | _, acc, [] => acc
  | y, acc, x :: xs => maxSkip m (y + 1) (cond (Nat.beq y m) acc (some (optMax acc x))) xs

def optGet : Option Int → Int
  | some a => a
  | none => 0

/-- max over y != m of row[y] (V >= 2 by checkHeader, so the set is not empty). -/
def maxExcept (m : Nat) (row : List Int) : Int := optGet (maxSkip m 0 none row)

/-- U[r] = max_{y != m} (Dir[r,y] - Dir[r,m]) for every row r. -/
def uList (Zs : List Int) (m : Nat) (bU : List Int) : List (List Int) → List Int
  | [] => []
  | r :: rs => maxExcept m (centre (shiftDir Zs r bU) m) :: uList Zs m bU rs

/-- E[r] = max_{y != m} (Ov[r,y] - Ov[r,m] + P[y]) for every row r. -/
def eList (Zs : List Int) (m : Nat) (bOV Pm : List Int) : List (List Int) → List Int
  | [] => []
  | r :: rs => maxExcept m (vadd (centre (shiftOv Zs r bOV) m) Pm) :: eList Zs m bOV Pm rs

/-- max(a, b), entrywise. -/
def vmax : List Int → List Int → List Int
  | a :: as, b :: bs => imax a b :: vmax as bs
  | _, _ => []

def colMaxFrom (acc : List Int) : List (List Int) → List Int
  | [] => acc
  | r :: rs => colMaxFrom (vmax acc r) rs

/-- P[y] = max_p (PVOU[p,y] - PVOU[p,m]). -/
def pMax (pvou : List (List Int)) (m : Nat) : List Int :=
  match centreRows m pvou with
  | [] => []
  | r :: rs => colMaxFrom r rs

/-- (U, E) for max token m and shift vector Zs. -/
def splitMaxima (P : Paths) (Zs : List Int) (m : Nat) : List Int × List Int :=
  (uList Zs m P.bU P.eupu0, eList Zs m P.bOV (pMax P.pvou m) P.evou0)

/-- splitMaxima for every shift vector, in order (only the ones a cell asks for are reduced). -/
def shiftMaxima (P : Paths) (m : Nat) : List (List Int) → List (List Int × List Int)
  | [] => []
  | Zs :: rest => splitMaxima P Zs m :: shiftMaxima P m rest

/-- (Mslots, Kslots): low puts m on the n-1-c lowest-EQKP slots, high on the highest. -/
def arrangementSlots (o : List Nat) (c : Nat) (high : Bool) : List Nat × List Nat :=
  let r := len o - c
  cond high (dropN c o, takeN c o) (takeN r o, dropN r o)

/-- sum over slots i of ub(w(t, i), g), w(t, i) = [elo[q,t] plo[q,i], ehi[q,t] phi[q,i]]. -/
def slotsSum (eloT ehiT : Nat) (plo phi : List Nat) (g : Int) : List Nat → Int
  | [] => 0
  | i :: rest => ub (eloT * nth 0 plo i) (ehiT * nth 0 phi i) g + slotsSum eloT ehiT plo phi g rest

/-- One sorted arrangement of the pure input (c copies of k) has a negative sum.
em, ek, eq are (elo, ehi)[q, t] for t = m, k, q; gm, gk, gq are g(m), g(k), g(q). -/
def arrangementOk (c n : Nat) (o plo phi : List Nat) (em ek eq : Nat × Nat) (gm gk gq : Int)
    (high : Bool) : Bool :=
  let sl := arrangementSlots o c high
  ilt (slotsSum em.1 em.2 plo phi gm sl.1 + slotsSum ek.1 ek.2 plo phi gk sl.2 +
    slotsSum eq.1 eq.2 plo phi gq [n - 1]) 0

/-- Both sorted arrangements (low, then high) are negative (replay: cell_k_ok is None). -/
def cellKOk (c n : Nat) (o plo phi : List Nat) (em ek eq : Nat × Nat) (gm gk gq : Int) : Bool :=
  arrangementOk c n o plo phi em ek eq gm gk gq false &&
    arrangementOk c n o plo phi em ek eq gm gk gq true

/-- For every k with bit k of mask set: cellKOk.  Walks E[k], elo[q,k], ehi[q,k] together. -/
def cellKs (c n : Nat) (o plo phi : List Nat) (em eq : Nat × Nat) (gm gq uq : Int) :
    Nat → List Int → List Nat → List Nat → Bool
  | mask, e :: es, lo :: los, hi :: his =>
    (Nat.beq (mask % 2) 0 || cellKOk c n o plo phi em (lo, hi) eq gm (uq + e) gq) &&
      cellKs c n o plo phi em eq gm gq uq (mask / 2) es los his
  | _, _, _, _ => true

/-- The range conditions of one cell of a part with max token m: the shift index is below
len(shifts) and the mask is not empty (1 <= mask < 2^m). -/
def cellHeaderOk (c : Cert) (m : Nat) (x : Cell) : Bool :=
  let cmax := cond (nlt x.q x.m) (c.nCtx - 2) (c.nCtx - 1)
  Nat.beq x.m m && Nat.ble x.q x.m && nlt x.m c.dVocab && Nat.ble 1 x.c && Nat.ble x.c cmax &&
    nlt x.shift (len c.shifts) && Nat.ble 1 x.mask && nlt x.mask (2 ^ x.m)

def noMaxima : List Int × List Int := ([], [])

/-- Every k in S passes cellKOk, with U, E the split maxima of the cell's shift vector. -/
def cellBody (c : Cert) (maxima : List (List Int × List Int)) (m : Nat) (x : Cell) : Bool :=
  let UE := nth noMaxima maxima x.shift
  let uq := nth 0 UE.1 x.q
  let elo := nth [] c.eqkeLo x.q
  let ehi := nth [] c.eqkeHi x.q
  cellKs x.c c.nCtx (nth [] c.orders x.q) (nth [] c.eqkpLo x.q) (nth [] c.eqkpHi x.q)
    (nth 0 elo m, nth 0 ehi m) (nth 0 elo x.q, nth 0 ehi x.q)
    (uq + nth 0 UE.2 m) (uq + nth 0 UE.2 x.q) uq x.mask UE.2 elo ehi

def cellsGroupOk (c : Cert) (maxima : List (List Int × List Int)) (m : Nat) : List Cell → Bool
  | [] => true
  | x :: xs => cellHeaderOk c m x && cellBody c maxima m x && cellsGroupOk c maxima m xs

/-- (m, q, c) < (m', q', c') lexicographically. -/
def lexLess3 (a b : Cell) : Bool :=
  nlt a.m b.m || (Nat.beq a.m b.m && (nlt a.q b.q || (Nat.beq a.q b.q && nlt a.c b.c)))

def cellsIncFrom (prev : Cell) : List Cell → Bool
  | [] => true
  | x :: xs => lexLess3 prev x && cellsIncFrom x xs

def cellsIncreasing : List Cell → Bool
  | [] => true
  | x :: xs => cellsIncFrom x xs

/-- The last cell of a part (`d` for an empty part, which checkCellsAt rejects anyway). -/
def lastCell : Cell → List Cell → Cell
  | d, [] => d
  | _, x :: xs => lastCell x xs

/-- The first cell of part j comes after the last cell of part j - 1 (so the parts, in order,
are one strictly increasing list, as the replay demands of the whole list). -/
def afterPrevious (c : Cert) (j : Nat) (x : Cell) : Bool :=
  match j with
  | 0 => true
  | i + 1 => lexLess3 (lastCell x (nth [] c.cells i)) x

/-- Check 9 for part j of the cells: not empty, one max token m (its first cell's), strictly
increasing and after part j - 1, and every cell proved, with the split maxima of each shift
vector computed once for this part. -/
def checkCellsAt (c : Cert) (P : Paths) (j : Nat) : Bool :=
  match nth [] c.cells j with
  | [] => false
  | x :: xs =>
    let maxima := shiftMaxima P x.m c.shifts
    afterPrevious c j x && cellsIncreasing (x :: xs) && cellsGroupOk c maxima x.m (x :: xs)

/-! ## 10. check_count -/

/-- C(n-1, c) |S|^c; the popcount fuel m is enough because checkCellsAt proves mask < 2^m. -/
def cellCount (n : Nat) (x : Cell) : Nat := choose (n - 1) x.c * popcount x.m x.mask ^ x.c

def groupCount (n : Nat) : List Cell → Nat
  | [] => 0
  | x :: xs => cellCount n x + groupCount n xs

def cellsCount (n : Nat) : List (List Cell) → Nat
  | [] => 0
  | g :: gs => groupCount n g + cellsCount n gs

def c0Count : List (List (Nat × Nat)) → Nat
  | [] => 0
  | g :: gs => len g + c0Count gs

/-- Check 10: claimed_count == len(c0) + sum over cells of C(n-1, c) popcount(mask)^c. -/
def checkCount (c : Cert) : Bool :=
  Nat.beq c.claimedCount (c0Count c.c0 + cellsCount c.nCtx c.cells)

/-! ## Everything together -/

/-- `Every k f` is `f 0 ∧ f 1 ∧ ... ∧ f (k-1)`, nested to the left:
`Every (k+1) f = Every k f ∧ f k`.  Main.lean proves `Every 64 f` by the nested anonymous
constructor `⟨⟨...⟨True.intro, h0⟩, ...⟩, h63⟩`: the elaborator puts the expected type in whnf
(default transparency), which unfolds `Every (k+1) f` on a numeral to `Every k f ∧ f k`. -/
def Every : Nat → (Nat → Prop) → Prop
  | 0, _ => True
  | k + 1, f => Every k f ∧ f k

/-- The certificate `c` passes checks 1 and 3..10 of pipeline/certificate/FORMAT.md, with the
path matrices of check 4 supplied by the witness `P` and verified row by row against the
aligned weights (so `P` is exactly compute_paths of these weights).  Check 2 (float32 values,
sha256) is the Python replay's; its exponent range is repeated here.  In replay order:
1 header; 2 exponent range; 3-4 align_weights and compute_paths (shapes, the bias vectors,
rows k < V, rows i < d of VOU, rows p < n); 5 sqrt; 6 exp tables (row q); 7 orders;
8 c0 (group m); 9 cells (part j); 10 count. -/
def CertOk (c : Cert) (P : Paths) : Prop :=
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
  Every c.nCellParts (fun j => checkCellsAt c P j = true) ∧
  checkCount c = true

end MaxKCert
