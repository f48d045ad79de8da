import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { boxMesh, CELL_INFO, type CellType, type Mesh } from '@spinefea/mesh';
import {
  elementAverage,
  elementFields,
  nodalAverage,
  regionNodalAverage,
  strainEnergy,
} from '../src/post/stress.js';
import { elementFamily } from '../src/fem/elements/index.js';
import { constitutiveMatrix } from '../src/fem/material.js';
import { DimensionMismatchError, InvalidElementError, InvalidMaterialError, NonFiniteInputError } from '../src/errors.js';

const E = 1000; // MPa
const NU = 0.3;
const D = constitutiveMatrix({ kind: 'isotropic', E, nu: NU });

/** σ = D·ε for one Voigt vector. */
function mul(Dm: Float64Array, eps: ArrayLike<number>): number[] {
  const s = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) s[i] += Dm[6 * i + j] * eps[j];
  return s;
}

/** Nodal displacement u = G·x + c (G row-major 3×3). */
function linearField(mesh: Mesh, G: number[], c: number[]): Float64Array {
  const n = mesh.nodes.length / 3;
  const u = new Float64Array(3 * n);
  for (let a = 0; a < n; a++) {
    const x = mesh.nodes[3 * a], y = mesh.nodes[3 * a + 1], z = mesh.nodes[3 * a + 2];
    for (let i = 0; i < 3; i++) u[3 * a + i] = G[3 * i] * x + G[3 * i + 1] * y + G[3 * i + 2] * z + c[i];
  }
  return u;
}

/** Voigt strain (engineering shear) of the constant gradient G. */
function strainOf(G: number[]): number[] {
  return [G[0], G[4], G[8], G[1] + G[3], G[5] + G[7], G[6] + G[2]];
}

const CELL_TYPES: CellType[] = ['hex8', 'tet4', 'tet10'];

function distortedBox(cellType: CellType): Mesh {
  // distortion 0.2 of the smallest edge: clearly non-affine hexes, still valid (box.ts bound)
  return boxMesh({ size: [10, 8, 12], divisions: [3, 3, 4], cellType, distortion: 0.2, seed: 7 });
}

describe('elementFields, nodalAverage and elementAverage on a linear displacement field', () => {
  // Constant-strain patch test: every family represents u = G·x + c exactly, so
  // ε = sym(G) at every sampling point, and every extrapolation row sums to one,
  // so the nodal average is the same constant at every node.
  const G = [2e-3, -1e-3, 5e-4, 3e-4, -1.5e-3, 7e-4, -2e-4, 4e-4, 1e-3];
  const epsExact = strainOf(G);
  const sigmaExact = mul(D, epsExact);
  const sigmaScale = Math.max(...sigmaExact.map(Math.abs));

  for (const cellType of CELL_TYPES) {
    it(`reproduces the exact constant stress at every sampling point, cell and node (${cellType})`, () => {
      const mesh = distortedBox(cellType);
      const u = linearField(mesh, G, [0.1, -0.2, 0.3]);
      const f = elementFields(mesh, [D], u);
      const family = elementFamily(cellType);
      const nCells = mesh.cells.length / CELL_INFO[cellType].nodesPerCell;
      expect(f.samplingPoints).toBe(family.samplingPoints);
      expect(f.stress.length).toBe(nCells * f.samplingPoints * 6);
      // Rounding: B·u sums terms of size |G|·|x| ≈ 1e-3·12 mm over ≤ 30 DOFs and
      // divides by h ≈ 3 mm, so strain errors are ~1e-16 absolute against
      // strains of 1e-3; 1e-10 relative leaves a wide margin yet fails on any
      // inconsistent B or D·ε.
      for (let i = 0; i < f.strain.length; i++) {
        expect(Math.abs(f.strain[i] - epsExact[i % 6])).toBeLessThanOrEqual(1e-10 * 2e-3);
        expect(Math.abs(f.stress[i] - sigmaExact[i % 6])).toBeLessThanOrEqual(1e-10 * sigmaScale);
      }
      // weights sum to the box volume 10·8·12 (boundary nodes are not distorted), up to rounding
      const vol = f.weights.reduce((s, w) => s + w, 0);
      expect(Math.abs(vol - 960)).toBeLessThanOrEqual(1e-10 * 960);

      const cellStress = elementAverage(f.stress, f.weights, 6, f.samplingPoints);
      const nodal = nodalAverage(mesh, f.stress, 6, f.samplingPoints, { weights: f.weights });
      const nodalDefault = nodalAverage(mesh, f.stress, 6, f.samplingPoints); // volumes from the mesh
      const byRegion = nodalAverage(mesh, f.stress, 6, f.samplingPoints, { byRegion: true });
      for (let i = 0; i < cellStress.length; i++) {
        expect(Math.abs(cellStress[i] - sigmaExact[i % 6])).toBeLessThanOrEqual(1e-10 * sigmaScale);
      }
      for (let i = 0; i < nodal.length; i++) {
        // extrapolation weights of hex8 reach 1 + √3 in magnitude: a little more rounding
        expect(Math.abs(nodal[i] - sigmaExact[i % 6])).toBeLessThanOrEqual(1e-10 * sigmaScale);
        expect(Math.abs(nodalDefault[i] - nodal[i])).toBeLessThanOrEqual(1e-10 * sigmaScale);
        expect(Math.abs(byRegion[i] - nodal[i])).toBeLessThanOrEqual(1e-10 * sigmaScale);
      }
    });
  }

  it('is exact at every node for a linear stress field on tet10 (quadratic displacement)', () => {
    // u = (½·a·z², ½·c·y², b·x·y): strains linear in x, y, z, which tet10 (straight
    // sided) reproduces exactly at its 4 Gauss points; the 4-point linear
    // extrapolation is then exact at all 10 nodes, and so is any average of it.
    const mesh = distortedBox('tet10');
    const a = 1e-4, b = -2e-4, c = 3e-4;
    const n = mesh.nodes.length / 3;
    const u = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const x = mesh.nodes[3 * i], y = mesh.nodes[3 * i + 1], z = mesh.nodes[3 * i + 2];
      u[3 * i] = 0.5 * a * z * z;
      u[3 * i + 1] = 0.5 * c * y * y;
      u[3 * i + 2] = b * x * y;
    }
    const f = elementFields(mesh, [D], u);
    const nodal = nodalAverage(mesh, f.stress, 6, f.samplingPoints, { weights: f.weights });
    const scale = E * 3e-4 * 12; // E·max(|a|,|b|,|c|)·box size
    for (let i = 0; i < n; i++) {
      const x = mesh.nodes[3 * i], y = mesh.nodes[3 * i + 1], z = mesh.nodes[3 * i + 2];
      // ε_yy = c·y, γ_yz = ∂u_z/∂y = b·x, γ_zx = ∂u_x/∂z + ∂u_z/∂x = a·z + b·y
      const sigma = mul(D, [0, c * y, 0, 0, b * x, a * z + b * y]);
      for (let k = 0; k < 6; k++) {
        // rounding of quadratic shape-function derivatives on ~3 mm cells: ≪ 1e-9 of the stress scale
        expect(Math.abs(nodal[6 * i + k] - sigma[k])).toBeLessThanOrEqual(1e-9 * scale);
      }
    }
  });
});

describe('material interfaces', () => {
  // Two regions (z below/above 6 mm) with E and 10·E under the same constant strain:
  // the stress jumps by a factor of 10 across the interface.
  const cellType: CellType = 'hex8';
  const mesh = distortedBox(cellType);
  const npc = CELL_INFO[cellType].nodesPerCell;
  const nCells = mesh.cells.length / npc;
  const nNodes = mesh.nodes.length / 3;
  const ids = new Uint16Array(nCells);
  for (let c = 0; c < nCells; c++) {
    let z = 0;
    for (let a = 0; a < npc; a++) z += mesh.nodes[3 * mesh.cells[c * npc + a] + 2] / npc;
    ids[c] = z > 6 ? 1 : 0;
  }
  const twoRegions: Mesh = { ...mesh, materialIds: ids };
  const D1 = constitutiveMatrix({ kind: 'isotropic', E: 10 * E, nu: NU });
  const G = [1e-3, 0, 0, 0, -5e-4, 0, 0, 0, 2e-3];
  const s0 = mul(D, strainOf(G));
  const s1 = mul(D1, strainOf(G));
  const u = linearField(twoRegions, G, [0, 0, 0]);
  const f = elementFields(twoRegions, [D, D1], u);
  // Per node: the volume of each region's cells using it.
  const vol = new Float64Array(2 * nNodes);
  for (let c = 0; c < nCells; c++) {
    let v = 0;
    for (let q = 0; q < f.samplingPoints; q++) v += f.weights[c * f.samplingPoints + q];
    for (let a = 0; a < npc; a++) vol[2 * mesh.cells[c * npc + a] + ids[c]] += v;
  }
  // stress ≈ 1e1 MPa; constant-strain rounding as above, relative 1e-10
  const tol = 1e-10 * Math.max(...s1.map(Math.abs));

  it('the default average mixes the two stresses by cell volume at interface nodes', () => {
    const nodal = nodalAverage(twoRegions, f.stress, 6, f.samplingPoints, { weights: f.weights });
    let interfaceNodes = 0;
    for (let i = 0; i < nNodes; i++) {
      const v0 = vol[2 * i], v1 = vol[2 * i + 1];
      if (v0 > 0 && v1 > 0) interfaceNodes++;
      for (let k = 0; k < 6; k++) {
        expect(Math.abs(nodal[6 * i + k] - (v0 * s0[k] + v1 * s1[k]) / (v0 + v1))).toBeLessThanOrEqual(tol);
      }
    }
    expect(interfaceNodes).toBe(4 * 4); // the (3+1)×(3+1) nodes of the z = 6 layer
  });

  it('byRegion gives interface nodes the plain mean of the region-wise values', () => {
    const nodal = nodalAverage(twoRegions, f.stress, 6, f.samplingPoints, { byRegion: true, weights: f.weights });
    for (let i = 0; i < nNodes; i++) {
      const in0 = vol[2 * i] > 0, in1 = vol[2 * i + 1] > 0;
      for (let k = 0; k < 6; k++) {
        const expected = in0 && in1 ? 0.5 * (s0[k] + s1[k]) : in0 ? s0[k] : s1[k];
        expect(Math.abs(nodal[6 * i + k] - expected)).toBeLessThanOrEqual(tol);
      }
    }
  });

  it('regionNodalAverage keeps one side of the jump and flags the region nodes', () => {
    for (const [region, s] of [[0, s0], [1, s1]] as const) {
      const { values, inRegion } = regionNodalAverage(twoRegions, f.stress, 6, f.samplingPoints, region);
      for (let i = 0; i < nNodes; i++) {
        expect(inRegion[i]).toBe(vol[2 * i + region] > 0 ? 1 : 0);
        for (let k = 0; k < 6; k++) {
          expect(Math.abs(values[6 * i + k] - (inRegion[i] ? s[k] : 0))).toBeLessThanOrEqual(tol);
        }
      }
    }
  });
});

describe('strainEnergy', () => {
  for (const cellType of CELL_TYPES) {
    it(`of a homogeneous uniaxial stretch is ½·σ·ε·V (${cellType})`, () => {
      // u_z = ε·z, u_x = −νε·x, u_y = −νε·y: uniaxial stress σ_zz = E·ε, all else 0
      const mesh = distortedBox(cellType);
      const eps = 2e-3;
      const u = linearField(mesh, [-NU * eps, 0, 0, 0, -NU * eps, 0, 0, 0, eps], [0, 0, 0]);
      const f = elementFields(mesh, [D], u);
      const perCell = new Float64Array(f.weights.length / f.samplingPoints);
      const U = strainEnergy(f, perCell);
      const exact = 0.5 * (E * eps) * eps * 960; // N·mm
      // rounding of sums over ≤ 1000 sampling points
      expect(Math.abs(U - exact)).toBeLessThanOrEqual(1e-10 * exact);
      expect(Math.abs(perCell.reduce((s, e) => s + e, 0) - U)).toBeLessThanOrEqual(1e-12 * exact);
    });
  }

  it('equals ½·uₑᵀ·Kₑ·uₑ per cell for random displacements (consistency with stiffness)', () => {
    for (const cellType of CELL_TYPES) {
      const mesh = boxMesh({ size: [4, 5, 6], divisions: [2, 2, 2], cellType, distortion: 0.25, seed: 3 });
      const family = elementFamily(cellType);
      const n = family.nodesPerElement;
      const nNodes = mesh.nodes.length / 3;
      fc.assert(
        fc.property(fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { minLength: 3 * nNodes, maxLength: 3 * nNodes }), (vals) => {
          const u = Float64Array.from(vals);
          const f = elementFields(mesh, [D], u);
          const perCell = new Float64Array(mesh.cells.length / n);
          strainEnergy(f, perCell);
          const xe = new Float64Array(3 * n);
          const ue = new Float64Array(3 * n);
          const ke = new Float64Array(9 * n * n);
          let total = 0;
          for (let c = 0; c < perCell.length; c++) {
            for (let a = 0; a < n; a++) {
              for (let i = 0; i < 3; i++) {
                xe[3 * a + i] = mesh.nodes[3 * mesh.cells[c * n + a] + i];
                ue[3 * a + i] = u[3 * mesh.cells[c * n + a] + i];
              }
            }
            family.stiffness(xe, D, ke);
            let e = 0;
            for (let i = 0; i < 3 * n; i++) for (let j = 0; j < 3 * n; j++) e += 0.5 * ue[i] * ke[i * 3 * n + j] * ue[j];
            total += e;
            // both are the same quadrature of ½εᵀDε; differences are rounding of
            // O(n²) products, far below 1e-9 of the cell's energy scale
            const scale = 0.5 * E * 1e-4 * 10; // E·(|u|/h)²·V bound for |u| ≤ 0.01, h ≈ 2 mm, V ≈ 10 mm³
            expect(Math.abs(perCell[c] - e)).toBeLessThanOrEqual(1e-9 * scale);
          }
          expect(total).toBeGreaterThanOrEqual(0);
        }),
        { numRuns: 10 },
      );
    }
  });
});

describe('input checks', () => {
  const mesh = boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'tet4' });
  const nNodes = mesh.nodes.length / 3;
  const u = new Float64Array(3 * nNodes);

  it('refuses wrong lengths, non-finite displacements and missing materials', () => {
    expect(() => elementFields(mesh, [D], new Float64Array(3 * nNodes - 1))).toThrow(DimensionMismatchError);
    const bad = u.slice();
    bad[4] = NaN;
    expect(() => elementFields(mesh, [D], bad)).toThrow(NonFiniteInputError);
    expect(() => elementFields(mesh, [D], bad)).toThrow(/y of node 1/);
    expect(() => elementFields({ ...mesh, materialIds: mesh.materialIds.map(() => 2) }, [D], u)).toThrow(InvalidMaterialError);
    expect(() => elementFields(mesh, () => new Float64Array(35), u)).toThrow(InvalidMaterialError);
    expect(() => elementFields(mesh, [D], u, { family: elementFamily('hex8') })).toThrow(/hex8/);
    const f = elementFields(mesh, () => D, u);
    expect(() => nodalAverage(mesh, f.stress, 6, 4)).toThrow(/samplingPoints is 4/);
    expect(() => nodalAverage(mesh, f.stress.subarray(6), 6, 1)).toThrow(DimensionMismatchError);
    expect(() => elementAverage(f.stress, f.weights, 5, 1)).toThrow(DimensionMismatchError);
    expect(() => strainEnergy({ ...f, weights: f.weights.subarray(1) })).toThrow(DimensionMismatchError);
  });

  it('names an inverted element', () => {
    // swap two nodes of cell 3: its volume changes sign
    const cells = mesh.cells.slice();
    const t = cells[13];
    cells[13] = cells[14];
    cells[14] = t;
    const inverted = { ...mesh, cells };
    expect(() => elementFields(inverted, [D], u)).toThrow(InvalidElementError);
    expect(() => elementFields(inverted, [D], u)).toThrow(/element 3/);
  });
});
