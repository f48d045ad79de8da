/**
 * Mixed-precision iterative refinement: an f64 outer loop around an f32
 * inner solver.
 *
 * A GPU streams f32 twice as fast as f64 (half the bytes; consumer GPUs and
 * WebGPU have no f64 at all), but f32 conjugate gradients on a stiffness
 * matrix stall at a relative residual of about 1e-6 … 1e-7: the f32 matrix is
 * itself only accurate to ε₃₂ ≈ 6·10⁻⁸ per entry, and round-off in the
 * recursive residual grows with the condition number. Iterative refinement
 * recovers full f64 accuracy:
 * ```
 * x ← x₀
 * repeat
 *   r ← b − A·x                      (f64, on the CPU, from Float64Arrays)
 *   stop when ‖r‖₂/‖b‖₂ ≤ tolerance
 *   s ← 1/‖r‖∞;  r₃₂ ← f32(s·r)     (scaled so f32 neither under- nor overflows)
 *   d₃₂ ≈ A₃₂⁻¹·r₃₂                  (inner f32 solve to a loose tolerance, e.g. 1e-4)
 *   x ← x + d₃₂/s                    (f64)
 * ```
 * Each outer step multiplies the error by about the inner solve's relative
 * accuracy plus κ·ε₃₂, so a loose inner tolerance costs a few outer steps
 * and the f64 residual reaches 1e-10 as long as κ(D^-½AD^-½)·ε₃₂ ≪ 1.
 *
 * The loop is written once (as a generator that yields each f32 residual and
 * receives the inner correction) and driven either synchronously
 * ({@link mixedPrecisionSolveSync}, for CPU inner solvers) or asynchronously
 * ({@link mixedPrecisionSolve}, for GPU inner solvers whose readback is a
 * Promise).
 */
import { DimensionMismatchError, NonFiniteInputError, SolverNotConvergedError, UnconstrainedModelError } from '../errors.js';
import type { CsrMatrix, SolveResult, StopReason } from '../linalg/types.js';
import { firstNonFinite } from '../linalg/vector.js';
import { defaultMaxIterations } from './pcg.js';
import { describeDof } from './jacobi.js';

/**
 * CSR matrix with f32 values (the device copy of a stiffness matrix).
 * Same layout as {@link CsrMatrix}: `rowPtr` (rows + 1), `colIdx`, `values` (N/mm, rounded to f32).
 */
export interface CsrMatrixF32 {
  rows: number;
  cols: number;
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float32Array;
}

/** What an inner (f32) solve returns. */
export interface InnerSolveResult {
  /** Correction d ≈ A⁻¹·r, f32, length n (same scaling as the r that was passed). */
  d: Float32Array;
  /** Inner iterations spent. */
  iterations: number;
  /** The inner solver's own (recursive, f32) relative residual estimate. */
  relativeResidual: number;
  /** Why the inner solve stopped. */
  reason: StopReason;
}

/** Options of one inner solve. */
export interface InnerSolveOptions {
  /** Relative residual the inner solve aims for (loose: 1e-4 … 1e-3). */
  tolerance: number;
  /** Inner iteration limit. */
  maxIterations: number;
}

/**
 * An approximate f32 solver for `A·d = r` (A fixed at construction): the
 * part of a mixed-precision solve that runs on a device. `solve` may return
 * a Promise (GPU readback is asynchronous).
 */
export interface InnerSolver {
  /** Short name, e.g. `cpu-f32`, `webgpu`, `gpujs:cpu`. */
  readonly name: string;
  /** System size n. */
  readonly size: number;
  /** d ≈ A⁻¹·r in f32. `r` is scaled to ‖r‖∞ = 1 by the caller; it may be reused by the caller after return. */
  solve(r: Float32Array, options: InnerSolveOptions): InnerSolveResult | Promise<InnerSolveResult>;
  /** Releases device resources. */
  dispose?(): void;
}

/** Options of {@link mixedPrecisionSolve}. */
export interface MixedPrecisionOptions {
  /** Stop when the f64 true relative residual ‖b − A·x‖₂/‖b‖₂ ≤ tolerance. Default 1e-8. */
  tolerance?: number;
  /** Relative tolerance of each inner f32 solve. Default 1e-4 (see docs/gpu.md for the measured trade-off). */
  innerTolerance?: number;
  /** Outer (refinement) step limit. Default 30. */
  maxRefinements?: number;
  /** Inner iteration limit per refinement step. Default `max(1000, ⌈10·√n⌉)`. */
  maxInnerIterations?: number;
  /** Initial guess (f64, length n); default zero. Not modified. */
  x0?: Float64Array;
  /** Return a non-converged result instead of throwing {@link SolverNotConvergedError}. */
  allowNotConverged?: boolean;
  /** Called after every refinement step with the current f64 iterate x (a live view: copy to keep it). */
  onRefinement?: (step: RefinementStep, x: Float64Array) => void;
}

/** Figures of one refinement step. */
export interface RefinementStep {
  /** 1-based step number. */
  step: number;
  /** Inner iterations of this step. */
  innerIterations: number;
  /** Inner solver's f32 relative residual at its stop. */
  innerRelativeResidual: number;
  /** f64 true relative residual after the correction. */
  relativeResidual: number;
  /** Wall time of the inner solve, ms. */
  innerMs: number;
}

/** Result of a mixed-precision solve: {@link SolveResult} plus the outer-loop cost. */
export type MixedPrecisionSolution = SolveResult & {
  /** Solution (f64, length n; mm for a stiffness solve). */
  x: Float64Array;
  /** Outer refinement steps (inner solves) performed. */
  refinementSteps: number;
  /** Inner f32 iterations summed over all steps (also reported as `iterations`). */
  innerIterations: number;
  /** Per-step figures. */
  history: RefinementStep[];
  /** Time spent in f64 residual evaluations on the CPU, ms (the outer-loop overhead). */
  outerMs: number;
  /** Explanation of a non-converged stop; absent when converged. */
  message?: string;
};

/** Residual r ← b − A·x in f64; returns ‖r‖₂. */
function residual64(A: CsrMatrix, b: Float64Array, x: Float64Array, r: Float64Array): number {
  const { rowPtr, colIdx, values } = A;
  let s = 0;
  for (let i = 0; i < A.rows; i++) {
    let ax = 0;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) ax += values[p] * x[colIdx[p]];
    const ri = b[i] - ax;
    r[i] = ri;
    s += ri * ri;
  }
  return Math.sqrt(s);
}

/** The refinement loop; yields scaled f32 residuals, receives inner results. */
function* refinementLoop(
  A: CsrMatrix,
  b: Float64Array,
  innerName: string,
  options: MixedPrecisionOptions,
): Generator<{ r: Float32Array; options: InnerSolveOptions }, MixedPrecisionSolution, { result: InnerSolveResult; ms: number }> {
  const n = A.rows;
  if (A.rows !== A.cols) throw new DimensionMismatchError(`mixedPrecisionSolve: matrix is ${A.rows}×${A.cols}, not square`);
  if (b.length !== n) throw new DimensionMismatchError(`mixedPrecisionSolve: matrix has ${n} rows but b has length ${b.length}`);
  const badB = firstNonFinite(b);
  if (badB >= 0) throw new NonFiniteInputError(`mixedPrecisionSolve: right-hand side b[${badB}] is ${b[badB]}`);
  const tol = options.tolerance ?? 1e-8;
  const innerTol = options.innerTolerance ?? 1e-4;
  const maxSteps = options.maxRefinements ?? 30;
  const maxInner = options.maxInnerIterations ?? defaultMaxIterations(n);
  for (const [name, v] of [
    ['tolerance', tol],
    ['innerTolerance', innerTol],
  ] as const) {
    if (!(v > 0 && v < 1)) throw new DimensionMismatchError(`mixedPrecisionSolve: ${name} must lie in (0, 1), got ${v}`);
  }
  if (!(Number.isInteger(maxSteps) && maxSteps >= 0)) {
    throw new DimensionMismatchError(`mixedPrecisionSolve: maxRefinements must be a non-negative integer, got ${maxSteps}`);
  }
  const x = new Float64Array(n);
  if (options.x0) {
    if (options.x0.length !== n) throw new DimensionMismatchError(`mixedPrecisionSolve: x0 has length ${options.x0.length}, expected ${n}`);
    const bad = firstNonFinite(options.x0);
    if (bad >= 0) throw new NonFiniteInputError(`mixedPrecisionSolve: initial guess x0[${bad}] is ${options.x0[bad]}`);
    x.set(options.x0);
  }
  const t0 = performance.now();
  let outerMs = 0;
  const history: RefinementStep[] = [];
  let bb = 0;
  for (let i = 0; i < n; i++) bb += b[i] * b[i];
  const bnorm = Math.sqrt(bb);
  const base = { x, refinementSteps: 0, innerIterations: 0, iterations: 0, history, outerMs: 0 };
  if (bnorm === 0) {
    x.fill(0);
    return { ...base, converged: true, relativeResidual: 0, reason: 'zero-rhs', timeMs: performance.now() - t0 };
  }
  const r = new Float64Array(n);
  const r32 = new Float32Array(n);
  let o0 = performance.now();
  let rel = residual64(A, b, x, r) / bnorm;
  outerMs += performance.now() - o0;
  let reason: StopReason | undefined;
  let message: string | undefined;
  let innerIterations = 0;
  let slowSteps = 0;
  while (true) {
    if (!Number.isFinite(rel)) {
      reason = 'non-finite';
      message = 'the f64 residual b − A·x is not finite (the matrix holds NaN/Inf)';
      break;
    }
    if (rel <= tol) {
      reason = 'converged';
      break;
    }
    if (history.length >= maxSteps) {
      reason = 'max-iterations';
      message = `${maxSteps} refinement steps did not reach the tolerance`;
      break;
    }
    // r₃₂ ← f32(r/‖r‖∞): unit scale keeps rᵀz and pᵀAp far from f32 under/overflow
    let rmax = 0;
    for (let i = 0; i < n; i++) rmax = Math.max(rmax, Math.abs(r[i]));
    const scale = 1 / rmax;
    for (let i = 0; i < n; i++) r32[i] = r[i] * scale;
    const { result, ms } = yield { r: r32, options: { tolerance: innerTol, maxIterations: maxInner } };
    const d = result.d;
    if (d.length !== n) throw new DimensionMismatchError(`mixedPrecisionSolve: inner solver ${innerName} returned length ${d.length}, expected ${n}`);
    innerIterations += result.iterations;
    const badD = firstNonFinite(d);
    if (badD >= 0) {
      reason = 'non-finite';
      message = `inner solver ${innerName} returned a non-finite correction at ${describeDof(badD)} (inner stop: ${result.reason}); x kept from the previous step`;
      history.push({ step: history.length + 1, innerIterations: result.iterations, innerRelativeResidual: result.relativeResidual, relativeResidual: rel, innerMs: ms });
      break;
    }
    // x ← x + d/s (f64)
    const inv = 1 / scale;
    for (let i = 0; i < n; i++) x[i] += d[i] * inv;
    o0 = performance.now();
    const prev = rel;
    rel = residual64(A, b, x, r) / bnorm;
    outerMs += performance.now() - o0;
    history.push({ step: history.length + 1, innerIterations: result.iterations, innerRelativeResidual: result.relativeResidual, relativeResidual: rel, innerMs: ms });
    options.onRefinement?.(history[history.length - 1], x);
    if (result.reason === 'breakdown' && rel >= prev) {
      reason = 'breakdown';
      message = `inner solver ${innerName} broke down (pᵀAp ≤ 0 or rᵀz ≤ 0): the matrix is not positive definite in f32`;
      break;
    }
    // Refinement contracts by ≈ innerTol + κ·ε₃₂ per step; two steps in a row
    // that gain less than 2× mean κ·ε₃₂ ≈ 1: f32 cannot represent A well enough.
    if (rel > 0.5 * prev) slowSteps++;
    else slowSteps = 0;
    if (rel >= prev || slowSteps >= 2) {
      if (rel >= prev) {
        // undo the step that made things worse: x ← x − d/s
        for (let i = 0; i < n; i++) x[i] -= d[i] * inv;
        rel = residual64(A, b, x, r) / bnorm;
      }
      if (rel <= tol) {
        reason = 'converged';
        break;
      }
      reason = 'stagnation';
      message =
        `refinement stalls at relative residual ${rel.toExponential(3)} (previous ${prev.toExponential(3)}): ` +
        `the f32 matrix is too ill-conditioned (κ·ε₃₂ ≳ 1) for ${innerName}; solve in f64`;
      break;
    }
  }
  const converged = reason === 'converged';
  const result: MixedPrecisionSolution = {
    x,
    converged,
    iterations: innerIterations,
    innerIterations,
    refinementSteps: history.length,
    relativeResidual: rel,
    reason: reason!,
    timeMs: performance.now() - t0,
    history,
    outerMs,
  };
  if (message) result.message = message;
  if (!converged && !options.allowNotConverged) {
    throw new SolverNotConvergedError(
      `mixed-precision solve did not converge: relative residual ${rel.toExponential(3)} after ${history.length} refinement steps ` +
        `(${innerIterations} inner iterations; ${reason}${message ? `: ${message}` : ''})`,
      innerIterations,
      rel,
      reason!,
    );
  }
  return result;
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === 'function';
}

/**
 * Solves `A·x = b` (A SPD, f64 CSR) to an f64 relative residual by iterative
 * refinement around an f32 inner solver (e.g. a GPU PCG). Asynchronous so a
 * device solver can await its readback; accepts synchronous inner solvers too.
 *
 * @param A SPD matrix, f64 (stiffness, N/mm); the f64 residual is computed from it
 * @param b right-hand side, length n (N)
 * @param inner f32 solver of the same A (see {@link cpuF32InnerSolver}, `webgpuInnerSolver`, `gpujsInnerSolver`)
 * @throws SolverNotConvergedError unless `allowNotConverged` (reason 'stagnation' when f32 cannot resolve A)
 * @throws DimensionMismatchError / NonFiniteInputError on bad input
 * @example
 * ```ts
 * const inner = cpuF32InnerSolver(K);
 * const sol = await mixedPrecisionSolve(K, f, inner, { tolerance: 1e-10 });
 * console.log(sol.refinementSteps, sol.innerIterations, sol.relativeResidual);
 * ```
 */
export async function mixedPrecisionSolve(
  A: CsrMatrix,
  b: Float64Array,
  inner: InnerSolver,
  options: MixedPrecisionOptions = {},
): Promise<MixedPrecisionSolution> {
  checkInner(A, inner);
  const loop = refinementLoop(A, b, inner.name, options);
  let step = loop.next();
  while (!step.done) {
    const t = performance.now();
    const pending = inner.solve(step.value.r, step.value.options);
    const result = isPromise(pending) ? await pending : pending;
    step = loop.next({ result, ms: performance.now() - t });
  }
  return step.value;
}

/**
 * Synchronous {@link mixedPrecisionSolve} for inner solvers that answer
 * synchronously (the CPU f32 reference, gpu.js in `cpu` mode).
 *
 * @throws DimensionMismatchError when the inner solver returns a Promise
 * @example
 * ```ts
 * const sol = mixedPrecisionSolveSync(K, f, cpuF32InnerSolver(K), { tolerance: 1e-10 });
 * ```
 */
export function mixedPrecisionSolveSync(
  A: CsrMatrix,
  b: Float64Array,
  inner: InnerSolver,
  options: MixedPrecisionOptions = {},
): MixedPrecisionSolution {
  checkInner(A, inner);
  const loop = refinementLoop(A, b, inner.name, options);
  let step = loop.next();
  while (!step.done) {
    const t = performance.now();
    const result = inner.solve(step.value.r, step.value.options);
    if (isPromise(result)) {
      throw new DimensionMismatchError(`mixedPrecisionSolveSync: inner solver ${inner.name} is asynchronous; use mixedPrecisionSolve`);
    }
    step = loop.next({ result, ms: performance.now() - t });
  }
  return step.value;
}

function checkInner(A: CsrMatrix, inner: InnerSolver): void {
  if (inner.size !== A.rows) {
    throw new DimensionMismatchError(`mixedPrecisionSolve: inner solver ${inner.name} has size ${inner.size}, matrix ${A.rows}`);
  }
}

/**
 * Rounds a CSR matrix's values to f32 (structure arrays are shared, not copied).
 *
 * @example
 * ```ts
 * const K32 = csrToF32(K); // K32.values: Float32Array
 * ```
 */
export function csrToF32(A: CsrMatrix): CsrMatrixF32 {
  return { rows: A.rows, cols: A.cols, rowPtr: A.rowPtr, colIdx: A.colIdx, values: Float32Array.from(A.values) };
}

/**
 * Inverse diagonal `1/A_ii` in f32, checked: a diagonal ≤ 0 or non-finite
 * entry is refused with a typed error naming the DOF.
 *
 * @throws UnconstrainedModelError / NonFiniteInputError naming the DOF
 * @example
 * ```ts
 * const invD = inverseDiagonalF32(csrToF32(K));
 * ```
 */
export function inverseDiagonalF32(A: CsrMatrixF32 | CsrMatrix): Float32Array {
  const inv = new Float32Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let d = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] === i) d += A.values[p];
    if (!Number.isFinite(d)) throw new NonFiniteInputError(`inverse diagonal: diagonal entry of ${describeDof(i)} is ${d}`);
    if (!(d > 0)) {
      throw new UnconstrainedModelError(`inverse diagonal: diagonal entry of ${describeDof(i)} is ${d} ≤ 0; the DOF has no stiffness`);
    }
    inv[i] = 1 / d;
  }
  return inv;
}

/** Options of {@link f32Pcg}. */
export interface F32PcgOptions {
  /** Relative (recursive) residual to stop at. */
  tolerance: number;
  /** Iteration limit. */
  maxIterations: number;
}

/** y ← A·x with f32 storage: each product accumulates in a register, the row sum is rounded once on store. */
function spmvF32(A: CsrMatrixF32, x: Float32Array, y: Float32Array): void {
  const { rowPtr, colIdx, values } = A;
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) s += values[p] * x[colIdx[p]];
    y[i] = s;
  }
}

function dotF32(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return Math.fround(s);
}

/**
 * Jacobi-preconditioned CG entirely in f32 storage (matrix, vectors and the
 * scalars α, β rounded to f32) — the algorithm the GPU backends run, and the
 * reference their kernels are tested against. Sums accumulate in registers
 * (f64 in JS, f32 with tree reductions on a GPU) and are rounded on store.
 *
 * Stops on the recursive residual `‖r‖₂/‖b‖₂ ≤ tolerance` (there is no f64
 * check here; the refinement loop does that).
 *
 * @param A f32 CSR matrix (N/mm), SPD
 * @param invD f32 inverse diagonal (mm/N)
 * @param b right-hand side, f32, length n
 * @example
 * ```ts
 * const K32 = csrToF32(K);
 * const { d, iterations } = f32Pcg(K32, inverseDiagonalF32(K32), Float32Array.from(f), { tolerance: 1e-4, maxIterations: 5000 });
 * ```
 */
export function f32Pcg(A: CsrMatrixF32, invD: Float32Array, b: Float32Array, options: F32PcgOptions): InnerSolveResult {
  const n = A.rows;
  if (b.length !== n || invD.length !== n) {
    throw new DimensionMismatchError(`f32Pcg: matrix ${n} rows, b ${b.length}, inverse diagonal ${invD.length}`);
  }
  const x = new Float32Array(n);
  const r = Float32Array.from(b);
  const z = new Float32Array(n);
  const p = new Float32Array(n);
  const q = new Float32Array(n);
  const bnorm = Math.sqrt(dotF32(b, b));
  if (bnorm === 0) return { d: x, iterations: 0, relativeResidual: 0, reason: 'zero-rhs' };
  const tol2 = options.tolerance * options.tolerance * bnorm * bnorm;
  // z ← D⁻¹r, p ← z, rz ← rᵀz
  for (let i = 0; i < n; i++) z[i] = invD[i] * r[i];
  p.set(z);
  let rz = dotF32(r, z);
  let rr = bnorm * bnorm;
  let it = 0;
  let reason: StopReason = 'max-iterations';
  while (it < options.maxIterations) {
    if (rr <= tol2) {
      reason = 'converged';
      break;
    }
    if (!(rz > 0)) {
      reason = Number.isFinite(rz) ? 'breakdown' : 'non-finite';
      break;
    }
    spmvF32(A, p, q); // q ← A·p
    const pq = dotF32(p, q);
    if (!(pq > 0)) {
      reason = Number.isFinite(pq) ? 'breakdown' : 'non-finite';
      break;
    }
    const alpha = Math.fround(rz / pq);
    // x ← x + αp; r ← r − αq; z ← D⁻¹r; rᵀz, rᵀr
    let rzNew = 0;
    let rrNew = 0;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
      const ri = r[i];
      z[i] = invD[i] * ri;
      rzNew += ri * z[i];
      rrNew += ri * ri;
    }
    rzNew = Math.fround(rzNew);
    rr = Math.fround(rrNew);
    const beta = Math.fround(rzNew / rz);
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i]; // p ← z + βp
    it++;
  }
  if (it >= options.maxIterations && rr <= tol2) reason = 'converged';
  if (!Number.isFinite(rr)) reason = 'non-finite';
  return { d: x, iterations: it, relativeResidual: Math.sqrt(rr) / bnorm, reason };
}

/**
 * The CPU f32 inner solver: {@link f32Pcg} on an f32 copy of A with Jacobi.
 * The reference for the GPU inner solvers (same algorithm, same storage
 * precision) and a working mixed-precision path on machines without a GPU.
 *
 * @param A SPD matrix, f64 CSR (N/mm); rounded to f32 once here
 * @example
 * ```ts
 * const sol = mixedPrecisionSolveSync(K, f, cpuF32InnerSolver(K), { tolerance: 1e-10 });
 * ```
 */
export function cpuF32InnerSolver(A: CsrMatrix): InnerSolver & { readonly matrix: CsrMatrixF32; readonly inverseDiagonal: Float32Array } {
  const A32 = csrToF32(A);
  const invD = inverseDiagonalF32(A32);
  return {
    name: 'cpu-f32',
    size: A.rows,
    matrix: A32,
    inverseDiagonal: invD,
    solve: (r, options) => f32Pcg(A32, invD, r, options),
  };
}
