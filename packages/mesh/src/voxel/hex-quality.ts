/**
 * Scaled Jacobian of hexahedra (Verdict definition), used by the voxel
 * smoother as its guard. 1 for a perfect cube, ≤ 0 for an inverted corner.
 */

import { HEX_CORNER_NEIGHBOURS as CORNER_EDGES } from '../quality/quality.js';

/**
 * Minimum over the 8 corners of det[e₁ e₂ e₃], divided by |e₁||e₂||e₃| when `scaled`
 * (−1 for a zero-length edge then).
 */
function minCorner(nodes: Float64Array, cells: Uint32Array, c: number, scaled: boolean): number {
  let min = Infinity;
  const o = 8 * c;
  for (let a = 0; a < 8; a++) {
    const p = 3 * cells[o + a];
    const e = CORNER_EDGES[a];
    const q1 = 3 * cells[o + e[0]];
    const q2 = 3 * cells[o + e[1]];
    const q3 = 3 * cells[o + e[2]];
    const ax = nodes[q1] - nodes[p];
    const ay = nodes[q1 + 1] - nodes[p + 1];
    const az = nodes[q1 + 2] - nodes[p + 2];
    const bx = nodes[q2] - nodes[p];
    const by = nodes[q2 + 1] - nodes[p + 1];
    const bz = nodes[q2 + 2] - nodes[p + 2];
    const cx = nodes[q3] - nodes[p];
    const cy = nodes[q3 + 1] - nodes[p + 1];
    const cz = nodes[q3 + 2] - nodes[p + 2];
    // det = a · (b × c)
    let s = ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
    if (scaled) {
      const l = Math.sqrt((ax * ax + ay * ay + az * az) * (bx * bx + by * by + bz * bz) * (cx * cx + cy * cy + cz * cz));
      if (!(l > 0)) return -1;
      s /= l;
    }
    if (s < min) min = s;
  }
  return min;
}

/**
 * Minimum over the 8 corners of `det[e₁ e₂ e₃] / (|e₁||e₂||e₃|)`, the scaled
 * Jacobian of hex8 cell `c` (`nodes` xyz interleaved, mm; `cells` 8 per cell).
 * A corner with a zero-length edge counts as −1 (degenerate).
 *
 * @example
 * ```ts
 * hexScaledJacobian(mesh.nodes, mesh.cells, 0); // 1 for an undistorted voxel
 * ```
 */
export function hexScaledJacobian(nodes: Float64Array, cells: Uint32Array, c: number): number {
  return minCorner(nodes, cells, c, true);
}

/**
 * Smallest corner Jacobian determinant `det[e₁ e₂ e₃]` of hex8 cell `c`
 * (mm³; `h³` for an undistorted voxel of edge `h`). Unlike the scaled
 * Jacobian it falls when a cell is flattened, so the smoother uses both.
 * @example
 * ```ts
 * hexMinCornerDet(mesh.nodes, mesh.cells, 0); // h³ for a voxel
 * ```
 */
export function hexMinCornerDet(nodes: Float64Array, cells: Uint32Array, c: number): number {
  return minCorner(nodes, cells, c, false);
}

/**
 * Smallest scaled Jacobian over all cells of a hex8 mesh and the cell where it occurs.
 *
 * @example
 * ```ts
 * const { min, cell } = minHexScaledJacobian(mesh.nodes, mesh.cells);
 * ```
 */
export function minHexScaledJacobian(nodes: Float64Array, cells: Uint32Array): { min: number; cell: number } {
  let min = Infinity;
  let cell = -1;
  const n = cells.length / 8;
  for (let c = 0; c < n; c++) {
    const s = hexScaledJacobian(nodes, cells, c);
    if (s < min) {
      min = s;
      cell = c;
    }
  }
  return { min, cell };
}
