import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { latinHypercube, mulberry32, sobolSequence, SOBOL_MAX_DIMENSIONS } from '../src/sampling.js';
import { DESIGN_DIMENSIONS, DESIGN_INPUTS, configurationHas } from '../src/design-space.js';
import { designPointFromUnitCube } from '../src/design-mapping.js';
import { parseDesignPoint, VALID_RANGES } from '../src/inputs.js';

describe("Sobol' sequence", () => {
  it('each one-dimensional projection of the first 2^m points puts one point in every interval of width 2^-m', () => {
    const m = 7, n = 2 ** m;
    const x = sobolSequence(n, SOBOL_MAX_DIMENSIONS);
    for (let j = 0; j < SOBOL_MAX_DIMENSIONS; j++) {
      const hit = new Uint8Array(n);
      for (let i = 0; i < n; i++) hit[Math.floor(x[i * SOBOL_MAX_DIMENSIONS + j] * n)]++;
      expect(Array.from(hit).every((c) => c === 1)).toBe(true);
    }
  });

  it('two-dimensional projections of 2^m points are (t, m, 2)-nets: t = 0 for dimensions 1–2, t ≤ 5 for every pair', () => {
    // For a (t, m, 2)-net every elementary box of volume 2^(t−m) holds exactly 2^t points.
    // t ≤ 5 is what Joe–Kuo's direction numbers give for 21 dimensions at m = 8 (scipy's
    // unscrambled Sobol' has the same points, checked once against it for 4096 × 21).
    const m = 8, n = 2 ** m, d = SOBOL_MAX_DIMENSIONS;
    const x = sobolSequence(n, d);
    for (let a = 0; a < d; a++) {
      for (let b = a + 1; b < d; b++) {
        const t = a === 0 && b === 1 ? 0 : 5;
        for (let k = 0; k <= m - t; k++) {
          const nx = 2 ** k, ny = 2 ** (m - t - k);
          const count = new Uint16Array(nx * ny);
          for (let i = 0; i < n; i++) count[Math.floor(x[i * d + a] * nx) * ny + Math.floor(x[i * d + b] * ny)]++;
          expect(Array.from(count).every((c) => c === 2 ** t)).toBe(true);
        }
      }
    }
  });

  it('is reproducible and the digital shift keeps the stratification', () => {
    const a = sobolSequence(64, 18, { seed: 5 });
    expect(Array.from(sobolSequence(64, 18, { seed: 5 }))).toEqual(Array.from(a));
    expect(Array.from(sobolSequence(64, 18, { seed: 6 }))).not.toEqual(Array.from(a));
    for (let j = 0; j < 18; j++) {
      const hit = new Set<number>();
      for (let i = 0; i < 64; i++) hit.add(Math.floor(a[i * 18 + j] * 64));
      expect(hit.size).toBe(64);
    }
  });

  it('refuses more dimensions than it has direction numbers for', () => {
    expect(() => sobolSequence(4, SOBOL_MAX_DIMENSIONS + 1)).toThrow(/dimensions/);
  });
});

describe('Latin hypercube', () => {
  it('has one point per stratum in every dimension, reproducibly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (n, d, seed) => {
        const x = latinHypercube(n, d, seed);
        expect(Array.from(latinHypercube(n, d, seed))).toEqual(Array.from(x));
        for (let j = 0; j < d; j++) {
          const s = new Set<number>();
          for (let i = 0; i < n; i++) s.add(Math.floor(x[i * d + j] * n));
          expect(s.size).toBe(n);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('mulberry32 gives numbers in [0, 1)', () => {
    const r = mulberry32(3);
    for (let i = 0; i < 1000; i++) {
      const v = r();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });
});

describe('unit cube → design point', () => {
  it('gives points inside the valid ranges, with implant inputs exactly when the configuration has the implant', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: DESIGN_DIMENSIONS, maxLength: DESIGN_DIMENSIONS }), (u) => {
        const p = designPointFromUnitCube(u);
        const has = configurationHas(p.configuration);
        for (const spec of DESIGN_INPUTS) {
          const v = (p as unknown as Record<string, unknown>)[spec.name];
          const used = spec.needs === undefined || (spec.needs === 'screws' ? has.screws : has.cage);
          expect(v === null).toBe(!used);
          if (used && spec.kind === 'numeric') {
            expect(v as number).toBeGreaterThanOrEqual(VALID_RANGES[spec.name].min);
            expect(v as number).toBeLessThanOrEqual(VALID_RANGES[spec.name].max);
          }
        }
        // what the sampler makes, the input parser accepts unchanged
        expect(parseDesignPoint(p)).toEqual(p);
      }),
      { numRuns: 40 },
    );
  });
});
