/**
 * 3×3 block sparse row (BSR3) storage for 3-DOF-per-node elasticity matrices.
 *
 * An elasticity stiffness matrix couples all three DOFs of a node with all
 * three of each neighbour, so its nonzeros come in dense 3×3 blocks. BSR3
 * stores one column index per block instead of one per entry: index traffic
 * drops from 4 B to 0.44 B per nonzero (12 → 8.4 B per nonzero overall), and
 * the inner product reads x three contiguous entries at a time. The
 * symmetric variant ({@link Sbsr3Matrix}) keeps only the diagonal and upper
 * blocks, halving the matrix traffic again; SpMV is memory bound, so traffic
 * is time.
 */
import { DimensionMismatchError } from '../errors.js';
import { sortIndexRange, type FusedLinearOperator } from './csr.js';
import type { CsrMatrix } from './types.js';

/**
 * BSR matrix with 3×3 blocks.
 * - `blockRows`/`blockCols`: number of block rows/columns (nodes); scalar size is 3× that.
 * - `rowPtr`: length `blockRows + 1`, block row I holds blocks `rowPtr[I] .. rowPtr[I+1]-1`.
 * - `colIdx`: block column (node) of each block, ascending within a block row.
 * - `values`: 9 per block, row-major within the block (`values[9b + 3r + c]`), N/mm.
 */
export interface Bsr3Matrix {
  blockRows: number;
  blockCols: number;
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float64Array;
}

/**
 * Symmetric BSR3: the diagonal block of every block row (`diag`, 9 per node,
 * full) plus the strictly upper blocks (`J > I`) in BSR3 layout. Represents
 * `A = D + U + Uᵀ`.
 */
export interface Sbsr3Matrix {
  blockRows: number;
  /** Full diagonal blocks, 9 per node, row-major. */
  diag: Float64Array;
  /** Strictly upper blocks: `rowPtr` (blockRows + 1), `colIdx`, `values` (9 per block). */
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float64Array;
}

/** Options for the BSR3 constructors. */
export interface Bsr3Options {
  /** Allocate the arrays on a `SharedArrayBuffer` (needed by {@link parallelBsr3Operator}). */
  shared?: boolean;
}

function alloc<T extends Float64Array | Uint32Array>(
  ctor: { new (n: number): T; new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number },
  n: number,
  shared: boolean,
): T {
  return shared ? new ctor(new SharedArrayBuffer(n * ctor.BYTES_PER_ELEMENT), 0, n) : new ctor(n);
}

function checkCsr3(A: CsrMatrix, what: string): void {
  if (A.rows % 3 !== 0 || A.cols % 3 !== 0) {
    throw new DimensionMismatchError(`${what}: matrix is ${A.rows}×${A.cols}; both must be multiples of 3 (3 DOFs per node)`);
  }
}

/**
 * Converts CSR (DOF order `[u0x,u0y,u0z,u1x,…]`) to BSR3. Every 3×3 block
 * with at least one stored entry becomes a full block (missing entries 0).
 *
 * @throws DimensionMismatchError when a dimension is not a multiple of 3
 * @example
 * ```ts
 * const K3 = bsr3FromCsr(K);
 * const op = bsr3Operator(K3);
 * ```
 */
export function bsr3FromCsr(A: CsrMatrix, options: Bsr3Options = {}): Bsr3Matrix {
  checkCsr3(A, 'bsr3FromCsr');
  const { rowPtr, colIdx, values } = buildBlocks(A, options.shared ?? false, null);
  return { blockRows: A.rows / 3, blockCols: A.cols / 3, rowPtr, colIdx, values };
}

/**
 * Shared CSR → block conversion. With `diag === null` every block is kept;
 * otherwise (symmetric mode) blocks left of the diagonal are skipped, the
 * diagonal block goes to `diag` and only `J > I` blocks are stored.
 */
function buildBlocks(
  A: CsrMatrix,
  shared: boolean,
  diag: Float64Array | null,
): { rowPtr: Uint32Array; colIdx: Uint32Array; values: Float64Array } {
  const nb = A.rows / 3;
  const mb = A.cols / 3;
  const upper = diag !== null;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const va = A.values;
  const marker = new Int32Array(mb).fill(-1);
  const rowPtr = alloc(Uint32Array, nb + 1, shared);
  // Columns are sorted within a row, so in symmetric mode a row's scan starts at its
  // first column ≥ 3I (binary search) and the lower blocks are never visited.
  const firstUpper = (i: number, I: number): number => {
    let lo = rp[i];
    let hi = rp[i + 1];
    if (!upper) return lo;
    const c0 = 3 * I;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ci[mid] < c0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // symbolic: count distinct block columns per block row
  let nnzb = 0;
  for (let I = 0; I < nb; I++) {
    for (let i = 3 * I; i < 3 * I + 3; i++) {
      const e = rp[i + 1];
      for (let p = firstUpper(i, I); p < e; p++) {
        const J = (ci[p] / 3) | 0;
        if (upper && J === I) continue;
        if (marker[J] !== I) {
          marker[J] = I;
          nnzb++;
        }
      }
    }
    rowPtr[I + 1] = nnzb;
  }
  const colIdx = alloc(Uint32Array, nnzb, shared);
  const values = alloc(Float64Array, 9 * nnzb, shared);
  // numeric: the three scalar rows of a block row interleave block columns,
  // so collect the block columns, sort them, then scatter the values
  marker.fill(-1);
  const slot = new Int32Array(mb); // position of block column J in the current block row
  for (let I = 0; I < nb; I++) {
    const start = rowPtr[I];
    let q = start;
    for (let i = 3 * I; i < 3 * I + 3; i++) {
      const e = rp[i + 1];
      for (let p = firstUpper(i, I); p < e; p++) {
        const J = (ci[p] / 3) | 0;
        if (upper && J === I) continue;
        if (marker[J] !== I) {
          marker[J] = I;
          colIdx[q++] = J;
        }
      }
    }
    sortIndexRange(colIdx, start, q);
    for (let b = start; b < q; b++) slot[colIdx[b]] = b;
    for (let i = 3 * I, r = 0; r < 3; i++, r++) {
      const e = rp[i + 1];
      for (let p = firstUpper(i, I); p < e; p++) {
        const j = ci[p];
        const J = (j / 3) | 0;
        const c = j - 3 * J;
        if (upper && J === I) diag![9 * I + 3 * r + c] = va[p];
        else values[9 * slot[J] + 3 * r + c] = va[p];
      }
    }
  }
  return { rowPtr, colIdx, values };
}

/**
 * Symmetric BSR3 from a square CSR matrix that is symmetric: keeps the
 * diagonal blocks and the blocks above the diagonal (the lower triangle is
 * not read, so a non-symmetric input silently becomes `D + U + Uᵀ`; check
 * with `csrIsSymmetric` first if unsure).
 *
 * @throws DimensionMismatchError when not square or not a multiple of 3
 * @example
 * ```ts
 * const op = sbsr3Operator(sbsr3FromCsr(K)); // half the memory traffic of BSR3
 * ```
 */
export function sbsr3FromCsr(A: CsrMatrix, options: Bsr3Options = {}): Sbsr3Matrix {
  checkCsr3(A, 'sbsr3FromCsr');
  if (A.rows !== A.cols) throw new DimensionMismatchError(`sbsr3FromCsr: matrix is ${A.rows}×${A.cols}, not square`);
  const shared = options.shared ?? false;
  const nb = A.rows / 3;
  const diag = alloc(Float64Array, 9 * nb, shared);
  const { rowPtr, colIdx, values } = buildBlocks(A, shared, diag);
  return { blockRows: nb, diag, rowPtr, colIdx, values };
}

/**
 * BSR3 SpMV kernel over block rows `[I0, I1)`: `y_I ← Σ_J A_IJ·x_J`; returns
 * `Σ x_i·y_i` over those rows. Self-contained (no closures, no imports) so
 * that the worker pool can ship its source text to worker threads.
  *
 * @example
 * ```ts
 * const dot = bsr3RowsKernel(K3.rowPtr, K3.colIdx, K3.values, u, f, 0, K3.blockRows);
 * ```
 */
export function bsr3RowsKernel(
  rowPtr: Uint32Array,
  colIdx: Uint32Array,
  v: Float64Array,
  x: Float64Array,
  y: Float64Array,
  I0: number,
  I1: number,
): number {
  let dot = 0;
  let b = rowPtr[I0];
  for (let I = I0; I < I1; I++) {
    const end = rowPtr[I + 1];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (; b < end; b++) {
      const j = 3 * colIdx[b];
      const o = 9 * b;
      const x0 = x[j];
      const x1 = x[j + 1];
      const x2 = x[j + 2];
      // y_I += A_IJ · x_J (3×3 block, row-major)
      s0 += v[o] * x0 + v[o + 1] * x1 + v[o + 2] * x2;
      s1 += v[o + 3] * x0 + v[o + 4] * x1 + v[o + 5] * x2;
      s2 += v[o + 6] * x0 + v[o + 7] * x1 + v[o + 8] * x2;
    }
    const i = 3 * I;
    y[i] = s0;
    y[i + 1] = s1;
    y[i + 2] = s2;
    dot += x[i] * s0 + x[i + 1] * s1 + x[i + 2] * s2;
  }
  return dot;
}

/**
 * Symmetric BSR3 kernel over block rows `[I0, I1)`, ACCUMULATING into `acc`
 * (which the caller zeroes): `acc_I += D_I·x_I + Σ_J U_IJ·x_J` and, for each
 * upper block, `acc_J += U_IJᵀ·x_I`. Writes only `acc[3·I0 ..]`.
 * Self-contained so the worker pool can ship its source text.
  *
 * @example
 * ```ts
 * f.fill(0);
 * sbsr3RowsKernel(S.rowPtr, S.colIdx, S.values, S.diag, u, f, 0, S.blockRows);
 * ```
 */
export function sbsr3RowsKernel(
  rowPtr: Uint32Array,
  colIdx: Uint32Array,
  v: Float64Array,
  d: Float64Array,
  x: Float64Array,
  acc: Float64Array,
  I0: number,
  I1: number,
): void {
  let b = rowPtr[I0];
  for (let I = I0; I < I1; I++) {
    const i = 3 * I;
    const xi0 = x[i];
    const xi1 = x[i + 1];
    const xi2 = x[i + 2];
    const od = 9 * I;
    // diagonal block D_I·x_I
    let s0 = d[od] * xi0 + d[od + 1] * xi1 + d[od + 2] * xi2;
    let s1 = d[od + 3] * xi0 + d[od + 4] * xi1 + d[od + 5] * xi2;
    let s2 = d[od + 6] * xi0 + d[od + 7] * xi1 + d[od + 8] * xi2;
    const end = rowPtr[I + 1];
    for (; b < end; b++) {
      const j = 3 * colIdx[b];
      const o = 9 * b;
      const v0 = v[o];
      const v1 = v[o + 1];
      const v2 = v[o + 2];
      const v3 = v[o + 3];
      const v4 = v[o + 4];
      const v5 = v[o + 5];
      const v6 = v[o + 6];
      const v7 = v[o + 7];
      const v8 = v[o + 8];
      const x0 = x[j];
      const x1 = x[j + 1];
      const x2 = x[j + 2];
      s0 += v0 * x0 + v1 * x1 + v2 * x2; // y_I += U_IJ·x_J
      s1 += v3 * x0 + v4 * x1 + v5 * x2;
      s2 += v6 * x0 + v7 * x1 + v8 * x2;
      acc[j] += v0 * xi0 + v3 * xi1 + v6 * xi2; // y_J += U_IJᵀ·x_I
      acc[j + 1] += v1 * xi0 + v4 * xi1 + v7 * xi2;
      acc[j + 2] += v2 * xi0 + v5 * xi1 + v8 * xi2;
    }
    acc[i] += s0;
    acc[i + 1] += s1;
    acc[i + 2] += s2;
  }
}

/** `y ← A·x` for BSR3 over block rows `[I0, I1)`; returns `Σ x_i·y_i` over those rows.
 *
 * @example
 * ```ts
 * bsr3SpmvRows(K3, u, f, 0, K3.blockRows); // same as bsr3Spmv
 * ```
 */
export function bsr3SpmvRows(A: Bsr3Matrix, x: Float64Array, y: Float64Array, I0: number, I1: number): number {
  return bsr3RowsKernel(A.rowPtr, A.colIdx, A.values, x, y, I0, I1);
}

/**
 * `y ← A·x` for a BSR3 matrix.
 *
 * @param x length `3·blockCols`
 * @param y length `3·blockRows`, must not alias x
 * @example
 * ```ts
 * bsr3Spmv(K3, u, f); // f = K·u (N)
 * ```
 */
export function bsr3Spmv(A: Bsr3Matrix, x: Float64Array, y: Float64Array): void {
  if (x.length < 3 * A.blockCols || y.length < 3 * A.blockRows) {
    throw new DimensionMismatchError(
      `bsr3Spmv: A is ${3 * A.blockRows}×${3 * A.blockCols}, x has ${x.length} entries, y has ${y.length}`,
    );
  }
  bsr3SpmvRows(A, x, y, 0, A.blockRows);
}

function checkSquare(n: number, x: Float64Array, y: Float64Array): void {
  if (x.length !== n || y.length !== n) {
    throw new DimensionMismatchError(`operator of size ${n} applied to vectors of length ${x.length} / ${y.length}`);
  }
}

/**
 * BSR3 SpMV as a {@link LinearOperator} (with the fused `xᵀ·A·x` of {@link FusedLinearOperator}).
 *
 * @throws DimensionMismatchError if not square
 * @example
 * ```ts
 * const sol = pcg(bsr3Operator(bsr3FromCsr(K)), f, { preconditioner: jacobiPreconditioner(K) });
 * ```
 */
export function bsr3Operator(A: Bsr3Matrix): FusedLinearOperator {
  if (A.blockRows !== A.blockCols) {
    throw new DimensionMismatchError(`bsr3Operator: matrix has ${A.blockRows}×${A.blockCols} blocks, not square`);
  }
  const n = 3 * A.blockRows;
  return {
    size: n,
    apply(x, y) {
      checkSquare(n, x, y);
      bsr3SpmvRows(A, x, y, 0, A.blockRows);
    },
    applyDot(x, y) {
      checkSquare(n, x, y);
      return bsr3SpmvRows(A, x, y, 0, A.blockRows);
    },
  };
}

/**
 * `y ← (D + U + Uᵀ)·x` for symmetric BSR3; returns `xᵀ·y`.
 * Row I: `y_I += D_I·x_I + Σ_J U_IJ·x_J`, and each upper block also scatters
 * its transpose: `y_J += U_IJᵀ·x_I`. Each block is read once for both.
  *
 * @example
 * ```ts
 * const uKu = sbsr3Spmv(sbsr3FromCsr(K), u, f); // f = K·u (N), returns uᵀKu (N·mm)
 * ```
 */
export function sbsr3Spmv(A: Sbsr3Matrix, x: Float64Array, y: Float64Array): number {
  const nb = A.blockRows;
  if (x.length < 3 * nb || y.length < 3 * nb) {
    throw new DimensionMismatchError(`sbsr3Spmv: A is ${3 * nb}×${3 * nb}, x has ${x.length}, y has ${y.length}`);
  }
  y.fill(0, 0, 3 * nb);
  sbsr3RowsKernel(A.rowPtr, A.colIdx, A.values, A.diag, x, y, 0, nb);
  let dot = 0;
  for (let k = 0; k < 3 * nb; k++) dot += x[k] * y[k];
  return dot;
}

/**
 * Symmetric BSR3 SpMV as a {@link LinearOperator}.
 *
 * @example
 * ```ts
 * const op = sbsr3Operator(sbsr3FromCsr(K));
 * ```
 */
export function sbsr3Operator(A: Sbsr3Matrix): FusedLinearOperator {
  const n = 3 * A.blockRows;
  return {
    size: n,
    apply(x, y) {
      checkSquare(n, x, y);
      sbsr3Spmv(A, x, y);
    },
    applyDot(x, y) {
      checkSquare(n, x, y);
      return sbsr3Spmv(A, x, y);
    },
  };
}
