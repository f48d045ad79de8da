/**
 * Per-cell mesh quality metrics (scaled Jacobian, edge aspect ratio,
 * dihedral angles) and per-region summaries.
 */
import { CELL_INFO, cellCount, type CellType, type Mesh } from '../mesh.js';

/** Per-cell quality, one entry per cell. */
export interface CellQuality {
  /** Scaled Jacobian (dimensionless): 1 for a cube / equilateral tet, ≤ 0 inverted or degenerate. */
  scaledJacobian: Float64Array;
  /** Longest edge / shortest edge (corner-to-corner chords), ≥ 1; `Infinity` for a zero-length edge. */
  aspectRatio: Float64Array;
  /** Smallest dihedral angle between adjacent faces, degrees. */
  minDihedralDeg: Float64Array;
  /** Largest dihedral angle between adjacent faces, degrees. */
  maxDihedralDeg: Float64Array;
}

/**
 * Corner neighbours of a hex8 (VTK order): for corner v, three edge neighbours in
 * right-handed order, so det(x_a − x_v, x_b − x_v, x_c − x_v) > 0 for a valid cell.
 * @internal shared with the voxel smoother's guard
 */
export const HEX_CORNER_NEIGHBOURS = [
  [1, 3, 4],
  [2, 0, 5],
  [3, 1, 6],
  [0, 2, 7],
  [7, 5, 0],
  [4, 6, 1],
  [5, 7, 2],
  [6, 4, 3],
] as const;
const TET_CORNER_NEIGHBOURS = [
  [1, 2, 3],
  [2, 0, 3],
  [0, 1, 3],
  [0, 2, 1],
] as const;
const HEX_EDGES = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 0],
  [4, 5],
  [5, 6],
  [6, 7],
  [7, 4],
  [0, 4],
  [1, 5],
  [2, 6],
  [3, 7],
] as const;
const TET_EDGES = [
  [0, 1],
  [1, 2],
  [2, 0],
  [0, 3],
  [1, 3],
  [2, 3],
] as const;
/** tet10 mid-side node of corner pair (i, j). */
const TET10_MID = [
  [-1, 4, 6, 7],
  [4, -1, 5, 8],
  [6, 5, -1, 9],
  [7, 8, 9, -1],
] as const;

const RAD2DEG = 180 / Math.PI;

function det3(ax: number, ay: number, az: number, bx: number, by: number, bz: number, cx: number, cy: number, cz: number): number {
  return ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
}

/**
 * Corner-based scaled Jacobian of a hex8 or linear tet from its corner
 * coordinates `xe` (xyz interleaved, VTK order).
 *
 * - hex8: `min_v det(ê_a, ê_b, ê_c)` over the 8 corners, ê the unit edge
 *   vectors to the corner's three neighbours (right-handed): 1 for any
 *   rectangular box.
 * - tet: `√2 · 6V / max_v(|e_a||e_b||e_c|)` (Verdict/Knupp definition):
 *   1 for the equilateral tet, `1/√3` for a Kuhn tet of a cube.
 *
 * @example
 * ```ts
 * cornerScaledJacobian('tet4', new Float64Array([0,0,0, 1,0,0, 0.5,Math.sqrt(3)/2,0, 0.5,Math.sqrt(3)/6,Math.sqrt(2/3)])); // 1
 * ```
 */
export function cornerScaledJacobian(cellType: CellType, xe: Float64Array): number {
  const hex = cellType === 'hex8';
  const nbrs = hex ? HEX_CORNER_NEIGHBOURS : TET_CORNER_NEIGHBOURS;
  let min = Infinity;
  for (let v = 0; v < nbrs.length; v++) {
    const [a, b, c] = nbrs[v];
    const ox = xe[3 * v];
    const oy = xe[3 * v + 1];
    const oz = xe[3 * v + 2];
    const ax = xe[3 * a] - ox;
    const ay = xe[3 * a + 1] - oy;
    const az = xe[3 * a + 2] - oz;
    const bx = xe[3 * b] - ox;
    const by = xe[3 * b + 1] - oy;
    const bz = xe[3 * b + 2] - oz;
    const cx = xe[3 * c] - ox;
    const cy = xe[3 * c + 1] - oy;
    const cz = xe[3 * c + 2] - oz;
    const len = Math.sqrt((ax * ax + ay * ay + az * az) * (bx * bx + by * by + bz * bz) * (cx * cx + cy * cy + cz * cz));
    const d = det3(ax, ay, az, bx, by, bz, cx, cy, cz);
    const s = len > 0 ? d / len : 0; // a zero-length edge is degenerate
    if (s < min) min = s;
  }
  return hex ? min : Math.SQRT2 * min;
}

/**
 * min det J of a tet10 over its 4 corners and centroid, divided by the
 * straight-sided det J `6V`. 1 for straight edges with centred mid-side
 * nodes; < 1 when curved; ≤ 0 when the curved map folds.
 *
 * With barycentric L and G_m = ∂x/∂L_m = (4L_m − 1)·x_m + Σ_{j≠m} 4L_j·x_mj,
 * the columns of J are G_k − G_0 (k = 1, 2, 3).
 */
function tet10JacobianRatio(xe: Float64Array, linearDet: number, G: Float64Array): number {
  let min = Infinity;
  for (let p = 0; p < 5; p++) {
    // p < 4: corner p (L_p = 1); p = 4: centroid (L = 1/4).
    for (let m = 0; m < 4; m++) {
      const Lm = p === 4 ? 0.25 : p === m ? 1 : 0;
      let gx = (4 * Lm - 1) * xe[3 * m];
      let gy = (4 * Lm - 1) * xe[3 * m + 1];
      let gz = (4 * Lm - 1) * xe[3 * m + 2];
      for (let j = 0; j < 4; j++) {
        if (j === m) continue;
        const Lj = p === 4 ? 0.25 : p === j ? 1 : 0;
        if (Lj === 0) continue;
        const mid = TET10_MID[m][j];
        gx += 4 * Lj * xe[3 * mid];
        gy += 4 * Lj * xe[3 * mid + 1];
        gz += 4 * Lj * xe[3 * mid + 2];
      }
      G[3 * m] = gx;
      G[3 * m + 1] = gy;
      G[3 * m + 2] = gz;
    }
    const d = det3(
      G[3] - G[0], G[4] - G[1], G[5] - G[2],
      G[6] - G[0], G[7] - G[1], G[8] - G[2],
      G[9] - G[0], G[10] - G[1], G[11] - G[2],
    );
    if (d < min) min = d;
  }
  return min / linearDet;
}

/**
 * Quality metrics of every cell.
 *
 * - `scaledJacobian`: {@link cornerScaledJacobian} of the corners; for tet10
 *   multiplied by min det J / 6V of the quadratic map (corners and
 *   centroid), so bent mid-side nodes lower it and a folded cell is ≤ 0.
 * - `aspectRatio`: longest / shortest corner-to-corner edge (12 hex edges,
 *   6 tet edges). Chosen over the tet radius ratio so hexes and tets use one
 *   definition; 1 for a cube and the equilateral tet, √3 for a Kuhn tet.
 * - dihedral angles: at each corner and each of its three edges, the angle
 *   between the two faces meeting at that edge, measured from the edge
 *   vectors projected onto the plane normal to the edge (exact for planar
 *   faces; for warped hex faces it is the angle at that corner). 90° for a
 *   cube, acos(1/3) ≈ 70.53° for the equilateral tet.
 *
 * @example
 * ```ts
 * const q = cellQuality(boxMesh({ size: [2, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' }));
 * // q.scaledJacobian[0] === 1, q.aspectRatio[0] === 2
 * ```
 */
export function cellQuality(mesh: Pick<Mesh, 'nodes' | 'cells' | 'cellType'>): CellQuality {
  const info = CELL_INFO[mesh.cellType];
  const npc = info.nodesPerCell;
  const nc = cellCount(mesh);
  const hex = mesh.cellType === 'hex8';
  const nbrs = hex ? HEX_CORNER_NEIGHBOURS : TET_CORNER_NEIGHBOURS;
  const edges = hex ? HEX_EDGES : TET_EDGES;
  const out: CellQuality = {
    scaledJacobian: new Float64Array(nc),
    aspectRatio: new Float64Array(nc),
    minDihedralDeg: new Float64Array(nc),
    maxDihedralDeg: new Float64Array(nc),
  };
  const xe = new Float64Array(3 * npc);
  const G = new Float64Array(12);
  const x = mesh.nodes;
  for (let c = 0; c < nc; c++) {
    for (let a = 0; a < npc; a++) {
      const n = 3 * mesh.cells[c * npc + a];
      xe[3 * a] = x[n];
      xe[3 * a + 1] = x[n + 1];
      xe[3 * a + 2] = x[n + 2];
    }
    let sj = cornerScaledJacobian(mesh.cellType, xe);
    if (mesh.cellType === 'tet10' && sj > 0) {
      const d = det3(
        xe[3] - xe[0], xe[4] - xe[1], xe[5] - xe[2],
        xe[6] - xe[0], xe[7] - xe[1], xe[8] - xe[2],
        xe[9] - xe[0], xe[10] - xe[1], xe[11] - xe[2],
      );
      const ratio = tet10JacobianRatio(xe, d, G);
      // A folded quadratic map is inverted even with positive corners: report the (negative) ratio.
      sj = ratio > 0 ? sj * Math.min(1, ratio) : ratio;
    }
    out.scaledJacobian[c] = sj;

    let lmin = Infinity;
    let lmax = 0;
    for (const [a, b] of edges) {
      const dx = xe[3 * b] - xe[3 * a];
      const dy = xe[3 * b + 1] - xe[3 * a + 1];
      const dz = xe[3 * b + 2] - xe[3 * a + 2];
      const l = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (l < lmin) lmin = l;
      if (l > lmax) lmax = l;
    }
    out.aspectRatio[c] = lmin > 0 ? lmax / lmin : Infinity;

    let amin = Infinity;
    let amax = -Infinity;
    for (let v = 0; v < nbrs.length; v++) {
      const nb = nbrs[v];
      const ox = xe[3 * v];
      const oy = xe[3 * v + 1];
      const oz = xe[3 * v + 2];
      for (let k = 0; k < 3; k++) {
        const e = nb[k];
        const p = nb[(k + 1) % 3];
        const q = nb[(k + 2) % 3];
        let dx = xe[3 * e] - ox;
        let dy = xe[3 * e + 1] - oy;
        let dz = xe[3 * e + 2] - oz;
        const dl = Math.sqrt(dx * dx + dy * dy + dz * dz);
        let angle = 0;
        if (dl > 0) {
          dx /= dl;
          dy /= dl;
          dz /= dl;
          // p' = p − (p·d)d, q' = q − (q·d)d; angle = acos(p'·q' / |p'||q'|)
          let px = xe[3 * p] - ox;
          let py = xe[3 * p + 1] - oy;
          let pz = xe[3 * p + 2] - oz;
          let qx = xe[3 * q] - ox;
          let qy = xe[3 * q + 1] - oy;
          let qz = xe[3 * q + 2] - oz;
          const pd = px * dx + py * dy + pz * dz;
          const qd = qx * dx + qy * dy + qz * dz;
          px -= pd * dx;
          py -= pd * dy;
          pz -= pd * dz;
          qx -= qd * dx;
          qy -= qd * dy;
          qz -= qd * dz;
          const n = Math.sqrt((px * px + py * py + pz * pz) * (qx * qx + qy * qy + qz * qz));
          if (n > 0) angle = Math.acos(Math.max(-1, Math.min(1, (px * qx + py * qy + pz * qz) / n))) * RAD2DEG;
        }
        if (angle < amin) amin = angle;
        if (angle > amax) amax = angle;
      }
    }
    out.minDihedralDeg[c] = amin;
    out.maxDihedralDeg[c] = amax;
  }
  return out;
}

/** Summary statistics of a set of cells. */
export interface QualityStats {
  /** Number of cells. */
  cells: number;
  minScaledJacobian: number;
  meanScaledJacobian: number;
  maxAspectRatio: number;
  minDihedralDeg: number;
  maxDihedralDeg: number;
  /** Cells with scaled Jacobian ≤ 0 (inverted or degenerate). */
  invertedCount: number;
  /** Index of the cell with the smallest scaled Jacobian (−1 when there are no cells). */
  worstCell: number;
}

/** Quality of a mesh, per region and overall. */
export interface QualityReport {
  /** Keyed by `regionNames[id]` where present, else `region <id>`. */
  perRegion: Record<string, QualityStats>;
  overall: QualityStats;
}

function emptyStats(): QualityStats {
  return {
    cells: 0,
    minScaledJacobian: Infinity,
    meanScaledJacobian: 0,
    maxAspectRatio: 0,
    minDihedralDeg: Infinity,
    maxDihedralDeg: -Infinity,
    invertedCount: 0,
    worstCell: -1,
  };
}

/**
 * Quality report of a mesh: {@link cellQuality} summarised per region
 * (material id) and overall.
 *
 * @example
 * ```ts
 * const report = meshQuality(mesh);
 * if (report.overall.invertedCount > 0) throw new Error(qualityTable(report));
 * ```
 */
export function meshQuality(mesh: Mesh, perCell: CellQuality = cellQuality(mesh)): QualityReport {
  const byId = new Map<number, QualityStats>();
  const overall = emptyStats();
  const nc = perCell.scaledJacobian.length;
  const add = (s: QualityStats, c: number): void => {
    const sj = perCell.scaledJacobian[c];
    s.cells++;
    s.meanScaledJacobian += sj;
    if (sj < s.minScaledJacobian) {
      s.minScaledJacobian = sj;
      s.worstCell = c;
    }
    if (sj <= 0) s.invertedCount++;
    if (perCell.aspectRatio[c] > s.maxAspectRatio) s.maxAspectRatio = perCell.aspectRatio[c];
    if (perCell.minDihedralDeg[c] < s.minDihedralDeg) s.minDihedralDeg = perCell.minDihedralDeg[c];
    if (perCell.maxDihedralDeg[c] > s.maxDihedralDeg) s.maxDihedralDeg = perCell.maxDihedralDeg[c];
  };
  for (let c = 0; c < nc; c++) {
    const id = mesh.materialIds[c];
    let s = byId.get(id);
    if (!s) byId.set(id, (s = emptyStats()));
    add(s, c);
    add(overall, c);
  }
  const perRegion: Record<string, QualityStats> = {};
  for (const id of [...byId.keys()].sort((a, b) => a - b)) {
    const s = byId.get(id)!;
    s.meanScaledJacobian /= s.cells;
    perRegion[mesh.regionNames?.[id] ?? `region ${id}`] = s;
  }
  if (overall.cells > 0) overall.meanScaledJacobian /= overall.cells;
  return { perRegion, overall };
}

/**
 * Fixed-width text table of a {@link QualityReport}, one row per region and
 * an `overall` row.
 *
 * @example
 * ```ts
 * console.log(qualityTable(meshQuality(mesh)));
 * ```
 */
export function qualityTable(report: QualityReport): string {
  const header = ['region', 'cells', 'min SJ', 'mean SJ', 'max AR', 'min dih°', 'max dih°', 'inverted'];
  const row = (name: string, s: QualityStats): string[] => [
    name,
    String(s.cells),
    s.minScaledJacobian.toFixed(4),
    s.meanScaledJacobian.toFixed(4),
    s.maxAspectRatio.toFixed(3),
    s.minDihedralDeg.toFixed(2),
    s.maxDihedralDeg.toFixed(2),
    String(s.invertedCount),
  ];
  const rows = [header, ...Object.entries(report.perRegion).map(([n, s]) => row(n, s)), row('overall', report.overall)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const fmt = (r: string[]): string => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const lines = rows.map(fmt);
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}
