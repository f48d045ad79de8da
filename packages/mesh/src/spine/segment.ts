/**
 * `buildLumbarSegment`: parameters → conforming hex8 voxel mesh of a lumbar
 * motion segment (vertebrae, discs, facets, implants) with fibre directions,
 * ligaments, node/face sets and the material table.
 *
 * World coordinates: x lateral (patient's left → right), y anterior, z
 * superior; origin at the centre of the inferior endplate of the lowest
 * vertebra; mm.
 */
import type { FaceSet, Mesh } from '../mesh.js';
import { keepLargestComponent, separateGroups } from '../voxel/components.js';
import { createVoxelGrid, paintParts, type VoxelGrid } from '../voxel/grid.js';
import { minHexScaledJacobian } from '../voxel/hex-quality.js';
import { HEX8_FACE_NEIGHBOUR, faceSetNodes, voxelGridToHexMesh } from '../voxel/hex-mesh.js';
import { smoothVoxelMesh } from '../voxel/smooth.js';
import {
  ENDPLATE_EXPONENT,
  anatomyParts,
  bodyOutlineDistance,
  inferiorSurfaceZ,
  resolveSegmentGeometry,
  superiorSurfaceZ,
  type AnatomyLabels,
  type SegmentGeometry,
} from './geometry.js';
import { implantParts, placeCages, placeScrews, type CagePlacement, type ImplantLabels, type ScrewPlacement } from './implants.js';
import { buildLigaments, type LigamentSet, type VertebraSurfaceNodes } from './ligaments.js';
import {
  materialTable,
  segmentRegions,
  validateParameters,
  type LumbarSegmentParameters,
  type MaterialTable,
  type RegionKind,
  type SegmentRegion,
} from './parameters.js';
import { segmentHandles, type SegmentHandles } from './handles.js';
import { frameDirToWorld, frameToLocal, superellipseRadius } from './sdf.js';
import type { EmbeddedTies } from './fitted/builder.js';
import { buildFittedSegment } from './fitted/fitted-segment.js';

/** Figures of one build. */
export interface SegmentBuildReport {
  /** Which mesher built the segment. */
  mesher: 'voxel' | 'body-fitted';
  /** Body-fitted refinement (blocks subdivided this many times per direction); absent for voxels. */
  refinement?: number;
  /** Body-fitted: largest distance (mm) from a tied node to the host point it is tied to. */
  maxTieGapMm?: number;
  cells: number;
  nodes: number;
  /** Non-void voxels outside the largest face-connected component, removed. */
  droppedVoxels: number;
  /** Bone voxels of an upper vertebra removed because they touched the vertebra below (no bony fusion by aliasing). */
  separatedVoxels: number;
  /** Cancellous voxels on the body surface turned into cortex/bony endplate (one-voxel shell guarantee). */
  shellClosedVoxels: number;
  /** Voxel grid `[nx, ny, nz]` ([0, 0, 0] for the body-fitted mesher). */
  grid: [number, number, number];
  /** Voxel edge (mm); for the body-fitted mesher the nominal cell size (disc layer thickness). */
  resolution: number;
  /** Smallest hex scaled Jacobian (voxels: after smoothing, 1 without it; body-fitted: of the whole mesh). */
  minScaledJacobian: number;
  /** Smoothing: movable nodes, accepted and undone moves. */
  smoothing: { movableNodes: number; accepted: number; rejected: number };
  /** Wall-clock time of the build, ms. */
  timeMs: number;
}

/**
 * A built lumbar segment.
 *
 * - `mesh`: hex8, `materialIds[c]` indexes `mesh.regionNames` (= keys of `materials`).
 * - `fibreDirections`: `Float32Array(3·cells)`, unit annulus fibre direction
 *   per annulus cell (±`annulusFibreAngleDeg` from the horizontal
 *   circumferential direction, alternating by lamella), 0 elsewhere.
 * - `ligaments`: fibres as node pairs (see {@link LigamentSet}).
 * - `materials`: {@link materialTable} of the parameters.
 * - `geometry`, `screws`, `cages`: the resolved anatomy and implant placement (world, mm).
 */
export interface LumbarSegmentModel {
  mesh: Mesh;
  fibreDirections: Float32Array;
  ligaments: LigamentSet;
  materials: MaterialTable;
  parameters: LumbarSegmentParameters;
  geometry: SegmentGeometry;
  screws: ScrewPlacement[];
  cages: CagePlacement[];
  /** Region of each material id (kind, owner, side): typed data. */
  regions: SegmentRegion[];
  /** Typed handles: region ids and node sets per vertebra and disc, implants with their placements. */
  handles: SegmentHandles;
  /** Body-fitted only: nodes tied into host cells (blocks that abut, implants, ligament insertions). */
  ties?: EmbeddedTies;
  /**
   * Body-fitted only: unit normal of the facet joint (SAP → IAP, world) for every facet
   * cartilage cell, 3 per cell (0 elsewhere) — the direction across which the joint opens.
   */
  facetNormals?: Float32Array;
  report: SegmentBuildReport;
}

const BONE_KINDS: ReadonlySet<RegionKind> = new Set(['cortical', 'cancellous', 'endplate', 'posterior']);
const BODY_KINDS: ReadonlySet<RegionKind> = new Set(['cortical', 'cancellous', 'endplate']);

function pushFace(sets: Map<string, { cells: number[]; faces: number[] }>, name: string, c: number, f: number): void {
  let s = sets.get(name);
  if (!s) {
    s = { cells: [], faces: [] };
    sets.set(name, s);
  }
  s.cells.push(c);
  s.faces.push(f);
}

/**
 * Builds the voxel hex8 model of a lumbar segment.
 *
 * Pipeline: validate → resolve geometry → paint the parts into a voxel grid
 * (priority: screws > rods > cage > facet cartilage > vertebral body
 * (cortical > endplate > cancellous) > articular processes > posterior
 * elements > disc) → keep vertebrae from sharing nodes → close the cortical
 * shell to at least one voxel → keep the largest face-connected component →
 * emit hex8 with shared nodes → node/face sets → annulus fibres → optional
 * Jacobian-guarded smoothing → ligaments.
 *
 * Node and face sets: `<L>.superiorEndplate` / `<L>.inferiorEndplate` for each
 * vertebra (bone faces towards disc, cage or void on the cranial/caudal
 * endplate), `top.superiorEndplate`, `bottom.inferiorEndplate`,
 * `<region>.surface` for each implant region, `<disc>.facet.<side>.superiorArticular`
 * / `.inferiorArticular` (cartilage faces on the lower/upper vertebra's
 * articular process), and node sets `<L>.vertebra` (all nodes of that
 * vertebra's bone).
 *
 * @example
 * ```ts
 * const p = defaultParameters('L4');
 * p.implants = defaultImplants(p);
 * const model = buildLumbarSegment(p);
 * console.log(model.report.cells, model.mesh.nodeSets['top.superiorEndplate'].length);
 * ```
 */
export function buildLumbarSegment(params: LumbarSegmentParameters): LumbarSegmentModel {
  if (params?.mesher === 'body-fitted') return buildFittedSegment(params);
  const t0 = performance.now();
  validateParameters(params);
  const p: LumbarSegmentParameters = JSON.parse(JSON.stringify(params)) as LumbarSegmentParameters;
  const g = resolveSegmentGeometry(p);
  const regions = segmentRegions(p);
  const names = regions.map((r) => r.name);
  const label = (name: string): number => names.indexOf(name) + 1;
  const lv = g.vertebrae.map((v) => v.level);
  const dn = g.discs.map((d) => d.name);
  const anatomy: AnatomyLabels = {
    cortical: lv.map((l) => label(`${l}.cortical`)),
    cancellous: lv.map((l) => label(`${l}.cancellous`)),
    endplate: lv.map((l) => label(`${l}.endplate`)),
    posterior: lv.map((l) => label(`${l}.posterior`)),
    annulus: dn.map((d) => label(`${d}.annulus`)),
    nucleus: dn.map((d) => label(`${d}.nucleus`)),
    facetCartilage: dn.map((d) => label(`${d}.facetCartilage`)),
  };
  const screws = placeScrews(p, g);
  const cages = placeCages(p, g);
  const implantLabels: ImplantLabels = {
    screws: screws.map((s) => label(`implant.screw.${s.level}.${s.side < 0 ? 'left' : 'right'}`)),
    rods: [label('implant.rod.left'), label('implant.rod.right')],
    cages: cages.map((c) => label(`implant.cage.${c.disc}`)),
  };
  const parts = [...anatomyParts(g, anatomy), ...implantParts(p, g, implantLabels)];
  const h = p.resolution;
  const bounds = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (const part of parts) {
    for (let k = 0; k < 3; k++) {
      bounds[k] = Math.min(bounds[k], part.bounds[k]);
      bounds[k + 3] = Math.max(bounds[k + 3], part.bounds[k + 3]);
    }
  }
  for (let k = 0; k < 3; k++) {
    bounds[k] -= h;
    bounds[k + 3] += h;
  }
  const grid = createVoxelGrid(bounds, h, p.gridShift);
  paintParts(grid, parts);

  // per-label lookups (label = region id + 1; label 0 = void)
  const nL = names.length + 1;
  const kindOf: (RegionKind | 'void')[] = ['void', ...regions.map((r) => r.kind)];
  const vertOf = new Int32Array(nL).fill(-1);
  const discOf = new Int32Array(nL).fill(-1);
  regions.forEach((r, i) => {
    const vi = lv.indexOf(r.owner as (typeof lv)[number]);
    if (vi >= 0 && BONE_KINDS.has(r.kind)) vertOf[i + 1] = vi;
    const di = dn.indexOf(r.owner);
    if (di >= 0) discOf[i + 1] = di;
  });
  const separatedVoxels = separateGroups(grid, vertOf);
  const shellClosedVoxels = closeBodyShell(grid, kindOf, vertOf, anatomy);
  const comp = keepLargestComponent(grid);
  const vh = voxelGridToHexMesh(grid, names);
  const mesh = vh.mesh;
  const nCells = vh.cellVoxel.length;
  const [nx, ny, nz] = grid.dims;
  const labels = grid.labels;

  // ---- face sets ----
  const faceLists = new Map<string, { cells: number[]; faces: number[] }>();
  // bit 1: node on the exterior surface of the vertebra's body, bit 2: of its posterior elements
  const surfaceMarks = g.vertebrae.map(() => new Uint8Array(mesh.nodes.length / 3));
  const vertebraNodes = g.vertebrae.map(() => new Uint8Array(mesh.nodes.length / 3));
  const hexFaces = [
    [0, 3, 2, 1],
    [4, 5, 6, 7],
    [0, 1, 5, 4],
    [1, 2, 6, 5],
    [2, 3, 7, 6],
    [3, 0, 4, 7],
  ];
  const [ox, oy, oz] = grid.origin;
  for (let c = 0; c < nCells; c++) {
    const v = vh.cellVoxel[c];
    const l = labels[v];
    const kind = kindOf[l];
    const i = v % nx;
    const j = ((v - i) / nx) % ny;
    const k = (v - i - nx * j) / (nx * ny);
    const vk = vertOf[l];
    if (vk >= 0) for (let q = 0; q < 8; q++) vertebraNodes[vk][mesh.cells[8 * c + q]] = 1;
    for (let f = 0; f < 6; f++) {
      const [di, dj, dk] = HEX8_FACE_NEIGHBOUR[f];
      const ii = i + di;
      const jj = j + dj;
      const kk = k + dk;
      const l2 = ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= nz ? 0 : labels[ii + nx * (jj + ny * kk)];
      if (l2 === l) continue;
      const kind2 = kindOf[l2];
      if (vk >= 0) {
        if (vertOf[l2] === vk) continue; // same vertebra's bone
        if (l2 === 0) {
          const bit = BODY_KINDS.has(kind as RegionKind) ? 1 : 2;
          const marks = surfaceMarks[vk];
          for (const q of hexFaces[f]) marks[mesh.cells[8 * c + q]] |= bit;
        }
        if (BODY_KINDS.has(kind as RegionKind) && (kind2 === 'void' || kind2 === 'annulus' || kind2 === 'nucleus' || kind2 === 'cage')) {
          const vg = g.vertebrae[vk];
          const fc = [ox + (i + 0.5 + 0.5 * di) * h, oy + (j + 0.5 + 0.5 * dj) * h, oz + (k + 0.5 + 0.5 * dk) * h];
          const q = frameToLocal(vg.frame, fc);
          const side = -bodyOutlineDistance(vg, q[0], q[1]);
          if (q[2] > vg.H / 2 && superiorSurfaceZ(vg, q[0], q[1]) - q[2] <= side) pushFace(faceLists, `${vg.level}.superiorEndplate`, c, f);
          else if (q[2] <= vg.H / 2 && q[2] - inferiorSurfaceZ(vg, q[0], q[1]) <= side) pushFace(faceLists, `${vg.level}.inferiorEndplate`, c, f);
        }
      } else if (kind === 'screw' || kind === 'rod' || kind === 'cage') {
        pushFace(faceLists, `${names[l - 1]}.surface`, c, f);
      } else if (kind === 'facetCartilage' && vertOf[l2] >= 0 && kind2 === 'posterior') {
        const d = discOf[l];
        const disc = g.discs[d];
        const cx = ox + (i + 0.5) * h;
        const cy = oy + (j + 0.5) * h;
        const cz = oz + (k + 0.5) * h;
        const dist = (fj: (typeof disc.facets)[number]): number => Math.hypot(cx - fj.centre[0], cy - fj.centre[1], cz - fj.centre[2]);
        const side = dist(disc.facets[0]) <= dist(disc.facets[1]) ? 'left' : 'right';
        const which = vertOf[l2] === d ? 'inferiorArticular' : 'superiorArticular';
        pushFace(faceLists, `${disc.name}.facet.${side}.${which}`, c, f);
      }
    }
  }
  const faceSets: Record<string, FaceSet> = {};
  for (const name of [...faceLists.keys()].sort()) {
    const s = faceLists.get(name)!;
    faceSets[name] = { cells: Uint32Array.from(s.cells), faces: Uint8Array.from(s.faces) };
  }
  const top = g.vertebrae[0].level;
  const bottom = g.vertebrae[g.vertebrae.length - 1].level;
  const empty: FaceSet = { cells: new Uint32Array(0), faces: new Uint8Array(0) };
  faceSets['top.superiorEndplate'] = faceSets[`${top}.superiorEndplate`] ?? empty;
  faceSets['bottom.inferiorEndplate'] = faceSets[`${bottom}.inferiorEndplate`] ?? empty;
  const nodeSets: Record<string, Uint32Array> = {};
  for (const name of Object.keys(faceSets)) nodeSets[name] = faceSetNodes(mesh.cells, faceSets[name]);
  g.vertebrae.forEach((vg, vk) => {
    let n = 0;
    const marks = vertebraNodes[vk];
    for (let q = 0; q < marks.length; q++) n += marks[q];
    const list = new Uint32Array(n);
    n = 0;
    for (let q = 0; q < marks.length; q++) if (marks[q]) list[n++] = q;
    nodeSets[`${vg.level}.vertebra`] = list;
  });
  mesh.faceSets = faceSets;
  mesh.nodeSets = nodeSets;

  // ---- annulus fibre directions ----
  const fibreDirections = new Float32Array(3 * nCells);
  const phi = (p.annulusFibreAngleDeg * Math.PI) / 180;
  const cphi = Math.cos(phi);
  const sphi = Math.sin(phi);
  for (let c = 0; c < nCells; c++) {
    const v = vh.cellVoxel[c];
    const l = labels[v];
    if (kindOf[l] !== 'annulus') continue;
    const d = g.discs[discOf[l]];
    const i = v % nx;
    const j = ((v - i) / nx) % ny;
    const k = (v - i - nx * j) / (nx * ny);
    const m = frameToLocal(d.frame, [ox + (i + 0.5) * h, oy + (j + 0.5) * h, oz + (k + 0.5) * h]);
    const n = ENDPLATE_EXPONENT;
    // circumferential tangent t = ẑ × ∇F / |·|, ∇F ∝ (sign(x)|x/a|^(n−1)/a, sign(y)|y/b|^(n−1)/b)
    const gx = (Math.sign(m[0]) * Math.pow(Math.abs(m[0]) / d.a, n - 1)) / d.a;
    const gy = (Math.sign(m[1]) * Math.pow(Math.abs(m[1]) / d.b, n - 1)) / d.b;
    const gl = Math.hypot(gx, gy);
    const tx = gl > 0 ? -gy / gl : 1;
    const ty = gl > 0 ? gx / gl : 0;
    // lamella index from the normalised radius between the nucleus (k_N) and the outline (1)
    const F = superellipseRadius(m[0], m[1], d.a, d.b, n);
    const rho = Math.min(0.999999, Math.max(0, (F - d.nucleusScale) / (1 - d.nucleusScale)));
    const sign = Math.floor(rho * d.lamellae) % 2 === 0 ? 1 : -1;
    const w = frameDirToWorld(d.frame, [cphi * tx, cphi * ty, sign * sphi]);
    fibreDirections[3 * c] = w[0];
    fibreDirections[3 * c + 1] = w[1];
    fibreDirections[3 * c + 2] = w[2];
  }

  // ---- smoothing ----
  let smoothing = { movableNodes: 0, accepted: 0, rejected: 0 };
  let minSJ = 1;
  if (p.smoothIterations > 0) {
    const rep = smoothVoxelMesh(grid, vh, { iterations: p.smoothIterations, minScaledJacobian: p.minScaledJacobian });
    smoothing = { movableNodes: rep.movableNodes, accepted: rep.accepted, rejected: rep.rejected };
    minSJ = minHexScaledJacobian(mesh.nodes, mesh.cells).min;
  }

  // ---- ligaments ----
  const pick = (marks: Uint8Array, bit: number): Uint32Array => {
    let n = 0;
    for (let q = 0; q < marks.length; q++) if (marks[q] & bit) n++;
    const out = new Uint32Array(n);
    n = 0;
    for (let q = 0; q < marks.length; q++) if (marks[q] & bit) out[n++] = q;
    return out;
  };
  const surface: VertebraSurfaceNodes[] = surfaceMarks.map((m) => ({ body: pick(m, 1), posterior: pick(m, 2) }));
  const ligaments = buildLigaments(g, mesh.nodes, surface);

  return {
    mesh,
    fibreDirections,
    ligaments,
    materials: materialTable(p),
    parameters: p,
    geometry: g,
    screws,
    cages,
    regions,
    handles: segmentHandles(mesh, regions, g, screws, cages),
    report: {
      mesher: 'voxel',
      cells: nCells,
      nodes: mesh.nodes.length / 3,
      droppedVoxels: comp.dropped,
      separatedVoxels,
      shellClosedVoxels,
      grid: [nx, ny, nz],
      resolution: h,
      minScaledJacobian: minSJ,
      smoothing,
      timeMs: performance.now() - t0,
    },
  };
}

/**
 * One-voxel shell guarantee: a cancellous voxel with a face towards void
 * becomes cortical bone, one with a face towards disc, cage or cartilage
 * becomes bony endplate (marks first, then relabel: order-independent).
 */
function closeBodyShell(grid: VoxelGrid, kindOf: (RegionKind | 'void')[], vertOf: Int32Array, anatomy: AnatomyLabels): number {
  const [nx, ny, nz] = grid.dims;
  const labels = grid.labels;
  const nxy = nx * ny;
  const changes: number[] = [];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const v = i + nx * j + nxy * k;
        const l = labels[v];
        if (kindOf[l] !== 'cancellous') continue;
        const vk = vertOf[l];
        let toVoid = false;
        let toDisc = false;
        const look = (w: number, inside: boolean): void => {
          if (!inside) {
            toVoid = true;
            return;
          }
          const kd = kindOf[labels[w]];
          if (kd === 'void') toVoid = true;
          else if (kd === 'annulus' || kd === 'nucleus' || kd === 'cage' || kd === 'facetCartilage') toDisc = true;
        };
        look(v - 1, i > 0);
        look(v + 1, i < nx - 1);
        look(v - nx, j > 0);
        look(v + nx, j < ny - 1);
        look(v - nxy, k > 0);
        look(v + nxy, k < nz - 1);
        if (toVoid) changes.push(v, anatomy.cortical[vk]);
        else if (toDisc) changes.push(v, anatomy.endplate[vk]);
      }
    }
  }
  for (let q = 0; q < changes.length; q += 2) labels[changes[q]] = changes[q + 1];
  return changes.length / 2;
}
