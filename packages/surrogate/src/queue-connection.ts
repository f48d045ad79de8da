/**
 * Reaching the Redis behind a queued sweep: the URL (`redis://[user:password@]host:port/db`,
 * `rediss://` for TLS), a probe that fails at once with a clear {@link QueueConnectionError}
 * (bad URL, refused connection, wrong password), the connection options the coordinator and
 * the workers share, and the messages printed when the connection is lost and comes back.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { QueueConnectionError } from './errors.js';

/** Queue options shared by the coordinator ({@link SweepOptions.queue}) and the workers. */
export interface QueueSweepOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). */
  url: string;
  /** BullMQ queue name (default `spinefea-sweep`); a coordinator and its workers must agree. */
  name?: string;
  /** Attempts per point before a point whose solve throws is recorded as failed (default 3). */
  attempts?: number;
  /** How often the coordinator collects finished points and refreshes the progress, ms (default 1000). */
  pollMs?: number;
  /** Where connection messages go (default: stderr). */
  log?: (message: string) => void;
}

/** Default BullMQ queue name of a sweep. */
export const DEFAULT_QUEUE_NAME = 'spinefea-sweep';

/** A parsed queue URL. */
export interface QueueEndpoint {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with the password replaced by `***` (for messages and data cards). */
  display: string;
}

/**
 * Parse and check a queue URL.
 *
 * @throws {@link QueueConnectionError} (`QUEUE_URL`) naming what is wrong.
 * @example
 * ```ts
 * parseQueueUrl('redis://:s3cret@10.0.0.5:6379/2'); // { host: '10.0.0.5', port: 6379, db: 2, password: 's3cret', tls: false, … }
 * ```
 */
export function parseQueueUrl(url: string): QueueEndpoint {
  const bad = (why: string) => new QueueConnectionError('QUEUE_URL', `bad queue URL '${redact(url)}': ${why} (expected redis://[user:password@]host:port/db or rediss://… for TLS)`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`scheme '${u.protocol.replace(/:$/, '')}' is not redis or rediss`);
  if (!u.hostname) throw bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 65535) throw bad(`database '${dbText}' is not a non-negative integer`);
  if (u.search || u.hash) throw bad('query strings and fragments are not supported');
  let username: string, password: string;
  try {
    [username, password] = [decodeURIComponent(u.username), decodeURIComponent(u.password)];
  } catch {
    throw bad('the user or password is not valid percent-encoding (write a literal % as %25)');
  }
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: u.protocol === 'rediss:',
    display: redact(url),
  };
}

function redact(url: string): string {
  return url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/**
 * ioredis options of an endpoint. Commands wait while the connection is down
 * (`maxRetriesPerRequest: null`) and reconnects are tried every 0.5–5 s, so work pauses
 * during an outage and resumes by itself when Redis returns.
 */
export function redisOptions(e: QueueEndpoint): RedisOptions {
  return {
    host: e.host,
    port: e.port,
    db: e.db,
    ...(e.username ? { username: e.username } : {}),
    ...(e.password ? { password: e.password } : {}),
    ...(e.tls ? { tls: { servername: e.host } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(500 * times, 5000),
  };
}

/**
 * Connect once, without retries, and ask for the server's version: a refused
 * connection, a timeout or a refused password is a {@link QueueConnectionError}
 * (`QUEUE_UNREACHABLE`) at once instead of silent retries.
 *
 * @example
 * ```ts
 * const version = await probeQueue(parseQueueUrl('redis://127.0.0.1:6379')); // '7.0.15'
 * ```
 */
export async function probeQueue(e: QueueEndpoint, timeoutMs = 5000): Promise<string> {
  const client = new Redis({ ...redisOptions(e), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, enableOfflineQueue: false });
  let cause = ''; // the socket's error (ECONNREFUSED, ETIMEDOUT, a TLS failure): the rejection only says the connection closed
  client.on('error', (err) => (cause ||= (err as Error).message));
  try {
    await client.connect();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  } catch (err) {
    const m = cause && /Connection is closed/.test((err as Error).message) ? cause : (err as Error).message;
    const hint = /NOAUTH|WRONGPASS|invalid password|invalid username/i.test(m)
      ? 'the server refused the credentials: check the user and password in the URL'
      : 'is redis-server running there and reachable from this machine (firewall, bind address, TLS)?';
    throw new QueueConnectionError('QUEUE_UNREACHABLE', `cannot use the queue at ${e.display}: ${m} — ${hint}`);
  } finally {
    client.disconnect();
  }
}

/** An ioredis-like client's connection events. */
interface EventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Print one clear message when the connection to Redis is lost and one when it is back
 * (instead of an error per reconnect attempt). Returns the function that ends the watch
 * (call it before closing on purpose).
 *
 * @example
 * ```ts
 * watchConnection(await queue.client, 'sweep', e.display, console.error);
 * ```
 */
export function watchConnection(client: EventSource, who: string, display: string, log: (m: string) => void, onReconnect?: () => void): () => void {
  let lost = false;
  let closing = false;
  let lastError = '';
  client.on('error', (err) => {
    lastError = (err as Error).message;
  });
  client.on('close', () => {
    if (lost || closing) return;
    lost = true;
    log(`${who}: lost the connection to Redis at ${display}${lastError ? ` (${lastError})` : ''} — work is paused, reconnecting…`);
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    lastError = '';
    log(`${who}: reconnected to Redis at ${display} — resuming`);
    onReconnect?.();
  });
  return () => {
    closing = true;
  };
}
