/**
 * Discretisation study of the clinical figures, to choose the sweep's resolution
 * and to know the best R² any surrogate can reach on data at that resolution.
 *
 *   node --conditions=@spinefea/source --import tsx packages/surrogate/src/scripts/mesh-convergence.ts \
 *     [--resolutions 2,1.5,1.25] [--points 5] [--noise-instrumented 2] [--noise-other 1] [--shifts 5] [--seed 1] \
 *     [--data packages/surrogate/data/sweep-2mm.jsonl.gz,packages/surrogate/data/sweep-2mm-b.jsonl.gz]
 *
 * Two parts, each a set of solves of sampled design points (Sobol seed `seed`):
 * 1. **Convergence**: one point per configuration kind at every resolution; each
 *    figure's change against the finest mesh that solved.
 * 2. **Noise**: points at the sweep resolution (the coarsest listed) solved with the
 *    voxel grid shifted by random fractions of a voxel (`gridShift`). The anatomy is
 *    identical, so the spread is pure discretisation noise: a design point's figure
 *    is known only to ± that SD, and two neighbouring design points differ by it at
 *    random. Against the dataset's spread it bounds the attainable R²:
 *    R²_max = 1 − σ²_noise / Var(y), with σ²_noise pooled over points either as an
 *    absolute SD (additive model) or as a relative SD times the data (multiplicative).
 *
 * Every solve is appended to `data/mesh-convergence.jsonl` as it finishes; a rerun
 * skips the solves already there (interrupt and resume freely). At the end
 * `data/mesh-convergence.{json,md}` are written.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configurationHas, type DesignPoint } from '../design-space.js';
import { readRecords } from '../records.js';
import { mulberry32 } from '../sampling.js';
import { simulateDesignPoint } from '../simulate.js';
import { sweepDesignPoints } from '../sweep.js';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const resolutions = arg('resolutions', '2,1.5,1.25').split(',').map(Number);
const nPoints = Number(arg('points', '5'));
// noise points per instrumented configuration kind, and per other kind
const nNoiseInstrumented = Number(arg('noise-instrumented', '2'));
const nNoiseOther = Number(arg('noise-other', '1'));
const nShifts = Number(arg('shifts', '5'));
const seed = Number(arg('seed', '1'));
const dataFiles = arg('data', 'packages/surrogate/data/sweep-2mm.jsonl.gz,packages/surrogate/data/sweep-2mm-b.jsonl.gz').split(',').filter(Boolean);
const sweepH = Math.max(...resolutions);

const FIGS = ['romDeg', 'idpMPa', 'loadDistributionEfficiency', 'implantVonMisesPeakMPa', 'implantVonMisesP99MPa', 'anteriorLoadShare'] as const;
type Fig = (typeof FIGS)[number];
/**
 * Figures whose noise scales with their size (rotations and stresses under the applied moment):
 * pooled as a relative SD. IDP is additive: it crosses zero (its relative SD is meaningless there).
 */
const MULTIPLICATIVE: ReadonlySet<Fig> = new Set(['romDeg', 'implantVonMisesPeakMPa', 'implantVonMisesP99MPa']);

interface Row {
  part: 'convergence' | 'noise';
  index: number;
  configuration: string;
  motion: string;
  resolutionMm: number;
  gridShift: [number, number, number] | null;
  status: string;
  cells: number | null;
  seconds: number;
  error: string | null;
  figures: Partial<Record<Fig, number | null>>;
}

const candidates = sweepDesignPoints('sobol', seed, 0, 256);
const kinds = ['screws-rods-cage', 'screws-rods', 'intact', 'nucleotomy', 'facetectomy'] as const;
const firstOf = (k: string, skip = 0) => candidates.filter((c) => c.point.configuration === k)[skip];
const firstN = (k: string, n: number) => Array.from({ length: n }, (_, i) => firstOf(k, i));
const convergencePoints = kinds.map((k) => firstOf(k)).filter(Boolean).slice(0, nPoints);
// Noise: more points of the instrumented kinds (implant stresses are the noisiest figures) than of the others.
const noisePoints = [...kinds.slice(0, 2).flatMap((k) => firstN(k, nNoiseInstrumented)), ...kinds.slice(2).flatMap((k) => firstN(k, nNoiseOther))].filter(Boolean);
const rand = mulberry32(seed * 7919 + 17);
const shifts: [number, number, number][] = Array.from({ length: nShifts }, () => [rand(), rand(), rand()].map((v) => Math.round(v * 1000) / 1000) as [number, number, number]);

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');
mkdirSync(dir, { recursive: true });
const logFile = join(dir, 'mesh-convergence.jsonl');
const rowKey = (r: Pick<Row, 'index' | 'resolutionMm' | 'gridShift'>) => `${r.index}@${r.resolutionMm}@${r.gridShift ? r.gridShift.join(',') : '-'}`;
const rows: Row[] = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row) : [];
const done = new Set(rows.map(rowKey));

const tasks: { part: Row['part']; c: { index: number; point: DesignPoint }; h: number; shift: [number, number, number] | null }[] = [
  ...convergencePoints.flatMap((c) => resolutions.map((h) => ({ part: 'convergence' as const, c, h, shift: null }))),
  ...noisePoints.flatMap((c) => [null, ...shifts].map((shift) => ({ part: 'noise' as const, c, h: sweepH, shift }))),
];
const t0 = performance.now();
let solved = 0;
const todo = tasks.filter((t) => !done.has(rowKey({ index: t.c.index, resolutionMm: t.h, gridShift: t.shift })));
for (const t of todo) {
  const key = rowKey({ index: t.c.index, resolutionMm: t.h, gridShift: t.shift });
  if (done.has(key)) continue; // the unshifted sweep-resolution solve is shared by both parts
  const r = simulateDesignPoint(t.c.index, t.c.point, { resolution: t.h, ...(t.shift ? { gridShift: t.shift } : {}) });
  const row: Row = {
    part: t.part,
    index: t.c.index,
    configuration: t.c.point.configuration,
    motion: t.c.point.motion,
    resolutionMm: t.h,
    gridShift: t.shift,
    status: r.status,
    cells: r.solver?.cells ?? null,
    seconds: r.timing.totalMs / 1000,
    error: r.error?.message ?? null,
    figures: Object.fromEntries(FIGS.map((f) => [f, (r.outputs?.[f] as number | null | undefined) ?? null])),
  };
  appendFileSync(logFile, JSON.stringify(row) + '\n');
  rows.push(row);
  done.add(key);
  solved++;
  const el = (performance.now() - t0) / 1000;
  console.error(
    `[${done.size}/${new Set(tasks.map((x) => rowKey({ index: x.c.index, resolutionMm: x.h, gridShift: x.shift }))).size}] point ${t.c.index} (${t.c.point.configuration}) ${t.h} mm` +
      `${t.shift ? ` shift ${t.shift.join(',')}` : ''}: ${r.status}${r.error ? ` — ${r.error.message}` : ''} in ${row.seconds.toFixed(1)} s · elapsed ${el.toFixed(0)} s · ETA ${((el / solved) * (todo.length - solved)).toFixed(0)} s`,
  );
}

const find = (index: number, h: number, shift: [number, number, number] | null) => rows.find((r) => rowKey(r) === rowKey({ index, resolutionMm: h, gridShift: shift }));
const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(digits));
const md: string[] = [
  '# Discretisation study of the clinical figures',
  '',
  `Generated ${new Date().toISOString()} by \`packages/surrogate/src/scripts/mesh-convergence.ts\` (Sobol seed ${seed}). Resolutions ${resolutions.join(', ')} mm; the sweep's resolution is ${sweepH} mm.`,
  '',
  '## 1. Convergence under refinement',
  '',
  `| point | configuration, motion | h (mm) | cells | ${FIGS.join(' | ')} | time (s) |`,
  `|---|---|---|---|${FIGS.map(() => '---').join('|')}|---|`,
];
const convSummary: Record<string, number[]> = {};
for (const c of convergencePoints) {
  const mine = resolutions.map((h) => find(c.index, h, null)).filter((r): r is Row => !!r);
  const ref = mine.filter((r) => r.status === 'ok').sort((a, b) => a.resolutionMm - b.resolutionMm)[0];
  for (const r of mine) {
    const cell = (f: Fig) => {
      const v = r.figures[f];
      if (v === null || v === undefined) return r.status === 'ok' ? '—' : String(r.error ?? 'failed').slice(0, 40);
      const rv = ref?.figures[f];
      if (r === ref || rv === null || rv === undefined || rv === 0) return fmt(v);
      const rel = ((v - rv) / Math.abs(rv)) * 100;
      if (r.resolutionMm === sweepH) (convSummary[f] ??= []).push(Math.abs(rel));
      return `${fmt(v)} (${rel >= 0 ? '+' : ''}${rel.toFixed(1)} %)`;
    };
    md.push(`| ${c.index} | ${c.point.configuration}, ${c.point.motion} | ${r.resolutionMm} | ${r.cells ?? '—'} | ${FIGS.map(cell).join(' | ')} | ${r.seconds.toFixed(1)} |`);
  }
}
md.push('', `Percentages: change against the finest resolution that solved for that point. Median |change| at ${sweepH} mm: ${FIGS.map((f) => `${f} ${convSummary[f]?.length ? median(convSummary[f]).toFixed(1) + ' %' : '—'}`).join(', ')}.`, '');

// Noise: per point, SD over the unshifted and shifted grids
md.push(`## 2. Discretisation noise at ${sweepH} mm (voxel grid shifted by random fractions of a voxel, ${nShifts} shifts + unshifted)`, '');
md.push(`| point | configuration, motion | ${FIGS.map((f) => `${f} mean ± SD (rel. SD)`).join(' | ')} |`, `|---|---|${FIGS.map(() => '---').join('|')}|`);
const perPoint: { sd: Partial<Record<Fig, number>>; cv: Partial<Record<Fig, number>> }[] = [];
for (const c of noisePoints) {
  const mine = [null, ...shifts].map((s) => find(c.index, sweepH, s)).filter((r): r is Row => !!r && r.status === 'ok');
  const sd: Partial<Record<Fig, number>> = {};
  const cv: Partial<Record<Fig, number>> = {};
  const cells = FIGS.map((f) => {
    const v = mine.map((r) => r.figures[f]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (v.length < 2) return '—';
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    sd[f] = s;
    if (m !== 0) cv[f] = s / Math.abs(m);
    return `${fmt(m)} ± ${fmt(s, 2)} (${m !== 0 ? ((100 * s) / Math.abs(m)).toFixed(1) : '—'} %)`;
  });
  perPoint.push({ sd, cv });
  md.push(`| ${c.index} | ${c.point.configuration}, ${c.point.motion} (${mine.length} grids) | ${cells.join(' | ')} |`);
}

// R² ceiling against the dataset at the sweep resolution
const data = dataFiles.filter((f) => existsSync(f) || existsSync(f.replace(/\.gz$/, ''))).flatMap((f) => readRecords(existsSync(f.replace(/\.gz$/, '')) ? f.replace(/\.gz$/, '') : f).records);
const ok = data.filter((r) => r.status === 'ok' && r.resolution === sweepH && r.outputs);
md.push('', `## 3. The R² a surrogate can reach on ${sweepH} mm data`, '');
md.push(
  `Dataset: ${ok.length} solved design points (${dataFiles.join(', ')}). Pooled noise: root-mean-square of the per-point SDs above (absolute), or of the relative SDs times each record's value (multiplicative, used for ${[...MULTIPLICATIVE].join(', ')}). R²_max = 1 − pooled noise variance / variance of the figure over the dataset (implant figures over instrumented records only).`,
  '',
  '| figure | records | SD over dataset | pooled noise SD | pooled relative noise SD | model | R²_max |',
  '|---|---|---|---|---|---|---|',
);
const ceilings: Record<string, number | null> = {};
for (const f of FIGS) {
  const ys = ok
    .filter((r) => !f.startsWith('implant') || configurationHas(r.inputs.configuration).screws || configurationHas(r.inputs.configuration).cage)
    .map((r) => r.outputs![f] as number | null)
    .filter((y): y is number => typeof y === 'number' && Number.isFinite(y));
  const sds = perPoint.map((p) => p.sd[f]).filter((x): x is number => x !== undefined);
  const cvs = perPoint.map((p) => p.cv[f]).filter((x): x is number => x !== undefined);
  if (ys.length < 2 || !sds.length) {
    md.push(`| ${f} | ${ys.length} | — | — | — | — | — |`);
    ceilings[f] = null;
    continue;
  }
  const m = ys.reduce((a, b) => a + b, 0) / ys.length;
  const variance = ys.reduce((a, b) => a + (b - m) ** 2, 0) / (ys.length - 1);
  const rmsSd = Math.sqrt(sds.reduce((a, b) => a + b * b, 0) / sds.length);
  const rmsCv = Math.sqrt(cvs.reduce((a, b) => a + b * b, 0) / Math.max(1, cvs.length));
  const mult = MULTIPLICATIVE.has(f);
  const noiseVar = mult ? (rmsCv * rmsCv * ys.reduce((a, b) => a + b * b, 0)) / ys.length : rmsSd * rmsSd;
  const r2max = 1 - noiseVar / variance;
  ceilings[f] = r2max;
  md.push(`| ${f} | ${ys.length} | ${fmt(Math.sqrt(variance), 3)} | ${fmt(rmsSd, 3)} | ${(100 * rmsCv).toFixed(1)} % | ${mult ? 'multiplicative' : 'additive'} | ${r2max.toFixed(3)} |`);
}
md.push(
  '',
  'A surrogate scored on noisy solver output cannot beat R²_max on average: the noise is not a function of the inputs. Finer meshes lower the noise (part 1 shows how the figures move), at the cost in the time column.',
);
writeFileSync(
  join(dir, 'mesh-convergence.json'),
  JSON.stringify({ generated: new Date().toISOString(), seed, resolutions, sweepResolutionMm: sweepH, shifts, convergencePoints: convergencePoints.map((c) => c.index), noisePoints: noisePoints.map((c) => c.index), r2Ceiling: ceilings, rows }, null, 2) + '\n',
);
writeFileSync(join(dir, 'mesh-convergence.md'), md.join('\n') + '\n');
console.error(`wrote ${join(dir, 'mesh-convergence.md')}`);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}
