/**
 * Optional capabilities a {@link Preconditioner} may offer so that PCG can
 * fuse vector sweeps. Every preconditioner (Jacobi, block Jacobi, and later
 * algebraic multigrid) implements the plain `apply(r, z)` of
 * `Preconditioner`; the set-up work (factorising blocks, building a
 * hierarchy) happens once in its factory function, never inside `apply`.
 */
import type { Preconditioner } from '../linalg/types.js';

/** A preconditioner that returns `rᵀ·z` from the same sweep as `z ← M⁻¹·r`. */
export interface FusedPreconditioner extends Preconditioner {
  /** `z ← M⁻¹·r`; returns `rᵀ·z`. `r` and `z` never alias. */
  applyDot(r: Float64Array, z: Float64Array): number;
}

/**
 * A diagonal preconditioner `M = diag(d)`. PCG recognises it and folds
 * `z ← d⁻¹∘r` and `rᵀ·z` into its `x`/`r` update loop (one sweep instead of three).
 */
export interface DiagonalPreconditioner extends FusedPreconditioner {
  /** `1/d_i` for every DOF (mm/N for a stiffness matrix). */
  readonly inverseDiagonal: Float64Array;
}

/**
 * Whether `m` exposes the fused `applyDot` path.
 *
 * @example
 * ```ts
 * if (isFusedPreconditioner(m)) rz = m.applyDot(r, z);
 * ```
 */
export function isFusedPreconditioner(m: Preconditioner): m is FusedPreconditioner {
  return typeof (m as Partial<FusedPreconditioner>).applyDot === 'function';
}

/**
 * Whether `m` is diagonal (exposes `inverseDiagonal`).
 *
 * @example
 * ```ts
 * if (isDiagonalPreconditioner(m)) invD = m.inverseDiagonal;
 * ```
 */
export function isDiagonalPreconditioner(m: Preconditioner): m is DiagonalPreconditioner {
  return (m as Partial<DiagonalPreconditioner>).inverseDiagonal instanceof Float64Array;
}
