/**
 * Typed errors raised by `@spinefea/mesh`. Every error names what is wrong
 * and where (parameter name, cell index, file line).
 */
export class MeshError extends Error {
  /** Machine-readable code, stable across versions. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A generator parameter is out of its valid range or inconsistent with another. */
export class InvalidParameterError extends MeshError {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super('INVALID_PARAMETER', `${parameter}: ${message}`);
  }
}

/** A mesh file could not be parsed. */
export class MeshFormatError extends MeshError {
  constructor(
    readonly format: string,
    message: string,
  ) {
    super('MESH_FORMAT', `${format}: ${message}`);
  }
}

/** The mesh arrays are inconsistent (lengths, indices out of range, inverted cells). */
export class InvalidMeshError extends MeshError {
  constructor(message: string, readonly cellIndex?: number) {
    super('INVALID_MESH', message);
  }
}
