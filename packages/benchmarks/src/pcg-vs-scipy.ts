/**
 * Jacobi-PCG per-iteration cost: spinefea vs scipy.sparse.linalg.cg on the
 * SAME reduced stiffness matrix and right-hand side.
 *
 * Problem (the reference case): unit cube of n³ hex8 cells,
 * E = 1000 MPa, ν = 0.3, face zmin fixed (all three components), face zmax
 * loaded by a uniform traction (0, 0, −1) MPa. 69³ cells → 1,014,300 free
 * DOFs, ≈ 80 M nonzeros.
 *
 * For each size: assemble and reduce with spinefea (`prepareModel`), build
 * the reduced load with `reduceLoad`, export K_r and f_r as raw
 * little-endian binaries + a JSON header to `packages/benchmarks/tmp/`, run
 * `python3 scipy_cg.py <header.json>` (scipy CG + Jacobi to rtol 1e-8; only
 * the cg call is timed), then run spinefea's `pcg` with the same tolerance
 * using every SpMV operator the library offers (CSR, BSR3, symmetric BSR3,
 * and their 2-thread variants) with the Jacobi preconditioner, plus nodal
 * block-Jacobi (3×3) with the fastest serial operator for information.
 *
 * Run: `cd /work/main && node --conditions=@spinefea/source --import tsx packages/benchmarks/src/pcg-vs-scipy.ts [--sizes 20,40,69] [--quick] [--threads 2] [--python python3] [--blas-threads 1] [--keep] [--no-write]`
 *   --quick     sizes 10,20 (smoke test, seconds)
 *   --blas-threads  OPENBLAS_NUM_THREADS for scipy (default 1, like-for-like with
 *               a serial SpMV; 'default' leaves the environment alone). With
 *               OpenBLAS's own threads numpy's dot products slow down ~10× as
 *               soon as another process holds a core (spin-waiting threads).
 *   --keep      keep the exported binaries in packages/benchmarks/tmp/
 *   --no-write  do not overwrite results/pcg-vs-scipy.{json,md}
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, loadavg } from 'node:os';
import { join } from 'node:path';
import { boxMesh } from '@spinefea/mesh';
import {
  assembleLoadVector,
  bsr3FromCsr,
  bsr3Operator,
  csrOperator,
  jacobiPreconditioner,
  nodalBlockJacobiPreconditioner,
  parallelBsr3Operator,
  parallelSbsr3Operator,
  pcg,
  prepareModel,
  reduceLoad,
  sbsr3FromCsr,
  sbsr3Operator,
  type CsrMatrix,
  type FeModel,
  type FusedLinearOperator,
  type LoadCase,
  type ParallelOperator,
  type Preconditioner,
} from '@spinefea/core';
import {
  BENCH_ROOT,
  TMP_DIR,
  commandLine,
  fmt,
  intListFlag,
  log,
  machineInfo,
  markdownTable,
  numberFlag,
  parseFlags,
  rssMiB,
  timeIt,
  writeResults,
} from './common.js';

const TOLERANCE = 1e-8;

/** Output of scipy_cg.py. */
interface ScipyResult {
  n: number;
  nnz: number;
  iterations: number;
  converged: boolean;
  total_ms: number;
  ms_per_iteration: number;
  spmv_ms_min: number;
  spmv_ms_median: number;
  precond_ms: number;
  true_relative_residual: number;
  solution_norm: number;
  versions: { python: string; numpy: string; scipy: string };
}

/** One spinefea PCG run. */
interface OursRun {
  operator: string;
  preconditioner: 'jacobi' | 'block-jacobi';
  threads: number;
  /** Best-of-N `y ← A·x` time, ms. */
  spmvMs: number;
  iterations: number;
  converged: boolean;
  totalMs: number;
  msPerIteration: number;
  trueRelativeResidual: number;
  solutionNorm: number;
  /** Operator construction from the CSR K_r (conversion to BSR3 etc.), ms. */
  setupMs: number;
}

interface SizeResult {
  cells: number;
  divisions: number;
  dofs: number;
  nnz: number;
  assembleMs: number;
  reduceMs: number;
  exportMs: number;
  rssMiB: number;
  /** 1-minute load average after this size (other processes competing for cores). */
  loadAverage1: number;
  scipy: ScipyResult | null;
  ours: OursRun[];
}

const flags = parseFlags();
const sizes = flags.quick ? intListFlag(flags, 'sizes', [10, 20]) : intListFlag(flags, 'sizes', [20, 40, 69]);
const threads = numberFlag(flags, 'threads', 2);
const python = typeof flags.python === 'string' ? flags.python : 'python3';
const keep = flags.keep === true;
const blasThreads = typeof flags['blas-threads'] === 'string' ? flags['blas-threads'] : '1';
const write = flags['no-write'] !== true;
const scipyScript = join(BENCH_ROOT, 'src', 'scipy_cg.py');

if (endianness() !== 'LE') throw new Error('the binary export assumes a little-endian machine');

/** The unit-cube model with n³ hex8 cells. */
function cubeModel(n: number): { model: FeModel; loadCase: LoadCase } {
  const mesh = boxMesh({ size: [1, 1, 1], divisions: [n, n, n], cellType: 'hex8' });
  return {
    model: { mesh, materials: [{ kind: 'isotropic', E: 1000, nu: 0.3 }], displacementBcs: [{ nodes: 'zmin' }] },
    loadCase: { tractions: [{ faces: 'zmax', traction: [0, 0, -1] }] },
  };
}

/** Writes a typed array's bytes (host order = little-endian, checked above). */
function writeRaw(path: string, a: Uint32Array | Float64Array): void {
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** Exports K_r (CSR) and f_r as raw binaries + JSON header; returns the header path. */
function exportSystem(dir: string, K: CsrMatrix, b: Float64Array): string {
  mkdirSync(dir, { recursive: true });
  const files = { indptr: 'indptr.u32', indices: 'indices.u32', data: 'data.f64', rhs: 'rhs.f64' };
  writeRaw(join(dir, files.indptr), K.rowPtr);
  writeRaw(join(dir, files.indices), K.colIdx);
  writeRaw(join(dir, files.data), K.values);
  writeRaw(join(dir, files.rhs), b);
  const header = join(dir, 'header.json');
  const maxiter = 20000;
  writeFileSync(
    header,
    JSON.stringify({ format: 'csr-raw-le', n: K.rows, nnz: K.colIdx.length, files, rtol: TOLERANCE, maxiter, spmv_repeats: 5 }, null, 2),
  );
  return header;
}

let scipyMissing: string | null = null;

/** Runs scipy_cg.py; null (with a printed reason) when python3/scipy is unavailable. */
function runScipy(header: string): ScipyResult | null {
  if (scipyMissing) return null;
  const env = { ...process.env };
  if (blasThreads !== 'default') env.OPENBLAS_NUM_THREADS = env.OMP_NUM_THREADS = env.MKL_NUM_THREADS = blasThreads;
  const r = spawnSync(python, [scipyScript, header], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 30 * 60_000, env });
  if (r.error) {
    scipyMissing = `${python} could not be started (${r.error.message}); skipping the scipy column`;
    console.log(scipyMissing);
    return null;
  }
  if (r.status !== 0) {
    if (/ModuleNotFoundError|No module named/.test(r.stderr)) {
      scipyMissing = `${python} lacks numpy/scipy (${r.stderr.trim().split('\n').pop()}); skipping the scipy column`;
      console.log(scipyMissing);
      return null;
    }
    throw new Error(`scipy_cg.py failed (exit ${r.status}):\n${r.stderr}`);
  }
  return JSON.parse(r.stdout) as ScipyResult;
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** Times SpMV and one full PCG solve with operator `op`. */
function runOurs(
  name: string,
  op: FusedLinearOperator,
  b: Float64Array,
  M: Preconditioner,
  preconditioner: OursRun['preconditioner'],
  nThreads: number,
  setupMs: number,
): OursRun {
  const x = new Float64Array(op.size);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i); // deterministic, non-trivial
  const y = new Float64Array(op.size);
  const spmv = timeIt(() => op.apply(x, y), { warmup: 2, repeats: 8 });
  const sol = pcg(op, b, { preconditioner: M, tolerance: TOLERANCE, maxIterations: 20000, allowNotConverged: true });
  const run: OursRun = {
    operator: name,
    preconditioner,
    threads: nThreads,
    spmvMs: spmv.min,
    iterations: sol.iterations,
    converged: sol.converged,
    totalMs: sol.timeMs,
    msPerIteration: sol.timeMs / Math.max(sol.iterations, 1),
    trueRelativeResidual: sol.relativeResidual,
    solutionNorm: norm(sol.x),
    setupMs,
  };
  log(
    `  ${name.padEnd(14)} ${preconditioner.padEnd(12)} SpMV ${spmv.min.toFixed(2)} ms, ` +
      `${sol.iterations} it, ${run.msPerIteration.toFixed(2)} ms/it, ${(sol.timeMs / 1000).toFixed(2)} s, rel ${sol.relativeResidual.toExponential(2)}`,
  );
  return run;
}

async function benchSize(n: number): Promise<SizeResult> {
  log(`n = ${n}: building ${n}³ hex8 cube`);
  const { model, loadCase } = cubeModel(n);
  const prepared = prepareModel(model, { preconditioner: 'jacobi' });
  const f = assembleLoadVector(model, prepared.family, prepared.transform.layout, loadCase);
  const b = reduceLoad(prepared.stiffness, prepared.transform, f);
  const K = prepared.reduced;
  const { assemble: assembleMs, reduce: reduceMs } = prepared.timings;
  const dofs = K.rows;
  const nnz = K.colIdx.length;
  if (dofs % 3 !== 0) throw new Error(`reduced size ${dofs} is not a multiple of 3; BSR3 needs whole nodes`);
  log(`  ${fmt(dofs)} DOF, ${fmt(nnz)} nnz; assemble ${assembleMs.toFixed(0)} ms, reduce ${reduceMs.toFixed(0)} ms, RSS ${rssMiB()} MiB`);

  // scipy first, while only the CSR copy is resident.
  const dir = join(TMP_DIR, `pcg-vs-scipy-${n}`);
  const te = performance.now();
  const header = exportSystem(dir, K, b);
  const exportMs = performance.now() - te;
  log(`  exported to ${dir} in ${exportMs.toFixed(0)} ms; running scipy`);
  const scipy = runScipy(header);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  if (scipy) {
    log(
      `  scipy: SpMV ${scipy.spmv_ms_min.toFixed(2)} ms, ${scipy.iterations} it, ${scipy.ms_per_iteration.toFixed(2)} ms/it, ` +
        `${(scipy.total_ms / 1000).toFixed(2)} s, rel ${scipy.true_relative_residual.toExponential(2)}`,
    );
  }

  const Mj = jacobiPreconditioner(K);
  const ours: OursRun[] = [];
  ours.push(runOurs('csr', csrOperator(K), b, Mj, 'jacobi', 1, 0));
  {
    const t = performance.now();
    const op = bsr3Operator(bsr3FromCsr(K));
    ours.push(runOurs('bsr3', op, b, Mj, 'jacobi', 1, performance.now() - t));
  }
  let sbsr3Op: FusedLinearOperator;
  {
    const t = performance.now();
    sbsr3Op = sbsr3Operator(sbsr3FromCsr(K));
    ours.push(runOurs('sbsr3', sbsr3Op, b, Mj, 'jacobi', 1, performance.now() - t));
  }
  if (threads > 1) {
    for (const kind of ['bsr3', 'sbsr3'] as const) {
      const t = performance.now();
      const op: ParallelOperator =
        kind === 'bsr3'
          ? await parallelBsr3Operator(bsr3FromCsr(K, { shared: true }), { threads })
          : await parallelSbsr3Operator(sbsr3FromCsr(K, { shared: true }), { threads });
      const setup = performance.now() - t;
      try {
        ours.push(runOurs(`${kind}×${threads}`, op, b, Mj, 'jacobi', threads, setup));
      } finally {
        // The pool's workers are unref'd, so nothing else keeps the event loop
        // alive while dispose() waits for their 'exit' events: without this
        // timer Node ends the process mid-await (exit code 13).
        const keepAlive = setInterval(() => {}, 1000);
        await op.dispose();
        clearInterval(keepAlive);
      }
    }
  }
  // Nodal 3×3 block Jacobi with the fastest serial operator (every free node has 3 DOFs here).
  const serial = ours.filter((r) => r.threads === 1);
  const fastest = serial.reduce((a, r) => (r.msPerIteration < a.msPerIteration ? r : a));
  const fastestOp = fastest.operator === 'sbsr3' ? sbsr3Op : fastest.operator === 'bsr3' ? bsr3Operator(bsr3FromCsr(K)) : csrOperator(K);
  const blockPtr = Uint32Array.from({ length: dofs / 3 + 1 }, (_, k) => 3 * k);
  const Mb = nodalBlockJacobiPreconditioner(K, blockPtr);
  ours.push(runOurs(fastest.operator, fastestOp, b, Mb, 'block-jacobi', 1, 0));

  const loadAverage1 = Math.round(loadavg()[0] * 100) / 100;
  log(`  load average ${loadAverage1}`);
  return { cells: n ** 3, divisions: n, dofs, nnz, assembleMs, reduceMs, exportMs, rssMiB: rssMiB(), loadAverage1, scipy, ours };
}

function bestOf(runs: OursRun[], filter: (r: OursRun) => boolean): OursRun {
  return runs.filter(filter).reduce((a, r) => (r.msPerIteration < a.msPerIteration ? r : a));
}

/**
 * JIT warm-up: one small solve with every operator and preconditioner, so the
 * first measured size does not pay V8's compilation (scipy's kernels are C).
 */
async function warmUp(): Promise<void> {
  const { model, loadCase } = cubeModel(6);
  const prepared = prepareModel(model, { preconditioner: 'jacobi' });
  const f = assembleLoadVector(model, prepared.family, prepared.transform.layout, loadCase);
  const b = reduceLoad(prepared.stiffness, prepared.transform, f);
  const K = prepared.reduced;
  const M = jacobiPreconditioner(K);
  const Mb = nodalBlockJacobiPreconditioner(K, Uint32Array.from({ length: K.rows / 3 + 1 }, (_, k) => 3 * k));
  for (const op of [csrOperator(K), bsr3Operator(bsr3FromCsr(K)), sbsr3Operator(sbsr3FromCsr(K))]) {
    for (let rep = 0; rep < 3; rep++) {
      pcg(op, b, { preconditioner: M, tolerance: TOLERANCE });
      pcg(op, b, { preconditioner: Mb, tolerance: TOLERANCE });
    }
  }
}

const machine = machineInfo();
await warmUp();
const results: SizeResult[] = [];
for (const n of sizes) {
  results.push(await benchSize(n));
  globalThis.gc?.();
}

// ---- tables ----
const ratio = (a: number, b: number | undefined) => (b ? fmt(a / b, 2) : '—');
const headline = markdownTable(
  [
    'cells',
    'DOF',
    'nnz',
    'ours ms/it (serial)',
    `ours ms/it (${threads} thr)`,
    'scipy ms/it',
    'ratio serial',
    `ratio ${threads} thr`,
    'it ours / scipy',
    'SpMV ms ours / scipy',
  ],
  results.map((r) => {
    const s = bestOf(r.ours, (o) => o.preconditioner === 'jacobi' && o.threads === 1);
    const p = bestOf(r.ours, (o) => o.preconditioner === 'jacobi');
    const sc = r.scipy;
    return [
      `${r.divisions}³`,
      fmt(r.dofs),
      fmt(r.nnz),
      `${fmt(s.msPerIteration, 2)} (${s.operator})`,
      `${fmt(p.msPerIteration, 2)} (${p.operator})`,
      fmt(sc?.ms_per_iteration, 2),
      ratio(s.msPerIteration, sc?.ms_per_iteration),
      ratio(p.msPerIteration, sc?.ms_per_iteration),
      `${s.iterations} / ${sc ? sc.iterations : '—'}`,
      `${fmt(s.spmvMs, 2)} / ${fmt(sc?.spmv_ms_min, 2)}`,
    ];
  }),
);

const detail = markdownTable(
  ['cells', 'operator', 'threads', 'preconditioner', 'SpMV ms', 'ms/it', 'rest of it ms', 'iterations', 'total s', 'true rel. residual', 'setup ms'],
  results.flatMap((r) => [
    ...r.ours.map((o) => [
      `${r.divisions}³`,
      o.operator,
      String(o.threads),
      o.preconditioner,
      fmt(o.spmvMs, 2),
      fmt(o.msPerIteration, 2),
      fmt(o.msPerIteration - o.spmvMs, 2),
      String(o.iterations),
      fmt(o.totalMs / 1000, 2),
      o.trueRelativeResidual.toExponential(2),
      fmt(o.setupMs, 0),
    ]),
    ...(r.scipy
      ? [
          [
            `${r.divisions}³`,
            'scipy csr_matrix',
            '1',
            'jacobi',
            fmt(r.scipy.spmv_ms_min, 2),
            fmt(r.scipy.ms_per_iteration, 2),
            fmt(r.scipy.ms_per_iteration - r.scipy.spmv_ms_min, 2),
            String(r.scipy.iterations),
            fmt(r.scipy.total_ms / 1000, 2),
            r.scipy.true_relative_residual.toExponential(2),
            '—',
          ],
        ]
      : []),
  ]),
);

const scipyVersions = results.find((r) => r.scipy)?.scipy?.versions;
const notes = [
  `Problem: unit cube, n³ hex8 cells, E = 1000 MPa, ν = 0.3, zmin fixed, traction (0, 0, −1) MPa on zmax; ` +
    `both sides solve the same exported reduced system K_r·û = f_r to relative residual ${TOLERANCE} (zero initial guess).`,
  `"ms/it" = wall time of the CG call / iterations (spinefea: the \`pcg\` loop incl. its final true-residual check; ` +
    `scipy: \`scipy.sparse.linalg.cg\` with a Jacobi \`LinearOperator\`). "SpMV ms" = best of several \`y ← A·x\`. ` +
    `"rest of it" = ms/it − SpMV (vector updates, dot products, preconditioner, call overhead).`,
  `Operators: csr = \`csrOperator\`; bsr3 = \`bsr3Operator(bsr3FromCsr(K))\` (3×3 blocks, one column index per block); ` +
    `sbsr3 = \`sbsr3Operator(sbsr3FromCsr(K))\` (diagonal + upper blocks only, half the matrix traffic); ` +
    `×${threads} = \`parallelBsr3Operator\` / \`parallelSbsr3Operator\` with ${threads} threads (worker_threads + SharedArrayBuffer). ` +
    `scipy's csr_matvec is single-threaded and scipy ran with OPENBLAS_NUM_THREADS=${blasThreads} ` +
    `(numpy's dot products), so "ratio serial" is the like-for-like figure.`,
  `block-jacobi = \`nodalBlockJacobiPreconditioner\` (inverted 3×3 nodal diagonal blocks), shown for information.`,
];
const markdown = [
  '## Jacobi-PCG per iteration, spinefea vs scipy',
  '',
  headline,
  '',
  '## Every spinefea run',
  '',
  detail,
  '',
  ...notes.map((n) => `- ${n}`),
  ...(scipyMissing ? ['', `> scipy column skipped: ${scipyMissing}`] : []),
].join('\n');

console.log(`\n${markdown}\n`);
if (write) {
  const paths = writeResults({
    name: 'pcg-vs-scipy',
    title: 'PCG vs scipy: Jacobi-preconditioned CG on the hex8 unit cube',
    machine,
    command: commandLine(),
    versions: scipyVersions
      ? { python: scipyVersions.python, numpy: scipyVersions.numpy, scipy: scipyVersions.scipy, OPENBLAS_NUM_THREADS: blasThreads }
      : {},
    data: { tolerance: TOLERANCE, threads, blasThreads, loadAverageAtEnd: loadavg(), sizes: results },
    markdown,
  });
  log(`wrote ${paths.json} and ${paths.md}`);
}
