/**
 * Mesh-convergence study to choose the sweep's resolution: a few design points
 * solved at several voxel sizes; every clinical figure, its change against the
 * finest mesh, cells and time. Writes data/mesh-convergence.{json,md}.
 *
 *   node --conditions=@spinefea/source --import tsx packages/surrogate/src/scripts/mesh-convergence.ts \
 *     [--resolutions 3,2,1.5] [--points 3] [--seed 1]
 *
 * The mesher accepts 0.25–2 mm: a 3 mm request is recorded as refused (its
 * error), not silently changed. Points are the first sampled design points of
 * each configuration kind (intact, screws-rods, screws-rods-cage) so implant
 * stresses are covered. One design point at 1.5 mm takes minutes on 2 cores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateDesignPoint } from '../simulate.js';
import { sweepDesignPoints } from '../sweep.js';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const resolutions = arg('resolutions', '3,2,1.5').split(',').map(Number);
const nPoints = Number(arg('points', '3'));
const seed = Number(arg('seed', '1'));
const candidates = sweepDesignPoints('sobol', seed, 0, 64);
const kinds = ['screws-rods-cage', 'screws-rods', 'intact', 'nucleotomy', 'facetectomy'];
const chosen = kinds.map((k) => candidates.find((c) => c.point.configuration === k)!).filter(Boolean).slice(0, nPoints);

const FIGS = ['romDeg', 'idpMPa', 'loadDistributionEfficiency', 'implantVonMisesPeakMPa', 'implantVonMisesP99MPa', 'anteriorLoadShare'] as const;
const rows: Record<string, unknown>[] = [];
for (const c of chosen) {
  for (const h of resolutions) {
    const r = simulateDesignPoint(c.index, c.point, { resolution: h });
    const row: Record<string, unknown> = { index: c.index, configuration: c.point.configuration, motion: c.point.motion, resolutionMm: h, status: r.status, cells: r.solver?.cells ?? null, seconds: r.timing.totalMs / 1000, error: r.error?.message ?? null };
    for (const f of FIGS) row[f] = r.outputs?.[f] ?? null;
    rows.push(row);
    console.error(`point ${c.index} (${c.point.configuration}) at ${h} mm: ${r.status}${r.error ? ` — ${r.error.message}` : ''} in ${(r.timing.totalMs / 1000).toFixed(1)} s`);
  }
}
// change of each figure against the finest resolution that solved, per point
const md: string[] = ['# Mesh convergence of the clinical figures', '', `Resolutions ${resolutions.join(', ')} mm; design points ${chosen.map((c) => c.index).join(', ')} (Sobol seed ${seed}).`, ''];
md.push(`| point | configuration | h (mm) | cells | ${FIGS.join(' | ')} | time (s) |`, `|---|---|---|---|${FIGS.map(() => '---').join('|')}|---|`);
for (const c of chosen) {
  const mine = rows.filter((r) => r.index === c.index);
  const ref = mine.filter((r) => r.status === 'ok').sort((a, b) => (a.resolutionMm as number) - (b.resolutionMm as number))[0];
  for (const r of mine) {
    const cell = (f: string) => {
      const v = r[f] as number | null;
      if (v === null || v === undefined) return r.status === 'ok' ? '—' : String(r.error ?? 'failed').slice(0, 40);
      const rv = ref?.[f] as number | null;
      const rel = rv ? ` (${(((v - rv) / Math.abs(rv)) * 100).toFixed(1)} %)` : '';
      return `${v.toPrecision(4)}${r === ref ? '' : rel}`;
    };
    md.push(`| ${c.index} | ${c.point.configuration} ${c.point.motion} | ${r.resolutionMm} | ${r.cells ?? '—'} | ${FIGS.map(cell).join(' | ')} | ${(r.seconds as number).toFixed(1)} |`);
  }
}
md.push('', 'Percentages: change against the finest resolution that solved for that point.');
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'mesh-convergence.json'), JSON.stringify({ generated: new Date().toISOString(), resolutions, seed, rows }, null, 2) + '\n');
writeFileSync(join(dir, 'mesh-convergence.md'), md.join('\n') + '\n');
console.error(`wrote ${join(dir, 'mesh-convergence.md')}`);
