/**
 * The `backend` option of every solve entry point (`prepareModel`/`solve`,
 * `analyzeSpine`, the CLI): which engine solves each linear system
 * `K_r·û = f_r`, and a report of which one ran and why.
 *
 * - `'cpu'` (default): f64 PCG on the CPU, as always.
 * - `'webgpu'`: WGSL kernels through Dawn (`webgpu` package) on any adapter,
 *   software ones included (lavapipe in CI).
 * - `'gpujs'`: gpu.js kernels in gpu.js's `webgpu` mode.
 * - `'auto'`: WebGPU on a hardware adapter when the system has at least
 *   {@link GPU_CROSSOVER_DOFS} free DOFs, else the CPU.
 *
 * The device solves in mixed precision (f32 PCG inside an f64 iterative
 * refinement, `solvers/mixed-precision.ts`) to the same f64 relative residual
 * as the CPU, with the AMG V-cycle on the device when the model's
 * preconditioner is `'amg'` (Jacobi otherwise). A device failure, an adapter
 * that cannot be found, or an f32 solve that stagnates falls back to the CPU
 * from the last f64 iterate and says so in the report and on `warn`.
 *
 * The FE solve loop is synchronous, a GPU read-back is not: the device lives
 * in a worker thread (`device-solve-worker.ts`) and this side blocks on a
 * shared flag while it works. Node only (its modules are loaded with
 * `process.getBuiltinModule`, so browser bundles of the core stay clean); in a
 * browser use {@link DeviceSystemSolver} (async) on the reduced system.
 */
import type * as WorkerThreads from 'node:worker_threads';
import type { CsrMatrix } from '../linalg/types.js';
import type { ConstraintTransform } from '../model/constraints.js';
import { reducedRigidBodyModes } from '../solvers/amg/rigid-body-modes.js';
import { InvalidBackendError } from './backend-errors.js';
import { DeviceFailureError } from '../errors.js';
import type { PcgSolution } from '../solvers/pcg.js';
import { GPU_CROSSOVER_DOFS } from './auto.js';
import type { DeviceSolveReply, DeviceSolveRequest } from './device-system-solve.js';

/** Which engine solves: see the module comment. */
export type SolveBackend = 'cpu' | 'webgpu' | 'gpujs' | 'auto';

/** The solve backends, for option parsing. */
export const SOLVE_BACKENDS: readonly SolveBackend[] = ['cpu', 'webgpu', 'gpujs', 'auto'];

/** Which engine solved a linear system, and why. */
export interface BackendReport {
  /** What the caller asked for. */
  requested: SolveBackend;
  /** What produced the returned solution. */
  used: 'cpu' | 'webgpu' | 'gpujs';
  /** Why (auto's size rule, a missing adapter, a fallback). */
  reason: string;
  /** Device and adapter, e.g. `webgpu on mesa llvmpipe …`. */
  adapter?: string;
  /** Inner preconditioner on the device. */
  inner?: 'amg' | 'jacobi';
  /** Refinement steps and f32 inner iterations of the device solve. */
  refinementSteps?: number;
  innerIterations?: number;
  /** Set when the device was tried and the CPU finished the solve: what happened. */
  fallback?: string;
}

/** Longest wait for the device thread to load and find an adapter (ms). */
const PROBE_TIMEOUT_MS = 180_000;

/** Options of {@link deviceLinearSolve}. */
export interface DeviceSolveOptions {
  backend: SolveBackend;
  /** Crossover of `auto`, free DOFs. Default {@link GPU_CROSSOVER_DOFS}. */
  crossover?: number;
  /** Where fallback warnings go; default `console.warn`. */
  warn?: (message: string) => void;
  /** Longest wait for one device solve before it counts as a device failure (ms). Default 30 min. */
  timeoutMs?: number;
  /** Fault injection for tests: destroy the device after this many refinement steps of every solve. */
  simulateDeviceLossAfter?: number;
}

/** One linear system as the FE solve loop hands it to {@link LinearSolveHook}. */
export interface LinearSystemRequest {
  /** K_r, f64 CSR (N/mm); its values may change between calls (active sets), its object may not. */
  matrix: CsrMatrix;
  /** f_r (N). */
  rhs: Float64Array;
  /** Warm start (mm). */
  x0?: Float64Array;
  /** f64 relative residual to reach. */
  tolerance: number;
  /** DOF blocks and rigid-body modes: given when the model's preconditioner is AMG (the device then runs the V-cycle). */
  amg?: { blockPtr: Uint32Array; nearNullSpace: Float64Array; strengthThreshold?: number };
  /** The CPU solve of the same system with the same settings, from a given start (the fallback). */
  cpu(x0?: Float64Array): PcgSolution;
}

/** A synchronous linear solver for the FE loop: the CPU's PCG or a device through {@link deviceLinearSolve}. */
export type LinearSolveHook = (request: LinearSystemRequest) => PcgSolution & { backend?: BackendReport };

/**
 * The linear solver for a `backend` option, or `undefined` for `'cpu'` (the
 * caller's own PCG). `size` (free DOFs) decides `auto` without starting a
 * device when it is below the crossover.
 *
 * @throws InvalidBackendError for an unknown backend name, or a device backend outside Node
 * @example
 * ```ts
 * const hook = deviceLinearSolve({ backend: 'webgpu' }, K.rows);
 * const sol = hook?.({ matrix: K, rhs: f, tolerance: 1e-8, cpu: (x0) => pcg(csrOperator(K), f, { x0 }) });
 * console.log(sol?.backend); // { requested: 'webgpu', used: 'webgpu', adapter: '…', … }
 * ```
 */
export function deviceLinearSolve(options: DeviceSolveOptions, size: number): LinearSolveHook | undefined {
  const { backend } = options;
  if (!SOLVE_BACKENDS.includes(backend)) throw new InvalidBackendError(`backend must be one of ${SOLVE_BACKENDS.join(', ')}, got '${String(backend)}'`);
  if (backend === 'cpu') return undefined;
  const crossover = options.crossover ?? GPU_CROSSOVER_DOFS;
  const warn = options.warn ?? ((m: string) => console.warn(m));
  if (backend === 'auto' && size < crossover) {
    const reason = `auto: ${size} free DOFs < GPU crossover ${crossover}`;
    return (req) => ({ ...req.cpu(req.x0), backend: { requested: backend, used: 'cpu', reason } });
  }
  const engine = backend === 'gpujs' ? 'gpujs' : 'webgpu';
  const allowSoftwareAdapter = backend !== 'auto';
  let thread: DeviceThread | undefined;
  let unavailable: string | undefined;
  const hook: LinearSolveHook = (req) => {
    const onCpu = (reason: string, x0 = req.x0, fallback?: string): PcgSolution & { backend: BackendReport } => ({
      ...req.cpu(x0),
      backend: { requested: backend, used: 'cpu', reason, ...(fallback ? { fallback } : {}) },
    });
    // No usable device: say so once (not for auto, whose CPU choice is normal), stay on the CPU.
    const giveUp = (reply: DeviceSolveReply): PcgSolution & { backend: BackendReport } => {
      const why = reply.kind === 'unavailable' ? reply.reason : reply.kind === 'error' ? `device thread error: ${reply.message}` : `unexpected reply '${reply.kind}'`;
      unavailable = backend === 'auto' ? `auto: ${why}` : `${backend} requested but unavailable (${why}); solved on the CPU`;
      if (backend !== 'auto') warn(unavailable);
      return onCpu(unavailable);
    };
    if (unavailable) return onCpu(unavailable);
    if (!thread) {
      thread = sharedThread(engine, allowSoftwareAdapter, options.timeoutMs ?? 30 * 60_000);
      // Handshake with a short limit: a thread that cannot load or find an adapter must not
      // block the solve for the long per-solve limit.
      let probe: DeviceSolveReply;
      try {
        probe = thread.call({ engine, allowSoftwareAdapter, probe: true }, PROBE_TIMEOUT_MS);
      } catch (e) {
        probe = { kind: 'unavailable', reason: (e as Error).message };
      }
      if (probe.kind !== 'ready') return giveUp(probe);
    }
    const key = `${matrixKey(req.matrix)}:${req.amg ? 'amg' : 'jacobi'}`;
    let reply: DeviceSolveReply;
    try {
      reply = thread.call({ engine, allowSoftwareAdapter, simulateDeviceLossAfter: options.simulateDeviceLossAfter, matrixKey: key, matrix: req.matrix, rhs: req.rhs, x0: req.x0, tolerance: req.tolerance, amg: req.amg });
    } catch (e) {
      reply = { kind: 'failed', adapter: engine, message: (e as Error).message };
    }
    if (reply.kind === 'unavailable' || reply.kind === 'error' || reply.kind === 'ready') return giveUp(reply);
    if (reply.kind === 'failed') {
      const msg = `${engine} device failed mid-solve (${reply.message}); the CPU finished from the last f64 iterate`;
      warn(msg);
      return onCpu(`fallback after a device failure`, reply.lastX ?? req.x0, msg);
    }
    const report: BackendReport = {
      requested: backend,
      used: engine,
      reason: backend === 'auto' ? `auto: ${size} free DOFs ≥ GPU crossover ${crossover} and a hardware adapter` : `${backend} requested`,
      adapter: reply.adapter,
      inner: reply.inner,
      refinementSteps: reply.refinementSteps,
      innerIterations: reply.innerIterations,
    };
    if (!reply.converged) {
      // f32 cannot resolve this system (κ·ε₃₂ ≳ 1: stagnation) or the step limit ran out
      const msg = `${engine} mixed-precision solve stopped at ${reply.relativeResidual.toExponential(2)} (${reply.reason}); the CPU finished from its f64 iterate`;
      warn(msg);
      return { ...req.cpu(reply.x), backend: { ...report, used: 'cpu', reason: 'fallback: the device solve did not converge', fallback: msg } };
    }
    return {
      x: reply.x,
      converged: true,
      iterations: reply.innerIterations,
      relativeResidual: reply.relativeResidual,
      reason: 'converged',
      timeMs: reply.timeMs,
      backend: report,
    };
  };
  return hook;
}

/**
 * A content key of a matrix (size, nonzeros, two FNV-1a hashes over the f64 bits): the
 * device reuses its upload and AMG hierarchy while the key repeats. The values change in
 * place between active-set passes, so identity cannot tell; one pass over them is small
 * next to a solve.
 */
function matrixKey(A: CsrMatrix): string {
  const w = new Uint32Array(A.values.buffer, A.values.byteOffset, 2 * A.values.length);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < w.length; i += 2) {
    h1 = Math.imul(h1 ^ w[i], 0x01000193);
    h2 = Math.imul(h2 ^ w[i + 1], 0x01000193);
  }
  return `${A.rows}:${A.colIdx.length}:${(h1 >>> 0).toString(16)}:${(h2 >>> 0).toString(16)}`;
}

/** A Node built-in without a static import (browser bundles of the core must not see `node:` imports). */
function builtin<T>(name: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process?.getBuiltinModule;
  if (!get) throw new InvalidBackendError(`device backends of the FE solve need Node ≥ 20.16 (worker threads); in a browser use DeviceSystemSolver on the reduced system`);
  return get(name) as T;
}

/**
 * How to start the worker next to this module: the `.js` file of a build, or from source
 * a small bootstrap that loads the `.ts` file through tsx's `tsImport` (in Node 20 the
 * `--import tsx` hooks do not reach a worker thread's own entry).
 */
function workerEntry(): { source: string | URL; eval: boolean; execArgv: string[] } {
  const { existsSync } = builtin<typeof import('node:fs')>('node:fs');
  const { fileURLToPath } = builtin<typeof import('node:url')>('node:url');
  const { createRequire } = builtin<typeof import('node:module')>('node:module');
  const js = new URL('./device-solve-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { source: js, eval: false, execArgv: [] };
  const ts = new URL('./device-solve-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) throw new InvalidBackendError(`device-solve-worker not found next to ${fileURLToPath(import.meta.url)}`);
  // tsx's ESM API (require.resolve finds its .cjs twin, whose tsImport is broken in tsx 4.23)
  const api = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs');
  const source = `import(${JSON.stringify(String(new URL(`file://${api}`)))}).then((m) => m.tsImport(${JSON.stringify(String(ts))}, ${JSON.stringify(String(ts))}))`;
  return { source, eval: true, execArgv: ['--conditions=@spinefea/source'] };
}

/** One device thread per engine and adapter policy for the whole process (devices are costly; the thread keeps one matrix uploaded). */
const threads = new Map<string, DeviceThread>();
function sharedThread(engine: string, allowSoftware: boolean, timeoutMs: number): DeviceThread {
  const key = `${engine}:${allowSoftware}`;
  let t = threads.get(key);
  if (!t || t.closed) threads.set(key, (t = new DeviceThread(timeoutMs)));
  return t;
}

/**
 * Stop the device threads (they are `unref`ed, so a process exits without this; tests and
 * long-lived servers call it to release the GPU).
 *
 * @example
 * ```ts
 * closeDeviceThreads(); // e.g. before a long CPU-only phase: the GPU is released
 * ```
 */
export function closeDeviceThreads(): void {
  for (const t of threads.values()) t.close();
  threads.clear();
}

/** The device worker thread with a synchronous call: post, block on the flag, read the reply. */
class DeviceThread {
  private readonly worker: WorkerThreads.Worker;
  private readonly port: WorkerThreads.MessagePort;
  private readonly receive: typeof WorkerThreads.receiveMessageOnPort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  constructor(private readonly timeoutMs: number) {
    const { MessageChannel, Worker, receiveMessageOnPort } = builtin<typeof WorkerThreads>('node:worker_threads');
    this.receive = receiveMessageOnPort;
    const { port1, port2 } = new MessageChannel();
    const entry = workerEntry();
    this.worker = new Worker(entry.source, { eval: entry.eval, execArgv: entry.execArgv, workerData: { port: port2, flag: this.flag.buffer }, transferList: [port2] });
    this.worker.unref(); // an idle device thread does not keep the process alive
    this.port = port1;
  }
  /** Post a request and block until the reply (at most `timeoutMs`, default the thread's). */
  call(req: DeviceSolveRequest, timeoutMs = this.timeoutMs): DeviceSolveReply {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(req);
    if (Atomics.wait(this.flag, 0, 0, timeoutMs) === 'timed-out') {
      this.close();
      throw new DeviceFailureError(`no answer from the device thread within ${timeoutMs} ms`, 'device thread');
    }
    const m = this.receive(this.port);
    if (!m) throw new DeviceFailureError('the device thread signalled but sent no reply', 'device thread');
    return m.message as DeviceSolveReply;
  }
  closed = false;
  close(): void {
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}

/** What {@link modelLinearSolve} needs from a prepared model. */
export interface ModelSolveContext {
  /** Mesh node coordinates, xyz interleaved (mm): rigid-body modes for the device AMG. */
  coords: Float64Array;
  /** The constraint transform (restricts the modes to the free DOFs). */
  transform: ConstraintTransform;
  /** DOF blocks of K_r. */
  blockPtr: Uint32Array;
}

/**
 * The `backend` option of `prepareModel` as one function the FE loop calls for every
 * linear system: `undefined` for the CPU; otherwise it solves on the device (with the
 * AMG V-cycle there when the model's preconditioner is `'amg'`) or falls back to
 * `cpu(x0)`, and tags the result with a {@link BackendReport}.
 *
 * @example
 * ```ts
 * const device = modelLinearSolve({ backend: 'webgpu', preconditioner: 'amg' }, { coords: mesh.nodes, transform, blockPtr }, K.rows);
 * const cpuSolve = (x0?: Float64Array) => pcg(csrOperator(K), f, { x0 });
 * const sol = device ? device(K, f, undefined, 1e-8, cpuSolve) : cpuSolve();
 * ```
 */
export function modelLinearSolve(
  options: { backend?: SolveBackend; preconditioner?: unknown; amg?: { strengthThreshold?: number } },
  ctx: ModelSolveContext,
  size: number,
): ((matrix: CsrMatrix, rhs: Float64Array, x0: Float64Array | undefined, tolerance: number, cpu: (x0?: Float64Array) => PcgSolution) => PcgSolution & { backend?: BackendReport }) | undefined {
  const hook = deviceLinearSolve({ backend: options.backend ?? 'cpu' }, size);
  if (!hook) return undefined;
  let amg: LinearSystemRequest['amg'];
  if (options.preconditioner === 'amg') {
    amg = { blockPtr: ctx.blockPtr, nearNullSpace: reducedRigidBodyModes(ctx.coords, ctx.transform), strengthThreshold: options.amg?.strengthThreshold };
  }
  return (matrix, rhs, x0, tolerance, cpu) => hook({ matrix, rhs, x0, tolerance, amg, cpu });
}
