/**
 * Vertebral bodies and discs of the body-fitted segment: one O-grid section
 * topology for every endplate, so each disc shares its nodes with the two
 * endplates it touches (conforming, no ties).
 *
 * Section curves (vertebra-local x, y; mm), from the centre outwards:
 * core rectangle (0.45 × the nucleus semi-axes) → nucleus ellipse → inner
 * boundary of the cortical shell (the outline moved inwards by the cortical
 * thickness along its normal) → the endplate outline. The outline is the
 * voxel model's superellipse with its posterior notch, joined by a smooth
 * maximum (radius `OUTLINE_BLEND`·scale) so that every ray hits it at a point
 * that is a C∞ function of the parameters.
 */
import { ENDPLATE_CONCAVITY, ENDPLATE_EXPONENT, type DiscGeometry, type SegmentGeometry, type VertebraGeometry } from '../geometry.js';
import { frameDirToWorld, frameToWorld, superellipseDistance, superellipseRadius } from '../sdf.js';
import { emitStackCells, type FittedMeshBuilder, type SectionStack } from './builder.js';
import { circleDirection, ellipseCurve, oGridSection, placeSection, rectangleCurve, type OGridSection, type SectionCurve } from './o-grid.js';

/** Blend width (mm at scale 1) of the smooth maximum joining the outline's superellipse and notch. */
export const OUTLINE_BLEND = 2;

/** Cell counts of the body/disc template at refinement r (all multiplied by r). */
export interface BodyDiscCounts {
  /** Core cells per side. */
  core: number;
  /** Ring levels core → nucleus, nucleus → inner cortex, cortex. */
  nucleusRings: number;
  annulusRings: number;
  corticalRings: number;
  /** Body layers: bony endplate (each end) and cancellous. */
  endplateLayers: number;
  cancellousLayers: number;
  /** Disc layers. */
  discLayers: number;
}

/**
 * Counts at refinement `r`.
 * @example
 * ```ts
 * bodyDiscCounts(2).discLayers; // 6
 * ```
 */
export function bodyDiscCounts(r: number): BodyDiscCounts {
  return { core: 4 * r, nucleusRings: r, annulusRings: 3 * r, corticalRings: r, endplateLayers: r, cancellousLayers: 4 * r, discLayers: 3 * r };
}

/** Smooth maximum: `(a + b + √((a − b)² + k²)) / 2` (≥ max(a, b), C∞ for k > 0). */
function smoothMax(a: number, b: number, k: number): number {
  return 0.5 * (a + b + Math.sqrt((a - b) * (a - b) + k * k));
}

/** Smooth signed outline function of a body (negative inside), mm. */
export function smoothOutline(v: Pick<VertebraGeometry, 'a' | 'b' | 'notchRadius' | 'notchCentreY'>, blend: number): (x: number, y: number) => number {
  return (x, y) => {
    const dse = superellipseDistance(x, y, v.a, v.b, ENDPLATE_EXPONENT);
    const dy = y - v.notchCentreY;
    const dn = v.notchRadius - Math.sqrt(x * x + dy * dy);
    return smoothMax(dse, dn, blend);
  };
}

/** Root of `f` along the ray `c + t·d`, t ∈ (0, tMax], with f(c) < 0 < f(c + tMax·d): bisection to 1e-12 mm. */
function rayRoot(f: (x: number, y: number) => number, cx: number, cy: number, dx: number, dy: number, tMax: number): number {
  let lo = 0;
  let hi = tMax;
  for (let it = 0; it < 60 && hi - lo > 1e-12; it++) {
    const t = 0.5 * (lo + hi);
    if (f(cx + t * dx, cy + t * dy) < 0) lo = t;
    else hi = t;
  }
  return 0.5 * (lo + hi);
}

/**
 * The endplate outline as a section curve: rays from `(0, cy)` along the
 * circle direction stretched by the outline's semi-axes.
 */
function outlineCurve(f: (x: number, y: number) => number, a: number, b: number, cy: number): SectionCurve {
  return (qx, qy) => {
    const [ux, uy] = circleDirection(qx, qy);
    const dl = Math.hypot(a * ux, b * uy);
    const dx = (a * ux) / dl;
    const dy = (b * uy) / dl;
    const t = rayRoot(f, 0, cy, dx, dy, 3 * Math.max(a, b));
    return [t * dx, cy + t * dy];
  };
}

/** A curve moved inwards by `t` along the unit normal of `f` (central differences). */
function insetCurve(curve: SectionCurve, f: (x: number, y: number) => number, t: number): SectionCurve {
  const h = 1e-5;
  return (qx, qy) => {
    const [x, y] = curve(qx, qy);
    const gx = (f(x + h, y) - f(x - h, y)) / (2 * h);
    const gy = (f(x, y + h) - f(x, y - h)) / (2 * h);
    const g = Math.hypot(gx, gy);
    return [x - (t * gx) / g, y - (t * gy) / g];
  };
}

/** Nucleus of a disc as seen from a vertebra (semi-axes and centre y, mm). */
interface NucleusShape {
  A: number;
  B: number;
  cy: number;
}

/** Section node positions (local x, y) of one endplate of `v` with the nucleus of `nuc`. */
function endplateSection(section: OGridSection, counts: BodyDiscCounts, v: VertebraGeometry, nuc: NucleusShape, scale: number): Float64Array {
  const f = smoothOutline(v, OUTLINE_BLEND * scale);
  const outline = outlineCurve(f, v.a, v.b, nuc.cy);
  const l1 = counts.nucleusRings;
  const l2 = l1 + counts.annulusRings;
  const l3 = l2 + counts.corticalRings;
  const core = rectangleCurve(0.45 * nuc.A, 0.45 * nuc.B, 0, nuc.cy);
  const inner = insetCurve(outline, f, v.corticalThickness);
  return placeSection(section, core, [0, l1, l2, l3], [core, nestedNucleus(ellipseCurve(nuc.A, nuc.B, 0, nuc.cy), inner, nuc.cy), inner, outline]);
}

/** Largest share of the distance to the inner cortex the nucleus may take along a ray (keeps the annulus rings ≥ 15 % of it). */
const NUCLEUS_MAX_SHARE = 0.85;

/**
 * The nucleus ellipse kept inside the annulus: along each ray its radius is the smooth
 * minimum of the ellipse's and 0.85 × the inner cortex's (a small patient with a posterior
 * nucleus offset would otherwise push it through the posterior wall and fold the rings).
 */
function nestedNucleus(ellipse: SectionCurve, inner: SectionCurve, cy: number): SectionCurve {
  return (qx, qy) => {
    const e = ellipse(qx, qy);
    const c = inner(qx, qy);
    const re = Math.hypot(e[0], e[1] - cy);
    const rc = NUCLEUS_MAX_SHARE * Math.hypot(c[0], c[1] - cy);
    // smooth minimum (a + b − √((a − b)² + k²)) / 2 with k = 0.5 mm
    const k = 0.5;
    const rm = 0.5 * (re + rc - Math.sqrt((re - rc) * (re - rc) + k * k));
    return [(e[0] * rm) / re, cy + ((e[1] - cy) * rm) / re];
  };
}

/**
 * Endplate concavity profile made C¹ at the rim of the central region:
 * `(1 − ρ²)²` for ρ < 1 (ρ = superellipse radius ÷ central fraction), 0 beyond.
 * (The voxel model uses 1 − ρ², whose slope jumps at ρ = 1.)
 */
function smoothConcavity(v: VertebraGeometry, x: number, y: number): number {
  const rho = superellipseRadius(x, y, v.a, v.b, ENDPLATE_EXPONENT) / ENDPLATE_CONCAVITY.centralFraction;
  return rho < 1 ? (1 - rho * rho) * (1 - rho * rho) : 0;
}

/** Region ids the body and disc cells take. */
export interface BodyDiscRegions {
  cortical: number[];
  cancellous: number[];
  endplate: number[];
  annulus: number[];
  nucleus: number[];
}

/** What the body/disc stage leaves for the rest of the build. */
export interface BodyDiscMesh {
  section: OGridSection;
  counts: BodyDiscCounts;
  /** Per vertebra: its node stack (levels bottom → top) and cells. */
  bodies: SectionStack[];
  /** Per disc: its node stack (level 0 = lower vertebra's superior endplate). */
  discs: SectionStack[];
  /** Per disc, per annulus cell (in cell order of the disc's stack): unit fibre direction (world), 3 per cell, 0 for nucleus cells. */
  fibres: Float64Array[];
}

/**
 * Meshes every vertebral body and disc of the segment.
 * @param scale - global scale (for the outline blend).
 * @example
 * ```ts
 * const bd = meshBodiesAndDiscs(builder, geometry, 2, regions, 1);
 * ```
 */
export function meshBodiesAndDiscs(b: FittedMeshBuilder, g: SegmentGeometry, r: number, regions: BodyDiscRegions, scale: number): BodyDiscMesh {
  const counts = bodyDiscCounts(r);
  const section = oGridSection(counts.core, counts.nucleusRings + counts.annulusRings + counts.corticalRings);
  const nucOf = (d: DiscGeometry): NucleusShape => ({ A: d.nucleusA, B: d.nucleusB, cy: d.nucleusCentreY });
  const bodies = g.vertebrae.map((v, k) => {
    const below = g.discs[k] ?? g.discs[k - 1];
    const above = g.discs[k - 1] ?? g.discs[k];
    const inf = endplateSection(section, counts, v, nucOf(below), scale);
    const sup = endplateSection(section, counts, v, nucOf(above), scale);
    return meshBody(b, section, counts, v, inf, sup, k, regions);
  });
  const discs: SectionStack[] = [];
  const fibres: Float64Array[] = [];
  g.discs.forEach((d, k) => {
    const disc = meshDisc(b, section, counts, bodies[k + 1], bodies[k], k, regions, d);
    discs.push(disc.stack);
    fibres.push(disc.fibres);
  });
  return { section, counts, bodies, discs, fibres };
}

function meshBody(
  b: FittedMeshBuilder,
  section: OGridSection,
  counts: BodyDiscCounts,
  v: VertebraGeometry,
  inf: Float64Array,
  sup: Float64Array,
  k: number,
  regions: BodyDiscRegions,
): SectionStack {
  const ne = counts.endplateLayers;
  const nm = counts.cancellousLayers;
  const levels = 2 * ne + nm + 1;
  const nn = section.nodeCount;
  const ids = new Uint32Array(levels * nn);
  const te = v.endplateThickness;
  for (let l = 0; l < levels; l++) {
    const tau = l / (levels - 1);
    for (let i = 0; i < nn; i++) {
      const x = inf[2 * i] + tau * (sup[2 * i] - inf[2 * i]);
      const y = inf[2 * i + 1] + tau * (sup[2 * i + 1] - inf[2 * i + 1]);
      const zb = v.inferiorConcavity * smoothConcavity(v, x, y);
      const zt = v.H - v.superiorConcavity * smoothConcavity(v, x, y);
      let z: number;
      if (l <= ne) z = zb + (te * l) / ne;
      else if (l >= ne + nm) z = zt - (te * (levels - 1 - l)) / ne;
      else z = zb + te + ((zt - zb - 2 * te) * (l - ne)) / nm;
      const w = frameToWorld(v.frame, [x, y, z]);
      ids[l * nn + i] = b.addNode(w[0], w[1], w[2]);
    }
  }
  const outerRing = counts.nucleusRings + counts.annulusRings;
  return emitStackCells(b, section, ids, levels, (layer, ring) => {
    if (ring >= outerRing) return regions.cortical[k];
    if (layer < ne || layer >= ne + nm) return regions.endplate[k];
    return regions.cancellous[k];
  });
}

function meshDisc(
  b: FittedMeshBuilder,
  section: OGridSection,
  counts: BodyDiscCounts,
  lower: SectionStack,
  upper: SectionStack,
  k: number,
  regions: BodyDiscRegions,
  d: DiscGeometry,
): { stack: SectionStack; fibres: Float64Array } {
  const nd = counts.discLayers;
  const nn = section.nodeCount;
  const ids = new Uint32Array((nd + 1) * nn);
  const bottom = (lower.levels - 1) * nn;
  for (let i = 0; i < nn; i++) {
    const p0 = b.node(lower.ids[bottom + i]);
    const p1 = b.node(upper.ids[i]);
    ids[i] = lower.ids[bottom + i];
    ids[nd * nn + i] = upper.ids[i];
    for (let l = 1; l < nd; l++) {
      const t = l / nd;
      ids[l * nn + i] = b.addNode(p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1]), p0[2] + t * (p1[2] - p0[2]));
    }
  }
  const annulusStart = counts.nucleusRings;
  const annulusRings = counts.annulusRings + counts.corticalRings;
  const stack = emitStackCells(b, section, ids, nd + 1, (_layer, ring) => (ring >= annulusStart ? regions.annulus[k] : regions.nucleus[k]));
  // fibre direction from the mesh lines: circumferential edge t̂ and the disc axis,
  // ±angle alternating by lamella (lamella index from the ring's radial position)
  const phi = (d.fibreAngleDeg * Math.PI) / 180;
  const axis = frameDirToWorld(d.frame, [0, 0, 1]);
  const nq = section.quadRing.length;
  const fibres = new Float64Array(3 * nd * nq);
  for (let layer = 0; layer < nd; layer++) {
    for (let c = 0; c < nq; c++) {
      const ring = section.quadRing[c];
      if (ring < annulusStart) continue;
      const cell = b.cell(stack.layerCells[layer].first + c);
      const t = [0, 0, 0];
      for (const [from, to] of [[0, 1], [3, 2], [4, 5], [7, 6]]) {
        const pa = b.node(cell[from]);
        const pb = b.node(cell[to]);
        for (let q = 0; q < 3; q++) t[q] += pb[q] - pa[q];
      }
      // t ← t − (t·axis) axis, normalised; fibre = cos φ·t̂ ± sin φ·axis
      const ta = t[0] * axis[0] + t[1] * axis[1] + t[2] * axis[2];
      for (let q = 0; q < 3; q++) t[q] -= ta * axis[q];
      const tl = Math.hypot(t[0], t[1], t[2]);
      const lamella = Math.floor(((ring - annulusStart + 0.5) / annulusRings) * d.lamellae);
      const sign = lamella % 2 === 0 ? 1 : -1;
      const o = 3 * (layer * nq + c);
      for (let q = 0; q < 3; q++) fibres[o + q] = (Math.cos(phi) * t[q]) / tl + sign * Math.sin(phi) * axis[q];
    }
  }
  return { stack, fibres };
}

/**
 * Area (mm²) inside the smooth outline, by the polar formula A = ½∮R(θ)²dθ from
 * (0, cy) with 720 trapezoid steps: a smooth function of the parameters (the voxel
 * model counts 0.25 mm grid squares, which is piecewise constant in them).
 */
export function smoothOutlineArea(v: Pick<VertebraGeometry, 'a' | 'b' | 'notchRadius' | 'notchCentreY'>, blend: number, cy = 0): number {
  const f = smoothOutline(v, blend);
  const n = 720;
  let area = 0;
  for (let i = 0; i < n; i++) {
    const th = (2 * Math.PI * i) / n;
    const R = rayRoot(f, 0, cy, Math.cos(th), Math.sin(th), 3 * Math.max(v.a, v.b));
    area += 0.5 * R * R * ((2 * Math.PI) / n);
  }
  return area;
}
