/**
 * Metrics of the surrogate's evaluation: regression (R², MAE, NRMSE, error at
 * the peaks) and binary classification (sensitivity … AUC with a bootstrap CI,
 * Brier score, calibration slope, decision-curve net benefit). Plain arrays,
 * no tfjs.
 */
import { mulberry32 } from './sampling.js';

/** Regression metrics of one output. */
export interface RegressionMetrics {
  n: number;
  /** 1 − SS_res / SS_tot. */
  r2: number;
  /** Mean absolute error, output unit. */
  mae: number;
  /** RMSE ÷ (max − min) of the true values. */
  nrmse: number;
  /** Mean absolute error over the rows whose true value is in the top 10 % (the peaks), output unit. */
  peakMae: number;
  /** Relative error at the largest true value: |ŷ − y| / |y|. */
  maxValueRelError: number;
}

/**
 * Regression metrics of predictions ŷ against truth y (equal lengths, finite).
 * @example
 * ```ts
 * regressionMetrics([1, 2, 3], [1.1, 1.9, 3.2]).r2; // ≈ 0.97
 * ```
 */
export function regressionMetrics(y: ArrayLike<number>, yHat: ArrayLike<number>): RegressionMetrics {
  const n = y.length;
  if (n === 0) return { n: 0, r2: NaN, mae: NaN, nrmse: NaN, peakMae: NaN, maxValueRelError: NaN };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / n;
  let ssRes = 0, ssTot = 0, abs = 0, lo = Infinity, hi = -Infinity, iMax = 0;
  for (let i = 0; i < n; i++) {
    const e = yHat[i] - y[i];
    ssRes += e * e;
    ssTot += (y[i] - mean) ** 2;
    abs += Math.abs(e);
    lo = Math.min(lo, y[i]);
    if (y[i] > hi) {
      hi = y[i];
      iMax = i;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => y[b] - y[a]);
  const top = order.slice(0, Math.max(1, Math.ceil(0.1 * n)));
  const peakMae = top.reduce((a, i) => a + Math.abs(yHat[i] - y[i]), 0) / top.length;
  return {
    n,
    r2: ssTot > 0 ? 1 - ssRes / ssTot : NaN,
    mae: abs / n,
    nrmse: hi > lo ? Math.sqrt(ssRes / n) / (hi - lo) : NaN,
    peakMae,
    maxValueRelError: Math.abs(yHat[iMax] - y[iMax]) / Math.max(Math.abs(y[iMax]), 1e-12),
  };
}

/**
 * Area under the ROC curve by the Mann–Whitney statistic (ties count ½).
 * @example
 * ```ts
 * auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * ```
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const idx = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // average ranks with ties
  const rank = new Float64Array(labels.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0, sumPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) {
    nPos++;
    sumPos += rank[i];
  }
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  // U = Σ ranks of positives − nPos(nPos+1)/2; AUC = U / (nPos·nNeg)
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Calibration slope and intercept: logistic regression of the label on logit(p)
 * by Newton's method (slope 1, intercept 0 = perfectly calibrated; slope < 1 = overconfident).
 * @example
 * ```ts
 * calibration([0, 1, 1, 0], [0.2, 0.7, 0.9, 0.4]).slope;
 * ```
 */
export function calibration(labels: ArrayLike<number>, p: ArrayLike<number>): { slope: number; intercept: number } {
  const n = labels.length;
  const z = Array.from({ length: n }, (_, i) => {
    const q = Math.min(1 - 1e-6, Math.max(1e-6, p[i]));
    return Math.log(q / (1 - q));
  });
  let a = 0, b = 1;
  for (let it = 0; it < 50; it++) {
    // gradient g and Hessian H of the log-likelihood in (a, b)
    let g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (let i = 0; i < n; i++) {
      const m = 1 / (1 + Math.exp(-(a + b * z[i])));
      const r = labels[i] - m;
      const w = m * (1 - m);
      g0 += r;
      g1 += r * z[i];
      h00 += w;
      h01 += w * z[i];
      h11 += w * z[i] * z[i];
    }
    const det = h00 * h11 - h01 * h01;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (-h01 * g0 + h00 * g1) / det;
    a += da;
    b += db;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return { slope: NaN, intercept: NaN };
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { slope: b, intercept: a };
}

/** Classification metrics at a threshold, with AUC's bootstrap CI. */
export interface ClassificationMetrics {
  n: number;
  positives: number;
  threshold: number;
  sensitivity: number;
  specificity: number;
  accuracy: number;
  ppv: number;
  npv: number;
  auc: number;
  /** 95 % percentile bootstrap interval of the AUC. */
  aucCi: [number, number];
  /** 95 % bootstrap intervals of sensitivity, specificity, accuracy. */
  sensitivityCi: [number, number];
  specificityCi: [number, number];
  accuracyCi: [number, number];
  brier: number;
  calibrationSlope: number;
  calibrationIntercept: number;
  /** Decision curve: net benefit TP/n − FP/n · pₜ/(1 − pₜ) of the model, of "treat all" and of "treat none" (0). */
  netBenefit: { threshold: number; model: number; treatAll: number }[];
}

function confusion(labels: ArrayLike<number>, p: ArrayLike<number>, t: number, idx?: ArrayLike<number>) {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  const n = idx ? idx.length : labels.length;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const pos = p[i] >= t;
    if (labels[i]) pos ? tp++ : fn++;
    else pos ? fp++ : tn++;
  }
  return { tp, fp, tn, fn };
}

function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const x = q * (sorted.length - 1);
  const lo = Math.floor(x), hi = Math.ceil(x);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}

/**
 * Classification metrics of probabilities p against 0/1 labels.
 *
 * @param bootstrap - resamples for the CIs (default 1000; seeded).
 * @example
 * ```ts
 * const m = classificationMetrics(labels, probs, { threshold: 0.5 });
 * console.log(m.sensitivity, m.auc, m.aucCi);
 * ```
 */
export function classificationMetrics(
  labels: ArrayLike<number>,
  p: ArrayLike<number>,
  o: { threshold?: number; bootstrap?: number; seed?: number; netBenefitThresholds?: number[] } = {},
): ClassificationMetrics {
  const t = o.threshold ?? 0.5;
  const n = labels.length;
  const { tp, fp, tn, fn } = confusion(labels, p, t);
  const rate = (a: number, b: number) => (a + b > 0 ? a / (a + b) : NaN);
  const B = o.bootstrap ?? 1000;
  const rand = mulberry32(o.seed ?? 1);
  const aucs: number[] = [], sens: number[] = [], spec: number[] = [], acc: number[] = [];
  const idx = new Uint32Array(n);
  const lb = new Float64Array(n), pb = new Float64Array(n);
  for (let b = 0; b < B && n > 0; b++) {
    for (let i = 0; i < n; i++) {
      idx[i] = Math.floor(rand() * n);
      lb[i] = labels[idx[i]];
      pb[i] = p[idx[i]];
    }
    const a = auc(lb, pb);
    if (Number.isFinite(a)) aucs.push(a);
    const c = confusion(lb, pb, t);
    const se = rate(c.tp, c.fn), sp = rate(c.tn, c.fp);
    if (Number.isFinite(se)) sens.push(se);
    if (Number.isFinite(sp)) spec.push(sp);
    acc.push((c.tp + c.tn) / n);
  }
  const ci = (v: number[]): [number, number] => {
    v.sort((x, y) => x - y);
    return [percentile(v, 0.025), percentile(v, 0.975)];
  };
  let brier = 0;
  for (let i = 0; i < n; i++) brier += (p[i] - labels[i]) ** 2 / n;
  const cal = calibration(labels, p);
  const prev = (tp + fn) / Math.max(1, n);
  const netBenefit = (o.netBenefitThresholds ?? [0.1, 0.2, 0.3, 0.5]).map((pt) => {
    const c = confusion(labels, p, pt);
    const w = pt / (1 - pt);
    return { threshold: pt, model: c.tp / n - (c.fp / n) * w, treatAll: prev - (1 - prev) * w };
  });
  return {
    n,
    positives: tp + fn,
    threshold: t,
    sensitivity: rate(tp, fn),
    specificity: rate(tn, fp),
    accuracy: (tp + tn) / Math.max(1, n),
    ppv: rate(tp, fp),
    npv: rate(tn, fn),
    auc: auc(labels, p),
    aucCi: ci(aucs),
    sensitivityCi: ci(sens),
    specificityCi: ci(spec),
    accuracyCi: ci(acc),
    brier,
    calibrationSlope: cal.slope,
    calibrationIntercept: cal.intercept,
    netBenefit,
  };
}

/**
 * Mean and sample SD of numbers (NaN ignored).
 * @example
 * ```ts
 * meanSd([1, 2, 3]); // { mean: 2, sd: 1 }
 * ```
 */
export function meanSd(v: readonly number[]): { mean: number; sd: number } {
  const x = v.filter((a) => Number.isFinite(a));
  if (!x.length) return { mean: NaN, sd: NaN };
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const s = x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1)) : 0;
  return { mean: m, sd: s };
}
