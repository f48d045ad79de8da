/**
 * The queue's job format and URLs, without Redis: every job the coordinator makes is
 * accepted by a worker as exactly its task; a job whose payload or id was changed is
 * refused with the reason; queue URLs parse back to their parts and never show a password.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DESIGN_DIMENSIONS } from '../src/design-space.js';
import { designPointFromUnitCube } from '../src/design-mapping.js';
import { parseQueueJob, queueJobData, queueJobId } from '../src/queue-jobs.js';
import { parseQueueUrl } from '../src/queue-connection.js';
import type { SolverTask } from '../src/solver-pool.js';

const unitPoint = fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: DESIGN_DIMENSIONS, maxLength: DESIGN_DIMENSIONS });
const settings = fc.record(
  {
    resolution: fc.constantFrom(0.5, 1, 1.5, 2),
    preconditioner: fc.constantFrom('amg' as const, 'block-jacobi' as const),
    gridShift: fc.tuple(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true })),
  },
  { requiredKeys: ['resolution'] },
);
const task = fc.tuple(fc.nat(100_000), unitPoint, settings).map(([index, u, s]): SolverTask => ({ index, point: designPointFromUnitCube(Float64Array.from(u)), settings: s }));

/** A job as it comes out of Redis: JSON round trip. */
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('queue jobs', () => {
  it('a worker parses every coordinator job back to exactly its task (fast-check)', () => {
    fc.assert(
      fc.property(task, (t) => {
        const got = parseQueueJob(queueJobId(t), wire(queueJobData(t)));
        expect(got).toEqual(wire(t));
      }),
      { numRuns: 300 },
    );
  });

  it('a changed input, setting or id is refused with the reason (fast-check)', () => {
    fc.assert(
      fc.property(task, fc.double({ min: 0.01, max: 0.5, noNaN: true }), (t, dm) => {
        const id = queueJobId(t);
        const moved = { ...queueJobData(t), point: { ...t.point, momentNm: t.point.momentNm + dm } };
        expect(() => parseQueueJob(id, wire(moved))).toThrow(/does not match its payload/);
        const reshifted = { ...queueJobData(t), settings: { ...t.settings, gridShift: [0.123, 0.5, 0.5] } };
        expect(() => parseQueueJob(id, wire(reshifted))).toThrow(/does not match its payload/);
        expect(() => parseQueueJob(`${id}x`, wire(queueJobData(t)))).toThrow(/does not match its payload/);
        // the id depends on every solver setting: a replicate on another grid never collides with its base sweep
        expect(queueJobId({ ...t, settings: { ...t.settings, gridShift: [0.123, 0.5, 0.5] } })).not.toBe(id);
      }),
      { numRuns: 100 },
    );
  });

  it('names what is malformed', () => {
    const t: SolverTask = { index: 3, point: designPointFromUnitCube(new Float64Array(DESIGN_DIMENSIONS).fill(0.5)), settings: { resolution: 2 } };
    const id = queueJobId(t);
    const d = queueJobData(t);
    expect(() => parseQueueJob(id, 'x')).toThrow(/payload is not an object/);
    expect(() => parseQueueJob(id, { ...d, format: 'other/1' })).toThrow(/format is "other\/1"/);
    expect(() => parseQueueJob(id, { ...d, index: -1 })).toThrow(/index must be a non-negative integer/);
    expect(() => parseQueueJob(id, { ...d, point: { ...d.point, lordosisDeg: 90 } })).toThrow(/design point: lordosisDeg: 90 deg is outside the valid range/);
    expect(() => parseQueueJob(id, { ...d, point: { ...d.point, typo: 1 } })).toThrow(/design point: typo: is not a design input/);
    expect(() => parseQueueJob(id, { ...d, settings: { resolution: 9 } })).toThrow(/settings.resolution must be a number of mm in 0.25–2/);
    expect(() => parseQueueJob(id, { ...d, settings: { resolution: 2, simulator: '/tmp/evil.js' } })).toThrow(/settings has unknown fields: simulator/);
  });
});

describe('queue URLs', () => {
  // URL-safe characters and percent escapes (some of them not valid UTF-8: '%a0')
  const word = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=%-]{1,12}$/).filter((s) => !/%(?![0-9A-Fa-f]{2})/.test(s));
  const decodes = (s: string) => {
    try {
      decodeURIComponent(s);
      return true;
    } catch {
      return false;
    }
  };
  it('parse back to their parts; the display never shows the password (fast-check)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(word, { nil: undefined }), word, fc.constantFrom('127.0.0.1', 'redis.example.org', '[::1]'), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 15 }), (tls, user, password, host, port, db) => {
        const url = `${tls ? 'rediss' : 'redis'}://${user ?? ''}:${password}@${host}:${port}/${db}`;
        if (!decodes(password) || (user !== undefined && !decodes(user))) {
          // a clear error, never a URIError, and the password is not in it
          expect(() => parseQueueUrl(url)).toThrow(/not valid percent-encoding/);
          try {
            parseQueueUrl(url);
          } catch (err) {
            expect((err as Error).message).not.toContain(`:${password}@`);
          }
          return;
        }
        const e = parseQueueUrl(url);
        expect(e).toMatchObject({ host: host.replace(/^\[|\]$/g, ''), port, db, tls, password: decodeURIComponent(password) });
        expect(e.username).toBe(user === undefined ? undefined : decodeURIComponent(user));
        expect(e.display).toBe(`${tls ? 'rediss' : 'redis'}://${user ?? ''}:***@${host}:${port}/${db}`);
      }),
      { numRuns: 300 },
    );
  });

  it('defaults port 6379 and database 0; refuses other schemes, a bad database, query strings', () => {
    expect(parseQueueUrl('redis://queue-host')).toMatchObject({ host: 'queue-host', port: 6379, db: 0, tls: false });
    expect(() => parseQueueUrl('queue-host:6379')).toThrow(/scheme 'queue-host' is not redis or rediss/);
    expect(() => parseQueueUrl('not a url')).toThrow(/not a URL/);
    expect(() => parseQueueUrl('redis://h:6379/-1')).toThrow(/database '-1'/);
    expect(() => parseQueueUrl('redis://h:6379/0?tls=true')).toThrow(/query strings/);
  });
});
