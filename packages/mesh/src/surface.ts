/**
 * Boundary surfaces of solid meshes: face adjacency, boundary face sets and
 * triangulated (per-region, watertight) surfaces for display and STL.
 */
import { CELL_INFO, cellCount, type FaceSet, type Mesh } from './mesh.js';
import { InvalidMeshError } from './errors.js';

/**
 * Neighbour of every cell face. Faces are matched by their sorted corner
 * node indices, bucketed by the smallest corner (counting sort, no hashing
 * of strings), so two faces match exactly when they share all corners.
 *
 * @param mesh - any mesh.
 * @returns `Int32Array` of length `cellCount·facesPerCell`: entry
 * `c·facesPerCell + f` is the slot `c'·facesPerCell + f'` of the other cell
 * sharing local face f of cell c, or −1 on the boundary.
 * @throws InvalidMeshError when more than two cells share a face (non-manifold / duplicated cells).
 * @example
 * ```ts
 * const nb = faceNeighbours(boxMesh({ size: [1, 1, 1], divisions: [2, 1, 1], cellType: 'hex8' }));
 * // nb[0 * 6 + 3] === 1 * 6 + 5: cell 0's x+ face is cell 1's x- face
 * ```
 */
export function faceNeighbours(mesh: Pick<Mesh, 'cells' | 'cellType' | 'nodes'>): Int32Array {
  const info = CELL_INFO[mesh.cellType];
  const npc = info.nodesPerCell;
  const nf = info.faces.length;
  const nk = info.faces[0].length > 4 ? 3 : info.faces[0].length; // corners per face (tet10: 3)
  const nc = cellCount(mesh);
  const nn = mesh.nodes.length / 3;
  const slots = nc * nf;
  const keys = new Uint32Array(slots * nk);
  const cells = mesh.cells;
  const tmp = [0, 0, 0, 0];
  for (let c = 0; c < nc; c++) {
    for (let f = 0; f < nf; f++) {
      const lf = info.faces[f];
      for (let i = 0; i < nk; i++) tmp[i] = cells[c * npc + lf[i]];
      // Sort the 3 or 4 corners (insertion sort on a tiny array).
      for (let i = 1; i < nk; i++) {
        const v = tmp[i];
        let j = i - 1;
        while (j >= 0 && tmp[j] > v) {
          tmp[j + 1] = tmp[j];
          j--;
        }
        tmp[j + 1] = v;
      }
      const o = (c * nf + f) * nk;
      for (let i = 0; i < nk; i++) keys[o + i] = tmp[i];
    }
  }
  const start = new Uint32Array(nn + 1);
  for (let s = 0; s < slots; s++) start[keys[s * nk] + 1]++;
  for (let i = 0; i < nn; i++) start[i + 1] += start[i];
  const order = new Uint32Array(slots);
  const fill = start.slice(0, nn);
  for (let s = 0; s < slots; s++) order[fill[keys[s * nk]]++] = s;
  const nb = new Int32Array(slots).fill(-1);
  for (let a = 0; a < nn; a++) {
    const e = start[a + 1];
    for (let i = start[a]; i < e; i++) {
      const s = order[i];
      for (let j = i + 1; j < e; j++) {
        const t = order[j];
        let same = true;
        for (let k = 1; k < nk; k++)
          if (keys[s * nk + k] !== keys[t * nk + k]) {
            same = false;
            break;
          }
        if (!same) continue;
        if (nb[s] !== -1 || nb[t] !== -1) {
          const other = nb[s] !== -1 ? nb[s] : nb[t];
          const cellsOf = [s, t, other].map((x) => Math.floor(x / nf));
          throw new InvalidMeshError(
            `face with corners [${Array.from(keys.subarray(s * nk, s * nk + nk)).join(', ')}] is shared by more than two cells (cells ${cellsOf.join(', ')})`,
            cellsOf[0],
          );
        }
        nb[s] = t;
        nb[t] = s;
      }
    }
  }
  return nb;
}

/**
 * Build a finder from face corner nodes to cell faces (buckets keyed by the
 * smallest corner, like {@link faceNeighbours}). Used to turn surface
 * elements (Gmsh face groups, picked triangles) into a {@link FaceSet}.
 *
 * @returns `find(corners)`: given the 3 or 4 corner nodes of a face (any
 * rotation/orientation), the slot `cell·facesPerCell + face` of the cell face
 * with those corners — preferring a cell whose face has the same cyclic
 * orientation (the cell the face points out of) — or −1 if none.
 * @example
 * ```ts
 * const find = createFaceFinder(mesh);
 * const slot = find([0, 1, 5, 4]); // hex8 box: cell 0, face 2 (y-) → slot 2
 * ```
 */
export function createFaceFinder(mesh: Pick<Mesh, 'cells' | 'cellType' | 'nodes'>): (corners: ArrayLike<number>) => number {
  const info = CELL_INFO[mesh.cellType];
  const npc = info.nodesPerCell;
  const nf = info.faces.length;
  const nk = info.faces[0].length > 4 ? 3 : info.faces[0].length;
  const nc = cellCount(mesh);
  const nn = mesh.nodes.length / 3;
  const slots = nc * nf;
  const minCorner = new Uint32Array(slots);
  for (let c = 0; c < nc; c++)
    for (let f = 0; f < nf; f++) {
      const lf = info.faces[f];
      let m = mesh.cells[c * npc + lf[0]];
      for (let i = 1; i < nk; i++) m = Math.min(m, mesh.cells[c * npc + lf[i]]);
      minCorner[c * nf + f] = m;
    }
  const start = new Uint32Array(nn + 1);
  for (let s = 0; s < slots; s++) start[minCorner[s] + 1]++;
  for (let i = 0; i < nn; i++) start[i + 1] += start[i];
  const order = new Uint32Array(slots);
  const fill = start.slice(0, nn);
  for (let s = 0; s < slots; s++) order[fill[minCorner[s]]++] = s;
  const slotCorners = (s: number, out: number[]): void => {
    const c = Math.floor(s / nf);
    const lf = info.faces[s % nf];
    for (let i = 0; i < nk; i++) out[i] = mesh.cells[c * npc + lf[i]];
  };
  const tmp: number[] = [0, 0, 0, 0];
  return (corners: ArrayLike<number>): number => {
    if (corners.length !== nk) return -1;
    let m = corners[0];
    for (let i = 1; i < nk; i++) m = Math.min(m, corners[i]);
    if (!(m >= 0 && m < nn)) return -1;
    let found = -1;
    for (let i = start[m]; i < start[m + 1]; i++) {
      const s = order[i];
      slotCorners(s, tmp);
      let same = true;
      for (let k = 0; k < nk && same; k++) {
        let hit = false;
        for (let j = 0; j < nk; j++) if (tmp[j] === corners[k]) hit = true;
        same = hit;
      }
      if (!same) continue;
      // Same cyclic orientation: the successor of corners[0] matches.
      const p = tmp.indexOf(corners[0]);
      if (tmp[(p + 1) % nk] === corners[1 % nk]) return s;
      if (found < 0) found = s;
    }
    return found;
  };
}

/** Options of {@link extractBoundary}. */
export interface ExtractBoundaryOptions {
  /** Also include faces between cells of different material ids (once per side). Default false. */
  includeRegionInterfaces?: boolean;
}

/**
 * Boundary faces: the faces that belong to exactly one cell.
 *
 * @param mesh - any conforming mesh.
 * @returns a {@link FaceSet}, faces ordered by cell then local face.
 * @example
 * ```ts
 * const skin = extractBoundary(boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'hex8' }));
 * // skin.cells.length === 24
 * ```
 */
export function extractBoundary(mesh: Mesh, opts: ExtractBoundaryOptions = {}): FaceSet {
  const nf = CELL_INFO[mesh.cellType].faces.length;
  const nb = faceNeighbours(mesh);
  const take = (s: number): boolean =>
    nb[s] < 0 || (!!opts.includeRegionInterfaces && mesh.materialIds[Math.floor(s / nf)] !== mesh.materialIds[Math.floor(nb[s] / nf)]);
  let n = 0;
  for (let s = 0; s < nb.length; s++) if (take(s)) n++;
  const cells = new Uint32Array(n);
  const faces = new Uint8Array(n);
  let k = 0;
  for (let s = 0; s < nb.length; s++)
    if (take(s)) {
      cells[k] = Math.floor(s / nf);
      faces[k++] = s % nf;
    }
  return { cells, faces };
}

/** Options of {@link boundaryTriangles}. */
export interface BoundaryTrianglesOptions {
  /**
   * Per-region closed surfaces: a face between regions A and B is emitted
   * twice, once oriented outward from A (tagged A) and once outward from B
   * (tagged B), so each region's triangles form a watertight surface.
   * Default false.
   */
  byRegion?: boolean;
  /**
   * Include faces between different regions. Default: true when `byRegion`,
   * false otherwise. Without `byRegion` an interface face is emitted once,
   * oriented outward from (and tagged with) the cell of the lower index.
   */
  includeRegionInterfaces?: boolean;
  /** Emit `Float32Array` positions (GPU/STL-ready) instead of `Float64Array`. */
  float32?: boolean;
}

/** A triangulated surface. */
export interface SurfaceTriangles {
  /** Vertex coordinates, xyz interleaved (mm), length `3·vertexCount`. */
  positions: Float64Array | Float32Array;
  /** Triangle vertex indices, 3 per triangle, counter-clockwise seen from outside. */
  indices: Uint32Array;
  /** Material id of each triangle (the region it bounds). */
  regionIds: Uint16Array;
  /** Mesh node of each vertex (vertices are the used mesh nodes, compacted). */
  nodeIds: Uint32Array;
  /** Cell each triangle comes from. */
  cellIds: Uint32Array;
}

/**
 * Triangulate the boundary of a mesh (faces found with a sorted-corner key,
 * see {@link faceNeighbours}). hex8 quads give 2 triangles, tet4 faces 1,
 * tet10 faces 4 (split at the mid-side nodes, so curved tet10 surfaces are
 * followed and the surface stays watertight).
 *
 * @example
 * ```ts
 * const mesh = boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'tet4' });
 * const s = boundaryTriangles(mesh, { byRegion: true });
 * const stl = writeStl(s, { name: 'box' });
 * ```
 */
export function boundaryTriangles(mesh: Mesh, options: BoundaryTrianglesOptions = {}): SurfaceTriangles {
  const byRegion = options.byRegion ?? false;
  const interfaces = options.includeRegionInterfaces ?? byRegion;
  const info = CELL_INFO[mesh.cellType];
  const npc = info.nodesPerCell;
  const nf = info.faces.length;
  const nb = faceNeighbours(mesh);
  const mat = mesh.materialIds;
  const take = (s: number): boolean => {
    const o = nb[s];
    if (o < 0) return true;
    if (!interfaces) return false;
    const c = Math.floor(s / nf);
    const d = Math.floor(o / nf);
    if (mat[c] === mat[d]) return false;
    return byRegion || c < d;
  };
  // Triangles of one face, as indices into the face's node list.
  const faceTris: readonly (readonly number[])[] =
    mesh.cellType === 'hex8'
      ? [
          [0, 1, 2],
          [0, 2, 3],
        ]
      : mesh.cellType === 'tet4'
        ? [[0, 1, 2]]
        : [
            [0, 3, 5],
            [3, 1, 4],
            [5, 4, 2],
            [3, 4, 5],
          ];
  let nTri = 0;
  for (let s = 0; s < nb.length; s++) if (take(s)) nTri += faceTris.length;
  const triNodes = new Uint32Array(3 * nTri);
  const regionIds = new Uint16Array(nTri);
  const cellIds = new Uint32Array(nTri);
  let t = 0;
  for (let s = 0; s < nb.length; s++) {
    if (!take(s)) continue;
    const c = Math.floor(s / nf);
    const lf = info.faces[s % nf];
    for (const tri of faceTris) {
      triNodes[3 * t] = mesh.cells[c * npc + lf[tri[0]]];
      triNodes[3 * t + 1] = mesh.cells[c * npc + lf[tri[1]]];
      triNodes[3 * t + 2] = mesh.cells[c * npc + lf[tri[2]]];
      regionIds[t] = mat[c];
      cellIds[t] = c;
      t++;
    }
  }
  // Compact the used nodes, in increasing node order.
  const nn = mesh.nodes.length / 3;
  const map = new Int32Array(nn).fill(-1);
  for (let i = 0; i < triNodes.length; i++) map[triNodes[i]] = 0;
  let nv = 0;
  for (let i = 0; i < nn; i++) if (map[i] === 0) map[i] = nv++;
  const nodeIds = new Uint32Array(nv);
  const positions = options.float32 ? new Float32Array(3 * nv) : new Float64Array(3 * nv);
  for (let i = 0; i < nn; i++) {
    const v = map[i];
    if (v < 0) continue;
    nodeIds[v] = i;
    positions[3 * v] = mesh.nodes[3 * i];
    positions[3 * v + 1] = mesh.nodes[3 * i + 1];
    positions[3 * v + 2] = mesh.nodes[3 * i + 2];
  }
  const indices = new Uint32Array(triNodes.length);
  for (let i = 0; i < triNodes.length; i++) indices[i] = map[triNodes[i]];
  return { positions, indices, regionIds, nodeIds, cellIds };
}
