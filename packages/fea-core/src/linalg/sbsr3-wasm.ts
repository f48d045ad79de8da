/**
 * The symmetric 3×3-block SpMV (`Sbsr3Matrix`) as a WebAssembly SIMD kernel
 * (f64x2; hand-written WAT in `packages/fea-core/wasm/sbsr3-simd.wat`,
 * assembled by `node packages/fea-core/wasm/build.mjs`), with the JS kernel
 * as fallback where WebAssembly SIMD is missing.
 *
 * The matrix is copied once into the module's linear memory (its own
 * instance per matrix, memory grown to fit; 32-bit addressing caps one
 * matrix at ≈ 4 GiB, ≈ 11 M DOF); each product copies x in and y out
 * (2 vectors against the matrix's ≈ 80 bytes per block). SpMV is memory
 * bound: the SIMD kernel wins by retiring the 36 multiply-adds of a block
 * pair in 12 f64x2 operations and 6 scalar ones, so the loads overlap the
 * arithmetic instead of waiting behind it.
 */
import { DimensionMismatchError } from '../errors.js';
import { sbsr3Spmv, type Sbsr3Matrix } from './bsr3.js';
import type { FusedLinearOperator } from './csr.js';
import { SBSR3_SIMD_WASM_BASE64 } from './sbsr3-simd.wasm.js';

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly or its SIMD proposal is unavailable. */
function simdModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (typeof WebAssembly !== 'object' || globalThis.process?.env?.SPINEFEA_NO_WASM_SIMD === '1') return compiled;
  const bytes = Uint8Array.from(atob(SBSR3_SIMD_WASM_BASE64), (c) => c.charCodeAt(0));
  // validate() is false when the engine lacks SIMD (or bulk memory): fall back to JS
  if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
  return compiled;
}

/**
 * Whether the WebAssembly SIMD kernel runs here (Node ≥ 16.4, current
 * browsers). Set `SPINEFEA_NO_WASM_SIMD=1` to force the JS kernel.
 *
 * @example
 * ```ts
 * console.log(wasmSimdAvailable() ? 'wasm simd' : 'js');
 * ```
 */
export function wasmSimdAvailable(): boolean {
  return simdModule() !== null;
}

interface SimdExports {
  memory: WebAssembly.Memory;
  sbsr3Spmv(rp: number, ci: number, v: number, d: number, x: number, y: number, nb: number): number;
}

/** A symmetric-block SpMV bound to one matrix: `y ← A·x`, returns `xᵀ·y`. */
export interface Sbsr3Kernel {
  /** 'wasm-simd' or 'js' (fallback). */
  readonly kind: 'wasm-simd' | 'js';
  /** Rows (3 per block row). */
  readonly size: number;
  /** `y ← A·x`, returns `xᵀ·y`; x and y of length `size`, must not alias. */
  spmv(x: Float64Array, y: Float64Array): number;
}

/**
 * Binds a symmetric BSR3 matrix to the fastest SpMV available: the
 * WebAssembly SIMD kernel (matrix copied into the module's memory once) or,
 * without SIMD support, the JS `sbsr3Spmv`.
 *
 * @param A symmetric BSR3 matrix (N/mm)
 * @param options `kind: 'js'` forces the JS kernel
 * @example
 * ```ts
 * const k = sbsr3Kernel(sbsr3FromCsr(K));
 * const uKu = k.spmv(u, f); // f = K·u (N)
 * ```
 */
export function sbsr3Kernel(A: Sbsr3Matrix, options: { kind?: 'wasm-simd' | 'js' } = {}): Sbsr3Kernel {
  const n = 3 * A.blockRows;
  const mod = options.kind === 'js' ? null : simdModule();
  if (!mod) return { kind: 'js', size: n, spmv: (x, y) => sbsr3Spmv(A, x, y) };
  const nb = A.blockRows;
  const nnzb = A.rowPtr[nb];
  // layout (16-byte aligned): rowPtr | colIdx | values | diag | x | y
  const align = (b: number) => (b + 15) & ~15;
  const offRp = 16;
  const offCi = align(offRp + 4 * (nb + 1));
  const offV = align(offCi + 4 * nnzb);
  const offD = align(offV + 72 * nnzb);
  const offX = align(offD + 72 * nb);
  const offY = align(offX + 8 * n);
  const bytes = offY + 8 * n + 16;
  if (bytes > 2 ** 32 - 65536) throw new DimensionMismatchError(`sbsr3Kernel: the matrix needs ${bytes} bytes, over WebAssembly's 4 GiB`);
  const ex = new WebAssembly.Instance(mod, {}).exports as unknown as SimdExports;
  // the module exports its own memory: grow it to fit, then copy the matrix in
  const have = ex.memory.buffer.byteLength;
  if (have < bytes) ex.memory.grow(Math.ceil((bytes - have) / 65536));
  const buf = ex.memory.buffer;
  new Uint32Array(buf, offRp, nb + 1).set(A.rowPtr.subarray(0, nb + 1));
  new Uint32Array(buf, offCi, nnzb).set(A.colIdx.subarray(0, nnzb));
  new Float64Array(buf, offV, 9 * nnzb).set(A.values.subarray(0, 9 * nnzb));
  new Float64Array(buf, offD, 9 * nb).set(A.diag.subarray(0, 9 * nb));
  const xv = new Float64Array(buf, offX, n);
  const yv = new Float64Array(buf, offY, n);
  return {
    kind: 'wasm-simd',
    size: n,
    spmv(x, y) {
      xv.set(x.length === n ? x : x.subarray(0, n));
      const dot = ex.sbsr3Spmv(offRp, offCi, offV, offD, offX, offY, nb);
      y.set(yv);
      return dot;
    },
  };
}

/**
 * Symmetric BSR3 SpMV as a {@link FusedLinearOperator} on the fastest
 * kernel available (see {@link sbsr3Kernel}).
 *
 * @example
 * ```ts
 * const sol = pcg(simdSbsr3Operator(sbsr3FromCsr(K)), f, { preconditioner: m });
 * ```
 */
export function simdSbsr3Operator(A: Sbsr3Matrix, options: { kind?: 'wasm-simd' | 'js' } = {}): FusedLinearOperator & { readonly kind: 'wasm-simd' | 'js' } {
  const k = sbsr3Kernel(A, options);
  const n = k.size;
  const check = (x: Float64Array, y: Float64Array) => {
    if (x.length !== n || y.length !== n) throw new DimensionMismatchError(`operator of size ${n} applied to vectors of length ${x.length} / ${y.length}`);
  };
  return {
    size: n,
    kind: k.kind,
    apply(x, y) {
      check(x, y);
      k.spmv(x, y);
    },
    applyDot(x, y) {
      check(x, y);
      return k.spmv(x, y);
    },
  };
}
