/**
 * Posterior elements of the body-fitted segment, each a structured block:
 * pedicles (elliptic O-grid swept along the pedicle axis, from the body's
 * outline to the lamina's front face), lamina (box), spinous process (sheared
 * box), transverse processes (round O-grid sweeps), and per facet joint a
 * conforming stack superior articular plate → cartilage layer → inferior
 * articular plate, with round pillars to the processes' roots.
 *
 * Blocks meet where the anatomy overlaps or abuts; they are joined by
 * embedded ties (the faces of one block tied into the cells of the other),
 * the standard way of joining non-matching structured blocks. Only the facet
 * stack, whose two faces are the articular surfaces, is conforming.
 */
import type { DiscGeometry, FacetGeometry, VertebraGeometry } from '../geometry.js';
import { frameToWorld } from '../sdf.js';
import { HEX_BOTTOM_FACE, HEX_TOP_FACE, type FittedMeshBuilder } from './builder.js';
import { boxBlock, boxFace, cross, orthonormalPair, stackCells, stackLevel, sweepSection, unit, type Vec3 } from './blocks.js';
import { smoothOutline, OUTLINE_BLEND } from './body-and-disc.js';
import type { TieCollector } from './embed.js';
import { roundSection } from './o-grid.js';

/** Cells and surface of one vertebra's posterior elements. */
export interface PosteriorMesh {
  /** Every posterior cell of the vertebra (pedicles, lamina, processes; articular parts are added by the facets). */
  cells: number[];
  /** Lamina + pedicle cells: hosts of the processes' roots. */
  rootHosts: number[];
}

/**
 * Meshes the posterior elements of vertebra `v` and ties them together and to the body.
 * @example
 * ```ts
 * const pm = meshPosterior(b, ties, v, 2, regionId, bodyCells, 1);
 * ```
 */
export function meshPosterior(b: FittedMeshBuilder, ties: TieCollector, v: VertebraGeometry, r: number, region: number, bodyCells: number[], scale: number): PosteriorMesh {
  const W = (p: ArrayLike<number>): Vec3 => frameToWorld(v.frame, p);
  const round = roundSection(r);
  const nn = round.section.nodeCount;
  const outline = smoothOutline(v, OUTLINE_BLEND * scale);
  // lamina: x across, y from the back face to the front face, z up (right-handed); it is
  // widened and raised where needed to take the pedicles' posterior ends (so their ties are
  // short) — the voxel model gets the same union by overlapping the parts
  const yb = v.laminaFrontY - v.laminaThickness;
  let halfWidth = v.laminaHalfWidth;
  let zTop = v.laminaZ[1];
  for (const pd of v.pedicles) {
    const s0 = (v.laminaFrontY - pd.centre[1]) / pd.axis[1];
    const lat = Math.hypot(pd.axis[0], pd.axis[1]);
    halfWidth = Math.max(halfWidth, Math.abs(pd.centre[0] + s0 * pd.axis[0]) + pd.halfWidth / lat);
    zTop = Math.max(zTop, pd.centre[2] + pd.halfHeight);
  }
  const lamina = boxBlock(
    b,
    [8 * r, 2 * r, 4 * r],
    (s, t, u) => W([-halfWidth + 2 * halfWidth * s, yb + v.laminaThickness * t, v.laminaZ[0] + (zTop - v.laminaZ[0]) * u]),
    region,
  );
  const cells = [...lamina.cells];
  const rootHosts = [...lamina.cells];
  for (const pd of v.pedicles) {
    const xy = round.xy(pd.halfWidth, pd.halfHeight);
    const e3: Vec3 = [pd.axis[0], pd.axis[1], 0];
    const e2: Vec3 = [0, 0, 1];
    const e1 = cross(e2, e3);
    const stations = 3 * r;
    // per section point: from the lamina's front face (y = laminaFrontY) to the body outline
    const ends = (sx: number, sy: number): [number, number] => {
      const bx = pd.centre[0] + sx * e1[0];
      const by = pd.centre[1] + sx * e1[1];
      const s0 = (v.laminaFrontY - by) / e3[1];
      let lo = s0;
      let hi = pd.extent[1] + 10 * scale;
      for (let it = 0; it < 60; it++) {
        const m = 0.5 * (lo + hi);
        if (outline(bx + m * e3[0], by + m * e3[1]) > 0) lo = m;
        else hi = m;
      }
      return [s0, 0.5 * (lo + hi)];
    };
    const stack = sweepSection(b, round.section, xy, stations, (l, sx, sy) => {
      const [s0, s1] = ends(sx, sy);
      const s = s0 + ((s1 - s0) * l) / stations;
      return W([pd.centre[0] + sx * e1[0] + s * e3[0], pd.centre[1] + sx * e1[1] + s * e3[1], pd.centre[2] + sy]);
    }, () => region);
    const pc = stackCells(stack);
    cells.push(...pc);
    rootHosts.push(...pc);
    const side = pd.side < 0 ? 'left' : 'right';
    ties.tie(`${v.level}.pedicle.${side}→lamina`, stackLevel(stack, nn, 0), lamina.cells);
    ties.tie(`${v.level}.pedicle.${side}→body`, stackLevel(stack, nn, stations), bodyCells);
  }
  // spinous process: from the lamina's back face to the tip, sloping down by `slope`
  const sp = v.spinous;
  const spin = boxBlock(
    b,
    [2 * r, 5 * r, 3 * r],
    (s, t, u) => {
      const y = yb - (yb - sp.tipY) * t;
      const drop = sp.slope * (yb - y);
      // x runs right → left so that (x, −y, z) stays right-handed
      return W([sp.halfThickness - 2 * sp.halfThickness * s, y, sp.z0 - drop + (sp.z1 - sp.z0) * u]);
    },
    region,
  );
  cells.push(...spin.cells);
  ties.tie(`${v.level}.spinous→lamina`, boxFace(spin, 1, false), lamina.cells);
  v.transverse.forEach((tp, i) => {
    const stack = roundSweep(b, round, [tp.root[0], tp.root[1], tp.root[2]], tp.tip, tp.radius, 3 * r, region, W);
    cells.push(...stackCells(stack.cells));
    ties.tie(`${v.level}.transverse.${i === 0 ? 'left' : 'right'}→pedicle`, stack.first, rootHosts);
  });
  return { cells, rootHosts };
}

/** A round bar of radius `radius` from `a` to `b` (local coordinates of `W`), swept in `stations` layers. */
function roundSweep(
  b: FittedMeshBuilder,
  round: ReturnType<typeof roundSection>,
  a: Vec3,
  c: Vec3,
  radius: number,
  stations: number,
  region: number,
  W: (p: ArrayLike<number>) => Vec3,
): { cells: ReturnType<typeof sweepSection>; first: Uint32Array; last: Uint32Array } {
  const e3 = unit([c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
  const [e1, e2] = orthonormalPair(e3);
  const xy = round.xy(radius, radius);
  const len = Math.hypot(c[0] - a[0], c[1] - a[1], c[2] - a[2]);
  const st = sweepSection(b, round.section, xy, stations, (l, sx, sy) => {
    const s = (len * l) / stations;
    return W([0, 1, 2].map((k) => a[k] + s * e3[k] + sx * e1[k] + sy * e2[k]));
  }, () => region);
  const nn = round.section.nodeCount;
  return { cells: st, first: stackLevel(st, nn, 0), last: stackLevel(st, nn, stations) };
}

/** Face sets of one facet joint's cartilage layer. */
export interface FacetFaces {
  /** Cartilage faces on the superior articular process (lower vertebra). */
  superiorArticular: { cells: number[]; faces: number[] };
  /** Cartilage faces on the inferior articular process (upper vertebra). */
  inferiorArticular: { cells: number[]; faces: number[] };
}

/** Region ids of one disc's facet parts. */
export interface FacetRegions {
  lowerPosterior: number;
  upperPosterior: number;
  cartilage: number;
}

/**
 * Meshes one facet joint: the plate stack along the joint normal (superior
 * articular plate of the lower vertebra, cartilage filling the gap, inferior
 * articular plate of the upper vertebra) and the two pillars to the roots.
 * Returns the plate cells per vertebra and the cartilage faces.
 */
export function meshFacet(
  b: FittedMeshBuilder,
  ties: TieCollector,
  d: DiscGeometry,
  fj: FacetGeometry,
  r: number,
  regions: FacetRegions,
  hosts: { lower: number[]; upper: number[] },
): { lowerCells: number[]; upperCells: number[]; cartilageCells: number[]; faces: FacetFaces } {
  const round = roundSection(r);
  const xy = round.xy(fj.halfU, fj.halfV);
  const g2 = fj.gap / 2;
  const t = fj.plateThickness;
  const nPlate = 2 * r;
  // one cell across the gap at every refinement: the layer stands for the joint space, and
  // stacked cells of one joint let the open/closed set cycle between layers
  const nCart = 1;
  // level w-coordinates along the normal: SAP back → SAP surface → IAP surface → IAP back
  const levels: number[] = [];
  for (let l = 0; l <= nPlate; l++) levels.push(-g2 - t + (t * l) / nPlate);
  for (let l = 1; l <= nCart; l++) levels.push(-g2 + (2 * g2 * l) / nCart);
  for (let l = 1; l <= nPlate; l++) levels.push(g2 + (t * l) / nPlate);
  const { centre: c, normal: n, u, v } = fj;
  const id = (p: ArrayLike<number>): Vec3 => [p[0], p[1], p[2]];
  const stack = sweepSection(b, round.section, xy, levels.length - 1, (l, sx, sy) => [0, 1, 2].map((k) => c[k] + sx * u[k] + sy * v[k] + levels[l] * n[k]) as Vec3, (layer) =>
    layer < nPlate ? regions.lowerPosterior : layer < nPlate + nCart ? regions.cartilage : regions.upperPosterior,
  );
  const lowerCells: number[] = [];
  const upperCells: number[] = [];
  const cartilageCells: number[] = [];
  const faces: FacetFaces = { superiorArticular: { cells: [], faces: [] }, inferiorArticular: { cells: [], faces: [] } };
  stack.layerCells.forEach((lc, layer) => {
    for (let q = 0; q < lc.count; q++) {
      const cell = lc.first + q;
      if (layer < nPlate) lowerCells.push(cell);
      else if (layer >= nPlate + nCart) upperCells.push(cell);
      else cartilageCells.push(cell);
      if (layer === nPlate) {
        faces.superiorArticular.cells.push(cell);
        faces.superiorArticular.faces.push(HEX_BOTTOM_FACE);
      }
      if (layer === nPlate + nCart - 1) {
        faces.inferiorArticular.cells.push(cell);
        faces.inferiorArticular.faces.push(HEX_TOP_FACE);
      }
    }
  });
  // pillars end at the plates' mid-thickness centres: their end faces lie inside the plates
  // up to r·|sin| of the pillar's tilt, so the ties are short
  const sapMid: Vec3 = [0, 1, 2].map((k) => c[k] - (g2 + t / 2) * n[k]) as Vec3;
  const iapMid: Vec3 = [0, 1, 2].map((k) => c[k] + (g2 + t / 2) * n[k]) as Vec3;
  const side = fj.side < 0 ? 'left' : 'right';
  const sap = roundSweep(b, round, id(fj.sapRoot), sapMid, fj.pillarRadius, 3 * r, regions.lowerPosterior, id);
  const iap = roundSweep(b, round, id(fj.iapRoot), iapMid, fj.pillarRadius, 3 * r, regions.upperPosterior, id);
  ties.tie(`${d.name}.facet.${side}.superiorPillar→plate`, sap.last, lowerCells);
  ties.tie(`${d.name}.facet.${side}.superiorPillar→${d.lower.level}`, sap.first, hosts.lower);
  ties.tie(`${d.name}.facet.${side}.inferiorPillar→plate`, iap.last, upperCells);
  ties.tie(`${d.name}.facet.${side}.inferiorPillar→${d.upper.level}`, iap.first, hosts.upper);
  return { lowerCells: [...lowerCells, ...stackCells(sap.cells)], upperCells: [...upperCells, ...stackCells(iap.cells)], cartilageCells, faces };
}
