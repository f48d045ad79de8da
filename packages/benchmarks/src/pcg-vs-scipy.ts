/**
 * Jacobi-PCG per-iteration cost: spinefea vs scipy.sparse.linalg.cg on the
 * SAME reduced stiffness matrix and right-hand side.
 *
 * Problem (the reference case): unit cube of n³ hex8 cells,
 * E = 1000 MPa, ν = 0.3, face zmin fixed (all three components), face zmax
 * loaded by a uniform traction (0, 0, −1) MPa. 69³ cells → 1,014,300 free
 * DOFs, ≈ 80 M nonzeros.
 *
 * For each size: assemble and reduce with spinefea (`prepareModel`), take
 * the reduced system with `reducedSystem`, export K_r and f_r as raw
 * little-endian binaries + a JSON header to `packages/benchmarks/tmp/`, run
 * `python3 scipy_cg.py <header.json>` (scipy CG + Jacobi to rtol 1e-8; only
 * the cg call is timed), then run spinefea's `pcg` with the same tolerance
 * using every SpMV operator the library offers (CSR, BSR3, symmetric BSR3,
 * and their 2-thread variants) with the Jacobi preconditioner, plus nodal
 * block-Jacobi (3×3) with the fastest serial operator for information.
 *
 * Run: `cd /work/main && node --conditions=@spinefea/source --import tsx packages/benchmarks/src/pcg-vs-scipy.ts [--sizes 20,40,69] [--quick] [--threads 2] [--cap 60] [--full-all] [--python python3] [--blas-threads 1] [--keep] [--no-write]`
 *   --quick     sizes 10,20 (smoke test, seconds)
 *   --cap       iterations of the screening run of each operator (default 60);
 *               full converged solves then run with the fastest serial and the
 *               fastest threaded operator, and block-Jacobi with the fastest serial
 *   --full-all  converge with every operator instead (slow at 1M DOF: CSR ≈ 4 min)
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
import { prepareModel, type FeModel, type LoadCase } from '@spinefea/core';
import {
  bsr3FromCsr,
  bsr3Operator,
  csrOperator,
  parallelBsr3Operator,
  parallelSbsr3Operator,
  sbsr3FromCsr,
  sbsr3Operator,
  writeCsrBinary,
  type CsrMatrix,
  type FusedLinearOperator,
  type ParallelOperator,
  type Preconditioner,
} from '@spinefea/core/linalg';
import { jacobiPreconditioner, nodalBlockJacobiPreconditioner, pcg } from '@spinefea/core/solvers';
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
  cpu_ms_per_iteration: number;
  spmv_in_cg_ms_per_iteration: number;
  spmv_in_cg_cpu_ms_per_iteration: number;
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
  /** True when the run stopped at the screening cap (per-iteration figures only). */
  capped: boolean;
  converged: boolean;
  totalMs: number;
  msPerIteration: number;
  /** Wall time inside the operator during the solve, per iteration (ms); the rest is vector work. */
  spmvInCgMsPerIteration: number;
  /** Process CPU time inside the operator during the solve, per iteration (ms). */
  spmvInCgCpuMsPerIteration: number;
  /** Process CPU time (user + system, all threads) per iteration, ms: robust to time-slicing on a busy machine. */
  cpuMsPerIteration: number;
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
const fullAll = flags['full-all'] === true;
const cap = numberFlag(flags, 'cap', 60);
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

/**
 * Exports K_r with the library's `writeCsrBinary` (raw little-endian arrays +
 * `K.json`) and f_r as `rhs.f64`, plus the benchmark header naming both;
 * returns the header path.
 */
async function exportSystem(dir: string, K: CsrMatrix, b: Float64Array): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await writeCsrBinary(join(dir, 'K'), K);
  writeFileSync(join(dir, 'rhs.f64'), new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  const header = join(dir, 'header.json');
  const h = { matrix: 'K.json', rhs: 'rhs.f64', n: K.rows, nnz: K.colIdx.length, rtol: TOLERANCE, maxiter: 20000, spmv_repeats: 5 };
  writeFileSync(header, JSON.stringify(h, null, 2));
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

/**
 * Wraps an operator so that the wall and process-CPU time spent in SpMV
 * during a solve are summed (a clock pair per product, ~1 µs: negligible
 * next to a product of ≥ 0.1 ms).
 */
function timedOperator(op: FusedLinearOperator): FusedLinearOperator & { spmvMs: number; spmvCpuMs: number } {
  const t = {
    size: op.size,
    spmvMs: 0,
    spmvCpuMs: 0,
    apply(x: Float64Array, y: Float64Array): void {
      t.applyDot(x, y);
    },
    applyDot(x: Float64Array, y: Float64Array): number {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const d = op.applyDot(x, y);
      t.spmvMs += performance.now() - t0;
      const c = process.cpuUsage(c0);
      t.spmvCpuMs += (c.user + c.system) / 1000;
      return d;
    },
  };
  return t;
}

/**
 * Times SpMV and one PCG solve with operator `op`: to convergence, or for
 * `cap` iterations when given (per-iteration cost only).
 */
function runOurs(
  name: string,
  op: FusedLinearOperator,
  b: Float64Array,
  M: Preconditioner,
  preconditioner: OursRun['preconditioner'],
  nThreads: number,
  setupMs: number,
  cap?: number,
): OursRun {
  const x = new Float64Array(op.size);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i); // deterministic, non-trivial
  const y = new Float64Array(op.size);
  const spmv = timeIt(() => op.apply(x, y), { warmup: 2, repeats: 8 });
  const timedOp = timedOperator(op);
  const cpu0 = process.cpuUsage();
  const sol = pcg(timedOp, b, { preconditioner: M, tolerance: TOLERANCE, maxIterations: cap ?? 20000, allowNotConverged: true });
  const cpu = process.cpuUsage(cpu0);
  const its = Math.max(sol.iterations, 1);
  const run: OursRun = {
    operator: name,
    preconditioner,
    threads: nThreads,
    spmvMs: spmv.min,
    iterations: sol.iterations,
    capped: cap !== undefined && !sol.converged && sol.iterations >= cap,
    converged: sol.converged,
    totalMs: sol.timeMs,
    msPerIteration: sol.timeMs / its,
    spmvInCgMsPerIteration: timedOp.spmvMs / its,
    spmvInCgCpuMsPerIteration: timedOp.spmvCpuMs / its,
    cpuMsPerIteration: (cpu.user + cpu.system) / 1000 / its,
    trueRelativeResidual: sol.relativeResidual,
    solutionNorm: norm(sol.x),
    setupMs,
  };
  log(
    `  ${name.padEnd(9)} ${preconditioner.padEnd(12)} SpMV ${spmv.min.toFixed(2)} ms, ${sol.iterations}${run.capped ? ' (capped)' : ''} it, ` +
      `${run.msPerIteration.toFixed(2)} ms/it (CPU ${run.cpuMsPerIteration.toFixed(2)}), ${(sol.timeMs / 1000).toFixed(2)} s, rel ${sol.relativeResidual.toExponential(2)}`,
  );
  return run;
}

async function benchSize(n: number): Promise<SizeResult> {
  log(`n = ${n}: building ${n}³ hex8 cube`);
  const { model, loadCase } = cubeModel(n);
  // The prepared model is dropped once its reduced system is copied out, so only the copy stays resident.
  const { K, b, assembleMs, reduceMs } = ((prepared) => {
    const { matrix, rhs } = prepared.reducedSystem(loadCase);
    return { K: matrix, b: rhs, assembleMs: prepared.timings.assemble, reduceMs: prepared.timings.reduce };
  })(prepareModel(model, { preconditioner: 'jacobi' }));
  const dofs = K.rows;
  const nnz = K.colIdx.length;
  if (dofs % 3 !== 0) throw new Error(`reduced size ${dofs} is not a multiple of 3; BSR3 needs whole nodes`);
  log(`  ${fmt(dofs)} DOF, ${fmt(nnz)} nnz; assemble ${assembleMs.toFixed(0)} ms, reduce ${reduceMs.toFixed(0)} ms, RSS ${rssMiB()} MiB`);

  // scipy first, while only the CSR copy is resident.
  const dir = join(TMP_DIR, `pcg-vs-scipy-${n}`);
  const te = performance.now();
  const header = await exportSystem(dir, K, b);
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

  // Every operator the library offers for this matrix; parallel ones own worker threads.
  const Mj = jacobiPreconditioner(K);
  const ops: { name: string; threads: number; op: FusedLinearOperator; setupMs: number; dispose?: () => Promise<void> }[] = [];
  const add = async (name: string, nThreads: number, make: () => FusedLinearOperator | Promise<ParallelOperator>) => {
    const t = performance.now();
    const op = await make();
    ops.push({ name, threads: nThreads, op, setupMs: performance.now() - t, dispose: 'dispose' in op ? () => op.dispose() : undefined });
  };
  await add('csr', 1, () => csrOperator(K));
  await add('bsr3', 1, () => bsr3Operator(bsr3FromCsr(K)));
  await add('sbsr3', 1, () => sbsr3Operator(sbsr3FromCsr(K)));
  if (threads > 1) {
    await add(`bsr3×${threads}`, threads, () => parallelBsr3Operator(bsr3FromCsr(K, { shared: true }), { threads }));
    await add(`sbsr3×${threads}`, threads, () => parallelSbsr3Operator(sbsr3FromCsr(K, { shared: true }), { threads }));
  }
  const ours: OursRun[] = [];
  try {
    // Screening: SpMV and per-iteration cost of every operator over a capped
    // run (CG iterates identically up to round-off whatever the operator, so
    // the full count comes from the full solves below).
    for (const o of ops) ours.push(runOurs(o.name, o.op, b, Mj, 'jacobi', o.threads, o.setupMs, fullAll ? undefined : cap));
    const screened = [...ours];
    const fastest = (pred: (r: OursRun) => boolean) =>
      screened.filter(pred).reduce((a, r) => (r.msPerIteration < a.msPerIteration ? r : a));
    const opOf = (r: OursRun) => ops.find((o) => o.name === r.operator)!;
    const bestSerial = fastest((r) => r.threads === 1);
    if (!fullAll) {
      // Full converged solves: the fastest serial and the fastest threaded operator.
      ours.push(runOurs(bestSerial.operator, opOf(bestSerial).op, b, Mj, 'jacobi', 1, bestSerial.setupMs));
      if (threads > 1) {
        const bestPar = fastest((r) => r.threads > 1);
        ours.push(runOurs(bestPar.operator, opOf(bestPar).op, b, Mj, 'jacobi', bestPar.threads, bestPar.setupMs));
      }
    }
    // Nodal 3×3 block Jacobi with the fastest serial operator (every free node has 3 DOFs here).
    const blockPtr = Uint32Array.from({ length: dofs / 3 + 1 }, (_, k) => 3 * k);
    const Mb = nodalBlockJacobiPreconditioner(K, blockPtr);
    ours.push(runOurs(bestSerial.operator, opOf(bestSerial).op, b, Mb, 'block-jacobi', 1, 0));
  } finally {
    // The pool's workers are unref'd, so nothing else keeps the event loop
    // alive while dispose() waits for their 'exit' events: without this timer
    // Node ends the process mid-await (exit code 13, unsettled top-level await).
    const keepAlive = setInterval(() => {}, 1000);
    for (const o of ops) await o.dispose?.();
    clearInterval(keepAlive);
  }

  const loadAverage1 = Math.round(loadavg()[0] * 100) / 100;
  log(`  load average ${loadAverage1}`);
  return { cells: n ** 3, divisions: n, dofs, nnz, assembleMs, reduceMs, exportMs, rssMiB: rssMiB(), loadAverage1, scipy, ours };
}

function bestOf(runs: OursRun[], filter: (r: OursRun) => boolean): OursRun | undefined {
  const c = runs.filter(filter);
  return c.length ? c.reduce((a, r) => (r.msPerIteration < a.msPerIteration ? r : a)) : undefined;
}

/**
 * JIT warm-up: small solves with every serial operator and both
 * preconditioners, so the first measured size does not pay V8's compilation
 * (scipy's kernels are compiled C).
 */
function warmUp(): void {
  const { model, loadCase } = cubeModel(6);
  const { matrix: K, rhs: b } = prepareModel(model, { preconditioner: 'jacobi' }).reducedSystem(loadCase);
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
warmUp();
const results: SizeResult[] = [];
for (const n of sizes) {
  results.push(await benchSize(n));
  globalThis.gc?.();
}

// ---- tables ----
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? fmt(a / b, 2) : '—');
const headline = markdownTable(
  [
    'cells',
    'DOF',
    'nnz',
    'ours ms/it',
    'scipy ms/it',
    'ratio',
    'ours CPU ms/it',
    'scipy CPU ms/it',
    'CPU ratio',
    `ours ${threads} thr ms/it`,
    `ratio ${threads} thr`,
    'iterations ours / scipy',
    'SpMV ms ours / scipy',
  ],
  results.map((r) => {
    // Headline: the full converged Jacobi solve with the fastest serial operator.
    const s = bestOf(r.ours, (o) => o.preconditioner === 'jacobi' && o.threads === 1 && o.converged)!;
    const p = bestOf(r.ours, (o) => o.preconditioner === 'jacobi' && o.threads > 1 && o.converged);
    const sc = r.scipy;
    return [
      `${r.divisions}³`,
      fmt(r.dofs),
      fmt(r.nnz),
      `${fmt(s.msPerIteration, 2)} (${s.operator})`,
      fmt(sc?.ms_per_iteration, 2),
      ratio(s.msPerIteration, sc?.ms_per_iteration),
      fmt(s.cpuMsPerIteration, 2),
      fmt(sc?.cpu_ms_per_iteration, 2),
      ratio(s.cpuMsPerIteration, sc?.cpu_ms_per_iteration),
      p ? `${fmt(p.msPerIteration, 2)} (${p.operator})` : '—',
      ratio(p?.msPerIteration, sc?.ms_per_iteration),
      `${s.iterations} / ${sc ? sc.iterations : '—'}`,
      `${fmt(s.spmvMs, 2)} / ${fmt(sc?.spmv_ms_min, 2)}`,
    ];
  }),
);

const detail = markdownTable(
  ['cells', 'operator', 'threads', 'preconditioner', 'SpMV ms', 'ms/it', 'SpMV in CG ms/it', 'rest ms/it', 'CPU ms/it', 'SpMV CPU ms/it', 'rest CPU ms/it', 'iterations', 'total s', 'true rel. residual', 'setup ms'],
  results.flatMap((r) => [
    ...r.ours.map((o) => [
      `${r.divisions}³`,
      o.operator,
      String(o.threads),
      o.preconditioner,
      fmt(o.spmvMs, 2),
      fmt(o.msPerIteration, 2),
      fmt(o.spmvInCgMsPerIteration, 2),
      fmt(o.msPerIteration - o.spmvInCgMsPerIteration, 2),
      fmt(o.cpuMsPerIteration, 2),
      fmt(o.spmvInCgCpuMsPerIteration, 2),
      fmt(o.cpuMsPerIteration - o.spmvInCgCpuMsPerIteration, 2),
      o.capped ? `${o.iterations} (capped)` : String(o.iterations),
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
            fmt(r.scipy.spmv_in_cg_ms_per_iteration, 2),
            fmt(r.scipy.ms_per_iteration - r.scipy.spmv_in_cg_ms_per_iteration, 2),
            fmt(r.scipy.cpu_ms_per_iteration, 2),
            fmt(r.scipy.spmv_in_cg_cpu_ms_per_iteration, 2),
            fmt(r.scipy.cpu_ms_per_iteration - r.scipy.spmv_in_cg_cpu_ms_per_iteration, 2),
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
    `scipy: \`scipy.sparse.linalg.cg\` with a Jacobi \`LinearOperator\`). "SpMV ms" = best of several \`y ← A·x\` outside CG. ` +
    `"SpMV in CG" = wall time spent inside the operator during the solve / iterations (a timing wrapper on both sides); ` +
    `"rest" = ms/it − SpMV in CG (vector updates, dot products, preconditioner, interpreter/call overhead); ` +
    `the CPU columns split the process CPU time the same way. ` +
    `"CPU ms/it" = process CPU time (user + system, all threads) / iterations: on a shared machine wall time includes ` +
    `time-slicing by other processes, CPU time mostly does not (memory-bandwidth contention remains).`,
  `Headline "ours" = the full converged Jacobi solve with the fastest serial operator (picked by a ${cap}-iteration screening run ` +
    `of every operator, marked "capped" below); "ratio" = ours / scipy per iteration (< 1: spinefea faster).`,
  `Operators: csr = \`csrOperator\`; bsr3 = \`bsr3Operator(bsr3FromCsr(K))\` (3×3 blocks, one column index per block); ` +
    `sbsr3 = \`sbsr3Operator(sbsr3FromCsr(K))\` (diagonal + upper blocks only, half the matrix traffic); ` +
    `×${threads} = \`parallelBsr3Operator\` / \`parallelSbsr3Operator\` with ${threads} threads (worker_threads + SharedArrayBuffer). ` +
    `scipy's csr_matvec is single-threaded and scipy ran with OPENBLAS_NUM_THREADS=${blasThreads} ` +
    `(numpy's dot products), so the serial "ratio" is the like-for-like figure.`,
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
