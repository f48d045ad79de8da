/**
 * Multi-threaded BSR3 / symmetric BSR3 SpMV with `worker_threads` and
 * `SharedArrayBuffer`s. The calling thread takes one share of the rows and
 * blocks in `Atomics.wait` until the workers finish, so the operator keeps
 * the synchronous {@link LinearOperator} contract that PCG expects.
 *
 * The kernels are the same functions as the serial path
 * ({@link bsr3RowsKernel}, {@link sbsr3RowsKernel}); their source text is
 * shipped to the workers, so there is one implementation.
 */
import { Worker } from 'node:worker_threads';
import { DimensionMismatchError, SpineFeaError } from '../errors.js';
import { bsr3RowsKernel, sbsr3RowsKernel, type Bsr3Matrix, type Sbsr3Matrix } from './bsr3.js';
import type { FusedLinearOperator } from './csr.js';

/**
 * Reduction kernel for the symmetric path: `y_i ← Σ_t acc_t[i]` over
 * `i ∈ [i0, i1)` for the accumulators whose range starts at or before i, and
 * re-zeroes them for the next product. Returns `Σ x_i·y_i` over the range.
 * Self-contained (its source is shipped to workers).
  *
 * @example
 * ```ts
 * const dot = reduceAccumulatorsKernel(accs, starts, x, y, 0, y.length);
 * ```
 */
export function reduceAccumulatorsKernel(
  accs: Float64Array[],
  starts: Int32Array,
  x: Float64Array,
  y: Float64Array,
  i0: number,
  i1: number,
): number {
  let dot = 0;
  for (let i = i0; i < i1; i++) y[i] = 0;
  for (let t = 0; t < accs.length; t++) {
    const a = accs[t];
    const lo = Math.max(i0, starts[t]);
    for (let i = lo; i < i1; i++) {
      y[i] += a[i];
      a[i] = 0;
    }
  }
  for (let i = i0; i < i1; i++) dot += x[i] * y[i];
  return dot;
}

/** A {@link FusedLinearOperator} backed by worker threads; call `dispose()` when done. */
export interface ParallelOperator extends FusedLinearOperator {
  /** Threads used, including the calling thread. */
  readonly threads: number;
  /** Stops the worker threads. The operator must not be applied afterwards. */
  dispose(): Promise<void>;
}

/** Options of the parallel operators. */
export interface ParallelSpmvOptions {
  /** Threads including the calling one (default 2). */
  threads?: number;
}

// Control words in a shared Int32Array.
const GEN = 0; // bumped by the main thread to start a phase
const DONE = 1; // workers finished in the current phase
const OP = 2; // 0 = exit, 1 = BSR3 rows, 2 = symmetric accumulate, 3 = symmetric reduce
const FAILED = 3; // set to 1 by a worker whose kernel threw (it still reports done, so nobody deadlocks)

const WORKER_SOURCE = (kernels: string) => `
const { parentPort, workerData } = require('node:worker_threads');
${kernels}
const w = workerData;
const ctrl = new Int32Array(w.ctrl);
const dots = new Float64Array(w.dots);
const x = new Float64Array(w.x);
const y = new Float64Array(w.y);
const rowPtr = new Uint32Array(w.rowPtr);
const colIdx = new Uint32Array(w.colIdx);
const values = new Float64Array(w.values);
const diag = w.diag ? new Float64Array(w.diag) : null;
const accs = w.accs.map((b) => new Float64Array(b));
const starts = Int32Array.from(w.starts);
const t = w.t;
parentPort.postMessage('ready');
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  const op = Atomics.load(ctrl, ${OP});
  if (op === 0) break;
  try {
    if (op === 1) dots[t] = bsr3RowsKernel(rowPtr, colIdx, values, x, y, w.rows[t], w.rows[t + 1]);
    else if (op === 2) sbsr3RowsKernel(rowPtr, colIdx, values, diag, x, accs[t], w.rows[t], w.rows[t + 1]);
    else if (op === 3) dots[t] = reduceAccumulatorsKernel(accs, starts, x, y, w.dofs[t], w.dofs[t + 1]);
  } catch (e) {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** Splits `[0, nb)` into `T` ranges of about equal work (`work(I)` cumulative). */
function splitRows(nb: number, T: number, cumulative: (I: number) => number): number[] {
  const total = cumulative(nb);
  const rows = [0];
  let I = 0;
  for (let t = 1; t < T; t++) {
    const target = (total * t) / T;
    while (I < nb && cumulative(I) < target) I++;
    rows.push(I);
  }
  rows.push(nb);
  return rows;
}

interface PoolSpec {
  nb: number;
  threads: number;
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float64Array;
  diag?: Float64Array;
  rows: number[];
}

function sharedBuffer(a: Float64Array | Uint32Array, what: string): SharedArrayBuffer {
  if (!(a.buffer instanceof SharedArrayBuffer) || a.byteOffset !== 0) {
    throw new DimensionMismatchError(
      `parallel SpMV: ${what} must live at offset 0 of a SharedArrayBuffer (build the matrix with { shared: true })`,
    );
  }
  return a.buffer;
}

async function createPool(spec: PoolSpec, symmetric: boolean): Promise<ParallelOperator> {
  const { nb, threads: T } = spec;
  const n = 3 * nb;
  const ctrl = new Int32Array(new SharedArrayBuffer(16 * 4));
  const dots = new Float64Array(new SharedArrayBuffer(8 * T));
  const xs = new Float64Array(new SharedArrayBuffer(8 * n));
  const ys = new Float64Array(new SharedArrayBuffer(8 * n));
  const accs = symmetric ? Array.from({ length: T }, () => new Float64Array(new SharedArrayBuffer(8 * n))) : [];
  const starts = Int32Array.from(spec.rows.slice(0, T), (I) => 3 * I);
  // reduce phase: DOF ranges of equal length
  const dofs = Array.from({ length: T + 1 }, (_, t) => 3 * Math.round((nb * t) / T));
  const kernels = [bsr3RowsKernel, sbsr3RowsKernel, reduceAccumulatorsKernel].map((f) => f.toString()).join('\n');
  const source = WORKER_SOURCE(kernels);
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let t = 1; t < T; t++) {
    const w = new Worker(source, {
      eval: true,
      workerData: {
        ctrl: ctrl.buffer,
        dots: dots.buffer,
        x: xs.buffer,
        y: ys.buffer,
        rowPtr: sharedBuffer(spec.rowPtr, 'rowPtr'),
        colIdx: sharedBuffer(spec.colIdx, 'colIdx'),
        values: sharedBuffer(spec.values, 'values'),
        diag: spec.diag ? sharedBuffer(spec.diag, 'diag') : null,
        accs: accs.map((a) => a.buffer),
        starts: Array.from(starts),
        rows: spec.rows,
        dofs,
        t,
      },
    });
    w.unref(); // an undisposed operator must not keep the process alive
    workers.push(w);
    ready.push(
      new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      }),
    );
  }
  await Promise.all(ready);

  /** Runs one phase on all threads; the calling thread does share 0 via `self`. */
  const phase = (op: number, self: () => number): number => {
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, OP, op);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    dots[0] = self();
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= T - 1) break;
      Atomics.wait(ctrl, DONE, done);
    }
    if (Atomics.load(ctrl, FAILED) !== 0) {
      throw new SpineFeaError('PARALLEL_SPMV', 'parallel SpMV: a worker thread failed while computing its rows');
    }
    let s = 0;
    for (let t = 0; t < T; t++) s += dots[t];
    return s;
  };

  const { rowPtr, colIdx, values, diag, rows } = spec;
  let disposed = false;
  const applyDot = (x: Float64Array, y: Float64Array): number => {
    if (x.length !== n || y.length !== n) {
      throw new DimensionMismatchError(`operator of size ${n} applied to vectors of length ${x.length} / ${y.length}`);
    }
    if (disposed) throw new SpineFeaError('PARALLEL_SPMV', 'parallel SpMV operator used after dispose()');
    xs.set(x);
    let dot: number;
    if (!symmetric) {
      dot = phase(1, () => bsr3RowsKernel(rowPtr, colIdx, values, xs, ys, rows[0], rows[1]));
    } else {
      phase(2, () => {
        sbsr3RowsKernel(rowPtr, colIdx, values, diag!, xs, accs[0], rows[0], rows[1]);
        return 0;
      });
      dot = phase(3, () => reduceAccumulatorsKernel(accs, starts, xs, ys, dofs[0], dofs[1]));
    }
    y.set(ys);
    return dot;
  };
  return {
    size: n,
    threads: T,
    apply(x, y) {
      applyDot(x, y);
    },
    applyDot,
    async dispose() {
      if (disposed) return;
      disposed = true;
      Atomics.store(ctrl, OP, 0);
      Atomics.add(ctrl, GEN, 1);
      Atomics.notify(ctrl, GEN);
      await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    },
  };
}

function threadCount(options: ParallelSpmvOptions): number {
  const T = options.threads ?? 2;
  if (!Number.isInteger(T) || T < 1) throw new DimensionMismatchError(`threads must be a positive integer, got ${T}`);
  return T;
}

/**
 * Multi-threaded BSR3 operator. Rows are split into `threads` ranges of
 * equal block count; each thread writes its own rows of y (no conflicts).
 * The matrix must be built with `bsr3FromCsr(A, { shared: true })`.
 *
 * @throws DimensionMismatchError if the matrix arrays are not shared or the matrix is not square
 * @example
 * ```ts
 * const op = await parallelBsr3Operator(bsr3FromCsr(K, { shared: true }), { threads: 2 });
 * const sol = pcg(op, f, { preconditioner: jacobiPreconditioner(K) });
 * await op.dispose();
 * ```
 */
export async function parallelBsr3Operator(A: Bsr3Matrix, options: ParallelSpmvOptions = {}): Promise<ParallelOperator> {
  if (A.blockRows !== A.blockCols) throw new DimensionMismatchError('parallelBsr3Operator: matrix is not square');
  const T = threadCount(options);
  const rows = splitRows(A.blockRows, T, (I) => A.rowPtr[I] + 2 * I);
  return createPool({ nb: A.blockRows, threads: T, rowPtr: A.rowPtr, colIdx: A.colIdx, values: A.values, rows }, false);
}

/**
 * Multi-threaded symmetric BSR3 operator: each thread accumulates its rows'
 * products (and the transposed scatter `y_J += U_IJᵀ·x_I`) into a private
 * vector, then the threads sum those vectors over disjoint DOF ranges.
 * The matrix must be built with `sbsr3FromCsr(A, { shared: true })`.
 *
 * @throws DimensionMismatchError if the matrix arrays are not shared
 * @example
 * ```ts
 * const op = await parallelSbsr3Operator(sbsr3FromCsr(K, { shared: true }));
 * ```
 */
export async function parallelSbsr3Operator(A: Sbsr3Matrix, options: ParallelSpmvOptions = {}): Promise<ParallelOperator> {
  const T = threadCount(options);
  const rows = splitRows(A.blockRows, T, (I) => A.rowPtr[I] + I);
  return createPool(
    { nb: A.blockRows, threads: T, rowPtr: A.rowPtr, colIdx: A.colIdx, values: A.values, diag: A.diag, rows },
    true,
  );
}
