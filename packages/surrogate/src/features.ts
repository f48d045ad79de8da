/**
 * Feature and target encoding of design points and sweep records for the
 * surrogate (browser-safe). Features: the numeric inputs in their units (NaN
 * when the configuration lacks the implant) and one-hot columns of the
 * categorical inputs (all zero for an absent implant). Targets: the clinical
 * figures; implant stresses in log space (they span decades and are positive),
 * ROM in signed-log space (it spans 0.05–15° but can be slightly negative: a
 * preload in front of a fixated segment's centre of rotation can outweigh a
 * small extension moment).
 */
import { DESIGN_INPUTS, type DesignPoint } from './design-space.js';

/** A regression target of the surrogate. */
export interface TargetSpec {
  /** Field of the record's outputs. */
  name: 'romDeg' | 'idpMPa' | 'loadDistributionEfficiency' | 'implantVonMisesPeakMPa' | 'implantVonMisesP99MPa';
  unit: string;
  /**
   * 'log': the network predicts ln(value) (positive, heavy-tailed figures);
   * 'asinh': it predicts asinh(value / scale) — logarithmic for |value| ≫ scale,
   * linear through zero, so values of either sign stay in the training set.
   */
  transform: 'identity' | 'log' | 'asinh';
  /** Scale of the 'asinh' transform, in the target's unit (where it turns from linear to logarithmic). */
  scale?: number;
  description: string;
}

/**
 * A target value in the space the network learns (see {@link TargetSpec.transform});
 * NaN where the transform is undefined (a non-positive value under 'log').
 * @example
 * ```ts
 * toTargetSpace({ transform: 'asinh', scale: 0.1 }, 5); // asinh(50) ≈ 4.61
 * ```
 */
export function toTargetSpace(spec: Pick<TargetSpec, 'transform' | 'scale'>, v: number): number {
  if (spec.transform === 'log') return v > 0 ? Math.log(v) : NaN;
  if (spec.transform === 'asinh') return Math.asinh(v / (spec.scale ?? 1));
  return v;
}

/**
 * Inverse of {@link toTargetSpace}: a network-space value back in the target's unit.
 * @example
 * ```ts
 * fromTargetSpace({ transform: 'log' }, Math.log(120)); // 120 (MPa)
 * ```
 */
export function fromTargetSpace(spec: Pick<TargetSpec, 'transform' | 'scale'>, u: number): number {
  if (spec.transform === 'log') return Math.exp(u);
  if (spec.transform === 'asinh') return (spec.scale ?? 1) * Math.sinh(u);
  return u;
}

/** The regressor's outputs, in column order. */
export const TARGETS: readonly TargetSpec[] = [
  // asinh scale 0.1°: below it ROM is in the discretisation noise (docs/surrogate.md), above it errors count relatively
  { name: 'romDeg', unit: 'deg', transform: 'asinh', scale: 0.1, description: 'range of motion about the motion axis' },
  { name: 'idpMPa', unit: 'MPa', transform: 'identity', description: 'intradiscal pressure (nucleus mean)' },
  { name: 'loadDistributionEfficiency', unit: '1', transform: 'identity', description: 'uniformity of the endplate compressive stress (1 = uniform)' },
  { name: 'implantVonMisesPeakMPa', unit: 'MPa', transform: 'log', description: 'peak implant von Mises stress (worst implant; instrumented only)' },
  { name: 'implantVonMisesP99MPa', unit: 'MPa', transform: 'log', description: '99th-percentile implant von Mises stress (instrumented only)' },
];

/** One feature column: a numeric input, one category of a categorical input, or one pair of categories of two. */
export interface FeatureColumn {
  /** e.g. `momentNm`, `motion=flexion` or `configuration=intact×motion=flexion`. */
  name: string;
  input: keyof DesignPoint;
  /** For one-hot columns, the category. */
  category?: string;
  /** For interaction columns: the second input and its category (1 when both match). */
  and?: { input: keyof DesignPoint; category: string };
}

const categorical = (name: keyof DesignPoint): readonly string[] => {
  const s = DESIGN_INPUTS.find((x) => x.name === name);
  return s?.kind === 'categorical' ? s.choices : [];
};

/**
 * Feature columns in order: numeric inputs first (input order), then one-hot
 * columns, then the configuration × motion interactions. Why the interactions:
 * each surgical state responds to each motion through a different load path
 * (LDE in extension spans 0.03–0.84 with screws and rods, 0.28–0.62 with a
 * cage), and ~65 points per pair are too few for the hidden layers to find all
 * 30 pairs alone — with them the held-out LDE R² rose 0.902 → 0.920 and IDP
 * 0.947 → 0.954 (three seeds each, docs/surrogate.md).
 */
export const FEATURE_COLUMNS: readonly FeatureColumn[] = [
  ...DESIGN_INPUTS.filter((s) => s.kind === 'numeric').map((s) => ({ name: s.name as string, input: s.name })),
  ...DESIGN_INPUTS.flatMap((s) => (s.kind === 'categorical' ? s.choices.map((c) => ({ name: `${s.name}=${c}`, input: s.name, category: c })) : [])),
  ...categorical('configuration').flatMap((c) =>
    categorical('motion').map((m) => ({ name: `configuration=${c}×motion=${m}`, input: 'configuration' as const, category: c, and: { input: 'motion' as const, category: m } })),
  ),
];

/** Number of feature columns. */
export const FEATURE_COUNT = FEATURE_COLUMNS.length;

/**
 * Raw features of design points: n × {@link FEATURE_COUNT}, row-major, NaN for
 * the numeric inputs of an implant the configuration lacks.
 * @example
 * ```ts
 * const x = encodeFeatures([point]); // Float64Array(FEATURE_COUNT)
 * ```
 */
export function encodeFeatures(points: readonly DesignPoint[]): Float64Array {
  const d = FEATURE_COUNT;
  const x = new Float64Array(points.length * d);
  points.forEach((p, i) => {
    const rec = p as unknown as Record<string, unknown>;
    FEATURE_COLUMNS.forEach((c, j) => {
      const v = rec[c.input];
      if (c.and) x[i * d + j] = v === c.category && rec[c.and.input] === c.and.category ? 1 : 0;
      else if (c.category !== undefined) x[i * d + j] = v === c.category ? 1 : 0;
      else x[i * d + j] = v === null || v === undefined ? NaN : Number(v);
    });
  });
  return x;
}

/** Per-column affine normalisation z = (x − mean) / sd; NaN (absent) maps to 0. */
export interface Normalisation {
  mean: number[];
  sd: number[];
}

/**
 * Fit a normalisation on the columns of an n × d matrix, ignoring NaN.
 * One-hot columns (values 0/1 only) are left as they are (mean 0, sd 1). A
 * constant column gets sd 1.
 * @example
 * ```ts
 * const norm = fitNormalisation(x, n, d);
 * ```
 */
export function fitNormalisation(x: ArrayLike<number>, n: number, d: number, oneHot: readonly boolean[] = []): Normalisation {
  const mean: number[] = [], sd: number[] = [];
  for (let j = 0; j < d; j++) {
    if (oneHot[j]) {
      mean.push(0);
      sd.push(1);
      continue;
    }
    let s = 0, s2 = 0, m = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j];
      if (Number.isNaN(v)) continue;
      s += v;
      m++;
    }
    const mu = m ? s / m : 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j];
      if (!Number.isNaN(v)) s2 += (v - mu) ** 2;
    }
    const sigma = m > 1 ? Math.sqrt(s2 / (m - 1)) : 0;
    mean.push(mu);
    sd.push(sigma > 1e-12 ? sigma : 1);
  }
  return { mean, sd };
}

/**
 * Apply a normalisation: n × d Float32Array for the network, NaN → 0 (the mean).
 * @example
 * ```ts
 * const z = normalise(encodeFeatures(points), points.length, norm);
 * ```
 */
export function normalise(x: ArrayLike<number>, n: number, norm: Normalisation): Float32Array {
  const d = norm.mean.length;
  const z = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      z[i * d + j] = Number.isNaN(v) ? 0 : (v - norm.mean[j]) / norm.sd[j];
    }
  }
  return z;
}

/** One-hot flags of {@link FEATURE_COLUMNS}. */
export const ONE_HOT: readonly boolean[] = FEATURE_COLUMNS.map((c) => c.category !== undefined);
