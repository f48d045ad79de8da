import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxMesh, type CellType } from '@spinefea/mesh';
import { solveStatic, type FeModel } from '@spinefea/core';

const CELL_TYPES: CellType[] = ['hex8', 'tet4', 'tet10'];
const BOUNDARY = ['xmin', 'xmax', 'ymin', 'ymax', 'zmin', 'zmax'];

/**
 * Global patch test: on a distorted mesh, prescribe u = a + G·x on every
 * boundary node and solve. Every interior node must reproduce the linear
 * field, because each element family contains linear fields exactly
 * (completeness) and the interior equilibrium holds for a constant stress.
 */
function patchError(cellType: CellType, G: number[], a: number[], seed: number, distortion: number): number {
  const mesh = boxMesh({ size: [2, 3, 1.5], divisions: [3, 3, 3], cellType, distortion, seed });
  const exact = (n: number, k: number): number =>
    a[k] + G[3 * k] * mesh.nodes[3 * n] + G[3 * k + 1] * mesh.nodes[3 * n + 1] + G[3 * k + 2] * mesh.nodes[3 * n + 2];
  const onBoundary = new Uint8Array(mesh.nodes.length / 3);
  for (const s of BOUNDARY) for (const n of mesh.nodeSets[s]) onBoundary[n] = 1;
  const bnodes = [...onBoundary.keys()].filter((n) => onBoundary[n]);
  const model: FeModel = {
    mesh,
    materials: [{ kind: 'isotropic', E: 1000, nu: 0.3 }],
    displacementBcs: [0, 1, 2].flatMap((k) =>
      bnodes.map((n) => ({ nodes: [n], components: [k as 0 | 1 | 2], value: exact(n, k) })),
    ),
  };
  const sol = solveStatic(model, {}, { tolerance: 1e-13 });
  let err = 0;
  let scale = 0;
  for (let n = 0; n < mesh.nodes.length / 3; n++) {
    for (let k = 0; k < 3; k++) {
      err = Math.max(err, Math.abs(sol.displacement[3 * n + k] - exact(n, k)));
      scale = Math.max(scale, Math.abs(exact(n, k)));
    }
  }
  // the zero field (fast-check's shrink target) has no magnitude to be relative to: its error is absolute
  return scale === 0 ? err : err / scale;
}

/**
 * Field coefficients in [−max, max] without the subnormal range: a 5e-324 mm prescribed
 * displacement makes K·g underflow to 0 (found by fast-check), which is the floating-point
 * floor, not the element. Magnitudes below 1e-150 become 0; physical fields are ≫ 1e-150 mm.
 */
const physical = (max: number) => fc.double({ min: -max, max, noNaN: true }).map((v) => (Math.abs(v) < 1e-150 ? 0 : v));

describe('patch test on distorted meshes', () => {
  for (const cellType of CELL_TYPES) {
    it(`${cellType} reproduces a linear displacement field`, () => {
      fc.assert(
        fc.property(
          fc.array(physical(0.01), { minLength: 9, maxLength: 9 }),
          fc.array(physical(1), { minLength: 3, maxLength: 3 }),
          fc.integer({ min: 1, max: 1000 }),
          (G, a, seed) => {
            // CG is stopped at a 1e-13 relative residual; with the condition number of these
            // small meshes (~1e3) the nodal error is ≤ ~1e-10 of the field's magnitude.
            expect(patchError(cellType, G, a, seed, 0.25)).toBeLessThan(1e-9);
          },
        ),
        { numRuns: 5 },
      );
    });
  }
});
