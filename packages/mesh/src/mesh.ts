/**
 * The mesh data layout shared by every spinefea package.
 *
 * Struct-of-arrays typed arrays only: they upload to a GPU as they are and
 * round-trip through the file formats in `@spinefea/mesh/io` without copies.
 * Units: millimetres.
 */

/** Supported solid cell types. Node ordering follows VTK/Gmsh (see {@link CELL_INFO}). */
export type CellType = 'hex8' | 'tet4' | 'tet10';

/**
 * A set of cell faces: `cells[i]` is a cell index, `faces[i]` its local face
 * number as numbered in {@link CELL_INFO}`[cellType].faces`.
 */
export interface FaceSet {
  cells: Uint32Array;
  faces: Uint8Array;
}

/**
 * A solid mesh of one cell type.
 *
 * Layout:
 * - `nodes`: xyz interleaved, length `3 * nodeCount`, mm.
 * - `cells`: node indices, `nodesPerCell` per cell, length `nodesPerCell * cellCount`.
 * - `materialIds`: one region/material id per cell, length `cellCount`.
 * - `regionNames`: optional name for each material id (`regionNames[id]`).
 * - `nodeSets` / `faceSets`: named selections, e.g. `L4.superiorEndplate`.
 *
 * @example
 * ```ts
 * import { boxMesh } from '@spinefea/mesh';
 * const mesh = boxMesh({ size: [10, 10, 10], divisions: [4, 4, 4], cellType: 'hex8' });
 * console.log(mesh.nodes.length / 3, mesh.cells.length / 8);
 * ```
 */
export interface Mesh {
  nodes: Float64Array;
  cells: Uint32Array;
  cellType: CellType;
  materialIds: Uint16Array;
  regionNames?: string[];
  nodeSets: Record<string, Uint32Array>;
  faceSets: Record<string, FaceSet>;
}

/** Static description of a cell type: node count, corner count and local faces. */
export interface CellInfo {
  /** Nodes per cell. */
  nodesPerCell: number;
  /** Corner (vertex) nodes per cell; the first `corners` nodes are the corners. */
  corners: number;
  /** Local node indices of each face, outward normal by the right-hand rule (corners first, then mid-side nodes for tet10). */
  faces: readonly (readonly number[])[];
  /** VTK cell type code (12 hexahedron, 10 tetra, 24 quadratic tetra). */
  vtkType: number;
  /** Gmsh element type code (5 hex8, 4 tet4, 11 tet10). */
  gmshType: number;
}

/**
 * Node ordering (VTK = Gmsh for these types, except the tet10 mid-side nodes 8/9
 * which Gmsh swaps; the Gmsh reader/writer handle that):
 * - hex8: bottom face 0-1-2-3 counter-clockwise seen from above, top 4-5-6-7.
 * - tet4: 0-1-2 counter-clockwise seen from node 3.
 * - tet10: corners 0..3, then mid-side nodes on edges 01, 12, 20, 03, 13, 23.
 */
export const CELL_INFO: Readonly<Record<CellType, CellInfo>> = {
  hex8: {
    nodesPerCell: 8,
    corners: 8,
    faces: [
      [0, 3, 2, 1], // z-  (bottom)
      [4, 5, 6, 7], // z+  (top)
      [0, 1, 5, 4], // y-
      [1, 2, 6, 5], // x+
      [2, 3, 7, 6], // y+
      [3, 0, 4, 7], // x-
    ],
    vtkType: 12,
    gmshType: 5,
  },
  tet4: {
    nodesPerCell: 4,
    corners: 4,
    faces: [
      [0, 2, 1],
      [0, 1, 3],
      [1, 2, 3],
      [2, 0, 3],
    ],
    vtkType: 10,
    gmshType: 4,
  },
  tet10: {
    nodesPerCell: 10,
    corners: 4,
    faces: [
      [0, 2, 1, 6, 5, 4],
      [0, 1, 3, 4, 8, 7],
      [1, 2, 3, 5, 9, 8],
      [2, 0, 3, 6, 7, 9],
    ],
    vtkType: 24,
    gmshType: 11,
  },
};

/** Number of nodes of a mesh. */
export function nodeCount(mesh: Pick<Mesh, 'nodes'>): number {
  return mesh.nodes.length / 3;
}

/** Number of cells of a mesh. */
export function cellCount(mesh: Pick<Mesh, 'cells' | 'cellType'>): number {
  return mesh.cells.length / CELL_INFO[mesh.cellType].nodesPerCell;
}
