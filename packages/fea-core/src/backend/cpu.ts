/**
 * The CPU reference backend: Float64Array vectors, plain loops, and BSR3
 * SpMV for 3-DOF-per-node matrices (CSR otherwise).
 */
import { DimensionMismatchError } from '../errors.js';
import { bsr3FromCsr, bsr3RowsKernel, type Bsr3Matrix } from '../linalg/bsr3.js';
import { csrSpmv } from '../linalg/csr.js';
import type { CsrMatrix } from '../linalg/types.js';
import { axpy, dot, xpby } from '../linalg/vector.js';
import type { Backend, BackendMatrix, BackendVector } from './backend.js';

/** A CPU vector: the Float64Array itself. */
export interface CpuVector extends BackendVector {
  readonly data: Float64Array;
}

/** A CPU matrix: BSR3 when the dimensions are multiples of 3, else CSR. */
export interface CpuMatrix extends BackendMatrix {
  readonly csr?: CsrMatrix;
  readonly bsr3?: Bsr3Matrix;
}

function same(a: BackendVector, b: BackendVector, what: string): void {
  if (a.length !== b.length) throw new DimensionMismatchError(`${what}: vector lengths ${a.length} and ${b.length} differ`);
}

/**
 * Creates the CPU reference backend.
 *
 * @example
 * ```ts
 * const be = cpuBackend();
 * const A = be.uploadMatrix(K);
 * const x = be.upload(u);
 * const y = be.alloc(x.length);
 * be.spmv(A, x, y);
 * const f = be.download(y); // N
 * ```
 */
export function cpuBackend(): Backend<CpuVector, CpuMatrix> {
  const wrap = (data: Float64Array): CpuVector => ({ length: data.length, data });
  return {
    name: 'cpu',
    isReference: true,
    alloc: (n) => wrap(new Float64Array(n)),
    upload(host, dst) {
      if (dst) {
        same(dst, host, 'upload');
        dst.data.set(host);
        return dst;
      }
      return wrap(Float64Array.from(host));
    },
    download(v, out) {
      const o = out ?? new Float64Array(v.length);
      same(v, o, 'download');
      o.set(v.data);
      return o;
    },
    uploadMatrix(A) {
      if (A.rows % 3 === 0 && A.cols % 3 === 0) return { rows: A.rows, cols: A.cols, bsr3: bsr3FromCsr(A) };
      return { rows: A.rows, cols: A.cols, csr: A };
    },
    spmv(A, x, y) {
      if (x.length !== A.cols || y.length !== A.rows) {
        throw new DimensionMismatchError(`spmv: matrix ${A.rows}×${A.cols}, x ${x.length}, y ${y.length}`);
      }
      if (A.bsr3) bsr3RowsKernel(A.bsr3.rowPtr, A.bsr3.colIdx, A.bsr3.values, x.data, y.data, 0, A.bsr3.blockRows);
      else csrSpmv(A.csr!, x.data, y.data);
    },
    dot(x, y) {
      same(x, y, 'dot');
      return dot(x.data, y.data);
    },
    axpy(alpha, x, y) {
      same(x, y, 'axpy');
      axpy(alpha, x.data, y.data);
    },
    xpby(x, beta, y) {
      same(x, y, 'xpby');
      xpby(x.data, beta, y.data);
    },
    multiply(a, b, z) {
      same(a, b, 'multiply');
      same(a, z, 'multiply');
      const n = a.length;
      const ad = a.data;
      const bd = b.data;
      const zd = z.data;
      for (let i = 0; i < n; i++) zd[i] = ad[i] * bd[i];
    },
    copy(src, dst) {
      same(src, dst, 'copy');
      dst.data.set(src.data);
    },
    dispose() {},
  };
}
