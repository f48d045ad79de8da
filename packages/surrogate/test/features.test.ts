import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFeatures, FEATURE_COLUMNS, fromTargetSpace, TARGETS, toTargetSpace } from '../src/features.js';
import { targetMatrix } from '../src/train.js';
import { sweepDesignPoints } from '../src/sweep.js';
import type { SweepRecord } from '../src/records.js';

describe('target transforms', () => {
  it('fromTargetSpace inverts toTargetSpace for every transform (relative 1e-12: one exp/log or sinh/asinh pair)', () => {
    fc.assert(
      fc.property(fc.constantFrom('identity', 'log', 'asinh') as fc.Arbitrary<'identity' | 'log' | 'asinh'>, fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: 1e-3, max: 10, noNaN: true }), (transform, v, scale) => {
        const spec = { transform, scale };
        const u = toTargetSpace(spec, v);
        if (transform === 'log' && v <= 0) {
          expect(u).toBeNaN();
          return;
        }
        expect(Math.abs(fromTargetSpace(spec, u) - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
      }),
      { numRuns: 300 },
    );
  });

  it('asinh is logarithmic far above its scale and linear near zero', () => {
    const spec = { transform: 'asinh' as const, scale: 0.1 };
    // asinh(x) = ln(2x) + O(1/x²): at x = 100 the difference is 2.5e-5
    expect(Math.abs(toTargetSpace(spec, 10) - Math.log(200))).toBeLessThan(3e-5);
    // asinh(x) = x − x³/6 + …: at x = 0.01, relative 1.7e-5
    expect(Math.abs(toTargetSpace(spec, 0.001) - 0.01) / 0.01).toBeLessThan(2e-5);
    expect(toTargetSpace(spec, -0.5)).toBeCloseTo(-toTargetSpace(spec, 0.5), 14);
  });

  it('a slightly negative ROM stays in the training targets (ROM is asinh, not log)', () => {
    const rom = TARGETS.find((t) => t.name === 'romDeg')!;
    expect(rom.transform).toBe('asinh');
    const p = sweepDesignPoints('sobol', 1, 0, 1)[0];
    const rec = { key: 'k', index: 0, status: 'ok', inputs: p.point, resolution: 2, outputs: { romDeg: -0.3, idpMPa: 0.1, loadDistributionEfficiency: 0.5, implantVonMisesPeakMPa: null, implantVonMisesP99MPa: null } } as unknown as SweepRecord;
    const { y, mask } = targetMatrix([rec]);
    const j = TARGETS.indexOf(rom);
    expect(mask[j]).toBe(1);
    expect(fromTargetSpace(rom, y[j])).toBeCloseTo(-0.3, 12);
  });
});

describe('feature encoding', () => {
  it('exactly one configuration × motion column is 1, the one of the point’s pair, and it agrees with the two one-hot columns (fast-check)', () => {
    const pairs = FEATURE_COLUMNS.map((c, j) => ({ c, j })).filter((e) => e.c.and);
    expect(pairs.length).toBe(5 * 6);
    const points = sweepDesignPoints('sobol', 7, 0, 64).map((p) => p.point);
    fc.assert(
      fc.property(fc.constantFrom(...points), (p) => {
        const x = encodeFeatures([p]);
        const on = pairs.filter((e) => x[e.j] === 1);
        expect(on.length).toBe(1);
        expect(on[0].c.name).toBe(`configuration=${p.configuration}×motion=${p.motion}`);
        expect(x[FEATURE_COLUMNS.findIndex((c) => c.name === `configuration=${p.configuration}`)]).toBe(1);
        expect(x[FEATURE_COLUMNS.findIndex((c) => c.name === `motion=${p.motion}`)]).toBe(1);
        expect(pairs.reduce((a, e) => a + x[e.j], 0)).toBe(1);
      }),
      { numRuns: 64 },
    );
  });
});
