/**
 * `spinefea worker`: solve the design points of queued sweeps (`spinefea sweep --queue`) on
 * this machine until stopped. Ctrl-C or SIGTERM finishes the points in progress, then stops;
 * a second one kills their solves and hands the jobs back to the queue at once.
 */
import { availableParallelism } from 'node:os';
import { QueueConnectionError } from '@spinefea/surrogate';
import { CliUsageError } from './cli-error.js';
import type { Command } from './commands.js';
import { intOption } from './surrogate-commands.js';

/** `spinefea worker`. */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'solve the design points of queued sweeps (spinefea sweep --queue) from Redis on this machine until stopped',
  usage: 'spinefea worker --queue redis://[user:password@]host:port/db [--concurrency N] [--queue-name spinefea-sweep] [--lock-seconds 30]',
  options: {
    queue: { type: 'string', description: 'the Redis of the sweep: redis://[user:password@]host:port/db or rediss:// (TLS)' } as never,
    concurrency: { type: 'string', description: `points solved at once, one child process each (default: all ${availableParallelism()} cores)` } as never,
    'queue-name': { type: 'string', default: 'spinefea-sweep', description: 'BullMQ queue name, the same as the coordinator\'s (default spinefea-sweep)' } as never,
    'lock-seconds': { type: 'string', default: '30', description: 'job lock; a killed worker\'s points are solved elsewhere after at most twice this (default 30)' } as never,
  },
  async run(values) {
    if (typeof values.queue !== 'string' || !values.queue) throw new CliUsageError('--queue is required (redis://[user:password@]host:port/db of the sweep)');
    const concurrency = values.concurrency === undefined ? undefined : intOption(values, 'concurrency', 1, 1024);
    const lockSeconds = intOption(values, 'lock-seconds', 1, 3600);
    // bullmq and ioredis are loaded only by the commands that use a queue
    const { startSweepWorker } = await import('@spinefea/surrogate/queue');
    const w = await startSweepWorker({ url: values.queue, name: String(values['queue-name']), lockSeconds, ...(concurrency ? { concurrency } : {}) }).catch((e) => {
      throw e instanceof QueueConnectionError ? new CliUsageError(e.message) : e;
    });
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals === 1) process.stderr.write(`worker ${w.id}: ${sig} — finishing the points in progress, then stopping (again to hand them back to the queue at once)\n`);
      else process.stderr.write(`worker ${w.id}: ${sig} — handing the points in progress back to the queue\n`);
      void w.stop(signals > 1);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const s = await w.done;
      console.log(`worker ${w.id}: stopped; ${s.solved} points solved, ${s.malformed} malformed jobs rejected, ${s.returned} handed back`);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  },
};
