/**
 * Jacobian-guarded Laplacian smoothing of the staircase surfaces and region
 * interfaces of a voxel hex mesh.
 */
import { InvalidParameterError } from '../errors.js';
import type { VoxelGrid } from './grid.js';
import { hexMinCornerDet, hexScaledJacobian } from './hex-quality.js';
import type { VoxelHexMesh } from './hex-mesh.js';

/** Options of {@link smoothVoxelMesh}. */
export interface VoxelSmoothOptions {
  /** Passes over the movable nodes (integer ≥ 0). */
  iterations: number;
  /** Relaxation factor λ of `x ← x + λ (x̄ − x)`, in (0, 1]; default 0.5. */
  lambda?: number;
  /** A move is undone if any incident hex's scaled Jacobian would fall below this; default 0.3. */
  minScaledJacobian?: number;
  /**
   * A move is also undone if any incident hex's smallest corner determinant would fall below
   * this fraction of `h³` (stops thin layers, e.g. a one-voxel cortex, from being flattened,
   * which the scaled Jacobian alone does not see); default 0.4.
   */
  minRelativeCornerVolume?: number;
}

/** Outcome of {@link smoothVoxelMesh}. */
export interface VoxelSmoothReport {
  /** Nodes on a boundary or region interface (candidates). */
  movableNodes: number;
  /** Node moves accepted / undone by the Jacobian guard, summed over the passes. */
  accepted: number;
  rejected: number;
  /** Smallest scaled Jacobian over the cells touching movable nodes after smoothing. */
  minScaledJacobian: number;
}

/**
 * Laplacian smoothing that moves only nodes on the outer boundary or on an
 * interface between regions. A node's *signature* is the set of labels of the
 * 8 voxels around its grid corner (void included); it moves towards the mean
 * of its grid-edge neighbours with the same signature, so surfaces stay
 * surfaces and triple lines stay triple lines (`x ← x + λ (x̄ − x)`). Nodes are
 * visited in increasing index (Gauss–Seidel), and a move that would bring any
 * incident hex's scaled Jacobian below the threshold is undone, so the
 * result is deterministic and every cell keeps a scaled Jacobian ≥ the
 * threshold (voxels start at 1) and a smallest corner determinant ≥
 * `minRelativeCornerVolume·h³`. Modifies `vh.mesh.nodes` in place.
 *
 * @example
 * ```ts
 * const rep = smoothVoxelMesh(grid, vh, { iterations: 5, minScaledJacobian: 0.3 });
 * ```
 */
export function smoothVoxelMesh(grid: VoxelGrid, vh: VoxelHexMesh, opts: VoxelSmoothOptions): VoxelSmoothReport {
  const lambda = opts.lambda ?? 0.5;
  const minSJ = opts.minScaledJacobian ?? 0.3;
  const minDet = (opts.minRelativeCornerVolume ?? 0.4) * grid.spacing ** 3;
  if (!Number.isInteger(opts.iterations) || opts.iterations < 0) throw new InvalidParameterError('iterations', `must be a non-negative integer, got ${opts.iterations}`);
  if (!(lambda > 0 && lambda <= 1)) throw new InvalidParameterError('lambda', `must lie in (0, 1], got ${lambda}`);
  if (!(minSJ > 0 && minSJ < 1)) throw new InvalidParameterError('minScaledJacobian', `must lie in (0, 1), got ${minSJ}`);
  const [nx, ny, nz] = grid.dims;
  const labels = grid.labels;
  const { cornerNode, voxelCell, mesh } = vh;
  const nodes = mesh.nodes;
  const cells = mesh.cells;
  const cx = nx + 1;
  const cxy = (nx + 1) * (ny + 1);
  const nNodes = nodes.length / 3;
  const nodeCorner = new Int32Array(nNodes);
  for (let c = 0; c < cornerNode.length; c++) if (cornerNode[c] >= 0) nodeCorner[cornerNode[c]] = c;
  const labelAt = (i: number, j: number, k: number): number =>
    i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz ? 0 : labels[i + nx * (j + ny * k)];
  const cellAt = (i: number, j: number, k: number): number =>
    i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz ? -1 : voxelCell[i + nx * (j + ny * k)];
  // signature: FNV-1a hash of the sorted distinct labels of the 8 voxels around the corner
  const sig = new Int32Array(nNodes);
  const movable = new Uint8Array(nNodes);
  const tmp = new Int32Array(8);
  let nMovable = 0;
  for (let nd = 0; nd < nNodes; nd++) {
    const c = nodeCorner[nd];
    const i = c % cx;
    const j = ((c - i) / cx) % (ny + 1);
    const k = (c - i - cx * j) / cxy;
    let m = 0;
    for (let q = 0; q < 8; q++) tmp[m++] = labelAt(i - 1 + (q & 1), j - 1 + ((q >> 1) & 1), k - 1 + ((q >> 2) & 1));
    const sorted = Array.from(tmp).sort((a, b) => a - b);
    let h = 0x811c9dc5;
    let distinct = 0;
    for (let q = 0; q < 8; q++) {
      if (q > 0 && sorted[q] === sorted[q - 1]) continue;
      distinct++;
      h = Math.imul(h ^ sorted[q], 0x01000193);
    }
    sig[nd] = h;
    if (distinct > 1) {
      movable[nd] = 1;
      nMovable++;
    }
  }
  // neighbour lists (CSR) for movable nodes: grid-edge neighbours with the same signature,
  // joined by an edge of an existing cell
  const nbPtr = new Uint32Array(nNodes + 1);
  const nbList: number[] = [];
  const cellPtr = new Uint32Array(nNodes + 1);
  const cellList: number[] = [];
  const dirs = [
    [1, 0, 0],
    [-1, 0, 0],
    [0, 1, 0],
    [0, -1, 0],
    [0, 0, 1],
    [0, 0, -1],
  ];
  for (let nd = 0; nd < nNodes; nd++) {
    nbPtr[nd] = nbList.length;
    cellPtr[nd] = cellList.length;
    if (!movable[nd]) continue;
    const c = nodeCorner[nd];
    const i = c % cx;
    const j = ((c - i) / cx) % (ny + 1);
    const k = (c - i - cx * j) / cxy;
    for (let q = 0; q < 8; q++) {
      const cc = cellAt(i - 1 + (q & 1), j - 1 + ((q >> 1) & 1), k - 1 + ((q >> 2) & 1));
      if (cc >= 0) cellList.push(cc);
    }
    for (const [di, dj, dk] of dirs) {
      const ii = i + di;
      const jj = j + dj;
      const kk = k + dk;
      if (ii < 0 || jj < 0 || kk < 0 || ii > nx || jj > ny || kk > nz) continue;
      const other = cornerNode[ii + cx * jj + cxy * kk];
      if (other < 0 || !movable[other] || sig[other] !== sig[nd]) continue;
      // the edge exists if one of the 4 voxels around it is a cell
      const ei = Math.min(i, ii);
      const ej = Math.min(j, jj);
      const ek = Math.min(k, kk);
      // the 4 voxels around the edge from corner (ei, ej, ek) along the axis of the step
      let edge = false;
      for (let a = 0; a < 2 && !edge; a++) {
        for (let b = 0; b < 2 && !edge; b++) {
          const vi = di !== 0 ? ei : ei - 1 + a;
          const vj = dj !== 0 ? ej : di !== 0 ? ej - 1 + a : ej - 1 + b;
          const vk = dk !== 0 ? ek : ek - 1 + b;
          if (cellAt(vi, vj, vk) >= 0) edge = true;
        }
      }
      if (edge) nbList.push(other);
    }
  }
  nbPtr[nNodes] = nbList.length;
  cellPtr[nNodes] = cellList.length;
  let accepted = 0;
  let rejected = 0;
  for (let it = 0; it < opts.iterations; it++) {
    for (let nd = 0; nd < nNodes; nd++) {
      const n0 = nbPtr[nd];
      const n1 = nbPtr[nd + 1];
      if (n1 === n0) continue;
      let sx = 0;
      let sy = 0;
      let sz = 0;
      for (let q = n0; q < n1; q++) {
        const o = 3 * nbList[q];
        sx += nodes[o];
        sy += nodes[o + 1];
        sz += nodes[o + 2];
      }
      const inv = 1 / (n1 - n0);
      const o = 3 * nd;
      const x0 = nodes[o];
      const y0 = nodes[o + 1];
      const z0 = nodes[o + 2];
      nodes[o] = x0 + lambda * (sx * inv - x0);
      nodes[o + 1] = y0 + lambda * (sy * inv - y0);
      nodes[o + 2] = z0 + lambda * (sz * inv - z0);
      let ok = true;
      for (let q = cellPtr[nd]; q < cellPtr[nd + 1]; q++) {
        if (hexScaledJacobian(nodes, cells, cellList[q]) < minSJ || hexMinCornerDet(nodes, cells, cellList[q]) < minDet) {
          ok = false;
          break;
        }
      }
      if (ok) accepted++;
      else {
        nodes[o] = x0;
        nodes[o + 1] = y0;
        nodes[o + 2] = z0;
        rejected++;
      }
    }
  }
  let minAfter = 1;
  for (let q = 0; q < cellList.length; q++) {
    const s = hexScaledJacobian(nodes, cells, cellList[q]);
    if (s < minAfter) minAfter = s;
  }
  return { movableNodes: nMovable, accepted, rejected, minScaledJacobian: minAfter };
}
