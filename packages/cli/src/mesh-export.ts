import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundaryTriangles, buildLumbarSegment, meshQuality, meshToVtu, qualityTable, writeMsh, writeStl } from '@spinefea/mesh';
import { buildSpineFeModel, pureMomentLoadCase, SPINE_MOTIONS, type SpineMotion } from '@spinefea/core';
import { toCalculixInp, toFebioXml } from '@spinefea/core/io';
import { CliUsageError } from './cli-error.js';
import type { Command } from './commands.js';
import { implantsFor, SEGMENT_OPTIONS, segmentFromOptions } from './segment-options.js';

const FORMATS = ['vtu', 'inp', 'feb', 'stl', 'msh'] as const;
type Format = (typeof FORMATS)[number];

function buildFromOptions(values: Record<string, unknown>) {
  const { base, implants } = segmentFromOptions(values);
  const params = { ...base, implants: implantsFor(implants, base) };
  const seg = buildLumbarSegment(params);
  return { seg, name: `${base.levels.top}-${base.levels.bottom}-${implants}` };
}

function writeFormat(format: Format, out: string, name: string, seg: ReturnType<typeof buildLumbarSegment>, motion: SpineMotion, momentNm: number, preloadN: number): string {
  const path = join(out, `${name}.${format}`);
  switch (format) {
    case 'vtu':
      writeFileSync(path, meshToVtu(seg.mesh, { cellData: { fibreDirection: { values: seg.fibreDirections, components: 3 } } }));
      break;
    case 'msh':
      writeFileSync(path, writeMsh(seg.mesh));
      break;
    case 'stl':
      writeFileSync(path, writeStl(boundaryTriangles(seg.mesh, { byRegion: true }), { binary: true, name }));
      break;
    case 'inp':
    case 'feb': {
      const spine = buildSpineFeModel(seg);
      const lc = pureMomentLoadCase(motion, { momentNm, preloadN, reference: spine.reference });
      writeFileSync(path, format === 'inp' ? toCalculixInp(spine.model, lc, { title: `${name} ${lc.name}` }) : toFebioXml(spine.model, lc));
      break;
    }
  }
  return path;
}

/** `spinefea mesh`: build a segment, print its quality report, write VTU/STL/MSH. */
export const meshCommand: Command = {
  name: 'mesh',
  summary: 'build a lumbar segment mesh, print the quality report and write it (vtu, stl, msh)',
  usage: 'spinefea mesh [--level L4] [--implants screws-rods-cage] [--resolution 2] [--formats vtu,stl] [--out out] [--config params.json]',
  options: {
    ...SEGMENT_OPTIONS,
    formats: { type: 'string', default: 'vtu,stl', description: 'comma-separated: vtu, stl, msh' } as never,
    out: { type: 'string', default: 'out', description: 'output folder (default out)' } as never,
  },
  async run(values) {
    const formats = String(values.formats).split(',').map((s) => s.trim()) as Format[];
    for (const f of formats) if (!['vtu', 'stl', 'msh'].includes(f)) throw new CliUsageError(`--formats: '${f}' is not one of vtu, stl, msh`);
    const { seg, name } = buildFromOptions(values);
    console.log(`${seg.report.cells} hex8 cells, ${seg.report.nodes} nodes, built in ${(seg.report.timeMs / 1000).toFixed(2)} s`);
    console.log(qualityTable(meshQuality(seg.mesh)));
    const out = String(values.out);
    mkdirSync(out, { recursive: true });
    for (const f of formats) console.log(`wrote ${writeFormat(f, out, name, seg, 'flexion', 7.5, 0)}`);
    return 0;
  },
};

/** `spinefea export`: write the segment (and for inp/feb the full model with one load case) for another code. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'export a segment model for another code: vtu, inp (CalculiX/Abaqus), feb (FEBio 4), stl, msh (Gmsh)',
  usage: 'spinefea export <vtu|inp|feb|stl|msh> [--level L4] [--implants …] [--resolution 2] [--motion flexion] [--moment 7.5] [--preload 0] [--out out]',
  options: {
    ...SEGMENT_OPTIONS,
    motion: { type: 'string', default: 'flexion', description: `load case for inp/feb: ${SPINE_MOTIONS.join(', ')}` } as never,
    moment: { type: 'string', default: '7.5', description: 'pure moment, N·m' } as never,
    preload: { type: 'string', default: '0', description: 'compressive preload, N' } as never,
    out: { type: 'string', default: 'out', description: 'output folder (default out)' } as never,
  },
  async run(values, positionals) {
    const format = positionals[0] as Format;
    if (!format) throw new CliUsageError(`missing the format: one of ${FORMATS.join(', ')}`);
    if (!FORMATS.includes(format)) throw new CliUsageError(`unknown format '${format}' (expected ${FORMATS.join(', ')})`);
    const motion = String(values.motion) as SpineMotion;
    if (!SPINE_MOTIONS.includes(motion)) throw new CliUsageError(`--motion must be one of ${SPINE_MOTIONS.join(', ')}, got '${motion}'`);
    const moment = Number(values.moment);
    const preload = Number(values.preload);
    if (!(moment >= 0 && moment <= 30)) throw new CliUsageError(`--moment must be a number in [0, 30] N·m, got '${String(values.moment)}'`);
    if (!(preload >= 0 && preload <= 3000)) throw new CliUsageError(`--preload must be a number in [0, 3000] N, got '${String(values.preload)}'`);
    const { seg, name } = buildFromOptions(values);
    const out = String(values.out);
    mkdirSync(out, { recursive: true });
    console.log(`wrote ${writeFormat(format, out, name, seg, motion, moment, preload)}`);
    return 0;
  },
};
