import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { auc, calibration, classificationMetrics, meanSd, regressionMetrics } from '../src/metrics.js';
import { mulberry32 } from '../src/sampling.js';
import { fromBase64, toBase64 } from '../src/base64.js';

describe('metrics', () => {
  it('AUC equals the fraction of correctly ordered positive–negative pairs (ties ½)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 })), { minLength: 2, maxLength: 40 }), (rows) => {
        const labels = rows.map((r) => (r[0] ? 1 : 0));
        const scores = rows.map((r) => r[1] / 20);
        let good = 0, pairs = 0;
        for (let i = 0; i < rows.length; i++) for (let j = 0; j < rows.length; j++) {
          if (labels[i] === 1 && labels[j] === 0) {
            pairs++;
            good += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
          }
        }
        const a = auc(labels, scores);
        if (pairs === 0) expect(a).toBeNaN();
        else expect(a).toBeCloseTo(good / pairs, 12);
      }),
    );
  });

  it('regression metrics: perfect prediction gives R² 1 and zero errors; a constant gives R² 0', () => {
    const y = [1, 2, 3, 4, 10];
    expect(regressionMetrics(y, y)).toMatchObject({ r2: 1, mae: 0, nrmse: 0, peakMae: 0, maxValueRelError: 0 });
    const mean = y.reduce((a, b) => a + b) / y.length;
    expect(regressionMetrics(y, y.map(() => mean)).r2).toBeCloseTo(0, 12);
    // NRMSE = RMSE / range: errors of ±0.9 over a range of 9 → 0.1
    expect(regressionMetrics([0, 9], [0.9, 8.1]).nrmse).toBeCloseTo(0.1, 12);
  });

  it('calibration slope recovers the slope of labels drawn from a known logistic model', () => {
    const rand = mulberry32(4);
    const labels: number[] = [], p: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = 4 * rand() - 2;
      p.push(1 / (1 + Math.exp(-z))); // the model says logit z …
      labels.push(rand() < 1 / (1 + Math.exp(-0.5 * z)) ? 1 : 0); // … the truth is 0.5·z: overconfident, slope 0.5
    }
    // 4000 draws: the slope's standard error is ≈ 0.05; 0.15 is three of them
    expect(calibration(labels, p).slope).toBeCloseTo(0.5, 0);
    expect(Math.abs(calibration(labels, p).slope - 0.5)).toBeLessThan(0.15);
  });

  it('classification metrics at the threshold and the decision curve follow their definitions', () => {
    const labels = [1, 1, 1, 0, 0, 0, 0, 1];
    const p = [0.9, 0.8, 0.3, 0.2, 0.6, 0.1, 0.4, 0.7];
    const m = classificationMetrics(labels, p, { bootstrap: 200 });
    // TP 3 (0.9, 0.8, 0.7), FN 1 (0.3), FP 1 (0.6), TN 3
    expect(m).toMatchObject({ sensitivity: 0.75, specificity: 0.75, accuracy: 0.75, ppv: 0.75, npv: 0.75 });
    const nb = m.netBenefit.find((x) => x.threshold === 0.5)!;
    expect(nb.model).toBeCloseTo(3 / 8 - (1 / 8) * 1, 12);
    expect(nb.treatAll).toBeCloseTo(0.5 - 0.5, 12);
    expect(m.aucCi[0]).toBeLessThanOrEqual(m.auc);
    expect(m.aucCi[1]).toBeGreaterThanOrEqual(m.auc);
    expect(m.brier).toBeCloseTo(p.reduce((a, v, i) => a + (v - labels[i]) ** 2, 0) / 8, 12);
  });

  it('meanSd ignores NaN', () => {
    expect(meanSd([1, NaN, 3])).toEqual({ mean: 2, sd: Math.SQRT2 });
  });

  it('base64 round-trips any bytes and matches Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const s = toBase64(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(Array.from(fromBase64(s))).toEqual(Array.from(b));
      }),
    );
  });
});
