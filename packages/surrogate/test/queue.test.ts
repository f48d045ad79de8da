/**
 * Queued sweeps: a coordinator (`spinefea sweep --queue`) and worker processes
 * (`spinefea worker`) on a redis-server started here, solving with the stub simulator
 * (a fixed delay per point), so what is tested is the machinery: every design point
 * exactly once in the file through worker kills, coordinator kills and a Redis restart.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { requireTool } from '../../../test-support/external-tools.js';
import { recordKey } from '../src/records.js';
import { runSweep, sweepDesignPoints } from '../src/sweep.js';
import { QUEUE_JOB_FORMAT, queueJobId, startSweepWorker } from '../src/queue.js';
import { runCli } from '../../cli/src/commands.js';
import { startRedis, freePort, type TestRedis } from './fixtures/redis-server.js';

const HAVE_REDIS = requireTool('redis-server', 'redis-server', ['--version']);
const stub = fileURLToPath(new URL('./fixtures/stub-simulator.ts', import.meta.url));
const main = fileURLToPath(new URL('../../cli/src/main.ts', import.meta.url));
const runWorker = fileURLToPath(new URL('./fixtures/run-worker.ts', import.meta.url));
const runSweepFixture = fileURLToPath(new URL('./fixtures/run-sweep.ts', import.meta.url));

/**
 * A TypeScript entry as its own process: the CLI (not through the launcher, so a SIGKILL hits
 * the process that holds the jobs), or a fixture that starts faster than the CLI.
 */
function proc(entry: string, args: string[], delayMs: number): { p: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const p = spawn(process.execPath, ['--conditions=@spinefea/source', '--import', 'tsx', entry, ...args], {
    env: { ...process.env, SPINEFEA_SWEEP_SIMULATOR: stub, SPINEFEA_STUB_DELAY_MS: String(delayMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (b) => (out += String(b)));
  p.stderr!.on('data', (b) => (out += String(b)));
  const exit = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
  return { p, output: () => out, exit };
}
const cli = (args: string[], delayMs: number) => proc(main, args, delayMs);

const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every point of the sweep exactly once in the raw file (not deduplicated on reading). */
function expectEveryPointOnce(file: string, points: number, seed = 1): void {
  const keys = lines(file).map((l) => JSON.parse(l).key as string);
  const want = sweepDesignPoints('sobol', seed, 0, points).map((p) => recordKey(p.index, p.point, 2));
  expect(keys.length).toBe(points);
  expect([...keys].sort()).toEqual([...want].sort());
}

describe.skipIf(!HAVE_REDIS)('queued sweep on BullMQ (stub simulator, redis-server on a free port)', () => {
  let redis: TestRedis;
  const dir = mkdtempSync(join(tmpdir(), 'queue-'));
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('one coordinator and two worker processes: every point exactly once; a SIGTERM mid-solve lets a worker finish its point, then stop', async () => {
    const out = join(dir, 'two.jsonl');
    const q = ['--queue', redis.url, '--queue-name', 'two'];
    const [a, b] = [cli(['worker', ...q, '--concurrency', '1'], 400), cli(['worker', ...q, '--concurrency', '1'], 400)];
    await waitFor('both workers to serve', () => a.output().includes('serving queue') && b.output().includes('serving queue'));
    const coord = cli(['sweep', '--points', '10', '--out', out, ...q], 0);
    // a has finished a point, so it is solving the next: stop it gracefully
    await waitFor('worker a to solve a point', () => / ok in /.test(a.output()));
    a.p.kill('SIGTERM');
    expect(await a.exit, a.output()).toBe(0);
    expect(a.output()).toMatch(/SIGTERM — finishing the points in progress/);
    const solvedByA = Number(/stopped; (\d+) points solved/.exec(a.output())![1]);
    expect(solvedByA).toBeGreaterThanOrEqual(2); // the one before the signal and the one it was solving
    expect(await coord.exit, coord.output()).toBe(0);
    expectEveryPointOnce(out, 10);
    expect(coord.output()).toMatch(/workers 2/); // the progress bar saw both
    expect(b.output()).not.toMatch(/stalled/); // a returned its point itself: nothing waited for a lock to expire
    const card = JSON.parse(readFileSync(join(dir, 'two.card.json'), 'utf8'));
    expect(card).toMatchObject({ records: 10, ok: 10, workers: 2, queue: { url: redis.url, name: 'two' } });
    b.p.kill('SIGTERM');
    expect(await b.exit, b.output()).toBe(0);
    expect(Number(/stopped; (\d+) points solved/.exec(b.output())![1])).toBe(10 - solvedByA);
  }, 90_000);

  it('a worker killed with SIGKILL mid-solve loses nothing: its job is re-delivered and every point is recorded once', async () => {
    const out = join(dir, 'kill.jsonl');
    // 2 s locks: the killed worker's job is back in the queue after at most ~4 s
    const a = proc(runWorker, [redis.url, 'kill', '1', '2'], 500);
    const b = proc(runWorker, [redis.url, 'kill', '1', '2'], 500);
    await waitFor('both workers to serve', () => a.output().includes('serving queue') && b.output().includes('serving queue'));
    const sweep = runSweep({ out, points: 10, resolution: 2, seed: 1, progress: false, queue: { url: redis.url, name: 'kill', log: () => {} } });
    // once worker a has finished a point it is solving the next one (the queue is not empty): kill it
    await waitFor('worker a to solve a point', () => / ok in /.test(a.output()));
    a.p.kill('SIGKILL');
    expect(await sweep).toMatchObject({ solved: 10, ok: 10 });
    expectEveryPointOnce(out, 10);
    // the job a was solving went back to the queue through b's stalled-job check
    expect(b.output()).toMatch(/stalled/);
    b.p.kill('SIGTERM');
    expect(await b.exit).toBe(0);
  }, 90_000);

  it('a coordinator killed mid-run and started again collects what the workers finished meanwhile, without duplicates', async () => {
    const out = join(dir, 'coord.jsonl');
    process.env.SPINEFEA_STUB_DELAY_MS = '400';
    const w = await startSweepWorker({ url: redis.url, name: 'coord', concurrency: 2, simulatorModule: stub, log: () => {} });
    const first = proc(runSweepFixture, [out, '12', '1', redis.url, 'coord'], 0);
    await waitFor('3 records', () => lines(out).length >= 3);
    first.p.kill('SIGKILL');
    await first.exit;
    const before = lines(out);
    expect(before.length).toBeLessThan(12);
    await new Promise((r) => setTimeout(r, 1500)); // the worker goes on: finished jobs wait in Redis
    const second = proc(runSweepFixture, [out, '12', '1', redis.url, 'coord'], 0);
    expect(await second.exit, second.output()).toBe(0);
    expectEveryPointOnce(out, 12, 3);
    expect(lines(out).slice(0, before.length)).toEqual(before); // finished records kept byte for byte
    // nothing of the sweep is left in Redis
    const queue = new Queue('coord', { connection: { port: redis.port } });
    expect(await queue.getJobCounts('wait', 'active', 'completed', 'failed', 'delayed')).toEqual({ wait: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
    await queue.close();
    await w.stop();
    delete process.env.SPINEFEA_STUB_DELAY_MS;
  }, 90_000);

  it('a malformed job becomes a failed record with the reason; the worker carries on', async () => {
    const out = join(dir, 'bad.jsonl');
    const pts = sweepDesignPoints('sobol', 1, 0, 4).map((p) => ({ ...p, settings: { resolution: 2 } }));
    // a job under point 0's id whose payload is not a valid design point, and a foreign junk job
    const queue = new Queue('bad', { connection: { port: redis.port } });
    await queue.add('point', { format: QUEUE_JOB_FORMAT, index: 0, point: { ...pts[0].point, momentNm: 'lots' }, settings: { resolution: 2 } }, { jobId: queueJobId(pts[0]) });
    await queue.add('point', 'not a job', { jobId: 'junk' });
    const logs: string[] = [];
    const w = await startSweepWorker({ url: redis.url, name: 'bad', concurrency: 1, simulatorModule: stub, log: (m) => logs.push(m) });
    const s = await runSweep({ out, points: 4, resolution: 2, seed: 1, progress: false, queue: { url: redis.url, name: 'bad' } });
    expect(s).toMatchObject({ solved: 4, ok: 3, failed: 1 });
    const recs = lines(out).map((l) => JSON.parse(l));
    const r0 = recs.find((r) => r.index === 0);
    expect(r0).toMatchObject({ status: 'failed', inputs: pts[0].point, error: { name: 'QueueJobFailed', stage: 'worker' } });
    expect(r0.error.message).toMatch(/malformed job: design point: momentNm/);
    expect(r0.error.message).toMatch(/\(1 attempt\)/); // not retried
    await w.stop();
    expect(await w.done).toMatchObject({ solved: 3, malformed: 2 });
    expect(logs.join('\n')).toMatch(/rejected malformed job junk: the payload is not an object/);
    await queue.obliterate({ force: true });
    await queue.close();
  }, 60_000);

  it('a point whose solve crashes its process every time is retried a bounded number of times, then recorded as failed', async () => {
    const out = join(dir, 'crash.jsonl');
    process.env.SPINEFEA_STUB_CRASH_INDEX = '1';
    const w = await startSweepWorker({ url: redis.url, name: 'crash', concurrency: 2, simulatorModule: stub, log: () => {} });
    try {
      const s = await runSweep({ out, points: 4, resolution: 2, seed: 1, progress: false, queue: { url: redis.url, name: 'crash', attempts: 2, pollMs: 200, log: () => {} } });
      expect(s).toMatchObject({ solved: 4, ok: 3, failed: 1 });
      const r1 = lines(out).map((l) => JSON.parse(l)).find((r) => r.index === 1);
      expect(r1.error).toMatchObject({ name: 'QueueJobFailed', stage: 'worker' });
      expect(r1.error.message).toMatch(/worker process exited \(code 3, signal null\) while solving \(2 attempts\)/);
      expectEveryPointOnce(out, 4);
    } finally {
      delete process.env.SPINEFEA_STUB_CRASH_INDEX;
      await w.stop();
    }
  }, 60_000);

  it('a forced stop (second signal) hands the point in progress back to the queue at once, without waiting for its lock', async () => {
    const out = join(dir, 'force.jsonl');
    const queue = new Queue('force', { connection: { port: redis.port } });
    process.env.SPINEFEA_STUB_DELAY_MS = '20000'; // worker a's solves would take 20 s
    const logs: string[] = [];
    const a = await startSweepWorker({ url: redis.url, name: 'force', concurrency: 1, simulatorModule: stub, log: (m) => logs.push(m) });
    const sweep = runSweep({ out, points: 2, resolution: 2, seed: 1, progress: false, queue: { url: redis.url, name: 'force', log: () => {} } });
    const since = Date.now();
    while ((await queue.getActiveCount()) < 1) {
      if (Date.now() - since > 30_000) throw new Error('worker a took no point in 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    await a.stop(true);
    expect(await a.done).toMatchObject({ solved: 0, returned: 1 });
    process.env.SPINEFEA_STUB_DELAY_MS = '0'; // worker b solves at once
    const b = await startSweepWorker({ url: redis.url, name: 'force', concurrency: 1, simulatorModule: stub, log: (m) => logs.push(m) });
    await sweep;
    // back in the queue well before a's 30 s lock could have expired
    expect(Date.now() - t0).toBeLessThan(20_000);
    expectEveryPointOnce(out, 2);
    expect(logs.join('\n')).not.toMatch(/stalled/);
    await b.stop();
    await queue.close();
    delete process.env.SPINEFEA_STUB_DELAY_MS;
  }, 60_000);

  it('a bad URL, a refused connection and a refused password are clear errors with exit code 2', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const f = join(dir, 'never.jsonl');
      const said = () => err.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(await runCli(['sweep', '--points', '2', '--out', f, '--queue', 'http://127.0.0.1:6379'])).toBe(2);
      expect(said()).toMatch(/bad queue URL 'http:\/\/127\.0\.0\.1:6379': scheme 'http' is not redis or rediss/);
      expect(await runCli(['sweep', '--points', '2', '--out', f, '--queue', 'redis://127.0.0.1:1', '--workers', '2'])).toBe(2);
      expect(said()).toMatch(/--workers has no effect with --queue/);
      expect(await runCli(['worker'])).toBe(2);
      expect(said()).toMatch(/--queue is required/);
      expect(await runCli(['worker', '--queue', 'redis://127.0.0.1:6379/x'])).toBe(2);
      expect(said()).toMatch(/database 'x' is not a non-negative integer/);
      const closed = await freePort();
      expect(await runCli(['sweep', '--points', '2', '--out', f, '--queue', `redis://127.0.0.1:${closed}`])).toBe(2);
      expect(said()).toMatch(new RegExp(`cannot use the queue at redis://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED.*is redis-server running`));
      expect(existsSync(f)).toBe(false); // nothing written before the queue was reached
      expect(await runCli(['worker', '--queue', `redis://127.0.0.1:${closed}`])).toBe(2);
      const locked = await startRedis('s3cret');
      try {
        expect(await runCli(['worker', '--queue', `redis://:wrong@127.0.0.1:${locked.port}`])).toBe(2);
        expect(said()).toMatch(/redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*refused the credentials/);
        expect(said()).not.toMatch(/wrong/); // the password is never printed
        // the right password works
        const w = await startSweepWorker({ url: locked.url, concurrency: 1, simulatorModule: stub, log: () => {} });
        await w.stop();
      } finally {
        await locked.stop();
      }
    } finally {
      err.mockRestore();
    }
  }, 60_000);
});

describe.skipIf(!HAVE_REDIS)('queued sweep through a Redis outage', () => {
  it('pauses with a clear message while Redis is down and completes when it returns (empty), every point once', async () => {
    const redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'queue-outage-'));
    const out = join(dir, 'o.jsonl');
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);
    process.env.SPINEFEA_STUB_DELAY_MS = '300';
    try {
      const w = await startSweepWorker({ url: redis.url, name: 'outage', concurrency: 2, lockSeconds: 2, simulatorModule: stub, log });
      const sweep = runSweep({ out, points: 12, resolution: 2, seed: 1, progress: false, queue: { url: redis.url, name: 'outage', pollMs: 200, log } });
      await waitFor('3 records', () => lines(out).length >= 3);
      await redis.stop(); // no persistence: the queue is gone
      await new Promise((r) => setTimeout(r, 1500));
      await redis.start();
      await sweep;
      expectEveryPointOnce(out, 12);
      const text = logs.join('\n');
      expect(text).toMatch(/sweep coordinator: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+.*work is paused, reconnecting/);
      expect(text).toMatch(/sweep coordinator: reconnected to Redis .* resuming/);
      expect(text).toMatch(/worker .*: reconnected to Redis/);
      await w.stop();
    } finally {
      delete process.env.SPINEFEA_STUB_DELAY_MS;
      await redis.stop();
    }
  }, 90_000);
});
