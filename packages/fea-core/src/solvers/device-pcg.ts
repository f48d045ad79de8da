/**
 * Jacobi-PCG with the whole iteration on a device: vectors stay resident,
 * the scalars α, β, rᵀz, pᵀAp live in device memory, and the host reads back
 * only a handful of scalars every `checkEvery` iterations.
 *
 * Why not the {@link Backend} interface: its `dot` returns a number
 * synchronously, which forces a device→host round trip (and on WebGPU an
 * `await`) every iteration, twice. {@link DeviceKernels} instead names the
 * fused PCG steps with device-resident scalars, so a GPU can queue
 * `checkEvery` iterations back to back (one submission on WebGPU) and the
 * loop below is written once for every device.
 *
 * Iteration (Saad, Alg. 9.1) as the device runs it, scalars in slots:
 * ```
 * q ← A·p;  pq ← pᵀq                                   (spmvDot)
 * α ← rz/pq (0 when pq ≤ 0: the iteration freezes, the host sees pq ≤ 0)
 * x ← x + α·p;  r ← r − α·q                            (updateSolution)
 * z ← D⁻¹∘r;  rzNew ← rᵀz;  rr ← rᵀr                   (jacobiDots)
 * β ← rzNew/rz (0 when rz = 0);  p ← z + β·p;  rz ← rzNew   (updateDirection)
 * ```
 * With a general device preconditioner M (e.g. the AMG V-cycle of
 * `deviceAmgVcycle`) the third line becomes `z ← M⁻¹r` (queued
 * `apply(r, z)`), then `rzNew ← rᵀz; rr ← rᵀr` (`dots`), so nothing but
 * the scalar checks leaves the device either way.
 */
import { DimensionMismatchError } from '../errors.js';
import type { CsrMatrix, StopReason } from '../linalg/types.js';
import type { InnerSolveOptions, InnerSolveResult, InnerSolver } from './mixed-precision.js';
import { inverseDiagonalF32 } from './mixed-precision.js';

// The class lives with the other errors; re-exported here for the backends that import it from this module.
export { DeviceFailureError } from '../errors.js';

/** A vector in device memory. */
export interface DeviceVector {
  readonly length: number;
}

/** A sparse matrix in device memory (format chosen by the device). */
export interface DeviceMatrix {
  readonly rows: number;
  readonly cols: number;
}

/** The scalars a device PCG reads back at a check. */
export interface PcgScalars {
  /** rᵀr of the current residual. */
  rr: number;
  /** rᵀD⁻¹r (after the last direction update). */
  rz: number;
  /** pᵀA·p of the last iteration (1 before the first). */
  pq: number;
}

/**
 * Kernels a device PCG needs. Vector arguments are device handles; "slots"
 * are device-resident scalars (see the module comment for their meaning).
 * Everything except `read`/`readScalars` may be queued asynchronously.
 */
export interface DeviceKernels<V extends DeviceVector = DeviceVector, M extends DeviceMatrix = DeviceMatrix> {
  /** Short name, e.g. `webgpu`, `gpujs:cpu`, `reference-f32`. */
  readonly name: string;
  /** Storage precision of vectors and matrix values. */
  readonly precision: 'f32' | 'f64';
  /** New zero vector of length n. */
  alloc(n: number): V;
  /** Copies host data into `dst` (rounded to the device precision). */
  write(host: Float32Array | Float64Array, dst: V): void;
  /** `v ← value` in every entry. */
  fill(v: V, value: number): void;
  /** Copies a device vector to the host. */
  read(v: V): Promise<Float32Array | Float64Array>;
  /** Moves a CSR matrix to the device. */
  uploadMatrix(A: CsrMatrix): M;
  /** `y ← A·x`. */
  spmv(A: M, x: V, y: V): void;
  /** Reduction `xᵀy`, read back (a sync point: for tests and setup, not inside the loop). */
  dot(x: V, y: V): Promise<number>;
  /** `y ← y + α·x` with a host α. */
  axpy(alpha: number, x: V, y: V): void;
  /** `y ← x + β·y` with a host β. */
  xpby(x: V, beta: number, y: V): void;
  /** Resets the PCG scalar slots: rz ← 0, pq ← 1, rr ← 0. */
  resetScalars(): void;
  /** `q ← A·p;  pq ← pᵀq`. */
  spmvDot(A: M, p: V, q: V): void;
  /** `α ← rz/pq` (0 if pq ≤ 0 or not finite);  `x ← x + α·p;  r ← r − α·q`. */
  updateSolution(x: V, r: V, p: V, q: V): void;
  /** `z ← invD∘r;  rzNew ← rᵀz;  rr ← rᵀr`. */
  jacobiDots(invD: V, r: V, z: V): void;
  /** `β ← rzNew/rz` (0 if rz = 0);  `p ← z + β·p;  rz ← rzNew`. */
  updateDirection(z: V, p: V): void;
  /**
   * `y ← α·A·x + β·y` with host α, β. A may be rectangular (x has `A.cols`
   * entries, y `A.rows`: prolongation and restriction); β = 0 means y is
   * not read (so stale NaN in y cannot leak). x and y must differ.
   */
  spmvUpdate(A: M, x: V, y: V, alpha: number, beta: number): void;
  /** `y ← x`. */
  copy(x: V, y: V): void;
  /** `z ← a∘b` (element-wise product); z must differ from a and b. */
  multiply(a: V, b: V, z: V): void;
  /**
   * The fused smoothing step of the AMG V-cycle, host coefficients:
   * `d ← c1·d + c2·(invD∘r);  x ← xScale·x + d`. c1 = 0 means d is not
   * read, xScale = 0 that x is not read. invD, r, d, x must be four
   * different vectors of one length.
   */
  smoothStep(invD: V, r: V, d: V, x: V, c1: number, c2: number, xScale: number): void;
  /** `rzNew ← rᵀz;  rr ← rᵀr` (z is not written: the dots after a general preconditioner). */
  dots(r: V, z: V): void;
  /** Waits for the queued work and reads the scalar slots. */
  readScalars(): Promise<PcgScalars>;
  /** Frees a vector. */
  free?(v: V): void;
  /** Releases all device resources. */
  dispose(): void;
}

/**
 * A preconditioner that runs on a device: `apply(r, z)` queues `z ≈ M⁻¹·r`
 * (no read-back, no host work per call) on the same {@link DeviceKernels}
 * as the PCG. It must be a symmetric positive definite operator for PCG.
 */
export interface DevicePreconditioner<V extends DeviceVector = DeviceVector> {
  /** Short description, e.g. `AMG V-cycle (4 levels, chebyshev degree 2)`. */
  readonly name: string;
  /** Length of r and z. */
  readonly size: number;
  /** Queues `z ← M⁻¹·r`; r is not modified, r and z differ. */
  apply(r: V, z: V): void;
  /** Releases the preconditioner's device data (not the kernels). */
  dispose?(): void;
}

function isPreconditioner<V extends DeviceVector>(p: V | DevicePreconditioner<V>): p is DevicePreconditioner<V> {
  return typeof (p as DevicePreconditioner<V>).apply === 'function';
}

/** Options of {@link devicePcg}. */
export interface DevicePcgOptions extends InnerSolveOptions {
  /** Iterations queued between scalar readbacks (k). Default 16. */
  checkEvery?: number;
}

/**
 * Runs PCG on a device from a zero initial guess; stops on the recursive
 * residual `‖r‖/‖b‖ ≤ tolerance`, checked every `checkEvery` iterations (so
 * up to k − 1 iterations may run past convergence; they only refine x
 * further). The preconditioner is either an inverse diagonal (Jacobi, fused
 * into `jacobiDots`) or a {@link DevicePreconditioner} (`apply` then `dots`).
 *
 * @param k the device kernels
 * @param A device matrix (N/mm), square
 * @param preconditioner device inverse diagonal (mm/N), or a device preconditioner of size n
 * @param b right-hand side (host, f32 or f64), length n
 * @throws DimensionMismatchError when A is not square or b / the preconditioner do not have A's size
 * @example
 * ```ts
 * const k = referenceDeviceKernels('f32');
 * const A = k.uploadMatrix(K);
 * const invD = k.alloc(K.rows); k.write(inverseDiagonalF32(K), invD);
 * const { d, iterations } = await devicePcg(k, A, invD, r, { tolerance: 1e-4, maxIterations: 5000 });
 * // or with the AMG V-cycle: await devicePcg(k, A, deviceAmgVcycle(k, amg), r, options)
 * ```
 */
export async function devicePcg<V extends DeviceVector, M extends DeviceMatrix>(
  k: DeviceKernels<V, M>,
  A: M,
  preconditioner: V | DevicePreconditioner<V>,
  b: Float32Array | Float64Array,
  options: DevicePcgOptions,
  work?: DevicePcgWork<V>,
): Promise<InnerSolveResult & { checks: number }> {
  const n = A.rows;
  const general = isPreconditioner(preconditioner);
  const pSize = general ? preconditioner.size : preconditioner.length;
  if (A.cols !== n || b.length !== n || pSize !== n) {
    throw new DimensionMismatchError(
      `devicePcg: matrix ${n}×${A.cols}, b ${b.length}, ${general ? `preconditioner ${preconditioner.name} of size` : 'inverse diagonal'} ${pSize}`,
    );
  }
  if (work && [work.x, work.r, work.z, work.p, work.q].some((v) => v.length !== n)) {
    throw new DimensionMismatchError(`devicePcg: work vectors are not all of length ${n}`);
  }
  // z ← M⁻¹r; rzNew ← rᵀz; rr ← rᵀr
  const precondition = general
    ? (r: V, z: V) => {
        preconditioner.apply(r, z);
        k.dots(r, z);
      }
    : (r: V, z: V) => k.jacobiDots(preconditioner, r, z);
  const checkEvery = Math.max(1, Math.floor(options.checkEvery ?? 16));
  let bb = 0;
  for (let i = 0; i < n; i++) bb += b[i] * b[i];
  if (bb === 0) return { d: new Float32Array(n), iterations: 0, relativeResidual: 0, reason: 'zero-rhs', checks: 0 };
  const w = work ?? devicePcgWork(k, n);
  const { x, r, z, p, q } = w;
  // x ← 0, r ← b, p ← 0; then z ← M⁻¹r, p ← z (β = 0 since rz = 0), rz ← rᵀz
  k.write(b, r);
  k.fill(x, 0);
  k.fill(p, 0);
  k.resetScalars();
  precondition(r, z);
  k.updateDirection(z, p);
  const tol2 = options.tolerance * options.tolerance * bb;
  let it = 0;
  let checks = 0;
  let reason: StopReason;
  let rr = bb;
  while (true) {
    const s = await k.readScalars();
    checks++;
    rr = s.rr;
    if (!Number.isFinite(s.rr) || !Number.isFinite(s.rz) || !Number.isFinite(s.pq)) {
      reason = 'non-finite';
      break;
    }
    if (s.rr <= tol2) {
      reason = 'converged';
      break;
    }
    if (it > 0 && s.pq <= 0) {
      reason = 'breakdown';
      break;
    }
    if (s.rz <= 0) {
      reason = 'breakdown';
      break;
    }
    if (it >= options.maxIterations) {
      reason = 'max-iterations';
      break;
    }
    const steps = Math.min(checkEvery, options.maxIterations - it);
    for (let j = 0; j < steps; j++) {
      k.spmvDot(A, p, q);
      k.updateSolution(x, r, p, q);
      precondition(r, z);
      k.updateDirection(z, p);
    }
    it += steps;
  }
  const xs = await k.read(x);
  const d = xs instanceof Float32Array ? xs : Float32Array.from(xs);
  if (!work) for (const v of [x, r, z, p, q]) k.free?.(v);
  return { d, iterations: it, relativeResidual: Math.sqrt(Math.max(0, rr) / bb), reason, checks };
}

/** Work vectors of {@link devicePcg}, reusable across solves of one size. */
export interface DevicePcgWork<V> {
  x: V;
  r: V;
  z: V;
  p: V;
  q: V;
}

/**
 * Allocates the five work vectors of {@link devicePcg}.
 *
 * @example
 * ```ts
 * const work = devicePcgWork(k, n);
 * ```
 */
export function devicePcgWork<V extends DeviceVector>(k: DeviceKernels<V>, n: number): DevicePcgWork<V> {
  return { x: k.alloc(n), r: k.alloc(n), z: k.alloc(n), p: k.alloc(n), q: k.alloc(n) };
}

/**
 * An {@link InnerSolver} running {@link devicePcg} on a device: matrix and
 * inverse diagonal uploaded once, work vectors reused for every refinement
 * step.
 *
 * @param k device kernels (WebGPU, gpu.js, reference)
 * @param A SPD matrix (f64 CSR, N/mm)
 * @param checkEvery iterations between scalar readbacks (default 16)
 * @example
 * ```ts
 * const inner = deviceInnerSolver(referenceDeviceKernels('f32'), K);
 * const sol = await mixedPrecisionSolve(K, f, inner, { tolerance: 1e-10 });
 * ```
 */
export function deviceInnerSolver<V extends DeviceVector, M extends DeviceMatrix>(
  k: DeviceKernels<V, M>,
  A: CsrMatrix,
  checkEvery = 16,
): InnerSolver & { readonly kernels: DeviceKernels<V, M>; readonly checks: number } {
  const M = k.uploadMatrix(A);
  const invD = k.alloc(A.rows);
  k.write(inverseDiagonalF32(A), invD);
  const work = devicePcgWork(k, A.rows);
  let checks = 0;
  return {
    name: k.name,
    size: A.rows,
    kernels: k,
    get checks() {
      return checks;
    },
    async solve(r, options) {
      const res = await devicePcg(k, M, invD, r, { ...options, checkEvery }, work);
      checks += res.checks;
      return res;
    },
    dispose: () => k.dispose(),
  };
}

/** A host-memory vector of the reference kernels. */
export interface ReferenceVector extends DeviceVector {
  readonly data: Float32Array | Float64Array;
}

/** The reference kernels' matrix: CSR with values in the chosen precision. */
export interface ReferenceMatrix extends DeviceMatrix {
  readonly rowPtr: Uint32Array;
  readonly colIdx: Uint32Array;
  readonly values: Float32Array | Float64Array;
}

/**
 * {@link DeviceKernels} on the CPU with plain loops, in f32 or f64 storage:
 * the reference every device implementation is checked against (f32), and a
 * check of the device PCG loop itself (f64).
 *
 * @param precision storage precision of vectors and matrix values
 * @example
 * ```ts
 * const k = referenceDeviceKernels('f32');
 * ```
 */
export function referenceDeviceKernels(precision: 'f32' | 'f64'): DeviceKernels<ReferenceVector, ReferenceMatrix> {
  const Arr = precision === 'f32' ? Float32Array : Float64Array;
  const round = precision === 'f32' ? Math.fround : (v: number) => v;
  // slots: rz, pq, rzNew, rr
  const s = { rz: 0, pq: 1, rzNew: 0, rr: 0 };
  const same = (a: DeviceVector, b: DeviceVector, what: string) => {
    if (a.length !== b.length) throw new DimensionMismatchError(`${what}: vector lengths ${a.length} and ${b.length} differ`);
  };
  const dotv = (x: ReferenceVector, y: ReferenceVector) => {
    let t = 0;
    for (let i = 0; i < x.length; i++) t += x.data[i] * y.data[i];
    return round(t);
  };
  const spmv = (A: ReferenceMatrix, x: ReferenceVector, y: ReferenceVector) => {
    if (x.length !== A.cols || y.length !== A.rows) throw new DimensionMismatchError(`spmv: matrix ${A.rows}×${A.cols}, x ${x.length}, y ${y.length}`);
    const { rowPtr, colIdx, values } = A;
    for (let i = 0; i < A.rows; i++) {
      let t = 0;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) t += values[p] * x.data[colIdx[p]];
      y.data[i] = t;
    }
  };
  return {
    name: `reference-${precision}`,
    precision,
    alloc: (n) => ({ length: n, data: new Arr(n) }),
    write(host, dst) {
      same(dst, host, 'write');
      dst.data.set(host);
    },
    fill: (v, value) => void v.data.fill(value),
    read: async (v) => v.data.slice(),
    uploadMatrix: (A) => ({ rows: A.rows, cols: A.cols, rowPtr: A.rowPtr, colIdx: A.colIdx, values: Arr.from(A.values) }),
    spmv,
    dot: async (x, y) => {
      same(x, y, 'dot');
      return dotv(x, y);
    },
    axpy(alpha, x, y) {
      same(x, y, 'axpy');
      const a = round(alpha);
      for (let i = 0; i < x.length; i++) y.data[i] += a * x.data[i];
    },
    xpby(x, beta, y) {
      same(x, y, 'xpby');
      const bt = round(beta);
      for (let i = 0; i < x.length; i++) y.data[i] = x.data[i] + bt * y.data[i];
    },
    resetScalars() {
      s.rz = 0;
      s.pq = 1;
      s.rzNew = 0;
      s.rr = 0;
    },
    spmvDot(A, p, q) {
      spmv(A, p, q);
      s.pq = dotv(p, q);
    },
    updateSolution(x, r, p, q) {
      const alpha = s.pq > 0 && Number.isFinite(s.pq) ? round(s.rz / s.pq) : 0;
      for (let i = 0; i < x.length; i++) {
        x.data[i] += alpha * p.data[i];
        r.data[i] -= alpha * q.data[i];
      }
    },
    jacobiDots(invD, r, z) {
      let rz = 0;
      let rr = 0;
      for (let i = 0; i < r.length; i++) {
        const ri = r.data[i];
        z.data[i] = invD.data[i] * ri;
        rz += ri * z.data[i];
        rr += ri * ri;
      }
      s.rzNew = round(rz);
      s.rr = round(rr);
    },
    updateDirection(z, p) {
      const beta = s.rz !== 0 ? round(s.rzNew / s.rz) : 0;
      for (let i = 0; i < p.length; i++) p.data[i] = z.data[i] + beta * p.data[i];
      s.rz = s.rzNew;
    },
    spmvUpdate(A, x, y, alpha, beta) {
      if (x.length !== A.cols || y.length !== A.rows) throw new DimensionMismatchError(`spmvUpdate: matrix ${A.rows}×${A.cols}, x ${x.length}, y ${y.length}`);
      if (x === y) throw new DimensionMismatchError('spmvUpdate: x and y must be different vectors');
      const { rowPtr, colIdx, values } = A;
      const a = round(alpha);
      const bt = round(beta);
      for (let i = 0; i < A.rows; i++) {
        let t = 0;
        for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) t += values[p] * x.data[colIdx[p]];
        // y ← α·(A·x) + β·y; β = 0: y not read
        y.data[i] = bt === 0 ? a * round(t) : a * round(t) + bt * y.data[i];
      }
    },
    copy(x, y) {
      same(x, y, 'copy');
      y.data.set(x.data);
    },
    multiply(a, b, z) {
      same(a, b, 'multiply');
      same(a, z, 'multiply');
      if (z === a || z === b) throw new DimensionMismatchError('multiply: z must be a different vector from a and b');
      for (let i = 0; i < z.length; i++) z.data[i] = a.data[i] * b.data[i];
    },
    smoothStep(invD, r, d, x, c1, c2, xScale) {
      for (const v of [r, d, x]) same(invD, v, 'smoothStep');
      if (new Set([invD, r, d, x]).size !== 4) throw new DimensionMismatchError('smoothStep: invD, r, d and x must be four different vectors');
      const a = round(c1);
      const c = round(c2);
      const xs = round(xScale);
      for (let i = 0; i < d.length; i++) {
        // d ← c1·d + c2·(invD∘r); x ← xScale·x + d (c1 = 0 / xScale = 0: not read)
        const z = c * round(invD.data[i] * r.data[i]);
        d.data[i] = a === 0 ? z : a * d.data[i] + z;
        x.data[i] = xs === 0 ? d.data[i] : xs * x.data[i] + d.data[i];
      }
    },
    dots(r, z) {
      same(r, z, 'dots');
      let rz = 0;
      let rr = 0;
      for (let i = 0; i < r.length; i++) {
        rz += r.data[i] * z.data[i];
        rr += r.data[i] * r.data[i];
      }
      s.rzNew = round(rz);
      s.rr = round(rr);
    },
    readScalars: async () => ({ rr: s.rr, rz: s.rz, pq: s.pq }),
    dispose() {},
  };
}
