/** The `--backend` option of `run`, `solve` and `sweep`: which engine solves the FE systems. */
import type { SolveBackend } from '@spinefea/core';
import { SOLVE_BACKENDS } from '@spinefea/core/gpu';
import { CliUsageError } from './cli-error.js';

/** The option's definition for `parseArgs`. */
export const BACKEND_OPTION = {
  type: 'string',
  default: 'cpu',
  description: 'cpu | webgpu | gpujs | auto: CPU f64 PCG, or the GPU in mixed precision to the same tolerance (auto: GPU from 50,000 free DOFs on a hardware adapter); see docs/gpu.md',
} as never;

/**
 * The parsed `--backend` value.
 *
 * @throws CliUsageError for a name that is not a backend
 * @example
 * ```ts
 * const backend = backendOption(values); // 'cpu' when not given
 * ```
 */
export function backendOption(values: Record<string, unknown>): SolveBackend {
  const b = String(values.backend ?? 'cpu');
  if (!(SOLVE_BACKENDS as readonly string[]).includes(b)) throw new CliUsageError(`--backend must be one of ${SOLVE_BACKENDS.join(', ')}, got '${b}'`);
  return b as SolveBackend;
}
