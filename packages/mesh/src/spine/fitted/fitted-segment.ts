/**
 * `buildFittedSegment`: parameters → body-fitted, fixed-topology hex8 mesh of
 * a lumbar motion segment. For a given level span and `refinement` the
 * topology (node and cell counts, connectivity, regions) is fixed; node
 * positions are smooth functions of every continuous parameter, so figures
 * move smoothly with the anatomy and converge as `refinement` grows.
 *
 * Parts: vertebral bodies and discs share one O-grid section (conforming);
 * posterior elements, facet stacks and implants are structured blocks joined
 * by embedded ties ({@link EmbeddedTies}) that the FE model turns into
 * multi-point constraints.
 */
import type { FaceSet, Mesh } from '../../mesh.js';
import { faceSetNodes, makeFaceSet } from '../../voxel/hex-mesh.js';
import { resolveSegmentGeometry } from '../geometry.js';
import { buildLigamentsWith } from '../ligaments.js';
import { materialTable, segmentRegions, validateParameters, type LumbarSegmentParameters } from '../parameters.js';
import { placeCages, placeScrews } from '../implants.js';
import { segmentHandles } from '../handles.js';
import { minHexScaledJacobian } from '../../voxel/hex-quality.js';
import type { LumbarSegmentModel } from '../segment.js';
import { stackCells } from './blocks.js';
import { OUTLINE_BLEND, meshBodiesAndDiscs, smoothOutlineArea } from './body-and-disc.js';
import { FittedMeshBuilder, HEX_BOTTOM_FACE, HEX_TOP_FACE } from './builder.js';
import { TieCollector } from './embed.js';
import { meshFittedImplants } from './implants.js';
import { meshFacet, meshPosterior } from './posterior.js';

/** Default refinement of the body-fitted segment (chosen by the convergence study, docs/geometry.md). */
export const DEFAULT_REFINEMENT = 2;

interface FaceList {
  cells: number[];
  faces: number[];
}

/** Sorted node ids of the given cells (8 per cell). */
function nodesOfCells(cells: Uint32Array, list: readonly number[]): Uint32Array {
  const set = new Set<number>();
  for (const c of list) for (let a = 0; a < 8; a++) set.add(cells[8 * c + a]);
  return Uint32Array.from([...set].sort((x, y) => x - y));
}

/**
 * Builds the body-fitted model of a lumbar segment (see the module comment).
 * Same outputs as the voxel {@link buildLumbarSegment} (regions, node and face
 * sets, fibre directions, ligaments), plus `ties`.
 *
 * @example
 * ```ts
 * const seg = buildFittedSegment({ ...defaultParameters('L4'), refinement: 2 });
 * console.log(seg.report.cells, seg.ties?.slaves.length);
 * ```
 */
export function buildFittedSegment(params: LumbarSegmentParameters): LumbarSegmentModel {
  const t0 = performance.now();
  validateParameters(params);
  const p: LumbarSegmentParameters = JSON.parse(JSON.stringify(params)) as LumbarSegmentParameters;
  const r = p.refinement ?? DEFAULT_REFINEMENT;
  // the geometry's facet gap is widened for voxels by the resolution; here the gap is exact
  const g = resolveSegmentGeometry({ ...p, resolution: 0 });
  // nucleus from the smooth footprint area (π·k²·a·b = f·area), so it moves smoothly too
  for (const d of g.discs) {
    const kN = Math.sqrt((p.nucleusAreaFraction * smoothOutlineArea(d, OUTLINE_BLEND * p.globalScale)) / (Math.PI * d.a * d.b));
    d.nucleusScale = kN;
    d.nucleusA = kN * d.a;
    d.nucleusB = kN * d.b;
  }
  const regions = segmentRegions(p);
  const names = regions.map((x) => x.name);
  const id = (name: string): number => names.indexOf(name);
  const lv = g.vertebrae.map((v) => v.level);
  const b = new FittedMeshBuilder();
  const ties = new TieCollector(b);
  const bd = meshBodiesAndDiscs(
    b,
    g,
    r,
    {
      cortical: lv.map((l) => id(`${l}.cortical`)),
      cancellous: lv.map((l) => id(`${l}.cancellous`)),
      endplate: lv.map((l) => id(`${l}.endplate`)),
      annulus: g.discs.map((d) => id(`${d.name}.annulus`)),
      nucleus: g.discs.map((d) => id(`${d.name}.nucleus`)),
    },
    p.globalScale,
  );
  const bodyCells = bd.bodies.map((s) => stackCells(s));
  const posterior = g.vertebrae.map((v, k) => meshPosterior(b, ties, v, r, id(`${v.level}.posterior`), bodyCells[k], p.globalScale));
  const faceLists = new Map<string, FaceList>();
  const face = (name: string): FaceList => {
    let f = faceLists.get(name);
    if (!f) faceLists.set(name, (f = { cells: [], faces: [] }));
    return f;
  };
  const facetNormalOf = new Map<number, readonly number[]>();
  g.discs.forEach((d, k) => {
    for (const fj of d.facets) {
      const fm = meshFacet(b, ties, d, fj, r, { lowerPosterior: id(`${d.lower.level}.posterior`), upperPosterior: id(`${d.upper.level}.posterior`), cartilage: id(`${d.name}.facetCartilage`) }, {
        lower: posterior[k + 1].rootHosts,
        upper: posterior[k].rootHosts,
      });
      for (const c of fm.cartilageCells) facetNormalOf.set(c, fj.normal);
      posterior[k + 1].cells.push(...fm.lowerCells);
      posterior[k].cells.push(...fm.upperCells);
      const side = fj.side < 0 ? 'left' : 'right';
      Object.assign(face(`${d.name}.facet.${side}.superiorArticular`), fm.faces.superiorArticular);
      Object.assign(face(`${d.name}.facet.${side}.inferiorArticular`), fm.faces.inferiorArticular);
    }
  });
  // endplates: the bottom faces of each body's first layer and the top faces of its last
  g.vertebrae.forEach((v, k) => {
    const layers = bd.bodies[k].layerCells;
    const bottom = face(`${v.level}.inferiorEndplate`);
    for (let c = 0; c < layers[0].count; c++) {
      bottom.cells.push(layers[0].first + c);
      bottom.faces.push(HEX_BOTTOM_FACE);
    }
    const top = face(`${v.level}.superiorEndplate`);
    const lt = layers[layers.length - 1];
    for (let c = 0; c < lt.count; c++) {
      top.cells.push(lt.first + c);
      top.faces.push(HEX_TOP_FACE);
    }
  });
  const boneCells = g.vertebrae.map((_, k) => [...bodyCells[k], ...posterior[k].cells]);
  const screws = placeScrews(p, g);
  const cages = placeCages(p, g);
  const implantCells = meshFittedImplants(b, ties, p, g, r, screws, cages, id, { bone: boneCells, discs: bd.discs.map((s) => stackCells(s)), bodies: bodyCells });
  // ligaments: each fibre end a node tied at the nearest point of the vertebra's body or posterior elements
  const ligaments = buildLigamentsWith(
    g,
    (k, part, pt) => ties.anchor(`${g.vertebrae[k].level}.ligament-insertions`, pt, part === 'body' ? bodyCells[k] : posterior[k].cells),
    (n) => b.node(n),
  );
  const arrays = b.arrays();
  const nCells = arrays.materialIds.length;
  const mesh: Mesh = { ...arrays, cellType: 'hex8', regionNames: names, nodeSets: {}, faceSets: {} };
  const faceSets: Record<string, FaceSet> = {};
  for (const name of [...faceLists.keys()].sort()) {
    const f = faceLists.get(name)!;
    faceSets[name] = makeFaceSet(f.cells, f.faces);
  }
  faceSets['top.superiorEndplate'] = faceSets[`${lv[0]}.superiorEndplate`];
  faceSets['bottom.inferiorEndplate'] = faceSets[`${lv[lv.length - 1]}.inferiorEndplate`];
  mesh.faceSets = faceSets;
  for (const name of Object.keys(faceSets)) mesh.nodeSets[name] = faceSetNodes(mesh.cells, faceSets[name]);
  g.vertebrae.forEach((v, k) => (mesh.nodeSets[`${v.level}.vertebra`] = nodesOfCells(arrays.cells, boneCells[k])));
  for (const [name, cells] of implantCells) mesh.nodeSets[name] = nodesOfCells(arrays.cells, cells);
  const fibreDirections = new Float32Array(3 * nCells);
  bd.discs.forEach((s, k) => {
    const nq = bd.section.quadRing.length;
    s.layerCells.forEach((lc, layer) => {
      for (let q = 0; q < lc.count; q++) fibreDirections.set(bd.fibres[k].subarray(3 * (layer * nq + q), 3 * (layer * nq + q) + 3), 3 * (lc.first + q));
    });
  });
  const facetNormals = new Float32Array(3 * nCells);
  for (const [c, n] of facetNormalOf) facetNormals.set(n, 3 * c);
  const tieSet = ties.result();
  let maxGap = 0;
  for (const x of tieSet.gap) maxGap = Math.max(maxGap, x);
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
    ties: tieSet,
    facetNormals,
    report: {
      mesher: 'body-fitted',
      refinement: r,
      cells: nCells,
      nodes: arrays.nodes.length / 3,
      droppedVoxels: 0,
      separatedVoxels: 0,
      shellClosedVoxels: 0,
      grid: [0, 0, 0],
      // nominal cell size: the disc layer thickness (the figures' cut-layer and section-slab width)
      resolution: (g.discs[0]?.middleHeight ?? 10) / bd.counts.discLayers,
      minScaledJacobian: minHexScaledJacobian(arrays.nodes, arrays.cells).min,
      smoothing: { movableNodes: 0, accepted: 0, rejected: 0 },
      maxTieGapMm: maxGap,
      timeMs: performance.now() - t0,
    },
  };
}
