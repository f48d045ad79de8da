import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxMesh, createVoxelGrid, paintParts, voxelGridToHexMesh } from '@spinefea/mesh';
import { barSectionForces, beamVonMises, cellNodalForces, prepareModel, DimensionMismatchError, NonFiniteInputError, type FeModel } from '../src/index.js';

/** An oblique solid cylinder (axis a from the origin, length L, diameter d) as voxels of edge h, fixed at s = 0, loaded at s = L through a rigid coupling. */
function obliqueCantilever(h: number, shift: [number, number, number] = [0, 0, 0]) {
  const L = 40, d = 6;
  const a = [1, 0.35, 0.25];
  const na = Math.hypot(a[0], a[1], a[2]);
  for (let k = 0; k < 3; k++) a[k] /= na;
  const grid = createVoxelGrid([-5, -5, -5, 45, 20, 15], h, shift);
  paintParts(grid, [
    {
      name: 'rod',
      bounds: [-5, -5, -5, 45, 20, 15],
      classify: (x, y, z) => {
        const s = x * a[0] + y * a[1] + z * a[2];
        const r2 = x * x + y * y + z * z - s * s;
        return s >= 0 && s <= L && r2 <= (d / 2) ** 2 ? 1 : 0;
      },
    },
  ]);
  const { mesh } = voxelGridToHexMesh(grid, ['rod']);
  const nn = mesh.nodes.length / 3;
  const stationOf = (i: number) => mesh.nodes[3 * i] * a[0] + mesh.nodes[3 * i + 1] * a[1] + mesh.nodes[3 * i + 2] * a[2];
  const fixed: number[] = [], tip: number[] = [];
  for (let i = 0; i < nn; i++) {
    const s = stationOf(i);
    if (s < 1.2 * h) fixed.push(i);
    if (s > L - 1.2 * h) tip.push(i);
  }
  mesh.nodeSets = { ...mesh.nodeSets, fixed: Uint32Array.from(fixed), tip: Uint32Array.from(tip) };
  const model: FeModel = {
    mesh,
    materials: [{ kind: 'isotropic', E: 110_000, nu: 0.3 }],
    displacementBcs: [{ nodes: 'fixed' }],
    referenceNodes: [{ name: 'ref', position: [L * a[0], L * a[1], L * a[2]] }],
    couplings: [{ kind: 'kinematic', reference: 'ref', nodes: 'tip' }],
  };
  return { model, a, L, d };
}

describe('bar section forces by free-body cuts', () => {
  // Statics of the cantilever: at a cut at s, N = P, |V| = Q, T = Mt, |M| = Q·(L − s) (Q ⊥ axis, applied at the reference on the axis at s = L).
  const P = 500, Q = 100, Mt = 2000;
  for (const h of [0.75, 2]) {
    it(`oblique voxel cylinder (d = 6 mm, h = ${h} mm): N, V, T and the bending moment are the statics of the cantilever`, () => {
      const { model, a, L } = obliqueCantilever(h, [0.3, 0.7, 0.1]);
      const prepared = prepareModel(model);
      // a unit vector ⊥ a for the transverse load
      const e = [a[1], -a[0], 0];
      const ne = Math.hypot(e[0], e[1], e[2]);
      const force = [0, 1, 2].map((k) => P * a[k] + (Q * e[k]) / ne) as [number, number, number];
      const moment = [0, 1, 2].map((k) => Mt * a[k]) as [number, number, number];
      const sol = prepared.solve({ referenceLoads: [{ reference: 'ref', force, moment }] }, { tolerance: 1e-12 });
      const cells = Array.from({ length: model.mesh.materialIds.length }, (_, c) => c);
      const sf = barSectionForces(model.mesh, cells, cellNodalForces(model.mesh, prepared.dLookup, sol.displacement, cells), h);
      // the centroid axis is the cylinder's to the staircase's asymmetry
      const dot = sf.axis[0] * a[0] + sf.axis[1] * a[1] + sf.axis[2] * a[2];
      expect(dot).toBeGreaterThan(0.999);
      let worst = { N: 0, V: 0, T: 0, M: 0 };
      let checked = 0;
      for (let j = 0; j < sf.station.length; j++) {
        const sAbs = sf.station[j] + sf.origin[0] * a[0] + sf.origin[1] * a[1] + sf.origin[2] * a[2];
        // cuts through the clamped or the coupled nodes see constraint forces: skip them
        if (sAbs < 3 * h || sAbs > L - 3 * h) continue;
        checked++;
        // the moment arm is measured along the fitted axis; its tilt against a (≤ 0.045 rad) moves the moment by ≤ Q·L·(1 − cos)
        worst = {
          N: Math.max(worst.N, Math.abs(sf.normalN[j] - P * dot - Q * Math.sqrt(Math.max(0, 1 - dot * dot))) / P),
          V: Math.max(worst.V, Math.abs(sf.shearN[j] - Q) / Q),
          T: Math.max(worst.T, Math.abs(sf.torqueNmm[j] - Mt) / Mt),
          M: Math.max(worst.M, Math.abs(sf.bendingNmm[j] - Q * (L - sAbs)) / (Q * L)),
        };
      }
      console.log(`[section forces h = ${h} mm] ${checked} cuts, worst relative error N ${worst.N.toExponential(2)}, V ${worst.V.toExponential(2)}, T ${worst.T.toExponential(2)}, M ${worst.M.toExponential(2)} (of Q·L); axis·a = ${dot.toFixed(6)}`);
      expect(checked).toBeGreaterThanOrEqual(5);
      // Free-body cuts are exact equilibrium of the FE nodal forces (1e-12 solve). What is
      // left comes from the fitted axis: the staircase's asymmetry tilts it (axis·a ≥ 0.999999
      // here) and offsets its origin by a fraction of a voxel, which mixes P into V and moves
      // the moment's reference point — measured ≤ 9e-4 (0.75 mm) and ≤ 6e-3 (2 mm, V).
      expect(worst.N).toBeLessThan(5e-3);
      expect(worst.V).toBeLessThan(1e-2);
      expect(worst.T).toBeLessThan(5e-3);
      expect(worst.M).toBeLessThan(5e-3);
    });
  }

  it('beam von Mises: bending, axial and torsion against the closed forms', () => {
    const d = 5.5;
    expect(beamVonMises(0, 10_000, 0, d)).toBeCloseTo((32 * 1e4) / (Math.PI * d ** 3), 9);
    expect(beamVonMises(-1000, 0, 0, d)).toBeCloseTo(1000 / ((Math.PI * d * d) / 4), 9);
    // pure torsion: σ_vm = √3 τ
    expect(beamVonMises(0, 0, 5000, d)).toBeCloseTo(Math.sqrt(3) * ((16 * 5000) / (Math.PI * d ** 3)), 9);
  });

  it('a rigid motion of the bar and its forces leaves the resultants unchanged (fast-check)', () => {
    // a solved hex8 cantilever: the nodal forces are in equilibrium at every interior node
    const mesh = boxMesh({ size: [10, 2, 2], divisions: [5, 2, 2], cellType: 'hex8' });
    const model: FeModel = { mesh, materials: [{ kind: 'isotropic', E: 1000, nu: 0.3 }], displacementBcs: [{ nodes: 'xmin' }] };
    const prepared = prepareModel(model);
    const tip = mesh.nodeSets.xmax;
    const sol = prepared.solve({ nodalForces: [{ nodes: tip, forces: Float64Array.from({ length: 3 * tip.length }, (_, i) => [3, -2, 5][i % 3] / tip.length) }] }, { tolerance: 1e-12 });
    const cells = Array.from({ length: mesh.materialIds.length }, (_, c) => c);
    const f = cellNodalForces(mesh, prepared.dLookup, sol.displacement, cells);
    const ref = barSectionForces(mesh, cells, f, 2);
    expect(ref.station.length).toBe(4);
    fc.assert(
      fc.property(
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: -Math.PI / 2, max: Math.PI / 2, noNaN: true }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (t1, t2, shift) => {
          const c1 = Math.cos(t1), s1 = Math.sin(t1), c2 = Math.cos(t2), s2 = Math.sin(t2);
          // R = Rz(t1)·Ry(t2)
          const R = [
            [c1 * c2, -s1, c1 * s2],
            [s1 * c2, c1, s1 * s2],
            [-s2, 0, c2],
          ];
          const rot = (v: Float64Array, add: number[]) => {
            const out = new Float64Array(v.length);
            for (let i = 0; i < v.length; i += 3) for (let r = 0; r < 3; r++) out[i + r] = R[r][0] * v[i] + R[r][1] * v[i + 1] + R[r][2] * v[i + 2] + add[r];
            return out;
          };
          const moved = { ...mesh, nodes: rot(mesh.nodes, shift) };
          const got = barSectionForces(moved, cells, rot(f, [0, 0, 0]), 2);
          // the axis sign convention may reverse the cut order; |F| and |M| of a cut do not depend on the side
          const flip = got.axis[0] * (R[0][0]) + got.axis[1] * R[1][0] + got.axis[2] * R[2][0] < 0;
          for (let j = 0; j < 4; j++) {
            const k = flip ? 3 - j : j;
            // 1e-9 N (N·mm): round-off of the rotated coordinates and forces (forces ≈ 5 N, arms ≈ 10 mm)
            expect(Math.abs(Math.abs(got.normalN[j]) - Math.abs(ref.normalN[k]))).toBeLessThan(1e-9);
            expect(Math.abs(got.shearN[j] - ref.shearN[k])).toBeLessThan(1e-9);
            expect(Math.abs(Math.abs(got.torqueNmm[j]) - Math.abs(ref.torqueNmm[k]))).toBeLessThan(1e-8);
            expect(Math.abs(got.bendingNmm[j] - ref.bendingNmm[k])).toBeLessThan(1e-8);
          }
        },
      ),
      { numRuns: 40 },
    );
    // statics of this cantilever: |N| = 3, |V| = √(2² + 5²), bending about the cut = |V|·(10 − x)
    for (let j = 0; j < 4; j++) {
      expect(Math.abs(ref.normalN[j])).toBeCloseTo(3, 8);
      expect(ref.shearN[j]).toBeCloseTo(Math.hypot(2, 5), 8);
      expect(ref.bendingNmm[j]).toBeCloseTo(Math.hypot(2, 5) * (10 - (ref.station[j] + ref.origin[0])), 7);
    }
  });

  it('bad input: typed errors naming the problem', () => {
    const mesh = boxMesh({ size: [4, 1, 1], divisions: [2, 1, 1], cellType: 'hex8' });
    expect(() => barSectionForces(mesh, [0], new Float64Array(24), 1)).toThrow(DimensionMismatchError);
    expect(() => barSectionForces(mesh, [0, 1], new Float64Array(47), 1)).toThrow(/need 48/);
    expect(() => barSectionForces(mesh, [0, 1], new Float64Array(48), 0)).toThrow(NonFiniteInputError);
    const f = new Float64Array(48);
    f[30] = NaN;
    expect(() => barSectionForces(mesh, [0, 1], f, 1)).toThrow(/cell 1 has a non-finite nodal force/);
  });
});
