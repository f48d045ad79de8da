/**
 * Training of the surrogate ensemble on sweep records.
 *
 * Regressor: one multi-output MLP per member for the {@link TARGETS}; a target
 * that a record lacks (implant stresses of an uninstrumented point, LDE when the
 * endplate is unloaded) is **masked out of the loss**:
 * L = Σ mᵢₖ (ŷᵢₖ − yᵢₖ)² / Σ mᵢₖ + λ Σ‖W‖² (one network, shared hidden layers).
 * Classifier: one MLP per member with a logit output, sigmoid cross-entropy on
 * `unstable`. Members differ by initialisation seed and batch order (deep ensemble,
 * Lakshminarayanan et al. 2017); the SD over members is the predictive uncertainty.
 * Early stopping on a seeded 15 % validation split (when there are ≥ 20 records)
 * keeps each member's best weights.
 */
import * as tf from '@tensorflow/tfjs';
import { configurationHas, DESIGN_INPUTS, type DesignPoint } from './design-space.js';
import { SurrogateTrainingError } from './errors.js';
import { encodeFeatures, FEATURE_COLUMNS, FEATURE_COUNT, fitNormalisation, normalise, ONE_HOT, TARGETS, toTargetSpace } from './features.js';
import { SURROGATE_FORMAT, SurrogateModel, type TrainingBounds } from './model.js';
import { mergeReplicates, type SweepRecord } from './records.js';
import { mulberry32 } from './sampling.js';

/** Options of {@link trainSurrogate}. */
export interface TrainOptions {
  /** Ensemble members (default 5). */
  members?: number;
  /** Hidden layer widths (default [64, 64]). */
  hidden?: number[];
  /** Epochs (default 400; early stopping may end sooner). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /**
   * L2 weight penalty λ (default 1e-3: on ~760 design points, 2 random 80/20 splits, 1e-3 beat
   * 1e-4 by +0.03–0.05 R² on LDE and implant stress; 3e-3 and 1e-2 underfit ROM).
   */
  weightDecay?: number;
  /** Base seed; member k uses seed + k (default 1). */
  seed?: number;
  /** Epochs without validation improvement before stopping (default 60). */
  patience?: number;
  /** Train the classifier too (default true). */
  classifier?: boolean;
  /** Where the data came from, stored in the model. */
  source?: string;
  /** Called after every member. */
  onProgress?: (message: string) => void;
}

/**
 * The ok records usable for training (finite ROM), one per design point:
 * replicates on shifted grids are merged first ({@link mergeReplicates}), so a
 * design point never sits on both sides of a train/test split.
 */
export function usableRecords(records: readonly SweepRecord[]): SweepRecord[] {
  return mergeReplicates(records).filter((r) => r.status === 'ok' && r.outputs && Number.isFinite(r.outputs.romDeg));
}

/**
 * Targets of records in normalisation-ready form: values (transformed) and the mask.
 * @returns `y` and `mask`, n × TARGETS.length, row-major.
 */
export function targetMatrix(records: readonly SweepRecord[]): { y: Float64Array; mask: Float64Array } {
  const k = TARGETS.length;
  const y = new Float64Array(records.length * k), mask = new Float64Array(records.length * k);
  records.forEach((r, i) => {
    const has = configurationHas(r.inputs.configuration);
    TARGETS.forEach((t, j) => {
      const v = r.outputs?.[t.name];
      const u = typeof v === 'number' && Number.isFinite(v) ? toTargetSpace(t, v) : NaN;
      if (Number.isFinite(u) && (!t.name.startsWith('implant') || has.screws || has.cage)) {
        y[i * k + j] = u;
        mask[i * k + j] = 1;
      } else y[i * k + j] = NaN;
    });
  });
  return { y, mask };
}

/** Training bounds of the inputs: numeric min/max and categories seen. */
export function trainingBounds(points: readonly DesignPoint[]): TrainingBounds {
  const numeric: TrainingBounds['numeric'] = {};
  const categorical: TrainingBounds['categorical'] = {};
  for (const spec of DESIGN_INPUTS) {
    const vals = points.map((p) => (p as unknown as Record<string, unknown>)[spec.name]).filter((v) => v !== null && v !== undefined);
    if (spec.kind === 'numeric') {
      if (vals.length) numeric[spec.name] = { min: Math.min(...(vals as number[])), max: Math.max(...(vals as number[])) };
    } else categorical[spec.name] = [...new Set(vals as string[])].sort();
  }
  return { numeric, categorical };
}

function buildMlp(nIn: number, hidden: number[], nOut: number, seed: number, activation: 'elu'): tf.Sequential {
  const m = tf.sequential();
  hidden.forEach((h, i) => {
    m.add(tf.layers.dense({ units: h, activation, ...(i === 0 ? { inputShape: [nIn] } : {}), kernelInitializer: tf.initializers.heNormal({ seed: seed * 1009 + i }), biasInitializer: 'zeros' }));
  });
  m.add(tf.layers.dense({ units: nOut, activation: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1009 + 97 }), biasInitializer: 'zeros' }));
  return m;
}

interface FitSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  patience: number;
  seed: number;
  loss: 'masked-mse' | 'sigmoid-ce';
}

/**
 * Fit one member by mini-batch Adam on the masked loss; early stopping on the
 * validation rows restores the best weights. Returns the epochs run and the best validation loss.
 */
async function fitMember(model: tf.Sequential, x: Float32Array, y: Float32Array, mask: Float32Array, n: number, nOut: number, s: FitSettings): Promise<{ epochs: number; bestValLoss: number }> {
  const d = x.length / n;
  const rand = mulberry32(s.seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const r = Math.floor(rand() * (i + 1));
    [order[i], order[r]] = [order[r], order[i]];
  }
  const nVal = n >= 20 ? Math.max(2, Math.round(0.15 * n)) : 0;
  const val = order.slice(0, nVal), train = order.slice(nVal);
  const take = (idx: number[], src: Float32Array, w: number) => {
    const out = new Float32Array(idx.length * w);
    idx.forEach((r, i) => out.set(src.subarray(r * w, (r + 1) * w), i * w));
    return out;
  };
  const lossOf = (pred: tf.Tensor, yt: tf.Tensor, mt: tf.Tensor): tf.Scalar => {
    if (s.loss === 'sigmoid-ce') return tf.losses.sigmoidCrossEntropy(yt, pred) as tf.Scalar;
    // Σ m (ŷ − y)² / Σ m
    return tf.div(tf.sum(tf.mul(mt, tf.square(tf.sub(pred, yt)))), tf.maximum(tf.sum(mt), 1)) as tf.Scalar;
  };
  const opt = tf.train.adam(s.learningRate);
  const xv = nVal ? tf.tensor2d(take(val, x, d), [nVal, d]) : null;
  const yv = nVal ? tf.tensor2d(take(val, y, nOut), [nVal, nOut]) : null;
  const mv = nVal ? tf.tensor2d(take(val, mask, nOut), [nVal, nOut]) : null;
  let best = Infinity, bestWeights: tf.Tensor[] | null = null, since = 0, epoch = 0;
  for (epoch = 1; epoch <= s.epochs; epoch++) {
    for (let i = train.length - 1; i > 0; i--) {
      const r = Math.floor(rand() * (i + 1));
      [train[i], train[r]] = [train[r], train[i]];
    }
    for (let b = 0; b < train.length; b += s.batchSize) {
      const idx = train.slice(b, b + s.batchSize);
      tf.tidy(() => {
        const xb = tf.tensor2d(take(idx, x, d), [idx.length, d]);
        const yb = tf.tensor2d(take(idx, y, nOut), [idx.length, nOut]);
        const mb = tf.tensor2d(take(idx, mask, nOut), [idx.length, nOut]);
        opt.minimize(() => {
          const l = lossOf(model.apply(xb) as tf.Tensor, yb, mb);
          // λ Σ‖W‖² over the kernels (not the biases)
          const l2 = model.trainableWeights.filter((w) => w.name.includes('kernel')).reduce<tf.Tensor>((a, w) => tf.add(a, tf.sum(tf.square(w.read()))), tf.scalar(0));
          return tf.add(l, tf.mul(s.weightDecay, l2)) as tf.Scalar;
        });
      });
    }
    if (xv && yv && mv) {
      const vl = tf.tidy(() => lossOf(model.apply(xv) as tf.Tensor, yv, mv).dataSync()[0]);
      if (vl < best - 1e-6) {
        best = vl;
        since = 0;
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = model.getWeights().map((w) => w.clone());
      } else if (++since >= s.patience) break;
    }
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    bestWeights.forEach((t) => t.dispose());
  }
  xv?.dispose();
  yv?.dispose();
  mv?.dispose();
  opt.dispose();
  return { epochs: Math.min(epoch, s.epochs), bestValLoss: nVal ? best : NaN };
}

/**
 * Train the surrogate ensemble on sweep records.
 *
 * @throws {@link SurrogateTrainingError} with fewer than 4 usable records.
 * @example
 * ```ts
 * const { records } = readRecords('data/pilot.jsonl');
 * const model = await trainSurrogate(records, { members: 5, seed: 1 });
 * writeFileSync('models/default.json', JSON.stringify(model.toJson()));
 * ```
 */
export async function trainSurrogate(records: readonly SweepRecord[], o: TrainOptions = {}): Promise<SurrogateModel> {
  const t0 = performance.now();
  const rows = usableRecords(records);
  if (rows.length < 4) throw new SurrogateTrainingError(`${rows.length} usable records (status ok, finite ROM) — need at least 4 to train`);
  const members = o.members ?? 5;
  const hidden = o.hidden ?? [64, 64];
  const seed = o.seed ?? 1;
  const settings = {
    epochs: o.epochs ?? 400,
    batchSize: o.batchSize ?? 32,
    learningRate: o.learningRate ?? 3e-3,
    weightDecay: o.weightDecay ?? 1e-3,
    patience: o.patience ?? 60,
  };
  const n = rows.length;
  const points = rows.map((r) => r.inputs);
  const xRaw = encodeFeatures(points);
  const inputNorm = fitNormalisation(xRaw, n, FEATURE_COUNT, ONE_HOT);
  const x = normalise(xRaw, n, inputNorm);
  const { y: yRaw, mask } = targetMatrix(rows);
  const k = TARGETS.length;
  const yNorm = fitNormalisation(yRaw, n, k);
  const y = normalise(yRaw, n, yNorm);
  const m32 = Float32Array.from(mask);
  const trainedRows = TARGETS.map((_, j) => rows.reduce((a, _r, i) => a + mask[i * k + j], 0));

  const regressors: { model: tf.Sequential; seed: number }[] = [];
  const log: Record<string, unknown>[] = [];
  for (let mIdx = 0; mIdx < members; mIdx++) {
    const s = seed + mIdx;
    const model = buildMlp(FEATURE_COUNT, hidden, k, s, 'elu');
    const r = await fitMember(model, x, y, m32, n, k, { ...settings, seed: s, loss: 'masked-mse' });
    regressors.push({ model, seed: s });
    log.push({ member: mIdx, kind: 'regressor', seed: s, ...r });
    o.onProgress?.(`regressor ${mIdx + 1}/${members}: ${r.epochs} epochs, ${Number.isNaN(r.bestValLoss) ? 'no validation split (< 20 records)' : `best validation loss ${r.bestValLoss.toFixed(4)}`}`);
  }
  const labels = Float32Array.from(rows, (r) => (r.outputs!.unstable ? 1 : 0));
  const positives = labels.reduce((a, b) => a + b, 0);
  const classifiers: { model: tf.Sequential; seed: number }[] = [];
  let constantProbability: number | undefined;
  if ((o.classifier ?? true) && positives > 0 && positives < n) {
    for (let mIdx = 0; mIdx < members; mIdx++) {
      const s = seed + 1000 + mIdx;
      const model = buildMlp(FEATURE_COUNT, hidden, 1, s, 'elu');
      const r = await fitMember(model, x, labels, new Float32Array(n).fill(1), n, 1, { ...settings, seed: s, loss: 'sigmoid-ce' });
      classifiers.push({ model, seed: s });
      log.push({ member: mIdx, kind: 'classifier', seed: s, ...r });
      o.onProgress?.(`classifier ${mIdx + 1}/${members}: ${r.epochs} epochs, ${Number.isNaN(r.bestValLoss) ? 'no validation split (< 20 records)' : `best validation loss ${r.bestValLoss.toFixed(4)}`}`);
    }
  } else {
    // one class only: the best calibrated predictor is the observed rate
    constantProbability = positives / n;
    o.onProgress?.(`classifier: the training records are all ${positives ? 'unstable' : 'stable'}; using the constant probability ${constantProbability}`);
  }
  return SurrogateModel.fromMembers(
    {
      format: SURROGATE_FORMAT,
      created: new Date().toISOString(),
      trainedOn: {
        records: records.length,
        ok: n,
        unstable: positives,
        resolutionMm: [...new Set(rows.map((r) => r.resolution))].sort(),
        solverVersions: [...new Set(rows.map((r) => r.solverVersion))],
        source: o.source ?? '',
      },
      features: FEATURE_COLUMNS.map((c) => c.name),
      inputNorm,
      targets: TARGETS.map((t, j) => ({ ...t, mean: yNorm.mean[j], sd: yNorm.sd[j], trainedRows: trainedRows[j] })),
      bounds: trainingBounds(points),
      regressor: { hidden, activation: 'elu' },
      classifier: { hidden, activation: 'elu', threshold: 0.5, ...(constantProbability !== undefined ? { constantProbability } : {}) },
      training: { ...settings, members, seed, loss: 'masked MSE (regressor), sigmoid cross-entropy (classifier)', optimiser: 'Adam', backend: tf.getBackend(), wallSeconds: (performance.now() - t0) / 1000, members_log: log },
    },
    regressors,
    classifiers,
  );
}
