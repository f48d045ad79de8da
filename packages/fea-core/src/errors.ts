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

/** Arrays of a model do not fit together (lengths, indices out of range). */
export class DimensionMismatchError extends SpineFeaError {
  constructor(message: string) {
    super('DIMENSION_MISMATCH', message);
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
