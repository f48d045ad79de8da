/**
 * The coordinator of a queued sweep (`runSweep` with `queue`): it enqueues every design point
 * not yet in the output file as a BullMQ job whose id is the point's key (adding an existing id
 * is a no-op, so a rerun or a second coordinator enqueues nothing twice), then collects the
 * finished jobs into the file. A record is appended and fsynced *before* its job is removed
 * from Redis, and only for a point not yet in the file, so a crash at any moment neither loses
 * a finished point nor writes one twice; a restarted coordinator collects what the workers
 * finished meanwhile. After Redis comes back from an outage the points still missing are
 * enqueued again (a Redis without persistence returns empty).
 */
import { Queue, type Job } from 'bullmq';
import { hostname } from 'node:os';
import { recordKey, type SweepRecord } from './records.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl, probeQueue, redisOptions, watchConnection, type QueueSweepOptions } from './queue-connection.js';
import { queueJobData, queueJobId } from './queue-jobs.js';
import type { SolverTask } from './solver-pool.js';

/** What {@link QueueCoordinator.run} needs from the sweep. */
export interface QueueCoordination {
  /** Points to solve (not yet in the file). */
  tasks: SolverTask[];
  /** Every point of the sweep, solved or not: jobs of finished points left in Redis by a crash are removed. */
  all: SolverTask[];
  /** Append a finished point's record to the file (fsynced when it returns). */
  record: (r: SweepRecord) => void;
  /** Progress: jobs being solved now and live worker processes. */
  status: (live: { running: number; workers: number }) => void;
  /** True once the coordinator should stop collecting (signal). */
  stopping: () => boolean;
}

/** A coordinator connected to its queue. */
export interface QueueCoordinator {
  /** Enqueue and collect until every task has its record or {@link QueueCoordination.stopping}. */
  run(c: QueueCoordination): Promise<{ workersSeen: number }>;
  /** The queue's URL (password redacted) and name, for the data card. */
  describe(): { url: string; name: string };
  close(): Promise<void>;
}

const ENQUEUE_CHUNK = 500;
const COLLECT_PAGE = 1000;
/** Points missing from Redis (evicted, deleted by hand) are put back this often, besides after every reconnect. */
const REENQUEUE_MS = 300_000;

/** The record of a finished job: the worker's record if it is the one of this point, else a failed record saying why. */
function recordOfJob(t: SolverTask, job: Job, failed: boolean): SweepRecord {
  const key = recordKey(t.index, t.point, t.settings.resolution);
  const r = job.returnvalue as SweepRecord | null;
  if (!failed && r && typeof r === 'object' && r.key === key && r.index === t.index && (r.status === 'ok' || r.status === 'failed')) return r;
  const message = failed
    ? `${job.failedReason ?? 'failed'} (${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'})`
    : `the worker returned no record of this point (got ${JSON.stringify(r)?.slice(0, 120)})`;
  return {
    key,
    index: t.index,
    status: 'failed',
    inputs: t.point,
    resolution: t.settings.resolution,
    ...(t.settings.gridShift ? { gridShift: t.settings.gridShift } : {}),
    error: { name: failed ? 'QueueJobFailed' : 'QueueBadResult', message, stage: 'worker' },
    timing: { meshMs: 0, solveMs: 0, totalMs: 0 },
    solverVersion: '?',
    finishedAt: new Date().toISOString(),
  };
}

/**
 * Reach the queue (a bad URL or an unreachable Redis throws {@link QueueConnectionError} here,
 * before the sweep touches a file) and return the coordinator.
 *
 * @example
 * ```ts
 * const c = await openQueueCoordinator({ url: 'redis://127.0.0.1:6379' });
 * ```
 */
export async function openQueueCoordinator(o: QueueSweepOptions): Promise<QueueCoordinator> {
  const endpoint = parseQueueUrl(o.url);
  await probeQueue(endpoint);
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const log = o.log ?? ((m: string) => process.stderr.write(`\n${m}\n`));
  const attempts = o.attempts ?? 3;
  const pollMs = o.pollMs ?? 1000;
  const queue = new Queue(name, { connection: { ...redisOptions(endpoint), connectionName: `spinefea-coordinator:${hostname()}:${process.pid}` } });
  queue.on('error', () => {}); // connection errors are reported once by watchConnection
  let reconnected = false;
  const unwatch = watchConnection(await queue.client, 'sweep coordinator', endpoint.display, log, () => (reconnected = true));

  async function enqueue(tasks: SolverTask[]): Promise<void> {
    for (let i = 0; i < tasks.length; i += ENQUEUE_CHUNK) {
      await queue.addBulk(tasks.slice(i, i + ENQUEUE_CHUNK).map((t) => ({
        name: 'point',
        data: queueJobData(t),
        opts: { jobId: queueJobId(t), attempts, removeOnComplete: false, removeOnFail: false },
      })));
    }
  }

  async function liveWorkers(): Promise<number> {
    try {
      // one named connection per worker process (`…:w:<host>/<pid>`; its other connection is unnamed)
      return new Set((await queue.getWorkers()).map((w) => w.rawname ?? w.name)).size;
    } catch {
      return -1; // CLIENT LIST refused (some managed Redis): unknown
    }
  }

  return {
    describe: () => ({ url: endpoint.display, name }),
    close: () => {
      unwatch();
      return queue.close();
    },
    async run(c) {
      const pending = new Map(c.tasks.map((t) => [queueJobId(t), t]));
      const mine = new Set(c.all.map(queueJobId));
      await enqueue([...pending.values()]);
      let enqueuedAt = Date.now();
      let workersSeen = 0;
      const collect = async (state: 'completed' | 'failed') => {
        // page through all of them: finished jobs of another sweep (whose coordinator is down) must not hide ours
        for (let from = 0; ; ) {
          const page = await queue.getJobs([state], from, from + COLLECT_PAGE - 1);
          let kept = 0;
          for (const job of page) {
            if (!job?.id || !mine.has(job.id)) {
              kept++; // another sweep's job: not ours to touch
              continue;
            }
            const t = pending.get(job.id);
            if (t) {
              c.record(recordOfJob(t, job, state === 'failed')); // on disk before the job leaves Redis
              pending.delete(job.id);
            }
            await job.remove().catch(() => kept++); // already gone (another coordinator): nothing lost, the record is in the file
          }
          if (page.length < COLLECT_PAGE) return;
          from += kept; // removed jobs shift the rest of the list forward
        }
      };
      // at least one pass, also with nothing to solve: it clears jobs a crash left behind after their records were written
      while (!c.stopping()) {
        await collect('completed');
        await collect('failed');
        if (!pending.size) break;
        const [running, workers] = await Promise.all([queue.getActiveCount(), liveWorkers()]);
        workersSeen = Math.max(workersSeen, workers);
        c.status({ running, workers });
        if (reconnected || Date.now() - enqueuedAt > REENQUEUE_MS) {
          // after an outage (or now and then): put back jobs Redis lost; existing ids are left alone
          reconnected = false;
          await enqueue([...pending.values()]);
          enqueuedAt = Date.now();
        }
        for (let waited = 0; waited < pollMs && !c.stopping(); waited += 50) await new Promise((r) => setTimeout(r, 50));
      }
      return { workersSeen };
    },
  };
}
