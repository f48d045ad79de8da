/**
 * The sweep runner: design points from a seeded sampler, solved by a pool of
 * child processes (one per core by default), each result appended to a JSONL
 * file the moment it finishes (one fsynced line), a progress bar with ETA on
 * stderr. Resumable: on restart the keys already in the file (index + input
 * hash) are skipped, a torn last line is cut, so an interrupted sweep loses at
 * most the cases that were running and never duplicates a finished one.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SurrogateInputError } from './errors.js';
import { DESIGN_DIMENSIONS, DESIGN_INPUTS, type Configuration, type DesignPoint } from './design-space.js';
import { designPointFromUnitCube } from './design-mapping.js';
import { sampleUnitCube, type SamplerName } from './sampling.js';
import { readRecords, recordKey, RecordWriter, type SweepRecord } from './records.js';
import type { SimulationSettings } from './simulate.js';
import { SolverPool, type SolverTask } from './solver-pool.js';
import type { QueueSweepOptions } from './queue-connection.js';

/** Options of {@link runSweep}. */
export interface SweepOptions extends SimulationSettings {
  /** Output file: `.jsonl`, or `.jsonl.gz` (records go to the `.jsonl` beside it while running, compressed at the end). */
  out: string;
  /** Design points (indices `start … start + points − 1` of the sampler's sequence). */
  points: number;
  /** First design point index (default 0): shard a sweep over machines by disjoint ranges. */
  start?: number;
  sampler?: SamplerName;
  seed?: number;
  /** Worker processes (default: all cores). */
  workers?: number;
  /** Solve again the points recorded as failed (default false: a failure is a finished case). */
  retryFailed?: boolean;
  /**
   * Solve only the design points of these configurations (default all): e.g. a
   * replicate of the instrumented points on a shifted grid (`gridShift`).
   */
  configurations?: readonly Configuration[];
  /**
   * Module that simulates one point instead of the solver (tests): it exports
   * `simulate(index, point, settings): SweepRecord | Promise<SweepRecord>`. Absolute path.
   */
  simulatorModule?: string;
  /** Progress bar on stderr (default true). */
  progress?: boolean;
  /** Called after each finished point. */
  onRecord?: (r: SweepRecord, done: number, total: number) => void;
  /**
   * Solve on a BullMQ queue in Redis instead of local processes: this process becomes the
   * coordinator (enqueues the points not in the file, collects the workers' records into it);
   * `spinefea worker` / `startSweepWorker` processes on any machines solve them.
   */
  queue?: QueueSweepOptions;
}

/** What {@link runSweep} did. */
export interface SweepSummary {
  file: string;
  /** Points in the requested range. */
  total: number;
  /** Already in the file before this run (skipped). */
  skipped: number;
  /** Solved in this run. */
  solved: number;
  ok: number;
  failed: number;
  wallSeconds: number;
  /** Mean wall time of one point over the points solved in this run, s (per worker). */
  meanPointSeconds: number;
  /** Data card file. */
  card: string;
}

/** The design points of a sweep: indices start…start+n−1 of the seeded sampler. */
export function sweepDesignPoints(sampler: SamplerName, seed: number, start: number, n: number): { index: number; point: DesignPoint }[] {
  const u = sampleUnitCube(sampler, start + n, DESIGN_DIMENSIONS, seed);
  const out: { index: number; point: DesignPoint }[] = [];
  for (let i = start; i < start + n; i++) out.push({ index: i, point: designPointFromUnitCube(u.subarray(i * DESIGN_DIMENSIONS, (i + 1) * DESIGN_DIMENSIONS)) });
  return out;
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Paths of a sweep's working JSONL, final file, data card and superseded-records sidecar. */
export function sweepPaths(out: string): { jsonl: string; final: string; card: string; superseded: string } {
  const jsonl = out.endsWith('.gz') ? out.slice(0, -3) : out;
  const base = jsonl.replace(/\.jsonl$/, '');
  return { jsonl, final: out, card: base + '.card.json', superseded: base + '.superseded.jsonl' };
}

interface SweepPlan {
  sampler: SamplerName;
  seed: number;
  start: number;
  paths: ReturnType<typeof sweepPaths>;
  /** Configurations solved (null: all). */
  only: Set<string> | null;
  /** Every design point of the sweep's range (and configurations). */
  all: SolverTask[];
  /** The points not yet in the file. */
  todo: SolverTask[];
}

/** Check the options, resume from the file, and list what is left to solve. */
function planSweep(o: SweepOptions): SweepPlan {
  const sampler = o.sampler ?? 'sobol';
  const seed = o.seed ?? 1;
  const start = o.start ?? 0;
  if (!Number.isInteger(o.points) || o.points < 1) throw new SurrogateInputError('points', `must be a positive integer, got ${o.points}`);
  if (!Number.isInteger(start) || start < 0) throw new SurrogateInputError('start', `must be a non-negative integer, got ${start}`);
  if (!(o.resolution >= 0.25 && o.resolution <= 2)) throw new SurrogateInputError('resolution', `${o.resolution} mm is outside 0.25–2 mm`);
  if (o.gridShift) for (const [k, v] of o.gridShift.entries()) if (!(v >= 0 && v < 1)) throw new SurrogateInputError('gridShift', `axis ${k}: ${v} is not a fraction of a voxel in [0, 1)`);
  const paths = sweepPaths(o.out);
  // Resume from a compressed file when the working file is gone.
  if (!existsSync(paths.jsonl) && paths.final !== paths.jsonl && existsSync(paths.final)) {
    writeFileSync(paths.jsonl, gunzipSync(readFileSync(paths.final)));
  }
  const existing = readRecords(paths.jsonl).records;
  const doneKeys = new Set(existing.filter((r) => r.status === 'ok' || !o.retryFailed).map((r) => r.key));
  const only = o.configurations?.length ? new Set<string>(o.configurations) : null;
  const settings: SimulationSettings = {
    resolution: o.resolution,
    ...(o.preconditioner ? { preconditioner: o.preconditioner } : {}),
    ...(o.maxIterations ? { maxIterations: o.maxIterations } : {}),
    ...(o.gridShift ? { gridShift: o.gridShift } : {}),
  };
  const all = sweepDesignPoints(sampler, seed, start, o.points)
    .filter(({ point }) => !only || only.has(point.configuration))
    .map((p) => ({ ...p, settings }));
  const todo = all.filter(({ index, point }) => !doneKeys.has(recordKey(index, point, o.resolution)));
  return { sampler, seed, start, paths, only, all, todo };
}

/** Solve the points in a pool of child processes; `queue` is consumed (emptied by a stop signal). */
async function solveLocally(queue: SolverTask[], workers: number, simulatorModule: string | undefined, finish: (r: SweepRecord) => void): Promise<void> {
  const pool = new SolverPool({ size: workers, ...(simulatorModule ? { simulatorModule } : {}) });
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let t = queue.shift(); t; t = queue.shift()) finish(await pool.solve(t));
      }),
    );
  } finally {
    pool.close();
  }
}

/** Counts of a running sweep and its progress line on stderr (bar, ok/failed, a queue's running points and live workers, ETA). */
class SweepTally {
  ok = 0;
  failed = 0;
  solved = 0;
  /** Sum of the points' wall times in their processes, s. */
  sumPoint = 0;
  /** A queue's points in progress and live workers (worker count −1: unknown). */
  private live?: { running: number; workers: number };
  private readonly tty = process.stderr.isTTY;

  constructor(private readonly on: boolean, private readonly total: number, private readonly skipped: number, private readonly t0: number) {}

  add(r: SweepRecord): void {
    this.solved++;
    if (r.status === 'ok') this.ok++;
    else this.failed++;
    this.sumPoint += r.timing.totalMs / 1000;
    this.show();
  }

  /** New queue figures: redrawn only when they change (a non-TTY log gets a line per change, not per poll). */
  setLive(l: { running: number; workers: number }): void {
    const changed = l.running !== this.live?.running || l.workers !== this.live?.workers;
    this.live = l;
    if (changed) this.show();
  }

  show(final = false): void {
    if (!this.on) return;
    const { solved, total, skipped, live } = this;
    const done = skipped + solved;
    const el = (performance.now() - this.t0) / 1000;
    const eta = (total - done) * (el / solved); // wall s per point with all workers
    const w = 24;
    const fill = Math.round((w * done) / Math.max(1, total));
    const queued = live ? ` · running ${live.running} · workers ${live.workers < 0 ? '?' : live.workers}` : '';
    const line = `sweep [${'#'.repeat(fill)}${'-'.repeat(w - fill)}] ${done}/${total} (${skipped} resumed) ok ${this.ok} failed ${this.failed}${queued} · ${(this.sumPoint / Math.max(1, solved)).toFixed(1)} s/point/worker · elapsed ${fmtDuration(el)} · ETA ${solved ? fmtDuration(eta) : '—'}`;
    process.stderr.write(this.tty ? `\r${line}${final ? '\n' : ''}` : `${line}\n`);
  }
}

/**
 * Run (or resume) a sweep: locally in a pool of child processes, or with `queue` as the
 * coordinator of workers on other machines. Either way the records land in the same file.
 *
 * @example
 * ```ts
 * const s = await runSweep({ out: 'data/pilot.jsonl', points: 4, resolution: 2, seed: 1 });
 * console.log(`${s.ok} ok, ${s.failed} failed, ${s.meanPointSeconds.toFixed(1)} s per point`);
 * ```
 */
export async function runSweep(o: SweepOptions): Promise<SweepSummary> {
  const t0 = performance.now();
  const plan = planSweep(o);
  // a queue is reached before anything is written: a bad URL or a refused connection fails at once
  const coordinator = o.queue ? await (await import('./queue-coordinator.js')).openQueueCoordinator(o.queue) : undefined;
  const { todo, paths } = plan;
  const nWorkers = Math.max(1, Math.min(o.workers ?? availableParallelism(), o.points));
  const writer = new RecordWriter(paths.jsonl);
  const total = plan.all.length;
  const skipped = total - todo.length;
  const tally = new SweepTally(o.progress ?? true, total, skipped, t0);
  let workersSeen = 0;
  tally.show();

  const queue = todo.slice();
  const finish = (r: SweepRecord) => {
    writer.append(r);
    tally.add(r);
    o.onRecord?.(r, skipped + tally.solved, total);
  };
  // Ctrl-C / SIGTERM: hand out no new points, let the ones in progress finish, then write the
  // data card as usual (a second signal aborts; finished points are on disk either way).
  // A coordinator stops collecting: its points stay queued, the workers go on, a rerun collects.
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    queue.length = 0;
    process.stderr.write(coordinator
      ? `\nsweep: ${sig} — the coordinator stops collecting; queued points stay queued and the workers go on; run the same command to collect them (again to abort)\n`
      : `\nsweep: ${sig} — finishing the points in progress, then stopping (again to abort)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (coordinator) {
      const r = await coordinator.run({ tasks: todo, all: plan.all, record: finish, status: (l) => tally.setLive(l), stopping: () => stopping });
      workersSeen = r.workersSeen;
    } else await solveLocally(queue, Math.min(nWorkers, Math.max(1, queue.length)), o.simulatorModule, finish);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    writer.close();
    await coordinator?.close();
  }
  if (stopping) process.stderr.write('sweep: stopped early; run the same command to resume\n');
  tally.show(true);
  const wallSeconds = (performance.now() - t0) / 1000;
  const card = finishSweep(o, plan, wallSeconds, coordinator ? { ...coordinator.describe(), workersSeen } : nWorkers);
  const { solved, ok, failed } = tally;
  return { file: paths.final, total, skipped, solved, ok, failed, wallSeconds, meanPointSeconds: tally.sumPoint / Math.max(1, solved), card };
}

/**
 * Write the data card and, when every point is in, move superseded records aside and
 * compress. Returns the card's path.
 */
function finishSweep(o: SweepOptions, plan: SweepPlan, wallSeconds: number, workers: number | { url: string; name: string; workersSeen: number }): string {
  const { paths, all, only, start, sampler, seed } = plan;
  // Records of an index in range whose key is not the current one were solved under an
  // earlier mapping of the unit cube to design points (e.g. a changed implant fit): valid
  // solver results at their own inputs, but not this sweep's design points. They are left
  // out of the counts and, when the sweep is complete, moved to a sidecar file.
  const currentKeys = new Set(all.map(({ index, point }) => recordKey(index, point, o.resolution)));
  const inRange = (r: SweepRecord) => r.index >= start && r.index < start + o.points && (!only || only.has(r.inputs.configuration));
  const fileRecords = readRecords(paths.jsonl).records;
  const stale = fileRecords.filter((r) => inRange(r) && !currentKeys.has(r.key));
  const records = fileRecords.filter((r) => !inRange(r) || currentKeys.has(r.key));
  const have = new Set(records.map((r) => r.key));
  const complete = [...currentKeys].every((k) => have.has(k));
  // Data card: counts over the whole file; wall time accumulated over resumed runs.
  let previous = 0;
  if (existsSync(paths.card)) {
    try {
      previous = JSON.parse(readFileSync(paths.card, 'utf8')).wallSecondsTotal ?? 0;
    } catch {
      previous = 0;
    }
  }
  const okRecs = records.filter((r) => r.status === 'ok');
  const failureKey = (r: SweepRecord) => `${r.error?.stage}: ${r.error?.parameter ?? r.error?.name}`;
  const card = {
    format: 'spinefea-sweep-card/1',
    file: paths.final,
    sampler: sampler === 'sobol' ? "Sobol' (Joe–Kuo 6.21201 direction numbers, seeded digital shift)" : 'Latin hypercube (mulberry32 PRNG)',
    samplerName: sampler,
    seed,
    indices: [start, start + o.points - 1],
    resolutionMm: o.resolution,
    ...(o.gridShift ? { gridShift: o.gridShift } : {}),
    ...(only ? { configurations: [...only] } : {}),
    preconditioner: o.preconditioner ?? 'amg',
    solverVersions: [...new Set(records.map((r) => r.solverVersion))],
    inputs: DESIGN_INPUTS,
    records: records.length,
    ok: okRecs.length,
    failed: records.length - okRecs.length,
    ...(stale.length ? { superseded: { records: stale.length, file: paths.superseded, why: 'solved under an earlier mapping of the same index to a design point (inputs differ); valid at their own inputs, not part of this sweep' } } : {}),
    unstable: okRecs.filter((r) => r.outputs?.unstable).length,
    failures: Object.entries(records.filter((r) => r.status === 'failed').reduce<Record<string, number>>((a, r) => ((a[failureKey(r)] = (a[failureKey(r)] ?? 0) + 1), a), {})),
    meanPointSeconds: okRecs.reduce((a, r) => a + r.timing.totalMs, 0) / Math.max(1, okRecs.length) / 1000,
    ...(typeof workers === 'number' ? { workers } : { workers: workers.workersSeen, queue: { url: workers.url, name: workers.name } }),
    wallSecondsTotal: previous + wallSeconds,
    updated: new Date().toISOString(),
  };
  writeFileSync(paths.card, JSON.stringify(card, null, 2) + '\n');
  if (complete && stale.length) {
    // move the superseded records aside (appended: nothing is ever lost), then rewrite the file atomically
    appendFileSync(paths.superseded, stale.map((r) => JSON.stringify(r) + '\n').join(''));
    writeFileSync(paths.jsonl + '.tmp', records.map((r) => JSON.stringify(r) + '\n').join(''));
    renameSync(paths.jsonl + '.tmp', paths.jsonl);
  }
  if (paths.final !== paths.jsonl && complete) {
    // complete: compress atomically (write a temp, rename) and drop the working file
    writeFileSync(paths.final + '.tmp', gzipSync(readFileSync(paths.jsonl)));
    renameSync(paths.final + '.tmp', paths.final);
    unlinkSync(paths.jsonl);
  }
  return paths.card;
}
