import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatMatrixMarket,
  MatrixFormatError,
  readCsrBinary,
  readMatrixMarket,
  writeCsrBinary,
  writeMatrixMarketFile,
} from '../src/linalg/matrix-market.js';
import { cpuBackend } from '../src/backend/cpu.js';
import { DimensionMismatchError, NonFiniteInputError } from '../src/errors.js';
import {
  csrDiagonal,
  csrFromTriplets,
  csrIdentity,
  csrIsSymmetric,
  csrMultiply,
  csrOperator,
  csrSpmv,
  csrToDense,
  csrTranspose,
  csrValidate,
} from '../src/linalg/csr.js';
import type { CsrMatrix } from '../src/linalg/types.js';
import { bsr3FromCsr, bsr3Operator, bsr3Spmv, sbsr3FromCsr, sbsr3Operator } from '../src/linalg/bsr3.js';
import { parallelBsr3Operator, parallelSbsr3Operator } from '../src/linalg/parallel-spmv.js';

interface Triplets {
  rows: number;
  cols: number;
  I: number[];
  J: number[];
  V: number[];
}

/** Random sparse matrices as triplets (duplicates allowed, ~0–3 entries per row on average). */
const tripletsArb = (maxDim = 12, rowsEqCols = false): fc.Arbitrary<Triplets> =>
  fc
    .tuple(fc.integer({ min: 1, max: maxDim }), fc.integer({ min: 1, max: maxDim }))
    .chain(([rows, c]) => {
      const cols = rowsEqCols ? rows : c;
      return fc
        .array(
          fc.tuple(
            fc.integer({ min: 0, max: rows - 1 }),
            fc.integer({ min: 0, max: cols - 1 }),
            fc.double({ min: -10, max: 10, noNaN: true }),
          ),
          { maxLength: 3 * rows + 2 },
        )
        .map((t) => ({ rows, cols, I: t.map((e) => e[0]), J: t.map((e) => e[1]), V: t.map((e) => e[2]) }));
    });

function denseOf(t: Triplets): Float64Array {
  const D = new Float64Array(t.rows * t.cols);
  for (let k = 0; k < t.I.length; k++) D[t.I[k] * t.cols + t.J[k]] += t.V[k];
  return D;
}

function build(t: Triplets): CsrMatrix {
  return csrFromTriplets(t.rows, t.cols, t.I, t.J, Float64Array.from(t.V));
}

/** Relative entry-wise check; `scale` is a magnitude bound of the summed terms. */
function expectClose(a: number, b: number, scale: number): void {
  // 1e-13 relative to the sum of |terms|: a few ulps of accumulated rounding for ≤ 40-term sums
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-13 * scale + 1e-300);
}

describe('CSR construction', () => {
  it('csrFromTriplets equals the dense sum of triplets, with sorted unique columns', () => {
    fc.assert(
      fc.property(tripletsArb(), (t) => {
        const A = build(t);
        csrValidate(A); // sorted, in range, finite
        const D = denseOf(t);
        const C = csrToDense(A);
        let absSum = 0;
        for (const v of t.V) absSum += Math.abs(v);
        for (let i = 0; i < D.length; i++) expectClose(C[i], D[i], absSum);
        // every stored entry comes from at least one triplet
        const touched = new Set(t.I.map((i, k) => i * t.cols + t.J[k]));
        expect(A.rowPtr[A.rows]).toBe(touched.size);
      }),
    );
  });

  it('rejects out-of-range indices, mismatched lengths and NaN values', () => {
    expect(() => csrFromTriplets(2, 2, [0, 2], [0, 0], [1, 1])).toThrow(DimensionMismatchError);
    expect(() => csrFromTriplets(2, 2, [0], [0, 1], [1])).toThrow(DimensionMismatchError);
    expect(() => csrFromTriplets(2, 2, [0, 1], [0, 1], [1, NaN])).toThrow(/triplet 1 .*row 1, column 1/);
    expect(() => csrFromTriplets(2, 2, [0, 1], [0, 1], [1, Infinity])).toThrow(NonFiniteInputError);
  });

  it('csrIdentity is the identity', () => {
    const D = csrToDense(csrIdentity(4));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(D[i * 4 + j]).toBe(i === j ? 1 : 0);
  });
});

describe('CSR kernels against dense', () => {
  it('csrSpmv and csrOperator.applyDot equal the dense product', () => {
    fc.assert(
      fc.property(tripletsArb(12, true), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 12, maxLength: 12 }), (t, xs) => {
        const A = build(t);
        const D = denseOf(t);
        const x = Float64Array.from(xs.slice(0, t.cols));
        const y = new Float64Array(t.rows);
        csrSpmv(A, x, y);
        const y2 = new Float64Array(t.rows);
        const xAx = csrOperator(A).applyDot(x, y2);
        let dense = 0;
        let scaleDot = 0;
        for (let i = 0; i < t.rows; i++) {
          let s = 0;
          let scale = 0;
          for (let j = 0; j < t.cols; j++) {
            s += D[i * t.cols + j] * x[j];
            scale += Math.abs(D[i * t.cols + j] * x[j]);
          }
          expectClose(y[i], s, scale);
          expect(y2[i]).toBe(y[i]);
          dense += x[i] * s;
          scaleDot += Math.abs(x[i]) * scale;
        }
        expectClose(xAx, dense, scaleDot);
      }),
    );
  });

  it('csrTranspose equals the dense transpose', () => {
    fc.assert(
      fc.property(tripletsArb(), (t) => {
        const A = build(t);
        const At = csrTranspose(A);
        csrValidate(At);
        const D = csrToDense(A);
        const Dt = csrToDense(At);
        for (let i = 0; i < t.rows; i++) for (let j = 0; j < t.cols; j++) expect(Dt[j * t.rows + i]).toBe(D[i * t.cols + j]);
      }),
    );
  });

  it('csrMultiply (Gustavson SpGEMM) equals the dense product', () => {
    const pair = fc
      .tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }))
      .chain(([m, k, n]) =>
        fc.tuple(
          tripletsArb(10).map((t) => ({ ...t, rows: m, cols: k, I: t.I.map((i) => i % m), J: t.J.map((j) => j % k) })),
          tripletsArb(10).map((t) => ({ ...t, rows: k, cols: n, I: t.I.map((i) => i % k), J: t.J.map((j) => j % n) })),
        ),
      );
    fc.assert(
      fc.property(pair, ([ta, tb]) => {
        const A = build(ta);
        const B = build(tb);
        const C = csrMultiply(A, B);
        csrValidate(C);
        const Da = denseOf(ta);
        const Db = denseOf(tb);
        const Dc = csrToDense(C);
        const { rows: m, cols: k } = ta;
        const n = tb.cols;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            let scale = 0;
            for (let l = 0; l < k; l++) {
              s += Da[i * k + l] * Db[l * n + j];
              scale += Math.abs(Da[i * k + l] * Db[l * n + j]);
            }
            expectClose(Dc[i * n + j], s, scale);
          }
        }
      }),
    );
    expect(() => csrMultiply(csrIdentity(2), csrIdentity(3))).toThrow(DimensionMismatchError);
  });

  it('TᵀKT by SpGEMM is symmetric when K is', () => {
    fc.assert(
      fc.property(tripletsArb(10, true), (t) => {
        const A = build(t);
        const K = csrMultiply(csrTranspose(A), A); // AᵀA is symmetric
        const T = csrFromTriplets(t.cols, 3, [0, t.cols - 1], [0, 2], [1, 2]);
        const Kr = csrMultiply(csrTranspose(T), csrMultiply(K, T));
        // products evaluated in different orders differ by round-off only: 1e-12 relative
        expect(csrIsSymmetric(Kr, 1e-12)).toBe(true);
      }),
    );
  });

  it('csrDiagonal and csrIsSymmetric', () => {
    fc.assert(
      fc.property(tripletsArb(12, true), (t) => {
        const A = build(t);
        const D = csrToDense(A);
        const d = csrDiagonal(A);
        // === , not Object.is: a stored −0 reads back as −0, while the dense conversion sums it
        // into a zeroed array (0 + −0 = +0) — the same value (found by fast-check)
        for (let i = 0; i < t.rows; i++) expect(d[i] === D[i * t.rows + i], `row ${i}: ${d[i]} vs ${D[i * t.rows + i]}`).toBe(true);
        // A + Aᵀ is symmetric exactly (same two addends per entry)
        const At = csrTranspose(A);
        const S = csrFromTriplets(
          t.rows,
          t.rows,
          [...t.I, ...Array.from(At.colIdx).map((_, p) => rowOf(At, p))],
          [...t.J, ...Array.from(At.colIdx)],
          Float64Array.from([...t.V, ...Array.from(At.values)]),
        );
        expect(csrIsSymmetric(S, 1e-12)).toBe(true);
      }),
    );
    // a single off-diagonal entry is not symmetric
    expect(csrIsSymmetric(csrFromTriplets(3, 3, [0, 1], [1, 1], [1, 1]), 1e-12)).toBe(false);
    expect(csrIsSymmetric(csrFromTriplets(2, 3, [0], [0], [1]), 1e-12)).toBe(false);
  });
});

function rowOf(A: CsrMatrix, p: number): number {
  let i = 0;
  while (A.rowPtr[i + 1] <= p) i++;
  return i;
}

/** Random square matrices of 3·nodes rows (any sparsity, entries anywhere). */
const blockTripletsArb = (symmetric: boolean): fc.Arbitrary<Triplets> =>
  fc.integer({ min: 1, max: 8 }).chain((nodes) =>
    fc
      .array(
        fc.tuple(
          fc.integer({ min: 0, max: 3 * nodes - 1 }),
          fc.integer({ min: 0, max: 3 * nodes - 1 }),
          fc.double({ min: -10, max: 10, noNaN: true }),
        ),
        { maxLength: 30 * nodes },
      )
      .map((t) => {
        const I = t.map((e) => e[0]);
        const J = t.map((e) => e[1]);
        const V = t.map((e) => e[2]);
        // A + Aᵀ: append mirrored triplets
        return symmetric
          ? { rows: 3 * nodes, cols: 3 * nodes, I: [...I, ...J], J: [...J, ...I], V: [...V, ...V] }
          : { rows: 3 * nodes, cols: 3 * nodes, I, J, V };
      }),
  );

function spmvBoth(A: CsrMatrix, x: Float64Array): Float64Array {
  const y = new Float64Array(A.rows);
  csrSpmv(A, x, y);
  return y;
}

function expectVectorsClose(a: Float64Array, b: Float64Array, A: CsrMatrix, x: Float64Array): void {
  // different summation order (block-wise) → differences of a few ulps of Σ|a_ij·x_j| per row
  for (let i = 0; i < A.rows; i++) {
    let scale = 0;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) scale += Math.abs(A.values[p] * x[A.colIdx[p]]);
    expectClose(a[i], b[i], scale);
  }
}

describe('BSR3 and symmetric BSR3 SpMV', () => {
  it('BSR3 operator equals CSR SpMV', () => {
    fc.assert(
      fc.property(blockTripletsArb(false), fc.integer({ min: 0, max: 1000 }), (t, seed) => {
        const A = build(t);
        const x = Float64Array.from({ length: A.cols }, (_, i) => Math.sin(seed + 1.7 * i));
        const B = bsr3FromCsr(A);
        const y = new Float64Array(A.rows);
        const xAx = bsr3Operator(B).applyDot(x, y);
        const ref = spmvBoth(A, x);
        expectVectorsClose(y, ref, A, x);
        const y2 = new Float64Array(A.rows);
        bsr3Spmv(B, x, y2);
        expect(Array.from(y2)).toEqual(Array.from(y));
        let d = 0;
        let scale = 0;
        for (let i = 0; i < A.rows; i++) {
          d += x[i] * y[i];
          scale += Math.abs(x[i] * y[i]);
        }
        // fused xᵀ·y sums the same products grouped per node: a few ulps of Σ|x_i·y_i|
        expectClose(xAx, d, scale);
      }),
    );
  });

  it('symmetric BSR3 operator equals CSR SpMV on symmetric matrices', () => {
    fc.assert(
      fc.property(blockTripletsArb(true), fc.integer({ min: 0, max: 1000 }), (t, seed) => {
        const A = build(t);
        const x = Float64Array.from({ length: A.cols }, (_, i) => Math.cos(seed + 0.3 * i));
        const y = new Float64Array(A.rows);
        sbsr3Operator(sbsr3FromCsr(A)).apply(x, y);
        expectVectorsClose(y, spmvBoth(A, x), A, x);
      }),
    );
  });

  it('rejects sizes that are not multiples of 3', () => {
    expect(() => bsr3FromCsr(csrIdentity(4))).toThrow(DimensionMismatchError);
  });

  it('2-thread BSR3 and symmetric BSR3 (worker_threads) equal CSR SpMV', async () => {
    // a banded symmetric matrix with 3-DOF nodes, large enough that both threads get rows
    const nodes = 50;
    const I: number[] = [];
    const J: number[] = [];
    const V: number[] = [];
    for (let a = 0; a < nodes; a++) {
      for (let b = Math.max(0, a - 3); b <= Math.min(nodes - 1, a + 3); b++) {
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < 3; c++) {
            const i = 3 * a + r;
            const j = 3 * b + c;
            I.push(i);
            J.push(j);
            V.push(Math.sin(i + j) + Math.cos(i * j)); // symmetric in (i, j)
          }
        }
      }
    }
    const A = csrFromTriplets(3 * nodes, 3 * nodes, I, J, V);
    expect(csrIsSymmetric(A, 0)).toBe(true);
    const x = Float64Array.from({ length: A.rows }, (_, i) => 1 + (i % 5));
    const ref = spmvBoth(A, x);
    const pb = await parallelBsr3Operator(bsr3FromCsr(A, { shared: true }), { threads: 2 });
    const ps = await parallelSbsr3Operator(sbsr3FromCsr(A, { shared: true }), { threads: 2 });
    try {
      for (const op of [pb, ps]) {
        for (let rep = 0; rep < 3; rep++) {
          // repeated products check that the private accumulators are re-zeroed
          const y = new Float64Array(A.rows);
          const xAx = op.applyDot(x, y);
          expectVectorsClose(y, ref, A, x);
          let d = 0;
          for (let i = 0; i < A.rows; i++) d += x[i] * y[i];
          // same products summed in per-thread partial sums: relative 1e-13
          expect(Math.abs(xAx - d)).toBeLessThanOrEqual(1e-13 * Math.abs(d) + 1e-13);
        }
      }
      await expect(parallelBsr3Operator(bsr3FromCsr(A), { threads: 2 })).rejects.toThrow(/SharedArrayBuffer/);
    } finally {
      await pb.dispose();
      await ps.dispose();
    }
  });
});

function expectSameCsr(a: CsrMatrix, b: CsrMatrix): void {
  expect(a.rows).toBe(b.rows);
  expect(a.cols).toBe(b.cols);
  expect(Array.from(a.rowPtr)).toEqual(Array.from(b.rowPtr));
  const nnz = a.rowPtr[a.rows];
  expect(Array.from(a.colIdx.subarray(0, nnz))).toEqual(Array.from(b.colIdx.subarray(0, nnz)));
  expect(Array.from(a.values.subarray(0, nnz))).toEqual(Array.from(b.values.subarray(0, nnz)));
}

describe('Matrix Market and binary CSR I/O', () => {
  it('general Matrix Market round-trips exactly (shortest round-trip decimals)', () => {
    fc.assert(
      fc.property(tripletsArb(), (t) => {
        const A = build(t);
        expectSameCsr(readMatrixMarket(formatMatrixMarket(A)), A);
      }),
    );
  });

  it('symmetric Matrix Market stores the lower triangle and round-trips a symmetric matrix', () => {
    fc.assert(
      fc.property(blockTripletsArb(true), (t) => {
        const A = build(t);
        // A + Aᵀ sums each pair's duplicate triplets in different orders above and below the
        // diagonal, so it is symmetric only to round-off (fast-check found a 1-ulp pair); the
        // file keeps the lower triangle, so make the upper one its exact mirror first
        for (let i = 0; i < A.rows; i++)
          for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
            const j = A.colIdx[p];
            if (j <= i) continue;
            for (let q = A.rowPtr[j]; q < A.rowPtr[j + 1]; q++) if (A.colIdx[q] === i) A.values[p] = A.values[q];
          }
        const text = formatMatrixMarket(A, { symmetric: true, comment: 'test' });
        const lines = text.trim().split('\n');
        expect(lines[0]).toBe('%%MatrixMarket matrix coordinate real symmetric');
        let lower = 0;
        for (let i = 0; i < A.rows; i++) for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] <= i) lower++;
        expect(lines.length).toBe(3 + lower); // header, comment, size line, entries
        expectSameCsr(readMatrixMarket(text), A);
      }),
    );
  });

  it('streamed file equals the in-memory text; binary CSR round-trips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spinefea-mm-'));
    try {
      const t = fc.sample(blockTripletsArb(true), { seed: 5, numRuns: 1 })[0];
      const A = build(t);
      await writeMatrixMarketFile(join(dir, 'A.mtx'), A, { symmetric: true });
      expect(readFileSync(join(dir, 'A.mtx'), 'utf8')).toBe(formatMatrixMarket(A, { symmetric: true }));
      const h = await writeCsrBinary(join(dir, 'A'), A);
      expect(h.nnz).toBe(A.rowPtr[A.rows]);
      expectSameCsr(await readCsrBinary(join(dir, 'A')), A);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reader rejects malformed input with the line number', () => {
    expect(() => readMatrixMarket('hello')).toThrow(MatrixFormatError);
    expect(() => readMatrixMarket('%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n')).toThrow(/line 3/);
    expect(() => readMatrixMarket('%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n')).toThrow(/ends after 1 of 2/);
    expect(() => readMatrixMarket('%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 nan\n')).toThrow(/not a finite/);
  });

  it('scipy reads the Matrix Market and binary files as the same matrix', async () => {
    const py = 'python3';
    const probe = spawnSync(py, ['-c', 'import scipy, numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      if (process.env.CI === 'true') throw new Error('python3 with scipy is required in CI but is missing');
      console.warn('skipping scipy cross-check: python3 with scipy/numpy not found');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'spinefea-sp-'));
    try {
      const t = fc.sample(blockTripletsArb(true), { seed: 9, numRuns: 1 })[0];
      const A = build(t);
      await writeMatrixMarketFile(join(dir, 'A.mtx'), A, { symmetric: true });
      await writeCsrBinary(join(dir, 'A'), A);
      const x = Float64Array.from({ length: A.cols }, (_, i) => Math.sin(i + 0.5));
      const script = [
        'import json, sys, numpy as np, scipy.io, scipy.sparse as sp',
        'd = sys.argv[1]',
        'h = json.load(open(d + "/A.json"))',
        'B = sp.csr_matrix((np.fromfile(d + "/" + h["values"]["file"], "<f8"), np.fromfile(d + "/" + h["colIdx"]["file"], "<u4"), np.fromfile(d + "/" + h["rowPtr"]["file"], "<u4")), shape=(h["rows"], h["cols"]))',
        'M = scipy.io.mmread(d + "/A.mtx").tocsr()',
        'x = np.sin(np.arange(h["cols"]) + 0.5)',
        'print(json.dumps({"diff": float(abs(B - M).max()) if B.nnz else 0.0, "y": (B @ x).tolist()}))',
      ].join('\n');
      const out = JSON.parse(execFileSync(py, ['-c', script, dir], { encoding: 'utf8' })) as { diff: number; y: number[] };
      expect(out.diff).toBe(0); // both files hold the exact same doubles
      const y = spmvBoth(A, x);
      expectVectorsClose(Float64Array.from(out.y), y, A, x);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CPU reference backend', () => {
  it('spmv (BSR3 and CSR paths) and vector kernels match the direct kernels', () => {
    const be = cpuBackend();
    for (const n of [12, 7]) {
      // 12 → BSR3 path, 7 → CSR path
      const I: number[] = [];
      const J: number[] = [];
      const V: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if ((i * 7 + j * 3) % 4 === 0) I.push(i), J.push(j), V.push(i - 2 * j + 0.5);
      const A = csrFromTriplets(n, n, I, J, V);
      const xh = Float64Array.from({ length: n }, (_, i) => i * 0.25 - 1);
      const M = be.uploadMatrix(A);
      expect(n % 3 === 0 ? M.bsr3 : M.csr).toBeDefined();
      const x = be.upload(xh);
      const y = be.alloc(n);
      be.spmv(M, x, y);
      expectVectorsClose(be.download(y), spmvBoth(A, xh), A, xh);
      const z = be.alloc(n);
      be.copy(x, z);
      be.axpy(2, x, z); // z = 3x
      be.xpby(x, 0.5, z); // z = x + 1.5x = 2.5x
      be.multiply(z, x, y); // y = 2.5x²
      const yh = be.download(y);
      for (let i = 0; i < n; i++) expect(yh[i]).toBeCloseTo(2.5 * xh[i] * xh[i], 12); // exact up to 2 roundings
      expect(be.dot(x, x)).toBe(xh.reduce((s, v) => s + v * v, 0));
    }
    expect(be.isReference).toBe(true);
    expect(() => be.dot(be.alloc(2), be.alloc(3))).toThrow(DimensionMismatchError);
  });
});
