/**
 * `backend: 'auto'`: use the GPU only where an adapter exists and the
 * system is large enough to amortise the upload and per-iteration dispatch
 * latency, and fall back to the CPU — with a warning, losing nothing — when
 * the device fails mid-solve.
 */
import type { CsrMatrix } from '../linalg/types.js';
import { csrOperator } from '../linalg/csr.js';
import { pcg, type PcgSolution } from '../solvers/pcg.js';
import { jacobiPreconditioner } from '../solvers/jacobi.js';
import { DeviceFailureError } from '../solvers/device-pcg.js';
import { mixedPrecisionSolve, type InnerSolver, type MixedPrecisionOptions, type MixedPrecisionSolution } from '../solvers/mixed-precision.js';
import { webgpuInnerSolver, type WebgpuOptions } from './webgpu.js';

/**
 * Provisional GPU crossover, DOFs: below it `auto` solves on the CPU.
 *
 * Reasoning until the device benchmark (`packages/benchmarks/src/gpu-solve.ts`)
 * measures it: a WebGPU PCG iteration costs ≈ 10 dispatches ≈ 0.1 ms of
 * fixed latency (≈ 10–15 µs per pass measured on an H100 with Dawn), while
 * the single-thread CPU Jacobi-PCG iteration costs ≈ 0.1 µs per DOF
 * (≈ 100 ms at 1 M DOF here). The two meet near 10⁴ DOFs; uploading the
 * matrix (≈ 0.5 KB/DOF) and the f64 refinement steps on the CPU move the
 * break-even up several-fold, hence 50 000. Replace with the measured
 * crossover from `results/gpu-solve.md`.
 */
export const GPU_CROSSOVER_DOFS = 50_000;

/** Which engine `auto` picked and why. */
export interface BackendChoice {
  backend: 'cpu' | 'webgpu';
  reason: string;
}

/**
 * Picks the backend for a system of `size` DOFs: WebGPU when `adapter` is
 * true and `size ≥ crossover`, else the CPU.
 *
 * @param size DOFs of the system
 * @param adapter whether a (hardware) WebGPU adapter exists
 * @example
 * ```ts
 * selectBackend(2_000_000, true); // { backend: 'webgpu', reason: '…' }
 * ```
 */
export function selectBackend(size: number, adapter: boolean, crossover = GPU_CROSSOVER_DOFS): BackendChoice {
  if (!adapter) return { backend: 'cpu', reason: 'no WebGPU adapter' };
  if (size < crossover) return { backend: 'cpu', reason: `${size} DOFs < GPU crossover ${crossover}` };
  return { backend: 'webgpu', reason: `${size} DOFs ≥ GPU crossover ${crossover} and a WebGPU adapter exists` };
}

/** Options of {@link autoSolve}. */
export interface AutoSolveOptions extends MixedPrecisionOptions {
  /** Force a backend; default 'auto'. */
  backend?: 'auto' | 'cpu' | 'webgpu';
  /** Crossover for 'auto', DOFs. Default {@link GPU_CROSSOVER_DOFS}. */
  crossover?: number;
  /** WebGPU creation options. */
  webgpu?: WebgpuOptions;
  /** Inner solver factory override (tests inject a failing fake; a GPU solver otherwise). */
  innerSolver?: (A: CsrMatrix) => Promise<InnerSolver | null>;
  /** Where warnings go; default `console.warn`. */
  warn?: (message: string) => void;
}

/** Result of {@link autoSolve}: the solution and which engine produced it. */
export type AutoSolution = (PcgSolution | MixedPrecisionSolution) & {
  backend: 'cpu' | 'webgpu' | string;
  /** Set when the device failed and the CPU re-ran the solve. */
  fallback?: string;
};

/**
 * Solves `A·x = b` on the GPU (f32 inner PCG + f64 refinement) where
 * {@link selectBackend} says so, else by Jacobi-PCG on the CPU. A device
 * failure ({@link DeviceFailureError}: device lost, adapter error, failed
 * readback) is caught: a warning names it and the CPU solves from the
 * current best x (the refinement's f64 iterate is never lost because it
 * lives on the host), so the result is the same as a CPU solve.
 *
 * @param A SPD matrix (f64 CSR, N/mm)
 * @param b right-hand side (N)
 * @example
 * ```ts
 * const sol = await autoSolve(K, f, { tolerance: 1e-8 });
 * console.log(sol.backend, sol.relativeResidual);
 * ```
 */
export async function autoSolve(A: CsrMatrix, b: Float64Array, options: AutoSolveOptions = {}): Promise<AutoSolution> {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const want = options.backend ?? 'auto';
  const cpu = (x0: Float64Array | undefined = options.x0): PcgSolution =>
    pcg(csrOperator(A), b, {
      preconditioner: jacobiPreconditioner(A),
      tolerance: options.tolerance ?? 1e-8,
      x0,
      allowNotConverged: options.allowNotConverged,
    });
  let inner: InnerSolver | null = null;
  if (want !== 'cpu') {
    const sizeOk = want === 'webgpu' || A.rows >= (options.crossover ?? GPU_CROSSOVER_DOFS);
    if (sizeOk) {
      try {
        inner = options.innerSolver
          ? await options.innerSolver(A)
          : await webgpuInnerSolver(A, { allowSoftwareAdapter: false, ...options.webgpu });
      } catch (e) {
        warn(`GPU solver setup failed (${(e as Error).message}); solving on the CPU`);
        inner = null;
      }
    }
    const choice = selectBackend(A.rows, inner !== null, want === 'webgpu' ? 0 : options.crossover);
    if (choice.backend === 'cpu') {
      if (want === 'webgpu') warn(`WebGPU requested but unavailable (${choice.reason}); solving on the CPU`);
      inner?.dispose?.();
      return { ...cpu(), backend: 'cpu' };
    }
  }
  if (!inner) return { ...cpu(), backend: 'cpu' };
  // Keep the refinement's f64 iterate so a failure resumes from it (x0 of the CPU solve).
  let lastX: Float64Array | undefined = options.x0;
  try {
    const sol = await mixedPrecisionSolve(A, b, inner, {
      ...options,
      onRefinement: (s, x) => {
        lastX = Float64Array.from(x);
        options.onRefinement?.(s, x);
      },
    });
    return { ...sol, backend: inner.name };
  } catch (e) {
    if (!(e instanceof DeviceFailureError) && !isDeviceError(e)) throw e;
    const message = `GPU device failed mid-solve (${(e as Error).message}); re-running on the CPU from the last f64 iterate`;
    warn(message);
    const sol = cpu(lastX);
    return { ...sol, backend: 'cpu', fallback: message };
  } finally {
    inner.dispose?.();
  }
}

/** WebGPU errors that are not ours (GPUDeviceLostInfo, OperationError on mapAsync). */
function isDeviceError(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  return name === 'OperationError' || name === 'GPUPipelineError' || /device (was )?lost/i.test((e as Error)?.message ?? '');
}
