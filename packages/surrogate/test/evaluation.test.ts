import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepDesignPoints } from '../src/sweep.js';
import { useSurrogateBackend } from '../src/backend.js';
import { DISCRETISATION_STUDY_PATH, evaluateSurrogate, evaluationMarkdown, loadNoiseCeiling } from '../src/evaluation.js';
import { TARGETS } from '../src/features.js';
import { simulate } from './fixtures/stub-simulator.js';
import type { SweepRecord } from '../src/records.js';

async function stubRecords(n: number, resolution = 2): Promise<SweepRecord[]> {
  return Promise.all(sweepDesignPoints('sobol', 5, 0, n).map(({ index, point }) => simulate(index, point, { resolution })));
}

describe('noise ceiling of the discretisation study', () => {
  it('is read for records at the study resolution, and refused for another resolution, mixed resolutions or a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ceiling-'));
    const file = join(dir, 'study.json');
    writeFileSync(file, JSON.stringify({ sweepResolutionMm: 2, r2Ceiling: { romDeg: 0.97, implantVonMisesPeakMPa: 0.95 } }));
    const at2 = await stubRecords(4, 2);
    expect(loadNoiseCeiling(at2, file)).toEqual({ resolutionMm: 2, r2: { romDeg: 0.97, implantVonMisesPeakMPa: 0.95 }, source: file, meanInverseReplicates: { romDeg: 1, implantVonMisesPeakMPa: 1 } });
    // every point solved on a second grid: half the noise variance, so 1 − R²_max halves
    const replicas = at2.map((r) => ({ ...r, gridShift: [0.5, 0.5, 0.5] as [number, number, number] }));
    const doubled = loadNoiseCeiling([...at2, ...replicas], file)!;
    expect(doubled.meanInverseReplicates.romDeg).toBe(0.5);
    expect(doubled.r2.romDeg).toBeCloseTo(1 - 0.03 / 2, 12);
    expect(loadNoiseCeiling(await stubRecords(4, 1.5), file)).toBeNull();
    expect(loadNoiseCeiling([...at2, ...(await stubRecords(2, 1.5))], file)).toBeNull();
    expect(loadNoiseCeiling(at2, join(dir, 'missing.json'))).toBeNull();
    // the shipped study was run at the sweep resolution (2 mm) and covers every regression output
    const shipped = loadNoiseCeiling(at2, DISCRETISATION_STUDY_PATH);
    expect(shipped).not.toBeNull();
    for (const t of TARGETS) expect(shipped!.r2[t.name]).toBeGreaterThan(0);
  });
});

describe('evaluateSurrogate (stub simulator, tiny settings)', () => {
  it('scores the MLP and the baselines on a test split and CV folds, and prints the noise ceiling beside R²', async () => {
    await useSurrogateBackend();
    const records = await stubRecords(60);
    const report = await evaluateSurrogate(records, {
      folds: 2,
      train: { members: 2, epochs: 20 },
      cvTrain: { members: 1, epochs: 20 },
      bootstrap: 50,
      sobolN: 16,
      speedBatch: 200,
      noiseCeiling: { resolutionMm: 2, r2: Object.fromEntries(TARGETS.map((t) => [t.name, 0.9])), source: 'study.json', meanInverseReplicates: Object.fromEntries(TARGETS.map((t) => [t.name, 1])) },
    });
    expect(report.data.usable).toBe(60);
    expect(report.data.train + report.data.test).toBe(60);
    expect(report.test.map((s) => s.model)).toHaveLength(4);
    for (const s of report.test) for (const t of TARGETS) expect(Number.isFinite(s.regression[t.name].r2) || s.regression[t.name].n === 0).toBe(true);
    expect(report.crossValidation?.folds).toBe(2);
    expect(report.noiseCeiling?.r2.romDeg).toBe(0.9);
    const md = evaluationMarkdown(report);
    expect(md).toContain('R²_max (noise)');
    expect(md).toMatch(/\| romDeg \(deg\) \| MLP ensemble \(2 members\) \| \d+ \| [-\d.]+ \| 0\.900 \|/);
  }, 120_000);
});
