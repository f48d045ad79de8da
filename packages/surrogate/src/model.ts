/**
 * The surrogate model: a deep ensemble of tfjs MLPs — a multi-output regressor
 * for the clinical figures and a binary classifier for instability — with the
 * input/output normalisation and the training bounds (for the OOD flag) in one
 * JSON document (weights base64). Browser-safe: saving and loading go through
 * `tf.io.withSaveHandler` / `tf.io.fromMemory`, never `file://`.
 */
import * as tf from '@tensorflow/tfjs';
import { fromBase64, toBase64 } from './base64.js';
import { SurrogateModelFormatError } from './errors.js';
import { configurationHas, DESIGN_INPUTS, type DesignPoint } from './design-space.js';
import { encodeFeatures, FEATURE_COLUMNS, fromTargetSpace, normalise, TARGETS, type Normalisation, type TargetSpec } from './features.js';
import { parseDesignPoint } from './inputs.js';

/**
 * Select a tfjs backend by name ('cpu', 'webgl', 'wasm' once registered) and wait for it.
 * In Node prefer `useSurrogateBackend` (wasm with a cpu fallback).
 * @example
 * ```ts
 * await selectTfBackend('cpu');
 * ```
 */
export async function selectTfBackend(name: string): Promise<string> {
  await tf.setBackend(name);
  await tf.ready();
  return tf.getBackend();
}

/** Format tag of a saved model. */
export const SURROGATE_FORMAT = 'spinefea-surrogate/1';

/** One ensemble member as saved: tfjs model topology, weight specs, weights (base64 of little-endian float32). */
export interface MemberJson {
  seed: number;
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: string;
}

/** Training input bounds: numeric [min, max] and categorical choices seen. */
export interface TrainingBounds {
  numeric: Record<string, { min: number; max: number }>;
  categorical: Record<string, string[]>;
}

/** A saved surrogate (the shipped `models/default.json`). */
export interface SurrogateModelJson {
  format: typeof SURROGATE_FORMAT;
  created: string;
  /** Where the training data came from. */
  trainedOn: { records: number; ok: number; unstable: number; resolutionMm: number[]; solverVersions: string[]; source: string };
  features: string[];
  inputNorm: Normalisation;
  targets: (TargetSpec & { mean: number; sd: number; trainedRows: number })[];
  bounds: TrainingBounds;
  regressor: { hidden: number[]; activation: string; members: MemberJson[] };
  /** `constantProbability` set when the training data had one class only (no classifier can be fitted). */
  classifier: { hidden: number[]; activation: string; threshold: number; members: MemberJson[]; constantProbability?: number };
  training: Record<string, unknown>;
}

/** A predicted figure with its unit and the ensemble's spread. */
export interface PredictedValue {
  /** Ensemble mean, in `unit`. */
  value: number;
  /** Ensemble standard deviation (epistemic uncertainty), in `unit`. */
  sd: number;
  unit: string;
}

/**
 * What {@link SurrogateModel.predict} returns.
 * @example
 * ```ts
 * const p = model.predict(point);
 * console.log(`${p.outputs.romDeg.value.toFixed(2)} ± ${p.outputs.romDeg.sd.toFixed(2)} ${p.outputs.romDeg.unit}`, p.ood);
 * ```
 */
export interface SurrogatePrediction {
  inputs: DesignPoint;
  /** Some input lies outside the training bounds (or a category was never trained on): extrapolation, trust less. */
  ood: boolean;
  oodInputs: { name: string; value: number | string; min?: number; max?: number; seen?: string[] }[];
  /** Regression outputs; implant figures are null when the configuration has no implant. */
  outputs: Record<TargetSpec['name'], PredictedValue | null>;
  /** Instability: ensemble-mean probability, its SD, and the verdict at the threshold. */
  unstable: { probability: number; sd: number; predicted: boolean; threshold: number };
}

/** Concatenate tfjs weight data (one buffer or a list of shards). */
function weightBytes(wd: tf.io.WeightData | undefined): Uint8Array {
  if (!wd) throw new SurrogateModelFormatError('tfjs saved no weight data');
  if (!Array.isArray(wd)) return new Uint8Array(wd);
  const total = wd.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of wd) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

/**
 * Serialise one tfjs model through a save handler (no file system).
 * @example
 * ```ts
 * const j = await memberToJson(model, 7);
 * ```
 */
export async function memberToJson(model: tf.LayersModel, seed: number): Promise<MemberJson> {
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { seed, modelTopology: art!.modelTopology, weightSpecs: art!.weightSpecs ?? [], weightData: toBase64(weightBytes(art!.weightData)) };
}

/**
 * Load one member from its JSON through `tf.io.fromMemory`.
 * @example
 * ```ts
 * const m = await memberFromJson(json.regressor.members[0]);
 * ```
 */
export async function memberFromJson(j: MemberJson): Promise<tf.LayersModel> {
  const bytes = fromBase64(j.weightData);
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: j.modelTopology as object, weightSpecs: j.weightSpecs, weightData: buf }));
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Batch predictions: n rows, arrays in target order (row-major n × targets). */
export interface BatchPrediction {
  n: number;
  /** Ensemble mean per target, physical units, n × TARGETS.length. */
  mean: Float64Array;
  sd: Float64Array;
  /** Instability probability and its ensemble SD, n. */
  probability: Float64Array;
  probabilitySd: Float64Array;
}

/**
 * A loaded surrogate ready to predict. Create with {@link SurrogateModel.fromJson}.
 */
export class SurrogateModel {
  private constructor(
    readonly json: SurrogateModelJson,
    readonly regressors: tf.LayersModel[],
    readonly classifiers: tf.LayersModel[],
  ) {}

  /**
   * Load from a parsed model document (e.g. `JSON.parse` of `models/default.json`).
   * @throws {@link SurrogateModelFormatError} on a wrong format tag or feature list.
   * @example
   * ```ts
   * const model = await SurrogateModel.fromJson(JSON.parse(readFileSync('models/default.json', 'utf8')));
   * ```
   */
  static async fromJson(json: SurrogateModelJson): Promise<SurrogateModel> {
    if (!json || json.format !== SURROGATE_FORMAT) throw new SurrogateModelFormatError(`not a ${SURROGATE_FORMAT} document (format: ${String(json?.format)})`);
    const expected = FEATURE_COLUMNS.map((c) => c.name);
    if (json.features.length !== expected.length || json.features.some((f, i) => f !== expected[i])) {
      throw new SurrogateModelFormatError(`the model's ${json.features.length} features differ from this library's ${expected.length} (${expected.join(', ')}): retrain`);
    }
    if (!json.regressor.members.length) throw new SurrogateModelFormatError('the model has no regressor members');
    const regressors = await Promise.all(json.regressor.members.map(memberFromJson));
    const classifiers = await Promise.all(json.classifier.members.map(memberFromJson));
    return new SurrogateModel(json, regressors, classifiers);
  }

  /**
   * Create from trained members (used by training).
   */
  static async fromMembers(meta: Omit<SurrogateModelJson, 'regressor' | 'classifier'> & { regressor: Omit<SurrogateModelJson['regressor'], 'members'>; classifier: Omit<SurrogateModelJson['classifier'], 'members'> }, regressors: { model: tf.LayersModel; seed: number }[], classifiers: { model: tf.LayersModel; seed: number }[]): Promise<SurrogateModel> {
    const json: SurrogateModelJson = {
      ...meta,
      regressor: { ...meta.regressor, members: await Promise.all(regressors.map((m) => memberToJson(m.model, m.seed))) },
      classifier: { ...meta.classifier, members: await Promise.all(classifiers.map((m) => memberToJson(m.model, m.seed))) },
    };
    return new SurrogateModel(json, regressors.map((m) => m.model), classifiers.map((m) => m.model));
  }

  /** The document to save (`JSON.stringify` it). */
  toJson(): SurrogateModelJson {
    return this.json;
  }

  /** Ensemble size (regressor members). */
  get ensembleSize(): number {
    return this.regressors.length;
  }

  /**
   * Normalised features of design points (n × features, Float32) as the networks take them.
   */
  normalisedFeatures(points: readonly DesignPoint[]): Float32Array {
    return normalise(encodeFeatures(points), points.length, this.json.inputNorm);
  }

  /**
   * Per-member raw network outputs for normalised features: regressor members in
   * normalised target space [member][n × targets], classifier logits [member][n].
   */
  memberOutputs(z: Float32Array, n: number): { regression: Float32Array[]; logits: Float32Array[] } {
    const d = this.json.features.length;
    return tf.tidy(() => {
      const x = tf.tensor2d(z, [n, d]);
      const regression = this.regressors.map((m) => (m.predict(x) as tf.Tensor).dataSync() as Float32Array);
      const logits = this.classifiers.map((m) => (m.predict(x) as tf.Tensor).dataSync() as Float32Array);
      return { regression, logits };
    });
  }

  /**
   * Predict many design points at once (checked points; see {@link predict} for user input).
   * @example
   * ```ts
   * const b = model.predictBatch(points);
   * const rom0 = b.mean[0 * TARGETS.length + 0];
   * ```
   */
  predictBatch(points: readonly DesignPoint[]): BatchPrediction {
    const n = points.length;
    const k = TARGETS.length;
    const { regression, logits } = this.memberOutputs(this.normalisedFeatures(points), n);
    const mean = new Float64Array(n * k), sd = new Float64Array(n * k);
    const M = regression.length;
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const spec = this.json.targets[t];
        let s = 0, s2 = 0;
        for (let m = 0; m < M; m++) {
          // de-normalise, then undo the target transform: y = T⁻¹(μ + σ·ẑ)
          const y = fromTargetSpace(spec, spec.mean + spec.sd * regression[m][i * k + t]);
          s += y;
          s2 += y * y;
        }
        const mu = s / M;
        mean[i * k + t] = mu;
        sd[i * k + t] = M > 1 ? Math.sqrt(Math.max(0, (s2 - M * mu * mu) / (M - 1))) : 0;
      }
    }
    const probability = new Float64Array(n), probabilitySd = new Float64Array(n);
    const C = logits.length;
    for (let i = 0; i < n; i++) {
      if (C === 0) {
        probability[i] = this.json.classifier.constantProbability ?? 0;
        continue;
      }
      let s = 0, s2 = 0;
      for (let m = 0; m < C; m++) {
        const p = sigmoid(logits[m][i]);
        s += p;
        s2 += p * p;
      }
      probability[i] = s / C;
      probabilitySd[i] = C > 1 ? Math.sqrt(Math.max(0, (s2 - (C * s * s) / (C * C)) / (C - 1))) : 0;
    }
    return { n, mean, sd, probability, probabilitySd };
  }

  /**
   * Which inputs of a point lie outside the training bounds.
   * @example
   * ```ts
   * model.outOfDistribution(point); // [{ name: 'momentNm', value: 15, min: 2.5, max: 10 }]
   * ```
   */
  outOfDistribution(p: DesignPoint): SurrogatePrediction['oodInputs'] {
    const out: SurrogatePrediction['oodInputs'] = [];
    const rec = p as unknown as Record<string, unknown>;
    for (const spec of DESIGN_INPUTS) {
      const v = rec[spec.name];
      if (v === null || v === undefined) continue;
      if (spec.kind === 'numeric') {
        const b = this.json.bounds.numeric[spec.name];
        // a tolerance of 1e-9 of the span absorbs the rounding of values read back from JSON
        const tol = b ? 1e-9 * Math.max(1, Math.abs(b.max - b.min)) : 0;
        if (!b || (v as number) < b.min - tol || (v as number) > b.max + tol) out.push({ name: spec.name, value: v as number, ...(b ? { min: b.min, max: b.max } : {}) });
      } else {
        const seen = this.json.bounds.categorical[spec.name] ?? [];
        if (!seen.includes(v as string)) out.push({ name: spec.name, value: v as string, seen });
      }
    }
    return out;
  }

  /**
   * Predict one design point given by a user: parsed and checked by
   * {@link parseDesignPoint} (units converted, missing/out-of-range inputs throw),
   * then flagged OOD when outside the training bounds.
   *
   * @example
   * ```ts
   * const r = model.predict({ ...point, momentNm: '7.5 N·m' });
   * r.outputs.romDeg; // { value: 4.1, sd: 0.3, unit: 'deg' }
   * r.unstable;       // { probability: 0.12, sd: 0.05, predicted: false, threshold: 0.5 }
   * ```
   */
  predict(input: unknown): SurrogatePrediction {
    const p = parseDesignPoint(input);
    const b = this.predictBatch([p]);
    const has = configurationHas(p.configuration);
    const outputs = {} as SurrogatePrediction['outputs'];
    this.json.targets.forEach((t, j) => {
      const implant = t.name.startsWith('implant');
      outputs[t.name] = (implant && !has.screws && !has.cage) || t.trainedRows === 0 ? null : { value: b.mean[j], sd: b.sd[j], unit: t.unit };
    });
    const oodInputs = this.outOfDistribution(p);
    const threshold = this.json.classifier.threshold;
    return {
      inputs: p,
      ood: oodInputs.length > 0,
      oodInputs,
      outputs,
      unstable: { probability: b.probability[0], sd: b.probabilitySd[0], predicted: b.probability[0] >= threshold, threshold },
    };
  }

  /** Free the tensors of every member. */
  dispose(): void {
    for (const m of [...this.regressors, ...this.classifiers]) m.dispose();
  }
}
