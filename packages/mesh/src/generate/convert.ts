/**
 * Cell-type conversions: hex8 → tet4 (6 tets per hex), tet4 → tet10
 * (shared mid-side nodes), keeping material ids, node sets and face sets.
 */
import { CELL_INFO, cellCount, nodeCount, type FaceSet, type Mesh } from '../mesh.js';
import { InvalidParameterError } from '../errors.js';
import { buildEdgeTable } from './edge-table.js';

/** Reference coordinates of the hex8 corners (VTK order), unit cube. */
const HEX_REF: readonly (readonly [number, number, number])[] = [
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
 * Kuhn (Freudenthal) split of the unit cube into 6 tets along the main
 * diagonal 0 → 6: one tet per axis permutation (p0,p1,p2), vertices
 * 0, 0+e_p0, 0+e_p0+e_p1, 6. The split is translation invariant, so two
 * hexes that share a face with matching local orientation split it along the
 * same diagonal — the tet mesh is conforming. Local node order is fixed so
 * that (v1−v0)×(v2−v0)·(v3−v0) > 0 (our tet4 convention).
 */
const KUHN_TETS: readonly (readonly [number, number, number, number])[] = (() => {
  const refIndex = (p: readonly number[]): number => HEX_REF.findIndex((q) => q[0] === p[0] && q[1] === p[1] && q[2] === p[2]);
  const perms = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  return perms.map((perm) => {
    const p = [0, 0, 0];
    const v: number[] = [refIndex(p)];
    for (let s = 0; s < 3; s++) {
      p[perm[s]] = 1;
      v.push(refIndex(p));
    }
    const [a, b, c, d] = v.map((i) => HEX_REF[i]);
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const w = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const z = [d[0] - a[0], d[1] - a[1], d[2] - a[2]];
    const det =
      u[0] * (w[1] * z[2] - w[2] * z[1]) - u[1] * (w[0] * z[2] - w[2] * z[0]) + u[2] * (w[0] * z[1] - w[1] * z[0]);
    return (det > 0 ? [v[0], v[1], v[2], v[3]] : [v[0], v[2], v[1], v[3]]) as [number, number, number, number];
  });
})();

/**
 * For each hex face f: the two (tet, tet-face) pairs of the Kuhn split that
 * lie on it, `[t0, f0, t1, f1]`.
 */
const HEX_FACE_TO_TET_FACES: readonly (readonly number[])[] = CELL_INFO.hex8.faces.map((hf) => {
  const out: number[] = [];
  KUHN_TETS.forEach((tet, t) => {
    CELL_INFO.tet4.faces.forEach((tf, f) => {
      if (tf.every((ln) => hf.includes(tet[ln]))) out.push(t, f);
    });
  });
  if (out.length !== 4) throw new Error('internal: Kuhn split face map');
  return out;
});

/** Local edges of a tet in the tet10 mid-side order: 01, 12, 20, 03, 13, 23. */
const TET_EDGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 2],
  [2, 0],
  [0, 3],
  [1, 3],
  [2, 3],
];

/**
 * Split every hex8 into 6 tets (Kuhn split along the local diagonal 0–6).
 *
 * Conforming whenever neighbouring hexes see their shared face with the same
 * local orientation, as in every structured mesh ({@link boxMesh},
 * {@link hollowCylinderMesh}, including the 360° seam). For an arbitrary
 * unstructured hex mesh the face diagonals of neighbours may disagree; check
 * with {@link faceNeighbours} if in doubt.
 *
 * Material ids, region names and node sets are kept; each hex face of a face
 * set becomes its two triangular tet faces. With `quadratic`, the result is
 * passed through {@link tet4ToTet10}.
 *
 * @param mesh - a hex8 mesh.
 * @param quadratic - produce tet10 instead of tet4.
 * @returns a new mesh, cell `6h + t` is tet t of hex h; nodes are shared with
 * the input (tet4) or extended by mid-side nodes (tet10).
 * @example
 * ```ts
 * const tets = hexToTet(boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'hex8' }));
 * // cellCount(tets) === 48
 * ```
 */
export function hexToTet(mesh: Mesh, quadratic = false): Mesh {
  if (mesh.cellType !== 'hex8') throw new InvalidParameterError('mesh.cellType', `hexToTet needs hex8 cells, got ${mesh.cellType}`);
  const nh = cellCount(mesh);
  const cells = new Uint32Array(nh * 24);
  const materialIds = new Uint16Array(nh * 6);
  const hc = mesh.cells;
  for (let h = 0; h < nh; h++) {
    const hb = h * 8;
    for (let t = 0; t < 6; t++) {
      const tet = KUHN_TETS[t];
      const o = (h * 6 + t) * 4;
      cells[o] = hc[hb + tet[0]];
      cells[o + 1] = hc[hb + tet[1]];
      cells[o + 2] = hc[hb + tet[2]];
      cells[o + 3] = hc[hb + tet[3]];
      materialIds[h * 6 + t] = mesh.materialIds[h];
    }
  }
  const faceSets: Record<string, FaceSet> = {};
  for (const [name, fs] of Object.entries(mesh.faceSets)) {
    const n = fs.cells.length;
    const c = new Uint32Array(2 * n);
    const f = new Uint8Array(2 * n);
    for (let i = 0; i < n; i++) {
      const map = HEX_FACE_TO_TET_FACES[fs.faces[i]];
      c[2 * i] = fs.cells[i] * 6 + map[0];
      f[2 * i] = map[1];
      c[2 * i + 1] = fs.cells[i] * 6 + map[2];
      f[2 * i + 1] = map[3];
    }
    faceSets[name] = { cells: c, faces: f };
  }
  const nodeSets: Record<string, Uint32Array> = {};
  for (const [name, ns] of Object.entries(mesh.nodeSets)) nodeSets[name] = ns.slice();
  const tet4: Mesh = {
    nodes: mesh.nodes.slice(),
    cells,
    cellType: 'tet4',
    materialIds,
    nodeSets,
    faceSets,
  };
  if (mesh.regionNames) tet4.regionNames = mesh.regionNames.slice();
  return quadratic ? tet4ToTet10(tet4) : tet4;
}

/**
 * Add a mid-side node on every tet edge (shared between the cells of the
 * edge, deduplicated by sorted edge key) and turn tet4 into tet10. Mid-side
 * nodes sit at the edge midpoints (straight-sided, sub-parametric geometry).
 *
 * Node sets: a mid-side node joins a set when both its edge's corners are in
 * the set (for sets of surface nodes this adds the mid-side nodes of the
 * surface's faces). Face sets keep their cell and face numbers (tet10 faces
 * are numbered as tet4 faces).
 *
 * @param mesh - a tet4 mesh.
 * @returns a tet10 mesh whose first `nodeCount(mesh)` nodes are the input nodes.
 * @example
 * ```ts
 * const q = tet4ToTet10(hexToTet(boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' })));
 * // nodeCount(q) === 8 + 19 (edges of the split cube)
 * ```
 */
export function tet4ToTet10(mesh: Mesh): Mesh {
  if (mesh.cellType !== 'tet4') throw new InvalidParameterError('mesh.cellType', `tet4ToTet10 needs tet4 cells, got ${mesh.cellType}`);
  const nn = nodeCount(mesh);
  const nc = cellCount(mesh);
  const table = buildEdgeTable(mesh.cells, 4, nn, TET_EDGES);
  const nodes = new Float64Array(3 * (nn + table.count));
  nodes.set(mesh.nodes);
  const x = mesh.nodes;
  for (let e = 0; e < table.count; e++) {
    const a = 3 * table.ends[2 * e];
    const b = 3 * table.ends[2 * e + 1];
    const o = 3 * (nn + e);
    nodes[o] = 0.5 * (x[a] + x[b]);
    nodes[o + 1] = 0.5 * (x[a + 1] + x[b + 1]);
    nodes[o + 2] = 0.5 * (x[a + 2] + x[b + 2]);
  }
  const cells = new Uint32Array(nc * 10);
  for (let c = 0; c < nc; c++) {
    for (let k = 0; k < 4; k++) cells[c * 10 + k] = mesh.cells[c * 4 + k];
    for (let e = 0; e < 6; e++) cells[c * 10 + 4 + e] = nn + table.cellEdges[c * 6 + e];
  }
  const nodeSets: Record<string, Uint32Array> = {};
  const inSet = new Uint8Array(nn);
  for (const [name, ns] of Object.entries(mesh.nodeSets)) {
    for (let i = 0; i < ns.length; i++) inSet[ns[i]] = 1;
    let extra = 0;
    for (let e = 0; e < table.count; e++) if (inSet[table.ends[2 * e]] && inSet[table.ends[2 * e + 1]]) extra++;
    const out = new Uint32Array(ns.length + extra);
    out.set(ns);
    let k = ns.length;
    for (let e = 0; e < table.count; e++) if (inSet[table.ends[2 * e]] && inSet[table.ends[2 * e + 1]]) out[k++] = nn + e;
    for (let i = 0; i < ns.length; i++) inSet[ns[i]] = 0;
    nodeSets[name] = out;
  }
  const faceSets: Record<string, FaceSet> = {};
  for (const [name, fs] of Object.entries(mesh.faceSets)) faceSets[name] = { cells: fs.cells.slice(), faces: fs.faces.slice() };
  const out: Mesh = { nodes, cells, cellType: 'tet10', materialIds: mesh.materialIds.slice(), nodeSets, faceSets };
  if (mesh.regionNames) out.regionNames = mesh.regionNames.slice();
  return out;
}

/**
 * Concatenate meshes of one cell type (no node merging): nodes and cells are
 * appended, node/face sets of the same name are united, material ids kept.
 * Region names must agree where both meshes name the same id.
 *
 * @param meshes - at least one mesh, all of the same cell type.
 * @example
 * ```ts
 * const a = boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' });
 * const b = boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8', origin: [2, 0, 0] });
 * const ab = mergeMeshes([a, b]); // 16 nodes, 2 cells
 * ```
 */
export function mergeMeshes(meshes: readonly Mesh[]): Mesh {
  if (meshes.length === 0) throw new InvalidParameterError('meshes', 'need at least one mesh');
  const cellType = meshes[0].cellType;
  let nNodes = 0;
  let nCellIdx = 0;
  let nCells = 0;
  const regionNames: string[] = [];
  let anyNames = false;
  meshes.forEach((m, i) => {
    if (m.cellType !== cellType) throw new InvalidParameterError(`meshes[${i}].cellType`, `is ${m.cellType}, expected ${cellType}`);
    nNodes += m.nodes.length;
    nCellIdx += m.cells.length;
    nCells += m.materialIds.length;
    m.regionNames?.forEach((name, id) => {
      if (name === undefined) return;
      anyNames = true;
      if (regionNames[id] !== undefined && regionNames[id] !== name)
        throw new InvalidParameterError(`meshes[${i}].regionNames[${id}]`, `"${name}" conflicts with "${regionNames[id]}"`);
      regionNames[id] = name;
    });
  });
  const nodes = new Float64Array(nNodes);
  const cells = new Uint32Array(nCellIdx);
  const materialIds = new Uint16Array(nCells);
  const nodeParts: Record<string, Uint32Array[]> = {};
  const faceParts: Record<string, { cells: Uint32Array[]; faces: Uint8Array[] }> = {};
  let no = 0;
  let co = 0;
  let mo = 0;
  for (const m of meshes) {
    const nodeOffset = no / 3;
    const cellOffset = mo;
    nodes.set(m.nodes, no);
    for (let i = 0; i < m.cells.length; i++) cells[co + i] = m.cells[i] + nodeOffset;
    materialIds.set(m.materialIds, mo);
    for (const [name, ns] of Object.entries(m.nodeSets)) (nodeParts[name] ??= []).push(ns.map((v) => v + nodeOffset));
    for (const [name, fs] of Object.entries(m.faceSets)) {
      const p = (faceParts[name] ??= { cells: [], faces: [] });
      p.cells.push(fs.cells.map((v) => v + cellOffset));
      p.faces.push(fs.faces);
    }
    no += m.nodes.length;
    co += m.cells.length;
    mo += m.materialIds.length;
  }
  const cat = <T extends Uint32Array | Uint8Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const nodeSets: Record<string, Uint32Array> = {};
  for (const [name, parts] of Object.entries(nodeParts)) nodeSets[name] = cat(parts, (n) => new Uint32Array(n));
  const faceSets: Record<string, FaceSet> = {};
  for (const [name, p] of Object.entries(faceParts))
    faceSets[name] = { cells: cat(p.cells, (n) => new Uint32Array(n)), faces: cat(p.faces, (n) => new Uint8Array(n)) };
  const out: Mesh = { nodes, cells, cellType, materialIds, nodeSets, faceSets };
  if (anyNames) out.regionNames = Array.from({ length: regionNames.length }, (_, i) => regionNames[i] ?? `region ${i}`);
  return out;
}
