/**
 * The job of a queued sweep: one design point and its solver settings. The job id is the
 * point's record key (`<index>-<hash of inputs and resolution>`) followed by a tag of the
 * other solver settings (grid shift, preconditioner, iteration cap), so re-enqueueing a point
 * is a no-op and a replicate sweep on a shifted grid never collides with its base sweep.
 * A worker trusts nothing in a job: {@link parseQueueJob} checks every field and that the id
 * matches the payload before anything is solved.
 */
import { createHash } from 'node:crypto';
import { parseDesignPoint } from './inputs.js';
import { recordKey } from './records.js';
import type { SimulationSettings } from './simulate.js';
import type { SolverTask } from './solver-pool.js';

/** Format tag of a job's payload. */
export const QUEUE_JOB_FORMAT = 'spinefea-sweep-job/1';

/** The payload of a job (what the coordinator enqueues). */
export interface QueueJobData {
  format: typeof QUEUE_JOB_FORMAT;
  index: number;
  point: SolverTask['point'];
  settings: SimulationSettings;
}

/**
 * Job id of a task: `<record key>.s<8 hex digits of the settings>` (BullMQ forbids `:` in ids).
 * @example
 * ```ts
 * queueJobId({ index: 17, point, settings: { resolution: 2 } }); // '17-3fa4c1d09b2e.s5d41402a'
 * ```
 */
export function queueJobId(t: SolverTask): string {
  const s = t.settings;
  const tag = JSON.stringify([s.gridShift ?? null, s.preconditioner ?? 'amg', s.maxIterations ?? null]);
  return `${recordKey(t.index, t.point, s.resolution)}.s${createHash('sha256').update(tag).digest('hex').slice(0, 8)}`;
}

/** The payload of a task. */
export function queueJobData(t: SolverTask): QueueJobData {
  return { format: QUEUE_JOB_FORMAT, index: t.index, point: t.point, settings: t.settings };
}

function checkSettings(raw: unknown): SimulationSettings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('settings is not an object');
  const s = raw as Record<string, unknown>;
  const extra = Object.keys(s).filter((k) => !['resolution', 'preconditioner', 'maxIterations', 'gridShift'].includes(k));
  if (extra.length) throw new Error(`settings has unknown fields: ${extra.join(', ')}`);
  if (typeof s.resolution !== 'number' || !(s.resolution >= 0.25 && s.resolution <= 2)) throw new Error(`settings.resolution must be a number of mm in 0.25–2, got ${JSON.stringify(s.resolution)}`);
  if (s.preconditioner !== undefined && s.preconditioner !== 'amg' && s.preconditioner !== 'block-jacobi') throw new Error(`settings.preconditioner must be amg or block-jacobi, got ${JSON.stringify(s.preconditioner)}`);
  if (s.maxIterations !== undefined && !(Number.isInteger(s.maxIterations) && (s.maxIterations as number) >= 1 && (s.maxIterations as number) <= 1e7)) throw new Error(`settings.maxIterations must be an integer in 1–1e7, got ${JSON.stringify(s.maxIterations)}`);
  if (s.gridShift !== undefined && !(Array.isArray(s.gridShift) && s.gridShift.length === 3 && s.gridShift.every((v) => typeof v === 'number' && v >= 0 && v < 1))) throw new Error(`settings.gridShift must be three fractions of a voxel in [0, 1), got ${JSON.stringify(s.gridShift)}`);
  return {
    resolution: s.resolution,
    ...(s.preconditioner !== undefined ? { preconditioner: s.preconditioner as SimulationSettings['preconditioner'] } : {}),
    ...(s.maxIterations !== undefined ? { maxIterations: s.maxIterations as number } : {}),
    ...(s.gridShift !== undefined ? { gridShift: s.gridShift as [number, number, number] } : {}),
  };
}

/**
 * Check a job received from the queue and return the task to solve.
 *
 * @throws Error whose message says what is malformed: the format tag, the index, a design
 *   input (by name, from {@link parseDesignPoint}), a setting, or an id that does not match the payload.
 * @example
 * ```ts
 * const task = parseQueueJob(job.id, job.data); // then pool.solve(task)
 * ```
 */
export function parseQueueJob(id: string | undefined, data: unknown): SolverTask {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('the payload is not an object');
  const d = data as Record<string, unknown>;
  if (d.format !== QUEUE_JOB_FORMAT) throw new Error(`format is ${JSON.stringify(d.format)}, not '${QUEUE_JOB_FORMAT}' (a job of another program or version)`);
  if (!Number.isInteger(d.index) || (d.index as number) < 0) throw new Error(`index must be a non-negative integer, got ${JSON.stringify(d.index)}`);
  let point;
  try {
    point = parseDesignPoint(d.point);
  } catch (e) {
    throw new Error(`design point: ${(e as Error).message}`);
  }
  const task: SolverTask = { index: d.index as number, point, settings: checkSettings(d.settings) };
  // canonical payloads only: a point given in other units or a tampered id does not hash to its id
  const want = queueJobId(task);
  if (id !== want) throw new Error(`job id '${id}' does not match its payload (expected '${want}')`);
  return task;
}
