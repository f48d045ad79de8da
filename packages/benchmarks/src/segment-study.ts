/**
 * The body-fitted segment's acceptance studies (issue 11), side by side with the voxel model:
 *
 * - `--study convergence`: default L4–L5 intact and instrumented (screws + rods + TLIF cage),
 *   six motions + 500 N compression, at body-fitted refinements `--refinements 1,2,3` and voxel
 *   resolutions `--voxel 2,1.5`; every figure and its change between consecutive meshes.
 * - `--study smoothness`: for each continuous parameter (`--parameters a,b,…`, default all), a
 *   `--points 41` sweep across its range with the others at default, figures of
 *   `--motions flexion,lateralBendingRight,axialRotationLeft,compression`; a degree-6 polynomial
 *   (Chebyshev basis, least squares) is fitted to each figure and its residual RMS is reported
 *   as % of the figure's range over the sweep. `--mesher voxel` gives the voxel model's residuals.
 *
 * Every analysis is appended to `results/segment-study.cache.jsonl` as it finishes (one line per
 * analysis, keyed by its parameters), so an interrupted run resumes where it stopped.
 * Prints tables and writes results/segment-<study>.{md,json}.
 *
 * run: node --conditions=@spinefea/source --import tsx packages/benchmarks/src/segment-study.ts --study convergence [--refinements 1,2,3] [--voxel 2,1.5]
 *      node --conditions=@spinefea/source --import tsx packages/benchmarks/src/segment-study.ts --study smoothness [--refinement 1] [--points 41] [--parameters globalScale,lordosisDeg] [--mesher voxel --resolution 2]
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLumbarSegment, defaultImplants, defaultParameters, PARAMETER_RANGES, type LumbarSegmentParameters } from '@spinefea/mesh';
import { analyzeSpine, buildSpineFeModel, SPINE_MOTIONS, type SpineMotion } from '@spinefea/core';
import { commandLine, log, machineInfo, markdownTable, parseFlags, RESULTS_DIR, writeResults } from './common.js';

/** Figures of one analysis, flat: `<case>.<figure>` → value. */
type Figures = Record<string, number | null>;

const CACHE = join(RESULTS_DIR, 'segment-study.cache.jsonl');

function loadCache(): Map<string, { key: string; figures: Figures; seconds: number; cells: number; dofs: number }> {
  const out = new Map<string, { key: string; figures: Figures; seconds: number; cells: number; dofs: number }>();
  if (!existsSync(CACHE)) return out;
  for (const line of readFileSync(CACHE, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      out.set(r.key, r);
    } catch {
      // a torn last line from an interrupted run: that analysis is simply redone
    }
  }
  return out;
}

/** Runs (or reads from the cache) one analysis. */
function analyse(p: LumbarSegmentParameters, motions: readonly (SpineMotion | 'compression')[], cache: ReturnType<typeof loadCache>): Figures {
  const key = JSON.stringify({ p, motions });
  const hit = cache.get(key);
  if (hit) return hit.figures;
  const t0 = performance.now();
  const seg = buildLumbarSegment(p);
  const moments = motions.filter((m): m is SpineMotion => m !== 'compression');
  const res = analyzeSpine(buildSpineFeModel(seg), { motions: moments, compressionN: motions.includes('compression') ? 500 : 0 });
  const figures: Figures = {};
  for (const c of res.cases) {
    if (c.motion !== 'compression') figures[`${c.motion}.romDeg`] = c.romDeg;
    else {
      figures['compression.idpMPa'] = c.idpMPa;
      figures['compression.lde'] = c.loadDistributionEfficiency;
      figures['compression.anteriorShare'] = c.anteriorLoadShare;
    }
    if (c.implantVonMisesPeakMPa !== null) {
      figures['implantPeakMPa'] = Math.max(figures['implantPeakMPa'] ?? 0, c.implantVonMisesPeakMPa);
      figures['implantP99MPa'] = Math.max(figures['implantP99MPa'] ?? 0, c.implantVonMisesP99MPa ?? 0);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const record = { key, figures, seconds, cells: seg.report.cells, dofs: res.model.dofs };
  cache.set(key, record);
  appendFileSync(CACHE, JSON.stringify(record) + '\n');
  log(`${p.mesher === 'voxel' ? `voxel ${p.resolution} mm` : `refinement ${p.refinement}`}: ${seg.report.cells} cells, ${res.model.dofs} DOF, ${seconds.toFixed(0)} s`);
  return figures;
}

function baseParameters(mesher: 'body-fitted' | 'voxel', r: number, resolution: number, instrumented: boolean, patch: Partial<LumbarSegmentParameters> = {}): LumbarSegmentParameters {
  const p: LumbarSegmentParameters = { ...defaultParameters('L4'), mesher, refinement: r, resolution, ...patch };
  if (instrumented) p.implants = defaultImplants(p);
  return p;
}

const pct = (a: number | null, b: number | null): string => (a === null || b === null || a === 0 ? '—' : `${((100 * (b - a)) / Math.abs(a)).toFixed(1)} %`);
const val = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));

function convergence(flags: ReturnType<typeof parseFlags>): void {
  const rs = String(flags.refinements ?? '1,2,3').split(',').map(Number);
  const voxels = String(flags.voxel ?? '2,1.5').split(',').filter(Boolean).map(Number);
  const cache = loadCache();
  const motions = [...SPINE_MOTIONS, 'compression'] as const;
  const data: Record<string, Record<string, Figures>> = {};
  const rows: string[][] = [];
  for (const config of ['intact', 'instrumented'] as const) {
    const cols: { label: string; f: Figures }[] = [];
    for (const r of rs) cols.push({ label: `r = ${r}`, f: analyse(baseParameters('body-fitted', r, 2, config === 'instrumented'), motions, cache) });
    for (const h of voxels) cols.push({ label: `voxel ${h} mm`, f: analyse(baseParameters('voxel', 1, h, config === 'instrumented'), motions, cache) });
    data[config] = Object.fromEntries(cols.map((c) => [c.label, c.f]));
    for (const key of Object.keys(cols[0].f)) {
      const fitted = cols.slice(0, rs.length);
      const vox = cols.slice(rs.length);
      const changes = fitted.slice(1).map((c, i) => pct(fitted[i].f[key], c.f[key]));
      const voxChange = vox.length > 1 ? [pct(vox[0].f[key], vox[1].f[key])] : [];
      rows.push([config, key, ...fitted.map((c) => val(c.f[key])), ...changes, ...vox.map((c) => val(c.f[key])), ...voxChange]);
    }
  }
  const header = [
    'model',
    'figure',
    ...rs.map((r) => `r = ${r}`),
    ...rs.slice(1).map((r, i) => `Δ r${rs[i]}→${r}`),
    ...voxels.map((h) => `voxel ${h} mm`),
    ...(voxels.length > 1 ? [`Δ voxel ${voxels[0]}→${voxels[1]}`] : []),
  ];
  const table = markdownTable(header, rows);
  console.log(table);
  const cost = [...cache.values()].map((c) => ({ key: JSON.parse(c.key).p, seconds: c.seconds, cells: c.cells, dofs: c.dofs }));
  writeResults({
    name: 'segment-convergence',
    title: 'Body-fitted segment: convergence under refinement beside the voxel model (default L4–L5, 7.5 N·m, 500 N)',
    machine: machineInfo(),
    command: commandLine(),
    data: { refinements: rs, voxel: voxels, figures: data, cost },
    markdown: `Figures of the default intact and instrumented (screws + rods + TLIF cage) L4–L5 with today's calibration. ROM in degrees per motion; IDP (MPa), LDE and anterior share under 500 N compression; implant peak/p99 von Mises (MPa) the largest over the load cases. Δ: relative change to the next finer mesh.\n\n${table}\n`,
  });
}

/** Chebyshev least-squares fit of degree `deg` on x ∈ [−1, 1]; returns the residual RMS. */
function polyResidualRms(x: number[], y: number[], deg: number): number {
  const m = deg + 1;
  const A = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  const basis = (t: number): number[] => {
    const T = [1, t];
    for (let k = 2; k < m; k++) T.push(2 * t * T[k - 1] - T[k - 2]);
    return T.slice(0, m);
  };
  for (let i = 0; i < x.length; i++) {
    const T = basis(x[i]);
    for (let a = 0; a < m; a++) {
      rhs[a] += T[a] * y[i];
      for (let b = 0; b < m; b++) A[a * m + b] += T[a] * T[b];
    }
  }
  // normal equations by Gaussian elimination with partial pivoting (m = 7, well conditioned in the Chebyshev basis)
  const c = Array.from(rhs);
  for (let k = 0; k < m; k++) {
    let piv = k;
    for (let i = k + 1; i < m; i++) if (Math.abs(A[i * m + k]) > Math.abs(A[piv * m + k])) piv = i;
    for (let j = 0; j < m; j++) [A[k * m + j], A[piv * m + j]] = [A[piv * m + j], A[k * m + j]];
    [c[k], c[piv]] = [c[piv], c[k]];
    for (let i = k + 1; i < m; i++) {
      const f = A[i * m + k] / A[k * m + k];
      for (let j = k; j < m; j++) A[i * m + j] -= f * A[k * m + j];
      c[i] -= f * c[k];
    }
  }
  for (let k = m - 1; k >= 0; k--) {
    for (let j = k + 1; j < m; j++) c[k] -= A[k * m + j] * c[j];
    c[k] /= A[k * m + k];
  }
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const T = basis(x[i]);
    let f = 0;
    for (let a = 0; a < m; a++) f += c[a] * T[a];
    ss += (f - y[i]) ** 2;
  }
  return Math.sqrt(ss / x.length);
}

/** Continuous parameters of the sweep with the range they are swept over (feasible for the default L4–L5). */
const SWEEPS: Record<string, { range: [number, number]; set: (p: LumbarSegmentParameters, v: number) => void; instrumented?: boolean }> = {
  globalScale: { range: [0.85, 1.15], set: (p, v) => (p.globalScale = v) },
  discHeightScale: { range: [0.7, 1.3], set: (p, v) => (p.discHeightScale = v) },
  lordosisDeg: { range: [0, 20], set: (p, v) => (p.lordosisDeg = v) },
  frontalWedgeDeg: { range: [-5, 5], set: (p, v) => (p.frontalWedgeDeg = v) },
  corticalThickness: { range: [0.5, 2], set: (p, v) => (p.corticalThickness = v) },
  endplateThickness: { range: [0.5, 2], set: (p, v) => (p.endplateThickness = v) },
  nucleusAreaFraction: { range: [PARAMETER_RANGES.nucleusAreaFraction.min, 0.5], set: (p, v) => (p.nucleusAreaFraction = v) },
  nucleusPosteriorOffset: { range: [0, 4], set: (p, v) => (p.nucleusPosteriorOffset = v) },
  annulusFibreAngleDeg: { range: [PARAMETER_RANGES.annulusFibreAngleDeg.min, PARAMETER_RANGES.annulusFibreAngleDeg.max], set: (p, v) => (p.annulusFibreAngleDeg = v) },
  degenerationGrade: { range: [0, 2], set: (p, v) => (p.degenerationGrade = v) },
  'implants.screws.diameter': { range: [5, 7], set: (p, v) => (p.implants.screws!.diameter = v), instrumented: true },
  'implants.screws.length': { range: [35, 45], set: (p, v) => (p.implants.screws!.length = v), instrumented: true },
  'implants.screws.sagittalDeg': { range: [-5, 5], set: (p, v) => (p.implants.screws!.sagittalDeg = v), instrumented: true },
};

function smoothness(flags: ReturnType<typeof parseFlags>): void {
  const mesher = (flags.mesher ?? 'body-fitted') as 'body-fitted' | 'voxel';
  const r = Number(flags.refinement ?? 1);
  const resolution = Number(flags.resolution ?? 2);
  const points = Number(flags.points ?? 41);
  const names = flags.parameters ? String(flags.parameters).split(',') : Object.keys(SWEEPS);
  const motions = String(flags.motions ?? 'flexion,lateralBendingRight,axialRotationLeft,compression').split(',') as (SpineMotion | 'compression')[];
  const cache = loadCache();
  const rows: string[][] = [];
  const data: Record<string, { values: number[]; figures: Figures[]; residualPercent: Record<string, number> }> = {};
  for (const name of names) {
    const sw = SWEEPS[name];
    if (!sw) throw new Error(`--parameters: unknown '${name}' (one of ${Object.keys(SWEEPS).join(', ')})`);
    const values: number[] = [];
    const figs: Figures[] = [];
    for (let i = 0; i < points; i++) {
      const v = sw.range[0] + ((sw.range[1] - sw.range[0]) * i) / (points - 1);
      const p = baseParameters(mesher, r, resolution, sw.instrumented === true);
      sw.set(p, v);
      values.push(v);
      figs.push(analyse(p, motions, cache));
      log(`${name} ${i + 1}/${points}`);
    }
    const x = values.map((v) => (2 * (v - sw.range[0])) / (sw.range[1] - sw.range[0]) - 1);
    const residualPercent: Record<string, number> = {};
    for (const key of Object.keys(figs[0])) {
      const y = figs.map((f) => f[key] ?? NaN);
      if (y.some((v) => !Number.isFinite(v))) continue;
      const range = Math.max(...y) - Math.min(...y);
      const rms = polyResidualRms(x, y, 6);
      residualPercent[key] = range > 0 ? (100 * rms) / range : 0;
      rows.push([name, key, val(Math.min(...y)), val(Math.max(...y)), `${residualPercent[key].toFixed(3)} %`]);
    }
    data[name] = { values, figures: figs, residualPercent };
  }
  const table = markdownTable(['parameter', 'figure', 'min', 'max', 'degree-6 residual RMS / range'], rows);
  console.log(table);
  const label = mesher === 'voxel' ? `voxel ${resolution} mm` : `body-fitted refinement ${r}`;
  writeResults({
    name: `segment-smoothness-${mesher === 'voxel' ? `voxel-${resolution}` : `r${r}`}`,
    title: `Segment smoothness: ${points}-point parameter sweeps, ${label}`,
    machine: machineInfo(),
    command: commandLine(),
    data: { mesher, refinement: r, resolution, points, motions, sweeps: data },
    markdown: `Each continuous parameter swept over its range (${points} points, others at default; screw parameters on the instrumented model). A degree-6 polynomial is fitted to each figure; the residual RMS as a share of the figure's range over the sweep measures how smoothly it moves (goal < 0.5 %).\n\n${table}\n`,
  });
}

const flags = parseFlags();
mkdirSync(RESULTS_DIR, { recursive: true });
if (flags.study === 'convergence') convergence(flags);
else if (flags.study === 'smoothness') smoothness(flags);
else throw new Error('--study convergence | smoothness');
