import type { EmbeddedTies, LumbarSegmentModel } from '@spinefea/mesh';
import { InvalidBoundaryConditionError, InvalidMaterialError } from '../errors.js';
import type { Material } from '../fem/material.js';
import type { FeModel, LinearConstraint, SpringSet } from '../model/model.js';

/** The injuries that can be applied to a segment (on the same mesh, so figures compare cell by cell). */
export type SpineInjury = 'none' | 'nucleotomy' | 'facetectomy';

/**
 * Calibrated constants of the spine model. Calibrated ONCE against the intact
 * L4–L5 in-vitro ranges of motion (docs/spine-analysis.md); tests never tune them.
 */
export interface SpineCalibration {
  /**
   * Volume fraction of collagen fibres in the annulus: the homogenised annulus is
   * transversely isotropic along each element's fibre direction with
   * E_fibre-direction = E_ground + f·E_fibres (rule of mixtures).
   */
  annulusFibreFraction: number;
  /**
   * Multiplier of every ligament's stiffness k = E·A/L (1 = literature E and areas). A
   * linear spring engages from zero strain, while a real ligament has a slack toe region at
   * small strains: the scale stands for that.
   */
  ligamentStiffnessScale: number;
  /**
   * Multiplier of the facet cartilage modulus. The bonded layer carries shear that sliding
   * facets would not; a softer layer stands for that (it still carries the normal load).
   */
  facetCartilageScale: number;
  /** Stiffness factor of a facet cartilage cell released in tension (open joint). */
  openFacetScale: number;
  /** Modulus (MPa) given to removed tissue (nucleotomy, facetectomy): a near-void on the same mesh. */
  removedTissueE: number;
}

/**
 * The calibration used by default, set once by `packages/benchmarks/src/spine-calibration.ts`
 * on the intact L4–L5 at 2 mm (results/spine-calibration.md): a grid over the ligament and
 * facet scales; (0.2, 0.1) puts all four motions inside the Heuer 2007 corridors.
 */
export const DEFAULT_SPINE_CALIBRATION: SpineCalibration = {
  annulusFibreFraction: 0.16,
  ligamentStiffnessScale: 0.2,
  facetCartilageScale: 0.1,
  openFacetScale: 1e-2,
  removedTissueE: 1e-3,
};

/** Options of {@link buildSpineFeModel}. */
export interface SpineModelOptions {
  injury?: SpineInjury;
  calibration?: Partial<SpineCalibration>;
}

/** Region bookkeeping the clinical figures need. */
export interface SpineRegions {
  topLevel: string;
  bottomLevel: string;
  /** Material id of each region name. */
  idOf: Record<string, number>;
  /** Region kind by material id: cortical, cancellous, endplate, posterior, annulus, nucleus, facetCartilage, screw, rod, cage. */
  kindOf: string[];
  /** Implant regions: material id, name, kind and material name. */
  implants: { id: number; name: string; kind: 'screw' | 'rod' | 'cage'; material: ImplantMaterialName }[];
}

/** Implant materials with strength data. */
export type ImplantMaterialName = 'Ti6Al4V' | 'CoCr' | 'PEEK';

/**
 * Strength limits (MPa) and their marks from shared/reference/spine-literature.md:
 * Ti6Al4V ELI yield ≥ 795 [V], fatigue at 10⁷ cycles 500 unnotched / 140 notched [V];
 * CoCr yield 590–940 [S] (lower bound used), fatigue 310–480 [S] (lower bound);
 * PEEK yield ≈ 95 [S], fatigue: no value in the reference — 0.5 × yield assumed.
 */
export const IMPLANT_STRENGTH: Readonly<Record<ImplantMaterialName, { yieldMPa: number; fatigueMPa: number; source: string }>> = {
  Ti6Al4V: { yieldMPa: 795, fatigueMPa: 500, source: 'ASTM F136 yield [V]; fatigue 10⁷ unnotched [V]' },
  CoCr: { yieldMPa: 590, fatigueMPa: 310, source: 'yield 590–940 [S], fatigue 310–480 [S]: lower bounds' },
  PEEK: { yieldMPa: 95, fatigueMPa: 47.5, source: 'yield ≈ 95 [S]; fatigue = 0.5·yield (assumption)' },
};

/** Result of {@link buildSpineFeModel}. */
export interface SpineFeModel {
  model: FeModel;
  segment: LumbarSegmentModel;
  regions: SpineRegions;
  injury: SpineInjury;
  calibration: SpineCalibration;
  /** Name of the reference node coupled to the top endplate. */
  reference: string;
}

/**
 * Turn a built lumbar segment into a finite element model of the in-vitro test:
 * - materials from the segment's table; the annulus is transversely isotropic along
 *   each cell's fibre direction (rule-of-mixtures fibre reinforcement);
 * - the inferior endplate of the lowest vertebra fixed in x, y, z;
 * - the superior endplate of the top vertebra kinematically coupled to a reference
 *   node 'top' at its centroid (pure moments and preloads are applied there);
 * - ligaments as tension-only axial springs k = E·A/L per fibre;
 * - facet joints through their cartilage layer (made compression-only by the
 *   analysis' active-set loop, see {@link analyzeSpine});
 * - an injury, if any, replaces the removed tissue by a near-void material on the
 *   same mesh (nucleotomy: the nucleus; facetectomy: both facet cartilages).
 *
 * @example
 * ```ts
 * const seg = buildLumbarSegment({ ...defaultParameters('L4'), resolution: 2 });
 * const { model } = buildSpineFeModel(seg);
 * const sol = solveStatic(model, pureMomentLoadCase('flexion'));
 * ```
 */
export function buildSpineFeModel(segment: LumbarSegmentModel, options: SpineModelOptions = {}): SpineFeModel {
  const cal: SpineCalibration = { ...DEFAULT_SPINE_CALIBRATION, ...options.calibration };
  const injury = options.injury ?? 'none';
  const mesh = segment.mesh;
  const names = mesh.regionNames ?? [];
  const idOf: Record<string, number> = {};
  const kindOf: string[] = [];
  const implants: SpineRegions['implants'] = [];
  const p = segment.parameters;
  const materials: Material[] = names.map((name, id) => {
    idOf[name] = id;
    // the region's kind is typed data of the segment, never parsed from its name
    const kind = segment.regions[id]?.kind;
    if (!kind || segment.regions[id].name !== name) throw new InvalidMaterialError(`region '${name}' (id ${id}) is not in the segment's region list`, id);
    kindOf[id] = kind;
    const m = segment.materials[name];
    if (!m) throw new InvalidMaterialError(`no material for region '${name}'`, id);
    const removed = (injury === 'nucleotomy' && kind === 'nucleus') || (injury === 'facetectomy' && kind === 'facetCartilage');
    if (removed) return { kind: 'isotropic', E: cal.removedTissueE, nu: 0.3, name: `${name} (removed)` };
    if (kind === 'screw' || kind === 'rod' || kind === 'cage') {
      const material: ImplantMaterialName =
        kind === 'cage' ? (p.implants.cage?.material === 'Ti' ? 'Ti6Al4V' : 'PEEK') : kind === 'rod' ? (p.implants.rods?.material === 'CoCr' ? 'CoCr' : 'Ti6Al4V') : p.implants.screws?.material === 'CoCr' ? 'CoCr' : 'Ti6Al4V';
      implants.push({ id, name, kind, material });
    }
    if (kind === 'annulus' && m.fibres) {
      const Ef = 0.5 * (m.fibres.outerE + m.fibres.innerE);
      const Ez = m.E + cal.annulusFibreFraction * Ef;
      // νPz chosen so that the reciprocal ν_zP = νPz·Ez/Ep equals the ground substance's ν
      // (keeps the compliance positive definite at Ez/Ep ≈ 20).
      return {
        kind: 'transversely-isotropic',
        Ep: m.E,
        Ez,
        nuP: m.nu,
        nuPz: (m.nu * m.E) / Ez,
        Gz: m.E / (2 * (1 + m.nu)),
        axis: [0, 0, 1],
        name,
      };
    }
    if (kind === 'facetCartilage') return { kind: 'isotropic', E: m.E * cal.facetCartilageScale, nu: m.nu, name };
    return { kind: 'isotropic', E: m.E, nu: m.nu, name };
  });

  const top = mesh.nodeSets['top.superiorEndplate'];
  const bottom = mesh.nodeSets['bottom.inferiorEndplate'];
  if (!top?.length || !bottom?.length)
    throw new InvalidBoundaryConditionError('the segment has no top.superiorEndplate / bottom.inferiorEndplate node sets');
  const c = [0, 0, 0];
  for (const n of top) for (let k = 0; k < 3; k++) c[k] += mesh.nodes[3 * n + k] / top.length;

  const L = segment.ligaments;
  const m = L.nodesA.length;
  const springs: SpringSet = {
    nodesA: L.nodesA,
    nodesB: L.nodesB,
    stiffness: Float64Array.from({ length: m }, (_, i) => (cal.ligamentStiffnessScale * L.E[i] * L.area[i]) / L.restLength[i]),
    tensionOnly: new Uint8Array(m).fill(1),
  };
  const model: FeModel = {
    mesh,
    materials,
    constraints: segment.ties ? embeddedTieConstraints(segment.ties) : undefined,
    materialAxes: segment.fibreDirections,
    displacementBcs: [{ nodes: 'bottom.inferiorEndplate' }],
    referenceNodes: [{ name: 'top', position: [c[0], c[1], c[2]] }],
    couplings: [{ kind: 'kinematic', reference: 'top', nodes: 'top.superiorEndplate' }],
    springs,
  };
  return {
    model,
    segment,
    regions: { topLevel: p.levels.top, bottomLevel: p.levels.bottom, idOf, kindOf, implants },
    injury,
    calibration: cal,
    reference: 'top',
  };
}

/**
 * The body-fitted segment's embedded ties as multi-point constraints, three per
 * slave node: `u(3s + k) = Σ_a w_a · u(3·host_a + k)` (weights summing to 1, so a
 * rigid translation passes through exactly).
 */
export function embeddedTieConstraints(ties: EmbeddedTies): LinearConstraint[] {
  const out: LinearConstraint[] = [];
  for (let i = 0; i < ties.slaves.length; i++) {
    const masters: number[] = [];
    const coefficients: number[] = [];
    for (let a = 0; a < 8; a++) {
      const w = ties.weights[8 * i + a];
      if (Math.abs(w) < 1e-14) continue; // a node on a host face or edge
      masters.push(ties.hostNodes[8 * i + a]);
      coefficients.push(w);
    }
    for (let k = 0; k < 3; k++) {
      out.push({ slave: 3 * ties.slaves[i] + k, masters: Uint32Array.from(masters, (m) => 3 * m + k), coefficients: Float64Array.from(coefficients) });
    }
  }
  return out;
}
