import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { Mesh } from '@spinefea/mesh';
import { cellMaskForRegions, expandCellMask, regionStatistics } from '../src/post/statistics.js';
import { DimensionMismatchError, NonFiniteInputError, SpineFeaError } from '../src/errors.js';

/** Nearest-rank percentile of plain values: the ⌈p·n⌉-th smallest. */
function nearestRank(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

describe('regionStatistics', () => {
  it('with uniform weights gives the ordinary (nearest-rank) percentiles of 1..100', () => {
    // values 1..100 shuffled, each of volume 2 mm³
    const n = 100;
    const field = new Float64Array(n);
    for (let i = 0; i < n; i++) field[i] = ((i * 37) % n) + 1;
    const s = regionStatistics(field, new Float64Array(n).fill(2));
    expect(s.count).toBe(100);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.p50).toBe(50);
    expect(s.p95).toBe(95);
    expect(s.p99).toBe(99);
    // sum of 1..100 = 5050 is exact in floating point, so the mean is too
    expect(s.mean).toBe(50.5);
    expect(s.volume).toBe(200);
  });

  it('uniform weights agree with the unweighted option and nearest rank on random data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (values, w) => {
          const field = Float64Array.from(values);
          const weighted = regionStatistics(field, new Float64Array(values.length).fill(w));
          const plain = regionStatistics(field, new Float64Array(values.length).fill(w), undefined, { weighted: false });
          for (const [key, p] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
            expect(weighted[key]).toBe(nearestRank(values, p));
            expect(plain[key]).toBe(nearestRank(values, p));
          }
          // means differ only by rounding of the sums: a few ε times the largest |value|
          const tol = 1e-12 * Math.max(1, ...values.map(Math.abs));
          expect(Math.abs(weighted.mean - plain.mean)).toBeLessThanOrEqual(tol);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a two-value field with volumes 99:1 has p99 at the lower value, and p > 99 would need the upper', () => {
    // 99 mm³ at 1 MPa, 1 mm³ at 10 MPa: exactly 99 % of the volume is ≤ 1 MPa
    const field = new Float64Array([10, 1]);
    const weights = new Float64Array([1, 99]);
    const s = regionStatistics(field, weights);
    expect(s.p50).toBe(1);
    expect(s.p95).toBe(1);
    expect(s.p99).toBe(1);
    expect(s.max).toBe(10);
    // (99·1 + 1·10)/100 = 1.09 up to one rounding of the division
    expect(s.mean).toBeCloseTo(1.09, 14);
    // 98.9:1.1 → 98.9 % ≤ 1 MPa, so p99 must be the upper value
    const t = regionStatistics(field, new Float64Array([1.1, 98.9]));
    expect(t.p95).toBe(1);
    expect(t.p99).toBe(10);
    // unweighted: two items, ⌈0.99·2⌉ = 2nd smallest
    expect(regionStatistics(field, weights, undefined, { weighted: false }).p99).toBe(10);
  });

  it('is not fooled by rounding of the running volume sum (ten items of 0.7 mm³)', () => {
    // In floating point 0.7 summed five times is 3.5 but 0.5 × (0.7 summed ten times) is
    // 3.5000000000000004: without a rounding slack the median would jump to the 6th value.
    const field = Float64Array.from({ length: 10 }, (_, i) => i);
    const s = regionStatistics(field, new Float64Array(10).fill(0.7));
    expect(s.p50).toBe(4); // 5 items × 0.7 = exactly 50 % of the volume at value ≤ 4
    expect(s.p95).toBe(9);
  });

  it('honours masks given as arrays or predicates, and weights percentiles by volume', () => {
    const field = new Float64Array([5, 100, 1, 2, 3]);
    const weights = new Float64Array([1, 1, 1, 1, 10]);
    const mask = new Uint8Array([1, 0, 1, 1, 1]);
    const a = regionStatistics(field, weights, mask);
    const b = regionStatistics(field, weights, (i) => i !== 1);
    expect(a).toEqual(b);
    expect(a.count).toBe(4);
    expect(a.max).toBe(5);
    expect(a.volume).toBe(13);
    // volume ≤ 2 is 2 of 13 mm³, ≤ 3 is 12 of 13 (92 %) → median 3, p95 5
    expect(a.p50).toBe(3);
    expect(a.p95).toBe(5);
    // unweighted median of {1,2,3,5}: 2nd smallest
    expect(regionStatistics(field, weights, mask, { weighted: false }).p50).toBe(2);
  });

  it('refuses empty selections, mismatched lengths, NaN and negative weights', () => {
    const f = new Float64Array([1, 2]);
    const w = new Float64Array([1, 1]);
    expect(() => regionStatistics(f, w, new Uint8Array(2))).toThrow(SpineFeaError);
    expect(() => regionStatistics(f, w, new Uint8Array(2))).toThrow(/selects no items/);
    expect(() => regionStatistics(f, new Float64Array(3))).toThrow(DimensionMismatchError);
    expect(() => regionStatistics(f, w, new Uint8Array(3))).toThrow(DimensionMismatchError);
    expect(() => regionStatistics(new Float64Array([1, NaN]), w)).toThrow(NonFiniteInputError);
    expect(() => regionStatistics(f, new Float64Array([1, -1]))).toThrow(/weight 1/);
    expect(() => regionStatistics(f, new Float64Array(2))).toThrow(/zero total weight/);
    // unweighted statistics do not need volumes
    expect(regionStatistics(f, new Float64Array(2), undefined, { weighted: false }).mean).toBe(1.5);
  });
});

describe('cellMaskForRegions and expandCellMask', () => {
  const mesh: Mesh = {
    nodes: new Float64Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
    cells: new Uint32Array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]),
    cellType: 'tet4',
    materialIds: new Uint16Array([0, 2, 1]),
    regionNames: ['L4', 'L4-L5 disc', 'L5'],
    nodeSets: {},
    faceSets: {},
  };

  it('selects cells by id and by name', () => {
    expect([...cellMaskForRegions(mesh, [0, 2])]).toEqual([1, 1, 0]);
    expect([...cellMaskForRegions(mesh, ['L4-L5 disc'])]).toEqual([0, 0, 1]);
    expect([...cellMaskForRegions(mesh, [7])]).toEqual([0, 0, 0]);
  });

  it('names the unknown region and the known ones', () => {
    expect(() => cellMaskForRegions(mesh, ['L3'])).toThrow(/no region named 'L3' \(known: L4, L4-L5 disc, L5\)/);
  });

  it('expands a cell mask to sampling points', () => {
    expect([...expandCellMask(new Uint8Array([1, 0, 1]), 2)]).toEqual([1, 1, 0, 0, 1, 1]);
    expect(() => expandCellMask(new Uint8Array(1), 0)).toThrow(DimensionMismatchError);
  });
});
