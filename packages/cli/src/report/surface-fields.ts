/**
 * Per-region surface vertices and stresses for the viewer. A mesh node on an
 * implant–bone interface carries one nodal average mixing both materials
 * (hundreds of MPa with a few MPa), which smears implant colours onto bone.
 * Splitting the surface so each vertex belongs to one region, and averaging
 * only that region's cells at the node, keeps each material's own stress.
 */
import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import { InvalidReportDataError } from './report-data.js';

/** A triangulated surface whose vertices are split per region (layout as `SurfaceTriangles` of `@spinefea/mesh`). */
export interface RegionSplitSurface {
  /** xyz per vertex, mm, length 3·V. */
  positions: Float32Array;
  /** 3 vertex indices per triangle, same triangle order as the input. */
  indices: Uint32Array;
  /** Region id per triangle (unchanged). */
  regionIds: Uint16Array;
  /** Mesh node of each vertex, length V. */
  nodeIds: Uint32Array;
  /** Region id of each vertex, length V (every triangle using it has this region). */
  vertexRegions: Uint16Array;
}

/**
 * Duplicate shared vertices so that every vertex belongs to one region (the
 * triangles of a region keep sharing their vertices, so shading is smooth
 * within a region).
 *
 * @param s - a surface from `boundaryTriangles(mesh, { byRegion: true })`: positions (mm), indices, regionIds per triangle, nodeIds per vertex.
 * @returns the split surface; vertex count V' ≥ V.
 * @example
 * ```ts
 * const split = splitSurfaceByRegion(boundaryTriangles(mesh, { byRegion: true }));
 * ```
 */
export function splitSurfaceByRegion(s: {
  positions: ArrayLike<number>;
  indices: Uint32Array;
  regionIds: Uint16Array;
  nodeIds: Uint32Array;
}): RegionSplitSurface {
  const nv = s.positions.length / 3;
  const nt = s.indices.length / 3;
  if (s.regionIds.length !== nt) throw new InvalidReportDataError(`length ${s.regionIds.length} ≠ triangle count ${nt}`, 'surface.regionIds');
  if (s.nodeIds.length !== nv) throw new InvalidReportDataError(`length ${s.nodeIds.length} ≠ vertex count ${nv}`, 'surface.nodeIds');
  let maxRegion = 0;
  for (let t = 0; t < nt; t++) if (s.regionIds[t] > maxRegion) maxRegion = s.regionIds[t];
  const R = maxRegion + 1;
  // (old vertex, region) → new vertex; key = v·R + r (< 2^53 for any real surface).
  const map = new Map<number, number>();
  const indices = new Uint32Array(s.indices.length);
  const from: number[] = [];
  const region: number[] = [];
  for (let t = 0; t < nt; t++) {
    const r = s.regionIds[t];
    for (let k = 0; k < 3; k++) {
      const v = s.indices[3 * t + k];
      const key = v * R + r;
      let w = map.get(key);
      if (w === undefined) {
        w = from.length;
        map.set(key, w);
        from.push(v);
        region.push(r);
      }
      indices[3 * t + k] = w;
    }
  }
  const n = from.length;
  const positions = new Float32Array(3 * n);
  const nodeIds = new Uint32Array(n);
  for (let w = 0; w < n; w++) {
    const v = from[w];
    positions[3 * w] = s.positions[3 * v];
    positions[3 * w + 1] = s.positions[3 * v + 1];
    positions[3 * w + 2] = s.positions[3 * v + 2];
    nodeIds[w] = s.nodeIds[v];
  }
  return { positions, indices, regionIds: s.regionIds, nodeIds, vertexRegions: Uint16Array.from(region) };
}

/**
 * Value at each split-surface vertex: the mean of `cellValues` over the cells
 * of the vertex's region that contain its node (e.g. element von Mises,
 * MPa → nodal von Mises per material, with no smearing across interfaces).
 *
 * @param mesh - the mesh the surface came from (cells, cell type, material ids, nodes).
 * @param split - from {@link splitSurfaceByRegion}.
 * @param cellValues - one value per cell (e.g. `fields.cellVonMises`, MPa).
 * @returns `Float32Array` per split vertex.
 * @throws InvalidReportDataError when `cellValues` has the wrong length or a vertex has no cell of its region (surface not from this mesh).
 * @example
 * ```ts
 * const vm = regionNodalAverage(mesh, split, fields.cellVonMises);
 * ```
 */
export function regionNodalAverage(
  mesh: Pick<Mesh, 'cells' | 'cellType' | 'materialIds' | 'nodes'>,
  split: RegionSplitSurface,
  cellValues: ArrayLike<number>,
): Float32Array {
  const npc = CELL_INFO[mesh.cellType].nodesPerCell;
  const nc = mesh.cells.length / npc;
  const nn = mesh.nodes.length / 3;
  if (cellValues.length !== nc) throw new InvalidReportDataError(`length ${cellValues.length} ≠ cell count ${nc}`, 'cellValues');
  const nv = split.nodeIds.length;
  // CSR of split vertices by node: vertices of node n are order[start[n] .. start[n+1]).
  const start = new Uint32Array(nn + 1);
  for (let w = 0; w < nv; w++) {
    if (split.nodeIds[w] >= nn) throw new InvalidReportDataError(`vertex ${w} refers to node ${split.nodeIds[w]} ≥ node count ${nn}`, 'split.nodeIds');
    start[split.nodeIds[w] + 1]++;
  }
  for (let i = 0; i < nn; i++) start[i + 1] += start[i];
  const fill = start.slice(0, nn);
  const order = new Uint32Array(nv);
  for (let w = 0; w < nv; w++) order[fill[split.nodeIds[w]]++] = w;
  const sum = new Float64Array(nv);
  const count = new Uint32Array(nv);
  for (let c = 0; c < nc; c++) {
    const r = mesh.materialIds[c];
    const val = cellValues[c];
    for (let j = 0; j < npc; j++) {
      const n = mesh.cells[c * npc + j];
      for (let i = start[n]; i < start[n + 1]; i++) {
        const w = order[i];
        if (split.vertexRegions[w] === r) {
          sum[w] += val;
          count[w]++;
        }
      }
    }
  }
  const out = new Float32Array(nv);
  for (let w = 0; w < nv; w++) {
    if (count[w] === 0)
      throw new InvalidReportDataError(`vertex ${w} (node ${split.nodeIds[w]}, region ${split.vertexRegions[w]}) touches no cell of its region`, 'split');
    out[w] = sum[w] / count[w];
  }
  return out;
}
