import { describe, it, expect, beforeAll } from 'vitest';
import { sweepDesignPoints } from '../src/sweep.js';
import { trainSurrogate } from '../src/train.js';
import { SurrogateModel, type SurrogateModelJson } from '../src/model.js';
import { useSurrogateBackend } from '../src/backend.js';
import { integratedGradients, sobolIndices } from '../src/explain.js';
import { regressionMetrics } from '../src/metrics.js';
import { SurrogateInputError, SurrogateModelFormatError, SurrogateTrainingError } from '../src/errors.js';
import { simulate, stubOutputs } from './fixtures/stub-simulator.js';
import type { SweepRecord } from '../src/records.js';
import type { DesignPoint } from '../src/design-space.js';

let records: SweepRecord[];
let model: SurrogateModel;
let saved: SurrogateModelJson;
const points = sweepDesignPoints('sobol', 11, 0, 96);

beforeAll(async () => {
  await useSurrogateBackend();
  records = await Promise.all(points.map(({ index, point }) => simulate(index, point, { resolution: 2 })));
  model = await trainSurrogate(records.slice(0, 80), { members: 5, epochs: 60, seed: 2 });
  saved = JSON.parse(JSON.stringify(model.toJson()));
}, 120_000);

describe('surrogate model (trained on the stub simulator)', () => {
  it('learns the ROM: R² on unseen design points', () => {
    const test = points.slice(80).map((p) => p.point);
    const b = model.predictBatch(test);
    const k = model.json.targets.length;
    const m = regressionMetrics(test.map((p) => stubOutputs(p)!.romDeg), test.map((_, i) => b.mean[i * k]));
    // 80 points, 60 epochs: a clearly learnt but not converged fit; 0.6 separates it from a constant (R² ≈ 0)
    expect(m.r2).toBeGreaterThan(0.6);
  });

  it('saves to JSON and reloads with identical predictions', async () => {
    const reloaded = await SurrogateModel.fromJson(saved);
    const pts = points.slice(80, 90).map((p) => p.point);
    const a = model.predictBatch(pts), b = reloaded.predictBatch(pts);
    expect(Array.from(b.mean)).toEqual(Array.from(a.mean));
    expect(Array.from(b.sd)).toEqual(Array.from(a.sd));
    expect(Array.from(b.probability)).toEqual(Array.from(a.probability));
    expect(saved.regressor.members.length).toBe(5);
    expect(saved.classifier.members.length).toBe(5);
    reloaded.dispose();
  });

  it('predict gives values with units, an ensemble SD and nulls for implants the case lacks', () => {
    const intact = points.find((p) => p.point.configuration === 'intact')!.point;
    const r = model.predict(intact);
    expect(r.outputs.romDeg!.unit).toBe('deg');
    expect(r.outputs.romDeg!.sd).toBeGreaterThan(0); // 5 different seeds never agree exactly
    expect(r.outputs.implantVonMisesPeakMPa).toBeNull();
    expect(r.unstable.probability).toBeGreaterThanOrEqual(0);
    expect(r.unstable.probability).toBeLessThanOrEqual(1);
    expect(r.ood).toBe(false);
    const fused = points.find((p) => p.point.configuration === 'screws-rods-cage')!.point;
    expect(model.predict(fused).outputs.implantVonMisesPeakMPa!.value).toBeGreaterThan(0);
  });

  it('flags inputs outside the training bounds as OOD, and refuses invalid ones with a typed error', () => {
    const p = points[0].point;
    const ood = model.predict({ ...p, momentNm: 15 });
    expect(ood.ood).toBe(true);
    expect(ood.oodInputs.map((o) => o.name)).toEqual(['momentNm']);
    expect(ood.oodInputs[0]).toMatchObject({ max: model.json.bounds.numeric.momentNm.max });
    // a quantity with a unit is converted: 7500 N·mm = 7.5 N·m
    expect(model.predict({ ...p, momentNm: '7500 N·mm' }).outputs.romDeg!.value).toBeCloseTo(model.predict({ ...p, momentNm: 7.5 }).outputs.romDeg!.value, 10);
    const { momentNm: _m, ...missing } = p;
    expect(() => model.predict(missing)).toThrow(SurrogateInputError);
    expect(() => model.predict(missing)).toThrow(/momentNm: is required/);
    expect(() => model.predict({ ...p, momentNm: '7.5 mm' })).toThrow(/unit 'mm' is a length, but momentNm is a moment/);
    expect(() => model.predict({ ...p, preloadN: -5 })).toThrow(/preloadN: -5 N is outside the valid range/);
    expect(() => model.predict({ ...p, motion: 'twist' })).toThrow(/motion: 'twist' is not one of/);
    expect(() => model.predict({ ...p, momentNM: 7.5 })).toThrow(/momentNM: is not a design input/);
    const instrumented = points.find((x) => x.point.configuration === 'screws-rods')!.point;
    expect(() => model.predict({ ...instrumented, screwDiameterMm: undefined })).toThrow(/screwDiameterMm: is required for configuration 'screws-rods'/);
  });

  it('refuses a document of another format or feature list', async () => {
    await expect(SurrogateModel.fromJson({ ...saved, format: 'x' } as never)).rejects.toThrow(SurrogateModelFormatError);
    await expect(SurrogateModel.fromJson({ ...saved, features: saved.features.slice(1) })).rejects.toThrow(/retrain/);
  });

  it('needs some records to train', async () => {
    await expect(trainSurrogate(records.slice(0, 2))).rejects.toThrow(SurrogateTrainingError);
  });

  it('integrated gradients are complete: attributions sum to F(x) − F(baseline)', () => {
    const p = points[1].point;
    const base: DesignPoint = { ...p, momentNm: 5, preloadN: 0 };
    const ig = integratedGradients(model, p, base, 'romDeg', 128);
    const total = ig.attributions.reduce((a, x) => a + x.value, 0);
    // the midpoint Riemann sum with 128 steps of a smooth (ELU) network: gap well under 2 % of the change
    expect(Math.abs(ig.completenessGap)).toBeLessThan(0.02 * Math.abs(ig.prediction - ig.baselinePrediction) + 1e-6);
    expect(total).toBeCloseTo(ig.prediction - ig.baselinePrediction, 1);
    // only the inputs that differ get attributions
    for (const a of ig.attributions) if (!['momentNm', 'preloadN'].includes(a.input)) expect(a.value).toBe(0);
  });

  it("Sobol' indices through the surrogate: the moment matters for ROM, total ≥ first order roughly", () => {
    const s = sobolIndices(model, 'romDeg', { n: 64, seed: 3 });
    const moment = s.find((x) => x.input === 'momentNm')!;
    // the stub ROM is proportional to the moment: a large total effect whatever the sampling noise at N = 64
    expect(moment.total).toBeGreaterThan(0.1);
    const sum = s.reduce((a, x) => a + x.total, 0);
    expect(sum).toBeGreaterThan(0.8); // Σ S_T ≥ 1 in theory; 0.8 allows the estimator's noise at N = 64
  });
});
