/**
 * WebGPU backend: hand-written WGSL kernels (`./wgsl/`) behind
 * {@link DeviceKernels}, so the device PCG (`devicePcg`) runs with vectors
 * and scalars resident on the GPU and only three scalars read back every
 * k iterations. Works in browsers (`navigator.gpu`) and in Node through the
 * `webgpu` npm package (Dawn).
 *
 * Matrix format: 3×3-block sliced ELLPACK (BSELL3, slice = 64 block rows =
 * one workgroup). Why not scalar CSR: in f32 CSR moves 8 B per nonzero
 * (value + column index) and one thread per row reads 81 scattered entries;
 * BSELL3 moves 4.4 B per nonzero (one index per 9 values), reads x three
 * contiguous entries at a time, and lays a slice out lane-interleaved so a
 * workgroup's loads at each step are consecutive. Hex8/tet meshes have
 * nearly uniform block-row lengths within a slice, so padding is small
 * (reported as `fill`).
 */
import type {} from 'webgpu'; // the WebGPU type declarations (@webgpu/types) as globals
import { DimensionMismatchError } from '../errors.js';
import type { CsrMatrix } from '../linalg/types.js';
import { DeviceFailureError, type DeviceKernels, type DeviceMatrix, type DeviceVector, type PcgScalars } from '../solvers/device-pcg.js';
import { deviceInnerSolver } from '../solvers/device-pcg.js';
import type { InnerSolver } from '../solvers/mixed-precision.js';
import { BSELL3_SLICE, SPMV_BSELL3_WGSL } from './wgsl/spmv-bsell3.js';
import { DOT_PARTIAL_WGSL, JACOBI_DOTS_WGSL, REDUCE_FINAL_WGSL, REDUCE_GROUPS, RESIDUAL_DOTS_WGSL, WG } from './wgsl/reductions.js';
import { AXPBY_WGSL, COMMIT_RZ_WGSL, SLOT, SMOOTH_STEP_WGSL, UPDATE_DIRECTION_WGSL, UPDATE_SOLUTION_WGSL } from './wgsl/vector-updates.js';

/**
 * A matrix in 3×3-block sliced ELLPACK layout (host side).
 * - `n`: scalar rows; `blockRows = ⌈n/3⌉` (a last partial block row is padded with zero rows).
 * - `cols`: scalar columns (= n for a stiffness matrix; AMG prolongators are rectangular);
 *   block columns are ⌈cols/3⌉, so x must hold 3·⌈cols/3⌉ entries (device vectors are padded so).
 * - `sliceInfo`: 2 per slice — first stored block, width (blocks per lane).
 * - `col`: block column per stored block; padding blocks point at their own row with zero values.
 * - `values`: 9 f32 per stored block, row-major within the block (N/mm).
 * - `fill`: stored blocks ÷ nonzero blocks (≥ 1; padding overhead).
 */
export interface Bsell3Matrix {
  n: number;
  cols: number;
  blockRows: number;
  slices: number;
  sliceInfo: Uint32Array;
  col: Uint32Array;
  values: Float32Array;
  fill: number;
}

/**
 * Converts a CSR matrix to BSELL3 (f32 values). Rows and columns are
 * grouped three at a time (nodal DOFs for a solid model; any grouping is
 * correct). Rectangular matrices work too (AMG P and Pᵀ): padding blocks
 * point at block column min(own block row, last block column).
 *
 * @throws DimensionMismatchError when A has no rows or no columns
 * @example
 * ```ts
 * const M = bsell3FromCsr(K);
 * bsell3Spmv(M, x, y); // y ← K·x in f32 storage
 * ```
 */
export function bsell3FromCsr(A: CsrMatrix): Bsell3Matrix {
  if (A.rows < 1 || A.cols < 1) throw new DimensionMismatchError(`bsell3FromCsr: matrix is ${A.rows}×${A.cols}; it needs at least one row and one column`);
  const n = A.rows;
  const nb = Math.ceil(n / 3);
  const nbc = Math.ceil(A.cols / 3);
  const S = BSELL3_SLICE;
  const slices = Math.ceil(nb / S);
  const { rowPtr, colIdx, values } = A;
  // Pass 1: distinct block columns per block row.
  const mark = new Int32Array(nbc).fill(-1);
  const len = new Uint32Array(nb);
  let nonzeroBlocks = 0;
  for (let I = 0; I < nb; I++) {
    let c = 0;
    for (let i = 3 * I; i < Math.min(3 * I + 3, n); i++) {
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const J = Math.floor(colIdx[p] / 3);
        if (mark[J] !== I) {
          mark[J] = I;
          c++;
        }
      }
    }
    len[I] = c;
    nonzeroBlocks += c;
  }
  const sliceInfo = new Uint32Array(2 * slices);
  let total = 0;
  for (let s = 0; s < slices; s++) {
    let w = 0;
    for (let I = s * S; I < Math.min(nb, (s + 1) * S); I++) w = Math.max(w, len[I]);
    sliceInfo[2 * s] = total;
    sliceInfo[2 * s + 1] = w;
    total += w * S;
  }
  if (total > 0xffffffff / 9) throw new DimensionMismatchError(`bsell3FromCsr: ${total} stored blocks exceed the 32-bit index range`);
  const col = new Uint32Array(total);
  const vals = new Float32Array(9 * total);
  // Padding blocks: own column, zero values (x reads stay in range).
  for (let s = 0; s < slices; s++) {
    const off = sliceInfo[2 * s];
    const w = sliceInfo[2 * s + 1];
    for (let k = 0; k < w; k++) for (let l = 0; l < S; l++) col[off + k * S + l] = Math.min(s * S + l, nbc - 1);
  }
  // Pass 2: place blocks; slot[J] = local index of block column J in row I.
  const slot = new Int32Array(nbc).fill(-1);
  const owner = new Int32Array(nbc).fill(-1);
  for (let I = 0; I < nb; I++) {
    const s = Math.floor(I / S);
    const l = I - s * S;
    const off = sliceInfo[2 * s];
    let c = 0;
    for (let i = 3 * I; i < Math.min(3 * I + 3, n); i++) {
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const j = colIdx[p];
        const J = Math.floor(j / 3);
        if (owner[J] !== I) {
          owner[J] = I;
          slot[J] = c++;
        }
        const b = off + slot[J] * S + l;
        col[b] = J;
        vals[9 * b + 3 * (i - 3 * I) + (j - 3 * J)] += values[p];
      }
    }
  }
  return { n, cols: A.cols, blockRows: nb, slices, sliceInfo, col, values: vals, fill: total / Math.max(1, nonzeroBlocks) };
}

/**
 * `y ← M·x` on the CPU, in exactly the order of the WGSL kernel (for tests
 * and as the f32 reference of the format). `x`, `y` have length ≥ 3·blockRows.
 *
 * @example
 * ```ts
 * bsell3Spmv(bsell3FromCsr(K), x, y);
 * ```
 */
export function bsell3Spmv(M: Bsell3Matrix, x: Float32Array, y: Float32Array): void {
  const S = BSELL3_SLICE;
  const { sliceInfo, col, values: v } = M;
  for (let I = 0; I < M.blockRows; I++) {
    const s = Math.floor(I / S);
    const l = I - s * S;
    const off = sliceInfo[2 * s];
    const w = sliceInfo[2 * s + 1];
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    for (let k = 0; k < w; k++) {
      const b = off + k * S + l;
      const J = 3 * col[b];
      const x0 = x[J] ?? 0;
      const x1 = x[J + 1] ?? 0;
      const x2 = x[J + 2] ?? 0;
      const e = 9 * b;
      y0 += v[e] * x0 + v[e + 1] * x1 + v[e + 2] * x2;
      y1 += v[e + 3] * x0 + v[e + 4] * x1 + v[e + 5] * x2;
      y2 += v[e + 6] * x0 + v[e + 7] * x1 + v[e + 8] * x2;
    }
    y[3 * I] = y0;
    if (3 * I + 1 < y.length) y[3 * I + 1] = y1;
    if (3 * I + 2 < y.length) y[3 * I + 2] = y2;
  }
}

/** Options of {@link createWebgpuKernels}. */
export interface WebgpuOptions {
  /** A `GPU` object (`navigator.gpu`); default `navigator.gpu`, else the `webgpu` package's `create(dawnFlags)`. */
  gpu?: GPU;
  /** Dawn flags for the `webgpu` package, e.g. `['backend=opengles']` (software GL over Mesa for tests). */
  dawnFlags?: string[];
  /** `requestAdapter` options (e.g. `{ featureLevel: 'compatibility' }` for the GL backend). */
  adapterOptions?: GPURequestAdapterOptions & { featureLevel?: string };
  /** Accept a software (CPU) adapter such as llvmpipe/SwiftShader. Default true here; `auto` passes false. */
  allowSoftwareAdapter?: boolean;
}

/** A device vector of the WebGPU kernels. */
export interface WebgpuVector extends DeviceVector {
  readonly buffer: GPUBuffer;
  readonly id: number;
}

/** A device matrix of the WebGPU kernels (BSELL3 in up to four value chunks). */
export interface WebgpuMatrix extends DeviceMatrix {
  readonly host: Pick<Bsell3Matrix, 'blockRows' | 'slices' | 'fill'>;
  /** Bytes moved by one SpMV (values + block columns + x + y), for the roofline. */
  readonly spmvBytes: number;
  readonly buffers: GPUBuffer[];
  readonly bindEntries: GPUBindGroupEntry[];
  readonly slices: number;
  readonly id: number;
  /** The SpMV uniform's integer words {blockRows, slices, split1..3} (α, β are added per call). */
  readonly params: readonly number[];
}

/** WebGPU {@link DeviceKernels} plus what benchmarks need. */
export interface WebgpuKernels extends DeviceKernels<WebgpuVector, WebgpuMatrix> {
  readonly device: GPUDevice;
  /** Adapter description (vendor, architecture, description) for reports. */
  readonly adapterName: string;
  /** Whether the adapter is a software rasteriser (llvmpipe, SwiftShader). */
  readonly software: boolean;
  /** Submits queued work and waits for it to finish. */
  finish(): Promise<void>;
  /** `y ← x + a·w` (the STREAM triad), queued. */
  triad(x: WebgpuVector, a: number, w: WebgpuVector, y: WebgpuVector): void;
}

/**
 * Every Dawn instance `create()` returned. Dawn's `GPU` object owns the native
 * instance that devices and buffers live in; when nothing referenced it (the
 * flagged path used to return it without keeping it), the garbage collector
 * freed the instance under a live device and the process died in
 * `InstanceBase::ProcessEvents` (SIGSEGV, futex errors, `std::system_error`).
 * Instances are few (one per distinct flag set), so they are kept for the
 * process's lifetime.
 */
const dawnInstances = new Map<string, Promise<GPU | undefined>>();

/**
 * The WebGPU entry point: `navigator.gpu` where it exists (browsers, Deno),
 * else the `webgpu` npm package (Dawn) in Node; undefined when neither loads.
 * One Dawn instance per distinct `dawnFlags`, kept alive for the process.
 *
 * @example
 * ```ts
 * const gpu = await webgpuEntry();
 * const adapter = await gpu?.requestAdapter();
 * ```
 */
export async function webgpuEntry(dawnFlags: string[] = []): Promise<GPU | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu && dawnFlags.length === 0) return nav.gpu;
  const load = async (): Promise<GPU | undefined> => {
    try {
      const mod = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
      for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
      return mod.create(dawnFlags);
    } catch {
      return undefined; // no native binding for this platform
    }
  };
  const key = dawnFlags.join('\n');
  let gpu = dawnInstances.get(key);
  if (!gpu) dawnInstances.set(key, (gpu = load()));
  return gpu;
}

const SOFTWARE = /llvmpipe|swiftshader|lavapipe|softpipe|microsoft basic/i;

/**
 * Creates the WebGPU kernels, or returns `null` when there is no adapter
 * (`requestAdapter()` returned null: no GPU, no driver, or no `webgpu`
 * binding) — the caller then stays on the CPU.
 *
 * @example
 * ```ts
 * const k = await createWebgpuKernels();
 * if (!k) console.warn('WebGPU: no adapter (requestAdapter() returned null)');
 * ```
 */
export async function createWebgpuKernels(options: WebgpuOptions = {}): Promise<WebgpuKernels | null> {
  const gpu = options.gpu ?? (await webgpuEntry(options.dawnFlags ?? []));
  if (!gpu) return null;
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(options.adapterOptions);
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const adapterName = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = SOFTWARE.test(adapterName) || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || info?.isFallbackAdapter === true;
  if (software && options.allowSoftwareAdapter === false) return null;
  const L = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(L.maxStorageBuffersPerShaderStage, 10),
      // core WebGPU guarantees 256; compatibility mode (GL backend) defaults to 128
      maxComputeWorkgroupSizeX: Math.max(WG, Math.min(L.maxComputeWorkgroupSizeX, WG)),
      maxComputeInvocationsPerWorkgroup: Math.max(WG, Math.min(L.maxComputeInvocationsPerWorkgroup, WG)),
    },
  });
  return webgpuKernels(device, adapterName, software);
}

function webgpuKernels(device: GPUDevice, adapterName: string, software: boolean): WebgpuKernels {
  const name = 'webgpu';
  let failure: string | undefined;
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') failure ??= `WebGPU device lost (${info.reason}): ${info.message}`;
  });
  device.addEventListener?.('uncapturederror', (e) => {
    failure ??= `WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`;
  });
  const check = () => {
    if (failure) throw new DeviceFailureError(failure, name);
  };
  const maxBinding = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

  const module = (code: string) => device.createShaderModule({ code });
  const pipeline = (code: string) => device.createComputePipeline({ layout: 'auto', compute: { module: module(code), entryPoint: 'main' } });
  const P = {
    spmv: pipeline(SPMV_BSELL3_WGSL),
    dotPartial: pipeline(DOT_PARTIAL_WGSL),
    jacobiDots: pipeline(JACOBI_DOTS_WGSL),
    reduceFinal: pipeline(REDUCE_FINAL_WGSL),
    updateSolution: pipeline(UPDATE_SOLUTION_WGSL),
    updateDirection: pipeline(UPDATE_DIRECTION_WGSL),
    commit: pipeline(COMMIT_RZ_WGSL),
    axpby: pipeline(AXPBY_WGSL),
    smoothStep: pipeline(SMOOTH_STEP_WGSL),
    residualDots: pipeline(RESIDUAL_DOTS_WGSL),
  };

  let nextId = 1;
  const owned = new Set<GPUBuffer>();
  const storage = (bytes: number, data?: ArrayBufferView): GPUBuffer => {
    const size = Math.max(16, Math.ceil(bytes / 4) * 4);
    const buf = device.createBuffer({ size, usage: STORAGE, mappedAtCreation: !!data });
    if (data) {
      new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      buf.unmap();
    }
    owned.add(buf);
    return buf;
  };
  const uniform = (words: ArrayLike<number>, float = -1): GPUBuffer => {
    const buf = device.createBuffer({ size: 4 * Math.max(4, Math.ceil(words.length / 4) * 4), usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
    const range = buf.getMappedRange();
    new Uint32Array(range).set(Array.from(words, (w, i) => (i === float ? 0 : w)));
    if (float >= 0) new Float32Array(range)[float] = words[float];
    buf.unmap();
    return buf;
  };
  const scalars = storage(4 * 8);
  const partial = storage(4 * 2 * REDUCE_GROUPS);
  const dummy = storage(16);
  const staging = device.createBuffer({ size: 4 * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  /** Buffers no longer used, destroyed in dispose() (see free()). */
  const retired: GPUBuffer[] = [];
  let readStaging = device.createBuffer({ size: 1 << 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  // One compute pass collects dispatches until a sync point.
  let encoder: GPUCommandEncoder | undefined;
  let pass: GPUComputePassEncoder | undefined;
  const getPass = (): GPUComputePassEncoder => {
    check();
    encoder ??= device.createCommandEncoder();
    pass ??= encoder.beginComputePass();
    return pass;
  };
  const endPass = (): GPUCommandEncoder => {
    encoder ??= device.createCommandEncoder();
    pass?.end();
    pass = undefined;
    return encoder;
  };
  const submit = (): void => {
    const e = endPass();
    device.queue.submit([e.finish()]);
    encoder = undefined;
  };
  const dispatch = (pl: GPUComputePipeline, entries: GPUBindGroupEntry[], groups: number, cache?: string): void => {
    const p = getPass();
    let bg = cache ? bindCache.get(cache) : undefined;
    if (!bg) {
      bg = device.createBindGroup({ layout: pl.getBindGroupLayout(0), entries });
      if (cache) bindCache.set(cache, bg);
    }
    p.setPipeline(pl);
    p.setBindGroup(0, bg);
    const gx = Math.min(groups, 65535);
    p.dispatchWorkgroups(Math.max(1, gx), Math.max(1, Math.ceil(groups / gx)));
  };
  const bindCache = new Map<string, GPUBindGroup>();
  const sizeUniforms = new Map<number, GPUBuffer>();
  const nUniform = (n: number): GPUBuffer => {
    let u = sizeUniforms.get(n);
    if (!u) sizeUniforms.set(n, (u = uniform([n, 0, 0, 0])));
    return u;
  };
  const finalUniforms = new Map<string, GPUBuffer>();
  const reduceFinal = (count: number, comps: number, slot0: number, slot1: number): void => {
    const key = `${count}:${comps}:${slot0}:${slot1}`;
    let u = finalUniforms.get(key);
    if (!u) finalUniforms.set(key, (u = uniform([count, comps, slot0, slot1])));
    dispatch(P.reduceFinal, [{ binding: 0, resource: { buffer: u } }, { binding: 1, resource: { buffer: partial } }, { binding: 2, resource: { buffer: scalars } }], 1, `final:${key}`);
  };
  const groupsOf = (n: number) => Math.ceil(n / WG);
  const reduceGroups = (n: number) => Math.min(REDUCE_GROUPS, groupsOf(n));
  const same = (a: DeviceVector, b: DeviceVector, what: string) => {
    if (a.length !== b.length) throw new DimensionMismatchError(`${what}: vector lengths ${a.length} and ${b.length} differ`);
  };
  const buf = (v: WebgpuVector | undefined) => ({ buffer: v ? v.buffer : dummy });
  // Host-scalar element-wise op; uniforms cached by (n, op, a): PCG uses few
  // distinct values (fill 0), and no buffer is destroyed mid-run (see free()).
  const scalarUniforms = new Map<string, GPUBuffer>();
  const axpby = (op: number, a: number, x: WebgpuVector | undefined, w: WebgpuVector | undefined, y: WebgpuVector) => {
    const key = `${y.length}:${op}:${Math.fround(a)}`;
    let u = scalarUniforms.get(key);
    if (!u) scalarUniforms.set(key, (u = uniform([y.length, op, a, 0], 2)));
    if (scalarUniforms.size > 4096) retired.push(...scalarUniforms.values()), scalarUniforms.clear();
    dispatch(P.axpby, [{ binding: 0, resource: { buffer: u } }, { binding: 1, resource: buf(x) }, { binding: 2, resource: buf(w) }, { binding: 3, resource: { buffer: y.buffer } }], groupsOf(y.length));
  };
  /** A uniform from 32-bit words: integers, except the indices in `floats` (stored as f32). */
  const mixedUniform = (words: readonly number[], floats: readonly number[]): GPUBuffer => {
    const buf = device.createBuffer({ size: 4 * Math.max(4, Math.ceil(words.length / 4) * 4), usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
    const range = buf.getMappedRange();
    const u = new Uint32Array(range);
    const f = new Float32Array(range);
    words.forEach((w, i) => (floats.includes(i) ? (f[i] = w) : (u[i] = w)));
    buf.unmap();
    return buf;
  };
  // Per-call uniforms of the V-cycle kernels (SpMV α/β per matrix, smoothing
  // coefficients per level): a hierarchy uses a fixed, small set, cached.
  const callUniforms = new Map<string, GPUBuffer>();
  const callUniform = (key: string, words: readonly number[], floats: readonly number[]): GPUBuffer => {
    let u = callUniforms.get(key);
    if (!u) callUniforms.set(key, (u = mixedUniform(words, floats)));
    return u;
  };
  const mapRead = async (src: GPUBuffer, bytes: number, target: GPUBuffer = staging): Promise<ArrayBuffer> => {
    const e = endPass();
    e.copyBufferToBuffer(src, 0, target, 0, bytes);
    device.queue.submit([e.finish()]);
    encoder = undefined;
    try {
      await target.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (err) {
      check();
      throw new DeviceFailureError(`WebGPU readback failed: ${(err as Error).message}`, name);
    }
    const out = target.getMappedRange(0, bytes).slice(0);
    target.unmap();
    check();
    return out;
  };

  const k: WebgpuKernels = {
    name,
    precision: 'f32',
    device,
    adapterName,
    software,
    alloc(n) {
      // padded to a whole block row so the BSELL3 SpMV may touch 3·⌈n/3⌉ entries
      const v: WebgpuVector = { length: n, buffer: storage(4 * 3 * Math.ceil(n / 3)), id: nextId++ };
      return v;
    },
    write(host, dst) {
      same(dst, host, 'write');
      submit(); // order: queued dispatches before this write
      const f = host instanceof Float32Array ? host : Float32Array.from(host);
      device.queue.writeBuffer(dst.buffer, 0, f.buffer, f.byteOffset, f.byteLength);
    },
    fill(v, value) {
      axpby(2, value, undefined, undefined, v);
    },
    async read(v) {
      const bytes = 4 * v.length;
      if (readStaging.size < bytes) {
        retired.push(readStaging);
        readStaging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      }
      return new Float32Array(await mapRead(v.buffer, bytes, readStaging));
    },
    uploadMatrix(A) {
      const h = bsell3FromCsr(A);
      // value chunks: whole slices, each ≤ maxBinding bytes
      const sliceBytes = (s: number) => 36 * h.sliceInfo[2 * s + 1] * BSELL3_SLICE;
      const starts = [0];
      let acc = 0;
      for (let s = 0; s < h.slices; s++) {
        if (acc + sliceBytes(s) > maxBinding && acc > 0) {
          starts.push(s);
          acc = 0;
        }
        acc += sliceBytes(s);
      }
      if (starts.length > 4) {
        throw new DimensionMismatchError(
          `webgpu: the matrix needs ${starts.length} value bindings of ≤ ${maxBinding} B (4 supported): ${A.rows} DOFs is too large for this device`,
        );
      }
      const firstBlock = (s: number) => (s >= h.slices ? h.col.length : h.sliceInfo[2 * s]);
      const splits = [1, 2, 3].map((c) => (c < starts.length ? firstBlock(starts[c]) : 0xffffffff));
      const chunks: GPUBuffer[] = [];
      for (let c = 0; c < 4; c++) {
        if (c >= starts.length) {
          chunks.push(dummy);
          continue;
        }
        const b0 = firstBlock(starts[c]);
        const b1 = c + 1 < starts.length ? firstBlock(starts[c + 1]) : firstBlock(h.slices);
        chunks.push(storage(36 * (b1 - b0), h.values.subarray(9 * b0, 9 * b1)));
      }
      const info = storage(h.sliceInfo.byteLength, h.sliceInfo);
      const col = storage(h.col.byteLength, h.col);
      const params = [h.blockRows, h.slices, ...splits];
      const u = mixedUniform([...params, 1, 0, 0], [5, 6]); // α = 1, β = 0: y ← A·x
      const stored = h.col.length;
      return {
        rows: A.rows,
        cols: A.cols,
        host: { blockRows: h.blockRows, slices: h.slices, fill: h.fill },
        spmvBytes: 40 * stored + 4 * 3 * (h.blockRows + Math.ceil(A.cols / 3)),
        buffers: [info, col, ...chunks.filter((c) => c !== dummy), u],
        bindEntries: [
          { binding: 0, resource: { buffer: u } },
          { binding: 1, resource: { buffer: info } },
          { binding: 2, resource: { buffer: col } },
          ...chunks.map((c, i) => ({ binding: 3 + i, resource: { buffer: c } })),
        ],
        slices: h.slices,
        id: nextId++,
        params,
      };
    },
    spmv(A, x, y) {
      if (x.length !== A.cols || y.length !== A.rows) throw new DimensionMismatchError(`spmv: matrix ${A.rows}×${A.cols}, x ${x.length}, y ${y.length}`);
      if (x === y) throw new DimensionMismatchError('spmv: x and y must be different vectors');
      dispatch(
        P.spmv,
        [...A.bindEntries, { binding: 7, resource: { buffer: x.buffer } }, { binding: 8, resource: { buffer: y.buffer } }],
        A.slices,
        `spmv:${A.id}:${x.id}:${y.id}`,
      );
    },
    spmvUpdate(A, x, y, alpha, beta) {
      if (x.length !== A.cols || y.length !== A.rows) throw new DimensionMismatchError(`spmvUpdate: matrix ${A.rows}×${A.cols}, x ${x.length}, y ${y.length}`);
      if (x === y) throw new DimensionMismatchError('spmvUpdate: x and y must be different vectors');
      const a = Math.fround(alpha);
      const b = Math.fround(beta);
      const uk = `spmv:${A.id}:${a}:${b}`;
      const u = callUniform(uk, [...A.params, a, b, 0], [5, 6]);
      dispatch(
        P.spmv,
        [{ binding: 0, resource: { buffer: u } }, ...A.bindEntries.slice(1), { binding: 7, resource: { buffer: x.buffer } }, { binding: 8, resource: { buffer: y.buffer } }],
        A.slices,
        `${uk}:${x.id}:${y.id}`,
      );
    },
    copy(x, y) {
      same(x, y, 'copy');
      if (x !== y) axpby(5, 0, x, undefined, y);
    },
    multiply(a, b, z) {
      same(a, b, 'multiply');
      same(a, z, 'multiply');
      if (z === a || z === b) throw new DimensionMismatchError('multiply: z must be a different vector from a and b');
      axpby(6, 0, a, b, z);
    },
    smoothStep(invD, r, d, x, c1, c2, xScale) {
      for (const v of [r, d, x]) same(invD, v, 'smoothStep');
      if (new Set([invD, r, d, x]).size !== 4) throw new DimensionMismatchError('smoothStep: invD, r, d and x must be four different vectors');
      const n = d.length;
      const w = [n, Math.fround(c1), Math.fround(c2), Math.fround(xScale)];
      const uk = `sm:${w.join(':')}`;
      const u = callUniform(uk, w, [1, 2, 3]);
      dispatch(
        P.smoothStep,
        [{ binding: 0, resource: { buffer: u } }, ...[invD, r, d, x].map((v, i) => ({ binding: 1 + i, resource: { buffer: v.buffer } }))],
        groupsOf(n),
        `${uk}:${invD.id}:${r.id}:${d.id}:${x.id}`,
      );
    },
    dots(r, z) {
      same(r, z, 'dots');
      const n = r.length;
      const g = reduceGroups(n);
      dispatch(
        P.residualDots,
        [nEntry(n), { binding: 1, resource: { buffer: r.buffer } }, { binding: 2, resource: { buffer: z.buffer } }, { binding: 3, resource: { buffer: partial } }],
        g,
        `rd:${r.id}:${z.id}`,
      );
      reduceFinal(g, 2, SLOT.rzNew, SLOT.rr);
    },
    async dot(x, y) {
      same(x, y, 'dot');
      dotInto(x, y, SLOT.dot);
      return new Float32Array(await mapRead(scalars, 32))[SLOT.dot];
    },
    axpy(alpha, x, y) {
      same(x, y, 'axpy');
      if (x === y) axpby(4, 1 + alpha, undefined, undefined, y);
      else axpby(0, alpha, x, undefined, y);
    },
    xpby(x, beta, y) {
      same(x, y, 'xpby');
      if (x === y) axpby(4, 1 + beta, undefined, undefined, y);
      else axpby(1, beta, x, undefined, y);
    },
    triad(x, a, w, y) {
      same(x, y, 'triad');
      same(w, y, 'triad');
      axpby(3, a, x, w, y);
    },
    resetScalars() {
      submit();
      device.queue.writeBuffer(scalars, 0, new Float32Array([0, 1, 0, 0, 0, 0, 0, 0]));
    },
    spmvDot(A, p, q) {
      k.spmv(A, p, q);
      dotInto(p, q, SLOT.pq);
    },
    updateSolution(x, r, p, q) {
      const n = x.length;
      dispatch(
        P.updateSolution,
        [nEntry(n), { binding: 1, resource: { buffer: scalars } }, ...[x, r, p, q].map((v, i) => ({ binding: 2 + i, resource: { buffer: v.buffer } }))],
        groupsOf(n),
        `us:${x.id}:${r.id}:${p.id}:${q.id}`,
      );
    },
    jacobiDots(invD, r, z) {
      const n = r.length;
      const g = reduceGroups(n);
      dispatch(
        P.jacobiDots,
        [nEntry(n), ...[invD, r, z].map((v, i) => ({ binding: 1 + i, resource: { buffer: v.buffer } })), { binding: 4, resource: { buffer: partial } }],
        g,
        `jd:${invD.id}:${r.id}:${z.id}`,
      );
      reduceFinal(g, 2, SLOT.rzNew, SLOT.rr);
    },
    updateDirection(z, p) {
      const n = p.length;
      dispatch(
        P.updateDirection,
        [nEntry(n), { binding: 1, resource: { buffer: scalars } }, { binding: 2, resource: { buffer: z.buffer } }, { binding: 3, resource: { buffer: p.buffer } }],
        groupsOf(n),
        `ud:${z.id}:${p.id}`,
      );
      dispatch(P.commit, [{ binding: 0, resource: { buffer: scalars } }], 1, 'commit');
    },
    async readScalars(): Promise<PcgScalars> {
      const s = new Float32Array(await mapRead(scalars, 32));
      return { rz: s[SLOT.rz], pq: s[SLOT.pq], rr: s[SLOT.rr] };
    },
    async finish() {
      submit();
      await device.queue.onSubmittedWorkDone();
      check();
    },
    free() {
      // Buffers are released in dispose(): destroying one between submissions
      // aborted Dawn's GL backend (std::system_error) in testing, and work
      // vectors are reused across solves anyway.
    },
    dispose() {
      for (const b of [...owned, ...retired, ...scalarUniforms.values(), ...sizeUniforms.values(), ...finalUniforms.values(), ...callUniforms.values(), staging, readStaging]) b.destroy();
      owned.clear();
      device.destroy();
    },
  };
  function nEntry(n: number): GPUBindGroupEntry {
    return { binding: 0, resource: { buffer: nUniform(n) } };
  }
  function dotInto(x: WebgpuVector, y: WebgpuVector, slot: number): void {
    const g = reduceGroups(x.length);
    dispatch(
      P.dotPartial,
      [nEntry(x.length), { binding: 1, resource: { buffer: x.buffer } }, { binding: 2, resource: { buffer: y.buffer } }, { binding: 3, resource: { buffer: partial } }],
      g,
      `dot:${x.id}:${y.id}`,
    );
    reduceFinal(g, 1, slot, slot);
  }
  return k;
}

/**
 * A WebGPU f32 inner solver for {@link mixedPrecisionSolve}, or `null` when
 * there is no adapter.
 *
 * @param A SPD matrix (f64 CSR, N/mm), uploaded once as BSELL3 f32
 * @example
 * ```ts
 * const inner = await webgpuInnerSolver(K);
 * const sol = inner ? await mixedPrecisionSolve(K, f, inner, { tolerance: 1e-10 }) : pcg(csrOperator(K), f);
 * ```
 */
export async function webgpuInnerSolver(A: CsrMatrix, options: WebgpuOptions & { checkEvery?: number } = {}): Promise<(InnerSolver & { kernels: WebgpuKernels }) | null> {
  const k = await createWebgpuKernels(options);
  if (!k) return null;
  return deviceInnerSolver(k, A, options.checkEvery ?? 16) as unknown as InnerSolver & { kernels: WebgpuKernels };
}
