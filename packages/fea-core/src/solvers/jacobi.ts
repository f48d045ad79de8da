/**
 * Jacobi (diagonal) preconditioner `M = diag(A)`.
 */
import { DimensionMismatchError, NonFiniteInputError, UnconstrainedModelError } from '../errors.js';
import { csrDiagonal } from '../linalg/csr.js';
import type { CsrMatrix } from '../linalg/types.js';
import type { DiagonalPreconditioner } from './preconditioner.js';

/** Human-readable name of DOF `i` assuming 3 DOFs per node (x, y, z).
 *
 * @example
 * ```ts
 * describeDof(7); // 'DOF 7 (node 2, y)'
 * ```
 */
export function describeDof(i: number): string {
  return `DOF ${i} (node ${Math.floor(i / 3)}, ${'xyz'[i % 3]})`;
}

/** Options of {@link jacobiPreconditioner}. */
export interface JacobiOptions {
  /**
   * Name of row `i` in error messages. Default {@link describeDof} (3 DOFs per node),
   * which is only right for an unreduced system: `prepareModel` passes the model's node
   * and component through the constraint transform's `freeToFull`.
   */
  describeDof?: (i: number) => string;
}

/**
 * Jacobi preconditioner `z ← D⁻¹·r` with `D = diag(A)`.
 *
 * A diagonal entry ≤ 0 means the DOF has no stiffness: it belongs to no
 * element (a dangling node) or the model is unconstrained there, so the
 * factory refuses it instead of producing Inf/NaN later.
 *
 * @param A square SPD matrix (stiffness, N/mm)
 * @param options how rows are named in errors
 * @throws UnconstrainedModelError naming the first DOF whose diagonal is ≤ 0
 * @throws NonFiniteInputError naming the first DOF whose diagonal is NaN/±Inf
 * @example
 * ```ts
 * const result = pcg(csrOperator(K), f, { preconditioner: jacobiPreconditioner(K) });
 * ```
 */
export function jacobiPreconditioner(A: CsrMatrix, options: JacobiOptions = {}): DiagonalPreconditioner {
  const name = options.describeDof ?? describeDof;
  if (A.rows !== A.cols) throw new DimensionMismatchError(`Jacobi: matrix is ${A.rows}×${A.cols}, not square`);
  const n = A.rows;
  const inv = csrDiagonal(A);
  for (let i = 0; i < n; i++) {
    const d = inv[i];
    if (!Number.isFinite(d)) {
      throw new NonFiniteInputError(`Jacobi: diagonal entry of ${name(i)} is ${d}`);
    }
    if (!(d > 0)) {
      throw new UnconstrainedModelError(
        `Jacobi: diagonal entry of ${name(i)} is ${d} ≤ 0; the DOF has no stiffness ` +
          `(a node not attached to any element, or an unconstrained/disconnected part)`,
      );
    }
    inv[i] = 1 / d;
  }
  return {
    name: 'jacobi',
    inverseDiagonal: inv,
    apply(r, z) {
      for (let i = 0; i < n; i++) z[i] = inv[i] * r[i]; // z ← D⁻¹ r
    },
    applyDot(r, z) {
      let rz = 0;
      for (let i = 0; i < n; i++) {
        const zi = inv[i] * r[i];
        z[i] = zi;
        rz += r[i] * zi;
      }
      return rz;
    },
  };
}
