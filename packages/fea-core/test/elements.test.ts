import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { CELL_INFO } from '@spinefea/mesh';
import type { ElementFamily } from '../src/fem/element-family.js';
import { hex8, tet4, tet10, elementFamily } from '../src/fem/elements/index.js';
import { constitutiveMatrix, type Material } from '../src/fem/material.js';
import { HEX8_CORNERS, HEX8_GAUSS_POINTS, TET_GAUSS4_POINTS } from '../src/fem/elements/quadrature.js';
import { InvalidElementError } from '../src/errors.js';

// ---------------------------------------------------------------------------
// Reference geometries (mm) and random valid elements
// ---------------------------------------------------------------------------

const UNIT_CUBE = new Float64Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1]);
// Regular tetrahedron with edge 1; 0-1-2 counter-clockwise seen from node 3.
const REGULAR_TET = new Float64Array([
  0, 0, 0, 1, 0, 0, 0.5, Math.sqrt(3) / 2, 0, 0.5, Math.sqrt(3) / 6, Math.sqrt(2 / 3),
]);
const TET10_EDGES = [0, 1, 1, 2, 2, 0, 0, 3, 1, 3, 2, 3];

/** Corners plus straight mid-edge nodes (VTK order). */
function withMidEdges(corners: Float64Array): Float64Array {
  const x = new Float64Array(30);
  x.set(corners);
  for (let e = 0; e < 6; e++) {
    for (let k = 0; k < 3; k++) {
      x[12 + 3 * e + k] = 0.5 * (corners[3 * TET10_EDGES[2 * e] + k] + corners[3 * TET10_EDGES[2 * e + 1] + k]);
    }
  }
  return x;
}

const REFERENCE: Record<string, Float64Array> = {
  hex8: UNIT_CUBE,
  tet4: REGULAR_TET,
  tet10: withMidEdges(REGULAR_TET),
};

const FAMILIES: ElementFamily[] = [hex8, tet4, tet10];

interface Geometry {
  xe: Float64Array;
  /** Characteristic edge length, mm. */
  size: number;
}

function det3(m: number[]): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/**
 * x = size·(I + A)·X + shift + size·amp·δ: a random affine map of positive
 * determinant plus small nodal perturbations (amp = 0 keeps it affine, so
 * faces stay planar and tet10 edges straight).
 */
function arbGeometry(family: ElementFamily, maxPerturbation: number): fc.Arbitrary<Geometry> {
  const ref = REFERENCE[family.cellType];
  const n = family.nodesPerElement;
  const coord = (min: number, max: number) => fc.double({ min, max, noNaN: true });
  return fc
    .record({
      A: fc.array(coord(-0.4, 0.4), { minLength: 9, maxLength: 9 }),
      size: coord(0.5, 20),
      shift: fc.array(coord(-100, 100), { minLength: 3, maxLength: 3 }),
      delta: fc.array(coord(-1, 1), { minLength: 3 * n, maxLength: 3 * n }),
      amp: coord(0, maxPerturbation),
    })
    .filter(({ A }) => det3([1 + A[0], A[1], A[2], A[3], 1 + A[4], A[5], A[6], A[7], 1 + A[8]]) > 0.3)
    .map(({ A, size, shift, delta, amp }) => {
      const xe = new Float64Array(3 * n);
      for (let a = 0; a < n; a++) {
        for (let i = 0; i < 3; i++) {
          let v = ref[3 * a + i];
          for (let j = 0; j < 3; j++) v += A[3 * i + j] * ref[3 * a + j];
          xe[3 * a + i] = size * v + shift[i] + size * amp * delta[3 * a + i];
        }
      }
      return { xe, size };
    })
    .filter(({ xe }) => family.scaledJacobian(xe) > 0.2);
}

/** A random admissible material: isotropic or transversely isotropic with a random axis. */
const arbMaterial: fc.Arbitrary<Material> = fc.oneof(
  fc.record({
    kind: fc.constant('isotropic' as const),
    E: fc.double({ min: 1, max: 20000, noNaN: true }),
    nu: fc.double({ min: 0, max: 0.45, noNaN: true }),
  }),
  fc
    .record({
      kind: fc.constant('transversely-isotropic' as const),
      Ep: fc.double({ min: 100, max: 20000, noNaN: true }),
      ratio: fc.double({ min: 0.5, max: 3, noNaN: true }),
      nuP: fc.double({ min: 0, max: 0.45, noNaN: true }),
      nuPz: fc.double({ min: 0, max: 0.4, noNaN: true }),
      shear: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
      axis: fc.tuple(
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
      ),
    })
    .filter(({ Ep, ratio, nuP, nuPz, axis }) => {
      // Keep the compliance comfortably positive definite and the axis non-zero.
      const Ez = ratio * Ep;
      return (1 - nuP) * Ep - 2 * nuPz * nuPz * Ez > 0.1 * Ep && Math.hypot(...axis) > 0.1;
    })
    .map(({ Ep, ratio, nuP, nuPz, shear, axis }) => ({
      kind: 'transversely-isotropic' as const,
      Ep,
      Ez: ratio * Ep,
      nuP,
      nuPz,
      Gz: shear * Ep,
      axis: [axis[0], axis[1], axis[2]] as [number, number, number],
    })),
);

function stiffnessOf(family: ElementFamily, xe: Float64Array, D: Float64Array): Float64Array {
  const n3 = 3 * family.nodesPerElement;
  const ke = new Float64Array(n3 * n3);
  family.stiffness(xe, D, ke);
  return ke;
}

function sortedEigenvalues(ke: Float64Array, n: number): number[] {
  const m = Matrix.from1DArray(n, n, Array.from(ke));
  return new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Volume of a tetrahedron (signed, positive for 0-1-2 counter-clockwise seen from 3). */
function tetVolume(p0: number[], p1: number[], p2: number[], p3: number[]): number {
  const a = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
  const b = [p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]];
  const c = [p3[0] - p0[0], p3[1] - p0[1], p3[2] - p0[2]];
  return det3([...a, ...b, ...c]) / 6;
}

function node(xe: Float64Array, a: number): number[] {
  return [xe[3 * a], xe[3 * a + 1], xe[3 * a + 2]];
}

/**
 * Independent volume: tets for tet4/tet10 (straight-sided); for hex8 the
 * 24-tetrahedron decomposition about the face and body centroids, which
 * equals the volume of the trilinear hexahedron exactly (also with warped faces).
 */
function referenceVolume(cellType: string, xe: Float64Array): number {
  if (cellType !== 'hex8') return tetVolume(node(xe, 0), node(xe, 1), node(xe, 2), node(xe, 3));
  const c = [0, 0, 0];
  for (let a = 0; a < 8; a++) for (let k = 0; k < 3; k++) c[k] += xe[3 * a + k] / 8;
  let v = 0;
  for (const f of CELL_INFO.hex8.faces) {
    const fc3 = [0, 0, 0];
    for (const a of f) for (let k = 0; k < 3; k++) fc3[k] += xe[3 * a + k] / 4;
    for (let i = 0; i < 4; i++) v += tetVolume(c, node(xe, f[i]), node(xe, f[(i + 1) % 4]), fc3);
  }
  return v;
}

function faceCoordinates(family: ElementFamily, xe: Float64Array, f: number): Float64Array {
  const face = CELL_INFO[family.cellType].faces[f];
  const xf = new Float64Array(3 * face.length);
  face.forEach((a, i) => xf.set(xe.subarray(3 * a, 3 * a + 3), 3 * i));
  return xf;
}

/**
 * Vector area ½·Σ p_i × p_{i+1} of the face's corner polygon (planar faces),
 * with coordinates taken relative to the first corner so that the 100 mm
 * offsets do not cancel catastrophically.
 */
function vectorArea(xf: Float64Array, corners: number): number[] {
  const s = [0, 0, 0];
  const rel = (i: number) => [xf[3 * i] - xf[0], xf[3 * i + 1] - xf[1], xf[3 * i + 2] - xf[2]];
  for (let i = 0; i < corners; i++) {
    const j = (i + 1) % corners;
    const p = rel(i);
    const q = rel(j);
    s[0] += 0.5 * (p[1] * q[2] - p[2] * q[1]);
    s[1] += 0.5 * (p[2] * q[0] - p[0] * q[2]);
    s[2] += 0.5 * (p[0] * q[1] - p[1] * q[0]);
  }
  return s;
}

function sumNodal(f: Float64Array): number[] {
  const s = [0, 0, 0];
  for (let i = 0; i < f.length; i++) s[i % 3] += f[i];
  return s;
}

const faceCorners = (family: ElementFamily) => (family.cellType === 'hex8' ? 4 : 3);

// ---------------------------------------------------------------------------

describe.each(FAMILIES)('$cellType element', (family) => {
  const n = family.nodesPerElement;
  const n3 = 3 * n;
  const nq = family.samplingPoints;

  it('Ke is symmetric, positive semi-definite, with exactly six zero eigenvalues (rigid modes)', () => {
    fc.assert(
      fc.property(arbGeometry(family, 0.08), arbMaterial, ({ xe }, material) => {
        const ke = stiffnessOf(family, xe, constitutiveMatrix(material));
        const scale = maxAbs(ke);
        // Symmetry up to rounding relative to the largest entry: kernels that
        // form both triangles differ only by summation order (~1e-15·max|Ke|).
        for (let r = 0; r < n3; r++) {
          for (let c = 0; c < r; c++) expect(Math.abs(ke[r * n3 + c] - ke[c * n3 + r])).toBeLessThanOrEqual(1e-10 * scale);
        }
        const ev = sortedEigenvalues(ke, n3);
        const top = ev[n3 - 1];
        // Eigenvalues of a symmetric matrix are accurate to ~n·ε·‖Ke‖ ≈ 1e-14·λmax:
        // 1e-9 separates rounding-level "zeros" from genuine deformation modes,
        // whose smallest stiffness on these elements (scaled Jacobian > 0.2,
        // ν ≤ 0.45, anisotropy ≤ 10) stays above 1e-6·λmax.
        expect(ev[0]).toBeGreaterThan(-1e-9 * top);
        for (let i = 0; i < 6; i++) expect(Math.abs(ev[i])).toBeLessThan(1e-9 * top);
        expect(ev[6]).toBeGreaterThan(1e-6 * top);
      }),
      { numRuns: 40 },
    );
  });

  it('rigid motion (translation + linearised rotation ω × x) gives zero strain', () => {
    const small = fc.double({ min: -1e-2, max: 1e-2, noNaN: true });
    fc.assert(
      fc.property(
        arbGeometry(family, 0.08),
        fc.tuple(small, small, small),
        fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
        ({ xe, size }, w, t) => {
          const ue = new Float64Array(n3);
          for (let a = 0; a < n; a++) {
            const [x, y, z] = node(xe, a);
            ue[3 * a] = t[0] + w[1] * z - w[2] * y;
            ue[3 * a + 1] = t[1] + w[2] * x - w[0] * z;
            ue[3 * a + 2] = t[2] + w[0] * y - w[1] * x;
          }
          const strain = new Float64Array(6 * nq);
          family.strain(xe, ue, strain);
          // Rounding: displacements of size |ω|·|x| + |t| (|x| ≤ ~150 mm here)
          // differenced over an element of size h: ~1e-15·(|ω|·150 + |t|)/h; 1e-11
          // leaves margin for the Jacobian's conditioning. The 1e-300 floor covers
          // subnormal inputs, where rounding is absolute rather than relative.
          const tol = (1e-11 * (maxAbs(w) * 150 + maxAbs(t))) / size + 1e-300;
          expect(maxAbs(strain)).toBeLessThanOrEqual(tol);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('linear displacement u = a + G·x gives exactly ε = sym(G) at every sampling point (patch test)', () => {
    const g = fc.double({ min: -1e-2, max: 1e-2, noNaN: true });
    fc.assert(
      fc.property(
        arbGeometry(family, 0.08),
        fc.array(g, { minLength: 9, maxLength: 9 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        ({ xe, size }, G, a0) => {
          const ue = new Float64Array(n3);
          for (let a = 0; a < n; a++) {
            for (let i = 0; i < 3; i++) {
              let v = a0[i];
              for (let j = 0; j < 3; j++) v += G[3 * i + j] * xe[3 * a + j];
              ue[3 * a + i] = v;
            }
          }
          const strain = new Float64Array(6 * nq);
          family.strain(xe, ue, strain);
          const exact = [G[0], G[4], G[8], G[1] + G[3], G[5] + G[7], G[6] + G[2]];
          // Same rounding argument as for rigid motion, displacements ~|G|·150 mm.
          const tol = (1e-11 * (maxAbs(G) * 150 + maxAbs(a0))) / size + 1e-300;
          for (let q = 0; q < nq; q++) {
            for (let k = 0; k < 6; k++) expect(Math.abs(strain[6 * q + k] - exact[k])).toBeLessThanOrEqual(tol);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('strains are consistent with the stiffness: ueᵀ·Ke·ue = Σ_q w_q·ε_qᵀ·D·ε_q', () => {
    fc.assert(
      fc.property(
        arbGeometry(family, 0.08),
        arbMaterial,
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n3, maxLength: n3 }),
        ({ xe }, material, u) => {
          const D = constitutiveMatrix(material);
          const ke = stiffnessOf(family, xe, D);
          const ue = Float64Array.from(u);
          let eK = 0;
          let absSum = 0; // Σ|u_r·K_rc·u_c|, the scale of the summation's rounding error
          for (let r = 0; r < n3; r++) {
            for (let c = 0; c < n3; c++) {
              eK += ue[r] * ke[r * n3 + c] * ue[c];
              absSum += Math.abs(ue[r] * ke[r * n3 + c] * ue[c]);
            }
          }
          const strain = new Float64Array(6 * nq);
          const w = new Float64Array(nq);
          family.strain(xe, ue, strain);
          family.samplingWeights(xe, w);
          let eS = 0;
          for (let q = 0; q < nq; q++) {
            for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) eS += w[q] * strain[6 * q + r] * D[r * 6 + c] * strain[6 * q + c];
          }
          // Same quadratic form summed two ways: rounding ≤ ~n·ε·Σ|terms| with
          // n ≤ 900 terms, ε = 2.2e-16, i.e. ~2e-13·Σ|terms|; 1e-11 adds margin
          // for the rounding inside Ke and the strains (1e-300: subnormal inputs).
          expect(Math.abs(eK - eS)).toBeLessThanOrEqual(1e-11 * absSum + 1e-300);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('sampling weights sum to the element volume; body force sums to b·V', () => {
    // Perturbed (warped) elements for hex8, whose trilinear volume the 24-tet
    // decomposition gives exactly; straight-sided for the tets.
    const amp = family.cellType === 'hex8' ? 0.08 : 0;
    fc.assert(
      fc.property(
        arbGeometry(family, amp),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
        ({ xe }, b) => {
          const w = new Float64Array(nq);
          family.samplingWeights(xe, w);
          const volume = referenceVolume(family.cellType, xe);
          const sum = w.reduce((s, v) => s + v, 0);
          expect(volume).toBeGreaterThan(0);
          // 2×2×2 Gauss integrates the trilinear det J exactly and the 4-point
          // rule integrates a constant det J exactly: rounding only (1e-12 relative).
          expect(Math.abs(sum - volume)).toBeLessThanOrEqual(1e-12 * volume);
          for (const v of w) expect(v).toBeGreaterThan(0);

          const fe = new Float64Array(n3);
          family.bodyForce(xe, Float64Array.from(b), fe);
          const f = sumNodal(fe);
          // Partition of unity Σ N_a = 1: rounding only.
          for (let k = 0; k < 3; k++) expect(Math.abs(f[k] - b[k] * volume)).toBeLessThanOrEqual(1e-12 * 10 * volume);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('planar faces: traction sums to t·A, normal integrals to A·n (outward)', () => {
    fc.assert(
      fc.property(
        arbGeometry(family, 0),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        ({ xe }, t) => {
          const faces = CELL_INFO[family.cellType].faces;
          const centroid = [0, 0, 0];
          for (let a = 0; a < n; a++) for (let k = 0; k < 3; k++) centroid[k] += xe[3 * a + k] / n;
          for (let f = 0; f < faces.length; f++) {
            const xf = faceCoordinates(family, xe, f);
            const nf = faces[f].length;
            const an = vectorArea(xf, faceCorners(family));
            const area = Math.hypot(...an);
            const ff = new Float64Array(3 * nf);
            family.faceTraction(xf, Float64Array.from(t), ff);
            const fn = new Float64Array(3 * nf);
            family.faceNormalIntegrals(xf, fn);
            const sf = sumNodal(ff);
            const sn = sumNodal(fn);
            // Exact quadrature of a constant over a planar face: rounding only.
            for (let k = 0; k < 3; k++) {
              expect(Math.abs(sf[k] - t[k] * area)).toBeLessThanOrEqual(1e-12 * 5 * area);
              expect(Math.abs(sn[k] - an[k])).toBeLessThanOrEqual(1e-12 * area);
            }
            // Outward: the face normal points away from the element centroid.
            let out = 0;
            for (let i = 0; i < faceCorners(family); i++) {
              for (let k = 0; k < 3; k++) out += (xf[3 * i + k] - centroid[k]) * an[k];
            }
            expect(out).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('closed surface of a warped element: Σ ∫N_a·n dA = 0 and ⅓·Σ x_a·∫N_a·n dA = volume', () => {
    fc.assert(
      fc.property(arbGeometry(family, 0.08), ({ xe, size }) => {
        const faces = CELL_INFO[family.cellType].faces;
        const total = [0, 0, 0];
        let divergenceVolume = 0;
        for (let f = 0; f < faces.length; f++) {
          const xf = faceCoordinates(family, xe, f);
          const fn = new Float64Array(3 * faces[f].length);
          family.faceNormalIntegrals(xf, fn);
          for (let i = 0; i < fn.length; i++) {
            total[i % 3] += fn[i];
            divergenceVolume += (xf[i] * fn[i]) / 3; // ∫ x·n dA = 3V, with x = Σ N_a x_a on the face
          }
        }
        // ∮ n dA = 0 exactly; the face rules are exact for bilinear/quadratic
        // faces, so rounding only (relative to size² and the 100 mm offsets).
        for (let k = 0; k < 3; k++) expect(Math.abs(total[k])).toBeLessThanOrEqual(1e-12 * size * size);
        const w = new Float64Array(nq);
        family.samplingWeights(xe, w);
        const volume = w.reduce((s, v) => s + v, 0);
        if (family.cellType !== 'tet10') {
          // For hex8 and tet4 Gauss integration of det J is exact; for a curved
          // tet10 det J is cubic and the 4-point rule is not, so it is skipped.
          // Rounding: |x| up to ~150 mm times face integrals ~size²: 1e-13 relative.
          expect(Math.abs(divergenceVolume - volume)).toBeLessThanOrEqual(1e-12 * (volume + 150 * size * size));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('scaledJacobian is 1 for the reference element and negative when two nodes are swapped', () => {
    const ref = REFERENCE[family.cellType];
    // det J is constant on the undistorted reference element: the ratio is 1 up to rounding.
    expect(family.scaledJacobian(ref)).toBeCloseTo(1, 12);
    const swap = (x: Float64Array, a: number, b: number) => {
      for (let k = 0; k < 3; k++) [x[3 * a + k], x[3 * b + k]] = [x[3 * b + k], x[3 * a + k]];
    };
    const swapped = Float64Array.from(ref);
    swap(swapped, 1, 2);
    expect(family.scaledJacobian(swapped)).toBeLessThan(0);
    // A consistently mirrored tet10 (corners 1↔2 with their mid-sides 01↔20, 13↔23)
    // is inverted everywhere, so the integration points see it too.
    if (family.cellType === 'tet10') {
      swap(swapped, 4, 6);
      swap(swapped, 8, 9);
      expect(family.scaledJacobian(swapped)).toBeCloseTo(-1, 12);
    }
    const ke = new Float64Array(n3 * n3);
    const D = constitutiveMatrix({ kind: 'isotropic', E: 1, nu: 0.3 });
    expect(() => family.stiffness(swapped, D, ke)).toThrow(InvalidElementError);
    expect(() => family.stiffness(new Float64Array(3 * n), D, ke)).toThrow(/degenerate/);
  });

  it('elementFamily(cellType) returns this family', () => {
    expect(elementFamily(family.cellType)).toBe(family);
    expect(family.extrapolation.length).toBe(n * nq);
  });
});

describe('extrapolation from sampling points to nodes', () => {
  it('hex8 reproduces any trilinear field at the corners', () => {
    const c = fc.double({ min: -10, max: 10, noNaN: true });
    fc.assert(
      fc.property(fc.array(c, { minLength: 8, maxLength: 8 }), (k) => {
        const f = (x: number, y: number, z: number) =>
          k[0] + k[1] * x + k[2] * y + k[3] * z + k[4] * x * y + k[5] * y * z + k[6] * z * x + k[7] * x * y * z;
        const samples = Array.from({ length: 8 }, (_, q) =>
          f(HEX8_GAUSS_POINTS[3 * q], HEX8_GAUSS_POINTS[3 * q + 1], HEX8_GAUSS_POINTS[3 * q + 2]),
        );
        for (let a = 0; a < 8; a++) {
          let v = 0;
          for (let q = 0; q < 8; q++) v += hex8.extrapolation[a * 8 + q] * samples[q];
          // Extrapolation weights are O(√3³); rounding relative to the coefficients.
          expect(v).toBeCloseTo(f(HEX8_CORNERS[3 * a], HEX8_CORNERS[3 * a + 1], HEX8_CORNERS[3 * a + 2]), 10);
        }
      }),
    );
  });

  it('tet10 reproduces any linear field at corners and mid-side nodes', () => {
    const c = fc.double({ min: -10, max: 10, noNaN: true });
    const nodes = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0.5];
    fc.assert(
      fc.property(fc.array(c, { minLength: 4, maxLength: 4 }), (k) => {
        const f = (r: number, s: number, t: number) => k[0] + k[1] * r + k[2] * s + k[3] * t;
        const samples = Array.from({ length: 4 }, (_, q) =>
          f(TET_GAUSS4_POINTS[3 * q], TET_GAUSS4_POINTS[3 * q + 1], TET_GAUSS4_POINTS[3 * q + 2]),
        );
        for (let a = 0; a < 10; a++) {
          let v = 0;
          for (let q = 0; q < 4; q++) v += tet10.extrapolation[a * 4 + q] * samples[q];
          // Weights are O(3): rounding only.
          expect(v).toBeCloseTo(f(nodes[3 * a], nodes[3 * a + 1], nodes[3 * a + 2]), 10);
        }
      }),
    );
  });

  it('tet4 copies its single value to every node', () => {
    expect(Array.from(tet4.extrapolation)).toEqual([1, 1, 1, 1]);
  });
});

describe('face load distribution on flat faces', () => {
  const t = new Float64Array([0.3, -1.2, 2]);
  it('tet10 (tri6): zero at corners, A/3 at each mid-side node', () => {
    const xe = withMidEdges(new Float64Array([0, 0, 0, 2, 0, 0, 0.5, 3, 0, 0.3, 0.4, 2]));
    const xf = faceCoordinates(tet10, xe, 0);
    const area = Math.hypot(...vectorArea(xf, 3));
    const ff = new Float64Array(18);
    tet10.faceTraction(xf, t, ff);
    // The 6-point degree-4 rule integrates the quadratic N_a exactly: rounding only.
    for (let a = 0; a < 6; a++) {
      for (let k = 0; k < 3; k++) expect(ff[3 * a + k]).toBeCloseTo(a < 3 ? 0 : (t[k] * area) / 3, 12);
    }
  });

  it('tet4 (tri3): A/3 at each node; hex8 (parallelogram quad): A/4 at each node', () => {
    const xt = faceCoordinates(tet4, REGULAR_TET, 2);
    const at = Math.hypot(...vectorArea(xt, 3));
    const ft = new Float64Array(9);
    tet4.faceTraction(xt, t, ft);
    for (let a = 0; a < 3; a++) for (let k = 0; k < 3; k++) expect(ft[3 * a + k]).toBeCloseTo((t[k] * at) / 3, 12);

    const xh = new Float64Array(UNIT_CUBE.length);
    // shear the cube so faces are parallelograms (bilinear Jacobian is constant)
    for (let a = 0; a < 8; a++) {
      xh[3 * a] = 2 * UNIT_CUBE[3 * a] + 0.5 * UNIT_CUBE[3 * a + 1];
      xh[3 * a + 1] = 3 * UNIT_CUBE[3 * a + 1];
      xh[3 * a + 2] = UNIT_CUBE[3 * a + 2] + 0.2 * UNIT_CUBE[3 * a];
    }
    const xf = faceCoordinates(hex8, xh, 1);
    const ah = Math.hypot(...vectorArea(xf, 4));
    const fh = new Float64Array(12);
    hex8.faceTraction(xf, t, fh);
    for (let a = 0; a < 4; a++) for (let k = 0; k < 3; k++) expect(fh[3 * a + k]).toBeCloseTo((t[k] * ah) / 4, 12);
  });
});

describe('hex8 B-bar with a nearly incompressible material (ν = 0.4999)', () => {
  const E = 2;
  const nu = 0.4999;
  const D = constitutiveMatrix({ kind: 'isotropic', E, nu });
  const ke = stiffnessOf(hex8, UNIT_CUBE, D);

  it('uniaxial stretch with free lateral faces has modulus E and the exact energy', () => {
    // Supports against rigid motion only: bottom face uz = 0, node 0 fixed,
    // node 1 (x = 1) uy = 0, node 3 (y = 1) ux = 0; top face uz = δ.
    const delta = 0.01;
    const prescribed = new Map<number, number>();
    for (let a = 0; a < 4; a++) prescribed.set(3 * a + 2, 0);
    for (let a = 4; a < 8; a++) prescribed.set(3 * a + 2, delta);
    prescribed.set(0, 0).set(1, 0).set(3 * 1 + 1, 0).set(3 * 3, 0);
    const free = [...Array(24).keys()].filter((d) => !prescribed.has(d));
    const u = new Float64Array(24);
    for (const [d, v] of prescribed) u[d] = v;
    const Kff = free.map((r) => free.map((c) => ke[r * 24 + c]));
    const rhs = free.map((r) => [-[...prescribed].reduce((s, [c, v]) => s + ke[r * 24 + c] * v, 0)]);
    const uf = solve(new Matrix(Kff), new Matrix(rhs));
    free.forEach((d, i) => (u[d] = uf.get(i, 0)));

    let topForce = 0;
    let energy = 0;
    for (let r = 0; r < 24; r++) {
      let f = 0;
      for (let c = 0; c < 24; c++) f += ke[r * 24 + c] * u[c];
      if (r % 3 === 2 && r >= 12) topForce += f;
      energy += 0.5 * u[r] * f;
    }
    // Uniaxial stress σ = E·δ on a unit cube: F = E·δ, U = ½·E·δ²·V. The exact
    // solution lies in the element space, so only rounding (amplified by the
    // bulk/shear ratio ~ 1/(1−2ν) = 5000 in the solve) separates them: 1e-8.
    expect(topForce / delta).toBeCloseTo(E, 7);
    expect(Math.abs(energy - 0.5 * E * delta * delta) / (0.5 * E * delta * delta)).toBeLessThan(1e-8);
    // Lateral contraction −ν·δ at the x = 1 and y = 1 faces.
    expect(u[3 * 6] / delta).toBeCloseTo(-nu, 7);
    expect(u[3 * 6 + 1] / delta).toBeCloseTo(-nu, 7);
  });

  it('only the mean dilatation carries the bulk stiffness (one volumetric constraint, not eight)', () => {
    // Bulk modulus K = E/(3(1−2ν)) ≈ 3334 vs shear μ ≈ 0.67: an eigenvalue
    // above 100·E can only come from a volumetric constraint. A fully
    // integrated standard hex8 has several (4 on the unit cube: the Gauss-point
    // dilatations are independent beyond the mean); B-bar must leave exactly one.
    const ev = sortedEigenvalues(ke, 24);
    expect(ev.filter((v) => v > 100 * E).length).toBe(1);
    // ... and still exactly six rigid-body zero modes (relative 1e-9, see above).
    const top = ev[23];
    expect(ev.filter((v) => Math.abs(v) < 1e-9 * top).length).toBe(6);
  });

  it('B-bar also holds for an anisotropic D: patch test and energy on a warped element', () => {
    const Dti = constitutiveMatrix({
      kind: 'transversely-isotropic', Ep: 100, Ez: 400, nuP: 0.45, nuPz: 0.15, Gz: 30, axis: [0.3, -0.2, 1],
    });
    const xe = Float64Array.from(UNIT_CUBE, (v, i) => v + 0.07 * Math.sin(3.1 * i + 0.4));
    expect(hex8.scaledJacobian(xe)).toBeGreaterThan(0.5);
    const k = stiffnessOf(hex8, xe, Dti);
    const ev = sortedEigenvalues(k, 24);
    // Six rigid modes only (same tolerances as the property test).
    expect(ev.filter((v) => Math.abs(v) < 1e-9 * ev[23]).length).toBe(6);
    expect(ev[6]).toBeGreaterThan(1e-6 * ev[23]);
  });
});

describe('elementFamily', () => {
  it('rejects an unknown cell type with the name in the message', () => {
    expect(() => elementFamily('wedge6' as never)).toThrow(/wedge6/);
  });
});
