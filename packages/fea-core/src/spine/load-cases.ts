import type { LoadCase } from '../model/model.js';
import { InvalidBoundaryConditionError } from '../errors.js';

/**
 * The in-vitro test motions. Coordinates (see docs/spine-analysis.md): x lateral
 * (patient's left → right), y anterior, z superior. Right-hand rule:
 * - flexion: moment −Mx (the anterior edge of the top vertebra moves down);
 * - extension: +Mx;
 * - lateral bending right: +My (the right edge moves down); left: −My;
 * - axial rotation left: +Mz (the anterior edge turns to the patient's left); right: −Mz.
 */
export type SpineMotion =
  | 'flexion'
  | 'extension'
  | 'lateralBendingLeft'
  | 'lateralBendingRight'
  | 'axialRotationLeft'
  | 'axialRotationRight';

/** All six motions, in the order reports use. */
export const SPINE_MOTIONS: readonly SpineMotion[] = [
  'flexion',
  'extension',
  'lateralBendingLeft',
  'lateralBendingRight',
  'axialRotationLeft',
  'axialRotationRight',
];

/** Unit rotation axis (global) and sign of each motion: the rotation vector of the motion is `sign·axis`. */
export const MOTION_AXIS: Readonly<Record<SpineMotion, { axis: 0 | 1 | 2; sign: 1 | -1; plane: 'sagittal' | 'frontal' | 'transverse' }>> = {
  flexion: { axis: 0, sign: -1, plane: 'sagittal' },
  extension: { axis: 0, sign: 1, plane: 'sagittal' },
  lateralBendingLeft: { axis: 1, sign: -1, plane: 'frontal' },
  lateralBendingRight: { axis: 1, sign: 1, plane: 'frontal' },
  axialRotationLeft: { axis: 2, sign: 1, plane: 'transverse' },
  axialRotationRight: { axis: 2, sign: -1, plane: 'transverse' },
};

/** Options of {@link pureMomentLoadCase}. */
export interface PureMomentOptions {
  /** Moment magnitude, N·m (default 7.5, the usual in-vitro protocol). */
  momentNm?: number;
  /** Compressive preload along −z through the reference node, N (default 0). */
  preloadN?: number;
  /** Name of the reference node coupled to the top endplate (default 'top'). */
  reference?: string;
}

/**
 * A pure-moment load case of the in-vitro protocol: moment (converted to
 * N·mm) about the motion's axis at the reference node, plus an optional
 * compressive preload (N, along −z).
 *
 * @example
 * ```ts
 * const lc = pureMomentLoadCase('flexion', { momentNm: 7.5, preloadN: 500 });
 * // lc.referenceLoads[0].moment = [-7500, 0, 0] N·mm, force = [0, 0, -500] N
 * ```
 */
export function pureMomentLoadCase(motion: SpineMotion, options: PureMomentOptions = {}): LoadCase {
  const spec = MOTION_AXIS[motion];
  if (!spec) throw new InvalidBoundaryConditionError(`unknown motion '${String(motion)}' (expected one of ${SPINE_MOTIONS.join(', ')})`);
  const m = options.momentNm ?? 7.5;
  const pre = options.preloadN ?? 0;
  if (!Number.isFinite(m) || m < 0) throw new InvalidBoundaryConditionError(`momentNm must be a finite number ≥ 0, got ${m}`);
  if (!Number.isFinite(pre) || pre < 0) throw new InvalidBoundaryConditionError(`preloadN must be a finite number ≥ 0 (compression), got ${pre}`);
  const moment: [number, number, number] = [0, 0, 0];
  moment[spec.axis] = spec.sign * m * 1000;
  return {
    name: `${motion} ${m} Nm${pre ? ` + ${pre} N preload` : ''}`,
    referenceLoads: [{ reference: options.reference ?? 'top', moment, force: [0, 0, -pre] }],
  };
}

/**
 * Axial compression only (N along −z through the reference node): used for
 * the axial stiffness and the intradiscal-pressure calibration.
 */
export function axialCompressionLoadCase(forceN: number, reference = 'top'): LoadCase {
  if (!Number.isFinite(forceN) || forceN <= 0) throw new InvalidBoundaryConditionError(`forceN must be a finite number > 0, got ${forceN}`);
  return { name: `compression ${forceN} N`, referenceLoads: [{ reference, force: [0, 0, -forceN] }] };
}
