/**
 * Scaled Jacobian of hexahedra (Verdict definition), used by the voxel
 * smoother as its guard. 1 for a perfect cube, ≤ 0 for an inverted corner.
 */

/** For each hex8 corner, its three edge-neighbours in right-handed order (VTK node order). */
const CORNER_EDGES = [
  [1, 3, 4],
  [2, 0, 5],
  [3, 1, 6],
  [0, 2, 7],
  [7, 5, 0],
  [4, 6, 1],
  [5, 7, 2],
  [6, 4, 3],
] as const;

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
    const la = Math.sqrt(ax * ax + ay * ay + az * az);
    const lb = Math.sqrt(bx * bx + by * by + bz * bz);
    const lc = Math.sqrt(cx * cx + cy * cy + cz * cz);
    const l = la * lb * lc;
    if (!(l > 0)) return -1;
    // det = a · (b × c)
    const det = ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
    const s = det / l;
    if (s < min) min = s;
  }
  return min;
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
    const det = ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
    if (det < min) min = det;
  }
  return min;
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
