/**
 * The SA-AMG V-cycle, written once against {@link CycleKernels} so the CPU
 * preconditioner (`amgPreconditioner`) and the device one
 * (`deviceAmgVcycle`) run the same control flow on the same
 * {@link AmgHierarchy}:
 * ```
 * for ℓ = 0 … L−2:  x_ℓ ← S_ℓ(b_ℓ) (zero guess);  r_ℓ ← b_ℓ − A_ℓx_ℓ;  b_ℓ₊₁ ← P_ℓᵀ r_ℓ
 * x_L−1 ← A_c⁻¹ b_L−1                       (or smoothing of degree ≥ 8, when too large to factor)
 * for ℓ = L−2 … 0:  x_ℓ ← x_ℓ + P_ℓ x_ℓ₊₁;  x_ℓ ← x_ℓ + S_ℓ(b_ℓ − A_ℓx_ℓ)
 * ```
 * Chebyshev smoothing x ← x + p(D⁻¹A)·D⁻¹·(b − A·x) with the degree-m
 * Chebyshev polynomial for [lo, hi] = [ρ/30, 1.1ρ] of D⁻¹A (three-term
 * recurrence, Saad Alg. 12.1), one fused `smoothStep` per step:
 * ```
 * d ← (1/θ)·D⁻¹r;  x ← x + d                    (r = b for a zero guess)
 * s = 1 … m−1:  r ← r − A·d;  d ← c1ₛ·d + c2ₛ·D⁻¹r;  x ← x + d
 * ```
 * The result is x + S·(b − A·x) with S = p(D⁻¹A)·D⁻¹ symmetric, so pre- and
 * post-smoothing are adjoint and the cycle is a symmetric positive definite
 * operator, as PCG requires. No triangular solves: GPU-friendly.
 */
import { csrResidual, csrSpmvAdd, csrSpmvTranspose } from '../../linalg/csr.js';
import { choleskySolve } from '../../linalg/dense.js';
import type { AmgHierarchy } from './hierarchy.js';

/** Coefficients of one smoothing step on a level, see {@link smootherSchedule}. */
export interface SmootherSchedule {
  /** First step: d ← first·D⁻¹r, x ← x + d. */
  readonly first: number;
  /** Steps s = 1 … m−1 (index s): d ← c1[s]·d + c2[s]·D⁻¹r after r ← r − A·d (entry 0 unused). */
  readonly c1: Float64Array;
  readonly c2: Float64Array;
}

/**
 * The smoother's scalar coefficients on the interval [lo, hi] of D⁻¹A
 * (Saad, Alg. 12.1, three-term recurrence): θ = (hi+lo)/2, δ = (hi−lo)/2,
 * σ = θ/δ, ρ₀ = 1/σ; first = 1/θ; step s ≥ 1: ρ₁ = 1/(2σ − ρ₀),
 * c1 = ρ₁ρ₀, c2 = 2ρ₁/δ, ρ₀ ← ρ₁. For the 'jacobi' smoother every step is
 * x ← x + ω·D⁻¹(b − A·x) with ω = first = 1/θ, and c1, c2 are zero.
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

/** The operations of a V-cycle on level ℓ, for vectors of type V (host arrays, device buffers). */
export interface CycleKernels<V> {
  /** r ← b − A_ℓ·x; r may be b (then r ← r − A_ℓ·x); x differs from both. */
  residual(level: number, x: V, b: V, r: V): void;
  /** d ← c1·d + c2·(D_ℓ⁻¹∘src);  x ← xScale·x + d (c1 = 0: d not read; xScale = 0: x not read). */
  smoothStep(level: number, src: V, d: V, x: V, c1: number, c2: number, xScale: number): void;
  /** b_ℓ₊₁ ← P_ℓᵀ·r. */
  restrict(level: number, r: V, bCoarse: V): void;
  /** x ← x + P_ℓ·x_ℓ₊₁. */
  prolongAdd(level: number, xCoarse: V, x: V): void;
  /** x ← A_c⁻¹·b on the coarsest level (called only when the hierarchy has a Cholesky factor). */
  coarseSolve(b: V, x: V): void;
}

/** Per-level vectors of a cycle: x, b, and the smoother's r, d (level 0's x and b are the cycle's arguments). */
export interface CycleVectors<V> {
  x: V[];
  b: V[];
  r: V[];
  d: V[];
}

/** Per-level smoothing plan of a hierarchy: degree and coefficients. */
export interface CyclePlan {
  readonly smoother: 'chebyshev' | 'jacobi';
  readonly direct: boolean;
  readonly steps: readonly { m: number; schedule: SmootherSchedule }[];
}

/**
 * The smoothing degrees and coefficients of every level of a hierarchy
 * (computed once; a cycle then allocates nothing).
 *
 * @example
 * ```ts
 * const plan = cyclePlan(amg.hierarchy);
 * ```
 */
export function cyclePlan(h: AmgHierarchy): CyclePlan {
  const nl = h.levels.length;
  return {
    smoother: h.smoother,
    direct: h.coarseCholesky !== undefined,
    steps: h.levels.map((L, l) => {
      const m = l === nl - 1 ? h.coarseDegree : h.degree;
      return { m, schedule: smootherSchedule(h.smoother, L.interval[0], L.interval[1], m) };
    }),
  };
}

/** x ← x + S_ℓ(b − A_ℓx), or x ← S_ℓ·b for a zero guess (S the degree-m smoothing polynomial times D⁻¹). */
function smooth<V>(plan: CyclePlan, k: CycleKernels<V>, v: CycleVectors<V>, l: number, zeroGuess: boolean): void {
  const { m, schedule } = plan.steps[l];
  const { first, c1, c2 } = schedule;
  const x = v.x[l];
  const b = v.b[l];
  const r = v.r[l];
  const d = v.d[l];
  if (plan.smoother === 'jacobi') {
    // m damped Jacobi sweeps x ← x + ω·D⁻¹(b − A·x), ω = first
    for (let s = 0; s < m; s++) {
      if (s === 0 && zeroGuess) k.smoothStep(l, b, d, x, 0, first, 0);
      else {
        k.residual(l, x, b, r);
        k.smoothStep(l, r, d, x, 0, first, 1);
      }
    }
    return;
  }
  if (zeroGuess) k.smoothStep(l, b, d, x, 0, first, 0); // d ← D⁻¹b/θ; x ← d
  else {
    k.residual(l, x, b, r);
    k.smoothStep(l, r, d, x, 0, first, 1); // d ← D⁻¹r/θ; x ← x + d
  }
  for (let s = 1; s < m; s++) {
    if (s === 1 && zeroGuess) k.residual(l, d, b, r); // r ← b − A·d (x = d so far)
    else k.residual(l, d, r, r); // r ← r − A·d
    k.smoothStep(l, r, d, x, c1[s], c2[s], 1); // d ← c1·d + c2·D⁻¹r; x ← x + d
  }
}

/**
 * One V-cycle `x_0 ← M⁻¹·b_0` on the vectors `v` (see the module comment).
 *
 * @param plan from {@link cyclePlan}
 * @param k the level operations of the storage the vectors live on
 * @param v per-level vectors; v.b[0] is read, v.x[0] written
 * @example
 * ```ts
 * const h = amg.hierarchy;
 * const vec = (): Float64Array[] => h.levels.map((L) => new Float64Array(L.A.rows));
 * const v = { x: vec(), b: vec(), r: vec(), d: vec() };
 * v.b[0] = r;
 * amgVcycle(cyclePlan(h), hostCycleKernels(h), v); // v.x[0] = M⁻¹·r
 * ```
 */
export function amgVcycle<V>(plan: CyclePlan, k: CycleKernels<V>, v: CycleVectors<V>): void {
  const nl = plan.steps.length;
  for (let l = 0; l < nl - 1; l++) {
    smooth(plan, k, v, l, true);
    k.residual(l, v.x[l], v.b[l], v.r[l]);
    k.restrict(l, v.r[l], v.b[l + 1]);
  }
  if (plan.direct) k.coarseSolve(v.b[nl - 1], v.x[nl - 1]);
  else smooth(plan, k, v, nl - 1, true);
  for (let l = nl - 2; l >= 0; l--) {
    k.prolongAdd(l, v.x[l + 1], v.x[l]);
    smooth(plan, k, v, l, false);
  }
}

/**
 * `d ← c1·d + c2·(invD∘src);  x ← xScale·x + d` over n entries (top-level with
 * typed-array parameters: V8 optimises it far better than a closure's loop).
 */
function smoothStepKernel(n: number, invD: Float64Array, src: Float64Array, d: Float64Array, x: Float64Array, c1: number, c2: number, xs: number): void {
  if (c1 === 0 && xs === 0) {
    for (let i = 0; i < n; i++) x[i] = d[i] = c2 * invD[i] * src[i];
  } else if (c1 === 0) {
    for (let i = 0; i < n; i++) {
      const di = c2 * invD[i] * src[i];
      d[i] = di;
      x[i] = xs * x[i] + di;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const di = c1 * d[i] + c2 * invD[i] * src[i];
      d[i] = di;
      x[i] = xs * x[i] + di;
    }
  }
}

/** r ← b − t over n entries (r may alias b). */
function subtractKernel(n: number, b: Float64Array, t: Float64Array, r: Float64Array): void {
  for (let i = 0; i < n; i++) r[i] = b[i] - t[i];
}

/**
 * The cycle's operations on host Float64Arrays: SpMVs in symmetric 3×3-block
 * storage (WebAssembly SIMD where available) where the level has it (CSR otherwise), restriction by Pᵀ without
 * forming it, the coarse solve by the Cholesky factor.
 *
 * @example
 * ```ts
 * const kernels = hostCycleKernels(amg.hierarchy);
 * ```
 */
export function hostCycleKernels(h: AmgHierarchy): CycleKernels<Float64Array> {
  const levels = h.levels;
  const tmp = levels.map((L) => (L.blockKernel ? new Float64Array(L.A.rows) : undefined));
  const nc = levels[levels.length - 1].A.rows;
  return {
    residual(l, x, b, r) {
      const L = levels[l];
      if (!L.blockKernel) return csrResidual(L.A, x, b, r);
      const t = tmp[l]!;
      L.blockKernel.spmv(x, t);
      subtractKernel(L.A.rows, b, t, r);
    },
    smoothStep(l, src, d, x, c1, c2, xs) {
      smoothStepKernel(levels[l].A.rows, levels[l].invDiag, src, d, x, c1, c2, xs);
    },
    restrict(l, r, bc) {
      csrSpmvTranspose(levels[l].P!, r, bc);
    },
    prolongAdd(l, xc, x) {
      csrSpmvAdd(levels[l].P!, xc, x);
    },
    coarseSolve(b, x) {
      choleskySolve(h.coarseCholesky!, nc, b, x);
    },
  };
}
