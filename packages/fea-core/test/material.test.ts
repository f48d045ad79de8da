import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import {
  constitutiveMatrix,
  isotropicLame,
  validateMaterial,
  type Material,
  type TransverselyIsotropicMaterial,
} from '../src/fem/material.js';
import { InvalidMaterialError } from '../src/errors.js';

const unitAxis = fc
  .tuple(
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
  )
  .filter((a) => Math.hypot(...a) > 0.1)
  .map((a) => [a[0], a[1], a[2]] as [number, number, number]);

const arbIsotropic = fc.record({
  E: fc.double({ min: 1e-3, max: 1e5, noNaN: true }),
  nu: fc.oneof(fc.double({ min: -0.99, max: 0.499, noNaN: true }), fc.constant(0.4999)),
});

const arbTransverse: fc.Arbitrary<TransverselyIsotropicMaterial> = fc
  .record({
    Ep: fc.double({ min: 10, max: 20000, noNaN: true }),
    ratio: fc.double({ min: 0.2, max: 5, noNaN: true }),
    nuP: fc.double({ min: -0.5, max: 0.6, noNaN: true }),
    nuPz: fc.double({ min: -0.3, max: 0.5, noNaN: true }),
    shear: fc.double({ min: 0.05, max: 1, noNaN: true }),
    axis: unitAxis,
  })
  // Comfortably positive definite, so the energy comparison is well conditioned.
  .filter(({ Ep, ratio, nuP, nuPz }) => (1 - nuP) * Ep - 2 * nuPz * nuPz * ratio * Ep > 0.05 * Ep)
  .map(({ Ep, ratio, nuP, nuPz, shear, axis }) => ({
    kind: 'transversely-isotropic' as const,
    Ep,
    Ez: ratio * Ep,
    nuP,
    nuPz,
    Gz: shear * Ep,
    axis,
  }));

function toMatrix(D: Float64Array): Matrix {
  return Matrix.from1DArray(6, 6, Array.from(D));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Rotation matrix (row-major 3×3) of angle θ about a unit axis k (Rodrigues). */
function rotation(k: number[], theta: number): number[] {
  const n = Math.hypot(k[0], k[1], k[2]);
  const [x, y, z] = [k[0] / n, k[1] / n, k[2] / n];
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const C = 1 - c;
  return [
    c + x * x * C, x * y * C - z * s, x * z * C + y * s,
    y * x * C + z * s, c + y * y * C, y * z * C - x * s,
    z * x * C - y * s, z * y * C + x * s, c + z * z * C,
  ];
}

/** Voigt (engineering shear) → symmetric tensor, row-major 3×3. */
function voigtToTensor(e: number[]): number[] {
  return [e[0], e[3] / 2, e[5] / 2, e[3] / 2, e[1], e[4] / 2, e[5] / 2, e[4] / 2, e[2]];
}

function tensorToVoigt(t: number[]): number[] {
  return [t[0], t[4], t[8], t[1] + t[3], t[5] + t[7], t[6] + t[2]];
}

/** Q·ε·Qᵀ for row-major 3×3 matrices. */
function rotateTensor(Q: number[], e: number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) out[3 * i + j] += Q[3 * i + k] * Q[3 * j + l] * e[3 * k + l];
  return out;
}

function energy(D: Float64Array, e: number[]): number {
  let s = 0;
  for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) s += e[r] * D[r * 6 + c] * e[c];
  return s;
}

describe('isotropic material', () => {
  it('D matches the Lamé form λ·m·mᵀ + μ·diag(2,2,2,1,1,1)', () => {
    fc.assert(
      fc.property(arbIsotropic, ({ E, nu }) => {
        const D = constitutiveMatrix({ kind: 'isotropic', E, nu });
        // λ and μ from their textbook definitions, independently of isotropicLame.
        const lambda = (E * nu) / ((1 + nu) * (1 - 2 * nu));
        const mu = E / (2 * (1 + nu));
        for (let r = 0; r < 6; r++) {
          for (let c = 0; c < 6; c++) {
            const expected = (r < 3 && c < 3 ? lambda : 0) + (r === c ? (r < 3 ? 2 * mu : mu) : 0);
            // Same formula evaluated in a different order: rounding only, relative to λ + 2μ.
            expect(Math.abs(D[r * 6 + c] - expected)).toBeLessThanOrEqual(1e-13 * (Math.abs(lambda) + 2 * mu));
          }
        }
      }),
    );
  });

  it('D is symmetric positive definite for every admissible E, ν (including ν = 0.4999)', () => {
    fc.assert(
      fc.property(arbIsotropic, ({ E, nu }) => {
        const D = constitutiveMatrix({ kind: 'isotropic', E, nu });
        for (let r = 0; r < 6; r++) for (let c = 0; c < r; c++) expect(D[r * 6 + c]).toBe(D[c * 6 + r]);
        expect(new CholeskyDecomposition(toMatrix(D)).isPositiveDefinite()).toBe(true);
      }),
    );
  });

  it('isotropicLame gives λ, μ and K = λ + 2μ/3 consistent with the compliance 1/E', () => {
    fc.assert(
      fc.property(arbIsotropic, ({ E, nu }) => {
        const { lambda, mu, bulk } = isotropicLame(E, nu);
        // Uniaxial stress: E = μ(3λ + 2μ)/(λ + μ); ν = λ/(2(λ + μ)). Rounding,
        // amplified near ν = 0.5 by λ ≫ μ (λ/μ ≤ 1e4 here): 1e-9 relative.
        expect(Math.abs((mu * (3 * lambda + 2 * mu)) / (lambda + mu) - E)).toBeLessThanOrEqual(1e-9 * E);
        expect(Math.abs(lambda / (2 * (lambda + mu)) - nu)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(bulk - (lambda + (2 * mu) / 3))).toBeLessThanOrEqual(1e-12 * bulk);
      }),
    );
  });
});

describe('transversely isotropic material', () => {
  it('with Ep = Ez, νP = νPz and Gz = E/(2(1+ν)) reproduces the isotropic D for any axis', () => {
    fc.assert(
      fc.property(arbIsotropic, unitAxis, ({ E, nu }, axis) => {
        const iso = constitutiveMatrix({ kind: 'isotropic', E, nu });
        const ti = constitutiveMatrix({
          kind: 'transversely-isotropic', Ep: E, Ez: E, nuP: nu, nuPz: nu, Gz: E / (2 * (1 + nu)), axis,
        });
        // Different arithmetic paths (compliance inversion, rotation); the
        // inversion loses ~cond(S) ≤ 1/(1−2ν) ≈ 5000 times ε: 1e-10 relative.
        const scale = maxAbs(iso);
        for (let i = 0; i < 36; i++) expect(Math.abs(ti[i] - iso[i])).toBeLessThanOrEqual(1e-10 * scale);
      }),
    );
  });

  it('along the axis its compliance has the engineering constants (z axis)', () => {
    const m: TransverselyIsotropicMaterial = {
      kind: 'transversely-isotropic', Ep: 11300, Ez: 22000, nuP: 0.484, nuPz: 0.203, Gz: 5400, axis: [0, 0, 2],
    };
    const S = inverse(toMatrix(constitutiveMatrix(m)));
    // Inverse of an SPD 6×6 with condition ~10: rounding only, 1e-12 relative to each entry's scale.
    const close = (v: number, expected: number) => expect(Math.abs(v - expected)).toBeLessThanOrEqual(1e-12 * 1e-4 + 1e-9 * Math.abs(expected));
    close(S.get(0, 0), 1 / m.Ep);
    close(S.get(2, 2), 1 / m.Ez);
    close(S.get(0, 1), -m.nuP / m.Ep);
    close(S.get(2, 0), -m.nuPz / m.Ep); // ε_z = −νPz·σ_x/Ep
    close(S.get(0, 2), -m.nuPz / m.Ep); // symmetric: ε_x = −(νPz·Ez/Ep)·σ_z/Ez
    close(S.get(3, 3), (2 * (1 + m.nuP)) / m.Ep); // in-plane shear 1/Gp
    close(S.get(4, 4), 1 / m.Gz);
    close(S.get(5, 5), 1 / m.Gz);
  });

  it('is symmetric positive definite and its energy is invariant under rotation of axis and strain together', () => {
    fc.assert(
      fc.property(
        arbTransverse,
        unitAxis,
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.array(fc.double({ min: -1e-2, max: 1e-2, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (m, k, theta, e) => {
          const D = constitutiveMatrix(m);
          for (let r = 0; r < 6; r++) for (let c = 0; c < r; c++) expect(D[r * 6 + c]).toBe(D[c * 6 + r]);
          expect(new CholeskyDecomposition(toMatrix(D)).isPositiveDefinite()).toBe(true);

          // Rotate the material axis by Q and the strain by ε' = Q·ε·Qᵀ: the
          // configuration is the same body seen in rotated axes, so εᵀDε is unchanged.
          const Q = rotation(k, theta);
          const a = m.axis;
          const rotatedAxis: [number, number, number] = [0, 1, 2].map(
            (i) => Q[3 * i] * a[0] + Q[3 * i + 1] * a[1] + Q[3 * i + 2] * a[2],
          ) as [number, number, number];
          const Dr = constitutiveMatrix({ ...m, axis: rotatedAxis });
          const er = tensorToVoigt(rotateTensor(Q, voigtToTensor(e)));
          const w = energy(D, e);
          const wr = energy(Dr, er);
          // Rounding in D (compliance inversion, cond ≲ 1e3 here) and in the rotation:
          // bound relative to |D|·|ε|², since w itself can be small for a soft direction.
          const scale = maxAbs(D) * e.reduce((s, v) => s + v * v, 0) + 1e-300;
          expect(Math.abs(w - wr)).toBeLessThanOrEqual(1e-10 * scale);
        },
      ),
    );
  });
});

describe('validateMaterial', () => {
  const cases: Array<[string, Material, RegExp]> = [
    ['ν = 0.5', { kind: 'isotropic', E: 10, nu: 0.5 }, /^material 3: Poisson's ratio ν = 0\.5 must satisfy −1 < ν < 0\.5$/],
    ['ν = −1', { kind: 'isotropic', E: 10, nu: -1 }, /Poisson's ratio ν = -1 must satisfy −1 < ν < 0\.5/],
    ['E = 0', { kind: 'isotropic', E: 0, nu: 0.3 }, /Young's modulus E = 0 MPa must be > 0/],
    ['E < 0', { kind: 'isotropic', E: -5, nu: 0.3 }, /Young's modulus E = -5 MPa must be > 0/],
    ['E = NaN', { kind: 'isotropic', E: NaN, nu: 0.3 }, /Young's modulus E = NaN is not a finite number/],
    ['ν = Infinity', { kind: 'isotropic', E: 1, nu: Infinity }, /Poisson's ratio ν = Infinity is not a finite number/],
    [
      'TI not positive definite',
      { kind: 'transversely-isotropic', Ep: 100, Ez: 400, nuP: 0.45, nuPz: 0.3, Gz: 30, axis: [0, 0, 1] },
      /material 3: transversely isotropic compliance is not positive definite/,
    ],
    [
      'TI νP ≥ 1',
      { kind: 'transversely-isotropic', Ep: 100, Ez: 100, nuP: 1, nuPz: 0, Gz: 30, axis: [0, 0, 1] },
      /not positive definite/,
    ],
    [
      'TI Gz = 0',
      { kind: 'transversely-isotropic', Ep: 100, Ez: 100, nuP: 0.3, nuPz: 0.3, Gz: 0, axis: [0, 0, 1] },
      /axial shear modulus Gz = 0 MPa must be > 0/,
    ],
    [
      'TI zero axis',
      { kind: 'transversely-isotropic', Ep: 100, Ez: 100, nuP: 0.3, nuPz: 0.3, Gz: 30, axis: [0, 0, 0] },
      /axis \[0, 0, 0\] has zero length/,
    ],
    [
      'TI NaN axis',
      { kind: 'transversely-isotropic', Ep: 100, Ez: 100, nuP: 0.3, nuPz: 0.3, Gz: 30, axis: [0, NaN, 1] },
      /axis\[1\] = NaN is not a finite number/,
    ],
  ];

  it.each(cases)('rejects %s with a typed error naming the material', (_name, m, message) => {
    let error: unknown;
    try {
      validateMaterial(m, 3);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidMaterialError);
    const err = error as InvalidMaterialError;
    expect(err.message).toMatch(message);
    expect(err.materialId).toBe(3);
    expect(err.code).toBe('INVALID_MATERIAL');
    // constitutiveMatrix refuses it too, rather than returning NaN/indefinite entries.
    expect(() => constitutiveMatrix(m)).toThrow(InvalidMaterialError);
  });

  it('accepts the admissible edge of each range and names unnamed/named materials', () => {
    expect(() => validateMaterial({ kind: 'isotropic', E: 1e-9, nu: 0.4999999 })).not.toThrow();
    expect(() => validateMaterial({ kind: 'isotropic', E: 1, nu: -0.999 })).not.toThrow();
    expect(() => validateMaterial({ kind: 'isotropic', E: 1, nu: 0.5, name: 'nucleus' })).toThrow(/material "nucleus"/);
    expect(() => validateMaterial({ kind: 'isotropic', E: 1, nu: 0.5, name: 'nucleus' }, 7)).toThrow(/material 7 \(nucleus\)/);
  });
});
