/**
 * Groups of mesh regions that the viewer toggles together (one checkbox
 * each): a vertebra, a disc, a pair of facet joints, each implant.
 */

/** What a group is; decides its order and whether it is highlighted as an implant. */
export type RegionGroupKind = 'vertebra' | 'disc' | 'facets' | 'other' | 'implant';

/** A set of regions shown or hidden together. */
export interface RegionGroup {
  /** Stable key (used in element ids). */
  key: string;
  /** Label as printed next to the checkbox, e.g. 'vertebra L4', 'screw L5 left'. */
  label: string;
  kind: RegionGroupKind;
  /** Region ids (indices into the region names). */
  regionIds: number[];
}

const BONE_SUFFIX = /^(.*)\.(cortical|cancellous|endplate|posterior)$/;
const DISC_SUFFIX = /^(.*)\.(annulus|nucleus)$/;
const FACET_SUFFIX = /^(.*)\.facetCartilage$/;
const ORDER: Record<RegionGroupKind, number> = { vertebra: 0, disc: 1, facets: 2, other: 3, implant: 4 };

/**
 * Whether a region (by the naming of `segmentRegions` in `@spinefea/mesh`)
 * is bone: `<level>.cortical|cancellous|endplate|posterior`.
 *
 * @example `isBoneRegion('L4.cortical') === true`
 */
export function isBoneRegion(name: string): boolean {
  return BONE_SUFFIX.test(name);
}

/**
 * Group regions by their names (`L4.cortical` → 'vertebra L4',
 * `L4-L5.annulus` → 'disc L4-L5', `L4-L5.facetCartilage` → 'facets L4-L5',
 * `implant.screw.L4.left` → 'screw L4 left'); every implant region (name
 * starting `implant.` or listed in `implantRegionIds`) is its own group.
 *
 * @param regionNames - region name by id.
 * @param implantRegionIds - ids of implant regions.
 * @returns groups ordered vertebrae, discs, facets, others, implants; each region in exactly one group.
 * @example
 * ```ts
 * regionGroups(['L4.cortical', 'L4.cancellous', 'L4-L5.annulus'], []);
 * // [{ key: 'vertebra-L4', label: 'vertebra L4', kind: 'vertebra', regionIds: [0, 1] },
 * //  { key: 'disc-L4-L5', label: 'disc L4-L5', kind: 'disc', regionIds: [2] }]
 * ```
 */
export function regionGroups(regionNames: readonly string[], implantRegionIds: readonly number[]): RegionGroup[] {
  const implants = new Set(implantRegionIds);
  const byKey = new Map<string, RegionGroup>();
  const add = (key: string, label: string, kind: RegionGroupKind, id: number): void => {
    let g = byKey.get(key);
    if (!g) {
      g = { key, label, kind, regionIds: [] };
      byKey.set(key, g);
    }
    g.regionIds.push(id);
  };
  regionNames.forEach((name, id) => {
    let m: RegExpExecArray | null;
    if (implants.has(id) || name.startsWith('implant.')) {
      const label = name.startsWith('implant.') ? name.slice('implant.'.length).split('.').join(' ') : name;
      add(`implant-${id}`, label, 'implant', id);
    } else if ((m = BONE_SUFFIX.exec(name))) add(`vertebra-${m[1]}`, `vertebra ${m[1]}`, 'vertebra', id);
    else if ((m = DISC_SUFFIX.exec(name))) add(`disc-${m[1]}`, `disc ${m[1]}`, 'disc', id);
    else if ((m = FACET_SUFFIX.exec(name))) add(`facets-${m[1]}`, `facets ${m[1]}`, 'facets', id);
    else add(`region-${id}`, name, 'other', id);
  });
  // Stable sort: kind order, then first appearance.
  return [...byKey.values()].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
}

