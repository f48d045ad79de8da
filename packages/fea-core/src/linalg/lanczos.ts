/**
 * Extreme eigenvalue estimates of a Jacobi-scaled SPD operator D⁻¹A by the
 * Lanczos method (the multigrid smoother's interval and the prolongator
 * damping need ρ(D⁻¹A)).
 */
import { mulberry32 } from '@spinefea/mesh';
import { csrSpmv } from './csr.js';
import type { CsrMatrix } from './types.js';

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

/** Extreme eigenvalues of the k×k tridiagonal (α, β): Gershgorin interval, then bisection on Sturm counts. */
function tridiagonalExtremes(alpha: Float64Array, beta: Float64Array, k: number): { min: number; max: number } {
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

/**
 * Extreme eigenvalue estimates of D⁻¹A: `steps` Lanczos steps on the
 * symmetric D^{-1/2}·A·D^{-1/2} (same spectrum), then the extreme Ritz
 * values by bisection on the tridiagonal matrix. The largest Ritz value
 * approaches λ_max from below quickly; λ_min converges slowly (an upper
 * bound of it).
 *
 * @param A the SPD matrix, or its product `y ← A·x` (any fast kernel)
 * @param invDiag 1/a_ii
 * @param steps Lanczos steps (SpMVs)
 * @param seed start vector seed (deterministic)
 * @example
 * ```ts
 * const { max } = lanczosExtremes(K, csrInverseDiagonal(K), 20);
 * ```
 */
export function lanczosExtremes(
  A: CsrMatrix | ((x: Float64Array, y: Float64Array) => void),
  invDiag: Float64Array,
  steps = 20,
  seed = 12345,
): { min: number; max: number } {
  const apply = typeof A === 'function' ? A : (x: Float64Array, y: Float64Array) => csrSpmv(A, x, y);
  const n = invDiag.length;
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
    apply(t, w);
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
  return tridiagonalExtremes(alpha, beta, k);
}
