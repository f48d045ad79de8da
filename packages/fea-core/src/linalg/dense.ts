/**
 * Dense symmetric positive definite kernels on row-major n×n Float64Arrays:
 * Cholesky factorisation, the two triangular solves, and the explicit
 * inverse from the factor. Used for the coarsest level of the multigrid
 * hierarchy (a few hundred to a few thousand rows), where a dense direct
 * solve is cheaper than iterating.
 */
import { DimensionMismatchError, UnconstrainedModelError } from '../errors.js';
import type { CsrMatrix } from './types.js';

/**
 * Cholesky factor `A = L·Lᵀ` of a symmetric positive definite CSR matrix
 * (right-looking by columns, n³/3 multiply-adds).
 *
 * @param A SPD matrix (both triangles stored, as every CSR matrix here)
 * @param what names the matrix in the error message
 * @returns row-major n×n L (lower triangle; the upper triangle holds A's entries and is never read)
 * @throws UnconstrainedModelError on a pivot ≤ 1e-13 of the largest diagonal entry (numerically singular: usually an unconstrained model)
 * @example
 * ```ts
 * const L = choleskyFactor(A, 'coarsest AMG level');
 * choleskySolve(L, A.rows, b, x); // x = A⁻¹·b
 * ```
 */
export function choleskyFactor(A: CsrMatrix, what = 'matrix'): Float64Array {
  if (A.rows !== A.cols) throw new DimensionMismatchError(`choleskyFactor: ${what} is ${A.rows}×${A.cols}, not square`);
  const n = A.rows;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) L[i * n + A.colIdx[p]] = A.values[p];
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, L[i * n + i]);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = L[rj + j];
    for (let c = 0; c < j; c++) d -= L[rj + c] * L[rj + c]; // l_jj² = a_jj − Σ_c l_jc²
    if (!(d > 1e-13 * maxDiag)) {
      throw new UnconstrainedModelError(
        `${what} (${n} rows) is not positive definite at row ${j} (pivot ${d.toExponential(3)}): ` +
          `the model is probably not constrained against rigid-body motion`,
      );
    }
    const ljj = Math.sqrt(d);
    L[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = L[ri + j];
      for (let c = 0; c < j; c++) s -= L[ri + c] * L[rj + c]; // l_ij = (a_ij − Σ_c l_ic·l_jc) / l_jj
      L[ri + j] = s * inv;
    }
  }
  return L;
}

/**
 * `x ← (L·Lᵀ)⁻¹·b`: forward substitution with L, back substitution with Lᵀ.
 * Allocates nothing; `x` may alias `b`.
 *
 * @param L row-major n×n factor from {@link choleskyFactor}
 * @example
 * ```ts
 * choleskySolve(choleskyFactor(A), A.rows, b, x); // x = A⁻¹·b
 * ```
 */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
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

/**
 * Dense inverse of an SPD matrix from its Cholesky factor, in f64:
 * A⁻¹ = L⁻ᵀ·L⁻¹ with W = L⁻¹ by forward substitution (n³/6 multiply-adds)
 * and A⁻¹ = Wᵀ·W accumulated over the lower triangle (n³/6) and mirrored,
 * so the result is exactly symmetric. (The device V-cycle's coarse solve:
 * one SpMV instead of two sequential triangular solves.)
 *
 * @param L row-major n×n lower-triangular factor (upper triangle ignored)
 * @param n order
 * @returns row-major n×n A⁻¹
 * @throws DimensionMismatchError when L does not have n² entries
 * @example
 * ```ts
 * const inv = choleskyInverse(amg.hierarchy.coarseCholesky!, amg.hierarchy.levels.at(-1)!.A.rows);
 * ```
 */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  if (L.length !== n * n) throw new DimensionMismatchError(`choleskyInverse: factor has ${L.length} entries, expected ${n}² = ${n * n}`);
  // W = L⁻¹ (lower): row i of L·W = e_i ⇒ W_ij = (δ_ij − Σ_{j≤c<i} L_ic·W_cj) / L_ii
  const W = new Float64Array(n * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    acc.fill(0, 0, i + 1);
    const ri = i * n;
    for (let c = 0; c < i; c++) {
      const lic = L[ri + c];
      if (lic === 0) continue;
      const rc = c * n;
      for (let j = 0; j <= c; j++) acc[j] += lic * W[rc + j];
    }
    const inv = 1 / L[ri + i];
    for (let j = 0; j < i; j++) W[ri + j] = -acc[j] * inv;
    W[ri + i] = inv;
  }
  // A⁻¹_ab = Σ_{i ≥ max(a,b)} W_ia·W_ib, lower triangle b ≤ a, then mirrored
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let a = 0; a <= i; a++) {
      const wia = W[ri + a];
      if (wia === 0) continue;
      const ra = a * n;
      for (let b = 0; b <= a; b++) X[ra + b] += wia * W[ri + b];
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) X[b * n + a] = X[a * n + b];
  return X;
}
