import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import { InvalidBoundaryConditionError } from '../errors.js';
import { hex8Shape, tet10Shape, tet4Shape, type ShapeFunction } from '../fem/elements/shape-functions.js';
import type { LinearConstraint } from './model.js';

const SHAPES: Record<Mesh['cellType'], ShapeFunction> = { hex8: hex8Shape, tet4: tet4Shape, tet10: tet10Shape };

/** Result of locating a point in a cell: natural coordinates and shape-function values. */
export interface PointLocation {
  cell: number;
  natural: [number, number, number];
  /** Shape-function values at the point (length = nodes per cell). */
  N: Float64Array;
}

/**
 * Find natural coordinates ξ of a physical point x in one cell by Newton's
 * method on x(ξ) = Σ N_a(ξ) x_a (exact in one step for affine tets).
 * Returns null when Newton fails or the point lies outside the cell by more
 * than `tolerance` in natural coordinates.
 */
export function locateInCell(mesh: Mesh, cell: number, x: ArrayLike<number>, tolerance = 1e-6): PointLocation | null {
  const info = CELL_INFO[mesh.cellType];
  const n = info.nodesPerCell;
  const shape = SHAPES[mesh.cellType];
  const N = new Float64Array(n);
  const dN = new Float64Array(3 * n);
  const isHex = mesh.cellType === 'hex8';
  const xi = isHex ? [0, 0, 0] : [0.25, 0.25, 0.25];
  for (let it = 0; it < 25; it++) {
    shape(xi, N, dN);
    const r = [-x[0], -x[1], -x[2]];
    const J = new Float64Array(9); // J[i][k] = ∂x_i/∂ξ_k
    for (let a = 0; a < n; a++) {
      const p = 3 * mesh.cells[cell * n + a];
      for (let i = 0; i < 3; i++) {
        r[i] += N[a] * mesh.nodes[p + i];
        for (let k = 0; k < 3; k++) J[3 * i + k] += mesh.nodes[p + i] * dN[3 * a + k];
      }
    }
    const d = solve3x3(J, r);
    if (!d) return null;
    xi[0] -= d[0];
    xi[1] -= d[1];
    xi[2] -= d[2];
    if (Math.abs(d[0]) + Math.abs(d[1]) + Math.abs(d[2]) < 1e-12) break;
  }
  const inside = isHex
    ? xi.every((v) => Math.abs(v) <= 1 + tolerance)
    : xi.every((v) => v >= -tolerance) && xi[0] + xi[1] + xi[2] <= 1 + tolerance;
  if (!inside) return null;
  shape(xi, N, dN);
  return { cell, natural: [xi[0], xi[1], xi[2]], N };
}

function solve3x3(A: Float64Array, b: number[]): number[] | null {
  const det =
    A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) + A[2] * (A[3] * A[7] - A[4] * A[6]);
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) return null;
  const inv = 1 / det;
  return [
    inv * (b[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (b[1] * A[8] - A[5] * b[2]) + A[2] * (b[1] * A[7] - A[4] * b[2])),
    inv * (A[0] * (b[1] * A[8] - A[5] * b[2]) - b[0] * (A[3] * A[8] - A[5] * A[6]) + A[2] * (A[3] * b[2] - b[1] * A[6])),
    inv * (A[0] * (A[4] * b[2] - b[1] * A[7]) - A[1] * (A[3] * b[2] - b[1] * A[6]) + b[0] * (A[3] * A[7] - A[4] * A[6])),
  ];
}

/**
 * Tie slave nodes into host cells with linear multi-point constraints
 * `u_s = Σ_a N_a(ξ_s) u_a` — the way a non-conforming implant mesh is
 * embedded in bone. Host cells are searched through a uniform bucket grid
 * over their bounding boxes, so the cost is about linear in the node count.
 *
 * @param mesh - the mesh holding both the slave nodes and the host cells.
 * @param slaveNodes - nodes to tie (must not belong to the host cells).
 * @param hostCells - candidate host cells (e.g. all bone cells).
 * @param tolerance - how far outside a cell (in natural coordinates) still counts as inside (default 1e-6).
 * @returns one {@link LinearConstraint} per slave DOF (three per node).
 * @throws InvalidBoundaryConditionError naming a slave node that lies in no host cell.
 * @example
 * ```ts
 * const ties = tieNodesToCells(mesh, mesh.nodeSets['implant.screwL'], boneCells);
 * const tied: FeModel = { ...model, constraints: [...(model.constraints ?? []), ...ties] };
 * ```
 */
export function tieNodesToCells(mesh: Mesh, slaveNodes: Uint32Array, hostCells: Uint32Array, tolerance = 1e-6): LinearConstraint[] {
  const n = CELL_INFO[mesh.cellType].nodesPerCell;
  const x = mesh.nodes;
  // Bucket grid over host-cell bounding boxes.
  const nh = hostCells.length;
  const bmin = new Float64Array(3 * nh);
  const bmax = new Float64Array(3 * nh);
  const gmin = [Infinity, Infinity, Infinity];
  const gmax = [-Infinity, -Infinity, -Infinity];
  let avg = 0;
  for (let h = 0; h < nh; h++) {
    const c = hostCells[h];
    for (let k = 0; k < 3; k++) {
      bmin[3 * h + k] = Infinity;
      bmax[3 * h + k] = -Infinity;
    }
    for (let a = 0; a < n; a++) {
      const p = 3 * mesh.cells[c * n + a];
      for (let k = 0; k < 3; k++) {
        bmin[3 * h + k] = Math.min(bmin[3 * h + k], x[p + k]);
        bmax[3 * h + k] = Math.max(bmax[3 * h + k], x[p + k]);
      }
    }
    for (let k = 0; k < 3; k++) {
      gmin[k] = Math.min(gmin[k], bmin[3 * h + k]);
      gmax[k] = Math.max(gmax[k], bmax[3 * h + k]);
    }
    avg += bmax[3 * h] - bmin[3 * h];
  }
  const cellSize = Math.max(avg / Math.max(nh, 1), 1e-9);
  const dims = [0, 1, 2].map((k) => Math.max(1, Math.min(512, Math.ceil((gmax[k] - gmin[k]) / cellSize))));
  const bucketOf = (v: number, k: number): number =>
    Math.min(dims[k] - 1, Math.max(0, Math.floor(((v - gmin[k]) / (gmax[k] - gmin[k] || 1)) * dims[k])));
  const buckets = new Map<number, number[]>();
  for (let h = 0; h < nh; h++) {
    const lo = [0, 1, 2].map((k) => bucketOf(bmin[3 * h + k], k));
    const hi = [0, 1, 2].map((k) => bucketOf(bmax[3 * h + k], k));
    for (let i = lo[0]; i <= hi[0]; i++)
      for (let j = lo[1]; j <= hi[1]; j++)
        for (let l = lo[2]; l <= hi[2]; l++) {
          const key = (i * dims[1] + j) * dims[2] + l;
          let list = buckets.get(key);
          if (!list) buckets.set(key, (list = []));
          list.push(h);
        }
  }
  const out: LinearConstraint[] = [];
  const slack = 1e-9 * Math.max(1, ...gmax.map(Math.abs));
  for (let s = 0; s < slaveNodes.length; s++) {
    const node = slaveNodes[s];
    const p = [x[3 * node], x[3 * node + 1], x[3 * node + 2]];
    const key = (bucketOf(p[0], 0) * dims[1] + bucketOf(p[1], 1)) * dims[2] + bucketOf(p[2], 2);
    let loc: PointLocation | null = null;
    for (const h of buckets.get(key) ?? []) {
      let inBox = true;
      for (let k = 0; k < 3; k++) if (p[k] < bmin[3 * h + k] - slack || p[k] > bmax[3 * h + k] + slack) inBox = false;
      if (!inBox) continue;
      const c = hostCells[h];
      let own = false;
      for (let a = 0; a < n; a++) if (mesh.cells[c * n + a] === node) own = true;
      if (own) continue;
      loc = locateInCell(mesh, c, p, tolerance);
      if (loc) break;
    }
    if (!loc) throw new InvalidBoundaryConditionError(`tie: slave node ${node} at (${p.map((v) => v.toFixed(3)).join(', ')}) mm lies in none of the ${nh} host cells`);
    const hostNodes: number[] = [];
    const coeffs: number[] = [];
    for (let a = 0; a < n; a++) {
      if (Math.abs(loc.N[a]) < 1e-14) continue; // drop exact zeros (point on a face/edge)
      hostNodes.push(mesh.cells[loc.cell * n + a]);
      coeffs.push(loc.N[a]);
    }
    for (let k = 0; k < 3; k++) {
      out.push({
        slave: 3 * node + k,
        masters: Uint32Array.from(hostNodes, (h) => 3 * h + k),
        coefficients: Float64Array.from(coeffs),
      });
    }
  }
  return out;
}
