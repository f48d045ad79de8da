/**
 * Voxel meshing speed of the instrumented L4–L5 segment (default screws,
 * rods and TLIF cage) at several resolutions: cells, nodes, wall time and
 * CPU time of `buildLumbarSegment` (best of `--repeats`, after one warm-up
 * build at the coarsest resolution so V8 has optimised the classifiers).
 *
 * Targets: < 2 s at 1 mm and < 15 s at 0.5 mm on the 2-core development machine.
 *
 * Run: `cd /work/main && node --conditions=@spinefea/source --import tsx packages/benchmarks/src/mesh-speed.ts [--resolutions 2,1,0.5] [--repeats 2] [--smooth 0] [--no-write]`
 */
import { buildLumbarSegment, defaultImplants, defaultParameters } from '@spinefea/mesh';
import { commandLine, fmt, log, machineInfo, markdownTable, numberFlag, parseFlags, rssMiB, writeResults } from './common.js';

interface Row {
  resolution: number;
  cells: number;
  nodes: number;
  droppedVoxels: number;
  /** Best wall time, ms. */
  wallMs: number;
  /** CPU time (user + system) of the best run, ms. */
  cpuMs: number;
  samplesMs: number[];
  rssMiB: number;
}

const flags = parseFlags();
const resolutions = typeof flags.resolutions === 'string' ? flags.resolutions.split(',').map(Number) : [2, 1, 0.5];
const repeats = Math.max(1, Math.round(numberFlag(flags, 'repeats', 2)));
const smooth = flags.smooth === undefined ? 0 : Math.round(Number(flags.smooth));

function params(resolution: number) {
  const p = defaultParameters('L4');
  p.resolution = resolution;
  p.smoothIterations = smooth;
  p.implants = defaultImplants(p);
  return p;
}

buildLumbarSegment(params(Math.max(...resolutions))); // warm-up
const rows: Row[] = [];
for (const h of resolutions) {
  const samples: number[] = [];
  let best: Row | null = null;
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const m = buildLumbarSegment(params(h));
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    samples.push(wall);
    if (!best || wall < best.wallMs) {
      best = { resolution: h, cells: m.report.cells, nodes: m.report.nodes, droppedVoxels: m.report.droppedVoxels, wallMs: wall, cpuMs: (c.user + c.system) / 1000, samplesMs: [], rssMiB: rssMiB() };
    }
  }
  best!.samplesMs = samples;
  rows.push(best!);
  log(`h = ${h} mm: ${best!.cells} cells, ${best!.nodes} nodes, ${fmt(best!.wallMs)} ms`);
}

const table = markdownTable(
  ['resolution (mm)', 'cells', 'nodes', 'dropped voxels', 'wall (ms, best)', 'CPU (ms)', 'all samples (ms)', 'RSS (MiB)'],
  rows.map((r) => [String(r.resolution), String(r.cells), String(r.nodes), String(r.droppedVoxels), fmt(r.wallMs), fmt(r.cpuMs), r.samplesMs.map((s) => fmt(s)).join(', '), fmt(r.rssMiB)]),
  ['right', 'right', 'right', 'right', 'right', 'right', 'left', 'right'],
);
console.log(table);
if (!flags['no-write']) {
  const out = writeResults({
    name: 'mesh-speed',
    title: 'Voxel meshing speed — instrumented L4–L5 (buildLumbarSegment)',
    machine: machineInfo(),
    command: commandLine(),
    data: { smoothIterations: smooth, rows },
    markdown: `${table}\n\nDefault parameters of \`defaultParameters('L4')\` with \`defaultImplants\` (Ø 6.5 mm screws, Ø 5.5 mm Ti rods, PEEK TLIF cage), smoothing passes: ${smooth}. Wall time includes validation, geometry, painting, clean-up, hex emission, node/face sets, fibres and ligaments. Targets: < 2 s at 1 mm, < 15 s at 0.5 mm on 2 cores.`,
  });
  log(`wrote ${out.md}`);
}
