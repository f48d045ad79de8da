/**
 * Gmsh `.msh` files: 4.1 ASCII read/write, 2.2 ASCII read.
 *
 * Mapping to {@link Mesh}:
 * - volume elements → cells (one cell type per file: hex8 / tet4 / tet10);
 * - physical volume tag `t` ↔ material id `t − 1` (elementary entity tag
 *   when a volume has no physical group), physical names ↔ `regionNames`;
 * - physical surface groups of triangles/quads ↔ face sets (matched to cell
 *   faces by their corners); node sets are not stored separately: reading
 *   gives each face set a node set of the same name with its faces' nodes.
 * - node order: tag order; cell order: element tag order (the writer uses
 *   tag = index + 1 for both, so our own files round-trip exactly).
 * - tet10: Gmsh numbers the last two mid-side nodes the other way round
 *   (Gmsh 8 = edge 3–2, Gmsh 9 = edge 3–1; ours/VTK: 8 = edge 1–3,
 *   9 = edge 2–3); reader and writer swap them.
 */
import { CELL_INFO, cellCount, type CellType, type FaceSet, type Mesh } from '../mesh.js';
import { MeshFormatError } from '../errors.js';
import { createFaceFinder } from '../surface.js';

/** Gmsh element type → node count, dimension and our cell type (for volumes). */
const GMSH_TYPES: Record<number, { nodes: number; dim: number; cellType?: CellType }> = {
  15: { nodes: 1, dim: 0 },
  1: { nodes: 2, dim: 1 },
  8: { nodes: 3, dim: 1 },
  2: { nodes: 3, dim: 2 },
  3: { nodes: 4, dim: 2 },
  9: { nodes: 6, dim: 2 },
  16: { nodes: 8, dim: 2 },
  10: { nodes: 9, dim: 2 },
  4: { nodes: 4, dim: 3, cellType: 'tet4' },
  5: { nodes: 8, dim: 3, cellType: 'hex8' },
  11: { nodes: 10, dim: 3, cellType: 'tet10' },
  6: { nodes: 6, dim: 3 },
  7: { nodes: 5, dim: 3 },
  17: { nodes: 20, dim: 3 },
  12: { nodes: 27, dim: 3 },
  18: { nodes: 15, dim: 3 },
  29: { nodes: 20, dim: 3 },
};

/** Gmsh surface element type of a face of each cell type (tri3, quad4, tri6). */
const FACE_GMSH_TYPE: Record<CellType, number> = { hex8: 3, tet4: 2, tet10: 9 };

/** Our node order ↔ Gmsh node order for one cell (an involution, so it maps both ways). */
function gmshPermutation(cellType: CellType): readonly number[] | undefined {
  return cellType === 'tet10' ? [0, 1, 2, 3, 4, 5, 6, 7, 9, 8] : undefined;
}

/** Options of {@link writeMsh}. */
export interface WriteMshOptions {
  /** Write face sets as physical surface groups (default true). */
  faceSets?: boolean;
}

/** Bounding box "minX minY minZ maxX maxY maxZ" of the nodes `visit` reports. */
function bbox(nodes: Float64Array, visit: (add: (node: number) => void) => void): string {
  const b = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  visit((n) => {
    for (let d = 0; d < 3; d++) {
      const v = nodes[3 * n + d];
      if (v < b[d]) b[d] = v;
      if (v > b[d + 3]) b[d + 3] = v;
    }
  });
  return b[0] === Infinity ? '0 0 0 0 0 0' : b.join(' ');
}

/**
 * Serialise a mesh as Gmsh 4.1 ASCII.
 *
 * One volume entity and physical volume per material id present (tag =
 * id + 1, named `regionNames[id]` when given); one surface entity and
 * physical surface per face set (tags 1, 2, … in key order, named by the
 * set). Node tag = node index + 1; cells get element tags 1..cellCount,
 * face elements follow.
 *
 * @example
 * ```ts
 * writeFileSync('box.msh', writeMsh(boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'tet10' })));
 * ```
 */
export function writeMsh(mesh: Mesh, options: WriteMshOptions = {}): string {
  const info = CELL_INFO[mesh.cellType];
  const npc = info.nodesPerCell;
  const nc = cellCount(mesh);
  const nn = mesh.nodes.length / 3;
  const perm = gmshPermutation(mesh.cellType);
  const ids = [...new Set(mesh.materialIds)].sort((a, b) => a - b);
  const faceSetNames = options.faceSets === false ? [] : Object.keys(mesh.faceSets).filter((k) => mesh.faceSets[k].cells.length > 0);
  const out: string[] = ['$MeshFormat\n4.1 0 8\n$EndMeshFormat\n'];

  const names: string[] = [];
  for (const id of ids) {
    const n = mesh.regionNames?.[id];
    if (n !== undefined) names.push(`3 ${id + 1} "${n.replace(/"/g, "'")}"`);
  }
  faceSetNames.forEach((n, i) => names.push(`2 ${i + 1} "${n.replace(/"/g, "'")}"`));
  if (names.length) out.push(`$PhysicalNames\n${names.length}\n${names.join('\n')}\n$EndPhysicalNames\n`);

  // Cells of each material, and node ids for the entity bounding boxes.
  const cellsOf = new Map<number, number[]>(ids.map((id) => [id, []]));
  for (let c = 0; c < nc; c++) cellsOf.get(mesh.materialIds[c])!.push(c);
  const faceNodes = (c: number, f: number): number[] => info.faces[f].map((ln) => mesh.cells[c * npc + ln]);
  const ent: string[] = [`0 0 ${faceSetNames.length} ${ids.length}`];
  faceSetNames.forEach((name, i) => {
    const fs = mesh.faceSets[name];
    const box = bbox(mesh.nodes, (add) => {
      for (let k = 0; k < fs.cells.length; k++) for (const ln of info.faces[fs.faces[k]]) add(mesh.cells[fs.cells[k] * npc + ln]);
    });
    ent.push(`${i + 1} ${box} 1 ${i + 1} 0`);
  });
  for (const id of ids) {
    const box = bbox(mesh.nodes, (add) => {
      for (const c of cellsOf.get(id)!) for (let a = 0; a < npc; a++) add(mesh.cells[c * npc + a]);
    });
    ent.push(`${id + 1} ${box} 1 ${id + 1} 0`);
  }
  out.push(`$Entities\n${ent.join('\n')}\n$EndEntities\n`);

  // All nodes in one block on the first volume entity.
  const nodeLines: string[] = [`$Nodes\n1 ${nn} ${nn > 0 ? 1 : 0} ${nn}\n3 ${(ids[0] ?? 0) + 1} 0 ${nn}`];
  for (let i = 0; i < nn; i++) nodeLines.push(String(i + 1));
  for (let i = 0; i < nn; i++) nodeLines.push(`${mesh.nodes[3 * i]} ${mesh.nodes[3 * i + 1]} ${mesh.nodes[3 * i + 2]}`);
  out.push(nodeLines.join('\n'), '\n$EndNodes\n');

  let nFaces = 0;
  for (const n of faceSetNames) nFaces += mesh.faceSets[n].cells.length;
  const total = nc + nFaces;
  const el: string[] = [`$Elements\n${ids.length + faceSetNames.length} ${total} ${total > 0 ? 1 : 0} ${total}`];
  const order = perm ?? Array.from({ length: npc }, (_, a) => a);
  for (const id of ids) {
    const list = cellsOf.get(id)!;
    el.push(`3 ${id + 1} ${info.gmshType} ${list.length}`);
    for (const c of list) {
      let line = String(c + 1);
      for (let a = 0; a < npc; a++) line += ' ' + (mesh.cells[c * npc + order[a]] + 1);
      el.push(line);
    }
  }
  let tag = nc + 1;
  faceSetNames.forEach((name, i) => {
    const fs = mesh.faceSets[name];
    el.push(`2 ${i + 1} ${FACE_GMSH_TYPE[mesh.cellType]} ${fs.cells.length}`);
    for (let k = 0; k < fs.cells.length; k++) el.push(`${tag++} ${faceNodes(fs.cells[k], fs.faces[k]).map((n) => n + 1).join(' ')}`);
  });
  out.push(el.join('\n'), '\n$EndElements\n');
  return out.join('');
}

/** Token stream over the whitespace-separated numbers of one section. */
class Tokens {
  private pos = 0;
  constructor(
    private readonly t: string[],
    private readonly where: string,
  ) {}
  num(): number {
    if (this.pos >= this.t.length) throw new MeshFormatError('msh', `${this.where}: unexpected end of section`);
    const s = this.t[this.pos++];
    const v = Number(s);
    if (!Number.isFinite(v)) throw new MeshFormatError('msh', `${this.where}: expected a number, got "${s}" (token ${this.pos})`);
    return v;
  }
  int(): number {
    const v = this.num();
    if (!Number.isInteger(v)) throw new MeshFormatError('msh', `${this.where}: expected an integer, got ${v} (token ${this.pos})`);
    return v;
  }
}

function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const re = /^\$(\w+)\s*$([\s\S]*?)^\$End\1\s*$/gm;
  for (const m of text.matchAll(re)) {
    const list = out.get(m[1]) ?? [];
    list.push(m[2]);
    out.set(m[1], list);
  }
  return out;
}

function tokens(body: string, where: string): Tokens {
  return new Tokens(body.trim().split(/\s+/).filter((s) => s.length > 0), where);
}

interface RawElement {
  tag: number;
  type: number;
  /** Region key: physical tag, else elementary tag. */
  region: number;
  /** Physical tag of a surface element (0 if none). */
  physical: number;
  nodes: number[];
}

/**
 * Parse a Gmsh `.msh` file (4.1 or 2.2, ASCII) into a {@link Mesh}.
 *
 * @throws MeshFormatError for binary files, other versions, mixed or
 * unsupported volume element types (prisms, pyramids, hex20…), unknown
 * node tags, surface elements that match no cell face, or a region tag
 * above 65536.
 * @example
 * ```ts
 * const mesh = readMsh(readFileSync('box.msh', 'utf8'));
 * ```
 */
export function readMsh(text: string): Mesh {
  const sec = sections(text);
  const fmt = sec.get('MeshFormat')?.[0];
  if (!fmt) throw new MeshFormatError('msh', 'no $MeshFormat section');
  const [version, fileType] = fmt.trim().split(/\s+/);
  if (fileType !== '0') throw new MeshFormatError('msh', 'binary .msh files are not supported; save as ASCII');
  const v4 = version.startsWith('4');
  if (!v4 && !version.startsWith('2')) throw new MeshFormatError('msh', `version ${version} is not supported (4.1 or 2.2)`);
  if (v4 && version !== '4.1') throw new MeshFormatError('msh', `version ${version} is not supported (4.1 or 2.2)`);

  // Physical names per (dim, tag).
  const physNames = new Map<string, string>();
  const pn = sec.get('PhysicalNames')?.[0];
  if (pn) {
    const lines = pn.trim().split(/\r?\n/).slice(1);
    for (const line of lines) {
      const m = line.match(/^\s*(\d+)\s+(\d+)\s+"(.*)"\s*$/);
      if (!m) throw new MeshFormatError('msh', `$PhysicalNames: cannot parse line "${line}"`);
      physNames.set(`${m[1]}:${m[2]}`, m[3]);
    }
  }

  const nodeTags: number[] = [];
  const coords: number[] = [];
  const elements: RawElement[] = [];
  const nodeBody = sec.get('Nodes')?.[0];
  const elemBody = sec.get('Elements')?.[0];
  if (nodeBody === undefined || elemBody === undefined) throw new MeshFormatError('msh', 'missing $Nodes or $Elements');

  if (v4) {
    // Entities: physical tag of each (dim, tag).
    const entityPhys = new Map<string, number>();
    const entBody = sec.get('Entities')?.[0];
    if (entBody) {
      const t = tokens(entBody, '$Entities');
      const counts = [t.int(), t.int(), t.int(), t.int()];
      for (let dim = 0; dim < 4; dim++)
        for (let e = 0; e < counts[dim]; e++) {
          const tag = t.int();
          for (let k = 0; k < (dim === 0 ? 3 : 6); k++) t.num();
          const np = t.int();
          const phys: number[] = [];
          for (let k = 0; k < np; k++) phys.push(t.int());
          if (phys.length) entityPhys.set(`${dim}:${tag}`, Math.abs(phys[0]));
          if (dim > 0) {
            const nb = t.int();
            for (let k = 0; k < nb; k++) t.int();
          }
        }
    }
    const t = tokens(nodeBody, '$Nodes');
    const blocks = t.int();
    t.int(); // numNodes
    t.int();
    t.int();
    for (let b = 0; b < blocks; b++) {
      const dim = t.int();
      t.int(); // entity tag
      const parametric = t.int();
      const n = t.int();
      const start = nodeTags.length;
      for (let i = 0; i < n; i++) nodeTags.push(t.int());
      for (let i = 0; i < n; i++) {
        coords[3 * (start + i)] = t.num();
        coords[3 * (start + i) + 1] = t.num();
        coords[3 * (start + i) + 2] = t.num();
        if (parametric) for (let k = 0; k < dim; k++) t.num();
      }
    }
    const te = tokens(elemBody, '$Elements');
    const eb = te.int();
    te.int();
    te.int();
    te.int();
    for (let b = 0; b < eb; b++) {
      const dim = te.int();
      const etag = te.int();
      const type = te.int();
      const n = te.int();
      const gt = GMSH_TYPES[type];
      if (!gt) throw new MeshFormatError('msh', `$Elements block ${b}: unknown element type ${type}`);
      const phys = entityPhys.get(`${dim}:${etag}`) ?? 0;
      for (let i = 0; i < n; i++) {
        const tag = te.int();
        const nodes: number[] = [];
        for (let k = 0; k < gt.nodes; k++) nodes.push(te.int());
        elements.push({ tag, type, region: phys || etag, physical: phys, nodes });
      }
    }
  } else {
    const t = tokens(nodeBody, '$Nodes');
    const n = t.int();
    for (let i = 0; i < n; i++) {
      nodeTags.push(t.int());
      coords.push(t.num(), t.num(), t.num());
    }
    const te = tokens(elemBody, '$Elements');
    const ne = te.int();
    for (let i = 0; i < ne; i++) {
      const tag = te.int();
      const type = te.int();
      const ntags = te.int();
      const tags: number[] = [];
      for (let k = 0; k < ntags; k++) tags.push(te.int());
      const gt = GMSH_TYPES[type];
      if (!gt) throw new MeshFormatError('msh', `element ${tag}: unknown element type ${type}`);
      const nodes: number[] = [];
      for (let k = 0; k < gt.nodes; k++) nodes.push(te.int());
      const phys = tags[0] ?? 0;
      elements.push({ tag, type, region: phys || (tags[1] ?? 0), physical: phys, nodes });
    }
  }

  // Volume elements: one supported type.
  const volumes = elements.filter((e) => GMSH_TYPES[e.type].dim === 3);
  if (volumes.length === 0) throw new MeshFormatError('msh', 'no volume elements');
  const cellType = GMSH_TYPES[volumes[0].type].cellType;
  for (const e of volumes) {
    const ct = GMSH_TYPES[e.type].cellType;
    if (!ct) throw new MeshFormatError('msh', `element ${e.tag}: Gmsh type ${e.type} is not supported (hex8 = 5, tet4 = 4, tet10 = 11)`);
    if (ct !== cellType) throw new MeshFormatError('msh', `element ${e.tag} is ${ct} but earlier volumes are ${cellType}; mixed cell types are not supported`);
  }
  volumes.sort((a, b) => a.tag - b.tag);
  const info = CELL_INFO[cellType!];
  const npc = info.nodesPerCell;
  const perm = gmshPermutation(cellType!);

  // Nodes in tag order, keeping only those used by volume elements.
  const byTag = new Map<number, number>();
  nodeTags.forEach((tag, i) => byTag.set(tag, i));
  const used = new Uint8Array(nodeTags.length);
  for (const e of volumes)
    for (const tag of e.nodes) {
      const i = byTag.get(tag);
      if (i === undefined) throw new MeshFormatError('msh', `element ${e.tag} refers to node tag ${tag}, which is not in $Nodes`);
      used[i] = 1;
    }
  const order = nodeTags.map((_, i) => i).filter((i) => used[i]).sort((a, b) => nodeTags[a] - nodeTags[b]);
  const index = new Map<number, number>();
  const nodes = new Float64Array(3 * order.length);
  order.forEach((i, k) => {
    index.set(nodeTags[i], k);
    nodes[3 * k] = coords[3 * i];
    nodes[3 * k + 1] = coords[3 * i + 1];
    nodes[3 * k + 2] = coords[3 * i + 2];
  });

  const cells = new Uint32Array(volumes.length * npc);
  const materialIds = new Uint16Array(volumes.length);
  const regionNames: string[] = [];
  let named = false;
  volumes.forEach((e, c) => {
    for (let a = 0; a < npc; a++) cells[c * npc + a] = index.get(e.nodes[perm ? perm[a] : a])!;
    if (!(e.region >= 1 && e.region <= 0x10000)) throw new MeshFormatError('msh', `element ${e.tag}: region tag ${e.region} is outside 1..65536`);
    materialIds[c] = e.region - 1;
    const name = physNames.get(`3:${e.region}`);
    if (e.physical && name !== undefined) {
      regionNames[e.region - 1] = name;
      named = true;
    }
  });
  const mesh: Mesh = { nodes, cells, cellType: cellType!, materialIds, nodeSets: {}, faceSets: {} };
  if (named) mesh.regionNames = Array.from({ length: regionNames.length }, (_, i) => regionNames[i] ?? `region ${i}`);

  // Physical surface groups → face sets (+ node sets of their nodes).
  const faceType = FACE_GMSH_TYPE[cellType!];
  const groups = new Map<number, RawElement[]>();
  for (const e of elements) {
    if (GMSH_TYPES[e.type].dim !== 2 || !e.physical) continue;
    if (e.type !== faceType) throw new MeshFormatError('msh', `surface element ${e.tag} of Gmsh type ${e.type} does not fit ${cellType} faces (type ${faceType})`);
    (groups.get(e.physical) ?? groups.set(e.physical, []).get(e.physical)!).push(e);
  }
  if (groups.size > 0) {
    const find = createFaceFinder(mesh);
    const nk = faceType === 3 ? 4 : 3;
    const nf = info.faces.length;
    for (const [phys, list] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
      const name = physNames.get(`2:${phys}`) ?? `surface ${phys}`;
      list.sort((a, b) => a.tag - b.tag);
      const fs: FaceSet = { cells: new Uint32Array(list.length), faces: new Uint8Array(list.length) };
      const nodeSet = new Set<number>();
      list.forEach((e, k) => {
        const local = e.nodes.map((tag) => index.get(tag));
        if (local.some((v) => v === undefined))
          throw new MeshFormatError('msh', `surface element ${e.tag} ("${name}") uses a node of no volume element`);
        const slot = find((local as number[]).slice(0, nk));
        if (slot < 0) throw new MeshFormatError('msh', `surface element ${e.tag} ("${name}") is not a face of any cell`);
        fs.cells[k] = Math.floor(slot / nf);
        fs.faces[k] = slot % nf;
        for (const v of local as number[]) nodeSet.add(v);
      });
      mesh.faceSets[name] = fs;
      mesh.nodeSets[name] = Uint32Array.from([...nodeSet].sort((a, b) => a - b));
    }
  }
  return mesh;
}
