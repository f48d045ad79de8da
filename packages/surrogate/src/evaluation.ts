/**
 * Evaluation of the surrogate against the solver's records: a held-out test
 * split by design point (each record is one design point), k-fold
 * cross-validation (mean ± SD over folds), the MLP ensemble beside baselines,
 * regression and classification metrics, speed against the solver, and
 * explanations (permutation importance, integrated gradients, Sobol' indices).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultParameters } from '@spinefea/mesh';
import { DESIGN_DIMENSIONS, type DesignPoint } from './design-space.js';
import { designPointFromUnitCube } from './design-mapping.js';
import { fitForestBaseline, fitKnnBaseline, fitLinearBaseline, type BaselineData, type FittedModel } from './baselines.js';
import { integratedGradients, permutationImportance, sobolIndices } from './explain.js';
import { fromTargetSpace, TARGETS, toTargetSpace } from './features.js';
import { classificationMetrics, meanSd, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from './metrics.js';
import type { SurrogateModel } from './model.js';
import { mergeReplicates, type SweepRecord } from './records.js';
import { mulberry32, sampleUnitCube } from './sampling.js';
import { targetMatrix, trainSurrogate, usableRecords, type TrainOptions } from './train.js';
import { SurrogateTrainingError } from './errors.js';

/** Options of {@link evaluateSurrogate}. */
export interface EvaluationOptions {
  /** Fraction of design points held out for the test split, per configuration (default 0.2). */
  testFraction?: number;
  /** Cross-validation folds (default 5; 0 to skip). */
  folds?: number;
  seed?: number;
  /** MLP training options of the test-split model. */
  train?: TrainOptions;
  /** MLP options inside the CV folds (default: train's with 3 members). */
  cvTrain?: TrainOptions;
  /** Bootstrap resamples of the CIs (default 1000). */
  bootstrap?: number;
  /** Base sample size N of the Sobol' indices (default 256). */
  sobolN?: number;
  /** Trees of the random-forest baseline (default 100; its cost grows ~quadratically with the rows). */
  forestTrees?: number;
  /** Batch size of the speed test (default 10 000). */
  speedBatch?: number;
  /**
   * The R² that discretisation noise allows per output at the data's resolution
   * (`r2Ceiling` of `data/mesh-convergence.json`, see {@link loadNoiseCeiling}); printed beside the test R².
   */
  noiseCeiling?: NoiseCeiling;
  onProgress?: (message: string) => void;
}

/** R²_max per output from a discretisation study, with the resolution it was measured at (mm). */
export interface NoiseCeiling {
  resolutionMm: number;
  r2: Record<string, number | null>;
  source: string;
  /**
   * Per figure, the mean of 1/k over the records that have it, k = the grids a record's
   * figure is averaged over ({@link mergeReplicates}); 1 without replicates. The study's
   * single-grid ceiling is scaled by it: 1 − R²_max = (1 − R²_max,1 grid) · mean(1/k).
   */
  meanInverseReplicates: Record<string, number>;
}

/** The shipped discretisation study (`data/mesh-convergence.json`, written by `src/scripts/mesh-convergence.ts`). */
export const DISCRETISATION_STUDY_PATH = fileURLToPath(new URL('../data/mesh-convergence.json', import.meta.url));

/**
 * The R² ceiling a discretisation study measured at the resolution of these
 * records, scaled for replicates (a figure averaged over k grids carries 1/k of
 * the noise variance); null when the records mix resolutions, the file is
 * missing, or the study was run at another resolution.
 * @example
 * ```ts
 * const report = await evaluateSurrogate(records, { noiseCeiling: loadNoiseCeiling(records) ?? undefined });
 * ```
 */
export function loadNoiseCeiling(records: readonly SweepRecord[], file: string = DISCRETISATION_STUDY_PATH): NoiseCeiling | null {
  const res = [...new Set(records.filter((r) => r.status === 'ok').map((r) => r.resolution))];
  if (res.length !== 1 || !existsSync(file)) return null;
  const j = JSON.parse(readFileSync(file, 'utf8')) as { sweepResolutionMm?: number; r2Ceiling?: Record<string, number | null> };
  if (j.sweepResolutionMm !== res[0] || !j.r2Ceiling) return null;
  const merged = mergeReplicates(records).filter((r) => r.status === 'ok' && r.outputs);
  const r2: Record<string, number | null> = {};
  const meanInverseReplicates: Record<string, number> = {};
  for (const [f, v] of Object.entries(j.r2Ceiling)) {
    const inv = merged.filter((r) => typeof (r.outputs as unknown as Record<string, unknown>)[f] === 'number').map((r) => 1 / (r.replicates ?? 1));
    const m = inv.length ? inv.reduce((a, b) => a + b, 0) / inv.length : 1;
    meanInverseReplicates[f] = m;
    // the noise variance share 1 − R²_max scales with the mean noise variance, σ²/k per record
    r2[f] = v === null ? null : 1 - (1 - v) * m;
  }
  return { resolutionMm: res[0], r2, source: file, meanInverseReplicates };
}

/** The figures of one model on one split. */
export interface ModelScores {
  model: string;
  regression: Record<string, RegressionMetrics>;
  classification: ClassificationMetrics | null;
}

/** Everything the evaluation measured (the JSON file). */
export interface EvaluationReport {
  generated: string;
  data: { records: number; usable: number; failed: number; unstable: number; train: number; test: number; resolutionMm: number[]; solverVersions: string[] };
  /** The noise-limited R² per output, when given (see {@link EvaluationOptions.noiseCeiling}). */
  noiseCeiling: NoiseCeiling | null;
  test: ModelScores[];
  crossValidation: { folds: number; models: { model: string; r2: Record<string, { mean: number; sd: number }>; auc: { mean: number; sd: number }; accuracy: { mean: number; sd: number }; sensitivity: { mean: number; sd: number }; specificity: { mean: number; sd: number } }[] } | null;
  speed: { members: number; singleMs: number; batch: number; batchMs: number; perPointInBatchUs: number; solverWallMs: number; solverCpuMs: number | null; speedUpSingle: number; speedUpBatchPerPoint: number; backend: string };
  explanations: {
    permutationImportance: Record<string, { input: string; increase: number }[]>;
    integratedGradients: { point: DesignPoint; baseline: DesignPoint; output: string; unit: string; prediction: number; baselinePrediction: number; completenessGap: number; attributions: { input: string; value: number }[] } | null;
    sobol: Record<string, { input: string; first: number; total: number }[]>;
    sobolN: number;
  };
  /** The source papers' clinical figures, for context only. */
  literature: { source: string; sensitivity: number; specificity: number; accuracy: number; ppv?: number; npv?: number; note: string }[];
}

function shuffle(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function baselineData(model: SurrogateModel, recs: SweepRecord[]): BaselineData {
  const x = model.normalisedFeatures(recs.map((r) => r.inputs));
  const { y, mask } = targetMatrix(recs);
  return { x, n: recs.length, d: x.length / Math.max(1, recs.length), y, mask, labels: Float64Array.from(recs, (r) => (r.outputs!.unstable ? 1 : 0)) };
}

/** Wrap the MLP ensemble as a {@link FittedModel} (outputs in transformed space, as the baselines'). */
function mlpAsFitted(model: SurrogateModel, points: DesignPoint[]): FittedModel & { points: DesignPoint[] } {
  return {
    name: `MLP ensemble (${model.ensembleSize} members)`,
    points,
    regress: () => {
      const b = model.predictBatch(points);
      const k = TARGETS.length;
      return Float64Array.from(b.mean, (v, idx) => toTargetSpace(TARGETS[idx % k], v));
    },
    probability: () => model.predictBatch(points).probability,
  };
}

function score(m: FittedModel, test: BaselineData, recs: SweepRecord[], o: EvaluationOptions, seed: number): ModelScores {
  const k = TARGETS.length;
  const yHat = m.regress(test.x, test.n);
  const regression: Record<string, RegressionMetrics> = {};
  TARGETS.forEach((t, j) => {
    const y: number[] = [], p: number[] = [];
    for (let i = 0; i < test.n; i++) {
      if (!test.mask[i * k + j] || !Number.isFinite(yHat[i * k + j])) continue;
      // metrics in the output's unit
      y.push(fromTargetSpace(t, test.y[i * k + j]));
      p.push(fromTargetSpace(t, yHat[i * k + j]));
    }
    regression[t.name] = regressionMetrics(y, p);
  });
  let classification: ClassificationMetrics | null = null;
  const pos = test.labels.reduce((a, b) => a + b, 0);
  if (test.n > 0) {
    const prob = m.probability(test.x, test.n);
    classification = classificationMetrics(test.labels, prob, { bootstrap: o.bootstrap ?? 1000, seed });
    if (m.verdict && pos >= 0) {
      // k-NN: the verdict metrics from ml-knn's majority vote, AUC/Brier from the neighbour fraction
      const v = m.verdict(test.x, test.n);
      const hard = classificationMetrics(test.labels, v, { bootstrap: o.bootstrap ?? 1000, seed });
      classification = { ...classification, sensitivity: hard.sensitivity, specificity: hard.specificity, accuracy: hard.accuracy, ppv: hard.ppv, npv: hard.npv, sensitivityCi: hard.sensitivityCi, specificityCi: hard.specificityCi, accuracyCi: hard.accuracyCi };
    }
  }
  void recs;
  return { model: m.name, regression, classification };
}

async function fitAll(train: SweepRecord[], trainOpts: TrainOptions, seed: number, testPoints: DesignPoint[], forestTrees: number): Promise<{ mlp: SurrogateModel; models: FittedModel[] }> {
  const mlp = await trainSurrogate(train, { ...trainOpts, seed });
  const data = baselineData(mlp, train);
  return { mlp, models: [mlpAsFitted(mlp, testPoints), fitLinearBaseline(data), fitKnnBaseline(data, 5), fitForestBaseline(data, seed, forestTrees)] };
}

/**
 * Run the whole evaluation on sweep records.
 *
 * @throws {@link SurrogateTrainingError} with fewer than 8 usable records.
 * @example
 * ```ts
 * const report = await evaluateSurrogate(readRecords('data/sweep.jsonl.gz').records, { folds: 5 });
 * writeFileSync('surrogate-evaluation.md', evaluationMarkdown(report));
 * ```
 */
export async function evaluateSurrogate(records: readonly SweepRecord[], o: EvaluationOptions = {}): Promise<EvaluationReport> {
  const log = o.onProgress ?? (() => {});
  const seed = o.seed ?? 1;
  const rows = usableRecords(records);
  if (rows.length < 8) throw new SurrogateTrainingError(`${rows.length} usable records — the evaluation needs at least 8 (6 train + 2 test)`);
  // Stratified by configuration (so every surgical state, and the implant outputs, are in
  // every split): each configuration's points are shuffled; the test split takes its share
  // of each, and CV fold f takes every K-th point of each configuration.
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => groups.set(r.inputs.configuration, [...(groups.get(r.inputs.configuration) ?? []), i]));
  const testIdx: number[] = [], trainIdx: number[] = [];
  const foldOf = new Int32Array(rows.length);
  let g = 0;
  for (const members of groups.values()) {
    const perm = shuffle(members.length, seed + 17 * ++g).map((k) => members[k]);
    const take = members.length >= 2 ? Math.max(1, Math.round((o.testFraction ?? 0.2) * members.length)) : 0;
    perm.forEach((idx, k) => {
      (k < take ? testIdx : trainIdx).push(idx);
      foldOf[idx] = k;
    });
  }
  const test = testIdx.map((i) => rows[i]);
  const train = trainIdx.map((i) => rows[i]);
  log(`test split: ${train.length} train, ${test.length} test design points`);
  const testPoints = test.map((r) => r.inputs);
  const { mlp, models } = await fitAll(train, o.train ?? {}, seed, testPoints, o.forestTrees ?? 100);
  const testData = baselineData(mlp, test);
  const scores = models.map((m, i) => score(m, testData, test, o, seed + i));
  log('test-split metrics done');

  // k-fold cross-validation over all usable design points
  let crossValidation: EvaluationReport['crossValidation'] = null;
  const K = o.folds ?? 5;
  if (K >= 2 && rows.length >= 2 * K) {
    // stratified k-fold: fold f holds the points whose rank inside their configuration ≡ f (mod K)
    const perModel = new Map<string, { r2: Record<string, number[]>; auc: number[]; accuracy: number[]; sensitivity: number[]; specificity: number[] }>();
    for (let f = 0; f < K; f++) {
      const te = rows.filter((_, i) => foldOf[i] % K === f);
      const tr = rows.filter((_, i) => foldOf[i] % K !== f);
      const fit = await fitAll(tr, o.cvTrain ?? { ...(o.train ?? {}), members: 3 }, seed + 100 * (f + 1), te.map((r) => r.inputs), o.forestTrees ?? 100);
      const td = baselineData(fit.mlp, te);
      for (const m of fit.models) {
        const s = score(m, td, te, { ...o, bootstrap: 0 }, seed);
        const key = m.name.replace(/\(\d+ (members|trees)\)/, '').trim();
        const acc = perModel.get(key) ?? { r2: {}, auc: [], accuracy: [], sensitivity: [], specificity: [] };
        for (const t of TARGETS) (acc.r2[t.name] ??= []).push(s.regression[t.name].r2);
        acc.auc.push(s.classification?.auc ?? NaN);
        acc.accuracy.push(s.classification?.accuracy ?? NaN);
        acc.sensitivity.push(s.classification?.sensitivity ?? NaN);
        acc.specificity.push(s.classification?.specificity ?? NaN);
        perModel.set(key, acc);
      }
      fit.mlp.dispose();
      log(`fold ${f + 1}/${K} done`);
    }
    crossValidation = {
      folds: K,
      models: [...perModel.entries()].map(([model, a]) => ({
        model,
        r2: Object.fromEntries(Object.entries(a.r2).map(([k, v]) => [k, meanSd(v)])),
        auc: meanSd(a.auc),
        accuracy: meanSd(a.accuracy),
        sensitivity: meanSd(a.sensitivity),
        specificity: meanSd(a.specificity),
      })),
    };
  }

  // Speed: one prediction, a batch, against the solver's time for the same cases
  const p0 = testPoints[0];
  mlp.predict(p0); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    mlp.predict(p0);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const nBatch = o.speedBatch ?? 10_000;
  // 250 distinct points repeated: mapping unit-cube samples is not what is timed
  const u = sampleUnitCube('lhs', Math.min(nBatch, 250), DESIGN_DIMENSIONS, seed + 5);
  const uniq = Array.from({ length: Math.min(nBatch, 250) }, (_, i) => designPointFromUnitCube(u.subarray(i * DESIGN_DIMENSIONS, (i + 1) * DESIGN_DIMENSIONS)));
  const batch = Array.from({ length: nBatch }, (_, i) => uniq[i % uniq.length]);
  const tb = performance.now();
  mlp.predictBatch(batch);
  const batchMs = performance.now() - tb;
  const solverWallMs = test.reduce((a, r) => a + r.timing.totalMs, 0) / test.length;
  const cpu = test.filter((r) => r.timing.cpuMs !== undefined);
  const solverCpuMs = cpu.length ? cpu.reduce((a, r) => a + r.timing.cpuMs!, 0) / cpu.length : null;
  const { getBackend } = await import('@tensorflow/tfjs');
  const speed = {
    members: mlp.ensembleSize,
    singleMs: times[Math.floor(times.length / 2)],
    batch: nBatch,
    batchMs,
    perPointInBatchUs: (1000 * batchMs) / nBatch,
    solverWallMs,
    solverCpuMs,
    speedUpSingle: (solverCpuMs ?? solverWallMs) / times[Math.floor(times.length / 2)],
    speedUpBatchPerPoint: (solverCpuMs ?? solverWallMs) / (batchMs / nBatch),
    backend: getBackend(),
  };
  log('speed done');

  // Explanations
  const romTruth = test.map((r) => r.outputs!.romDeg);
  const unstableTruth = test.map((r) => (r.outputs!.unstable ? 1 : 0));
  const lde = test.map((r) => r.outputs!.loadDistributionEfficiency ?? NaN);
  const permutation = {
    romDeg: permutationImportance(mlp, testPoints, romTruth, 'romDeg', { seed }),
    loadDistributionEfficiency: permutationImportance(mlp, testPoints, lde, 'loadDistributionEfficiency', { seed }),
    unstableProbability: permutationImportance(mlp, testPoints, unstableTruth, 'unstableProbability', { seed }),
  };
  const anat = defaultParameters(p0.level);
  const baseline: DesignPoint = {
    ...p0,
    globalScale: 1,
    discHeightScale: 1,
    lordosisDeg: typeof anat.lordosisDeg === 'number' ? anat.lordosisDeg : anat.lordosisDeg[0],
    boneQuality: 'normal',
    degenerationGrade: 0,
    configuration: 'intact',
    screwDiameterMm: null,
    screwLengthMm: null,
    screwConvergenceDeg: null,
    screwSagittalDeg: null,
    rodDiameterMm: null,
    rodMaterial: null,
    cageHeightMm: null,
    cageMaterial: null,
    momentNm: 7.5,
    preloadN: 0,
  };
  const ig = integratedGradients(mlp, p0, baseline, 'romDeg');
  const sobolN = o.sobolN ?? 256;
  const sobol = {
    romDeg: sobolIndices(mlp, 'romDeg', { n: sobolN, seed }),
    idpMPa: sobolIndices(mlp, 'idpMPa', { n: sobolN, seed }),
    unstableProbability: sobolIndices(mlp, 'unstableProbability', { n: sobolN, seed }),
  };
  log('explanations done');
  mlp.dispose();

  return {
    generated: new Date().toISOString(),
    data: {
      records: records.length,
      usable: rows.length,
      failed: records.filter((r) => r.status === 'failed').length,
      unstable: rows.filter((r) => r.outputs!.unstable).length,
      train: train.length,
      test: test.length,
      resolutionMm: [...new Set(rows.map((r) => r.resolution))],
      solverVersions: [...new Set(rows.map((r) => r.solverVersion))],
    },
    noiseCeiling: o.noiseCeiling ?? null,
    test: scores,
    crossValidation,
    speed,
    explanations: {
      permutationImportance: Object.fromEntries(Object.entries(permutation).map(([k, v]) => [k, v.map(({ input, increase }) => ({ input, increase }))])),
      integratedGradients: { point: p0, baseline, output: 'romDeg', ...ig },
      sobol: Object.fromEntries(Object.entries(sobol).map(([k, v]) => [k, [...v]])),
      sobolN,
    },
    literature: [
      {
        source: 'Rahman et al. 2025 (J Teachers Assoc 38(1):14–24), 68 patients',
        sensitivity: 0.92,
        specificity: 0.88,
        accuracy: 0.9,
        ppv: 0.87,
        npv: 0.93,
        note: 'intra-operative stability of real patients; ours are simulated FE verdicts — not comparable tasks',
      },
    ],
  };
}

const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(0)} %`);
const ci = (c: [number, number]) => (Number.isFinite(c[0]) ? `[${f(c[0], 2)}, ${f(c[1], 2)}]` : '—');

/**
 * The evaluation as Markdown (tables of every figure, with plain statements of what they are).
 * @example
 * ```ts
 * writeFileSync('surrogate-evaluation.md', evaluationMarkdown(report));
 * ```
 */
export function evaluationMarkdown(r: EvaluationReport): string {
  const L: string[] = [];
  L.push('# Surrogate evaluation', '');
  L.push(`Generated ${r.generated}. Data: ${r.data.records} sweep records, ${r.data.usable} usable (${r.data.failed} failed solves or meshes), ${r.data.unstable} unstable; resolution ${r.data.resolutionMm.join(', ')} mm; solver ${r.data.solverVersions.join(', ')}.`);
  L.push(`Held-out test split by design point, stratified by configuration: ${r.data.train} train / ${r.data.test} test; cross-validation folds stratified the same way.`);
  if (r.data.usable < 200) L.push('', `**Caution:** ${r.data.usable} design points is a pilot-sized dataset; every figure below has wide uncertainty (see the bootstrap CIs and the CV SDs). Regenerate with the 2,000-point sweep before quoting them.`);
  L.push('', '## Regression (test split)', '');
  const nc = r.noiseCeiling;
  L.push(
    `| output | model | n | R² |${nc ? ' R²_max (noise) |' : ''} MAE | NRMSE | MAE top 10 % | rel. error at max |`,
    `|---|---|---|---|${nc ? '---|' : ''}---|---|---|---|`,
  );
  for (const t of TARGETS) {
    for (const s of r.test) {
      const m = s.regression[t.name];
      L.push(`| ${t.name} (${t.unit}) | ${s.model} | ${m.n} | ${f(m.r2)} |${nc ? ` ${f(nc.r2[t.name] ?? undefined)} |` : ''} ${f(m.mae, 4)} | ${f(m.nrmse)} | ${f(m.peakMae, 4)} | ${pct(m.maxValueRelError)} |`);
    }
  }
  if (nc) {
    L.push(
      '',
      `R²_max: the R² that the discretisation noise of ${nc.resolutionMm} mm data allows any model (1 − noise variance / variance of the output; measured by solving design points on voxel grids shifted by fractions of a voxel, \`${nc.source.replace(/^.*packages\//, 'packages/')}\` and its .md).`,
    );
  }
  L.push('', '## Instability classifier (test split, threshold 0.5)', '');
  L.push('| model | sensitivity | specificity | accuracy | PPV | NPV | AUC [95 % CI] | Brier | calibration slope |', '|---|---|---|---|---|---|---|---|---|');
  for (const s of r.test) {
    const c = s.classification;
    if (!c) continue;
    L.push(`| ${s.model} | ${pct(c.sensitivity)} ${ci(c.sensitivityCi)} | ${pct(c.specificity)} ${ci(c.specificityCi)} | ${pct(c.accuracy)} | ${pct(c.ppv)} | ${pct(c.npv)} | ${f(c.auc, 2)} ${ci(c.aucCi)} | ${f(c.brier)} | ${f(c.calibrationSlope, 2)} |`);
  }
  for (const lit of r.literature) {
    L.push(`| *${lit.source}* | *${pct(lit.sensitivity)}* | *${pct(lit.specificity)}* | *${pct(lit.accuracy)}* | *${pct(lit.ppv)}* | *${pct(lit.npv)}* | — | — | — |`);
  }
  L.push('', `The italic row is the source paper's **clinical** result (${r.literature[0].note}; PPV/NPV as reported there). Our labels are the solver's instability verdict (ROM > 1.5 × the intact corridor bound scaled with the moment, or sagittal translation > 4.5 mm) on **simulated** cases; the surrogate reproduces the simulation, it does not predict patients.`);
  const mlpRow = r.test[0]?.classification;
  if (mlpRow) {
    L.push('', '### Decision curve (MLP ensemble)', '', '| threshold pₜ | net benefit (model) | treat all | treat none |', '|---|---|---|---|');
    for (const nb of mlpRow.netBenefit) L.push(`| ${nb.threshold} | ${f(nb.model, 4)} | ${f(nb.treatAll, 4)} | 0 |`);
  }
  if (r.crossValidation) {
    L.push('', `## ${r.crossValidation.folds}-fold cross-validation (mean ± SD over folds)`, '');
    L.push(`| model | ${TARGETS.map((t) => `R² ${t.name}`).join(' | ')} | AUC | accuracy | sensitivity | specificity |`, `|---|${TARGETS.map(() => '---').join('|')}|---|---|---|---|`);
    for (const m of r.crossValidation.models) {
      const ms = (v: { mean: number; sd: number }, d = 2) => `${f(v.mean, d)} ± ${f(v.sd, d)}`;
      L.push(`| ${m.model} | ${TARGETS.map((t) => ms(m.r2[t.name])).join(' | ')} | ${ms(m.auc)} | ${ms(m.accuracy)} | ${ms(m.sensitivity)} | ${ms(m.specificity)} |`);
    }
  }
  const s = r.speed;
  L.push('', '## Speed', '');
  L.push(`| what | time |`, `|---|---|`);
  L.push(`| one prediction (\`predict\`, input checks + ${s.members}-member ensemble, median of 30) | ${f(s.singleMs, 2)} ms |`);
  L.push(`| batch of ${s.batch} (\`predictBatch\`) | ${f(s.batchMs, 0)} ms (${f(s.perPointInBatchUs, 1)} µs per point) |`);
  L.push(`| solver, same test cases (mean wall / CPU per design point) | ${f(s.solverWallMs / 1000, 1)} s / ${s.solverCpuMs === null ? '—' : `${f(s.solverCpuMs / 1000, 1)} s`} |`);
  L.push(`| speed-up, single prediction vs solver ${s.solverCpuMs === null ? 'wall' : 'CPU'} time | ${f(s.speedUpSingle, 0)} × |`);
  L.push(`| speed-up, per point in the batch | ${f(s.speedUpBatchPerPoint, 0)} × |`);
  L.push('', `tfjs backend: ${s.backend}.`);
  L.push('', '## Explanations', '', '### Permutation importance (test split, increase of the MAE / Brier score when one input is shuffled)', '');
  const pi = r.explanations.permutationImportance;
  const keys = Object.keys(pi);
  L.push(`| input | ${keys.join(' | ')} |`, `|---|${keys.map(() => '---').join('|')}|`);
  const inputs = pi[keys[0]].map((e) => e.input);
  for (const inp of inputs) L.push(`| ${inp} | ${keys.map((k) => f(pi[k].find((e) => e.input === inp)?.increase, 4)).join(' | ')} |`);
  const ig = r.explanations.integratedGradients;
  if (ig) {
    L.push('', `### Integrated gradients, ROM of one test case`, '');
    L.push(`Case: ${ig.point.level} ${ig.point.configuration}, ${ig.point.motion} ${ig.point.momentNm} N·m, preload ${ig.point.preloadN} N. Baseline: the same level and motion, intact default anatomy, 7.5 N·m, no preload. Prediction ${f(ig.prediction)} ${ig.unit} vs baseline ${f(ig.baselinePrediction)} ${ig.unit}; completeness gap ${f(ig.completenessGap, 4)} ${ig.unit} (64 steps).`, '');
    L.push(`| input | attribution (${ig.unit}) |`, '|---|---|');
    for (const a of ig.attributions.filter((x) => Math.abs(x.value) > 0).slice(0, 12)) L.push(`| ${a.input} | ${f(a.value, 4)} |`);
  }
  L.push('', `### Sobol' indices through the surrogate (N = ${r.explanations.sobolN}, Saltelli first order, Jansen total order)`, '');
  const so = r.explanations.sobol;
  const sk = Object.keys(so);
  L.push(`| input | ${sk.map((k) => `S₁ ${k} | S_T ${k}`).join(' | ')} |`, `|---|${sk.map(() => '---|---').join('|')}|`);
  for (const inp of so[sk[0]].map((e) => e.input)) {
    L.push(`| ${inp} | ${sk.map((k) => { const e = so[k].find((x) => x.input === inp)!; return `${f(e.first, 3)} | ${f(e.total, 3)}`; }).join(' | ')} |`);
  }
  L.push('', 'Sobol\' indices are of the surrogate over the swept design space (implant inputs act only in instrumented configurations); they inherit its errors, and at small N the first-order estimates can be slightly negative.');
  return L.join('\n') + '\n';
}
