/**
 * Typed handles of a built segment: which material ids, node sets and implant
 * placements belong to which anatomical part. The analysis reads these instead
 * of rebuilding region names from string templates, so a renamed region can
 * never silently yield nothing.
 */
import type { Mesh } from '../mesh.js';
import { InvalidMeshError } from '../errors.js';
import type { LumbarLevel, SegmentGeometry } from './geometry.js';
import type { CagePlacement, ScrewPlacement } from './implants.js';
import type { SegmentRegion } from './parameters.js';

/** One vertebra: its region (material) ids and every node of its bone. */
export interface VertebraHandle {
  level: LumbarLevel;
  cortical: number;
  cancellous: number;
  endplate: number;
  posterior: number;
  /** Every node of the vertebra's bone (sorted node ids). */
  nodes: Uint32Array;
}

/** One disc: its region ids. */
export interface DiscHandle {
  name: string;
  annulus: number;
  nucleus: number;
  facetCartilage: number;
}

/** One implant region with its placement. */
export interface ImplantHandle {
  /** Material id of its cells. */
  region: number;
  name: string;
  kind: 'screw' | 'rod' | 'cage';
  /** Screws and rods: −1 left, +1 right. */
  side?: -1 | 1;
  /** Screws: the placement (entry point, axis, length, radius; world mm). */
  screw?: ScrewPlacement;
  /** Cages: the placement. */
  cage?: CagePlacement;
}

/** All handles of a segment (vertebrae and discs top → bottom). */
export interface SegmentHandles {
  vertebrae: VertebraHandle[];
  discs: DiscHandle[];
  implants: ImplantHandle[];
}

/**
 * Handles from the region list, geometry, placements and the mesh's `<level>.vertebra` node sets.
 * @throws InvalidMeshError naming a region or node set that the build did not produce.
 * @example
 * ```ts
 * const h = segmentHandles(mesh, segmentRegions(p), geometry, screws, cages);
 * h.vertebrae[0].nodes.length; // nodes of the top vertebra
 * ```
 */
export function segmentHandles(mesh: Mesh, regions: readonly SegmentRegion[], g: SegmentGeometry, screws: readonly ScrewPlacement[], cages: readonly CagePlacement[]): SegmentHandles {
  const find = (kind: SegmentRegion['kind'], owner: string, side?: number): number => {
    const id = regions.findIndex((r) => r.kind === kind && r.owner === owner && (side === undefined || r.side === side));
    if (id < 0) throw new InvalidMeshError(`segment has no ${kind} region of ${owner}`);
    return id;
  };
  const vertebrae = g.vertebrae.map((v) => {
    const nodes = mesh.nodeSets[`${v.level}.vertebra`];
    if (!nodes) throw new InvalidMeshError(`segment has no node set of vertebra ${v.level}`);
    return { level: v.level, cortical: find('cortical', v.level), cancellous: find('cancellous', v.level), endplate: find('endplate', v.level), posterior: find('posterior', v.level), nodes };
  });
  const discs = g.discs.map((d) => ({ name: d.name, annulus: find('annulus', d.name), nucleus: find('nucleus', d.name), facetCartilage: find('facetCartilage', d.name) }));
  const implants: ImplantHandle[] = [];
  regions.forEach((r, region) => {
    if (r.kind === 'screw') implants.push({ region, name: r.name, kind: 'screw', side: r.side, screw: screws.find((s) => s.level === r.owner && s.side === r.side) });
    else if (r.kind === 'rod') implants.push({ region, name: r.name, kind: 'rod', side: r.side });
    else if (r.kind === 'cage') implants.push({ region, name: r.name, kind: 'cage', cage: cages.find((c) => c.disc === r.owner) });
  });
  return { vertebrae, discs, implants };
}
