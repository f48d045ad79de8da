/**
 * Parameters of a patient-parametric lumbar motion segment, their units and
 * valid ranges, the defaults, validation and the linear-elastic material table.
 *
 * Coordinate system used everywhere in `spine/`: x lateral (patient's left →
 * right), y anterior, z superior (cranial); origin at the centre of the
 * inferior endplate of the lowest vertebra; mm.
 */
import { InvalidParameterError } from '../errors.js';
import { DISC_DIMENSIONS, LUMBAR_LEVELS, VERTEBRA_DIMENSIONS, discName, type LumbarLevel } from './geometry.js';
import { checkImplantFeasibility, checkSegmentFeasibility } from './implants.js';

export type { LumbarLevel } from './geometry.js';

/** Bone quality: selects cortical/cancellous/posterior moduli. */
export type BoneQuality = 'normal' | 'osteopenic' | 'osteoporotic';

/**
 * Bilateral pedicle screws, one pair in every vertebra of the span.
 * Units mm and degrees.
 */
export interface ScrewParameters {
  /** Major (thread) diameter, mm, 4.5–7.5. */
  diameter: number;
  /** Shaft length from the entry point to the tip, mm, 30–55. */
  length: number;
  /** Medial convergence from the sagittal plane, deg, 0–45; default: the level's pedicle transverse angle. */
  convergenceDeg?: number;
  /** Sagittal angle from the vertebra's endplate plane, deg, −30…30; positive tips point caudally (anatomic trajectory). */
  sagittalDeg: number;
  /** Entry-point offset `[lateral, cranial]`, mm, each −5…5 (lateral positive away from the midline). */
  entryOffset: [number, number];
  /** Approximate the thread by a sinusoidal radius (pitch 2.5 mm, depth 0.15·diameter). Default false. */
  threads?: boolean;
  /** Screw material, default 'Ti' (Ti6Al4V). */
  material?: 'Ti' | 'CoCr';
}

/** Longitudinal rods connecting the screw heads on each side. */
export interface RodParameters {
  /** Rod diameter, mm, 5–6.35. */
  diameter: number;
  material: 'Ti' | 'CoCr';
}

/** Interbody cage type: its footprint and insertion direction. */
export type CageType = 'TLIF' | 'PLIF' | 'ALIF' | 'LLIF';

/** An interbody cage in every disc of the span. */
export interface CageParameters {
  type: CageType;
  /** Height at the footprint centre, mm, 6–20; must fit the disc space there (≤ space + 1 mm press fit). */
  height: number;
  /** Lordotic (sagittal wedge) angle, deg, 0–20. */
  lordoticDeg: number;
  material: 'PEEK' | 'Ti';
  /** Footprint length (long side), mm, 15–60; default per type. */
  length?: number;
  /** Footprint width (short side), mm, 8–40; default per type. */
  width?: number;
}

/** Instrumentation; every member optional (an empty object is the intact segment). */
export interface ImplantParameters {
  screws?: ScrewParameters;
  rods?: RodParameters;
  cage?: CageParameters;
}

/**
 * All parameters of a lumbar segment model. Units: mm and degrees.
 *
 * @example
 * ```ts
 * const p = { ...defaultParameters('L4'), resolution: 1 };
 * validateParameters(p);
 * ```
 */
export interface LumbarSegmentParameters {
  /** Span, e.g. `{ top: 'L4', bottom: 'L5' }`; top must lie above bottom. */
  levels: { top: LumbarLevel; bottom: LumbarLevel };
  /** Uniform scale of all anatomical dimensions, 0.8–1.2. */
  globalScale: number;
  /** Scale of the disc heights, 0.5–1.5. */
  discHeightScale: number;
  /** Segmental lordosis (disc wedge in the sagittal plane, anterior taller), deg, −5…25; one value for all discs or one per disc (top → bottom). Default: from the MRI disc heights. */
  lordosisDeg: number | number[];
  /** Frontal-plane disc wedge, deg, −10…10; positive: disc taller on the right (+x). */
  frontalWedgeDeg: number;
  boneQuality: BoneQuality;
  /** Disc degeneration grade 0–3 (fractional allowed): height loss 0/10/25/40 % and stiffer nucleus, softer annulus. */
  degenerationGrade: number;
  /**
   * Which mesher: `'body-fitted'` (default; fixed-topology multi-block hex8 whose node
   * positions are smooth in every parameter) or `'voxel'` (hex8 voxels of edge `resolution`).
   */
  mesher?: 'body-fitted' | 'voxel';
  /** Body-fitted refinement: every block subdivided this many times per direction, integer 1–6 (default 2). */
  refinement?: number;
  /** Voxel edge length, mm, 0.25–2 (voxel mesher only). */
  resolution: number;
  /** Cortical shell thickness, mm, 0.2–3 (at least one voxel layer is always kept). */
  corticalThickness: number;
  /** Bony endplate thickness, mm, 0.2–3 (at least one voxel layer is always kept). */
  endplateThickness: number;
  /** Nucleus area ÷ disc cross-section area, 0.2–0.6. */
  nucleusAreaFraction: number;
  /** Posterior offset of the nucleus centre from the disc centre, mm, 0–8. */
  nucleusPosteriorOffset: number;
  /** Annulus fibre angle from the horizontal circumferential direction, deg, 15–45 (alternating ± by lamella). */
  annulusFibreAngleDeg: number;
  /** Number of annulus lamellae, integer 1–30. */
  annulusLamellae: number;
  /** Facet cartilage gap (both cartilage layers), mm, 0.5–4; widened to separate the voxels of the two articular processes. */
  facetGap: number;
  /** Laplacian smoothing passes over boundary/interface nodes, integer 0–50. */
  smoothIterations: number;
  /** Smoothing never lets a hex's scaled Jacobian fall below this, 0.05–0.95. */
  minScaledJacobian: number;
  /**
   * Shift of the voxel grid against the anatomy, as fractions of a voxel on x, y, z,
   * each in [0, 1); default none (the world origin is a grid node). The geometry is
   * the same for every shift; only where it is sampled moves — so the spread of a
   * figure over shifts measures its discretisation noise at this resolution.
   */
  gridShift?: [number, number, number];
  implants: ImplantParameters;
}

/** Inclusive valid range of each numeric parameter, with its unit (documentation and validation). */
export const PARAMETER_RANGES = {
  globalScale: { min: 0.8, max: 1.2, unit: '1' },
  discHeightScale: { min: 0.5, max: 1.5, unit: '1' },
  lordosisDeg: { min: -5, max: 25, unit: 'deg' },
  frontalWedgeDeg: { min: -10, max: 10, unit: 'deg' },
  degenerationGrade: { min: 0, max: 3, unit: 'grade' },
  resolution: { min: 0.25, max: 2, unit: 'mm' },
  refinement: { min: 1, max: 6, unit: 'count' },
  corticalThickness: { min: 0.2, max: 3, unit: 'mm' },
  endplateThickness: { min: 0.2, max: 3, unit: 'mm' },
  nucleusAreaFraction: { min: 0.2, max: 0.6, unit: '1' },
  nucleusPosteriorOffset: { min: 0, max: 8, unit: 'mm' },
  annulusFibreAngleDeg: { min: 15, max: 45, unit: 'deg' },
  annulusLamellae: { min: 1, max: 30, unit: 'count' },
  facetGap: { min: 0.5, max: 4, unit: 'mm' },
  smoothIterations: { min: 0, max: 50, unit: 'count' },
  minScaledJacobian: { min: 0.05, max: 0.95, unit: '1' },
  'implants.screws.diameter': { min: 4.5, max: 7.5, unit: 'mm' },
  'implants.screws.length': { min: 30, max: 55, unit: 'mm' },
  'implants.screws.convergenceDeg': { min: 0, max: 45, unit: 'deg' },
  'implants.screws.sagittalDeg': { min: -30, max: 30, unit: 'deg' },
  'implants.screws.entryOffset': { min: -5, max: 5, unit: 'mm' },
  'implants.rods.diameter': { min: 5, max: 6.35, unit: 'mm' },
  'implants.cage.height': { min: 6, max: 20, unit: 'mm' },
  'implants.cage.lordoticDeg': { min: 0, max: 20, unit: 'deg' },
  'implants.cage.length': { min: 15, max: 60, unit: 'mm' },
  'implants.cage.width': { min: 8, max: 40, unit: 'mm' },
} as const;

/**
 * Default disc wedge angle (deg) from the MRI disc heights [V]:
 * `α = atan((h_anterior − h_posterior) / depth)`; L4/5 → 13.6°.
 * @example
 * ```ts
 * defaultLordosisDeg('L4'); // ≈ 13.6°
 * ```
 */
export function defaultLordosisDeg(upper: LumbarLevel): number {
  const d = DISC_DIMENSIONS[discName(upper)];
  return (Math.atan((d.anteriorHeight - d.posteriorHeight) / d.depth) * 180) / Math.PI;
}

function parseSpan(level: string | undefined): { top: LumbarLevel; bottom: LumbarLevel } {
  const s = level ?? 'L4-L5';
  const m = /^(L[1-5])(?:\s*[-–]\s*(L[1-5]))?$/.exec(s);
  if (!m) throw new InvalidParameterError('level', `'${s}' is not a lumbar level ('L1'..'L4') or span ('L2-L4')`);
  const top = m[1] as LumbarLevel;
  if (m[2] === undefined) {
    if (top === 'L5') throw new InvalidParameterError('level', "'L5' has no lumbar vertebra below it (L5–S1 is not modelled); use 'L4' or a span ending at 'L5'");
    return { top, bottom: LUMBAR_LEVELS[LUMBAR_LEVELS.indexOf(top) + 1] };
  }
  const bottom = m[2] as LumbarLevel;
  if (LUMBAR_LEVELS.indexOf(bottom) <= LUMBAR_LEVELS.indexOf(top)) {
    throw new InvalidParameterError('level', `span '${s}': the top vertebra must lie above the bottom one`);
  }
  return { top, bottom };
}

/**
 * Levels of the span, top → bottom, e.g. `['L3', 'L4', 'L5']`.
 * @example
 * ```ts
 * spanLevels({ levels: { top: 'L2', bottom: 'L4' } }); // ['L2', 'L3', 'L4']
 * ```
 */
export function spanLevels(p: Pick<LumbarSegmentParameters, 'levels'>): LumbarLevel[] {
  const i0 = LUMBAR_LEVELS.indexOf(p.levels.top);
  const i1 = LUMBAR_LEVELS.indexOf(p.levels.bottom);
  return LUMBAR_LEVELS.slice(i0, i1 + 1) as LumbarLevel[];
}

/**
 * Default intact parameters for a motion segment (`'L4'` = L4–L5) or a span
 * (`'L2-L4'`). Resolution 1 mm, no implants, healthy grade-0 disc.
 *
 * @example
 * ```ts
 * const p = defaultParameters('L4'); // L4–L5, lordosis 13.6° from the MRI table
 * ```
 */
export function defaultParameters(level?: LumbarLevel | `${LumbarLevel}-${LumbarLevel}` | string): LumbarSegmentParameters {
  const levels = parseSpan(level);
  const lv = spanLevels({ levels });
  const lordosis = lv.slice(0, -1).map((l) => Math.round(defaultLordosisDeg(l) * 100) / 100);
  return {
    levels,
    globalScale: 1,
    discHeightScale: 1,
    lordosisDeg: lordosis.length === 1 ? lordosis[0] : lordosis,
    frontalWedgeDeg: 0,
    boneQuality: 'normal',
    degenerationGrade: 0,
    resolution: 1,
    corticalThickness: 1,
    endplateThickness: 1,
    nucleusAreaFraction: 0.4,
    nucleusPosteriorOffset: 2,
    annulusFibreAngleDeg: 30,
    annulusLamellae: 8,
    facetGap: 1.5,
    smoothIterations: 0,
    minScaledJacobian: 0.3,
    implants: {},
  };
}

function checkRange(name: keyof typeof PARAMETER_RANGES, v: unknown, integer = false): void {
  const r = PARAMETER_RANGES[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidParameterError(name, `must be a finite number (${r.unit}), got ${String(v)}`);
  }
  if (v < r.min || v > r.max) {
    throw new InvalidParameterError(name, `${v} ${r.unit} is outside the valid range ${r.min}–${r.max} ${r.unit}`);
  }
  if (integer && !Number.isInteger(v)) throw new InvalidParameterError(name, `must be an integer, got ${v}`);
}

function checkEnum<T extends string>(name: string, v: unknown, allowed: readonly T[]): void {
  if (!allowed.includes(v as T)) {
    throw new InvalidParameterError(name, `'${String(v)}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

/**
 * Lordosis per disc (top → bottom), deg, from the scalar-or-array parameter.
 * @example
 * ```ts
 * lordosisPerDisc(defaultParameters('L3-L5')); // [10.6, 13.6]
 * ```
 */
export function lordosisPerDisc(p: Pick<LumbarSegmentParameters, 'levels' | 'lordosisDeg'>): number[] {
  const n = spanLevels(p).length - 1;
  return typeof p.lordosisDeg === 'number' ? new Array<number>(n).fill(p.lordosisDeg) : p.lordosisDeg.slice();
}

/**
 * Checks every parameter: ranges, enumerations, and physical feasibility
 * (positive disc heights under the wedge angles; screws that fit the pedicle
 * and the body along their axis and do not collide; a cage that fits the disc
 * space). Throws {@link InvalidParameterError} naming the parameter path
 * (e.g. `implants.screws.length`).
 *
 * @example
 * ```ts
 * validateParameters({ ...defaultParameters('L4'), resolution: 5 }); // throws 'resolution: 5 mm is outside …'
 * ```
 */
export function validateParameters(p: LumbarSegmentParameters): void {
  if (p === null || typeof p !== 'object') throw new InvalidParameterError('parameters', 'must be an object');
  if (!p.levels || typeof p.levels !== 'object') throw new InvalidParameterError('levels', 'must be { top, bottom }');
  checkEnum('levels.top', p.levels.top, LUMBAR_LEVELS);
  checkEnum('levels.bottom', p.levels.bottom, LUMBAR_LEVELS);
  if (LUMBAR_LEVELS.indexOf(p.levels.bottom) <= LUMBAR_LEVELS.indexOf(p.levels.top)) {
    throw new InvalidParameterError('levels', `top '${p.levels.top}' must lie above bottom '${p.levels.bottom}'`);
  }
  checkRange('globalScale', p.globalScale);
  checkRange('discHeightScale', p.discHeightScale);
  const nDisc = spanLevels(p).length - 1;
  if (Array.isArray(p.lordosisDeg)) {
    if (p.lordosisDeg.length !== nDisc) {
      throw new InvalidParameterError('lordosisDeg', `has ${p.lordosisDeg.length} values but the span has ${nDisc} disc(s)`);
    }
    p.lordosisDeg.forEach((v) => checkRange('lordosisDeg', v));
  } else {
    checkRange('lordosisDeg', p.lordosisDeg);
  }
  checkRange('frontalWedgeDeg', p.frontalWedgeDeg);
  checkEnum('boneQuality', p.boneQuality, ['normal', 'osteopenic', 'osteoporotic'] as const);
  checkRange('degenerationGrade', p.degenerationGrade);
  checkRange('resolution', p.resolution);
  if (p.mesher !== undefined) checkEnum('mesher', p.mesher, ['body-fitted', 'voxel'] as const);
  if (p.refinement !== undefined) checkRange('refinement', p.refinement, true);
  checkRange('corticalThickness', p.corticalThickness);
  checkRange('endplateThickness', p.endplateThickness);
  checkRange('nucleusAreaFraction', p.nucleusAreaFraction);
  checkRange('nucleusPosteriorOffset', p.nucleusPosteriorOffset);
  checkRange('annulusFibreAngleDeg', p.annulusFibreAngleDeg);
  checkRange('annulusLamellae', p.annulusLamellae, true);
  checkRange('facetGap', p.facetGap);
  checkRange('smoothIterations', p.smoothIterations, true);
  checkRange('minScaledJacobian', p.minScaledJacobian);
  if (p.gridShift !== undefined) {
    if (!Array.isArray(p.gridShift) || p.gridShift.length !== 3) throw new InvalidParameterError('gridShift', 'must be three fractions of a voxel [x, y, z]');
    p.gridShift.forEach((v, k) => {
      if (!(v >= 0 && v < 1)) throw new InvalidParameterError('gridShift', `axis ${'xyz'[k]}: ${v} is not a fraction of a voxel in [0, 1)`);
    });
  }
  if (!p.implants || typeof p.implants !== 'object') throw new InvalidParameterError('implants', 'must be an object ({} for the intact segment)');
  const { screws, rods, cage } = p.implants;
  if (screws) {
    checkRange('implants.screws.diameter', screws.diameter);
    checkRange('implants.screws.length', screws.length);
    if (screws.convergenceDeg !== undefined) checkRange('implants.screws.convergenceDeg', screws.convergenceDeg);
    checkRange('implants.screws.sagittalDeg', screws.sagittalDeg);
    if (!Array.isArray(screws.entryOffset) || screws.entryOffset.length !== 2) {
      throw new InvalidParameterError('implants.screws.entryOffset', 'must be [lateral, cranial] in mm');
    }
    screws.entryOffset.forEach((v) => checkRange('implants.screws.entryOffset', v));
    if (screws.material !== undefined) checkEnum('implants.screws.material', screws.material, ['Ti', 'CoCr'] as const);
  }
  if (rods) {
    if (!screws) throw new InvalidParameterError('implants.rods', 'rods need pedicle screws to connect (implants.screws is missing)');
    checkRange('implants.rods.diameter', rods.diameter);
    checkEnum('implants.rods.material', rods.material, ['Ti', 'CoCr'] as const);
  }
  if (cage) {
    checkEnum('implants.cage.type', cage.type, ['TLIF', 'PLIF', 'ALIF', 'LLIF'] as const);
    checkRange('implants.cage.height', cage.height);
    checkRange('implants.cage.lordoticDeg', cage.lordoticDeg);
    checkEnum('implants.cage.material', cage.material, ['PEEK', 'Ti'] as const);
    if (cage.length !== undefined) checkRange('implants.cage.length', cage.length);
    if (cage.width !== undefined) checkRange('implants.cage.width', cage.width);
  }
  checkSegmentFeasibility(p);
  checkImplantFeasibility(p);
}

/** Anatomical or implant kind of a mesh region. */
export type RegionKind =
  | 'cortical'
  | 'cancellous'
  | 'endplate'
  | 'posterior'
  | 'annulus'
  | 'nucleus'
  | 'facetCartilage'
  | 'screw'
  | 'rod'
  | 'cage';

/** One named region of the segment mesh; its index is the mesh material id. */
export interface SegmentRegion {
  /** e.g. `L4.cortical`, `L4-L5.annulus`, `implant.screw.L5.left`, `implant.rod.right`, `implant.cage.L4-L5`. */
  name: string;
  kind: RegionKind;
  /** Vertebra level for bone and screws; disc name (`L4-L5`) for disc, cartilage and cage; side for rods. */
  owner: string;
  /** Screws and rods: −1 left, +1 right. */
  side?: -1 | 1;
}

/**
 * The region list of a segment in material-id order: per vertebra (top →
 * bottom) cortical, cancellous, endplate, posterior; per disc annulus,
 * nucleus, facetCartilage; then screws (per vertebra left, right), rods
 * (left, right) and cages (per disc).
 *
 * @example
 * ```ts
 * segmentRegions(defaultParameters('L4')).map((r) => r.name); // ['L4.cortical', …]
 * ```
 */
export function segmentRegions(p: Pick<LumbarSegmentParameters, 'levels' | 'implants'>): SegmentRegion[] {
  const lv = spanLevels(p);
  const out: SegmentRegion[] = [];
  for (const l of lv) {
    for (const kind of ['cortical', 'cancellous', 'endplate', 'posterior'] as const) out.push({ name: `${l}.${kind}`, kind, owner: l });
  }
  for (let i = 0; i + 1 < lv.length; i++) {
    const d = `${lv[i]}-${lv[i + 1]}`;
    for (const kind of ['annulus', 'nucleus', 'facetCartilage'] as const) out.push({ name: `${d}.${kind}`, kind, owner: d });
  }
  if (p.implants.screws) {
    for (const l of lv) for (const side of [-1, 1] as const) out.push({ name: `implant.screw.${l}.${side < 0 ? 'left' : 'right'}`, kind: 'screw', owner: l, side });
  }
  if (p.implants.rods) for (const side of [-1, 1] as const) out.push({ name: `implant.rod.${side < 0 ? 'left' : 'right'}`, kind: 'rod', owner: side < 0 ? 'left' : 'right', side });
  if (p.implants.cage) {
    for (let i = 0; i + 1 < lv.length; i++) out.push({ name: `implant.cage.${lv[i]}-${lv[i + 1]}`, kind: 'cage', owner: `${lv[i]}-${lv[i + 1]}` });
  }
  return out;
}

/** Isotropic linear-elastic constants of one region (plain data; `@spinefea/core` maps it to its materials). */
export interface RegionMaterial {
  /** Young's modulus, MPa. */
  E: number;
  /** Poisson's ratio. */
  nu: number;
  /** Where the value comes from, with its mark (V/S/U) from spine-literature.md, or 'assumption'. */
  source: string;
  /** Annulus only: collagen fibre moduli outer → inner lamella (MPa) and fibre angle (deg). */
  fibres?: { outerE: number; innerE: number; angleDeg: number; source: string };
}

/** Region name → material, for every region of {@link segmentRegions}. */
export type MaterialTable = Record<string, RegionMaterial>;

const LIT = 'spine-literature.md, linear-elastic materials';

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/**
 * Material of each region from the literature table (spine-literature.md),
 * adjusted for bone quality and disc degeneration. Osteopenic values are the
 * midpoint of normal and osteoporotic (assumption); osteoporotic posterior
 * elements and bony endplate are scaled by the cortical ratio 8040/12000
 * (assumption); degeneration interpolates linearly between the healthy and
 * degenerated annulus/nucleus values by grade/3 (assumption on the
 * interpolation, the end values are [V]).
 *
 * @example
 * ```ts
 * materialTable(defaultParameters('L4'))['L4.cortical']; // { E: 12000, nu: 0.3, source: '…' }
 * ```
 */
export function materialTable(p: LumbarSegmentParameters): MaterialTable {
  const q = p.boneQuality === 'normal' ? 0 : p.boneQuality === 'osteopenic' ? 0.5 : 1;
  const qs = q === 0 ? '' : q === 1 ? ', osteoporotic [V]' : ', osteopenic = midpoint normal/osteoporotic (assumption)';
  const corticalE = lerp(12000, 8040, q);
  const boneRatio = corticalE / 12000;
  const g = Math.min(Math.max(p.degenerationGrade, 0), 3) / 3;
  const gs = g === 0 ? '' : `, degeneration grade ${p.degenerationGrade}: linear interpolation to the degenerated value by grade/3 (assumption)`;
  const metal = (m: 'Ti' | 'CoCr'): RegionMaterial =>
    m === 'Ti'
      ? { E: 110000, nu: 0.3, source: `Ti6Al4V [V] (${LIT})` }
      : { E: 220000, nu: 0.29, source: `CoCr ASTM F1537 [S] (${LIT})` };
  const out: MaterialTable = {};
  for (const r of segmentRegions(p)) {
    switch (r.kind) {
      case 'cortical':
        out[r.name] = { E: corticalE, nu: 0.3, source: `cortical bone [V]${qs} (${LIT})` };
        break;
      case 'cancellous':
        out[r.name] = { E: lerp(100, 34, q), nu: 0.2, source: `cancellous bone [V]${qs} (${LIT})` };
        break;
      case 'endplate':
        out[r.name] = {
          E: 1000 * boneRatio,
          nu: 0.3,
          source: `bony endplate, lower end of the 1000–12000 MPa range [V]${q ? ', scaled by the cortical osteoporosis ratio (assumption)' : ''} (${LIT})`,
        };
        break;
      case 'posterior':
        out[r.name] = {
          E: 3500 * boneRatio,
          nu: 0.25,
          source: `posterior elements [V]${q ? ', scaled by the cortical osteoporosis ratio (assumption)' : ''} (${LIT})`,
        };
        break;
      case 'annulus':
        out[r.name] = {
          E: lerp(4.2, 2.5, g),
          nu: lerp(0.45, 0.4, g),
          source: `annulus ground substance, healthy 4.2/0.45, degenerated 2.5/0.40 [V]${gs} (${LIT})`,
          fibres: { outerE: 550, innerE: 358, angleDeg: p.annulusFibreAngleDeg, source: `annulus fibres outer → inner [V] (${LIT})` },
        };
        break;
      case 'nucleus':
        out[r.name] = { E: lerp(1.0, 2.0, g), nu: 0.499, source: `nucleus pulposus, healthy 1.0, degenerated 2.0 [V]${gs} (${LIT})` };
        break;
      case 'facetCartilage':
        out[r.name] = { E: 24, nu: 0.4, source: `cartilage (endplate) 24 MPa, ν 0.25–0.4 [V], used for the facet cartilage (assumption) (${LIT})` };
        break;
      case 'screw':
        out[r.name] = metal(p.implants.screws?.material ?? 'Ti');
        break;
      case 'rod':
        out[r.name] = metal(p.implants.rods?.material ?? 'Ti');
        break;
      case 'cage':
        out[r.name] =
          p.implants.cage?.material === 'Ti' ? metal('Ti') : { E: 3600, nu: 0.3, source: `PEEK [V] (${LIT})` };
        break;
    }
  }
  return out;
}

/**
 * Dimensions of the level table for a vertebra, re-exported for convenience.
 * @example
 * ```ts
 * levelDimensions('L5').pedicleWidth; // 18 mm
 * ```
 */
export function levelDimensions(level: LumbarLevel) {
  return VERTEBRA_DIMENSIONS[level];
}
