/**
 * gpu.js backend: the device PCG kernels ({@link DeviceKernels}) written as
 * gpu.js kernels, so one source runs as WebGL/headless-gl shaders, WGSL
 * (`mode: 'webgpu'`), WebAssembly SIMD (`webasm`) or plain JS (`cpu`, what
 * CI uses: headless-gl is a native module that is not built here).
 *
 * - SpMV: ELLPACK, column-major (entry k of row i at `k·n + i`, padding =
 *   zero value on the diagonal column). gpu.js kernels have a fixed loop
 *   bound (`constants.W`) and GL backends index arrays through float
 *   textures, where a CSR row pointer (up to nnz ≈ 10⁹) is not exact in f32;
 *   ELL needs only column indices < 2²⁴, i.e. up to 16.7 M DOFs.
 * - Dot products: multi-stage reduction, each stage sums {@link GPUJS_BLOCK}
 *   entries per thread until one value is left; the scalar stays a
 *   1-element kernel output and feeds α, β inside the update kernels.
 * - Updates: x ← x + αp and r ← r − αq, z ← D⁻¹r, p ← z + βp as element
 *   kernels reading α = rz/pq and β from those 1-element outputs.
 *
 * Every kernel runs with `pipeline: true` (outputs stay on the device as
 * textures/buffers) and `immutable: true` (a fresh output per call, the old
 * one deleted) because a device vector is updated in place by several
 * kernels. In `webgpu` mode every kernel call returns a Promise; the ops are
 * then chained and awaited at the sync points (`read`, `readScalars`).
 *
 * `createPipeline` is not used: its plan cannot read back mid-plan (the
 * residual check every k iterations) and GPU-resident arguments make it
 * fall back to the generic executor, so it would not keep vectors resident.
 */
import { DimensionMismatchError } from '../errors.js';
import type { CsrMatrix } from '../linalg/types.js';
import { DeviceFailureError, deviceInnerSolver, type DeviceKernels, type DeviceMatrix, type DeviceVector, type PcgScalars } from '../solvers/device-pcg.js';
import type { InnerSolver } from '../solvers/mixed-precision.js';

/** Entries summed per thread in each reduction stage. */
export const GPUJS_BLOCK = 256;

/** gpu.js modes this backend accepts. */
export type GpujsMode = 'cpu' | 'webasm' | 'gpu' | 'webgl' | 'webgl2' | 'headlessgl' | 'webgpu';

/** A device vector: the current kernel output (array, texture or buffer handle). */
export interface GpujsVector extends DeviceVector {
  value: unknown;
}

/** An ELL matrix on the device. */
export interface GpujsMatrix extends DeviceMatrix {
  /** Entries per row (max row length). */
  readonly width: number;
  /** ELL values, column-major (`k·n + i`), f32 (N/mm). */
  readonly ellValues: Float32Array;
  /** ELL column indices as f32 (exact below 2²⁴). */
  readonly ellCols: Float32Array;
  /** Stored entries ÷ nonzeros. */
  readonly fill: number;
}

/** Options of {@link createGpujsKernels}. */
export interface GpujsOptions {
  /** gpu.js mode; default `cpu` (works in Node without a GPU). */
  mode?: GpujsMode;
}

/** The gpu.js kernels plus the mode that actually runs. */
export interface GpujsKernels extends DeviceKernels<GpujsVector, GpujsMatrix> {
  /** The mode requested. */
  readonly mode: GpujsMode;
  /** The backend class that ran the last kernel (e.g. `CPUKernel`, `WebGPUKernel`), `unknown` before any call. */
  readonly runningKernel: string;
}

type Kernel = ((...args: unknown[]) => unknown) & { kernel?: { constructor: { name: string } }; destroy?: () => void };
interface GpuInstance {
  createKernel(fn: (...args: never[]) => number, settings: Record<string, unknown>): Kernel;
  destroy(): void;
}

/**
 * ELLPACK (column-major) copy of a CSR matrix with f32 values and f32
 * column indices. Rectangular matrices (AMG prolongators P and restrictions
 * Pᵀ) work the same way: a padding entry has value 0 and column
 * min(i, cols − 1), so x reads stay inside x's `cols` entries.
 *
 * @throws DimensionMismatchError when the matrix has no columns or more than 2²⁴ of them
 * @example
 * ```ts
 * const { width, values, cols } = ellFromCsr(K);
 * ```
 */
export function ellFromCsr(A: CsrMatrix): { width: number; values: Float32Array; cols: Float32Array; fill: number } {
  if (A.cols < 1 || A.rows < 1) throw new DimensionMismatchError(`ellFromCsr: matrix is ${A.rows}×${A.cols}; it needs at least one row and one column`);
  if (A.cols > 1 << 24) throw new DimensionMismatchError(`ellFromCsr: ${A.cols} columns exceed 2^24 (column indices are f32 in gpu.js kernels)`);
  const n = A.rows;
  const lastCol = A.cols - 1;
  let W = 1;
  for (let i = 0; i < n; i++) W = Math.max(W, A.rowPtr[i + 1] - A.rowPtr[i]);
  const values = new Float32Array(W * n);
  const cols = new Float32Array(W * n);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++, k++) {
      values[k * n + i] = A.values[p];
      cols[k * n + i] = A.colIdx[p];
    }
    for (; k < W; k++) cols[k * n + i] = Math.min(i, lastCol); // padding: zero value, own (or last) column
  }
  return { width: W, values, cols, fill: (W * n) / Math.max(1, A.rowPtr[n]) };
}

// Kernel bodies. gpu.js parses their source text: plain functions, `this.thread.x`,
// constants as loop bounds, scalars passed as 1-element arrays (a number argument would be
// typed Integer or Float by its first value).
interface KernelThis {
  thread: { x: number };
  constants: Record<string, number>;
}
function spmvEll(this: KernelThis, vals: number[], cols: number[], x: number[]): number {
  let s = 0;
  for (let k = 0; k < this.constants.W; k++) {
    const j = k * this.constants.n + this.thread.x;
    s += vals[j] * x[cols[j]];
  }
  return s;
}
// y ← α·A·x + β·y (coef = [α, β]; β = 0: y not read)
function spmvUpdateEll(this: KernelThis, vals: number[], cols: number[], x: number[], y: number[], coef: number[]): number {
  let s = 0;
  for (let k = 0; k < this.constants.W; k++) {
    const j = k * this.constants.n + this.thread.x;
    s += vals[j] * x[cols[j]];
  }
  let out = coef[0] * s;
  if (coef[1] !== 0) out += coef[1] * y[this.thread.x];
  return out;
}
// d ← c1·d + c2·(invD∘r) (coef = [c1, c2]; c1 = 0: d not read)
function smoothDirectionKernel(this: KernelThis, invD: number[], r: number[], d: number[], coef: number[]): number {
  let out = coef[1] * (invD[this.thread.x] * r[this.thread.x]);
  if (coef[0] !== 0) out += coef[0] * d[this.thread.x];
  return out;
}
// x ← xs·x + d (xs = 0: x not read)
function smoothSolutionKernel(this: KernelThis, x: number[], d: number[], xs: number[]): number {
  let out = d[this.thread.x];
  if (xs[0] !== 0) out += xs[0] * x[this.thread.x];
  return out;
}
function dotStage(this: KernelThis, a: number[], b: number[]): number {
  let s = 0;
  for (let k = 0; k < this.constants.B; k++) {
    const i = this.thread.x * this.constants.B + k;
    if (i < this.constants.n) s += a[i] * b[i];
  }
  return s;
}
function weightedSquareStage(this: KernelThis, a: number[], w: number[]): number {
  let s = 0;
  for (let k = 0; k < this.constants.B; k++) {
    const i = this.thread.x * this.constants.B + k;
    if (i < this.constants.n) s += a[i] * a[i] * w[i];
  }
  return s;
}
function sumStage(this: KernelThis, a: number[]): number {
  let s = 0;
  for (let k = 0; k < this.constants.B; k++) {
    const i = this.thread.x * this.constants.B + k;
    if (i < this.constants.n) s += a[i];
  }
  return s;
}
function axpyKernel(this: KernelThis, x: number[], y: number[], alpha: number[]): number {
  return y[this.thread.x] + alpha[0] * x[this.thread.x];
}
function xpbyKernel(this: KernelThis, x: number[], y: number[], beta: number[]): number {
  return x[this.thread.x] + beta[0] * y[this.thread.x];
}
function fillKernel(this: KernelThis, v: number[]): number {
  return v[0];
}
function copyKernel(this: KernelThis, v: number[]): number {
  return v[this.thread.x];
}
function multiplyKernel(this: KernelThis, a: number[], b: number[]): number {
  return a[this.thread.x] * b[this.thread.x];
}
// x ← x + αp (sign = 1) or r ← r − αq (sign = −1), α = rz/pq, 0 when pq ≤ 0 (or NaN)
function stepKernel(this: KernelThis, v: number[], d: number[], rz: number[], pq: number[], sign: number[]): number {
  let a = 0;
  if (pq[0] > 0) a = rz[0] / pq[0];
  return v[this.thread.x] + sign[0] * a * d[this.thread.x];
}
// p ← z + βp, β = rzNew/rz (0 when rz ≤ 0)
function directionKernel(this: KernelThis, z: number[], p: number[], rzNew: number[], rz: number[]): number {
  let b = 0;
  if (rz[0] > 0) b = rzNew[0] / rz[0];
  return z[this.thread.x] + b * p[this.thread.x];
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown })?.then === 'function';
}

/** Reads a kernel output (array, texture, WebGPU buffer result) to a Float32Array. */
async function toHost(v: unknown): Promise<Float32Array> {
  let x = isPromiseLike(v) ? await v : v;
  const t = x as { toArray?: () => unknown };
  if (typeof t?.toArray === 'function') x = await t.toArray();
  if (x instanceof Float32Array) return x;
  if (ArrayBuffer.isView(x) || Array.isArray(x)) return Float32Array.from(x as ArrayLike<number>);
  throw new DeviceFailureError(`gpu.js returned an unreadable value (${Object.prototype.toString.call(x)})`, 'gpujs');
}

/** Deletes a texture/buffer handle when gpu.js gave one. */
function release(v: unknown): void {
  const d = v as { delete?: () => void };
  if (d && typeof d.delete === 'function' && !ArrayBuffer.isView(v)) d.delete();
}

/**
 * Creates the gpu.js kernels. Resolves to `null` when gpu.js cannot load or
 * the requested mode is not available here (`webgpu` without an adapter,
 * `headlessgl` without the native `gl` module).
 *
 * @example
 * ```ts
 * const k = await createGpujsKernels({ mode: 'cpu' });
 * const inner = k && gpujsInnerSolver(k, K);
 * ```
 */
export async function createGpujsKernels(options: GpujsOptions = {}): Promise<GpujsKernels | null> {
  const mode = options.mode ?? 'cpu';
  let GPUClass: (new (settings: Record<string, unknown>) => GpuInstance) & {
    isHeadlessGLSupported?: boolean;
    isWebGPUAvailable?: () => Promise<boolean>;
    isWebAssemblySupported?: boolean;
  };
  try {
    const mod = (await import('gpu.js')) as unknown as { GPU?: typeof GPUClass; default?: { GPU: typeof GPUClass } };
    GPUClass = (mod.GPU ?? mod.default?.GPU)!;
    if (!GPUClass) return null;
  } catch {
    return null;
  }
  if (mode === 'headlessgl' && !GPUClass.isHeadlessGLSupported) return null;
  if (mode === 'webasm' && GPUClass.isWebAssemblySupported === false) return null;
  if (mode === 'webgpu') {
    // gpu.js looks for navigator.gpu; in Node provide it from the `webgpu` package.
    const { webgpuEntry } = await import('./webgpu.js');
    const gpu = await webgpuEntry();
    if (!gpu || !(await gpu.requestAdapter())) return null;
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (!g.navigator?.gpu) Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu }, configurable: true });
  }
  const gpu = new GPUClass({ mode });
  return gpujsKernels(gpu, mode);
}

function gpujsKernels(gpu: GpuInstance, mode: GpujsMode): GpujsKernels {
  const kernels = new Map<string, Kernel>();
  let runningKernel = 'unknown';
  const kernel = (key: string, fn: (...args: never[]) => number, output: number, constants: Record<string, number> = {}): Kernel => {
    let k = kernels.get(key);
    if (!k) {
      k = gpu.createKernel(fn, { output: [output], constants, pipeline: true, immutable: true, precision: 'single', tactic: 'precision' });
      kernels.set(key, k);
    }
    return k;
  };
  const scalar = (v: number) => new Float32Array([v]);
  // Host coefficient pairs of the V-cycle kernels (α/β, c1/c2): a hierarchy uses a small fixed
  // set, so one array per pair is kept instead of a new argument array per call.
  const pairs = new Map<string, Float32Array>();
  const pair = (a: number, b: number): Float32Array => {
    const key = `${a}:${b}`;
    let v = pairs.get(key);
    if (!v) pairs.set(key, (v = new Float32Array([a, b])));
    return v;
  };
  const async = mode === 'webgpu';
  // Work queue: in the synchronous modes an op runs at once; in webgpu mode (kernel calls
  // return Promises) ops are chained and the chain is awaited at the sync points. Kernel
  // arguments are thunks, read when the op runs, so they see the handles of earlier ops.
  let chain: Promise<void> = Promise.resolve();
  let failed: unknown;
  const run = (op: () => unknown): void => {
    if (!async) {
      op();
      return;
    }
    chain = chain.then(async () => {
      if (failed) return;
      try {
        await op();
      } catch (e) {
        failed = e;
      }
    });
  };
  const settle = async (): Promise<void> => {
    await chain;
    if (failed) {
      const e = failed;
      failed = undefined;
      throw e instanceof DeviceFailureError ? e : new DeviceFailureError(`gpu.js (${mode}) kernel failed: ${(e as Error).message ?? e}`, 'gpujs');
    }
  };
  /** v ← kernel(args()): the old handle is released once replaced. */
  const apply = (v: GpujsVector, kn: Kernel, args: () => unknown[]): void =>
    run(() => {
      const out = kn(...args());
      runningKernel = kn.kernel?.constructor.name ?? runningKernel;
      const put = (o: unknown) => {
        const old = v.value;
        v.value = o;
        if (old !== o) release(old);
      };
      return isPromiseLike(out) ? Promise.resolve(out).then(put) : put(out);
    });
  const same = (a: DeviceVector, b: DeviceVector, what: string) => {
    if (a.length !== b.length) throw new DimensionMismatchError(`${what}: vector lengths ${a.length} and ${b.length} differ`);
  };
  /** into ← Σ stage1(args()) by a multi-stage reduction (B entries per thread per stage). */
  const reduce = (into: GpujsVector, key: string, fn: (...args: never[]) => number, args: () => unknown[], n: number): void => {
    let len = Math.ceil(n / GPUJS_BLOCK);
    let cur: GpujsVector = { length: len, value: undefined };
    apply(cur, kernel(`${key}:${n}`, fn, len, { B: GPUJS_BLOCK, n }), args);
    while (len > 1) {
      const next = Math.ceil(len / GPUJS_BLOCK);
      const src = cur;
      cur = { length: next, value: undefined };
      apply(cur, kernel(`sum:${len}`, sumStage, next, { B: GPUJS_BLOCK, n: len }), () => [src.value]);
      run(() => release(src.value));
      len = next;
    }
    const fin = cur;
    run(() => {
      const old = into.value;
      into.value = fin.value;
      if (old !== fin.value) release(old);
    });
  };
  // Device scalars as 1-element vectors (kernel outputs).
  const S = {
    rz: { length: 1, value: scalar(0) } as GpujsVector,
    pq: { length: 1, value: scalar(1) } as GpujsVector,
    rzNew: { length: 1, value: scalar(0) } as GpujsVector,
    rr: { length: 1, value: scalar(0) } as GpujsVector,
    dot: { length: 1, value: scalar(0) } as GpujsVector,
  };
  const PLUS = scalar(1);
  const MINUS = scalar(-1);

  const k: GpujsKernels = {
    name: `gpujs:${mode}`,
    precision: 'f32',
    mode,
    get runningKernel() {
      return runningKernel;
    },
    alloc: (n) => ({ length: n, value: new Float32Array(n) }),
    write(host, dst) {
      same(dst, host, 'write');
      const f = Float32Array.from(host);
      // GPU modes: a copy kernel makes the data resident (a host array is re-uploaded per call)
      if (mode === 'cpu' || mode === 'webasm') run(() => void (dst.value = f));
      else apply(dst, kernel(`copy:${dst.length}`, copyKernel, dst.length), () => [f]);
    },
    fill(v, value) {
      apply(v, kernel(`fill:${v.length}`, fillKernel, v.length), () => [scalar(value)]);
    },
    async read(v) {
      await settle();
      return (await toHost(v.value)).slice(0, v.length);
    },
    uploadMatrix(A) {
      const e = ellFromCsr(A);
      return { rows: A.rows, cols: A.cols, width: e.width, ellValues: e.values, ellCols: e.cols, fill: e.fill };
    },
    spmv(A, x, y) {
      if (x.length !== A.cols || y.length !== A.rows) throw new DimensionMismatchError(`spmv: matrix ${A.rows}×${A.cols}, x ${x.length}, y ${y.length}`);
      apply(y, kernel(`spmv:${A.rows}:${A.cols}:${A.width}`, spmvEll, A.rows, { W: A.width, n: A.rows }), () => [A.ellValues, A.ellCols, x.value]);
    },
    spmvUpdate(A, x, y, alpha, beta) {
      if (x.length !== A.cols || y.length !== A.rows) throw new DimensionMismatchError(`spmvUpdate: matrix ${A.rows}×${A.cols}, x ${x.length}, y ${y.length}`);
      if (x === y) throw new DimensionMismatchError('spmvUpdate: x and y must be different vectors');
      const coef = pair(alpha, beta);
      apply(y, kernel(`spmvu:${A.rows}:${A.cols}:${A.width}`, spmvUpdateEll, A.rows, { W: A.width, n: A.rows }), () => [A.ellValues, A.ellCols, x.value, y.value, coef]);
    },
    copy(x, y) {
      same(x, y, 'copy');
      apply(y, kernel(`copyv:${y.length}`, copyKernel, y.length), () => [x.value]); // own key: device-resident argument, not a host array
    },
    multiply(a, b, z) {
      same(a, b, 'multiply');
      same(a, z, 'multiply');
      if (z === a || z === b) throw new DimensionMismatchError('multiply: z must be a different vector from a and b');
      apply(z, kernel(`mul:${z.length}`, multiplyKernel, z.length), () => [a.value, b.value]);
    },
    smoothStep(invD, r, d, x, c1, c2, xScale) {
      for (const v of [r, d, x]) same(invD, v, 'smoothStep');
      if (new Set([invD, r, d, x]).size !== 4) throw new DimensionMismatchError('smoothStep: invD, r, d and x must be four different vectors');
      const n = d.length;
      const coef = pair(c1, c2);
      const xs = pair(xScale, 0);
      apply(d, kernel(`smd:${n}`, smoothDirectionKernel, n), () => [invD.value, r.value, d.value, coef]);
      apply(x, kernel(`smx:${n}`, smoothSolutionKernel, n), () => [x.value, d.value, xs]);
    },
    dots(r, z) {
      same(r, z, 'dots');
      reduce(S.rzNew, 'dot', dotStage, () => [r.value, z.value], r.length);
      reduce(S.rr, 'dot', dotStage, () => [r.value, r.value], r.length);
    },
    async dot(x, y) {
      same(x, y, 'dot');
      reduce(S.dot, 'dot', dotStage, () => [x.value, y.value], x.length);
      await settle();
      return (await toHost(S.dot.value))[0];
    },
    axpy(alpha, x, y) {
      same(x, y, 'axpy');
      apply(y, kernel(`axpy:${y.length}`, axpyKernel, y.length), () => [x.value, y.value, scalar(alpha)]);
    },
    xpby(x, beta, y) {
      same(x, y, 'xpby');
      apply(y, kernel(`xpby:${y.length}`, xpbyKernel, y.length), () => [x.value, y.value, scalar(beta)]);
    },
    resetScalars() {
      run(() => {
        S.rz.value = scalar(0);
        S.pq.value = scalar(1);
        S.rzNew.value = scalar(0);
        S.rr.value = scalar(0);
      });
    },
    spmvDot(A, p, q) {
      k.spmv(A, p, q);
      reduce(S.pq, 'dot', dotStage, () => [p.value, q.value], p.length);
    },
    updateSolution(x, r, p, q) {
      const step = kernel(`step:${x.length}`, stepKernel, x.length);
      // x first: r's update reads neither x nor the new x
      apply(x, step, () => [x.value, p.value, S.rz.value, S.pq.value, PLUS]);
      apply(r, step, () => [r.value, q.value, S.rz.value, S.pq.value, MINUS]);
    },
    jacobiDots(invD, r, z) {
      const n = r.length;
      apply(z, kernel(`mul:${n}`, multiplyKernel, n), () => [invD.value, r.value]);
      reduce(S.rzNew, 'wsq', weightedSquareStage, () => [r.value, invD.value], n); // rᵀD⁻¹r = rᵀz
      reduce(S.rr, 'dot', dotStage, () => [r.value, r.value], n);
    },
    updateDirection(z, p) {
      apply(p, kernel(`dir:${p.length}`, directionKernel, p.length), () => [z.value, p.value, S.rzNew.value, S.rz.value]);
      // rz ← rzNew by swapping handles (the next reduction into rzNew releases the old rz)
      run(() => {
        const t = S.rz.value;
        S.rz.value = S.rzNew.value;
        S.rzNew.value = t;
      });
    },
    async readScalars(): Promise<PcgScalars> {
      await settle();
      const [rz, pq, rr] = await Promise.all([toHost(S.rz.value), toHost(S.pq.value), toHost(S.rr.value)]);
      return { rz: rz[0], pq: pq[0], rr: rr[0] };
    },
    dispose() {
      for (const kn of kernels.values()) kn.destroy?.();
      kernels.clear();
      gpu.destroy();
    },
  };
  return k;
}

/**
 * A gpu.js f32 inner solver for {@link mixedPrecisionSolve}.
 *
 * @param k kernels from {@link createGpujsKernels}
 * @param A SPD matrix (f64 CSR, N/mm)
 * @example
 * ```ts
 * const k = await createGpujsKernels({ mode: 'cpu' });
 * const sol = await mixedPrecisionSolve(K, f, gpujsInnerSolver(k!, K), { tolerance: 1e-10 });
 * ```
 */
export function gpujsInnerSolver(k: GpujsKernels, A: CsrMatrix, checkEvery = 16): InnerSolver {
  return deviceInnerSolver(k, A, checkEvery);
}
