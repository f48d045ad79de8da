/**
 * The data of smoothed-aggregation algebraic multigrid (SA-AMG; Vaněk,
 * Mandel & Brezina 1996) for elasticity: the level operators, prolongators
 * and smoother intervals, built once per matrix and read by every cycle
 * (the CPU one in `cycle.ts`, the device one in `device-vcycle.ts`).
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
 * Load independence: the hierarchy depends only on the matrix and the
 * near-null space, never on a right-hand side; one hierarchy serves every
 * load case of a prepared model, and {@link refreshFineLevel} keeps its
 * coarse levels for a fine matrix that changed in a few cells.
 */
import { DimensionMismatchError, NonFiniteInputError } from '../../errors.js';
import { sbsr3FromCsr } from '../../linalg/bsr3.js';
import { sbsr3Kernel, type Sbsr3Kernel } from '../../linalg/sbsr3-wasm.js';
import { csrInverseDiagonal, csrTranspose } from '../../linalg/csr.js';
import { choleskyFactor } from '../../linalg/dense.js';
import { lanczosExtremes } from '../../linalg/lanczos.js';
import type { CsrMatrix } from '../../linalg/types.js';
import { aggregate, strongBlockGraph } from './aggregation.js';
import { galerkinProduct, smoothedProlongatorVbsr, vbsrToCsr } from './galerkin.js';
import { tentativeProlongator } from './tentative.js';

/** Options of {@link buildAmgHierarchy} (and `smoothedAggregationAmg`). */
export interface AmgOptions {
  /**
   * DOF blocks of the fine matrix: block b spans DOFs `blockPtr[b] .. blockPtr[b+1]−1`
   * (a node's 1–3 free DOFs, a reference node's ≤ 6). Length `blocks + 1`,
   * `blockPtr[0] = 0`, last entry `A.rows`.
   */
  blockPtr: Uint32Array;
  /** Near-null space B, row-major `A.rows × nullSpaceDim` (e.g. `reducedRigidBodyModes`). */
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

/** One level of {@link AmgHierarchy}. */
export interface AmgHierarchyLevel {
  /** The level's SPD operator A_ℓ (A_0 is the input matrix), N/mm (or its Galerkin image). */
  readonly A: CsrMatrix;
  /** 1/diag(A_ℓ). */
  readonly invDiag: Float64Array;
  /** DOF blocks of the level (nodes on the finest, aggregates below). */
  readonly blocks: number;
  /** Prolongator P_ℓ: rows(A_ℓ) × rows(A_ℓ₊₁), sorted columns; absent on the coarsest level. */
  readonly P?: CsrMatrix;
  /** Restriction R_ℓ = P_ℓᵀ (built on first read: the CPU cycle restricts with P itself); absent on the coarsest level. */
  readonly R?: CsrMatrix;
  /** Estimated ρ(D⁻¹A_ℓ) (Lanczos); 0 on a coarsest level that is factorised. */
  readonly spectralRadius: number;
  /** Smoother interval [lo, hi] = [ρ/30, 1.1·ρ] of D⁻¹A_ℓ; [0, 0] on a factorised coarsest level. */
  readonly interval: readonly [number, number];
  /**
   * y ← A_ℓ·x in symmetric 3×3-block storage (diagonal + upper blocks; WebAssembly SIMD
   * where available, see `sbsr3Kernel`) when rows(A_ℓ) is a multiple of 3 and the level
   * is smoothed: ≈ 40 % of CSR's bytes per SpMV, and the smoother's SpMVs dominate the cycle.
   */
  readonly blockKernel?: Sbsr3Kernel;
}

/**
 * The data of an SA-AMG V-cycle: what {@link buildAmgHierarchy} built,
 * enough to run the same cycle on any storage (see `amgVcycle`).
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
  /** Wall time of the setup, ms. */
  readonly setupMs: number;
  /**
   * Setup wall time by phase, ms, summed over levels: levelSetup (1/diag, block copy),
   * spectralRadius (Lanczos), aggregation (strength + aggregates), tentativeProlongator (QR),
   * prolongatorSmoothing, galerkinProduct, prolongatorCsr, coarseFactorization.
   */
  readonly setupPhases: Readonly<Record<string, number>>;
  /**
   * Process CPU time (user + system, ms) of the same phases where the runtime reports it
   * (Node's `process.cpuUsage`; empty elsewhere): on a shared machine wall time includes
   * waiting for a core, CPU time does not.
   */
  readonly setupCpuPhases: Readonly<Record<string, number>>;
}

/** Process CPU time in ms (user + system), or NaN where the runtime does not report it. */
function cpuMs(): number {
  const u = globalThis.process?.cpuUsage?.();
  return u ? (u.user + u.system) / 1000 : NaN;
}

/** Wall and CPU time per setup phase. */
interface PhaseClock {
  wall: Record<string, number>;
  cpu: Record<string, number>;
  cpuAt: number;
}

function phaseClock(): PhaseClock {
  return { wall: {}, cpu: {}, cpuAt: cpuMs() };
}

/** Adds the wall time since t (and the CPU time since the last lap) to phase `name`; returns now. */
function lap(c: PhaseClock, name: string, t: number): number {
  const now = performance.now();
  const cpu = cpuMs();
  c.wall[name] = (c.wall[name] ?? 0) + (now - t);
  if (cpu === cpu) c.cpu[name] = (c.cpu[name] ?? 0) + (cpu - c.cpuAt);
  c.cpuAt = cpu;
  return now;
}

function checkOptions(A: CsrMatrix, o: AmgOptions): void {
  const bad = (msg: string) => new DimensionMismatchError(`smoothedAggregationAmg: ${msg}`);
  if (A.rows !== A.cols) throw bad(`matrix is ${A.rows}×${A.cols}, not square`);
  const bp = o.blockPtr;
  if (!(bp instanceof Uint32Array) || bp.length < 1 || bp[0] !== 0 || bp[bp.length - 1] !== A.rows) {
    throw bad(`blockPtr must start at 0 and end at A.rows = ${A.rows} (got length ${bp?.length}, last ${bp?.[bp.length - 1]})`);
  }
  for (let b = 0; b + 1 < bp.length; b++) if (bp[b + 1] <= bp[b]) throw bad(`block ${b} is empty or blockPtr decreases there`);
  const k = o.nullSpaceDim;
  if (!(Number.isInteger(k) && k >= 1 && k <= 32)) throw bad(`nullSpaceDim must be an integer in 1..32, got ${k}`);
  if (o.nearNullSpace.length !== A.rows * k) {
    throw bad(`nearNullSpace has ${o.nearNullSpace.length} entries, expected A.rows·nullSpaceDim = ${A.rows * k}`);
  }
  for (let i = 0; i < o.nearNullSpace.length; i++) {
    if (!Number.isFinite(o.nearNullSpace[i])) {
      throw new NonFiniteInputError(`smoothedAggregationAmg: nearNullSpace entry (row ${Math.floor(i / k)}, column ${i % k}) is ${o.nearNullSpace[i]}`);
    }
  }
  const th = o.strengthThreshold ?? 0.08;
  if (!(th >= 0 && th < 1)) throw bad(`strengthThreshold must be in [0, 1), got ${th}`);
  const deg = o.chebyshevDegree ?? 2;
  if (!(Number.isInteger(deg) && deg >= 1 && deg <= 10)) throw bad(`chebyshevDegree must be an integer in 1..10, got ${deg}`);
}

/** A mutable level while the hierarchy is built. */
interface LevelDraft {
  A: CsrMatrix;
  invDiag: Float64Array;
  blocks: number;
  P?: CsrMatrix;
  rho: number;
  blockKernel?: Sbsr3Kernel;
}

/** The finished, read-only level (R built lazily from P). */
function finishLevel(L: LevelDraft): AmgHierarchyLevel {
  let R: CsrMatrix | undefined;
  const P = L.P;
  return {
    A: L.A,
    invDiag: L.invDiag,
    blocks: L.blocks,
    P,
    get R() {
      if (P && !R) R = csrTranspose(P);
      return R;
    },
    spectralRadius: L.rho,
    interval: L.rho > 0 ? [L.rho / 30, 1.1 * L.rho] : [0, 0],
    blockKernel: L.blockKernel,
  };
}

/**
 * A smoothed level: 1/diag, the symmetric block copy (when rows are a multiple of 3)
 * and ρ(D⁻¹A) by Lanczos on the faster of the two storages.
 */
function smoothedLevel(A: CsrMatrix, blocks: number, l: number, steps: number, phases: PhaseClock): LevelDraft {
  let t = performance.now();
  const invDiag = csrInverseDiagonal(A, `smoothedAggregationAmg: level ${l}`);
  const blockKernel = A.rows % 3 === 0 ? sbsr3Kernel(sbsr3FromCsr(A)) : undefined;
  t = lap(phases, 'levelSetup', t);
  const apply = blockKernel ? (x: Float64Array, y: Float64Array) => void blockKernel.spmv(x, y) : A;
  const rho = lanczosExtremes(apply, invDiag, steps, 12345 + l).max;
  lap(phases, 'spectralRadius', t);
  return { A, invDiag, blocks, rho, blockKernel };
}

/**
 * Builds the SA-AMG hierarchy of an SPD matrix (a reduced stiffness matrix
 * `K_r = Tᵀ K T`, N/mm) with a given near-null space (the rigid-body modes).
 * Load independent: build it once per matrix, cycle with it for every load case.
 *
 * @param A SPD matrix, CSR with sorted columns and a full positive diagonal
 * @param options blocks (nodes), near-null space and tuning, see {@link AmgOptions}
 * @throws DimensionMismatchError on inconsistent blocks / near-null space / options
 * @throws NonFiniteInputError for a NaN/Inf entry in the near-null space
 * @throws UnconstrainedModelError when a level is not positive definite
 *   (zero diagonal, singular coarse operator: usually an unconstrained model)
 * @example
 * ```ts
 * const h = buildAmgHierarchy(K, { blockPtr, nearNullSpace, nullSpaceDim: 6 }); // e.g. nearNullSpace = reducedRigidBodyModes(mesh.nodes, transform)
 * const M = amgPreconditioner(h); // the CPU V-cycle on it
 * ```
 */
export function buildAmgHierarchy(A: CsrMatrix, options: AmgOptions): AmgHierarchy {
  const t0 = performance.now();
  checkOptions(A, options);
  const k = options.nullSpaceDim;
  const theta = options.strengthThreshold ?? 0.08;
  const maxCoarse = Math.max(1, options.maxCoarseSize ?? 600);
  const maxLevels = Math.max(1, options.maxLevels ?? 12);
  const damping = options.prolongatorDamping ?? 4 / 3;
  const steps = options.lanczosSteps ?? 20;
  const degree = options.chebyshevDegree ?? 2;
  const phases = phaseClock();
  const levels: LevelDraft[] = [];
  let Al = A;
  let B = options.nearNullSpace;
  let blockPtr = options.blockPtr;
  for (let l = 0; ; l++) {
    const nb = blockPtr.length - 1;
    if (Al.rows <= maxCoarse || l + 1 >= maxLevels) {
      const t = performance.now();
      levels.push({ A: Al, invDiag: csrInverseDiagonal(Al, `smoothedAggregationAmg: level ${l}`), blocks: nb, rho: 0 });
      lap(phases, 'levelSetup', t);
      break;
    }
    const level = smoothedLevel(Al, nb, l, steps, phases);
    levels.push(level);
    const coarse = coarsen(Al, blockPtr, B, k, level, theta * 0.5 ** l, damping, phases);
    if (!coarse) break; // coarsening stalls: this level becomes the coarsest
    ({ A: Al, B, blockPtr } = coarse);
  }
  const last = levels[levels.length - 1];
  // Coarsest level: dense Cholesky when small, otherwise (level cap reached) many smoothing steps.
  const tc = performance.now();
  let coarseCholesky: Float64Array | undefined;
  if (last.A.rows <= 4000) coarseCholesky = choleskyFactor(last.A, `smoothedAggregationAmg: the coarsest operator (level ${levels.length - 1})`);
  else if (last.rho === 0) last.rho = lanczosExtremes(last.A, last.invDiag, steps, 999).max;
  lap(phases, 'coarseFactorization', tc);
  return {
    levels: levels.map(finishLevel),
    smoother: options.smoother ?? 'chebyshev',
    degree,
    coarseDegree: Math.max(degree, 8),
    coarseCholesky,
    setupMs: performance.now() - t0,
    setupPhases: phases.wall,
    setupCpuPhases: phases.cpu,
  };
}

/**
 * One coarsening step: strength → aggregates → tentative P → smoothed P → Galerkin A_c.
 * Sets `level.P`; returns the coarse operator, near-null space and blocks, or undefined
 * when the coarse level would not be clearly smaller (≥ 0.9·n rows).
 */
function coarsen(
  A: CsrMatrix,
  blockPtr: Uint32Array,
  B: Float64Array,
  k: number,
  level: LevelDraft,
  theta: number,
  damping: number,
  phases: PhaseClock,
): { A: CsrMatrix; B: Float64Array; blockPtr: Uint32Array } | undefined {
  const n = A.rows;
  const nb = blockPtr.length - 1;
  let t = performance.now();
  const blockOf = new Uint32Array(n);
  for (let b = 0; b < nb; b++) blockOf.fill(b, blockPtr[b], blockPtr[b + 1]);
  // θ_ℓ = θ·2^−ℓ (the caller's): coarse operators are denser and their weakest couplings still matter
  const { agg, count } = aggregate(strongBlockGraph(A, blockPtr, blockOf, theta), nb);
  t = lap(phases, 'aggregation', t);
  const tent = tentativeProlongator(n, blockPtr, agg, count, B, k);
  t = lap(phases, 'tentativeProlongator', t);
  if (tent.coarseStart[count] >= 0.9 * n) return undefined;
  const Pv = smoothedProlongatorVbsr(A, blockPtr, blockOf, agg, count, tent.kAgg, tent.q, k, level.invDiag, damping / level.rho);
  t = lap(phases, 'prolongatorSmoothing', t);
  const Ac = galerkinProduct(A, blockPtr, blockOf, Pv, tent.coarseStart);
  t = lap(phases, 'galerkinProduct', t);
  level.P = vbsrToCsr(Pv, blockPtr, tent.coarseStart);
  lap(phases, 'prolongatorCsr', t);
  return { A: Ac, B: tent.B, blockPtr: tent.coarseStart };
}

/**
 * The same hierarchy with a new finest operator of the same sparsity
 * pattern (a matrix that changed in a few cells: stiffness scaled cell by
 * cell, springs or facet contacts switched in an active-set pass). Only the
 * fine level is redone (1/diag, block copy, ρ by Lanczos: ≈ 2 % of a full
 * setup); the prolongators and the coarse operators are kept. The V-cycle on
 * it is still symmetric positive definite — its smoother runs on the new
 * matrix with the new ρ, and the kept coarse operator is SPD — so PCG stays
 * correct; only the iteration count can grow with the size of the change.
 *
 * @param h a hierarchy built for a matrix of A's size
 * @param A the new fine operator (same rows; any pattern)
 * @param lanczosSteps Lanczos steps for ρ (default 20)
 * @throws DimensionMismatchError when A has another size than the hierarchy's fine level
 * @throws UnconstrainedModelError when A has a non-positive diagonal entry
 * @example
 * ```ts
 * const M = amgPreconditioner(refreshFineLevel(amg.hierarchy, K)); // K: the matrix after setCellScale / an active-set pass
 * ```
 */
export function refreshFineLevel(h: AmgHierarchy, A: CsrMatrix, lanczosSteps = 20): AmgHierarchy {
  const t0 = performance.now();
  const old = h.levels[0];
  if (A.rows !== old.A.rows || A.cols !== old.A.cols) {
    throw new DimensionMismatchError(`refreshFineLevel: the hierarchy's fine level is ${old.A.rows}×${old.A.cols}, the new matrix ${A.rows}×${A.cols}`);
  }
  if (h.levels.length === 1) return buildAmgHierarchyOfOne(h, A, t0);
  const phases = phaseClock();
  const fine = smoothedLevel(A, old.blocks, 0, lanczosSteps, phases);
  fine.P = old.P;
  const levels = [finishLevel(fine), ...h.levels.slice(1)];
  return { ...h, levels, setupMs: performance.now() - t0, setupPhases: phases.wall, setupCpuPhases: phases.cpu };
}

/** A one-level hierarchy (direct solve) rebuilt on a new matrix. */
function buildAmgHierarchyOfOne(h: AmgHierarchy, A: CsrMatrix, t0: number): AmgHierarchy {
  const invDiag = csrInverseDiagonal(A, 'smoothedAggregationAmg: level 0');
  const coarseCholesky = h.coarseCholesky ? choleskyFactor(A, 'smoothedAggregationAmg: the coarsest operator (level 0)') : undefined;
  const rho = coarseCholesky ? 0 : lanczosExtremes(A, invDiag).max;
  const level = finishLevel({ A, invDiag, blocks: h.levels[0].blocks, rho });
  return { ...h, levels: [level], coarseCholesky, setupMs: performance.now() - t0, setupPhases: {}, setupCpuPhases: {} };
}
