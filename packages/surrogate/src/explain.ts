/**
 * Explanations computed through the surrogate: permutation importance,
 * integrated gradients and first/total-order Sobol' indices.
 */
import * as tf from '@tensorflow/tfjs';
import { DESIGN_DIMENSIONS, DESIGN_INPUTS, type DesignPoint } from './design-space.js';
import { designPointFromUnitCube } from './design-mapping.js';
import { FEATURE_COLUMNS, TARGETS } from './features.js';
import type { SurrogateModel } from './model.js';
import { mulberry32 } from './sampling.js';

/** Which surrogate output an explanation is about: a regression target or the instability probability. */
export type ExplainedOutput = (typeof TARGETS)[number]['name'] | 'unstableProbability';

function outputOf(model: SurrogateModel, points: readonly DesignPoint[], out: ExplainedOutput): Float64Array {
  const b = model.predictBatch(points);
  if (out === 'unstableProbability') return b.probability;
  const j = TARGETS.findIndex((t) => t.name === out);
  const k = TARGETS.length;
  return Float64Array.from({ length: b.n }, (_, i) => b.mean[i * k + j]);
}

/**
 * Permutation importance: the increase of the mean absolute error (regression
 * output) or of the Brier score (probability) when one input's values are shuffled
 * among the test points that use it (implant inputs only among instrumented points,
 * so no impossible combination is made). Mean over `repeats` seeded shuffles.
 *
 * @param truth - true values of the output per point (NaN rows are skipped).
 * @example
 * ```ts
 * const imp = permutationImportance(model, testPoints, romTrue, 'romDeg');
 * ```
 */
export function permutationImportance(
  model: SurrogateModel,
  points: readonly DesignPoint[],
  truth: ArrayLike<number>,
  out: ExplainedOutput,
  o: { repeats?: number; seed?: number } = {},
): { input: string; increase: number; baseline: number }[] {
  const use = Array.from({ length: points.length }, (_, i) => i).filter((i) => Number.isFinite(truth[i]));
  const pts = use.map((i) => points[i]);
  const y = use.map((i) => truth[i]);
  const loss = (pred: Float64Array) => (out === 'unstableProbability' ? y.reduce((a, v, i) => a + (pred[i] - v) ** 2, 0) : y.reduce((a, v, i) => a + Math.abs(pred[i] - v), 0)) / Math.max(1, y.length);
  const base = loss(outputOf(model, pts, out));
  const rand = mulberry32(o.seed ?? 1);
  const repeats = o.repeats ?? 5;
  return DESIGN_INPUTS.map((spec) => {
    const holders = pts.map((p, i) => ((p as unknown as Record<string, unknown>)[spec.name] === null ? -1 : i)).filter((i) => i >= 0);
    if (holders.length < 2) return { input: spec.name as string, increase: 0, baseline: base };
    let inc = 0;
    for (let r = 0; r < repeats; r++) {
      const perm = holders.slice();
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const shuffled = pts.map((p) => ({ ...p }));
      holders.forEach((h, i) => ((shuffled[h] as unknown as Record<string, unknown>)[spec.name] = (pts[perm[i]] as unknown as Record<string, unknown>)[spec.name]));
      inc += loss(outputOf(model, shuffled, out)) - base;
    }
    return { input: spec.name as string, increase: inc / repeats, baseline: base };
  }).sort((a, b) => b.increase - a.increase);
}

/**
 * Integrated gradients (Sundararajan et al. 2017) of one regression output of the
 * ensemble mean for one point against a baseline point, in normalised feature space:
 * IGⱼ = (xⱼ − x'ⱼ) · (1/m) Σₛ ∂F/∂xⱼ (x' + (s − ½)/m · (x − x')), scaled to the output's
 * unit (identity-transformed outputs) and summed over the one-hot columns of each input.
 * Completeness: Σ IG ≈ F(x) − F(x').
 *
 * @example
 * ```ts
 * const ig = integratedGradients(model, point, reference, 'romDeg');
 * console.log(ig.attributions, ig.completenessGap);
 * ```
 */
export function integratedGradients(model: SurrogateModel, point: DesignPoint, baseline: DesignPoint, out: (typeof TARGETS)[number]['name'], steps = 64): {
  attributions: { input: string; value: number }[];
  prediction: number;
  baselinePrediction: number;
  completenessGap: number;
  unit: string;
} {
  const j = TARGETS.findIndex((t) => t.name === out);
  const spec = model.json.targets[j];
  const d = FEATURE_COLUMNS.length;
  const z = model.normalisedFeatures([point]);
  const z0 = model.normalisedFeatures([baseline]);
  const nets = model.regressors;
  // F(x) = mean over members of the normalised output j (× σ for the unit)
  const F = (x: tf.Tensor2D) => tf.mean(tf.stack(nets.map((m) => tf.slice(m.apply(x) as tf.Tensor2D, [0, j], [-1, 1]))), 0).sum() as tf.Scalar;
  const grads = tf.tidy(() => {
    const alphas = tf.tensor2d(Array.from({ length: steps }, (_, s) => (s + 0.5) / steps), [steps, 1]);
    const xs = tf.add(tf.tensor2d(z0, [1, d]), tf.mul(alphas, tf.sub(tf.tensor2d(z, [1, d]), tf.tensor2d(z0, [1, d])))) as tf.Tensor2D;
    const g = tf.grad((x: tf.Tensor) => F(x as tf.Tensor2D))(xs);
    return tf.mean(g, 0).dataSync() as Float32Array;
  });
  const fx = tf.tidy(() => F(tf.tensor2d(z, [1, d])).dataSync()[0]);
  const fx0 = tf.tidy(() => F(tf.tensor2d(z0, [1, d])).dataSync()[0]);
  const perInput = new Map<string, number>();
  let sum = 0;
  FEATURE_COLUMNS.forEach((c, k) => {
    const a = (z[k] - z0[k]) * grads[k] * spec.sd;
    sum += a;
    // an interaction column's share belongs to the pair, not to either input alone
    const key = c.and ? `${c.input}×${c.and.input}` : (c.input as string);
    perInput.set(key, (perInput.get(key) ?? 0) + a);
  });
  const unit = spec.transform === 'log' ? `ln(${spec.unit})` : spec.transform === 'asinh' ? `asinh(${spec.unit} / ${spec.scale ?? 1})` : spec.unit;
  return {
    attributions: [...perInput.entries()].map(([input, value]) => ({ input, value })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value)),
    prediction: spec.mean + spec.sd * fx,
    baselinePrediction: spec.mean + spec.sd * fx0,
    completenessGap: sum - spec.sd * (fx - fx0),
    unit,
  };
}

/**
 * First-order and total-order Sobol' indices of a surrogate output over the design
 * space (the 18 unit-cube inputs, mapped as the sweep maps them), by the
 * Saltelli (2010) first-order and Jansen (1999) total-order estimators on two
 * independent seeded N × 18 matrices A and B and the 18 matrices A_B⁽ⁱ⁾ (A with column i from B):
 * Sᵢ = mean(f(B)·(f(A_B⁽ⁱ⁾) − f(A))) / V,  STᵢ = mean((f(A) − f(A_B⁽ⁱ⁾))²) / (2V).
 * N·(18 + 2) surrogate evaluations.
 *
 * @example
 * ```ts
 * const s = sobolIndices(model, 'romDeg', { n: 512 });
 * ```
 */
export function sobolIndices(model: SurrogateModel, out: ExplainedOutput, o: { n?: number; seed?: number } = {}): { input: string; first: number; total: number }[] & { variance?: number } {
  const N = o.n ?? 512;
  const D = DESIGN_DIMENSIONS;
  const rand = mulberry32(o.seed ?? 7);
  const A = Float64Array.from({ length: N * D }, () => rand());
  const B = Float64Array.from({ length: N * D }, () => rand());
  const pts = (M: Float64Array) => Array.from({ length: N }, (_, i) => designPointFromUnitCube(M.subarray(i * D, (i + 1) * D)));
  const fA = outputOf(model, pts(A), out);
  const fB = outputOf(model, pts(B), out);
  let mean = 0;
  for (let i = 0; i < N; i++) mean += (fA[i] + fB[i]) / (2 * N);
  let V = 0;
  for (let i = 0; i < N; i++) V += ((fA[i] - mean) ** 2 + (fB[i] - mean) ** 2) / (2 * N - 1);
  const res = DESIGN_INPUTS.map((spec, c) => {
    const AB = A.slice();
    for (let i = 0; i < N; i++) AB[i * D + c] = B[i * D + c];
    const fAB = outputOf(model, pts(AB), out);
    let s1 = 0, st = 0;
    for (let i = 0; i < N; i++) {
      s1 += (fB[i] * (fAB[i] - fA[i])) / N;
      st += (fA[i] - fAB[i]) ** 2 / (2 * N);
    }
    return { input: spec.name as string, first: V > 0 ? s1 / V : NaN, total: V > 0 ? st / V : NaN };
  });
  return Object.assign(res, { variance: V });
}
