/**
 * Throughput of a queued sweep: design points per hour with 1 and 2 `spinefea worker`
 * processes (concurrency 1 each) on a redis-server started here, beside the local
 * child-process pool with as many processes (what the queue costs on one machine).
 * Every configuration solves the same design points (Sobol' seed 1, indices 0 … n−1) with
 * the real solver into a fresh file; wall time runs from the coordinator's start (workers
 * already serving) to its last record. CPU per point is the solving child's CPU time.
 * The machinery's own ceiling is measured with the tests' stub solver (no delay):
 * `--overhead-points` points through the queue, where all the time is queue and processes.
 *
 * Run: `node --conditions=@spinefea/source --import tsx packages/benchmarks/src/queue-throughput.ts [--points 6] [--workers 1,2] [--resolution 2] [--overhead-points 200] [--no-local] [--no-write]`
 * Needs Debian's `redis-server`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSweep, type SweepRecord, type SweepSummary } from '@spinefea/surrogate';
// the surrogate tests' throw-away redis-server (free loopback port, no persistence)
import { startRedis } from '../../surrogate/test/fixtures/redis-server.js';
import { commandLine, fmt, intListFlag, log, machineInfo, markdownTable, numberFlag, parseFlags, TMP_DIR, writeResults } from './common.js';

interface Row {
  mode: 'queue' | 'local';
  /** The real solver, or the tests' stub (no delay: the machinery's overhead alone). */
  solver: 'real' | 'stub';
  workers: number;
  points: number;
  ok: number;
  failed: number;
  wallSeconds: number;
  pointsPerHour: number;
  /** Mean wall time of one point in its solving process, s. */
  meanPointSeconds: number;
  /** Mean CPU time of one point in its solving process, s. */
  meanPointCpuSeconds: number;
  /** CPU time of the coordinating process (this one) during the run, s. */
  coordinatorCpuSeconds: number;
}

const flags = parseFlags();
const points = Math.round(numberFlag(flags, 'points', 6));
const workerCounts = intListFlag(flags, 'workers', [1, 2]);
const resolution = numberFlag(flags, 'resolution', 2);
const overheadPoints = Math.round(numberFlag(flags, 'overhead-points', 200));
const cliMain = fileURLToPath(new URL('../../cli/src/main.ts', import.meta.url));
const stub = fileURLToPath(new URL('../../surrogate/test/fixtures/stub-simulator.ts', import.meta.url));

/** Start `spinefea worker` processes and wait until each serves the queue. */
async function startWorkers(url: string, name: string, n: number, env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  const args = ['--conditions=@spinefea/source', '--import', 'tsx', cliMain, 'worker', '--queue', url, '--queue-name', name, '--concurrency', '1'];
  const procs = Array.from({ length: n }, () => spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env }));
  await Promise.all(procs.map((p) => new Promise<void>((resolve, reject) => {
    let err = '';
    p.stderr!.on('data', (b) => {
      err += String(b);
      if (err.includes('serving queue')) resolve();
    });
    p.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`)));
  })));
  return procs;
}

async function measure(mode: Row['mode'], solver: Row['solver'], workers: number, url: string): Promise<Row> {
  const dir = mkdtempSync(join(TMP_DIR, 'queue-throughput-'));
  const records: SweepRecord[] = [];
  const name = `bench-${solver}-${workers}`;
  const env = solver === 'stub' ? { ...process.env, SPINEFEA_SWEEP_SIMULATOR: stub, SPINEFEA_STUB_DELAY_MS: '0' } : process.env;
  const procs = mode === 'queue' ? await startWorkers(url, name, workers, env) : [];
  const n = solver === 'stub' ? overheadPoints : points;
  const c0 = process.cpuUsage();
  let s: SweepSummary;
  try {
    s = await runSweep({
      out: join(dir, 's.jsonl'), points: n, resolution, seed: 1, progress: false, workers,
      ...(mode === 'queue' ? { queue: { url, name } } : {}),
      ...(solver === 'stub' ? { simulatorModule: stub } : {}),
      onRecord: (r) => records.push(r),
    });
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(0) : p.once('exit', r)))));
    if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  }
  const c = process.cpuUsage(c0);
  const mean = (f: (r: SweepRecord) => number) => records.reduce((a, r) => a + f(r), 0) / Math.max(1, records.length) / 1000;
  const row: Row = {
    mode, solver, workers, points: n, ok: s.ok, failed: s.failed, wallSeconds: s.wallSeconds, pointsPerHour: (n / s.wallSeconds) * 3600,
    meanPointSeconds: mean((r) => r.timing.totalMs), meanPointCpuSeconds: mean((r) => r.timing.cpuMs ?? 0), coordinatorCpuSeconds: (c.user + c.system) / 1e6,
  };
  log(`${mode} × ${workers} (${solver} solver): ${n} points in ${fmt(row.wallSeconds, 1)} s → ${fmt(row.pointsPerHour)} points/h`);
  return row;
}

mkdirSync(TMP_DIR, { recursive: true });
const machine = machineInfo(); // load average before the run
const redis = await startRedis();
const rows: Row[] = [];
try {
  for (const solver of overheadPoints > 0 ? (['real', 'stub'] as const) : (['real'] as const)) {
    for (const w of workerCounts) {
      rows.push(await measure('queue', solver, w, redis.url));
      if (!flags['no-local']) rows.push(await measure('local', solver, w, redis.url));
    }
  }
} finally {
  await redis.stop();
}

const table = markdownTable(
  ['mode', 'solver', 'worker processes', 'points (ok / failed)', 'wall (s)', 'points per hour', 'wall per point in its process (s)', 'CPU per point (s)', 'coordinator CPU (s)'],
  rows.map((r) => [r.mode === 'queue' ? 'queue (BullMQ + Redis)' : 'local pool', r.solver === 'real' ? `real, ${resolution} mm` : 'stub (no delay)', String(r.workers), `${r.points} (${r.ok} / ${r.failed})`, fmt(r.wallSeconds, 1), fmt(r.pointsPerHour), fmt(r.meanPointSeconds, 1), fmt(r.meanPointCpuSeconds, 1), fmt(r.coordinatorCpuSeconds, 2)]),
  ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
);
console.log(table);
if (!flags['no-write']) {
  const out = writeResults({
    name: 'queue-throughput',
    title: 'Queued sweep throughput — spinefea worker processes on BullMQ/Redis vs the local pool',
    machine,
    command: commandLine(),
    data: { resolution, seed: 1, rows },
    markdown: `${table}\n\nThe same ${points} design points (Sobol' seed 1, indices 0–${points - 1}, ${resolution} mm, AMG) in every real-solver row; a mesher refusal is a fast failed point. Stub rows: ${overheadPoints} points through the tests' stub solver with no delay, so all their time is the machinery (queue round trips, IPC to the solver processes, fsynced appends): the ceiling of points per hour the queue itself allows. Queue rows: \`spinefea worker --concurrency 1\` processes on a local redis-server, the coordinator in the benchmark process; wall time from the coordinator's start (workers already serving) to its last record. Wall per point ≫ CPU per point means the cores were shared (other processes on the machine). Points per hour scale with worker processes until the cores are busy; on more machines, with machines.`,
  });
  log(`wrote ${out.md}`);
}
