/**
 * A pool of child processes that solve design points (`sweep-worker`), one
 * point per child at a time. Shared by the local sweep (`runSweep`) and the
 * queue worker (`runSweepWorker`), so a point is solved by the same code on one
 * machine or on many. Solving in children keeps the parent's event loop free:
 * the queue worker renews its job locks while a solve runs for minutes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DesignPoint } from './design-space.js';
import { recordKey, type SweepRecord } from './records.js';
import type { SimulationSettings } from './simulate.js';

/** One design point to solve. */
export interface SolverTask {
  /** Design point index in the sampler's sequence. */
  index: number;
  point: DesignPoint;
  settings: SimulationSettings;
}

/** Options of {@link SolverPool}. */
export interface SolverPoolOptions {
  /** Child processes at most (≥ 1). */
  size: number;
  /**
   * Module that simulates one point instead of the solver (tests), absolute path; it exports
   * `simulate(index, point, settings)`. Default: `SPINEFEA_SWEEP_SIMULATOR` of the environment, else the solver.
   */
  simulatorModule?: string;
}

/** The worker entry next to this module (`.ts` from source, `.js` from a build) and the flags it needs. */
function workerEntry(): { path: string; execArgv: string[] } {
  for (const ext of ['js', 'ts']) {
    const p = fileURLToPath(new URL(`./sweep-worker.${ext}`, import.meta.url));
    if (!existsSync(p)) continue;
    if (ext === 'js') return { path: p, execArgv: [] };
    // from source: the worker needs tsx, resolved from here so any working directory will do
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return { path: p, execArgv: ['--conditions=@spinefea/source', '--import', tsx] };
  }
  throw new Error(`sweep-worker not found next to ${fileURLToPath(import.meta.url)}`);
}

/** The failed record of a point whose child process died while solving it (out of memory, crash, killed). */
export function workerExitRecord(t: SolverTask, code: number | null, signal: NodeJS.Signals | null): SweepRecord {
  return {
    key: recordKey(t.index, t.point, t.settings.resolution),
    index: t.index,
    status: 'failed',
    inputs: t.point,
    resolution: t.settings.resolution,
    ...(t.settings.gridShift ? { gridShift: t.settings.gridShift } : {}),
    error: { name: 'WorkerExit', message: `worker process exited (code ${code}, signal ${signal}) while solving`, stage: 'worker' },
    timing: { meshMs: 0, solveMs: 0, totalMs: 0 },
    solverVersion: '?',
    finishedAt: new Date().toISOString(),
  };
}

interface Slot {
  child: ChildProcess;
  busy?: { task: SolverTask; resolve: (r: SweepRecord) => void; reject: (e: Error) => void };
}

/**
 * Child processes solving design points; {@link SolverPool.solve} waits for a free child.
 * A child that dies on a point yields that point's `WorkerExit` failed record and is replaced.
 *
 * @example
 * ```ts
 * const pool = new SolverPool({ size: 2 });
 * const recs = await Promise.all(points.map(({ index, point }) => pool.solve({ index, point, settings: { resolution: 2 } })));
 * pool.close();
 * ```
 */
export class SolverPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly entry = workerEntry();
  private closed = false;

  constructor(private readonly opts: SolverPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError(`SolverPool size must be a positive integer, got ${opts.size}`);
  }

  /** Points being solved now. */
  get busy(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  /** Solve one point in a free child process (waits for one); resolves with its record. */
  async solve(task: SolverTask): Promise<SweepRecord> {
    if (this.closed) throw new Error('SolverPool is closed');
    let slot = this.slots.find((s) => !s.busy);
    while (!slot && this.slots.length >= this.opts.size) {
      await new Promise<void>((r) => this.waiting.push(r));
      if (this.closed) throw new Error('SolverPool is closed');
      slot = this.slots.find((s) => !s.busy);
    }
    slot ??= this.spawn();
    const s = slot;
    return new Promise<SweepRecord>((resolve, reject) => {
      s.busy = { task, resolve, reject };
      s.child.send({ type: 'task', index: task.index, point: task.point, settings: task.settings });
    });
  }

  /** Let the children go (they exit when disconnected); points in progress are not waited for. */
  close(): void {
    this.closed = true;
    for (const s of this.slots) if (s.child.connected) s.child.disconnect();
    for (const w of this.waiting.splice(0)) w();
  }

  /** Kill the children at once: points in progress resolve as `WorkerExit` failures. */
  kill(): void {
    for (const s of this.slots) s.child.kill('SIGKILL');
  }

  private spawn(): Slot {
    const simulator = this.opts.simulatorModule;
    const child = fork(this.entry.path, [], {
      execArgv: this.entry.execArgv,
      env: { ...process.env, ...(simulator ? { SPINEFEA_SWEEP_SIMULATOR: simulator } : {}) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const slot: Slot = { child };
    this.slots.push(slot);
    const release = (settle: (b: NonNullable<Slot['busy']>) => void) => {
      const b = slot.busy;
      slot.busy = undefined;
      if (b) settle(b);
      this.waiting.shift()?.();
    };
    child.on('message', (m: { type: string; record?: SweepRecord }) => {
      if (m.type === 'result' && m.record) release((b) => b.resolve(m.record!));
    });
    child.on('exit', (code, signal) => {
      // a dead child leaves the pool; its point (if any) is a WorkerExit failure, and a new child takes its place
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      release((b) => b.resolve(workerExitRecord(b.task, code, signal)));
    });
    child.on('error', (e) => release((b) => b.reject(e)));
    return slot;
  }
}
