/**
 * The one-time calibration of the spine model against the intact L4–L5 in-vitro ROM
 * corridors (Heuer et al. 2007, 7.5 N·m, mark U): a grid over the ligament stiffness
 * scale and the facet cartilage scale at the resolution the tests and the main job use.
 * Prints a table and writes results/spine-calibration.{md,json}.
 *
 * run: node --conditions=@spinefea/source --import tsx packages/benchmarks/src/spine-calibration.ts [--resolution 2] [--lig 0.1,0.2,0.35] [--facet 0.1,0.3,1] [--fibre 0.16]
 */
import { buildLumbarSegment, defaultParameters } from '@spinefea/mesh';
import { analyzeSpine, buildSpineFeModel, type SpineMotion } from '@spinefea/core';
import { markdownTable, parseFlags, writeResults, machineInfo, commandLine } from './common.js';

const flags = parseFlags(process.argv.slice(2));
const res = Number(flags.resolution ?? 2);
const ligs = String(flags.lig ?? '0.1,0.2,0.35').split(',').map(Number);
const facets = String(flags.facet ?? '0.1,0.3,1').split(',').map(Number);
const fibre = Number(flags.fibre ?? 0.16);
const MOTIONS: SpineMotion[] = ['flexion', 'extension', 'lateralBendingRight', 'axialRotationLeft'];
const CORRIDOR: Record<string, [number, number]> = { flexion: [5, 6], extension: [3, 4], lateralBendingRight: [4, 5], axialRotationLeft: [1.5, 2] };
const seg = buildLumbarSegment({ ...defaultParameters('L4'), resolution: res });
const rows: string[][] = [];
const json: unknown[] = [];
for (const lig of ligs) {
  for (const facet of facets) {
    const t = performance.now();
    const spine = buildSpineFeModel(seg, { calibration: { ligamentStiffnessScale: lig, facetCartilageScale: facet, annulusFibreFraction: fibre } });
    const r = analyzeSpine(spine, { motions: MOTIONS, compressionN: 0, solver: { preconditioner: 'amg', amg: { strengthThreshold: 0.02 }, maxIterations: 5000 } });
    const rom = Object.fromEntries(r.cases.map((c) => [c.motion, c.romDeg]));
    // distance outside the corridors, summed (0 = all inside)
    const miss = MOTIONS.reduce((s, m) => s + Math.max(0, CORRIDOR[m][0] - rom[m], rom[m] - CORRIDOR[m][1]), 0);
    rows.push([String(lig), String(facet), ...MOTIONS.map((m) => rom[m].toFixed(2)), miss.toFixed(2), ((performance.now() - t) / 1000).toFixed(0)]);
    json.push({ ligamentStiffnessScale: lig, facetCartilageScale: facet, annulusFibreFraction: fibre, romDeg: rom, outsideCorridorsDeg: miss });
    console.log(rows[rows.length - 1].join('\t'));
  }
}
const header = ['ligament scale', 'facet scale', 'flexion °', 'extension °', 'lat. bending °', 'axial rot. °', 'outside corridors °', 's'];
const table = markdownTable(header, rows);
console.log(table);
writeResults({
  name: 'spine-calibration',
  title: `Spine model calibration (intact L4–L5, ${res} mm, 7.5 N·m)`,
  machine: machineInfo(),
  command: commandLine(),
  data: { resolution: res, runs: json },
  markdown: `Corridors (Heuer et al. 2007, mark U): flexion 5–6°, extension 3–4°, lateral bending 4–5°, axial rotation 1.5–2°. Annulus fibre fraction ${fibre}.\n\n${table}\n`,
});
