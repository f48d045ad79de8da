/**
 * Per-phase breakdown of the spine load cases of today's default model (intact
 * L4–L5, 2 mm, the analysis defaults: AMG θ = 0.02, tolerance 1e-8): mesh
 * generation, FE model, validate / assembly / reduction / AMG setup, then every
 * load case with its iterations and active-set passes. Wall and process CPU time
 * (the machine is shared). Writes results/spine-breakdown.{md,json}.
 *
 * Run: `node --conditions=@spinefea/source --import tsx packages/benchmarks/src/spine-breakdown.ts [--resolution 2] [--no-write]`
 */
import { buildLumbarSegment, defaultParameters } from '@spinefea/mesh';
import { analyzeSpine, buildSpineFeModel } from '@spinefea/core';
import { commandLine, fmt, log, machineInfo, markdownTable, numberFlag, parseFlags, writeResults } from './common.js';

const flags = parseFlags();
const resolution = numberFlag(flags, 'resolution', 2);
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const machine = machineInfo();
let w = performance.now();
let c = cpu();
const lap = () => {
  const r = { wall: performance.now() - w, cpu: cpu() - c };
  w = performance.now();
  c = cpu();
  return r;
};
const seg = buildLumbarSegment({ ...defaultParameters('L4'), resolution });
const mesh = lap();
const spine = buildSpineFeModel(seg);
const model = lap();
// progress events arrive at the start of each load case: CPU and wall time between them
const events: { wall: number; cpu: number }[] = [];
const res = analyzeSpine(spine, { onProgress: () => void events.push({ wall: performance.now(), cpu: cpu() }) });
const total = lap();
events.push({ wall: performance.now(), cpu: cpu() });
const starts = events.slice(-res.cases.length - 1);
const caseCpu = res.cases.map((_, k) => starts[k + 1].cpu - starts[k].cpu);
const t = res.prepared.timings;
const phaseRows = [
  ['mesh (buildLumbarSegment)', fmt(mesh.wall), fmt(mesh.cpu)],
  ['FE model (buildSpineFeModel)', fmt(model.wall), fmt(model.cpu)],
  ['validate', fmt(t.validate), '—'],
  ['assembly', fmt(t.assemble), '—'],
  ['reduction', fmt(t.reduce), '—'],
  ['AMG setup', fmt(t.preconditioner), '—'],
  ['prepare (the four above)', fmt(res.timings.prepareMs), '—'],
  ['all load cases + prepare', fmt(total.wall), fmt(total.cpu)],
];
const caseRows = res.cases.map((k, i) => [
  k.loadCase,
  fmt(k.solver.timeMs),
  fmt(caseCpu[i]),
  String(k.solver.iterations),
  String(k.solver.facetActiveSetIterations),
  String(k.solver.ligamentActiveSetIterations),
  (k.solver.iterations / Math.max(1, k.solver.facetActiveSetIterations)).toFixed(1),
  String(k.solver.openFacetCells),
]);
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const median = med(res.cases.map((k) => k.solver.timeMs));
const medianCpu = med(caseCpu);
const markdown = [
  `Intact L4–L5 at ${resolution} mm: ${fmt(res.model.cells)} cells, ${fmt(res.model.freeDofs)} free DOFs; analysis defaults (AMG θ 0.02; across active-set passes the hierarchy's coarse levels are kept and its fine level refreshed; warm starts; loose tolerance until the set settles). Machine shared (see load average): CPU time beside wall time where measured.`,
  '',
  markdownTable(['phase', 'wall ms', 'CPU ms'], phaseRows, ['left', 'right', 'right']),
  '',
  `Per load case (median ${fmt(median)} ms wall, ${fmt(medianCpu)} ms CPU; CPU = process time from one case's start to the next, clinical figures included):`,
  '',
  markdownTable(['load case', 'wall ms', 'CPU ms', 'PCG iterations', 'facet passes', 'ligament passes (last)', 'iterations / facet pass', 'open facet cells'], caseRows),
].join('\n');
console.log(markdown);
if (!flags['no-write']) {
  const out = writeResults({ name: 'spine-breakdown', title: 'Spine load case: per-phase breakdown', machine, command: commandLine(), data: { resolution, mesh, model, total, timings: t, cases: res.cases.map((k, i) => ({ loadCase: k.loadCase, cpuMs: caseCpu[i], ...k.solver })) }, markdown });
  log(`wrote ${out.md}`);
}
