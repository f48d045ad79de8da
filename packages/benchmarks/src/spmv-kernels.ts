/**
 * SpMV kernel benchmark: CSR vs 3×3 block CSR (BSR3) vs symmetric BSR3 (upper
 * blocks only) vs 2-thread BSR3, on a synthetic matrix with the 27-neighbour
 * node pattern of a structured hex8 grid (≈81 nonzeros per row), plus the
 * cost of one Jacobi-PCG iteration with each operator.
 *
 * Run: `cd /work/main && node --conditions=@spinefea/source --import tsx packages/benchmarks/src/spmv-kernels.ts [nodesPerSide]`
 * Default grid 69×69×70 nodes = 333,270 nodes ≈ 1.0M DOF.
 */
import { mulberry32 } from '@spinefea/mesh';
import {
  bsr3FromCsr,
  bsr3Operator,
  csrIdentity,
  csrMultiply,
  csrTranspose,
  csrOperator,
  parallelBsr3Operator,
  parallelSbsr3Operator,
  sbsr3FromCsr,
  sbsr3Operator,
  writeCsrBinary,
  writeMatrixMarketFile,
  type Bsr3Matrix,
  type CsrMatrix,
  type LinearOperator,
  type ParallelOperator,
} from '@spinefea/core/linalg';
import { jacobiPreconditioner, pcg } from '@spinefea/core/solvers';

const nx = Number(process.argv[2] ?? 69);
const ny = nx;
const nz = Number(process.argv[3] ?? nx + 1);
const nodes = nx * ny * nz;
const n = 3 * nodes;

/** Deterministic PRNG so the test matrices are reproducible. */
const rng = mulberry32;

/**
 * Symmetric, diagonally dominant BSR3 matrix on the hex8 27-neighbour
 * pattern: off-diagonal blocks B_IJ = B_JIᵀ random in [−1, 0), diagonal
 * blocks 30·I + small symmetric noise (so PCG runs like on a stiffness matrix).
 */
function hexGridBsr3(): Bsr3Matrix {
  const rowPtr = new Uint32Array(nodes + 1);
  const id = (i: number, j: number, k: number) => i + nx * (j + ny * k);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const cnt =
          (i > 0 && i < nx - 1 ? 3 : 2) * (j > 0 && j < ny - 1 ? 3 : 2) * (k > 0 && k < nz - 1 ? 3 : 2);
        rowPtr[id(i, j, k) + 1] = cnt;
      }
  for (let I = 0; I < nodes; I++) rowPtr[I + 1] += rowPtr[I];
  const nnzb = rowPtr[nodes];
  const colIdx = new Uint32Array(nnzb);
  const values = new Float64Array(9 * nnzb);
  const r = rng(42);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const I = id(i, j, k);
        let b = rowPtr[I];
        for (let dk = -1; dk <= 1; dk++)
          for (let dj = -1; dj <= 1; dj++)
            for (let di = -1; di <= 1; di++) {
              const ii = i + di, jj = j + dj, kk = k + dk;
              if (ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= nz) continue;
              colIdx[b++] = id(ii, jj, kk); // ascending: k-major, then j, then i
            }
      }
  // values: fill upper blocks randomly, mirror to lower; diagonal blocks dominant
  for (let I = 0; I < nodes; I++) {
    for (let b = rowPtr[I]; b < rowPtr[I + 1]; b++) {
      const J = colIdx[b];
      if (J === I) {
        for (let a = 0; a < 3; a++)
          for (let c = a; c < 3; c++) {
            const v = a === c ? 90 + r() : 0.1 * (r() - 0.5); // > Σ|off-diagonal| ≤ 26·3 per row
            values[9 * b + 3 * a + c] = v;
            values[9 * b + 3 * c + a] = v;
          }
      } else if (J > I) {
        // find mirror block (J, I)
        let lo = rowPtr[J], hi = rowPtr[J + 1];
        while (lo < hi) {
          const m = (lo + hi) >>> 1;
          if (colIdx[m] < I) lo = m + 1;
          else hi = m;
        }
        for (let a = 0; a < 3; a++)
          for (let c = 0; c < 3; c++) {
            const v = -r();
            values[9 * b + 3 * a + c] = v;
            values[9 * lo + 3 * c + a] = v;
          }
      }
    }
  }
  return { blockRows: nodes, blockCols: nodes, rowPtr, colIdx, values };
}

function bsrToCsr(B: Bsr3Matrix): CsrMatrix {
  const nnz = 9 * B.rowPtr[B.blockRows];
  const rowPtr = new Uint32Array(3 * B.blockRows + 1);
  const colIdx = new Uint32Array(nnz);
  const values = new Float64Array(nnz);
  let p = 0;
  for (let I = 0; I < B.blockRows; I++)
    for (let r = 0; r < 3; r++) {
      for (let b = B.rowPtr[I]; b < B.rowPtr[I + 1]; b++)
        for (let c = 0; c < 3; c++) {
          colIdx[p] = 3 * B.colIdx[b] + c;
          values[p++] = B.values[9 * b + 3 * r + c];
        }
      rowPtr[3 * I + r + 1] = p;
    }
  return { rows: 3 * B.blockRows, cols: 3 * B.blockCols, rowPtr, colIdx, values };
}

/**
 * Times all operators round-robin (one SpMV of each per round), so that load
 * from other processes hits every variant alike; reports median and min.
 */
function timeOps(ops: [string, LinearOperator][], x: Float64Array, rounds = 15): Float64Array[] {
  const ys = ops.map(([, op]) => new Float64Array(op.size));
  for (let w = 0; w < 3; w++) ops.forEach(([, op], k) => op.apply(x, ys[k])); // warm-up (JIT)
  const t = ops.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    ops.forEach(([, op], k) => {
      const t0 = performance.now();
      op.apply(x, ys[k]);
      t[k].push(performance.now() - t0);
    });
  }
  ops.forEach(([name], k) => {
    const s = t[k].sort((a, b) => a - b);
    console.log(
      `SpMV ${name.padEnd(12)} median ${s[s.length >> 1].toFixed(1).padStart(6)} ms   min ${s[0].toFixed(1).padStart(6)} ms`,
    );
  });
  return ys;
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let m = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return m / s;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const B = hexGridBsr3();
  const A = bsrToCsr(B);
  console.log(
    `grid ${nx}×${ny}×${nz} nodes: n = ${n} DOF, nnz = ${A.rowPtr[n]} (${(A.rowPtr[n] / n).toFixed(1)}/row), built in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(0.001 * i) + 0.5);
  const threads = Number(process.env.SPMV_THREADS ?? 2);
  const pool: ParallelOperator[] = [];
  const ops: [string, LinearOperator][] = [
    ['CSR', csrOperator(A)],
    ['BSR3', bsr3Operator(B)],
    ['SBSR3', sbsr3Operator(sbsr3FromCsr(A))],
  ];
  pool.push(await parallelBsr3Operator(bsr3FromCsr(A, { shared: true }), { threads }));
  ops.push([`BSR3 ×${threads}`, pool[0]]);
  pool.push(await parallelSbsr3Operator(sbsr3FromCsr(A, { shared: true }), { threads }));
  ops.push([`SBSR3 ×${threads}`, pool[1]]);
  const ys = timeOps(ops, x);
  ops.forEach(([name], k) => console.log(`  ${name.padEnd(10)} max |Δy|/max|y| vs CSR: ${maxRelDiff(ys[k], ys[0]).toExponential(2)}`));
  // One Jacobi-PCG iteration with each operator: 40 iterations, 3 interleaved repetitions, min and median.
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(0.37 * i));
  const M = jacobiPreconditioner(A);
  const per = ops.map(() => [] as number[]);
  for (let rep = 0; rep < 4; rep++) {
    ops.forEach(([, op], k) => {
      const s = pcg(op, b, { preconditioner: M, maxIterations: 40, allowNotConverged: true, tolerance: 1e-30, stagnationWindow: 0 });
      // timeMs includes the final true-residual SpMV, so this slightly overstates the per-iteration cost
      if (rep > 0) per[k].push(s.timeMs / s.iterations); // rep 0 is warm-up
    });
  }
  ops.forEach(([name], k) => {
    const s = per[k].sort((a, c) => a - c);
    console.log(`Jacobi-PCG ${name.padEnd(12)} median ${s[s.length >> 1].toFixed(1).padStart(6)} ms/iteration   min ${s[0].toFixed(1).padStart(6)}`);
  });
  {
    // conversions and SpGEMM at this size (Tᵀ·K·T with T = I: same pattern, full flop count)
    let t1 = performance.now();
    sbsr3FromCsr(A);
    console.log(`sbsr3FromCsr: ${(performance.now() - t1).toFixed(0)} ms`);
    t1 = performance.now();
    bsr3FromCsr(A);
    console.log(`bsr3FromCsr: ${(performance.now() - t1).toFixed(0)} ms`);
    const T = csrIdentity(n);
    t1 = performance.now();
    const Tt = csrTranspose(T);
    const KT = csrMultiply(A, T);
    const t2 = performance.now();
    const TtKT = csrMultiply(Tt, KT);
    console.log(
      `SpGEMM K·T ${(t2 - t1).toFixed(0)} ms, Tᵀ·(K·T) ${(performance.now() - t2).toFixed(0)} ms (nnz ${TtKT.rowPtr[n]})`,
    );
  }
  if (process.env.BENCH_IO === '1') {
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'spmv-io-'));
    try {
      let t1 = performance.now();
      await writeCsrBinary(join(dir, 'K'), A);
      console.log(`writeCsrBinary: ${(performance.now() - t1).toFixed(0)} ms, ${(statSync(join(dir, 'K.values.f64')).size / 2 ** 20).toFixed(0)} MiB values`);
      t1 = performance.now();
      await writeMatrixMarketFile(join(dir, 'K.mtx'), A, { symmetric: true });
      console.log(`writeMatrixMarketFile (symmetric): ${(performance.now() - t1).toFixed(0)} ms, ${(statSync(join(dir, 'K.mtx')).size / 2 ** 20).toFixed(0)} MiB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const op of pool) await op.dispose();
}

await main();
