/** Errors of the backend selection (kept beside the backends; the solver's own errors are in `../errors.ts`). */
import { SpineFeaError } from '../errors.js';

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
