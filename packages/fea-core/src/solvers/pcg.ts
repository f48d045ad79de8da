/**
 * Preconditioned conjugate gradients, written once against
 * {@link LinearOperator} and {@link Preconditioner}.
 */
import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError, SolverNotConvergedError } from '../errors.js';
import type { FusedLinearOperator } from '../linalg/csr.js';
import type { LinearOperator, Preconditioner, SolveResult, StopReason } from '../linalg/types.js';
import { dot, firstNonFinite, norm2, xpby } from '../linalg/vector.js';
import { isDiagonalPreconditioner, isFusedPreconditioner } from './preconditioner.js';

/** Options of {@link pcg}. */
export interface PcgOptions {
  /** Initial guess (length n); default zero. Not modified. */
  x0?: Float64Array;
  /** `M⁻¹` (SPD); default none (plain CG). */
  preconditioner?: Preconditioner;
  /** Stop when the relative residual ‖r‖₂/‖b‖₂ ≤ tolerance (checked on the true residual). Default 1e-8. */
  tolerance?: number;
  /** Iteration limit. Default `max(1000, ⌈10·√n⌉)`. */
  maxIterations?: number;
  /** Return a non-converged result instead of throwing {@link SolverNotConvergedError}. */
  allowNotConverged?: boolean;
  /** Called after every iteration with the recursive relative residual. */
  onProgress?: (iteration: number, relativeResidual: number) => void;
  /**
   * Stop with reason 'stagnation' when the relative residual has not reached a
   * new minimum for this many iterations (CG residuals oscillate, so a window,
   * not a per-step test). Default 500; 0 or Infinity disables.
   */
  stagnationWindow?: number;
}

/** Result of {@link pcg}: the {@link SolveResult} figures plus the solution. */
export type PcgSolution = SolveResult & {
  /** Solution (length n; mm for a stiffness solve). */
  x: Float64Array;
  /** Explanation of a non-converged stop (breakdown hint etc.); absent when converged. */
  message?: string;
};

/** Default `maxIterations` for a system of size n: `max(1000, ⌈10·√n⌉)`.
 *
 * @example
 * ```ts
 * defaultMaxIterations(1_000_000); // 10000
 * ```
 */
export function defaultMaxIterations(n: number): number {
  return Math.max(1000, Math.ceil(10 * Math.sqrt(n)));
}

function hasApplyDot(A: LinearOperator): A is FusedLinearOperator {
  return typeof (A as Partial<FusedLinearOperator>).applyDot === 'function';
}

// The vector sweeps live in small top-level, monomorphic functions so V8
// optimises them independently of the long solver body. They are memory
// bound: at 1M DOF the Jacobi sweep moves 72 MB, p ← z + βp 24 MB per iteration.

/** x ← x + α·p; r ← r − α·q; z ← invD∘r; sums = [rᵀr, rᵀz]. */
function updateJacobi(
  alpha: number,
  x: Float64Array,
  p: Float64Array,
  r: Float64Array,
  q: Float64Array,
  invD: Float64Array,
  z: Float64Array,
  sums: Float64Array,
): void {
  const n = x.length;
  let rr = 0;
  let rz = 0;
  for (let i = 0; i < n; i++) {
    x[i] += alpha * p[i];
    const ri = r[i] - alpha * q[i];
    r[i] = ri;
    const zi = invD[i] * ri;
    z[i] = zi;
    rr += ri * ri;
    rz += ri * zi;
  }
  sums[0] = rr;
  sums[1] = rz;
}

/** x ← x + α·p; r ← r − α·q; returns rᵀr. */
function updateXr(alpha: number, x: Float64Array, p: Float64Array, r: Float64Array, q: Float64Array): number {
  const n = x.length;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    x[i] += alpha * p[i];
    const ri = r[i] - alpha * q[i];
    r[i] = ri;
    rr += ri * ri;
  }
  return rr;
}

/** ‖b − A·x‖₂ into r (r ← b − A·x); `tmp` is scratch. */
function trueResidual(A: LinearOperator, b: Float64Array, x: Float64Array, r: Float64Array, tmp: Float64Array): number {
  A.apply(x, tmp);
  const n = b.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const ri = b[i] - tmp[i];
    r[i] = ri;
    s += ri * ri;
  }
  return Math.sqrt(s);
}

/**
 * Solves `A·x = b` for SPD `A` by preconditioned conjugate gradients.
 *
 * Iteration (Saad, Alg. 9.1), with the vector sweeps fused:
 * ```
 * q ← A·p,  α ← rᵀz / pᵀq
 * x ← x + α·p,  r ← r − α·q,  (z ← M⁻¹r, rᵀr, rᵀz in the same loop if M is diagonal)
 * β ← rᵀz_new / rᵀz,  p ← z + β·p
 * ```
 * When the recursive residual reaches the tolerance the true residual
 * `‖b − A·x‖/‖b‖` is computed; if round-off made the two drift apart, the
 * residual is replaced by the true one and CG restarts from x (at most a few
 * times, then 'stagnation'). The reported `relativeResidual` is always the
 * true one of the returned x.
 *
 * Stops: 'converged'; 'zero-rhs' (b = 0 → x = 0); 'max-iterations';
 * 'breakdown' (pᵀAp ≤ 0 or rᵀM⁻¹r ≤ 0: A or M is not positive definite,
 * typically an unconstrained model); 'non-finite'; 'stagnation'.
 *
 * @param A SPD operator of size n (stiffness, N/mm)
 * @param b right-hand side, length n (forces, N)
 * @throws NonFiniteInputError naming the first NaN/Inf index of b or x0
 * @throws DimensionMismatchError on length mismatch
 * @throws SolverNotConvergedError "solver did not converge: relative residual X after N iterations (reason)" unless `allowNotConverged`
 * @example
 * ```ts
 * const { x, iterations } = pcg(csrOperator(K), f, { preconditioner: jacobiPreconditioner(K), tolerance: 1e-8 });
 * ```
 */
export function pcg(A: LinearOperator, b: Float64Array, options: PcgOptions = {}): PcgSolution {
  const n = A.size;
  if (b.length !== n) throw new DimensionMismatchError(`pcg: operator has size ${n} but b has length ${b.length}`);
  const badB = firstNonFinite(b);
  if (badB >= 0) throw new NonFiniteInputError(`pcg: right-hand side b[${badB}] is ${b[badB]}`);
  const tol = options.tolerance ?? 1e-8;
  if (!(tol > 0 && Number.isFinite(tol))) throw new InvalidArgumentError(`pcg: tolerance must be a positive finite number, got ${tol}`);
  const maxIt = options.maxIterations ?? defaultMaxIterations(n);
  if (!(Number.isInteger(maxIt) && maxIt >= 0)) {
    throw new InvalidArgumentError(`pcg: maxIterations must be a non-negative integer, got ${maxIt}`);
  }
  const window = options.stagnationWindow ?? 500;
  const M = options.preconditioner;
  const onProgress = options.onProgress;
  const x = new Float64Array(n);
  if (options.x0) {
    if (options.x0.length !== n) throw new DimensionMismatchError(`pcg: x0 has length ${options.x0.length}, expected ${n}`);
    const badX = firstNonFinite(options.x0);
    if (badX >= 0) throw new NonFiniteInputError(`pcg: initial guess x0[${badX}] is ${options.x0[badX]}`);
  }

  const t0 = performance.now();
  const bnorm = norm2(b);
  if (bnorm === 0) {
    return { x, converged: true, iterations: 0, relativeResidual: 0, reason: 'zero-rhs', timeMs: performance.now() - t0 };
  }
  if (bnorm < 1e-100 || bnorm > 1e100) {
    // rᵀM⁻¹r of a tiny (huge) load under- (over-)flows: solve A·x' = b/‖b‖ and scale back.
    // The relative residual is invariant under the scaling.
    const s = 1 / bnorm;
    const scaled = pcg(A, b.map((v) => v * s), { ...options, x0: options.x0?.map((v) => v * s) });
    for (let i = 0; i < n; i++) scaled.x[i] *= bnorm;
    return scaled;
  }
  if (options.x0) x.set(options.x0);

  const r = new Float64Array(n);
  const q = new Float64Array(n);
  const p = new Float64Array(n);
  const z = M ? new Float64Array(n) : r; // without M, z ≡ r (only read)
  const invD = M && isDiagonalPreconditioner(M) ? M.inverseDiagonal : undefined;
  if (invD && invD.length !== n) {
    throw new DimensionMismatchError(`pcg: preconditioner has size ${invD.length}, operator ${n}`);
  }
  const fusedM = M && isFusedPreconditioner(M) ? M : undefined;
  const fusedA = hasApplyDot(A) ? A : undefined;
  const sums = new Float64Array(2);

  /** z ← M⁻¹r, returns rᵀz. */
  const precondition = (): number => {
    if (!M) return dot(r, r);
    if (fusedM) return fusedM.applyDot(r, z);
    M.apply(r, z);
    return dot(r, z);
  };

  // r ← b − A·x₀
  let rnorm: number;
  if (options.x0) rnorm = trueResidual(A, b, x, r, q);
  else {
    r.set(b);
    rnorm = bnorm;
  }
  let rel = rnorm / bnorm;
  let reason: StopReason | undefined;
  let message: string | undefined;
  let iterations = 0;
  let trueRel = rel;
  let replacements = 0;
  const maxReplacements = 5;

  if (!Number.isFinite(rel)) {
    reason = 'non-finite';
    message = 'the initial residual b − A·x₀ is not finite (the operator produced NaN/Inf)';
  } else if (rel <= tol) {
    reason = 'converged';
  }

  let rz = reason ? 0 : precondition();
  p.set(z);
  let best = rel;
  let bestIt = 0;

  while (!reason) {
    if (iterations >= maxIt) {
      reason = 'max-iterations';
      break;
    }
    if (!(rz > 0)) {
      reason = Number.isFinite(rz) ? 'breakdown' : 'non-finite';
      message =
        reason === 'breakdown'
          ? `rᵀM⁻¹r = ${rz} ≤ 0 at iteration ${iterations}: the preconditioner is not positive definite`
          : `rᵀM⁻¹r is ${rz} at iteration ${iterations}`;
      break;
    }
    // q ← A·p, pq = pᵀA·p
    let pq: number;
    if (fusedA) pq = fusedA.applyDot(p, q);
    else {
      A.apply(p, q);
      pq = dot(p, q);
    }
    if (!Number.isFinite(pq)) {
      reason = 'non-finite';
      message = `pᵀAp is ${pq} at iteration ${iterations}: the operator produced NaN/Inf`;
      break;
    }
    if (pq <= 0) {
      reason = 'breakdown';
      message =
        `pᵀAp = ${pq.toExponential(3)} ≤ 0 at iteration ${iterations}: the matrix is not positive definite; ` +
        `this usually means the model is unconstrained (rigid-body motion not suppressed) or has a mechanism`;
      break;
    }
    const alpha = rz / pq;
    let rr: number;
    let rzNew: number;
    if (invD) {
      // x ← x + αp; r ← r − αq; z ← D⁻¹r; rᵀr and rᵀz — one sweep
      updateJacobi(alpha, x, p, r, q, invD, z, sums);
      rr = sums[0];
      rzNew = sums[1];
    } else {
      rr = updateXr(alpha, x, p, r, q);
      rzNew = M ? precondition() : rr;
    }
    iterations++;
    rel = Math.sqrt(rr) / bnorm;
    if (!Number.isFinite(rel) || !Number.isFinite(rzNew)) {
      reason = 'non-finite';
      message = `the residual became non-finite at iteration ${iterations}`;
      break;
    }
    onProgress?.(iterations, rel);
    if (rel <= tol) {
      // Check the true residual; recursive r drifts from b − A·x by round-off.
      const prevTrue = trueRel;
      trueRel = trueResidual(A, b, x, r, q) / bnorm;
      if (trueRel <= tol) {
        reason = 'converged';
        break;
      }
      replacements++;
      if (replacements > maxReplacements || (replacements > 1 && trueRel > 0.5 * prevTrue)) {
        reason = 'stagnation';
        message = `true residual stalls at ${trueRel.toExponential(3)} (round-off limit; tolerance too tight for this conditioning)`;
        break;
      }
      // residual replacement: restart CG from the current x with r = b − A·x
      rel = trueRel;
      best = rel;
      bestIt = iterations;
      rz = precondition();
      p.set(z);
      continue;
    }
    if (rel < best) {
      best = rel;
      bestIt = iterations;
    } else if (window > 0 && iterations - bestIt >= window) {
      reason = 'stagnation';
      message = `no new minimum of the residual over the last ${window} iterations (best ${best.toExponential(3)})`;
      break;
    }
    // p ← z + β·p,  β = rᵀz_new / rᵀz_old
    const beta = rzNew / rz;
    rz = rzNew;
    xpby(z, beta, p);
  }
  const timeMs = performance.now() - t0;

  // Report the true residual of the returned x.
  const finalRel = reason === 'converged' ? trueRel : trueResidual(A, b, x, r, q) / bnorm;
  const converged = reason === 'converged';
  const result: PcgSolution = {
    x,
    converged,
    iterations,
    relativeResidual: finalRel,
    reason: reason!,
    timeMs,
  };
  if (!converged) {
    if (message) result.message = message;
    if (!options.allowNotConverged) {
      throw new SolverNotConvergedError(
        `solver did not converge: relative residual ${finalRel.toExponential(3)} after ${iterations} iterations ` +
          `(${reason}${message ? `: ${message}` : ''})`,
        iterations,
        finalRel,
        reason!,
      );
    }
  }
  return result;
}
