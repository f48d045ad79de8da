import { readFileSync } from 'node:fs';
import { defaultImplants, defaultParameters, type ImplantParameters, type LumbarSegmentParameters } from '@spinefea/mesh';
import { CliUsageError } from './cli-error.js';
import type { Command } from './commands.js';

/** Implant configurations the commands accept. */
export type ImplantChoice = 'none' | 'screws-rods' | 'screws-rods-cage';

/** The option spec shared by every command that builds a segment. */
export const SEGMENT_OPTIONS: Command['options'] = {
  level: { type: 'string', default: 'L4', description: 'top level of the segment: L1..L4 (default L4 → L4–L5)' } as never,
  implants: { type: 'string', default: 'screws-rods-cage', description: 'none | screws-rods | screws-rods-cage' } as never,
  resolution: { type: 'string', default: '2', description: 'voxel size in mm, 0.25–2 (default 2; voxel mesher)' } as never,
  mesher: { type: 'string', default: 'voxel', description: 'voxel | body-fitted (fixed-topology multi-block hex mesh)' } as never,
  refinement: { type: 'string', default: '2', description: 'body-fitted refinement, integer 1–6 (default 2)' } as never,
  config: { type: 'string', description: 'JSON file of segment parameters to override' } as never,
};

/** Implant parameters of a choice, fitted to the segment by `defaultImplants`. */
export function implantsFor(choice: ImplantChoice, p: LumbarSegmentParameters): ImplantParameters {
  if (choice === 'none') return {};
  const d = defaultImplants(p);
  return choice === 'screws-rods' ? { screws: d.screws, rods: d.rods } : d;
}

/** Parse a number option within [lo, hi] or throw a usage error naming it. */
export function numberOption(values: Record<string, unknown>, name: string, lo: number, hi: number): number {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < lo || v > hi) throw new CliUsageError(`--${name} must be a number in [${lo}, ${hi}], got '${String(values[name])}'`);
  return v;
}

/** Segment parameters (without implants) and the implant choice from the shared options. */
export function segmentFromOptions(values: Record<string, unknown>): { base: LumbarSegmentParameters; implants: ImplantChoice } {
  const level = String(values.level);
  if (!/^L[1-4]$/.test(level)) throw new CliUsageError(`--level must be L1, L2, L3 or L4 (the top of the segment), got '${level}'`);
  const implants = String(values.implants) as ImplantChoice;
  if (!['none', 'screws-rods', 'screws-rods-cage'].includes(implants))
    throw new CliUsageError(`--implants must be none, screws-rods or screws-rods-cage, got '${implants}'`);
  let overrides: Partial<LumbarSegmentParameters> = {};
  if (values.config) {
    try {
      overrides = JSON.parse(readFileSync(String(values.config), 'utf8'));
    } catch (e) {
      throw new CliUsageError(`cannot read --config '${String(values.config)}': ${(e as Error).message}`);
    }
  }
  const mesher = String(values.mesher ?? 'voxel');
  if (mesher !== 'voxel' && mesher !== 'body-fitted') throw new CliUsageError(`--mesher must be voxel or body-fitted, got '${mesher}'`);
  const refinement = numberOption({ refinement: values.refinement ?? '2' }, 'refinement', 1, 6);
  if (!Number.isInteger(refinement)) throw new CliUsageError(`--refinement must be an integer 1–6, got '${String(values.refinement)}'`);
  const base: LumbarSegmentParameters = {
    ...defaultParameters(level),
    resolution: numberOption(values, 'resolution', 0.25, 2),
    mesher,
    refinement,
    ...overrides,
    implants: {},
  };
  return { base, implants };
}
