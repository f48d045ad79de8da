/**
 * `@spinefea/surrogate/queue`: sweeps on a BullMQ queue in Redis — the worker, the
 * coordinator, the job format and the connection helpers. A separate entry so that
 * `@spinefea/surrogate` (and a one-machine sweep) never loads bullmq or ioredis.
 *
 * @example
 * ```ts
 * import { startSweepWorker } from '@spinefea/surrogate/queue';
 * const w = await startSweepWorker({ url: 'redis://127.0.0.1:6379', concurrency: 2 });
 * ```
 */
export * from './queue-connection.js';
export * from './queue-jobs.js';
export * from './queue-worker.js';
export * from './queue-coordinator.js';
