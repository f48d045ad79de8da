import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import {
  hydrostaticPressure,
  maxShear,
  principalDirections,
  principalStresses,
  vonMises,
} from '../src/post/invariants.js';
import { DimensionMismatchError, NonFiniteInputError } from '../src/errors.js';

type Sym = [number, number, number, number, number, number];

/** Frobenius norm of a Voigt stress (tensor shear counted twice). */
function frob(s: ArrayLike<number>): number {
  return Math.sqrt(s[0] ** 2 + s[1] ** 2 + s[2] ** 2 + 2 * (s[3] ** 2 + s[4] ** 2 + s[5] ** 2));
}

function toMatrix(s: ArrayLike<number>): number[][] {
  return [
    [s[0], s[3], s[5]],
    [s[3], s[1], s[4]],
    [s[5], s[4], s[2]],
  ];
}

function fromMatrix(a: number[][]): Sym {
  return [a[0][0], a[1][1], a[2][2], 0.5 * (a[0][1] + a[1][0]), 0.5 * (a[1][2] + a[2][1]), 0.5 * (a[0][2] + a[2][0])];
}

/** Rotation matrix of a (non-normalised, non-zero) quaternion. */
function rotation(q: [number, number, number, number]): number[][] {
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n);
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/** R·A·Rᵀ */
function rotate(s: ArrayLike<number>, r: number[][]): Sym {
  const a = toMatrix(s);
  const out = [0, 1, 2].map(() => [0, 0, 0]);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let v = 0;
      for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) v += r[i][k] * a[k][l] * r[j][l];
      out[i][j] = v;
    }
  return fromMatrix(out);
}

// Components in [−1, 1] times a magnitude from µPa-like to GPa-like stresses. Entries
// below 1e−30 of the magnitude are flushed to zero: fast-check likes subnormal
// doubles, whose squares underflow in the reference norm used for tolerances
// (the kernels themselves scale by the largest entry; see the extreme-scale test).
const unit = fc.double({ min: -1, max: 1, noNaN: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v));
const tensor = fc
  .tuple(unit, unit, unit, unit, unit, unit, fc.constantFrom(1e-6, 1e-2, 1, 30, 1e3, 1e6))
  .map(([a, b, c, d, e, f, m]) => [a * m, b * m, c * m, d * m, e * m, f * m] as Sym);
const quaternion = fc
  .tuple(
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
  )
  .filter((q) => Math.hypot(...q) > 0.1);

// Eigenvalues are perfectly conditioned for symmetric matrices (Weyl:
// |δλ| ≤ ‖δA‖₂), and both the closed form and ml-matrix's tridiagonal QL are
// backward stable, so both are within a small multiple of ε·‖A‖_F (~1e-15·‖A‖)
// of the truth. The tolerance is therefore relative to the tensor norm, not to
// each eigenvalue (a small eigenvalue of a large tensor has only absolute
// accuracy). 1e-12 leaves ~100× margin over that rounding and still catches
// any wrong formula or mis-sorting.
const REL = 1e-12;

describe('vonMises', () => {
  it('of a uniaxial stress is |σ| for tension and compression in every direction', () => {
    for (const sigma of [250, -80]) {
      for (let d = 0; d < 3; d++) {
        const s = new Float64Array(6);
        s[d] = sigma;
        // exact: √(½(σ² + σ²)) = |σ| needs one square root of σ² (correctly rounded)
        expect(vonMises(s)[0]).toBe(Math.abs(sigma));
      }
    }
  });

  it('of pure shear τ is √3·τ for each shear component', () => {
    for (let d = 3; d < 6; d++) {
      const s = new Float64Array(6);
      s[d] = -40;
      // one multiplication and a square root: within 2 ulp of √3·40
      expect(vonMises(s)[0]).toBeCloseTo(Math.sqrt(3) * 40, 12);
    }
  });

  it('of a hydrostatic stress is 0', () => {
    expect(vonMises(new Float64Array([-7.5, -7.5, -7.5, 0, 0, 0]))[0]).toBe(0);
  });

  it('equals √(½Σ(σi − σj)²) of the principal stresses and is rotation invariant', () => {
    fc.assert(
      fc.property(tensor, quaternion, (s, q) => {
        const p = principalStresses(new Float64Array(s));
        const fromPrincipal = Math.sqrt(0.5 * ((p[0] - p[1]) ** 2 + (p[1] - p[2]) ** 2 + (p[2] - p[0]) ** 2));
        const vm = vonMises(new Float64Array([...s, ...rotate(s, rotation(q))]));
        const tol = REL * (frob(s) + 1e-300);
        expect(Math.abs(vm[0] - fromPrincipal)).toBeLessThanOrEqual(tol * 10); // σvm ≈ ‖dev σ‖·√1.5: a few more roundings
        expect(Math.abs(vm[1] - vm[0])).toBeLessThanOrEqual(tol * 10);
      }),
      { numRuns: 300 },
    );
  });

  it('writes into a given output array and refuses a wrong one', () => {
    const out = new Float64Array(2);
    const s = new Float64Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(vonMises(s, out)).toBe(out);
    expect(out[0]).toBe(1);
    expect(() => vonMises(s, new Float64Array(3))).toThrow(DimensionMismatchError);
  });
});

describe('principalStresses', () => {
  it('matches ml-matrix EigenvalueDecomposition on random symmetric tensors', () => {
    fc.assert(
      fc.property(tensor, (s) => {
        const ours = principalStresses(new Float64Array(s));
        const ref = new EigenvalueDecomposition(new Matrix(toMatrix(s)), { assumeSymmetric: true }).realEigenvalues
          .slice()
          .sort((a, b) => b - a);
        const tol = REL * frob(s);
        for (let i = 0; i < 3; i++) expect(Math.abs(ours[i] - ref[i])).toBeLessThanOrEqual(tol);
      }),
      { numRuns: 500 },
    );
  });

  it('is sorted descending and invariant under rotation', () => {
    fc.assert(
      fc.property(tensor, quaternion, (s, q) => {
        const both = principalStresses(new Float64Array([...s, ...rotate(s, rotation(q))]));
        expect(both[0]).toBeGreaterThanOrEqual(both[1]);
        expect(both[1]).toBeGreaterThanOrEqual(both[2]);
        expect(both[3]).toBeGreaterThanOrEqual(both[4]);
        expect(both[4]).toBeGreaterThanOrEqual(both[5]);
        // the rotated tensor itself carries rounding of order ε·‖A‖ from R·A·Rᵀ
        const tol = REL * frob(s);
        for (let i = 0; i < 3; i++) expect(Math.abs(both[i] - both[3 + i])).toBeLessThanOrEqual(tol);
        // the trace is the sum of the eigenvalues
        expect(Math.abs(both[0] + both[1] + both[2] - (s[0] + s[1] + s[2]))).toBeLessThanOrEqual(tol);
      }),
      { numRuns: 300 },
    );
  });

  it('recovers exactly and nearly repeated eigenvalues of rotated diagonal tensors', () => {
    // spectra with a gap δ between two eigenvalues, from exactly double to well separated
    const gap = fc.constantFrom(0, 1e-14, 1e-10, 1e-6, 1e-2, 1);
    fc.assert(
      fc.property(
        fc.double({ min: -500, max: 500, noNaN: true }).map((v) => (Math.abs(v) < 1e-6 ? 0 : v)),
        fc.double({ min: -500, max: 500, noNaN: true }).map((v) => (Math.abs(v) < 1e-6 ? 0 : v)),
        gap,
        fc.boolean(),
        quaternion,
        (a, b, delta, triple, q) => {
          const lambdas = triple ? [a, a + delta, a - delta] : [a, a + delta * Math.abs(a), b];
          const s = rotate([lambdas[0], lambdas[1], lambdas[2], 0, 0, 0], rotation(q));
          const p = principalStresses(new Float64Array(s));
          const exact = lambdas.slice().sort((x, y) => y - x);
          // rotating the diagonal tensor costs rounding of order ε·‖Λ‖
          const tol = REL * Math.hypot(...lambdas);
          for (let i = 0; i < 3; i++) expect(Math.abs(p[i] - exact[i])).toBeLessThanOrEqual(tol);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('scales: tensors of magnitude 1e−200 and 1e+200 give the scaled eigenvalues', () => {
    const base: Sym = [3, -1, 2, 0.5, -0.25, 1.5];
    const ref = principalStresses(new Float64Array(base));
    for (const f of [1e-200, 1e200]) {
      const p = principalStresses(new Float64Array(base.map((v) => v * f)));
      // same relative accuracy as at magnitude 1 (scaling by a power of ten rounds once per entry)
      for (let i = 0; i < 3; i++) expect(Math.abs(p[i] / f - ref[i])).toBeLessThanOrEqual(REL * frob(base));
    }
  });

  it('handles the diagonal, zero and pure shear cases exactly', () => {
    const p = principalStresses(new Float64Array([3, -1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect([...p]).toEqual([7, 3, -1, 0, 0, 0]);
    const shear = principalStresses(new Float64Array([0, 0, 0, 5, 0, 0]));
    // pure shear τ: ±τ and 0, through cos(π/6) and cos(5π/6): within a few ulp
    expect(shear[0]).toBeCloseTo(5, 12);
    expect(shear[1]).toBeCloseTo(0, 12);
    expect(shear[2]).toBeCloseTo(-5, 12);
  });

  it('refuses bad lengths and non-finite components', () => {
    expect(() => principalStresses(new Float64Array(5))).toThrow(DimensionMismatchError);
    expect(() => principalStresses(new Float64Array([1, 2, NaN, 0, 0, 0]))).toThrow(NonFiniteInputError);
    expect(() => vonMises(new Float64Array([1, 2, 3, Infinity, 0, 0]))).toThrow(/component 3 of tensor 0/);
  });
});

describe('principalDirections', () => {
  it('gives an orthonormal right-handed triad with A·v = λ·v', () => {
    const specials: Sym[] = [
      [2, 2, 2, 0, 0, 0], // triple root
      [1, 1, 5, 0, 0, 0], // double root, lower pair
      [5, 1, 1, 0, 0, 0], // double root, upper pair
      [0, 0, 0, 5, 0, 0], // pure shear
      [0, 0, 0, 0, 0, 0],
    ];
    const check = (s: Sym) => {
      const { values, vectors } = principalDirections(new Float64Array(s));
      const a = toMatrix(s);
      // residual ‖A·v − λ·v‖ of a backward-stable method is O(ε·‖A‖); for a
      // nearly repeated root the direction itself is ill-conditioned but the
      // residual stays small, which is what is checked.
      const tol = 1e-10 * (frob(s) + 1e-300);
      for (let i = 0; i < 3; i++) {
        const v = [vectors[3 * i], vectors[3 * i + 1], vectors[3 * i + 2]];
        // unit length to rounding
        expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-12);
        for (let r = 0; r < 3; r++) {
          const av = a[r][0] * v[0] + a[r][1] * v[1] + a[r][2] * v[2];
          expect(Math.abs(av - values[i] * v[r])).toBeLessThanOrEqual(tol);
        }
        for (let j = i + 1; j < 3; j++) {
          const dot = v[0] * vectors[3 * j] + v[1] * vectors[3 * j + 1] + v[2] * vectors[3 * j + 2];
          // orthogonality to rounding of the normalised cross products
          expect(Math.abs(dot)).toBeLessThan(1e-12);
        }
      }
      // right-handed: (v1 × v2)·v3 = +1
      const [x1, y1, z1, x2, y2, z2, x3, y3, z3] = vectors;
      const triple = (y1 * z2 - z1 * y2) * x3 + (z1 * x2 - x1 * z2) * y3 + (x1 * y2 - y1 * x2) * z3;
      expect(Math.abs(triple - 1)).toBeLessThan(1e-12);
    };
    for (const s of specials) check(s);
    fc.assert(fc.property(tensor, check), { numRuns: 300 });
    fc.assert(
      fc.property(quaternion, fc.constantFrom(0, 1e-12, 1e-7), (q, d) => check(rotate([3, 3 + d, -2, 0, 0, 0], rotation(q)))),
      { numRuns: 100 },
    );
  });

  it('finds the axis of a uniaxial stress in a rotated frame', () => {
    const r = rotation([0.3, -0.2, 0.8, 0.1]);
    const s = rotate([120, 0, 0, 0, 0, 0], r);
    const { values, vectors } = principalDirections(new Float64Array(s));
    // rotation rounding only
    expect(values[0]).toBeCloseTo(120, 10);
    const axis = [r[0][0], r[1][0], r[2][0]]; // R·e_x
    const cos = Math.abs(axis[0] * vectors[0] + axis[1] * vectors[1] + axis[2] * vectors[2]);
    expect(cos).toBeCloseTo(1, 12);
  });
});

describe('hydrostaticPressure and maxShear', () => {
  it('p = −tr σ/3 is positive in compression', () => {
    const p = hydrostaticPressure(new Float64Array([-3, -6, -9, 4, 5, 6, 30, 0, 0, 0, 0, 0]));
    expect(p[0]).toBe(6);
    expect(p[1]).toBe(-10);
  });

  it('τmax = (σ1 − σ3)/2 for uniaxial stress and pure shear', () => {
    const t = maxShear(new Float64Array([100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0]));
    expect(t[0]).toBe(50);
    // pure shear τ = 7: principal stresses ±7 through the trigonometric form
    expect(t[1]).toBeCloseTo(7, 12);
  });

  it('τmax is rotation invariant and lies between σvm/2 (uniaxial) and σvm/√3 (pure shear)', () => {
    fc.assert(
      fc.property(tensor, quaternion, (s, q) => {
        const t = maxShear(new Float64Array([...s, ...rotate(s, rotation(q))]));
        const vm = vonMises(new Float64Array(s))[0];
        const tol = REL * frob(s);
        expect(Math.abs(t[0] - t[1])).toBeLessThanOrEqual(tol);
        // Tresca vs Mises: τmax = σvm/2 for uniaxial stress, σvm/√3 for pure shear, between otherwise
        expect(t[0]).toBeGreaterThanOrEqual(vm / 2 - tol);
        expect(t[0]).toBeLessThanOrEqual(vm / Math.sqrt(3) + tol);
      }),
      { numRuns: 200 },
    );
  });
});
