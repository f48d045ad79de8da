/**
 * Baseline models for the evaluation, on the same normalised features as the
 * MLP: multivariate linear regression (ml-regression-multivariate-linear) and
 * logistic regression (ml-logistic-regression); k-nearest neighbours (k-NN
 * regression and neighbour-fraction probabilities computed here, the class
 * verdict by ml-knn); random forests (ml-random-forest, seeded). Regression
 * baselines are fitted per output on the rows where that output exists, in the
 * same transformed space (log for implant stresses).
 */
import MLR from 'ml-regression-multivariate-linear';
import KNN from 'ml-knn';
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { TARGETS } from './features.js';

/** A fitted model of the evaluation: outputs in transformed target space and instability probabilities. */
export interface FittedModel {
  name: string;
  /** n × TARGETS.length predictions in transformed space (log for implant stresses). */
  regress(x: Float32Array, n: number): Float64Array;
  /** Instability probability per row. */
  probability(x: Float32Array, n: number): Float64Array;
  /** Hard verdict per row when the model has its own (k-NN majority); else from probability ≥ 0.5. */
  verdict?(x: Float32Array, n: number): Float64Array;
}

/** Training data of a baseline: normalised features, transformed targets with mask, labels. */
export interface BaselineData {
  x: Float32Array;
  n: number;
  d: number;
  y: Float64Array;
  mask: Float64Array;
  labels: Float64Array;
}

function rows(x: Float32Array, n: number, d: number, pick?: number[]): number[][] {
  const idx = pick ?? Array.from({ length: n }, (_, i) => i);
  return idx.map((i) => Array.from(x.subarray(i * d, (i + 1) * d)));
}

function perTarget(data: BaselineData, fit: (X: number[][], y: number[]) => (X: number[][]) => number[]): (x: Float32Array, n: number) => Float64Array {
  const k = TARGETS.length;
  const predictors = TARGETS.map((_, j) => {
    const use: number[] = [];
    for (let i = 0; i < data.n; i++) if (data.mask[i * k + j]) use.push(i);
    if (use.length < 2) return null;
    return fit(rows(data.x, data.n, data.d, use), use.map((i) => data.y[i * k + j]));
  });
  return (x, n) => {
    const X = rows(x, n, data.d);
    const out = new Float64Array(n * k).fill(NaN);
    predictors.forEach((p, j) => {
      if (!p) return;
      const v = p(X);
      for (let i = 0; i < n; i++) out[i * k + j] = v[i];
    });
    return out;
  };
}

function constantProbability(data: BaselineData): ((x: Float32Array, n: number) => Float64Array) | null {
  const pos = data.labels.reduce((a, b) => a + b, 0);
  if (pos > 0 && pos < data.n) return null;
  const p = pos / Math.max(1, data.n);
  return (_x, n) => new Float64Array(n).fill(p);
}

/**
 * Linear + logistic regression baseline.
 * @example
 * ```ts
 * const m = fitLinearBaseline(data);
 * const yHat = m.regress(xTest, nTest);
 * ```
 */
export function fitLinearBaseline(data: BaselineData): FittedModel {
  const regress = perTarget(data, (X, y) => {
    const m = new MLR(X, y.map((v) => [v]));
    return (Xt) => (m.predict(Xt) as number[][]).map((r) => r[0]);
  });
  let probability = constantProbability(data);
  if (!probability) {
    const lr = new LogisticRegression({ numSteps: 3000, learningRate: 5e-3 });
    lr.train(new Matrix(rows(data.x, data.n, data.d)), Matrix.columnVector(Array.from(data.labels)));
    // classifier 0 is trained one-vs-rest with class 0 → 0, others → 1: its score is P(unstable)
    probability = (x, n) => Float64Array.from(lr.classifiers[0].testScores(new Matrix(rows(x, n, data.d))));
  }
  return { name: 'linear / logistic regression', regress, probability };
}

/**
 * k-nearest-neighbour baseline (Euclidean distance in normalised feature space).
 * @example
 * ```ts
 * const m = fitKnnBaseline(data, 5);
 * ```
 */
export function fitKnnBaseline(data: BaselineData, k = 5): FittedModel {
  const K = TARGETS.length;
  const d = data.d;
  const neighbours = (x: Float32Array, i: number, pool: number[], kk: number) => {
    const dist = pool.map((r) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - data.x[r * d + j]) ** 2;
      return [s, r] as const;
    });
    dist.sort((a, b) => a[0] - b[0]);
    return dist.slice(0, kk).map((v) => v[1]);
  };
  const all = Array.from({ length: data.n }, (_, i) => i);
  const pools = TARGETS.map((_, j) => all.filter((i) => data.mask[i * K + j]));
  const regress = (x: Float32Array, n: number) => {
    const out = new Float64Array(n * K).fill(NaN);
    for (let i = 0; i < n; i++) {
      pools.forEach((pool, j) => {
        if (!pool.length) return;
        const nb = neighbours(x, i, pool, Math.min(k, pool.length));
        out[i * K + j] = nb.reduce((a, r) => a + data.y[r * K + j], 0) / nb.length;
      });
    }
    return out;
  };
  const probability = (x: Float32Array, n: number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const nb = neighbours(x, i, all, Math.min(k, data.n));
      out[i] = nb.reduce((a, r) => a + data.labels[r], 0) / nb.length;
    }
    return out;
  };
  const constant = constantProbability(data);
  const knn = constant ? null : new KNN(rows(data.x, data.n, d), Array.from(data.labels), { k: Math.min(k, data.n) });
  return {
    name: `k-NN (k = ${k})`,
    regress,
    probability,
    ...(knn ? { verdict: (x: Float32Array, n: number) => Float64Array.from(knn.predict(rows(x, n, d))) } : {}),
  };
}

/**
 * Random forest baseline (`nEstimators` trees, default 100, seeded). ml-random-forest's
 * tree building grows about quadratically with the rows (10 trees: 0.9 s at 400 rows,
 * 9 s at 1,600 here), so large evaluations pass fewer trees.
 * @example
 * ```ts
 * const m = fitForestBaseline(data, 1);
 * ```
 */
export function fitForestBaseline(data: BaselineData, seed = 1, nEstimators = 100): FittedModel {
  const regress = perTarget(data, (X, y) => {
    const rf = new RandomForestRegression({ nEstimators, maxFeatures: 0.5, seed, noOOB: true, useSampleBagging: true, replacement: true });
    rf.train(X, y);
    return (Xt) => rf.predict(Xt);
  });
  let probability = constantProbability(data);
  if (!probability) {
    const rf = new RandomForestClassifier({ nEstimators, maxFeatures: 0.5, seed, noOOB: true, useSampleBagging: true, replacement: true });
    rf.train(rows(data.x, data.n, data.d), Array.from(data.labels));
    probability = (x, n) => Float64Array.from(rf.predictProbability(rows(x, n, data.d), 1));
  }
  return { name: `random forest (${nEstimators} trees)`, regress, probability };
}
