/**
 * One linear system solved on a device in mixed precision (f32 device PCG,
 * AMG V-cycle on the device when rigid-body modes are given, f64 iterative
 * refinement on the host), with the device's kernels and the uploaded matrix
 * kept between calls. Browser-safe (no Node imports): the browser example
 * calls it on `navigator.gpu`; in Node the device worker thread
 * (`device-solve-worker.ts`) runs it for the synchronous FE loop.
 */
import type { CsrMatrix } from '../linalg/types.js';
import { DeviceFailureError, deviceInnerSolver, type DeviceKernels } from '../solvers/device-pcg.js';
import { deviceAmgInnerSolver } from '../solvers/amg/device-vcycle.js';
import { mixedPrecisionSolve, type InnerSolver } from '../solvers/mixed-precision.js';
import { createWebgpuKernels } from './webgpu.js';
import { createGpujsKernels } from './gpujs.js';

/** One system for a device (in the worker protocol the arrays are copies; the caller keeps its own). */
export interface DeviceSolveRequest {
  engine: 'webgpu' | 'gpujs';
  /** Accept a software adapter (lavapipe, SwiftShader): true when the user named the backend, false for `auto`. */
  allowSoftwareAdapter: boolean;
  /** Only find out whether the engine is available (no system). */
  probe?: boolean;
  /** Content hash of the matrix: a repeated hash reuses the uploaded matrix and AMG hierarchy. */
  matrixKey?: string;
  matrix?: CsrMatrix;
  rhs?: Float64Array;
  x0?: Float64Array;
  tolerance?: number;
  /** Fault injection for tests: destroy the device (or throw, for gpu.js) after this many refinement steps. */
  simulateDeviceLossAfter?: number;
  /** DOF blocks and near-null space (rigid-body modes) for the device AMG; absent: Jacobi inner PCG. */
  amg?: { blockPtr: Uint32Array; nearNullSpace: Float64Array; strengthThreshold?: number };
}

/** The device thread's answer. */
export type DeviceSolveReply =
  | { kind: 'unavailable'; reason: string }
  | { kind: 'ready'; adapter: string; software: boolean }
  | {
      kind: 'solved';
      adapter: string;
      inner: 'amg' | 'jacobi';
      x: Float64Array;
      converged: boolean;
      relativeResidual: number;
      reason: string;
      refinementSteps: number;
      innerIterations: number;
      timeMs: number;
      message?: string;
    }
  /** The device failed mid-solve; `lastX` is the last f64 iterate (x0 when none was reached). */
  | { kind: 'failed'; adapter: string; message: string; lastX?: Float64Array }
  | { kind: 'error'; message: string };

type AnyKernels = DeviceKernels & { adapterName?: string; software?: boolean; device?: GPUDevice };

/** Fault injection: destroy a WebGPU device (its next read-back fails as a real loss does). */
function loseDevice(k: AnyKernels): void {
  if (!k.device) throw new DeviceFailureError('simulated device loss', k.name);
  k.device.destroy();
}

/**
 * Solves {@link DeviceSolveRequest}s on one device: creates the kernels on the first
 * request, keeps the last matrix (and its AMG hierarchy) uploaded while `matrixKey` repeats.
 *
 * @example
 * ```ts
 * const solver = new DeviceSystemSolver({ gpu: navigator.gpu });
 * const r = await solver.solve({ engine: 'webgpu', allowSoftwareAdapter: true, matrix: K, rhs: f, tolerance: 1e-8 });
 * if (r.kind === 'solved') console.log(r.adapter, r.refinementSteps, r.relativeResidual);
 * ```
 */
export class DeviceSystemSolver {
  private kernels: AnyKernels | null | undefined;
  private unavailable = '';
  private current: { key: string; inner: InnerSolver; kind: 'amg' | 'jacobi' } | undefined;
  /** @param gpu a WebGPU entry (`navigator.gpu`); default: the browser's, else Dawn in Node */
  constructor(private readonly options: { gpu?: GPU } = {}) {}

  private async kernelsFor(req: DeviceSolveRequest): Promise<AnyKernels | null> {
    if (this.kernels !== undefined) return this.kernels;
    if (req.engine === 'webgpu') {
      this.kernels = (await createWebgpuKernels({ gpu: this.options.gpu, allowSoftwareAdapter: req.allowSoftwareAdapter })) as AnyKernels | null;
      if (!this.kernels) this.unavailable = req.allowSoftwareAdapter ? 'no WebGPU adapter (requestAdapter() returned null)' : 'no hardware WebGPU adapter';
    } else {
      this.kernels = (await createGpujsKernels({ mode: 'webgpu' })) as AnyKernels | null;
      if (!this.kernels) this.unavailable = 'gpu.js webgpu mode unavailable (no WebGPU adapter)';
    }
    return this.kernels;
  }

  private innerFor(k: AnyKernels, req: DeviceSolveRequest): { inner: InnerSolver; kind: 'amg' | 'jacobi' } {
    if (this.current && this.current.key === req.matrixKey && req.matrixKey !== undefined) return this.current;
    const A = req.matrix!;
    const inner = req.amg
      ? deviceAmgInnerSolver(k, A, { blockPtr: req.amg.blockPtr, nearNullSpace: req.amg.nearNullSpace, nullSpaceDim: 6, strengthThreshold: req.amg.strengthThreshold })
      : deviceInnerSolver(k, A, 16);
    this.current = { key: req.matrixKey ?? '', inner, kind: req.amg ? 'amg' : 'jacobi' };
    return this.current;
  }

  /**
   * A new matrix gets fresh kernels: the WebGPU kernels release buffers only on dispose
   * (destroying single buffers between submissions aborted Dawn's GL backend), so this is how
   * an active-set loop's successive matrices do not accumulate on the device.
   */
  private async kernelsForMatrix(req: DeviceSolveRequest): Promise<AnyKernels | null> {
    if (this.current && this.current.key !== req.matrixKey) {
      this.kernels?.dispose();
      this.kernels = undefined;
      this.current = undefined;
    }
    return this.kernelsFor(req);
  }

  /** Solve one request (or probe the engine); device failures come back as `kind: 'failed'` with the last f64 iterate. */
  async solve(req: DeviceSolveRequest): Promise<DeviceSolveReply> {
    const k = req.probe ? await this.kernelsFor(req) : await this.kernelsForMatrix(req);
    if (!k) return { kind: 'unavailable', reason: this.unavailable };
    const adapter = k.adapterName ? `${k.name} on ${k.adapterName}` : k.name;
    if (req.probe) return { kind: 'ready', adapter, software: k.software === true };
    let lastX = req.x0;
    const t0 = performance.now();
    try {
      const { inner, kind } = this.innerFor(k, req);
      const sol = await mixedPrecisionSolve(req.matrix!, req.rhs!, inner, {
        tolerance: req.tolerance,
        x0: req.x0,
        allowNotConverged: true,
        onRefinement: (s, x) => {
          lastX = Float64Array.from(x);
          if (s.step === req.simulateDeviceLossAfter) loseDevice(k);
        },
      });
      return {
        kind: 'solved',
        adapter,
        inner: kind,
        x: sol.x,
        converged: sol.converged,
        relativeResidual: sol.relativeResidual,
        reason: sol.reason,
        refinementSteps: sol.refinementSteps,
        innerIterations: sol.innerIterations,
        timeMs: performance.now() - t0,
        message: sol.message,
      };
    } catch (e) {
      if (e instanceof DeviceFailureError || /device|webgpu|gpu/i.test((e as Error).message)) {
        // the device and its buffers are gone: a later request creates new kernels
        this.current = undefined;
        this.kernels = undefined;
        return { kind: 'failed', adapter, message: (e as Error).message, lastX };
      }
      throw e;
    }
  }

  /** Release the device. */
  dispose(): void {
    this.current?.inner.dispose?.();
    this.kernels?.dispose?.();
    this.kernels = undefined;
  }
}
