/**
 * Smoothed-aggregation algebraic multigrid (SA-AMG; Vaněk, Mandel & Brezina
 * 1996) for elasticity, used as a {@link Preconditioner} for PCG.
 *
 * Setup, per level ℓ with matrix A_ℓ and near-null space B_ℓ (rigid modes):
 * 1. strength of connection between DOF blocks (nodes):
 *    I–J strong ⇔ ‖A_IJ‖_F ≥ θ·√(‖A_II‖_F·‖A_JJ‖_F);
 * 2. greedy 3-pass aggregation of the strong block graph (deterministic);
 * 3. tentative prolongator: per aggregate, thin QR of B restricted to its
 *    DOFs, B_agg = Q·R; P_tent holds Q, B_{ℓ+1} holds R (dependent columns
 *    dropped, so P_tent always has full column rank);
 * 4. prolongator smoothing P = (I − ω·D⁻¹A)·P_tent, ω = 4/(3·ρ(D⁻¹A));
 * 5. Galerkin coarse operator A_{ℓ+1} = Pᵀ·A·P.
 * The coarsest level (≤ maxCoarseSize rows) is factorised by dense Cholesky.
 *
 * Cycle: a V-cycle with Chebyshev smoothing (polynomial in D⁻¹A on
 * [ρ/30, 1.1·ρ]): no triangular solves (GPU-friendly), and the same
 * symmetric polynomial before and after the coarse correction, so the cycle
 * is a symmetric positive definite operator, as PCG requires.
 *
 * Load independence: the hierarchy depends only on the matrix and the
 * near-null space, never on a right-hand side; one preconditioner serves
 * every load case of a prepared model (rebuild it only when K changes,
 * e.g. when tension-only springs switch).
 */
import { mulberry32 } from '@spinefea/mesh';
import { sbsr3FromCsr, sbsr3Spmv, type Sbsr3Matrix } from '../../linalg/bsr3.js';
import { DimensionMismatchError, NonFiniteInputError, UnconstrainedModelError } from '../../errors.js';
import { csrTranspose } from '../../linalg/csr.js';
import type { CsrMatrix, Preconditioner } from '../../linalg/types.js';
import { galerkinProduct, smoothedProlongatorVbsr, vbsrToCsr } from './galerkin.js';

/** Options of {@link smoothedAggregationAmg}. */
export interface AmgOptions {
  /**
   * DOF blocks of the fine matrix: block b spans DOFs `blockPtr[b] .. blockPtr[b+1]−1`
   * (a node's 1–3 free DOFs, a reference node's ≤ 6). Length `blocks + 1`,
   * `blockPtr[0] = 0`, last entry `A.rows`.
   */
  blockPtr: Uint32Array;
  /** Near-null space B, row-major `A.rows × nullSpaceDim` (e.g. {@link reducedRigidBodyModes}). */
  nearNullSpace: Float64Array;
  /** Columns of B: 6 for 3-D elasticity (3 translations + 3 rotations). */
  nullSpaceDim: number;
  /** Strength threshold θ of the block strength test on the finest level (halved on each coarser level). Default 0.08. */
  strengthThreshold?: number;
  /**
   * Smoother: 'chebyshev' (default; polynomial in D⁻¹A on [ρ/30, 1.1ρ]) or 'jacobi'
   * (`chebyshevDegree` damped Jacobi sweeps, ω = 2/(ρ/30 + 1.1ρ)). Both are symmetric.
   */
  smoother?: 'chebyshev' | 'jacobi';
  /** Chebyshev polynomial degree (SpMVs per smoothing step). Default 2. */
  chebyshevDegree?: number;
  /** Levels with at most this many rows are solved by dense Cholesky. Default 600. */
  maxCoarseSize?: number;
  /** Maximum number of levels (including the finest). Default 12. */
  maxLevels?: number;
  /** Prolongator damping numerator: ω = prolongatorDamping / ρ(D⁻¹A). Default 4/3. */
  prolongatorDamping?: number;
  /** Lanczos steps for the spectral radius estimates. Default 20. */
  lanczosSteps?: number;
}

/** Size of one level of the hierarchy. */
export interface AmgLevelInfo {
  /** Rows (DOFs) of the level's operator. */
  rows: number;
  /** Stored nonzeros of the level's operator. */
  nnz: number;
  /** DOF blocks of the level (nodes on the finest, aggregates below). */
  blocks: number;
  /** Estimated ρ(D⁻¹A) of the level (Lanczos); 0 on the coarsest (direct) level. */
  spectralRadius: number;
}

/** The SA-AMG V-cycle preconditioner with its hierarchy statistics. */
export interface AmgPreconditioner extends Preconditioner {
  /** Level sizes, finest first. */
  readonly levels: readonly AmgLevelInfo[];
  /** Σ_ℓ nnz(A_ℓ) / nnz(A_0): work of a cycle relative to one fine SpMV. */
  readonly operatorComplexity: number;
  /** Σ_ℓ rows(A_ℓ) / rows(A_0). */
  readonly gridComplexity: number;
  /** Wall time of the setup, ms. */
  readonly setupMs: number;
  /**
   * Setup wall time by phase, ms, summed over levels: spectralRadius (Lanczos),
   * aggregation (strength + aggregates), tentativeProlongator (QR),
   * prolongatorSmoothing, galerkinProduct, prolongatorCsr, coarseFactorization.
   */
  readonly setupPhases: Readonly<Record<string, number>>;
  /** Bytes held by the hierarchy (coarse operators, P, Pᵀ, Cholesky factor, work vectors). */
  readonly memoryBytes: number;
  /** The coarse operators A_1 … A_L (for inspection and tests; A_0 is the input). */
  readonly coarseOperators: readonly CsrMatrix[];
  /** Human-readable table of the hierarchy. */
  describe(): string;
  /**
   * The hierarchy the cycle runs on, for a device V-cycle (`deviceAmgVcycle`) that
   * re-implements {@link AmgPreconditioner.apply} on other storage. Shared with the
   * CPU cycle: read-only, do not modify.
   */
  readonly hierarchy: AmgHierarchy;
}

/** One level of {@link AmgHierarchy}. */
export interface AmgHierarchyLevel {
  /** The level's SPD operator A_ℓ (A_0 is the input matrix), N/mm (or its Galerkin image). */
  readonly A: CsrMatrix;
  /** 1/diag(A_ℓ). */
  readonly invDiag: Float64Array;
  /** Prolongator P_ℓ: rows(A_ℓ) × rows(A_ℓ₊₁), sorted columns; absent on the coarsest level. */
  readonly P?: CsrMatrix;
  /** Restriction R_ℓ = P_ℓᵀ: rows(A_ℓ₊₁) × rows(A_ℓ); absent on the coarsest level. */
  readonly R?: CsrMatrix;
  /** Estimated ρ(D⁻¹A_ℓ) (Lanczos); 0 on a coarsest level that is factorised. */
  readonly spectralRadius: number;
  /** Smoother interval [lo, hi] = [ρ/30, 1.1·ρ] of D⁻¹A_ℓ; [0, 0] on a factorised coarsest level. */
  readonly interval: readonly [number, number];
}

/**
 * The data of an SA-AMG V-cycle: what {@link smoothedAggregationAmg} built,
 * enough to run the same cycle elsewhere (see {@link smootherSchedule} for
 * the smoother's coefficients).
 */
export interface AmgHierarchy {
  /** Levels, finest first. */
  readonly levels: readonly AmgHierarchyLevel[];
  /** Smoother kind (see {@link AmgOptions.smoother}). */
  readonly smoother: 'chebyshev' | 'jacobi';
  /** Smoothing degree on every level but the coarsest (SpMVs per smoothing step). */
  readonly degree: number;
  /** Smoothing degree on the coarsest level when it is not factorised (max(degree, 8)). */
  readonly coarseDegree: number;
  /**
   * Dense Cholesky factor L of the coarsest operator (row-major n×n, lower
   * triangle, A = L·Lᵀ), or undefined when the coarsest level is too large
   * (> 4000 rows, level cap reached) and is smoothed instead.
   */
  readonly coarseCholesky?: Float64Array;
}

/** Coefficients of one smoothing step on a level, see {@link smootherSchedule}. */
export interface SmootherSchedule {
  /** First step: d ← first·D⁻¹r, x ← x + d. */
  readonly first: number;
  /** Steps s = 1 … m−1 (index s): d ← c1[s]·d + c2[s]·D⁻¹r after r ← r − A·d (entry 0 unused). */
  readonly c1: Float64Array;
  readonly c2: Float64Array;
}

/**
 * The smoother's scalar coefficients on the interval [lo, hi] of D⁻¹A, in
 * the form the CPU cycle uses them (Saad, Alg. 12.1, three-term recurrence):
 * θ = (hi+lo)/2, δ = (hi−lo)/2, σ = θ/δ, ρ₀ = 1/σ; first = 1/θ;
 * step s ≥ 1: ρ₁ = 1/(2σ − ρ₀), c1 = ρ₁ρ₀, c2 = 2ρ₁/δ, ρ₀ ← ρ₁.
 * For the 'jacobi' smoother every step is x ← x + ω·D⁻¹(b − A·x) with
 * ω = first = 1/θ, and c1, c2 are zero.
 *
 * @param lo lower end of the smoothing interval (ρ/30)
 * @param hi upper end (1.1·ρ)
 * @param m degree (steps)
 * @example
 * ```ts
 * const [lo, hi] = amg.hierarchy.levels[0].interval;
 * const { first, c1, c2 } = smootherSchedule('chebyshev', lo, hi, 2);
 * ```
 */
export function smootherSchedule(smoother: 'chebyshev' | 'jacobi', lo: number, hi: number, m: number): SmootherSchedule {
  const theta = 0.5 * (hi + lo);
  const delta = 0.5 * (hi - lo);
  const c1 = new Float64Array(Math.max(1, m));
  const c2 = new Float64Array(Math.max(1, m));
  if (smoother === 'chebyshev') {
    // the same expressions, in the same order, as `smooth` below (bit-identical coefficients)
    const sigma = theta / delta;
    let rho0 = 1 / sigma;
    for (let s = 1; s < m; s++) {
      const rho1 = 1 / (2 * sigma - rho0);
      c1[s] = rho1 * rho0;
      c2[s] = (2 * rho1) / delta;
      rho0 = rho1;
    }
  }
  return { first: 1 / theta, c1, c2 };
}

// ---------------------------------------------------------------------------
// Small kernels

/** y ← A·x (CSR). */
function spmv(A: CsrMatrix, x: Float64Array, y: Float64Array): void {
  const n = A.rows;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const v = A.values;
  let p = rp[0];
  for (let i = 0; i < n; i++) {
    const e = rp[i + 1];
    let s = 0;
    for (; p < e; p++) s += v[p] * x[ci[p]];
    y[i] = s;
  }
}

/** y ← y + A·x (CSR; prolongation x_f += P·x_c). */
function spmvAdd(A: CsrMatrix, x: Float64Array, y: Float64Array): void {
  const n = A.rows;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const v = A.values;
  let p = rp[0];
  for (let i = 0; i < n; i++) {
    const e = rp[i + 1];
    let s = 0;
    for (; p < e; p++) s += v[p] * x[ci[p]];
    y[i] += s;
  }
}

/** r ← b − A·x (row by row, so `r` may alias `b`: residual(A, d, r, r) is r ← r − A·d). */
function residual(A: CsrMatrix, x: Float64Array, b: Float64Array, r: Float64Array): void {
  const n = A.rows;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const v = A.values;
  let p = rp[0];
  for (let i = 0; i < n; i++) {
    const e = rp[i + 1];
    let s = 0;
    for (; p < e; p++) s += v[p] * x[ci[p]];
    r[i] = b[i] - s;
  }
}


/** 1/a_ii for every row; throws when a diagonal entry is not positive (A not SPD). */
function inverseDiagonal(A: CsrMatrix, level: number): Float64Array {
  const n = A.rows;
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      if (A.colIdx[p] === i) {
        d = A.values[p];
        break;
      }
    }
    if (!(d > 0) || !Number.isFinite(d)) {
      throw new UnconstrainedModelError(
        `smoothedAggregationAmg: level ${level} has diagonal entry ${d} at row ${i}; the matrix is not positive definite ` +
          `(a DOF without stiffness, or an unconstrained model)`,
      );
    }
    inv[i] = 1 / d;
  }
  return inv;
}


/**
 * Number of eigenvalues below x of the symmetric tridiagonal matrix with
 * diagonal α and off-diagonal β (Sturm sequence of the LDLᵀ pivots).
 */
function sturmCount(alpha: Float64Array, beta: Float64Array, m: number, x: number): number {
  let count = 0;
  let q = alpha[0] - x;
  if (q < 0) count++;
  for (let i = 1; i < m; i++) {
    const b2 = beta[i - 1] * beta[i - 1];
    q = alpha[i] - x - b2 / (q !== 0 ? q : 1e-300);
    if (q < 0) count++;
  }
  return count;
}

/**
 * Extreme eigenvalue estimates of D⁻¹A: `steps` Lanczos steps on the
 * symmetric D^{-1/2}·A·D^{-1/2} (same spectrum), then the extreme Ritz
 * values by bisection on the tridiagonal matrix. The largest Ritz value
 * approaches λ_max from below quickly; λ_min converges slowly (an upper
 * bound of it).
 */
export function lanczosExtremes(A: CsrMatrix, invDiag: Float64Array, steps = 20, seed = 12345): { min: number; max: number } {
  const n = A.rows;
  const m = Math.max(1, Math.min(steps, n));
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.sqrt(invDiag[i]);
  const v = new Float64Array(n);
  const vPrev = new Float64Array(n);
  const w = new Float64Array(n);
  const t = new Float64Array(n);
  const rand = mulberry32(seed);
  let nv = 0;
  for (let i = 0; i < n; i++) {
    v[i] = rand() - 0.5;
    nv += v[i] * v[i];
  }
  nv = Math.sqrt(nv);
  for (let i = 0; i < n; i++) v[i] /= nv;
  const alpha = new Float64Array(m);
  const beta = new Float64Array(m);
  let k = 0;
  let bPrev = 0;
  for (; k < m; k++) {
    // w ← C·v − β_{k−1}·v_{k−1},  C = S·A·S, S = D^{-1/2}
    for (let i = 0; i < n; i++) t[i] = s[i] * v[i];
    spmv(A, t, w);
    let a = 0;
    for (let i = 0; i < n; i++) {
      w[i] = s[i] * w[i] - bPrev * vPrev[i];
      a += w[i] * v[i];
    }
    alpha[k] = a;
    let b = 0;
    for (let i = 0; i < n; i++) {
      w[i] -= a * v[i];
      b += w[i] * w[i];
    }
    b = Math.sqrt(b);
    beta[k] = b;
    if (!(b > 1e-12 * Math.abs(a)) || k === m - 1) {
      k++;
      break;
    }
    for (let i = 0; i < n; i++) {
      vPrev[i] = v[i];
      v[i] = w[i] / b;
    }
    bPrev = b;
  }
  // Gershgorin interval of the tridiagonal matrix, then bisection for the extremes.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < k; i++) {
    const r = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < k - 1 ? Math.abs(beta[i]) : 0);
    lo = Math.min(lo, alpha[i] - r);
    hi = Math.max(hi, alpha[i] + r);
  }
  const bisect = (target: number): number => {
    // smallest x with sturmCount(x) ≥ target
    let a = lo;
    let b = hi;
    for (let it = 0; it < 200 && b - a > 1e-14 * Math.max(Math.abs(a), Math.abs(b)); it++) {
      const mid = 0.5 * (a + b);
      if (sturmCount(alpha, beta, k, mid) >= target) b = mid;
      else a = mid;
    }
    return 0.5 * (a + b);
  };
  return { min: bisect(1), max: bisect(k) };
}

// ---------------------------------------------------------------------------
// Strength of connection and aggregation

/** A growable Uint32/Float64 pair buffer (adjacency lists built in one pass). */
class EdgeBuffer {
  idx: Uint32Array;
  val: Float64Array;
  size = 0;
  constructor(capacity: number) {
    this.idx = new Uint32Array(Math.max(16, capacity));
    this.val = new Float64Array(Math.max(16, capacity));
  }
  push(j: number, v: number): void {
    if (this.size === this.idx.length) {
      const ni = new Uint32Array(this.idx.length * 2);
      ni.set(this.idx);
      this.idx = ni;
      const nv = new Float64Array(this.val.length * 2);
      nv.set(this.val);
      this.val = nv;
    }
    this.idx[this.size] = j;
    this.val[this.size++] = v;
  }
}

/** The strong block graph: CSR adjacency (without self) with strengths ‖A_IJ‖_F / √(‖A_II‖‖A_JJ‖). */
interface StrongGraph {
  ptr: Uint32Array;
  idx: Uint32Array;
  strength: Float64Array;
}

function strongBlockGraph(A: CsrMatrix, blockPtr: Uint32Array, blockOf: Uint32Array, theta: number): StrongGraph {
  const nb = blockPtr.length - 1;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const va = A.values;
  // ‖A_II‖_F² of every diagonal block
  const diag2 = new Float64Array(nb);
  for (let I = 0; I < nb; I++) {
    let s = 0;
    for (let i = blockPtr[I]; i < blockPtr[I + 1]; i++) {
      for (let p = rp[i]; p < rp[i + 1]; p++) if (blockOf[ci[p]] === I) s += va[p] * va[p];
    }
    diag2[I] = s;
  }
  const diagN = new Float64Array(nb);
  for (let I = 0; I < nb; I++) diagN[I] = Math.sqrt(diag2[I]);
  const marker = new Int32Array(nb).fill(-1);
  const acc = new Float64Array(nb);
  const list = new Uint32Array(nb);
  const ptr = new Uint32Array(nb + 1);
  const buf = new EdgeBuffer(Math.ceil((rp[A.rows] / Math.max(1, A.rows)) * nb * 0.5));
  const theta2 = theta * theta;
  for (let I = 0; I < nb; I++) {
    let cnt = 0;
    for (let i = blockPtr[I]; i < blockPtr[I + 1]; i++) {
      for (let p = rp[i]; p < rp[i + 1]; p++) {
        const J = blockOf[ci[p]];
        const a2 = va[p] * va[p];
        if (marker[J] !== I) {
          marker[J] = I;
          acc[J] = a2;
          list[cnt++] = J;
        } else acc[J] += a2;
      }
    }
    // (scan order is deterministic, so the graph is too; no sort needed)
    for (let q = 0; q < cnt; q++) {
      const J = list[q];
      if (J === I) continue;
      // ‖A_IJ‖ ≥ θ·√(‖A_II‖·‖A_JJ‖)  ⇔  ‖A_IJ‖² ≥ θ²·‖A_II‖·‖A_JJ‖
      const d = diagN[I] * diagN[J];
      if (acc[J] >= theta2 * d && acc[J] > 0) buf.push(J, Math.sqrt(acc[J] / d));
    }
    ptr[I + 1] = buf.size;
  }
  return { ptr, idx: buf.idx.slice(0, buf.size), strength: buf.val.slice(0, buf.size) };
}

/**
 * Greedy 3-pass aggregation (Vaněk, Mandel, Brezina):
 * 1. a block whose strong neighbours are all free forms an aggregate with them;
 * 2. every remaining block joins the pass-1 aggregate it is most strongly connected to;
 * 3. what is still left forms aggregates with its free strong neighbours (singletons if none).
 * Returns the aggregate of every block and the aggregate count.
 */
function aggregate(G: StrongGraph, nb: number): { agg: Int32Array; count: number } {
  const agg = new Int32Array(nb).fill(-1);
  const { ptr, idx, strength } = G;
  let count = 0;
  // Pass 1: root blocks with an entirely free strong neighbourhood.
  for (let i = 0; i < nb; i++) {
    if (agg[i] >= 0 || ptr[i + 1] === ptr[i]) continue;
    let free = true;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      if (agg[idx[p]] >= 0) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    agg[i] = count;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) agg[idx[p]] = count;
    count++;
  }
  const pass1 = count;
  // Pass 2: attach to the strongest neighbouring pass-1 aggregate.
  const joined = new Int32Array(nb).fill(-1);
  for (let i = 0; i < nb; i++) {
    if (agg[i] >= 0) continue;
    let best = -1;
    let bestS = -1;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      const a = agg[idx[p]];
      if (a >= 0 && a < pass1 && strength[p] > bestS) {
        bestS = strength[p];
        best = a;
      }
    }
    joined[i] = best;
  }
  for (let i = 0; i < nb; i++) if (joined[i] >= 0) agg[i] = joined[i];
  // Pass 3: leftovers aggregate among themselves; a leftover whose strong
  // neighbours are all taken joins the strongest one's aggregate instead of
  // becoming a singleton (singletons would stall the coarsening on dense
  // coarse levels). Only blocks without any strong neighbour stay alone.
  for (let i = 0; i < nb; i++) {
    if (agg[i] >= 0) continue;
    let freeNeighbours = 0;
    let best = -1;
    let bestS = -1;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      const a = agg[idx[p]];
      if (a < 0) freeNeighbours++;
      else if (strength[p] > bestS) {
        bestS = strength[p];
        best = a;
      }
    }
    if (freeNeighbours === 0 && best >= 0) {
      agg[i] = best;
      continue;
    }
    agg[i] = count;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) if (agg[idx[p]] < 0) agg[idx[p]] = count;
    count++;
  }
  return { agg, count };
}

// ---------------------------------------------------------------------------
// Tentative prolongator

interface Tentative {
  /** Q rows: fine DOF i's values at `q[i·k + c]`, c < kAgg[its aggregate]. */
  q: Float64Array;
  /** Coarse DOFs of every aggregate (kept columns). */
  kAgg: Uint8Array;
  /** Coarse DOF blocks (one per aggregate): aggregate a owns coarse DOFs coarseStart[a] .. coarseStart[a+1]−1. */
  coarseStart: Uint32Array;
  /** Coarse near-null space, row-major `coarseRows × k`. */
  B: Float64Array;
}

/**
 * P_tent and the coarse near-null space from a thin QR per aggregate:
 * B|_agg = Q·R (modified Gram–Schmidt, applied twice for orthogonality),
 * a column whose remainder after orthogonalisation is ≤ 1e-8 of its norm
 * (linearly dependent on the previous ones, e.g. rotations of a one-node
 * aggregate) is dropped, so Q has full column rank and the coarse operator
 * stays non-singular.
 */
function tentativeProlongator(
  n: number,
  blockPtr: Uint32Array,
  agg: Int32Array,
  nAgg: number,
  B: Float64Array,
  k: number,
): Tentative {
  const nb = blockPtr.length - 1;
  // Blocks of each aggregate, ascending (counting sort).
  const aggPtr = new Uint32Array(nAgg + 1);
  for (let b = 0; b < nb; b++) aggPtr[agg[b] + 1]++;
  for (let a = 0; a < nAgg; a++) aggPtr[a + 1] += aggPtr[a];
  const fill = aggPtr.slice(0, nAgg);
  const aggBlocks = new Uint32Array(nb);
  for (let b = 0; b < nb; b++) aggBlocks[fill[agg[b]]++] = b;
  let maxM = 0;
  for (let a = 0; a < nAgg; a++) {
    let m = 0;
    for (let q = aggPtr[a]; q < aggPtr[a + 1]; q++) m += blockPtr[aggBlocks[q] + 1] - blockPtr[aggBlocks[q]];
    maxM = Math.max(maxM, m);
  }
  const W = new Float64Array(maxM * k); // column-major m × k work (column j at j·m)
  const Q = new Float64Array(maxM * k); // kept orthonormal columns
  const R = new Float64Array(k * k); // R[row·k + col]
  const dofs = new Uint32Array(maxM);
  const kAgg = new Uint8Array(nAgg);
  const coarseStart = new Uint32Array(nAgg + 1);
  // Q values per fine DOF (row-major, up to k per DOF), and the coarse B.
  const qRows = new Float64Array(n * k);
  const Bc = new Float64Array(nAgg * k * k);
  const dofAgg = new Uint32Array(n);
  for (let a = 0; a < nAgg; a++) {
    let m = 0;
    for (let q = aggPtr[a]; q < aggPtr[a + 1]; q++) {
      const b = aggBlocks[q];
      for (let i = blockPtr[b]; i < blockPtr[b + 1]; i++) dofs[m++] = i;
    }
    let maxNorm = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < m; r++) {
        const v = B[dofs[r] * k + j];
        W[j * m + r] = v;
        s += v * v;
      }
      maxNorm = Math.max(maxNorm, Math.sqrt(s));
    }
    R.fill(0);
    let kept = 0;
    for (let j = 0; j < k; j++) {
      const w0 = j * m;
      let norm0 = 0;
      for (let r = 0; r < m; r++) norm0 += W[w0 + r] * W[w0 + r];
      norm0 = Math.sqrt(norm0);
      // two Gram–Schmidt sweeps: w ← w − q_c (q_cᵀ w), accumulating R[c][j]
      for (let sweep = 0; sweep < 2; sweep++) {
        for (let c = 0; c < kept; c++) {
          const q0 = c * m;
          let h = 0;
          for (let r = 0; r < m; r++) h += Q[q0 + r] * W[w0 + r];
          for (let r = 0; r < m; r++) W[w0 + r] -= h * Q[q0 + r];
          R[c * k + j] += h;
        }
      }
      let nv = 0;
      for (let r = 0; r < m; r++) nv += W[w0 + r] * W[w0 + r];
      nv = Math.sqrt(nv);
      if (nv > 1e-8 * norm0 && nv > 1e-12 * maxNorm && kept < m) {
        const q0 = kept * m;
        const inv = 1 / nv;
        for (let r = 0; r < m; r++) Q[q0 + r] = W[w0 + r] * inv;
        R[kept * k + j] = nv;
        kept++;
      }
    }
    if (kept === 0) {
      throw new DimensionMismatchError(
        `smoothedAggregationAmg: the near-null space is zero on aggregate ${a} (DOFs ${dofs[0]}…); it must not vanish on any DOF block`,
      );
    }
    kAgg[a] = kept;
    coarseStart[a + 1] = coarseStart[a] + kept;
    for (let r = 0; r < m; r++) {
      const i = dofs[r];
      dofAgg[i] = a;
      for (let c = 0; c < kept; c++) qRows[i * k + c] = Q[c * m + r];
    }
    // coarse B rows of this aggregate = rows of R (kept × k)
    const c0 = coarseStart[a];
    for (let c = 0; c < kept; c++) for (let j = 0; j < k; j++) Bc[(c0 + c) * k + j] = R[c * k + j];
  }
  const nc = coarseStart[nAgg];
  return { q: qRows, kAgg, coarseStart, B: Bc.slice(0, nc * k) };
}

/** In-place dense Cholesky A = L·Lᵀ (row-major n×n, lower triangle written). */
function denseCholesky(A: CsrMatrix, level: number): Float64Array {
  const n = A.rows;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) L[i * n + A.colIdx[p]] = A.values[p];
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, L[i * n + i]);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = L[rj + j];
    for (let c = 0; c < j; c++) d -= L[rj + c] * L[rj + c];
    // A pivot below 1e-13 of the largest diagonal: the coarse operator is (numerically) singular.
    if (!(d > 1e-13 * maxDiag)) {
      throw new UnconstrainedModelError(
        `smoothedAggregationAmg: the coarsest operator (level ${level}, ${n} rows) is not positive definite at row ${j} ` +
          `(pivot ${d.toExponential(3)}): the model is probably not constrained against rigid-body motion`,
      );
    }
    const ljj = Math.sqrt(d);
    L[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = L[ri + j];
      for (let c = 0; c < j; c++) s -= L[ri + c] * L[rj + c];
      L[ri + j] = s * inv;
    }
  }
  return L;
}

/** x ← (L·Lᵀ)⁻¹ b. */
function choleskySolve(L: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let c = 0; c < i; c++) s -= L[ri + c] * x[c];
    x[i] = s / L[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let r = i + 1; r < n; r++) s -= L[r * n + i] * x[r];
    x[i] = s / L[i * n + i];
  }
}

// ---------------------------------------------------------------------------
// Hierarchy and cycle

/** Adds the time since t to phases[name]; returns now. */
function lap(phases: Record<string, number>, name: string, t: number): number {
  const now = performance.now();
  phases[name] = (phases[name] ?? 0) + (now - t);
  return now;
}

interface Level {
  A: CsrMatrix;
  n: number;
  invDiag: Float64Array;
  rho: number;
  blocks: number;
  /** Prolongator to this level from the next coarser one, and its transpose (restriction). */
  P?: CsrMatrix;
  R?: CsrMatrix;
  /** Chebyshev interval [lo, hi] of D⁻¹A. */
  lo: number;
  hi: number;
  x: Float64Array;
  b: Float64Array;
  r: Float64Array;
  d: Float64Array;
  /** Dense Cholesky factor on the coarsest level. */
  chol?: Float64Array;
  /**
   * The same operator in symmetric 3×3-block storage (upper blocks only) when the size
   * allows: it moves ≈ 40 % of CSR's bytes, and the smoother's SpMVs dominate the cycle.
   */
  fast?: Sbsr3Matrix;
  /** Scratch for `fast` products. */
  tmp?: Float64Array;
}

/** r ← b − A·x on a level (symmetric-block kernel where available); `r` may alias `b`. */
function levelResidual(L: Level, x: Float64Array, b: Float64Array, r: Float64Array): void {
  if (!L.fast) return residual(L.A, x, b, r);
  sbsr3Spmv(L.fast, x, L.tmp!);
  const t = L.tmp!;
  for (let i = 0; i < L.n; i++) r[i] = b[i] - t[i];
}



function checkOptions(A: CsrMatrix, o: AmgOptions): void {
  if (A.rows !== A.cols) throw new DimensionMismatchError(`smoothedAggregationAmg: matrix is ${A.rows}×${A.cols}, not square`);
  const bp = o.blockPtr;
  if (!(bp instanceof Uint32Array) || bp.length < 1 || bp[0] !== 0 || bp[bp.length - 1] !== A.rows) {
    throw new DimensionMismatchError(
      `smoothedAggregationAmg: blockPtr must start at 0 and end at A.rows = ${A.rows} (got length ${bp?.length}, last ${bp?.[bp.length - 1]})`,
    );
  }
  for (let b = 0; b + 1 < bp.length; b++) {
    if (bp[b + 1] <= bp[b]) throw new DimensionMismatchError(`smoothedAggregationAmg: block ${b} is empty or blockPtr decreases there`);
  }
  const k = o.nullSpaceDim;
  if (!(Number.isInteger(k) && k >= 1 && k <= 32)) {
    throw new DimensionMismatchError(`smoothedAggregationAmg: nullSpaceDim must be an integer in 1..32, got ${k}`);
  }
  if (o.nearNullSpace.length !== A.rows * k) {
    throw new DimensionMismatchError(
      `smoothedAggregationAmg: nearNullSpace has ${o.nearNullSpace.length} entries, expected A.rows·nullSpaceDim = ${A.rows * k}`,
    );
  }
  for (let i = 0; i < o.nearNullSpace.length; i++) {
    if (!Number.isFinite(o.nearNullSpace[i])) {
      throw new NonFiniteInputError(`smoothedAggregationAmg: nearNullSpace entry (row ${Math.floor(i / k)}, column ${i % k}) is ${o.nearNullSpace[i]}`);
    }
  }
  const th = o.strengthThreshold ?? 0.08;
  if (!(th >= 0 && th < 1)) throw new DimensionMismatchError(`smoothedAggregationAmg: strengthThreshold must be in [0, 1), got ${th}`);
  const deg = o.chebyshevDegree ?? 2;
  if (!(Number.isInteger(deg) && deg >= 1 && deg <= 10)) {
    throw new DimensionMismatchError(`smoothedAggregationAmg: chebyshevDegree must be an integer in 1..10, got ${deg}`);
  }
}

/**
 * Builds a smoothed-aggregation AMG V-cycle preconditioner for an SPD matrix
 * (a reduced stiffness matrix `K_r = Tᵀ K T`, N/mm) with a given near-null
 * space (the rigid-body modes).
 *
 * The returned object is independent of any load vector: build it once per
 * matrix and reuse it for every load case. `apply(r, z)` performs one
 * V-cycle `z ← M⁻¹ r` and allocates nothing.
 *
 * @param A SPD matrix, CSR with sorted columns and a full positive diagonal
 * @param options blocks (nodes), near-null space and tuning, see {@link AmgOptions}
 * @throws DimensionMismatchError on inconsistent blocks / near-null space / options
 * @throws NonFiniteInputError for a NaN/Inf entry in the near-null space
 * @throws UnconstrainedModelError when a level is not positive definite
 *   (zero diagonal, singular coarse operator: usually an unconstrained model)
 * @example
 * ```ts
 * const tr = buildConstraintTransform(model);
 * const prepared = prepareModel(model, {
 *   preconditioner: (K, blockPtr) =>
 *     smoothedAggregationAmg(K, { blockPtr, nearNullSpace: reducedRigidBodyModes(model.mesh.nodes, tr), nullSpaceDim: 6 }),
 * });
 * ```
 */
export function smoothedAggregationAmg(A: CsrMatrix, options: AmgOptions): AmgPreconditioner {
  const t0 = performance.now();
  checkOptions(A, options);
  const k = options.nullSpaceDim;
  const theta = options.strengthThreshold ?? 0.08;
  const smoother = options.smoother ?? 'chebyshev';
  const degree = options.chebyshevDegree ?? 2;
  const maxCoarse = Math.max(1, options.maxCoarseSize ?? 600);
  const maxLevels = Math.max(1, options.maxLevels ?? 12);
  const damping = options.prolongatorDamping ?? 4 / 3;
  const lanczosSteps = options.lanczosSteps ?? 20;

  const levels: Level[] = [];
  const phases: Record<string, number> = {};
  let Al = A;
  let B = options.nearNullSpace;
  let blockPtr = options.blockPtr;
  for (let l = 0; ; l++) {
    const n = Al.rows;
    const invDiag = inverseDiagonal(Al, l);
    const level: Level = {
      A: Al,
      n,
      invDiag,
      rho: 0,
      blocks: blockPtr.length - 1,
      lo: 0,
      hi: 0,
      x: new Float64Array(n),
      b: new Float64Array(n),
      r: new Float64Array(n),
      d: new Float64Array(n),
    };
    levels.push(level);
    if (n <= maxCoarse || l + 1 >= maxLevels) break;
    if (n % 3 === 0) {
      level.fast = sbsr3FromCsr(Al);
      level.tmp = new Float64Array(n);
    }
    let tp = performance.now();
    const { max: rho } = lanczosExtremes(Al, invDiag, lanczosSteps, 12345 + l);
    tp = lap(phases, 'spectralRadius', tp);
    level.rho = rho;
    level.lo = rho / 30;
    level.hi = 1.1 * rho;
    // strength → aggregates → tentative P → smoothed P → Galerkin A_c
    const nb = blockPtr.length - 1;
    const blockOf = new Uint32Array(n);
    for (let b = 0; b < nb; b++) blockOf.fill(b, blockPtr[b], blockPtr[b + 1]);
    // θ_ℓ = θ·2^−ℓ: coarse operators are denser and their weakest couplings still matter
    const G = strongBlockGraph(Al, blockPtr, blockOf, theta * 0.5 ** l);
    const { agg, count } = aggregate(G, nb);
    tp = lap(phases, 'aggregation', tp);
    const tent = tentativeProlongator(n, blockPtr, agg, count, B, k);
    tp = lap(phases, 'tentativeProlongator', tp);
    // Coarsening stalls (a coarse level not clearly smaller): stop here.
    if (tent.coarseStart[count] >= 0.9 * n) break;
    const Pv = smoothedProlongatorVbsr(Al, blockPtr, blockOf, agg, count, tent.kAgg, tent.q, k, invDiag, damping / rho);
    tp = lap(phases, 'prolongatorSmoothing', tp);
    const Ac = galerkinProduct(Al, blockPtr, blockOf, Pv, tent.coarseStart);
    tp = lap(phases, 'galerkinProduct', tp);
    const P = vbsrToCsr(Pv, blockPtr, tent.coarseStart);
    level.P = P;
    level.R = csrTranspose(P);
    lap(phases, 'prolongatorCsr', tp);
    Al = Ac;
    B = tent.B;
    blockPtr = tent.coarseStart;
  }
  const last = levels[levels.length - 1];
  // Coarsest level: dense Cholesky when small, otherwise (level cap reached) many smoothing steps.
  const directLimit = 4000;
  const tc = performance.now();
  if (last.n <= directLimit) last.chol = denseCholesky(last.A, levels.length - 1);
  else {
    const { max: rho } = lanczosExtremes(last.A, last.invDiag, lanczosSteps, 999);
    last.rho = rho;
    last.lo = rho / 30;
    last.hi = 1.1 * rho;
  }
  lap(phases, 'coarseFactorization', tc);

  // ------------------------------------------------------------------ cycle
  const coarseDegree = Math.max(degree, 8);

  /**
   * Chebyshev smoothing x ← x + p(D⁻¹A)·D⁻¹·(b − A·x) with the degree-m
   * Chebyshev polynomial for [lo, hi] (three-term recurrence, Saad Alg. 12.1):
   *   θ = (hi+lo)/2, δ = (hi−lo)/2, σ = θ/δ, ρ₀ = 1/σ
   *   r = b − A·x,  d = D⁻¹r/θ
   *   repeat: x += d; r −= A·d; ρ₁ = 1/(2σ − ρ₀); d = ρ₁ρ₀·d + (2ρ₁/δ)·D⁻¹r; ρ₀ = ρ₁
   * With `zeroGuess` the first residual is b itself (one SpMV saved).
   * The result is x + S·(b − A·x) with S = p(D⁻¹A)·D⁻¹ symmetric, so pre- and
   * post-smoothing are adjoint and the V-cycle symmetric.
   * 'jacobi' is the degree-m polynomial (1 − ω·λ)ᵐ done as m damped Jacobi sweeps, ω = 2/(lo+hi).
   */
  const smooth = (L: Level, zeroGuess: boolean, m: number): void => {
    const { invDiag: iD, x, b, r, d, n } = L;
    const theta = 0.5 * (L.hi + L.lo);
    const delta = 0.5 * (L.hi - L.lo);
    if (smoother === 'jacobi') {
      const w = 1 / theta;
      for (let s = 0; s < m; s++) {
        if (s === 0 && zeroGuess) {
          for (let i = 0; i < n; i++) x[i] = w * iD[i] * b[i]; // x ← ω·D⁻¹b
          continue;
        }
        levelResidual(L, x, b, r); // r ← b − A·x
        for (let i = 0; i < n; i++) x[i] += w * iD[i] * r[i]; // x ← x + ω·D⁻¹r
      }
      return;
    }
    const sigma = theta / delta;
    let rho0 = 1 / sigma;
    const it = 1 / theta;
    if (zeroGuess) {
      for (let i = 0; i < n; i++) x[i] = d[i] = it * iD[i] * b[i]; // r = b, d = D⁻¹r/θ, x = d
    } else {
      levelResidual(L, x, b, r); // r ← b − A·x
      for (let i = 0; i < n; i++) {
        const di = it * iD[i] * r[i];
        d[i] = di;
        x[i] += di;
      }
    }
    for (let s = 1; s < m; s++) {
      if (s === 1 && zeroGuess) levelResidual(L, d, b, r); // r ← b − A·d (x = d so far)
      else levelResidual(L, d, r, r); // r ← r − A·d
      const rho1 = 1 / (2 * sigma - rho0);
      const c1 = rho1 * rho0;
      const c2 = (2 * rho1) / delta;
      for (let i = 0; i < n; i++) {
        const di = c1 * d[i] + c2 * iD[i] * r[i];
        d[i] = di;
        x[i] += di;
      }
      rho0 = rho1;
    }
  };

  const nLevels = levels.length;
  /** V-cycle on levels[0].b → levels[0].x. */
  const vcycle = (): void => {
    // downward: pre-smooth, restrict the residual
    let l = 0;
    for (; l < nLevels - 1; l++) {
      const L = levels[l];
      smooth(L, true, degree);
      levelResidual(L, L.x, L.b, L.r);
      spmv(L.R!, L.r, levels[l + 1].b); // b_c ← Pᵀ·r
    }
    const C = levels[nLevels - 1];
    if (C.chol) choleskySolve(C.chol, C.n, C.b, C.x);
    else smooth(C, true, coarseDegree);
    // upward: prolongate the correction, post-smooth
    for (l = nLevels - 2; l >= 0; l--) {
      const L = levels[l];
      spmvAdd(L.P!, levels[l + 1].x, L.x); // x ← x + P·x_c
      smooth(L, false, degree);
    }
  };

  const fine = levels[0];
  const setupMs = performance.now() - t0;
  const info: AmgLevelInfo[] = levels.map((L) => ({ rows: L.n, nnz: L.A.rowPtr[L.n], blocks: L.blocks, spectralRadius: L.rho }));
  const nnz0 = info[0].nnz;
  const operatorComplexity = info.reduce((s, L) => s + L.nnz, 0) / nnz0;
  const gridComplexity = info.reduce((s, L) => s + L.rows, 0) / info[0].rows;
  const csrBytes = (M: CsrMatrix): number => M.rowPtr.byteLength + M.colIdx.byteLength + M.values.byteLength;
  let memoryBytes = 0;
  for (let l = 0; l < nLevels; l++) {
    const L = levels[l];
    if (l > 0) memoryBytes += csrBytes(L.A);
    if (L.P) memoryBytes += csrBytes(L.P) + csrBytes(L.R!);
    if (L.chol) memoryBytes += L.chol.byteLength;
    memoryBytes += 5 * 8 * L.n;
  }

  return {
    name: `SA-AMG (${nLevels} levels, ${smoother}${smoother === 'chebyshev' ? ` degree ${degree}` : ` ×${degree}`})`,
    levels: info,
    operatorComplexity,
    gridComplexity,
    setupMs,
    setupPhases: phases,
    memoryBytes,
    coarseOperators: levels.slice(1).map((L) => L.A),
    hierarchy: {
      levels: levels.map((L) => ({ A: L.A, invDiag: L.invDiag, P: L.P, R: L.R, spectralRadius: L.rho, interval: [L.lo, L.hi] as const })),
      smoother,
      degree,
      coarseDegree,
      coarseCholesky: last.chol,
    },
    apply(r: Float64Array, z: Float64Array): void {
      if (r.length !== fine.n || z.length !== fine.n) {
        throw new DimensionMismatchError(`SA-AMG of size ${fine.n} applied to vectors of length ${r.length} / ${z.length}`);
      }
      // The fine level reads r and writes z directly (no copies); r is never written.
      fine.b = r;
      fine.x = z;
      vcycle();
    },
    describe(): string {
      const head = '| level | rows | nnz | blocks | nnz/row | ρ(D⁻¹A) |\n|---:|---:|---:|---:|---:|---:|';
      const rows = info.map(
        (L, l) =>
          `| ${l} | ${L.rows} | ${L.nnz} | ${L.blocks} | ${(L.nnz / L.rows).toFixed(1)} | ${l === nLevels - 1 && levels[l].chol ? 'direct' : L.spectralRadius.toFixed(3)} |`,
      );
      return [
        head,
        ...rows,
        '',
        `operator complexity ${operatorComplexity.toFixed(3)}, grid complexity ${gridComplexity.toFixed(3)}, ` +
          `setup ${setupMs.toFixed(0)} ms, ${(memoryBytes / 2 ** 20).toFixed(1)} MiB`,
      ].join('\n');
    },
  };
}
