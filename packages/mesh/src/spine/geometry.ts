/**
 * Lumbar anatomy as implicit functions: the per-level dimension tables, the
 * stacking of vertebrae and discs (segmental lordosis and frontal wedge), and
 * the per-part voxel classifiers.
 *
 * Coordinate system (world): x lateral, from the patient's left to right;
 * y anterior (+y points anterior); z superior (+z cranial). Origin at the
 * centre of the inferior endplate of the lowest vertebra. Units: mm.
 *
 * Each vertebra has a local frame with the same axis meaning whose origin is
 * the centre of its own inferior endplate; the lowest vertebra's frame is the
 * world frame. The vertebra above a disc is placed at
 * `T_up = T_low ∘ Translate(0, 0, H_low + h_mid) ∘ R_x(α) ∘ R_y(−γ)`, with
 * `h_mid` the middle disc height, `α` the segmental lordosis (anterior taller)
 * and `γ` the frontal wedge (right taller).
 */
import type { VoxelPart } from '../voxel/grid.js';
import type { LumbarSegmentParameters } from './parameters.js';
import {
  capsuleDistance,
  frameBoxToWorld,
  frameCompose,
  frameDirToWorld,
  frameIdentity,
  frameRotationX,
  frameRotationY,
  frameToWorld,
  frameTranslation,
  superellipseDistance,
  superellipseRadius,
  type Frame,
} from './sdf.js';

/** Lumbar vertebra names, cranial → caudal. */
export const LUMBAR_LEVELS = ['L1', 'L2', 'L3', 'L4', 'L5'] as const;
/** A lumbar vertebra. */
export type LumbarLevel = (typeof LUMBAR_LEVELS)[number];

/** Mark of a literature value: V read in source, S secondary, U unverified, A our assumption. */
export type LiteratureMark = 'V' | 'S' | 'U' | 'A';

/**
 * Per-level vertebral dimensions, mm and degrees.
 *
 * Endplate width/depth, posterior body height, pedicle width/height/transverse
 * angle and canal width/depth: Panjabi et al. 1992 (Spine 17:299) and
 * Zindrick 1987, **[U — approximate]** in spine-literature.md. The L5 CT values
 * of Cook & Baker 2021 [V] (posterior body height 26.3, endplate depth 35.7,
 * canal 28.2 × 15.6) agree within one SD and are cited for comparison only.
 * Transverse/spinous process length and facet angle: **our assumption [A]**
 * (typical textbook magnitudes; not in the reference file).
 */
export interface VertebraDimensions {
  endplateWidth: number;
  endplateDepth: number;
  posteriorBodyHeight: number;
  pedicleWidth: number;
  pedicleHeight: number;
  /** Pedicle axis angle from the sagittal plane (medial convergence), deg. */
  pedicleTransverseAngleDeg: number;
  canalWidth: number;
  canalDepth: number;
  /** Transverse process length from its root, mm [A]. */
  transverseProcessLength: number;
  /** Spinous process length behind the lamina, mm [A]. */
  spinousProcessLength: number;
  /** Facet joint plane angle from the sagittal plane, deg [A]. */
  facetAngleDeg: number;
}

/** The per-level table (see {@link VertebraDimensions} for sources and marks). */
export const VERTEBRA_DIMENSIONS: Readonly<Record<LumbarLevel, Readonly<VertebraDimensions>>> = {
  L1: { endplateWidth: 40, endplateDepth: 33, posteriorBodyHeight: 27, pedicleWidth: 9, pedicleHeight: 16, pedicleTransverseAngleDeg: 11, canalWidth: 22, canalDepth: 17, transverseProcessLength: 14, spinousProcessLength: 28, facetAngleDeg: 26 },
  L2: { endplateWidth: 42, endplateDepth: 34, posteriorBodyHeight: 27, pedicleWidth: 9, pedicleHeight: 15, pedicleTransverseAngleDeg: 12, canalWidth: 22, canalDepth: 16, transverseProcessLength: 17, spinousProcessLength: 30, facetAngleDeg: 30 },
  L3: { endplateWidth: 45, endplateDepth: 35, posteriorBodyHeight: 27, pedicleWidth: 10, pedicleHeight: 15, pedicleTransverseAngleDeg: 14, canalWidth: 23, canalDepth: 15, transverseProcessLength: 20, spinousProcessLength: 30, facetAngleDeg: 35 },
  L4: { endplateWidth: 47, endplateDepth: 35, posteriorBodyHeight: 26, pedicleWidth: 13, pedicleHeight: 14, pedicleTransverseAngleDeg: 18, canalWidth: 23, canalDepth: 15, transverseProcessLength: 18, spinousProcessLength: 28, facetAngleDeg: 42 },
  L5: { endplateWidth: 49, endplateDepth: 35, posteriorBodyHeight: 25, pedicleWidth: 18, pedicleHeight: 14, pedicleTransverseAngleDeg: 30, canalWidth: 26, canalDepth: 16, transverseProcessLength: 15, spinousProcessLength: 24, facetAngleDeg: 48 },
};

/** Marks of the {@link VERTEBRA_DIMENSIONS} columns. */
export const VERTEBRA_DIMENSION_MARKS: Readonly<Record<keyof VertebraDimensions, LiteratureMark>> = {
  endplateWidth: 'U',
  endplateDepth: 'U',
  posteriorBodyHeight: 'U',
  pedicleWidth: 'U',
  pedicleHeight: 'U',
  pedicleTransverseAngleDeg: 'U',
  canalWidth: 'U',
  canalDepth: 'U',
  transverseProcessLength: 'A',
  spinousProcessLength: 'A',
  facetAngleDeg: 'A',
};

/** Disc heights by MRI, adults 40–60, n = 14 **[V]**, mm: anterior / middle / posterior height and A–P depth. */
export interface DiscDimensions {
  anteriorHeight: number;
  middleHeight: number;
  posteriorHeight: number;
  depth: number;
}

/** Disc table keyed `'L4-L5'` (L5-S1 listed for completeness; not modelled). */
export const DISC_DIMENSIONS: Readonly<Record<string, Readonly<DiscDimensions>>> = {
  'L1-L2': { anteriorHeight: 10.8, middleHeight: 10.0, posteriorHeight: 7.3, depth: 30.2 },
  'L2-L3': { anteriorHeight: 13.1, middleHeight: 11.6, posteriorHeight: 8.6, depth: 32.0 },
  'L3-L4': { anteriorHeight: 15.2, middleHeight: 12.5, posteriorHeight: 9.1, depth: 32.9 },
  'L4-L5': { anteriorHeight: 18.1, middleHeight: 13.8, posteriorHeight: 10.1, depth: 33.1 },
  'L5-S1': { anteriorHeight: 18.7, middleHeight: 13.0, posteriorHeight: 8.5, depth: 31.3 },
};

/** Endplate concavity depths [V] (Wang et al. 2012): cranial endplate of the disc (vertebra's inferior endplate) 1.5 mm, caudal (vertebra's superior endplate) 0.7 mm, over the central 70 % of the diameter. */
export const ENDPLATE_CONCAVITY = { inferiorEndplateDepth: 1.5, superiorEndplateDepth: 0.7, centralFraction: 0.7 } as const;

/** Disc height loss by degeneration grade 0–3 [A]: 0, 10, 25, 40 %. */
export const DEGENERATION_HEIGHT_LOSS = [0, 0.1, 0.25, 0.4] as const;

/** Superellipse exponent of the endplate outline (kidney shape before the posterior notch) [A]. */
export const ENDPLATE_EXPONENT = 2.5;

/**
 * Disc name between an upper vertebra and the one below, e.g. `discName('L4') === 'L4-L5'`.
 * @example
 * ```ts
 * discName('L4'); // 'L4-L5'
 * ```
 */
export function discName(upper: LumbarLevel): string {
  const i = LUMBAR_LEVELS.indexOf(upper);
  return `${upper}-${i < 4 ? LUMBAR_LEVELS[i + 1] : 'S1'}`;
}

/** A pedicle: elliptic cylinder along `axis` through `centre` (vertebra-local, mm). */
export interface PedicleGeometry {
  /** −1 left, +1 right. */
  side: number;
  /** Isthmus centre (local), mm. */
  centre: [number, number, number];
  /** Unit axis pointing anteriorly and medially (local). */
  axis: [number, number, number];
  /** Axial extent `[sPosterior, sAnterior]` relative to the centre, mm. */
  extent: [number, number];
  halfWidth: number;
  halfHeight: number;
}

/** Resolved geometry of one vertebra (all lengths scaled, mm; local frame unless stated). */
export interface VertebraGeometry {
  level: LumbarLevel;
  /** Local → world. */
  frame: Frame;
  /** Endplate half-width (x) and half-depth (y). */
  a: number;
  b: number;
  /** Body height (posterior body height). */
  H: number;
  /** Posterior notch: circle of radius `notchRadius` centred at (0, notchCentreY); depth `notchDepth`. */
  notchRadius: number;
  notchCentreY: number;
  notchDepth: number;
  /** Concavity depths of the superior and inferior endplates. */
  superiorConcavity: number;
  inferiorConcavity: number;
  corticalThickness: number;
  endplateThickness: number;
  pedicles: [PedicleGeometry, PedicleGeometry];
  /** Lamina: front face y, thickness, half-width, z range. */
  laminaFrontY: number;
  laminaThickness: number;
  laminaHalfWidth: number;
  laminaZ: [number, number];
  /** Spinous process: root y, tip y, half-thickness, z range at the root, downward slope (mm per mm). */
  spinous: { rootY: number; tipY: number; halfThickness: number; z0: number; z1: number; slope: number };
  /** Transverse processes (capsules): root, tip, radius per side (left, right). */
  transverse: { root: [number, number, number]; tip: [number, number, number]; radius: number }[];
  /** Roots of the superior (SAP) and inferior (IAP) articular processes, per side (left, right). */
  sapRoot: [number, number, number][];
  iapRoot: [number, number, number][];
  /** Local bounds of the posterior elements `[x0,y0,z0,x1,y1,z1]`. */
  posteriorBounds: Float64Array;
}

/** One facet joint (world coordinates, mm). */
export interface FacetGeometry {
  side: number;
  /** Joint centre (mid-gap). */
  centre: [number, number, number];
  /** Unit normal from the superior articular process (lower vertebra) to the inferior one (upper vertebra). */
  normal: [number, number, number];
  /** In-plane unit axes: `u` horizontal, `v` cranial. */
  u: [number, number, number];
  v: [number, number, number];
  halfU: number;
  halfV: number;
  /** Cartilage gap actually used (≥ the parameter; widened so no two voxels of the two processes share a node). */
  gap: number;
  plateThickness: number;
  pillarRadius: number;
  sapRoot: [number, number, number];
  iapRoot: [number, number, number];
}

/** Resolved geometry of one disc. */
export interface DiscGeometry {
  name: string;
  upper: VertebraGeometry;
  lower: VertebraGeometry;
  /** Middle height, mm, after scaling and degeneration. */
  middleHeight: number;
  lordosisDeg: number;
  frontalWedgeDeg: number;
  /** Mid-disc frame: origin mid-way between the adjacent endplate centres, z along the bisector. */
  frame: Frame;
  /** Footprint (mean of the two endplates) in the mid frame. */
  a: number;
  b: number;
  notchRadius: number;
  notchCentreY: number;
  /** Nucleus ellipse semi-axes and centre y in the mid frame. */
  nucleusA: number;
  nucleusB: number;
  nucleusCentreY: number;
  /** Nucleus size relative to the outline (`k` in `a_n = k·a`). */
  nucleusScale: number;
  lamellae: number;
  fibreAngleDeg: number;
  facets: [FacetGeometry, FacetGeometry];
}

/** The whole resolved segment. */
export interface SegmentGeometry {
  /** Top → bottom. */
  vertebrae: VertebraGeometry[];
  /** Top → bottom; `discs[i]` lies between `vertebrae[i]` and `vertebrae[i+1]`. */
  discs: DiscGeometry[];
}

function lerpTable(table: readonly number[], x: number): number {
  const i = Math.min(Math.floor(x), table.length - 2);
  const t = x - i;
  return table[i] * (1 - t) + table[i + 1] * t;
}

/**
 * Disc middle height (mm) after global scale, disc-height scale and degeneration.
 * @example
 * ```ts
 * discMiddleHeight(defaultParameters('L4'), 'L4'); // 13.8 mm
 * ```
 */
export function discMiddleHeight(p: LumbarSegmentParameters, upper: LumbarLevel): number {
  return DISC_DIMENSIONS[discName(upper)].middleHeight * p.globalScale * p.discHeightScale * (1 - lerpTable(DEGENERATION_HEIGHT_LOSS, p.degenerationGrade));
}

function vertebraLocal(level: LumbarLevel, p: LumbarSegmentParameters, frame: Frame): VertebraGeometry {
  const d = VERTEBRA_DIMENSIONS[level];
  const s = p.globalScale;
  const a = (d.endplateWidth / 2) * s;
  const b = (d.endplateDepth / 2) * s;
  const H = d.posteriorBodyHeight * s;
  const notchDepth = 0.08 * 2 * b;
  const notchRadius = 0.35 * 2 * a;
  const notchCentreY = -b - notchRadius + notchDepth;
  const cw = d.canalWidth * s;
  const cd = d.canalDepth * s;
  const pw = d.pedicleWidth * s;
  const ph = d.pedicleHeight * s;
  const theta = (d.pedicleTransverseAngleDeg * Math.PI) / 180;
  // canal depth is measured at the midline from the (notched) posterior wall to the lamina
  const laminaFrontY = -b + notchDepth - cd;
  const laminaThickness = 6 * s;
  const y0 = (-b + laminaFrontY) / 2;
  const zPed = 0.6 * H;
  const yPost = laminaFrontY - laminaThickness / 2;
  const sPost = (yPost - y0) / Math.cos(theta);
  const sAnt = (-b + 6 * s - y0) / Math.cos(theta);
  const shiftPost = (y0 - yPost) * Math.tan(theta);
  const x0 = cw / 2 + pw / 2;
  const pedicles = [-1, 1].map((side) => ({
    side,
    centre: [side * x0, y0, zPed] as [number, number, number],
    axis: [-side * Math.sin(theta), Math.cos(theta), 0] as [number, number, number],
    extent: [sPost, sAnt] as [number, number],
    halfWidth: pw / 2,
    halfHeight: ph / 2,
  })) as [PedicleGeometry, PedicleGeometry];
  const laminaHalfWidth = x0 + shiftPost;
  const laminaZ: [number, number] = [0.05 * H, 0.7 * H];
  const spRoot = laminaFrontY - laminaThickness + 1 * s;
  const spinous = {
    rootY: spRoot,
    tipY: spRoot - d.spinousProcessLength * s,
    halfThickness: 3 * s,
    z0: 0.3 * H,
    z1: 0.72 * H,
    slope: 0.15,
  };
  const tpRadius = 3.5 * s;
  const transverse = [-1, 1].map((side) => {
    const root: [number, number, number] = [side * (x0 + shiftPost * 0.5), (y0 + yPost) / 2, zPed];
    const tip: [number, number, number] = [root[0] + side * d.transverseProcessLength * s, root[1] - 4 * s, zPed];
    return { root, tip, radius: tpRadius };
  });
  const sapRoot = [-1, 1].map((side) => [side * (x0 + shiftPost * 0.5), laminaFrontY - laminaThickness / 4, 0.7 * H] as [number, number, number]);
  const iapRoot = [-1, 1].map((side) => [side * (cw / 2 + 2 * s), laminaFrontY - laminaThickness / 2, 0.12 * H] as [number, number, number]);
  // local bounds of the posterior elements: union of the feature boxes
  const bx = new Float64Array([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]);
  const grow = (x: number, y: number, z: number, r: number): void => {
    bx[0] = Math.min(bx[0], x - r);
    bx[1] = Math.min(bx[1], y - r);
    bx[2] = Math.min(bx[2], z - r);
    bx[3] = Math.max(bx[3], x + r);
    bx[4] = Math.max(bx[4], y + r);
    bx[5] = Math.max(bx[5], z + r);
  };
  for (const pd of pedicles) {
    const r = Math.max(pd.halfWidth, pd.halfHeight);
    for (const sx of pd.extent) grow(pd.centre[0] + sx * pd.axis[0], pd.centre[1] + sx * pd.axis[1], pd.centre[2], r);
  }
  grow(-laminaHalfWidth, laminaFrontY - laminaThickness, laminaZ[0], 0);
  grow(laminaHalfWidth, laminaFrontY, laminaZ[1], 0);
  grow(0, spinous.tipY, spinous.z0 - spinous.slope * (spinous.rootY - spinous.tipY), spinous.halfThickness);
  grow(0, spinous.rootY, spinous.z1, spinous.halfThickness);
  for (const t of transverse) {
    grow(t.root[0], t.root[1], t.root[2], t.radius);
    grow(t.tip[0], t.tip[1], t.tip[2], t.radius);
  }
  return {
    level,
    frame,
    a,
    b,
    H,
    notchRadius,
    notchCentreY,
    notchDepth,
    superiorConcavity: ENDPLATE_CONCAVITY.superiorEndplateDepth * s,
    inferiorConcavity: ENDPLATE_CONCAVITY.inferiorEndplateDepth * s,
    corticalThickness: p.corticalThickness,
    endplateThickness: p.endplateThickness,
    pedicles,
    laminaFrontY,
    laminaThickness,
    laminaHalfWidth,
    laminaZ,
    spinous,
    transverse,
    sapRoot,
    iapRoot,
    posteriorBounds: bx,
  };
}

/**
 * Signed distance (mm, local) to the endplate outline: superellipse minus the posterior notch.
 * @example
 * ```ts
 * bodyOutlineDistance(g.vertebrae[0], 0, 0) < 0; // centre is inside
 * ```
 */
export function bodyOutlineDistance(v: { a: number; b: number; notchRadius: number; notchCentreY: number }, x: number, y: number): number {
  const dse = superellipseDistance(x, y, v.a, v.b, ENDPLATE_EXPONENT);
  const dy = y - v.notchCentreY;
  const dn = v.notchRadius - Math.sqrt(x * x + dy * dy);
  return dse > dn ? dse : dn;
}

/**
 * Endplate dome profile: 1 at the centre, 0 beyond the central fraction of the outline.
 * @example
 * ```ts
 * concavityProfile(g.vertebrae[0], 0, 0); // 1 at the centre
 * ```
 */
export function concavityProfile(v: { a: number; b: number }, x: number, y: number): number {
  const rho = superellipseRadius(x, y, v.a, v.b, ENDPLATE_EXPONENT) / ENDPLATE_CONCAVITY.centralFraction;
  return rho < 1 ? 1 - rho * rho : 0;
}

/**
 * Local z of the superior (cranial) endplate surface of a vertebral body at (x, y), mm.
 * @example
 * ```ts
 * superiorSurfaceZ(v, 0, 0); // H − 0.7 mm
 * ```
 */
export function superiorSurfaceZ(v: VertebraGeometry, x: number, y: number): number {
  return v.H - v.superiorConcavity * concavityProfile(v, x, y);
}

/**
 * Local z of the inferior (caudal) endplate surface of a vertebral body at (x, y), mm.
 * @example
 * ```ts
 * inferiorSurfaceZ(v, 0, 0); // 1.5 mm
 * ```
 */
export function inferiorSurfaceZ(v: VertebraGeometry, x: number, y: number): number {
  return v.inferiorConcavity * concavityProfile(v, x, y);
}

/**
 * Is the local point inside the vertebral body (cortex included)?
 * @example
 * ```ts
 * insideBody(v, 0, 0, v.H / 2); // true
 * ```
 */
export function insideBody(v: VertebraGeometry, x: number, y: number, z: number): boolean {
  if (z < 0 || z > v.H) return false;
  if (bodyOutlineDistance(v, x, y) > 0) return false;
  const prof = concavityProfile(v, x, y);
  return z >= v.inferiorConcavity * prof && z <= v.H - v.superiorConcavity * prof;
}

/**
 * Is the local point inside the posterior elements of the vertebra (pedicles, lamina, spinous and transverse processes)? Articular processes are separate (world-space facet parts).
 * @example
 * ```ts
 * insidePosterior(v, 0, v.spinous.tipY + 2, (v.spinous.z0 + v.spinous.z1) / 2 - 3); // inside the spinous process
 * ```
 */
export function insidePosterior(v: VertebraGeometry, x: number, y: number, z: number): boolean {
  const pb = v.posteriorBounds;
  if (x < pb[0] || x > pb[3] || y < pb[1] || y > pb[4] || z < pb[2] || z > pb[5]) return false;
  for (const pd of v.pedicles) {
    const rx = x - pd.centre[0];
    const ry = y - pd.centre[1];
    const rz = z - pd.centre[2];
    const s = rx * pd.axis[0] + ry * pd.axis[1];
    if (s < pd.extent[0] || s > pd.extent[1]) continue;
    const lat = rx * pd.axis[1] - ry * pd.axis[0];
    const u = lat / pd.halfWidth;
    const w = rz / pd.halfHeight;
    if (u * u + w * w <= 1) return true;
  }
  if (
    Math.abs(x) <= v.laminaHalfWidth &&
    y <= v.laminaFrontY &&
    y >= v.laminaFrontY - v.laminaThickness &&
    z >= v.laminaZ[0] &&
    z <= v.laminaZ[1]
  ) {
    return true;
  }
  const sp = v.spinous;
  if (Math.abs(x) <= sp.halfThickness && y <= sp.rootY && y >= sp.tipY) {
    const drop = sp.slope * (sp.rootY - y);
    if (z >= sp.z0 - drop && z <= sp.z1 - drop) return true;
  }
  for (const t of v.transverse) {
    if (capsuleDistance(x, y, z, t.root[0], t.root[1], t.root[2], t.tip[0], t.tip[1], t.tip[2], t.radius) <= 0) return true;
  }
  return false;
}

/**
 * Resolves all anatomical geometry of a (validated) parameter set: vertebra
 * frames, body and posterior-element dimensions, disc footprints and nucleus,
 * facet joints. Lengths in mm.
 *
 * @example
 * ```ts
 * const g = resolveSegmentGeometry(defaultParameters('L4'));
 * g.vertebrae[0].level; // 'L4'
 * ```
 */
export function resolveSegmentGeometry(p: LumbarSegmentParameters): SegmentGeometry {
  const i0 = LUMBAR_LEVELS.indexOf(p.levels.top);
  const i1 = LUMBAR_LEVELS.indexOf(p.levels.bottom);
  const levels = LUMBAR_LEVELS.slice(i0, i1 + 1) as LumbarLevel[];
  const nDisc = levels.length - 1;
  const lordosis = typeof p.lordosisDeg === 'number' ? new Array<number>(nDisc).fill(p.lordosisDeg) : p.lordosisDeg;
  const gamma = (p.frontalWedgeDeg * Math.PI) / 180;
  const vertebrae: VertebraGeometry[] = new Array(levels.length);
  const midFrames: Frame[] = new Array(nDisc);
  let frame = frameIdentity();
  for (let k = levels.length - 1; k >= 0; k--) {
    vertebrae[k] = vertebraLocal(levels[k], p, frame);
    if (k > 0) {
      const H = vertebrae[k].H;
      const h = discMiddleHeight(p, levels[k - 1]);
      const alpha = (lordosis[k - 1] * Math.PI) / 180;
      midFrames[k - 1] = frameCompose(frame, frameCompose(frameTranslation(0, 0, H + h / 2), frameCompose(frameRotationX(alpha / 2), frameRotationY(-gamma / 2))));
      frame = frameCompose(frame, frameCompose(frameTranslation(0, 0, H + h), frameCompose(frameRotationX(alpha), frameRotationY(-gamma))));
    }
  }
  const discs: DiscGeometry[] = [];
  for (let k = 0; k < nDisc; k++) {
    const up = vertebrae[k];
    const lo = vertebrae[k + 1];
    const a = (up.a + lo.a) / 2;
    const b = (up.b + lo.b) / 2;
    const notchRadius = (up.notchRadius + lo.notchRadius) / 2;
    const notchDepth = (up.notchDepth + lo.notchDepth) / 2;
    const outline = { a, b, notchRadius, notchCentreY: -b - notchRadius + notchDepth };
    // footprint area by midpoint quadrature on a 0.25 mm grid (exact enough for a ratio)
    const hq = 0.25;
    let n = 0;
    for (let y = -b + hq / 2; y < b; y += hq) for (let x = -a + hq / 2; x < a; x += hq) if (bodyOutlineDistance(outline, x, y) <= 0) n++;
    const area = n * hq * hq;
    // nucleus: ellipse k·a × k·b with π k² a b = f · area
    const kN = Math.sqrt((p.nucleusAreaFraction * area) / (Math.PI * a * b));
    const mid = midFrames[k];
    const facets = [-1, 1].map((side) => facetJoint(p, up, lo, mid, side)) as [FacetGeometry, FacetGeometry];
    discs.push({
      name: `${up.level}-${lo.level}`,
      upper: up,
      lower: lo,
      middleHeight: discMiddleHeight(p, up.level),
      lordosisDeg: lordosis[k],
      frontalWedgeDeg: p.frontalWedgeDeg,
      frame: mid,
      a,
      b,
      notchRadius,
      notchCentreY: outline.notchCentreY,
      nucleusA: kN * a,
      nucleusB: kN * b,
      nucleusCentreY: -p.nucleusPosteriorOffset,
      nucleusScale: kN,
      lamellae: p.annulusLamellae,
      fibreAngleDeg: p.annulusFibreAngleDeg,
      facets,
    });
  }
  return { vertebrae, discs };
}

function facetJoint(p: LumbarSegmentParameters, up: VertebraGeometry, lo: VertebraGeometry, mid: Frame, side: number): FacetGeometry {
  const s = p.globalScale;
  const pick = (v: VertebraGeometry): [number, number] => {
    const pd = v.pedicles[side < 0 ? 0 : 1];
    const xPost = Math.abs(pd.centre[0] + pd.extent[0] * pd.axis[0]);
    return [(Math.abs(pd.centre[0]) + xPost) / 2, v.laminaFrontY - v.laminaThickness / 2];
  };
  const [xl, yl] = pick(lo);
  const [xu, yu] = pick(up);
  const pl = frameToWorld(lo.frame, [side * xl, yl, lo.H]);
  const pu = frameToWorld(up.frame, [side * xu, yu, 0]);
  // joint centre mid-way between the two processes, raised 1.5 mm so the inferior articular
  // process ends above the lower pedicle (as in the lumbar spine)
  const up3 = frameDirToWorld(mid, [0, 0, 1.5 * s]);
  const centre: [number, number, number] = [(pl[0] + pu[0]) / 2 + up3[0], (pl[1] + pu[1]) / 2 + up3[1], (pl[2] + pu[2]) / 2 + up3[2]];
  const psi = (((VERTEBRA_DIMENSIONS[up.level].facetAngleDeg + VERTEBRA_DIMENSIONS[lo.level].facetAngleDeg) / 2) * Math.PI) / 180;
  // SAP → IAP points medially and posteriorly: n = (−side·cos ψ, −sin ψ, 0) in the mid-disc frame
  const normal = frameDirToWorld(mid, [-side * Math.cos(psi), -Math.sin(psi), 0]);
  const v = frameDirToWorld(mid, [0, 0, 1]);
  const u: [number, number, number] = [v[1] * normal[2] - v[2] * normal[1], v[2] * normal[0] - v[0] * normal[2], v[0] * normal[1] - v[1] * normal[0]];
  // two voxels on opposite sides of the gap share no node when the gap exceeds the largest
  // normal-distance between 26-neighbours, h·(|n_x| + |n_y| + |n_z|)
  const l1 = Math.abs(normal[0]) + Math.abs(normal[1]) + Math.abs(normal[2]);
  const gap = Math.max(p.facetGap, p.resolution * l1 * 1.02);
  const i = side < 0 ? 0 : 1;
  return {
    side,
    centre,
    normal,
    u,
    v,
    halfU: 7 * s,
    halfV: 7.5 * s,
    gap,
    plateThickness: 4 * s,
    pillarRadius: 3.5 * s,
    sapRoot: frameToWorld(lo.frame, lo.sapRoot[i]),
    iapRoot: frameToWorld(up.frame, up.iapRoot[i]),
  };
}

/** Labels the anatomical parts paint (voxel label = region id + 1, 0 = none). */
export interface AnatomyLabels {
  /** Per vertebra (top → bottom). */
  cortical: number[];
  cancellous: number[];
  endplate: number[];
  posterior: number[];
  /** Per disc (top → bottom). */
  annulus: number[];
  nucleus: number[];
  facetCartilage: number[];
}

function worldBounds(boxes: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]);
  for (const b of boxes) {
    for (let k = 0; k < 3; k++) {
      out[k] = Math.min(out[k], b[k]);
      out[3 + k] = Math.max(out[3 + k], b[3 + k]);
    }
  }
  return out;
}

/**
 * Is the world point inside the disc space between the two endplates (footprint included)? Returns the mid-frame coordinates through `out`.
 * @example
 * ```ts
 * const mid = new Float64Array(3);
 * if (discSpaceContains(g.discs[0], 0, 0, 32, mid)) console.log(mid);
 * ```
 */
export function discSpaceContains(d: DiscGeometry, x: number, y: number, z: number, out?: Float64Array): boolean {
  const fl = d.lower.frame;
  const xl = x - fl[9];
  const yl = y - fl[10];
  const zl = z - fl[11];
  const lx = fl[0] * xl + fl[3] * yl + fl[6] * zl;
  const ly = fl[1] * xl + fl[4] * yl + fl[7] * zl;
  const lz = fl[2] * xl + fl[5] * yl + fl[8] * zl;
  if (lz < d.lower.H - d.lower.superiorConcavity) return false;
  if (lz < superiorSurfaceZ(d.lower, lx, ly)) return false;
  const fu = d.upper.frame;
  const xu = x - fu[9];
  const yu = y - fu[10];
  const zu = z - fu[11];
  const uz = fu[2] * xu + fu[5] * yu + fu[8] * zu;
  if (uz > d.upper.inferiorConcavity) return false;
  const ux = fu[0] * xu + fu[3] * yu + fu[6] * zu;
  const uy = fu[1] * xu + fu[4] * yu + fu[7] * zu;
  if (uz > inferiorSurfaceZ(d.upper, ux, uy)) return false;
  const fm = d.frame;
  const xm = x - fm[9];
  const ym = y - fm[10];
  const zm = z - fm[11];
  const mx = fm[0] * xm + fm[3] * ym + fm[6] * zm;
  const my = fm[1] * xm + fm[4] * ym + fm[7] * zm;
  if (bodyOutlineDistance(d, mx, my) > 0) return false;
  if (out) {
    out[0] = mx;
    out[1] = my;
    out[2] = fm[2] * xm + fm[5] * ym + fm[8] * zm;
  }
  return true;
}

/**
 * Per-part voxel classifiers of the anatomy, in painting order (later parts
 * overwrite earlier ones, so the order is the inverse priority): discs,
 * posterior elements, articular processes, vertebral bodies, facet cartilage.
 * Implants are added after these by {@link implantParts} of `implants.ts`.
 * @example
 * ```ts
 * paintParts(grid, anatomyParts(resolveSegmentGeometry(p), labels));
 * ```
 */
export function anatomyParts(g: SegmentGeometry, labels: AnatomyLabels): VoxelPart[] {
  const parts: VoxelPart[] = [];
  g.discs.forEach((d, k) => {
    const mid = new Float64Array(3);
    const ann = labels.annulus[k];
    const nuc = labels.nucleus[k];
    const boxes = [
      frameBoxToWorld(d.lower.frame, [-d.lower.a, -d.lower.b, d.lower.H - d.lower.superiorConcavity, d.lower.a, d.lower.b, d.lower.H + d.middleHeight]),
      frameBoxToWorld(d.upper.frame, [-d.upper.a, -d.upper.b, -d.middleHeight, d.upper.a, d.upper.b, d.upper.inferiorConcavity]),
    ];
    const nA = d.nucleusA;
    const nB = d.nucleusB;
    const nC = d.nucleusCentreY;
    parts.push({
      name: `${d.name}.disc`,
      bounds: worldBounds(boxes),
      classify(x, y, z) {
        if (!discSpaceContains(d, x, y, z, mid)) return 0;
        const u = mid[0] / nA;
        const w = (mid[1] - nC) / nB;
        return u * u + w * w <= 1 ? nuc : ann;
      },
    });
  });
  g.vertebrae.forEach((v, k) => {
    const f = v.frame;
    const lab = labels.posterior[k];
    parts.push({
      name: `${v.level}.posterior`,
      bounds: frameBoxToWorld(f, v.posteriorBounds),
      classify(x, y, z) {
        const xl = x - f[9];
        const yl = y - f[10];
        const zl = z - f[11];
        return insidePosterior(v, f[0] * xl + f[3] * yl + f[6] * zl, f[1] * xl + f[4] * yl + f[7] * zl, f[2] * xl + f[5] * yl + f[8] * zl) ? lab : 0;
      },
    });
  });
  g.discs.forEach((d, k) => {
    const labLo = labels.posterior[k + 1];
    const labUp = labels.posterior[k];
    for (const fj of d.facets) {
      const { centre: c, normal: n, u, v } = fj;
      const g2 = fj.gap / 2;
      const t = fj.plateThickness;
      const sapC = [c[0] - n[0] * (g2 + t / 2), c[1] - n[1] * (g2 + t / 2), c[2] - n[2] * (g2 + t / 2)];
      const iapC = [c[0] + n[0] * (g2 + t / 2), c[1] + n[1] * (g2 + t / 2), c[2] + n[2] * (g2 + t / 2)];
      const plateExtent = Math.max(fj.halfU, fj.halfV) + t + g2;
      const procBounds = (root: number[], pc: number[]): Float64Array => {
        const r = fj.pillarRadius;
        return new Float64Array([
          Math.min(root[0] - r, c[0] - plateExtent),
          Math.min(root[1] - r, c[1] - plateExtent),
          Math.min(root[2] - r, c[2] - plateExtent),
          Math.max(root[0] + r, c[0] + plateExtent, pc[0] + r),
          Math.max(root[1] + r, c[1] + plateExtent, pc[1] + r),
          Math.max(root[2] + r, c[2] + plateExtent, pc[2] + r),
        ]);
      };
      const inPlate = (x: number, y: number, z: number, w0: number, w1: number): boolean => {
        const dx = x - c[0];
        const dy = y - c[1];
        const dz = z - c[2];
        const w = dx * n[0] + dy * n[1] + dz * n[2];
        if (w < w0 || w > w1) return false;
        const pu = (dx * u[0] + dy * u[1] + dz * u[2]) / fj.halfU;
        const pv = (dx * v[0] + dy * v[1] + dz * v[2]) / fj.halfV;
        return pu * pu + pv * pv <= 1;
      };
      const wOf = (x: number, y: number, z: number): number => (x - c[0]) * n[0] + (y - c[1]) * n[1] + (z - c[2]) * n[2];
      const sr = fj.sapRoot;
      const ir = fj.iapRoot;
      const sideName = fj.side < 0 ? 'left' : 'right';
      parts.push({
        name: `${d.name}.facet.${sideName}.superiorArticularProcess`,
        bounds: procBounds(sr, sapC),
        classify(x, y, z) {
          if (wOf(x, y, z) > -g2) return 0;
          if (inPlate(x, y, z, -g2 - t, -g2)) return labLo;
          return capsuleDistance(x, y, z, sr[0], sr[1], sr[2], sapC[0], sapC[1], sapC[2], fj.pillarRadius) <= 0 ? labLo : 0;
        },
      });
      parts.push({
        name: `${d.name}.facet.${sideName}.inferiorArticularProcess`,
        bounds: procBounds(ir, iapC),
        classify(x, y, z) {
          if (wOf(x, y, z) < g2) return 0;
          if (inPlate(x, y, z, g2, g2 + t)) return labUp;
          return capsuleDistance(x, y, z, ir[0], ir[1], ir[2], iapC[0], iapC[1], iapC[2], fj.pillarRadius) <= 0 ? labUp : 0;
        },
      });
    }
  });
  g.vertebrae.forEach((v, k) => {
    const f = v.frame;
    const cort = labels.cortical[k];
    const canc = labels.cancellous[k];
    const ep = labels.endplate[k];
    const tc = v.corticalThickness;
    const te = v.endplateThickness;
    parts.push({
      name: `${v.level}.body`,
      bounds: frameBoxToWorld(f, [-v.a, -v.b, 0, v.a, v.b, v.H]),
      classify(x, y, z) {
        const xw = x - f[9];
        const yw = y - f[10];
        const zw = z - f[11];
        const zl = f[2] * xw + f[5] * yw + f[8] * zw;
        if (zl < 0 || zl > v.H) return 0;
        const xl = f[0] * xw + f[3] * yw + f[6] * zw;
        const yl = f[1] * xw + f[4] * yw + f[7] * zw;
        const dxy = bodyOutlineDistance(v, xl, yl);
        if (dxy > 0) return 0;
        const prof = concavityProfile(v, xl, yl);
        const zb = v.inferiorConcavity * prof;
        const zt = v.H - v.superiorConcavity * prof;
        if (zl < zb || zl > zt) return 0;
        if (dxy > -tc) return cort;
        if (zl - zb < te || zt - zl < te) return ep;
        return canc;
      },
    });
  });
  g.discs.forEach((d, k) => {
    const lab = labels.facetCartilage[k];
    for (const fj of d.facets) {
      const { centre: c, normal: n, u, v } = fj;
      const g2 = fj.gap / 2;
      const e = Math.max(fj.halfU, fj.halfV) + g2;
      parts.push({
        name: `${d.name}.facet.${fj.side < 0 ? 'left' : 'right'}.cartilage`,
        bounds: new Float64Array([c[0] - e, c[1] - e, c[2] - e, c[0] + e, c[1] + e, c[2] + e]),
        classify(x, y, z) {
          const dx = x - c[0];
          const dy = y - c[1];
          const dz = z - c[2];
          const w = dx * n[0] + dy * n[1] + dz * n[2];
          if (w < -g2 || w > g2) return 0;
          const pu = (dx * u[0] + dy * u[1] + dz * u[2]) / fj.halfU;
          const pv = (dx * v[0] + dy * v[1] + dz * v[2]) / fj.halfV;
          return pu * pu + pv * pv <= 1 ? lab : 0;
        },
      });
    }
  });
  return parts;
}
