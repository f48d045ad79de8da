/**
 * Conversion of a labelled voxel grid into a conforming hex8 mesh.
 */
import { InvalidMeshError } from '../errors.js';
import type { FaceSet, Mesh } from '../mesh.js';
import type { VoxelGrid } from './grid.js';

/** A hex8 mesh made from a voxel grid, with the maps between cells, voxels and grid corners. */
export interface VoxelHexMesh {
  mesh: Mesh;
  /** Voxel index of each cell (`cellCount`). */
  cellVoxel: Uint32Array;
  /** Cell index of each voxel, −1 for void (`nx·ny·nz`). */
  voxelCell: Int32Array;
  /** Node index of each grid corner, −1 where unused (`(nx+1)·(ny+1)·(nz+1)`). */
  cornerNode: Int32Array;
}

/**
 * Local voxel-corner offsets `(di, dj, dk)` of hex8 nodes 0..7 in VTK order
 * (bottom face counter-clockwise seen from +z, then the top face).
 */
export const HEX8_CORNER_OFFSETS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [1, 0, 0],
  [1, 1, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 0, 1],
  [1, 1, 1],
  [0, 1, 1],
];

/**
 * Voxel-neighbour offset `(di, dj, dk)` across each hex8 local face, in the
 * face order of `CELL_INFO.hex8.faces`: z−, z+, y−, x+, y+, x−.
 */
export const HEX8_FACE_NEIGHBOUR: readonly (readonly [number, number, number])[] = [
  [0, 0, -1],
  [0, 0, 1],
  [0, -1, 0],
  [1, 0, 0],
  [0, 1, 0],
  [-1, 0, 0],
];

/**
 * Emits one hex8 cell per non-void voxel, with shared nodes at the grid
 * corners. Nodes are numbered in increasing grid-corner index and cells in
 * increasing voxel index (x fastest, then y, then z), so the same grid always
 * gives bit-identical arrays. `materialIds[c] = label − 1`.
 *
 * @example
 * ```ts
 * const { mesh } = voxelGridToHexMesh(grid, ['bone']);
 * ```
 */
export function voxelGridToHexMesh(grid: VoxelGrid, regionNames: string[]): VoxelHexMesh {
  const [nx, ny, nz] = grid.dims;
  const labels = grid.labels;
  const cx = nx + 1;
  const cxy = (nx + 1) * (ny + 1);
  const nCorner = cxy * (nz + 1);
  const cornerNode = new Int32Array(nCorner).fill(-1);
  const voxelCell = new Int32Array(labels.length).fill(-1);
  let nCells = 0;
  for (let v = 0; v < labels.length; v++) {
    if (labels[v] === 0) continue;
    if (labels[v] > regionNames.length) throw new InvalidMeshError(`voxel ${v} has label ${labels[v]} but only ${regionNames.length} regions are named`);
    voxelCell[v] = nCells++;
  }
  const cellVoxel = new Uint32Array(nCells);
  // mark used corners
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const c = voxelCell[v];
        if (c < 0) continue;
        cellVoxel[c] = v;
        const c0 = i + cx * j + cxy * k;
        cornerNode[c0] = cornerNode[c0 + 1] = cornerNode[c0 + cx] = cornerNode[c0 + cx + 1] = 0;
        cornerNode[c0 + cxy] = cornerNode[c0 + cxy + 1] = cornerNode[c0 + cxy + cx] = cornerNode[c0 + cxy + cx + 1] = 0;
      }
    }
  }
  let nNodes = 0;
  for (let c = 0; c < nCorner; c++) if (cornerNode[c] === 0) cornerNode[c] = nNodes++;
  const nodes = new Float64Array(3 * nNodes);
  const h = grid.spacing;
  const [ox, oy, oz] = grid.origin;
  for (let k = 0, c = 0; k <= nz; k++) {
    for (let j = 0; j <= ny; j++) {
      for (let i = 0; i <= nx; i++, c++) {
        const nd = cornerNode[c];
        if (nd < 0) continue;
        nodes[3 * nd] = ox + i * h;
        nodes[3 * nd + 1] = oy + j * h;
        nodes[3 * nd + 2] = oz + k * h;
      }
    }
  }
  const cells = new Uint32Array(8 * nCells);
  const materialIds = new Uint16Array(nCells);
  for (let c = 0; c < nCells; c++) {
    const v = cellVoxel[c];
    const i = v % nx;
    const j = ((v - i) / nx) % ny;
    const k = (v - i - nx * j) / (nx * ny);
    const c0 = i + cx * j + cxy * k;
    const o = 8 * c;
    cells[o] = cornerNode[c0];
    cells[o + 1] = cornerNode[c0 + 1];
    cells[o + 2] = cornerNode[c0 + cx + 1];
    cells[o + 3] = cornerNode[c0 + cx];
    cells[o + 4] = cornerNode[c0 + cxy];
    cells[o + 5] = cornerNode[c0 + cxy + 1];
    cells[o + 6] = cornerNode[c0 + cxy + cx + 1];
    cells[o + 7] = cornerNode[c0 + cxy + cx];
    materialIds[c] = labels[v] - 1;
  }
  const mesh: Mesh = { nodes, cells, cellType: 'hex8', materialIds, regionNames: regionNames.slice(), nodeSets: {}, faceSets: {} };
  return { mesh, cellVoxel, voxelCell, cornerNode };
}

/** Local node indices of the hex8 faces (same as `CELL_INFO.hex8.faces`). */
const HEX_FACES = [
  [0, 3, 2, 1],
  [4, 5, 6, 7],
  [0, 1, 5, 4],
  [1, 2, 6, 5],
  [2, 3, 7, 6],
  [3, 0, 4, 7],
] as const;

/**
 * Sorted unique node indices of a face set of a hex8 mesh.
 *
 * @example
 * ```ts
 * mesh.nodeSets['L4.superiorEndplate'] = faceSetNodes(mesh.cells, mesh.faceSets['L4.superiorEndplate']);
 * ```
 */
export function faceSetNodes(cells: Uint32Array, fs: FaceSet): Uint32Array {
  const out = new Uint32Array(4 * fs.cells.length);
  for (let f = 0; f < fs.cells.length; f++) {
    const lf = HEX_FACES[fs.faces[f]];
    const o = 8 * fs.cells[f];
    for (let q = 0; q < 4; q++) out[4 * f + q] = cells[o + lf[q]];
  }
  out.sort();
  let m = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[m++] = out[i];
  return out.slice(0, m);
}

/**
 * Builds a face set from growable lists of (cell, local face).
 * @example
 * ```ts
 * const fs = makeFaceSet([0, 0], [0, 1]); // bottom and top face of cell 0
 * ```
 */
export function makeFaceSet(cells: number[], faces: number[]): FaceSet {
  return { cells: Uint32Array.from(cells), faces: Uint8Array.from(faces) };
}
