import { hexToTet } from '../generate/convert.js';
import type { Mesh } from '../mesh.js';
import type { LumbarSegmentModel } from './segment.js';

/** A lumbar segment as a tetrahedral mesh (tet4 or tet10), with per-cell fibre directions. */
export interface TetSegment {
  mesh: Mesh;
  /** Unit annulus fibre direction per tet (3 per cell), 0 elsewhere. */
  fibreDirections: Float32Array;
}

/**
 * The tetrahedral mesh of a built segment: every voxel hex is split into the six Kuhn
 * (Freudenthal) tetrahedra along its main diagonal — the same split in every cell, so
 * the mesh is conforming — and, with `quadratic`, every edge gets a mid-side node (tet10).
 * Nodes of the hex mesh keep their indices, so node sets, ligaments and couplings stay
 * valid; tet `6h + t` comes from hex `h`.
 *
 * **Quality guarantee** (unsmoothed voxel mesh, `smoothIterations: 0`): every tet is a
 * Kuhn simplex of a cube, so every tet has scaled Jacobian exactly 1/√3 ≈ 0.577 (the
 * normalised-edge definition of `cellQuality`), edge ratio √3 and dihedral angles in
 * [45°, 90°] — no inverted or sliver element can occur. With smoothing the hexes move
 * and the bound becomes the measured one (`meshQuality`). The boundary is the voxel
 * staircase; a boundary-conforming mesher such as isosurface stuffing is not
 * implemented.
 *
 * @example
 * ```ts
 * const seg = buildLumbarSegment({ ...defaultParameters('L4'), resolution: 2 });
 * const tets = segmentToTets(seg, true); // tet10
 * console.log(tets.mesh.cells.length / 10);
 * ```
 */
export function segmentToTets(segment: Pick<LumbarSegmentModel, 'mesh' | 'fibreDirections'>, quadratic = false): TetSegment {
  const mesh = hexToTet(segment.mesh, quadratic);
  const n = mesh.materialIds.length;
  const fibreDirections = new Float32Array(3 * n);
  for (let c = 0; c < n; c++) {
    const h = Math.floor(c / 6);
    fibreDirections[3 * c] = segment.fibreDirections[3 * h];
    fibreDirections[3 * c + 1] = segment.fibreDirections[3 * h + 1];
    fibreDirections[3 * c + 2] = segment.fibreDirections[3 * h + 2];
  }
  return { mesh, fibreDirections };
}
