/**
 * Typed errors raised by `@spinefea/core`. Each says what is wrong and where
 * (element index, node, DOF, material id), never a silent NaN.
 */
export class SpineFeaError extends Error {
  /** Machine-readable code, stable across versions. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A material is physically invalid (E ≤ 0, ν ∉ (−1, 0.5), non-finite, not positive definite). */
export class InvalidMaterialError extends SpineFeaError {
  constructor(message: string, readonly materialId?: number) {
    super('INVALID_MATERIAL', message);
  }
}

/** An element is inverted or degenerate (non-positive Jacobian). */
export class InvalidElementError extends SpineFeaError {
  constructor(readonly elementIndex: number, readonly minDetJ: number, message?: string) {
    super(
      'INVALID_ELEMENT',
      message ??
        `element ${elementIndex} is ${minDetJ < 0 ? 'inverted' : 'degenerate'} (min det J = ${minDetJ.toExponential(3)})`,
    );
  }
}

/**
 * An argument is invalid: a count that must be positive, a tolerance outside its range,
 * an unsupported cell type, two vectors that must differ, text that is not a number.
 * Catch this class for any bad argument; {@link DimensionMismatchError} is the kind for
 * sizes and indices.
 *
 * @example
 * ```ts
 * try {
 *   pcg(csrOperator(csrIdentity(3)), new Float64Array(3), { tolerance: -1 });
 * } catch (e) {
 *   if (e instanceof InvalidArgumentError) console.log(e.code, e.message); // INVALID_ARGUMENT pcg: tolerance …
 * }
 * ```
 */
export class InvalidArgumentError extends SpineFeaError {
  constructor(message: string, code = 'INVALID_ARGUMENT') {
    super(code, message);
  }
}

/**
 * Arrays of a model do not fit together (lengths, indices out of range). A kind of
 * {@link InvalidArgumentError}, with its own code.
 */
export class DimensionMismatchError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, 'DIMENSION_MISMATCH');
  }
}

/** A coordinate, load or prescribed value is NaN or infinite. */
export class NonFiniteInputError extends SpineFeaError {
  constructor(message: string) {
    super('NON_FINITE_INPUT', message);
  }
}

/** The model admits a rigid-body motion (or a mechanism): the stiffness matrix is singular. */
export class UnconstrainedModelError extends SpineFeaError {
  constructor(message: string, readonly freeModes: string[] = []) {
    super('UNCONSTRAINED_MODEL', message);
  }
}

/** An iterative solve stopped before reaching its tolerance. Carries the partial result. */
export class SolverNotConvergedError extends SpineFeaError {
  constructor(
    message: string,
    readonly iterations: number,
    readonly relativeResidual: number,
    readonly reason: string,
  ) {
    super('SOLVER_NOT_CONVERGED', message);
  }
}

/** A boundary condition, constraint or load is malformed (unknown set, conflicting constraints, …). */
export class InvalidBoundaryConditionError extends SpineFeaError {
  constructor(message: string) {
    super('INVALID_BOUNDARY_CONDITION', message);
  }
}

/**
 * A device (GPU adapter, driver, WebGPU device) failed or was lost during a
 * solve. `auto` backends catch it and re-run on the CPU.
 */
export class DeviceFailureError extends SpineFeaError {
  constructor(message: string, readonly device: string) {
    super('DEVICE_FAILURE', message);
  }
}

/** A Matrix Market text or binary CSR file is malformed (says what and on which line).
 *
 * @example
 * ```ts
 * try { readMatrixMarket(text); } catch (e) { if (e instanceof MatrixFormatError) console.error(e.message); }
 * ```
 */
export class MatrixFormatError extends SpineFeaError {
  constructor(message: string) {
    super('MATRIX_FORMAT', message);
  }
}

/**
 * A `backend` option that cannot be honoured as given: an unknown name, or a device
 * backend where the FE solve cannot reach one (a browser's main thread).
 *
 * @example
 * ```ts
 * try { prepareModel(model, { backend: 'cuda' as never }); } catch (e) { if (e instanceof InvalidBackendError) console.error(e.message); }
 * ```
 */
export class InvalidBackendError extends SpineFeaError {
  constructor(message: string) {
    super('INVALID_BACKEND', message);
  }
}
