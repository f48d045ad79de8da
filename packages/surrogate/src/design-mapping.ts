/**
 * From the unit cube to design points, and from design points to the solver's
 * segment parameters and load case (uses `@spinefea/mesh` for the implant fit).
 */
import {
  defaultImplants,
  defaultParameters,
  VERTEBRA_DIMENSIONS,
  type LumbarSegmentParameters,
  type LumbarLevel,
} from '@spinefea/mesh';
import { SurrogateInputError } from './errors.js';
import {
  BONE_QUALITIES,
  CAGE_MATERIALS,
  CONFIGURATIONS,
  configurationHas,
  DESIGN_DIMENSIONS,
  LEVELS,
  MOTIONS,
  ROD_MATERIALS,
  type DesignPoint,
  type Motion,
} from './design-space.js';

/** defaultImplants per anatomy (the fit does not depend on implants, load or bone moduli); bounded cache. */
const fitCache = new Map<string, ReturnType<typeof defaultImplants>>();
function implantFit(p: DesignPoint): ReturnType<typeof defaultImplants> {
  const key = `${p.level}|${p.globalScale}|${p.discHeightScale}|${p.lordosisDeg}|${p.degenerationGrade}`;
  let fit = fitCache.get(key);
  if (!fit) {
    fit = defaultImplants(anatomyParameters(p, 1));
    if (fitCache.size >= 4096) fitCache.delete(fitCache.keys().next().value as string);
    fitCache.set(key, fit);
  }
  return fit;
}

function bin<T>(u: number, choices: readonly T[]): T {
  return choices[Math.min(choices.length - 1, Math.floor(u * choices.length))];
}

function lerp(lo: number, hi: number, u: number): number {
  return lo + (hi - lo) * u;
}

/** Round to a step so the stored inputs are readable and hash stably. */
function round(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return Number((Math.round(v / step) * step).toFixed(decimals));
}

/**
 * The segment parameters of a design point without implants, at a resolution.
 * @example
 * ```ts
 * const base = anatomyParameters(point, 2);
 * ```
 */
export function anatomyParameters(p: Pick<DesignPoint, 'level' | 'globalScale' | 'discHeightScale' | 'lordosisDeg' | 'boneQuality' | 'degenerationGrade'>, resolution: number): LumbarSegmentParameters {
  return {
    ...defaultParameters(p.level as LumbarLevel),
    globalScale: p.globalScale,
    discHeightScale: p.discHeightScale,
    lordosisDeg: p.lordosisDeg,
    boneQuality: p.boneQuality,
    degenerationGrade: p.degenerationGrade,
    resolution,
    implants: {},
  };
}

/**
 * Map one unit-cube sample u ∈ [0, 1)¹⁸ (order of {@link DESIGN_INPUTS}) to a design
 * point. Continuous inputs are linear in u; discrete ones are binned (equal bins).
 * Implant sizes are mapped inside what fits this anatomy: screw diameter ∈
 * [4.5, fit], length ∈ [30, fit] with fit = `defaultImplants`; cage height ∈
 * [max(6, fit − 2), fit + 0.5]; convergence = mean pedicle angle of the two
 * vertebrae ± 5°. Fields of implants the configuration lacks are `null`.
 * Values are rounded (0.01 mm, 0.1°, 0.01 N·m, 1 N) so the stored inputs hash stably.
 *
 * @param u - 18 numbers in [0, 1).
 * @example
 * ```ts
 * const u = sampleUnitCube('sobol', 1, DESIGN_DIMENSIONS, 1);
 * const point = designPointFromUnitCube(u);
 * ```
 */
export function designPointFromUnitCube(u: ArrayLike<number>): DesignPoint {
  if (u.length !== DESIGN_DIMENSIONS) throw new SurrogateInputError('u', `needs ${DESIGN_DIMENSIONS} coordinates, got ${u.length}`);
  const level = bin(u[0], LEVELS);
  const configuration = bin(u[6], CONFIGURATIONS);
  const has = configurationHas(configuration);
  const point: DesignPoint = {
    level,
    globalScale: round(lerp(0.85, 1.15, u[1]), 0.001),
    discHeightScale: round(lerp(0.7, 1.3, u[2]), 0.001),
    lordosisDeg: round(lerp(0, 20, u[3]), 0.1),
    boneQuality: bin(u[4], BONE_QUALITIES),
    degenerationGrade: round(lerp(0, 3, u[5]), 0.01),
    configuration,
    screwDiameterMm: null,
    screwLengthMm: null,
    screwConvergenceDeg: null,
    screwSagittalDeg: null,
    rodDiameterMm: null,
    rodMaterial: null,
    cageHeightMm: null,
    cageMaterial: null,
    motion: bin(u[15], MOTIONS),
    momentNm: round(lerp(2.5, 10, u[16]), 0.01),
    preloadN: round(lerp(0, 500, u[17]), 1),
  };
  if (has.screws || has.cage) {
    // The fit of this anatomy (resolution does not change the geometry, only its sampling).
    const fit = implantFit(point);
    if (has.screws) {
      const lower = LEVELS.indexOf(level) + 1;
      const angles = [VERTEBRA_DIMENSIONS[level].pedicleTransverseAngleDeg, VERTEBRA_DIMENSIONS[(['L1', 'L2', 'L3', 'L4', 'L5'] as const)[lower]].pedicleTransverseAngleDeg];
      const mean = 0.5 * (angles[0] + angles[1]);
      point.screwDiameterMm = round(lerp(4.5, fit.screws!.diameter, u[7]), 0.01);
      point.screwLengthMm = round(lerp(30, fit.screws!.length, u[8]), 0.1);
      point.screwConvergenceDeg = round(Math.min(45, Math.max(0, lerp(mean - 5, mean + 5, u[9]))), 0.1);
      point.screwSagittalDeg = round(lerp(-10, 10, u[10]), 0.1);
      point.rodDiameterMm = round(lerp(5, 6.35, u[11]), 0.01);
      point.rodMaterial = bin(u[12], ROD_MATERIALS);
    }
    if (has.cage) {
      point.cageMaterial = bin(u[13], CAGE_MATERIALS);
      const h = fit.cage!.height;
      point.cageHeightMm = round(Math.min(20, lerp(Math.max(6, h - 2), h + 0.5, u[14])), 0.01);
    }
  }
  return point;
}

/** What the solver needs for one design point. */
export interface SolverCase {
  /** Segment parameters with implants, validated. */
  parameters: LumbarSegmentParameters;
  injury: 'none' | 'nucleotomy' | 'facetectomy';
  motion: Motion;
  momentNm: number;
  preloadN: number;
}

/**
 * The solver input of a design point at a resolution: segment parameters
 * (implants from the point; cage lordosis and type from `defaultImplants`), the
 * injury, the motion and the loads. Does not validate: the mesher does
 * (`validateParameters`), and a refusal becomes a failed record.
 *
 * @example
 * ```ts
 * const c = solverCase(point, 2);
 * const seg = buildLumbarSegment(c.parameters);
 * ```
 */
export function solverCase(p: DesignPoint, resolution: number): SolverCase {
  const parameters = anatomyParameters(p, resolution);
  const has = configurationHas(p.configuration);
  if (has.screws || has.cage) {
    const fit = implantFit(p);
    if (has.screws) {
      parameters.implants.screws = {
        diameter: p.screwDiameterMm!,
        length: p.screwLengthMm!,
        convergenceDeg: p.screwConvergenceDeg!,
        sagittalDeg: p.screwSagittalDeg!,
        entryOffset: [0, 0],
      };
      parameters.implants.rods = { diameter: p.rodDiameterMm!, material: p.rodMaterial! };
    }
    if (has.cage) parameters.implants.cage = { ...fit.cage!, height: p.cageHeightMm!, material: p.cageMaterial! };
  }
  const injury = p.configuration === 'nucleotomy' || p.configuration === 'facetectomy' ? p.configuration : 'none';
  return { parameters, injury, motion: p.motion, momentNm: p.momentNm, preloadN: p.preloadN };
}
