import type { SegmentGeometry } from '../geometry.js';
import type { CagePlacement, ScrewPlacement } from '../implants.js';
import type { LumbarSegmentParameters } from '../parameters.js';
import type { FittedMeshBuilder } from './builder.js';
import type { TieCollector } from './embed.js';

/** Host cell lists the implants tie into. */
export interface ImplantHosts {
  /** Bone cells per vertebra (body + posterior). */
  bone: number[][];
  /** Disc cells per disc. */
  discs: number[][];
  /** Body cells per vertebra. */
  bodies: number[][];
}

export function meshFittedImplants(
  _b: FittedMeshBuilder,
  _ties: TieCollector,
  p: LumbarSegmentParameters,
  _g: SegmentGeometry,
  _r: number,
  _screws: ScrewPlacement[],
  _cages: CagePlacement[],
  _id: (name: string) => number,
  _hosts: ImplantHosts,
  _face: (name: string) => { cells: number[]; faces: number[] },
): Map<string, number[]> {
  if (p.implants.screws || p.implants.cage) throw new Error('implants not yet meshed');
  return new Map();
}
