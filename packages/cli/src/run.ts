import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundaryTriangles, buildLumbarSegment, meshQuality, type LumbarSegmentParameters } from '@spinefea/mesh';
import {
  analyzeSpine,
  buildSpineFeModel,
  INTACT_ROM_UPPER_DEG,
  resultsToVtu,
  SPINE_MOTIONS,
  type SpineAnalysisResult,
  spineCaseSummary,
  type SpineCaseSummary,
  type SpineMotion,
  type BackendReport,
  type SolveBackend,
} from '@spinefea/core';
import { backendOption, BACKEND_OPTION } from './backend-option.js';
import { CliUsageError } from './cli-error.js';
import type { Command } from './commands.js';
import { regionNodalAverage, splitSurfaceByRegion, writeReport, type ReportData, type ReportSurface } from './report/index.js';
import { implantsFor, numberOption, SEGMENT_OPTIONS, segmentFromOptions, type ImplantChoice } from './segment-options.js';

/** In-vitro intact L4–L5 ROM corridors at 7.5 N·m (Heuer et al. 2007, mark U in spine-literature.md), deg. */
export const HEUER_2007_CORRIDORS: Readonly<Record<SpineMotion, [number, number]>> = {
  flexion: [5, 6],
  extension: [3, 4],
  lateralBendingLeft: [4, 5],
  lateralBendingRight: [4, 5],
  axialRotationLeft: [1.5, 2],
  axialRotationRight: [1.5, 2],
};


/** Options of {@link runMainJob}. */
export interface MainJobOptions {
  /** Segment parameters (implants are set per configuration). */
  base: LumbarSegmentParameters;
  implants: ImplantChoice;
  momentNm: number;
  preloadN: number;
  out: string;
  motions?: SpineMotion[];
  /** Which engine solves (default 'cpu'): cpu | webgpu | gpujs | auto. */
  backend?: SolveBackend;
  log?: (line: string) => void;
}

/** One configuration × load case in summary.json: the clinical figures and the solver's. */
export interface SummaryCase extends SpineCaseSummary {
  solver: { iterations: number; relativeResidual: number; converged: boolean; facetActiveSetIterations: number; ligamentActiveSetIterations: number; timeMs: number; backend?: BackendReport };
}


function fmt(v: number | null, digits = 2): string {
  return v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/**
 * The main job: build the L4–L5 (or other) segment intact and instrumented, solve
 * every load case, print the clinical figures and write `summary.json`, VTU files and
 * `report.html` to the output folder.
 */
export async function runMainJob(o: MainJobOptions): Promise<Record<string, unknown>> {
  const log = o.log ?? ((l: string) => console.log(l));
  const t0 = performance.now();
  mkdirSync(o.out, { recursive: true });
  const base = o.base;
  const configs: { name: string; params: LumbarSegmentParameters }[] = [{ name: 'intact', params: base }];
  if (o.implants !== 'none') configs.push({ name: 'instrumented', params: { ...base, implants: implantsFor(o.implants, base) } });
  const motions = o.motions ?? [...SPINE_MOTIONS];
  const results: Record<string, SpineAnalysisResult> = {};
  const surfaces: ReportSurface[] = [];
  let regionNames: string[] = [];
  const quality: Record<string, unknown> = {};
  for (const cfg of configs) {
    const tb = performance.now();
    const seg = buildLumbarSegment(cfg.params);
    const q = meshQuality(seg.mesh);
    quality[cfg.name] = { cells: seg.report.cells, nodes: seg.report.nodes, minScaledJacobian: q.overall.minScaledJacobian, maxAspectRatio: q.overall.maxAspectRatio };
    log(`${cfg.name}: ${seg.report.cells} hex8 cells, ${seg.report.nodes} nodes, ${seg.report.mesher === 'body-fitted' ? `body-fitted refinement ${seg.report.refinement}` : `${base.resolution} mm voxels`} (meshed in ${((performance.now() - tb) / 1000).toFixed(1)} s)`);
    const spine = buildSpineFeModel(seg);
    const intact = results.intact;
    const referenceRomDeg = intact ? Object.fromEntries(intact.cases.filter((c) => c.motion !== 'compression').map((c) => [c.motion, c.romDeg])) : undefined;
    const ta = performance.now();
    const res = analyzeSpine(spine, {
      motions,
      momentNm: o.momentNm,
      preloadN: o.preloadN,
      referenceRomDeg,
      keepFields: true,
      backend: o.backend,
      onProgress: (p) => log(`  [${cfg.name} ${p.caseIndex + 1}/${p.caseCount}] ${p.message} (${((performance.now() - ta) / 1000).toFixed(1)} s)`),
    });
    results[cfg.name] = res;
    const used = res.cases.map((c) => c.solver.backend).find((b) => b);
    if (used) log(`  solved on ${used.used}${used.adapter ? ` (${used.adapter})` : ''}: ${used.reason}${used.fallback ? ` — ${used.fallback}` : ''}`);
    // VTU of every case and the report surface of the first motion
    for (const c of res.cases) {
      writeFileSync(join(o.out, `${cfg.name}-${c.motion}.vtu`), resultsToVtu(seg.mesh, c.displacement!, c.fields!));
    }
    const shown = res.cases[0];
    // Each region gets its own copy of a shared surface vertex, coloured by that region's
    // cells only, so implant stresses do not bleed onto the bone next to them.
    const split = splitSurfaceByRegion(boundaryTriangles(seg.mesh, { byRegion: true }));
    const vm = regionNodalAverage(seg.mesh, split, shown.fields!.cellVonMises);
    const disp = new Float32Array(split.positions.length);
    for (let v = 0; v < split.nodeIds.length; v++) for (let k = 0; k < 3; k++) disp[3 * v + k] = shown.displacement![3 * split.nodeIds[v] + k];
    regionNames = seg.mesh.regionNames ?? [];
    surfaces.push({
      name: cfg.name,
      loadCase: shown.loadCase,
      positions: split.positions,
      indices: split.indices,
      regionIds: split.regionIds,
      vonMises: vm,
      displacement: disp,
    });
    for (const c of res.cases) {
      delete c.fields;
      delete c.displacement;
    }
  }

  // Table of the clinical figures.
  const header = ['configuration', 'load case', 'ROM °', 'IDP MPa', 'LDE', 'implant peak MPa', 'implant p99 MPa', 'section peak MPa', 'ant. share', 'unstable', 'CG its', 'residual'];
  const rows: string[][] = [];
  const summary: Record<string, Record<string, SummaryCase>> = {};
  for (const [name, res] of Object.entries(results)) {
    summary[name] = {};
    for (const c of res.cases) {
      summary[name][c.motion] = {
        ...spineCaseSummary(c),
        solver: {
          iterations: c.solver.iterations,
          relativeResidual: c.solver.relativeResidual,
          converged: c.solver.converged,
          facetActiveSetIterations: c.solver.facetActiveSetIterations,
          ligamentActiveSetIterations: c.solver.ligamentActiveSetIterations,
          timeMs: c.solver.timeMs,
          ...(c.solver.backend ? { backend: c.solver.backend } : {}),
        },
      };
      rows.push([
        name,
        c.loadCase,
        c.motion === 'compression' ? '—' : fmt(c.romDeg),
        fmt(c.idpMPa, 3),
        fmt(c.loadDistributionEfficiency, 3),
        fmt(c.implantVonMisesPeakMPa, 1),
        fmt(c.implantVonMisesP99MPa, 1),
        fmt(c.implantSectionPeakMPa, 1),
        fmt(c.anteriorLoadShare, 2),
        c.unstable ? 'yes' : 'no',
        String(c.solver.iterations),
        c.solver.relativeResidual.toExponential(1),
      ]);
    }
  }
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(w[i])).join(' | ') + ' |';
  log('');
  log([line(header), '|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|', ...rows.map(line)].join('\n'));
  const stiff = Object.entries(results).map(([n, r]) => `${n} ${fmt(r.axialStiffnessNPerMm, 0)} N/mm`).join(', ');
  log(`\naxial compressive stiffness (500 N): ${stiff}`);

  const LABEL: Record<SpineMotion, string> = {
    flexion: 'flexion',
    extension: 'extension',
    lateralBendingLeft: 'lat. bending L',
    lateralBendingRight: 'lat. bending R',
    axialRotationLeft: 'axial rot. L',
    axialRotationRight: 'axial rot. R',
  };
  const romTable = motions.map((m) => ({
    motion: LABEL[m],
    corridor: HEUER_2007_CORRIDORS[m].map((v) => (v * o.momentNm) / 7.5) as [number, number],
    corridorSource: 'Heuer et al. 2007 (U)',
    values: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.cases.find((c) => c.motion === m)!.romDeg])),
  }));
  const doc = {
    generated: new Date().toISOString(),
    command: `spinefea run --level ${base.levels.top} --implants ${o.implants} --resolution ${base.resolution} --moment ${o.momentNm} --preload ${o.preloadN}`,
    parameters: Object.fromEntries(configs.map((c) => [c.name, c.params])),
    mesh: quality,
    corridorsDeg: { source: 'Heuer et al. 2007 (U)', ...HEUER_2007_CORRIDORS, upperBoundsUsedForInstability: INTACT_ROM_UPPER_DEG },
    axialStiffnessNPerMm: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.axialStiffnessNPerMm])),
    configurations: summary,
    wallSeconds: (performance.now() - t0) / 1000,
  };
  writeFileSync(join(o.out, 'summary.json'), JSON.stringify(doc, null, 2));
  const report: ReportData = {
    title: `spinefea — ${base.levels.top}–${base.levels.bottom} ${configs.map((c) => c.name).join(' vs ')}`,
    generated: doc.generated,
    regionNames,
    implantRegionIds: regionNames.map((n, i) => (n.startsWith('implant.') ? i : -1)).filter((i) => i >= 0),
    surfaces,
    romTable,
    figuresTable: { header, rows },
    notes: [
      `Pure moments of ${o.momentNm} N·m about the reference node coupled to the top endplate; bottom endplate fixed; preload ${o.preloadN} N.`,
      'ROM corridors: Heuer et al. 2007 (L4–L5, 7.5 N·m), marked unverified (U) in the project reference.',
      `Axial compressive stiffness under 500 N: ${stiff}.`,
    ],
  };
  await writeReport(join(o.out, 'report.html'), report);
  log(`\nwrote ${join(o.out, 'summary.json')}, ${join(o.out, 'report.html')} and ${Object.values(results).reduce((a, r) => a + r.cases.length, 0)} VTU files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return doc;
}

/** `spinefea run`: the main job. */
export const runCommand: Command = {
  name: 'run',
  summary: 'build the L4–L5 segment intact and instrumented, solve every load case, print the clinical figures, write out/',
  usage: 'spinefea run [--level L4] [--implants screws-rods-cage] [--resolution 2] [--moment 7.5] [--preload 0] [--backend cpu|webgpu|gpujs|auto] [--out out] [--config params.json]',
  options: {
    ...SEGMENT_OPTIONS,
    moment: { type: 'string', default: '7.5', description: 'pure moment, N·m (default 7.5)' } as never,
    preload: { type: 'string', default: '0', description: 'compressive preload with each moment, N (default 0)' } as never,
    motions: { type: 'string', description: 'comma-separated subset of the six motions' } as never,
    backend: BACKEND_OPTION,
    out: { type: 'string', default: 'out', description: 'output folder (default out)' } as never,
  },
  async run(values) {
    const { base, implants } = segmentFromOptions(values);
    const backend = backendOption(values);
    let motions: SpineMotion[] | undefined;
    if (values.motions) {
      motions = String(values.motions).split(',').map((s) => s.trim()) as SpineMotion[];
      for (const m of motions) if (!SPINE_MOTIONS.includes(m)) throw new CliUsageError(`unknown motion '${m}' (expected ${SPINE_MOTIONS.join(', ')})`);
    }
    await runMainJob({
      base,
      implants,
      momentNm: numberOption(values, 'moment', 0, 30),
      preloadN: numberOption(values, 'preload', 0, 3000),
      out: String(values.out),
      motions,
      backend,
    });
    return 0;
  },
};
