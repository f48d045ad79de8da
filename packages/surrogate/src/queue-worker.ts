/**
 * A worker of a queued sweep (`spinefea worker`): pulls design points from the BullMQ queue,
 * solves them in a local {@link SolverPool} (the local sweep's code path) and returns their
 * records, which the coordinator appends to the sweep's file.
 *
 * Fault tolerance, by BullMQ's job locks: a worker holds a lock on each job it solves and
 * renews it every `lockSeconds / 2` (the solves run in child processes, so renewals are never
 * starved); a worker killed outright stops renewing, and after at most 2 × `lockSeconds`
 * another worker's stalled-job check puts the job back in the queue. A solve that throws
 * (a crashed child) is retried up to the coordinator's `attempts`; a malformed job fails at
 * once with the reason (`UnrecoverableError`) and the coordinator records it as failed.
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { availableParallelism, hostname } from 'node:os';
import { DEFAULT_QUEUE_NAME, parseQueueUrl, probeQueue, redisOptions, watchConnection, type QueueSweepOptions } from './queue-connection.js';
import { parseQueueJob } from './queue-jobs.js';
import type { SweepRecord } from './records.js';
import { SolverPool } from './solver-pool.js';

/** Options of {@link startSweepWorker}. */
export interface SweepWorkerOptions extends Pick<QueueSweepOptions, 'url' | 'name' | 'log'> {
  /** Points solved at once, each in its own child process (default: all cores). */
  concurrency?: number;
  /** Job lock, s (default 30): a killed worker's job is solved elsewhere after at most twice this. */
  lockSeconds?: number;
  /** Module that simulates a point instead of the solver (tests), absolute path; default `SPINEFEA_SWEEP_SIMULATOR` or the solver. */
  simulatorModule?: string;
}

/** What a worker did. */
export interface SweepWorkerSummary {
  /** Points solved and returned (ok or failed records). */
  solved: number;
  /** Jobs rejected as malformed. */
  malformed: number;
  /** Jobs handed back to the queue by a forced stop. */
  returned: number;
}

/** A running worker. */
export interface SweepWorkerHandle {
  /** `<host>/<pid>`: how the worker is named in the queue and in its messages. */
  id: string;
  /**
   * Stop: take no new job; finish the ones in progress (default) or, with `force`, kill their
   * solves and hand the jobs back to the queue at once.
   */
  stop(force?: boolean): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<SweepWorkerSummary>;
}

/**
 * Start a worker; it runs until {@link SweepWorkerHandle.stop}.
 *
 * @throws {@link QueueConnectionError} for a bad URL or an unreachable Redis (before any job is taken).
 * @example
 * ```ts
 * const w = await startSweepWorker({ url: 'redis://:s3cret@10.0.0.5:6379/0', concurrency: 4 });
 * process.on('SIGTERM', () => void w.stop());
 * console.log(await w.done); // { solved: 120, malformed: 0, returned: 0 }
 * ```
 */
export async function startSweepWorker(o: SweepWorkerOptions): Promise<SweepWorkerHandle> {
  const endpoint = parseQueueUrl(o.url);
  await probeQueue(endpoint);
  const concurrency = o.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const lockMs = Math.round((o.lockSeconds ?? 30) * 1000);
  const id = `${hostname()}/${process.pid}`;
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const pool = new SolverPool({ size: concurrency, ...(o.simulatorModule ? { simulatorModule: o.simulatorModule } : {}) });
  const summary: SweepWorkerSummary = { solved: 0, malformed: 0, returned: 0 };
  let forced = false;

  const processor = async (job: Job, token?: string): Promise<SweepRecord> => {
    let task;
    try {
      task = parseQueueJob(job.id, job.data);
    } catch (e) {
      summary.malformed++;
      log(`worker ${id}: rejected malformed job ${job.id}: ${(e as Error).message}`);
      throw new UnrecoverableError(`malformed job: ${(e as Error).message}`);
    }
    const t0 = performance.now();
    const rec = await pool.solve(task);
    if (rec.error?.name === 'WorkerExit') {
      if (forced && token) {
        // forced stop: hand the job back now rather than after the lock expires (no attempt used)
        await job.moveToDelayed(Date.now(), token);
        summary.returned++;
        throw new DelayedError();
      }
      throw new Error(rec.error.message); // a crashed solve: BullMQ retries it up to the job's attempts
    }
    summary.solved++;
    log(`worker ${id}: ${job.id} ${rec.status}${rec.error ? ` (${rec.error.name}: ${rec.error.message})` : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return rec;
  };

  const worker = new Worker(o.name ?? DEFAULT_QUEUE_NAME, processor, {
    connection: redisOptions(endpoint),
    name: id,
    concurrency,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 2,
  });
  worker.on('error', () => {}); // connection errors are reported once by watchConnection
  worker.on('stalled', (jobId) => log(`worker ${id}: job ${jobId} stalled (its worker stopped renewing the lock: killed or cut off) — back in the queue`));
  const unwatch = watchConnection(await worker.client, `worker ${id}`, endpoint.display, log);
  log(`worker ${id}: serving queue '${o.name ?? DEFAULT_QUEUE_NAME}' at ${endpoint.display} with ${concurrency} solver process${concurrency === 1 ? '' : 'es'} (lock ${lockMs / 1000} s)`);

  let resolveDone!: (s: SweepWorkerSummary) => void;
  const done = new Promise<SweepWorkerSummary>((r) => (resolveDone = r));
  let closing: Promise<void> | undefined;
  return {
    id,
    done,
    async stop(force = false) {
      if (force && !forced) {
        forced = true;
        pool.kill(); // the solves in progress end as WorkerExit: their jobs go back to the queue (processor)
      }
      unwatch();
      closing ??= worker.close().then(() => {
        pool.close();
        resolveDone(summary);
      });
      await closing;
    },
  };
}
