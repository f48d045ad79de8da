/**
 * The design space of the surrogate: which inputs a design point has, their
 * units and ranges, how a unit-cube sample maps to a valid point, and how a
 * point becomes the solver's segment parameters and load case.
 *
 * Units: mm, N, N·m, degrees (as in `@spinefea/mesh` and `@spinefea/core`).
 * Browser-safe: no solver or mesher import (the mapping to solver input is in
 * `design-mapping.ts`).
 */
import type { BoneQuality } from '@spinefea/mesh';

/** Spine motions (the load cases of `@spinefea/core`'s in-vitro protocol). */
export type Motion = 'flexion' | 'extension' | 'lateralBendingLeft' | 'lateralBendingRight' | 'axialRotationLeft' | 'axialRotationRight';

/** Surgical state of the segment: intact, injured (no implants) or instrumented. */
export type Configuration = 'intact' | 'nucleotomy' | 'facetectomy' | 'screws-rods' | 'screws-rods-cage';

/** Top levels of the single-level segments swept (L1 → L1–L2 … L4 → L4–L5). */
export const LEVELS = ['L1', 'L2', 'L3', 'L4'] as const;
/** Bone qualities, in the order of their one-hot columns. */
export const BONE_QUALITIES = ['normal', 'osteopenic', 'osteoporotic'] as const;
/** Configurations, in the order of their one-hot columns. */
export const CONFIGURATIONS = ['intact', 'nucleotomy', 'facetectomy', 'screws-rods', 'screws-rods-cage'] as const;
/** Motions, in the order of their one-hot columns. */
export const MOTIONS = ['flexion', 'extension', 'lateralBendingLeft', 'lateralBendingRight', 'axialRotationLeft', 'axialRotationRight'] as const;
/** Rod materials. */
export const ROD_MATERIALS = ['Ti', 'CoCr'] as const;
/** Cage materials. */
export const CAGE_MATERIALS = ['PEEK', 'Ti'] as const;

/**
 * One design point: patient, surgery and load. Implant fields are `null` when the
 * configuration has no such implant (screw/rod fields need screws, cage fields a cage).
 *
 * @example
 * ```ts
 * const p: DesignPoint = { level: 'L4', globalScale: 1, discHeightScale: 1, lordosisDeg: 13.6,
 *   boneQuality: 'normal', degenerationGrade: 0, configuration: 'intact',
 *   screwDiameterMm: null, screwLengthMm: null, screwConvergenceDeg: null, screwSagittalDeg: null,
 *   rodDiameterMm: null, rodMaterial: null, cageHeightMm: null, cageMaterial: null,
 *   motion: 'flexion', momentNm: 7.5, preloadN: 0 };
 * ```
 */
export interface DesignPoint {
  /** Top vertebra of the motion segment (L4 → L4–L5). */
  level: (typeof LEVELS)[number];
  /** Scale of all anatomical lengths, 1. */
  globalScale: number;
  /** Scale of the disc heights, 1. */
  discHeightScale: number;
  /** Segmental lordosis (disc wedge), deg. */
  lordosisDeg: number;
  boneQuality: BoneQuality;
  /** Disc degeneration grade 0–3 (fractional). */
  degenerationGrade: number;
  configuration: Configuration;
  /** Pedicle screw major diameter, mm. */
  screwDiameterMm: number | null;
  /** Pedicle screw length, mm. */
  screwLengthMm: number | null;
  /** Medial convergence from the sagittal plane, deg (one value for both vertebrae). */
  screwConvergenceDeg: number | null;
  /** Sagittal angle from the endplate plane, deg (+ tip caudal). */
  screwSagittalDeg: number | null;
  /** Rod diameter, mm. */
  rodDiameterMm: number | null;
  rodMaterial: (typeof ROD_MATERIALS)[number] | null;
  /** TLIF cage height at the footprint centre, mm. */
  cageHeightMm: number | null;
  cageMaterial: (typeof CAGE_MATERIALS)[number] | null;
  motion: Motion;
  /** Pure moment magnitude, N·m. */
  momentNm: number;
  /** Compressive preload with the moment, N. */
  preloadN: number;
}

/** Kind of unit a numeric input is measured in (for unit conversion and errors). */
export type Dimension = 'length' | 'angle' | 'moment' | 'force' | 'ratio' | 'grade';

/** One numeric input of a design point: unit, sweep range and validity. */
export interface NumericInputSpec {
  name: keyof DesignPoint;
  kind: 'numeric';
  unit: string;
  dimension: Dimension;
  /** Range swept by the sampler (before the per-point implant fit). */
  min: number;
  max: number;
  /** Which configurations use it (all when absent). */
  needs?: 'screws' | 'cage';
  description: string;
}

/** One categorical input of a design point. */
export interface CategoricalInputSpec {
  name: keyof DesignPoint;
  kind: 'categorical';
  choices: readonly string[];
  needs?: 'screws' | 'cage';
  description: string;
}

/** Specification of an input. */
export type InputSpec = NumericInputSpec | CategoricalInputSpec;

/**
 * Every input of a design point with unit and swept range, in unit-cube
 * dimension order (18 dimensions; the Sobol' sampler covers 21).
 * Screw length and diameter, and the cage height, are further limited per point
 * by what `defaultImplants` fits into that anatomy (see {@link designPointFromUnitCube}).
 */
export const DESIGN_INPUTS: readonly InputSpec[] = [
  { name: 'level', kind: 'categorical', choices: LEVELS, description: 'top vertebra of the segment (L4 → L4–L5)' },
  { name: 'globalScale', kind: 'numeric', unit: '1', dimension: 'ratio', min: 0.85, max: 1.15, description: 'scale of every anatomical length' },
  { name: 'discHeightScale', kind: 'numeric', unit: '1', dimension: 'ratio', min: 0.7, max: 1.3, description: 'scale of the disc heights' },
  { name: 'lordosisDeg', kind: 'numeric', unit: 'deg', dimension: 'angle', min: 0, max: 20, description: 'segmental lordosis (disc wedge)' },
  { name: 'boneQuality', kind: 'categorical', choices: BONE_QUALITIES, description: 'bone moduli: normal, osteopenic, osteoporotic' },
  { name: 'degenerationGrade', kind: 'numeric', unit: 'grade', dimension: 'grade', min: 0, max: 3, description: 'disc degeneration 0–3 (height loss, nucleus/annulus moduli)' },
  { name: 'configuration', kind: 'categorical', choices: CONFIGURATIONS, description: 'intact, injured (nucleotomy, facetectomy) or instrumented' },
  { name: 'screwDiameterMm', kind: 'numeric', unit: 'mm', dimension: 'length', min: 4.5, max: 7.5, needs: 'screws', description: 'pedicle screw diameter (≤ the fit of defaultImplants)' },
  { name: 'screwLengthMm', kind: 'numeric', unit: 'mm', dimension: 'length', min: 30, max: 55, needs: 'screws', description: 'pedicle screw length (≤ the fit of defaultImplants)' },
  { name: 'screwConvergenceDeg', kind: 'numeric', unit: 'deg', dimension: 'angle', min: 0, max: 45, needs: 'screws', description: 'medial convergence, ±5° around the mean pedicle angle' },
  { name: 'screwSagittalDeg', kind: 'numeric', unit: 'deg', dimension: 'angle', min: -10, max: 10, needs: 'screws', description: 'sagittal screw angle (+ tip caudal)' },
  { name: 'rodDiameterMm', kind: 'numeric', unit: 'mm', dimension: 'length', min: 5, max: 6.35, needs: 'screws', description: 'rod diameter' },
  { name: 'rodMaterial', kind: 'categorical', choices: ROD_MATERIALS, needs: 'screws', description: 'rod material' },
  { name: 'cageMaterial', kind: 'categorical', choices: CAGE_MATERIALS, needs: 'cage', description: 'TLIF cage material' },
  { name: 'cageHeightMm', kind: 'numeric', unit: 'mm', dimension: 'length', min: 6, max: 20, needs: 'cage', description: 'cage height, fit − 2 … fit + 0.5 mm' },
  { name: 'motion', kind: 'categorical', choices: MOTIONS, description: 'load case: motion under a pure moment' },
  { name: 'momentNm', kind: 'numeric', unit: 'N·m', dimension: 'moment', min: 2.5, max: 10, description: 'pure moment magnitude' },
  { name: 'preloadN', kind: 'numeric', unit: 'N', dimension: 'force', min: 0, max: 500, description: 'compressive preload with the moment' },
];

/** Unit-cube dimensions of the design space. */
export const DESIGN_DIMENSIONS = DESIGN_INPUTS.length;

/** Whether a configuration has pedicle screws and rods / a cage. */
export function configurationHas(c: Configuration): { screws: boolean; cage: boolean } {
  return { screws: c === 'screws-rods' || c === 'screws-rods-cage', cage: c === 'screws-rods-cage' };
}
