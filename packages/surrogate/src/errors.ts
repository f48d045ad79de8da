/**
 * Typed errors of `@spinefea/surrogate`. Every error names what is wrong and
 * where (the parameter, the record line, the model file).
 */
export class SurrogateError extends Error {
  /** Machine-readable code, stable across versions. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A design-point input is missing, has the wrong unit or type, or lies outside its valid range. */
export class SurrogateInputError extends SurrogateError {
  constructor(
    /** The input's name, e.g. `momentNm`. */
    readonly parameter: string,
    message: string,
  ) {
    super('SURROGATE_INPUT', `${parameter}: ${message}`);
  }
}

/** A dataset file or line cannot be read. */
export class DatasetFormatError extends SurrogateError {
  constructor(
    readonly file: string,
    message: string,
    /** 1-based line number, when the problem is one line. */
    readonly line?: number,
  ) {
    super('DATASET_FORMAT', `${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
  }
}

/** A saved surrogate model cannot be loaded (wrong format, version or shapes). */
export class SurrogateModelFormatError extends SurrogateError {
  constructor(message: string) {
    super('SURROGATE_MODEL_FORMAT', message);
  }
}

/** Training cannot proceed (too few usable records, no class of one kind, …). */
export class SurrogateTrainingError extends SurrogateError {
  constructor(message: string) {
    super('SURROGATE_TRAINING', message);
  }
}

/**
 * The Redis of a queued sweep cannot be used: `QUEUE_URL` (the URL is malformed) or
 * `QUEUE_UNREACHABLE` (refused connection, timeout, refused credentials).
 */
export class QueueConnectionError extends SurrogateError {
  constructor(code: 'QUEUE_URL' | 'QUEUE_UNREACHABLE', message: string) {
    super(code, message);
  }
}
