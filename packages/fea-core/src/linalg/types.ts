/**
 * Core linear-algebra types. The solver layer (`solvers/`) is written once
 * against {@link LinearOperator} and {@link Preconditioner}; matrices are CSR
 * with Float64 values on the CPU.
 */

/**
 * Compressed sparse row matrix.
 * - `rowPtr`: length `rows + 1`; row i's entries are `rowPtr[i] .. rowPtr[i+1]-1`.
 * - `colIdx`: column of each entry, sorted ascending within a row.
 * - `values`: entry values (stiffness: N/mm).
 */
export interface CsrMatrix {
  rows: number;
  cols: number;
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float64Array;
}

/** A square linear operator `y ← A·x` of dimension `size`. `x` and `y` never alias. */
export interface LinearOperator {
  readonly size: number;
  apply(x: Float64Array, y: Float64Array): void;
}

/** A preconditioner `z ← M⁻¹·r` (M symmetric positive definite for PCG). `r` and `z` never alias. */
export interface Preconditioner {
  readonly name: string;
  apply(r: Float64Array, z: Float64Array): void;
}

/** Why an iterative solve stopped. */
export type StopReason =
  | 'converged'
  | 'max-iterations'
  | 'breakdown' // pᵀAp ≤ 0: operator not SPD (often: unconstrained model)
  | 'non-finite' // NaN/Inf appeared in the iteration
  | 'stagnation' // no progress over a window of iterations
  | 'zero-rhs';

/** Outcome of an iterative solve; never hides a non-converged solve. */
export interface SolveResult {
  converged: boolean;
  iterations: number;
  /** ‖b − A·x‖₂ / ‖b‖₂ of the returned x (recomputed, not the recursive estimate). */
  relativeResidual: number;
  reason: StopReason;
  /** Wall time of the iteration loop, ms. */
  timeMs: number;
}
