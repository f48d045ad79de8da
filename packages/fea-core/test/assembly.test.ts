import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxMesh, type CellType } from '@spinefea/mesh';
import { assembleStiffness, buildStiffnessPattern, constitutiveMatrix, elementFamily } from '@spinefea/core/fem';
import { csrIsSymmetric, csrSpmv } from '@spinefea/core/linalg';

const CELL_TYPES: CellType[] = ['hex8', 'tet4', 'tet10'];

describe('global stiffness assembly', () => {
  for (const cellType of CELL_TYPES) {
    it(`${cellType}: K is symmetric and annihilates the six rigid-body modes (random distorted meshes, two materials)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 10_000 }),
          fc.double({ min: 0, max: 0.25, noNaN: true }),
          fc.double({ min: 0.0, max: 0.49, noNaN: true }),
          (seed, distortion, nu) => {
            const mesh = boxMesh({ size: [3, 2, 2], divisions: [3, 2, 2], cellType, distortion, seed });
            for (let c = 0; c < mesh.materialIds.length; c += 2) mesh.materialIds[c] = 1;
            const D = [constitutiveMatrix({ kind: 'isotropic', E: 12000, nu: 0.3 }), constitutiveMatrix({ kind: 'isotropic', E: 1, nu })];
            const pattern = buildStiffnessPattern(mesh);
            const K = { ...pattern.matrix, values: assembleStiffness(pattern, mesh, elementFamily(cellType), D) };
            let kmax = 0;
            for (const v of K.values) kmax = Math.max(kmax, Math.abs(v));
            // Element matrices are symmetrised by construction; assembly must keep that to round-off.
            expect(csrIsSymmetric(K, 1e-12 * kmax)).toBe(true);
            const n = mesh.nodes.length / 3;
            const r = new Float64Array(3 * n);
            const y = new Float64Array(3 * n);
            for (let mode = 0; mode < 6; mode++) {
              for (let i = 0; i < n; i++) {
                const [x0, x1, x2] = [mesh.nodes[3 * i], mesh.nodes[3 * i + 1], mesh.nodes[3 * i + 2]];
                const u = mode < 3 ? [0, 0, 0].map((_, k) => (k === mode ? 1 : 0)) : mode === 3 ? [0, -x2, x1] : mode === 4 ? [x2, 0, -x0] : [-x1, x0, 0];
                r.set(u, 3 * i);
              }
              csrSpmv(K, r, y);
              let ymax = 0;
              for (const v of y) ymax = Math.max(ymax, Math.abs(v));
              // ‖K r‖∞ relative to ‖K‖·‖r‖ (|x| ≤ 3.5 mm): round-off of ~100 summed terms.
              expect(ymax / (kmax * 3.5)).toBeLessThan(1e-11);
            }
          },
        ),
        { numRuns: 10 },
      );
    });
  }

  it('the pattern is reused: values scale linearly with E and the structure is untouched', () => {
    const mesh = boxMesh({ size: [2, 2, 2], divisions: [3, 3, 3], cellType: 'tet10' });
    const pattern = buildStiffnessPattern(mesh);
    const family = elementFamily('tet10');
    const a = Float64Array.from(assembleStiffness(pattern, mesh, family, [constitutiveMatrix({ kind: 'isotropic', E: 100, nu: 0.3 })]));
    const colIdx = pattern.matrix.colIdx.slice();
    const b = assembleStiffness(pattern, mesh, family, [constitutiveMatrix({ kind: 'isotropic', E: 250, nu: 0.3 })]);
    expect(pattern.matrix.colIdx).toEqual(colIdx);
    let err = 0;
    for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(b[i] - 2.5 * a[i]));
    expect(err).toBeLessThan(1e-9 * Math.max(...a));
  });
});
