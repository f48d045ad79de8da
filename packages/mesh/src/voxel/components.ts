/**
 * Connectivity clean-up of labelled voxel grids.
 */
import type { VoxelGrid } from './grid.js';

/** Outcome of {@link keepLargestComponent}. */
export interface ComponentReport {
  /** Number of face-connected components of non-void voxels before the clean-up. */
  components: number;
  /** Voxels in the kept (largest) component. */
  kept: number;
  /** Non-void voxels set to void. */
  dropped: number;
}

/**
 * Keeps only the largest face-connected (6-neighbour) component of non-void
 * voxels and voids the rest, in place. Face connectivity is used because two
 * hexahedra that share only an edge or a corner form a hinge, not a
 * load-carrying joint. Ties go to the component met first in index order
 * (deterministic).
 *
 * @example
 * ```ts
 * const { dropped } = keepLargestComponent(grid);
 * ```
 */
export function keepLargestComponent(grid: VoxelGrid): ComponentReport {
  const [nx, ny, nz] = grid.dims;
  const labels = grid.labels;
  const n = labels.length;
  const comp = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const nxy = nx * ny;
  let nComp = 0;
  let best = -1;
  let bestSize = 0;
  let total = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] === 0 || comp[s] !== -1) continue;
    const c = nComp++;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    comp[s] = c;
    while (head < tail) {
      const v = queue[head++];
      const i = v % nx;
      const j = ((v - i) / nx) % ny;
      const k = (v - i - nx * j) / nxy;
      if (i > 0 && labels[v - 1] !== 0 && comp[v - 1] === -1) ((comp[v - 1] = c), (queue[tail++] = v - 1));
      if (i < nx - 1 && labels[v + 1] !== 0 && comp[v + 1] === -1) ((comp[v + 1] = c), (queue[tail++] = v + 1));
      if (j > 0 && labels[v - nx] !== 0 && comp[v - nx] === -1) ((comp[v - nx] = c), (queue[tail++] = v - nx));
      if (j < ny - 1 && labels[v + nx] !== 0 && comp[v + nx] === -1) ((comp[v + nx] = c), (queue[tail++] = v + nx));
      if (k > 0 && labels[v - nxy] !== 0 && comp[v - nxy] === -1) ((comp[v - nxy] = c), (queue[tail++] = v - nxy));
      if (k < nz - 1 && labels[v + nxy] !== 0 && comp[v + nxy] === -1) ((comp[v + nxy] = c), (queue[tail++] = v + nxy));
    }
    total += tail;
    if (tail > bestSize) {
      bestSize = tail;
      best = c;
    }
  }
  let dropped = 0;
  if (nComp > 1) {
    for (let v = 0; v < n; v++) {
      if (labels[v] !== 0 && comp[v] !== best) {
        labels[v] = 0;
        dropped++;
      }
    }
  }
  return { components: nComp, kept: total - dropped, dropped };
}

/**
 * Keeps groups of labels from touching: every voxel whose label belongs to
 * group `g` (`groupOfLabel[label] ≥ 0`) and that shares a node (26-neighbour)
 * with a voxel of a group `g' > g` is voided, in place. Used so that the bone
 * of two vertebrae never shares a mesh node (a motion segment must not be
 * fused by voxel aliasing); the higher-numbered group wins.
 *
 * @returns the number of voided voxels.
 * @example
 * ```ts
 * const voided = separateGroups(grid, Int32Array.from([-1, 0, 0, 1])); // labels 1,2 = vertebra 0, label 3 = vertebra 1
 * ```
 */
export function separateGroups(grid: VoxelGrid, groupOfLabel: Int32Array): number {
  const [nx, ny, nz] = grid.dims;
  const labels = grid.labels;
  const nxy = nx * ny;
  const marked: number[] = [];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const v = i + nx * j + nxy * k;
        const g = groupOfLabel[labels[v]];
        if (g < 0) continue;
        let hit = false;
        for (let dk = -1; dk <= 1 && !hit; dk++) {
          const kk = k + dk;
          if (kk < 0 || kk >= nz) continue;
          for (let dj = -1; dj <= 1 && !hit; dj++) {
            const jj = j + dj;
            if (jj < 0 || jj >= ny) continue;
            for (let di = -1; di <= 1; di++) {
              const ii = i + di;
              if (ii < 0 || ii >= nx) continue;
              const g2 = groupOfLabel[labels[ii + nx * jj + nxy * kk]];
              if (g2 > g) {
                hit = true;
                break;
              }
            }
          }
        }
        if (hit) marked.push(v);
      }
    }
  }
  for (const v of marked) labels[v] = 0;
  return marked.length;
}
