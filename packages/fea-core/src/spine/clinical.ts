import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import type { ResultFields } from '../post/results.js';
import { barSectionForces, beamVonMises, cellNodalForces } from '../post/section-forces.js';
import { regionStatistics } from '../post/statistics.js';
import type { StaticSolution } from '../model/static-solve.js';
import { GROUND, type SpringSet } from '../model/model.js';
import { rigidFit } from './kinematics.js';
import { MOTION_AXIS, type SpineMotion } from './load-cases.js';
import { IMPLANT_STRENGTH, type SpineFeModel, type SpineRegions } from './spine-model.js';

const DEG = 180 / Math.PI;

/** Von Mises figures of one implant region. */
export interface ImplantStress {
  name: string;
  kind: 'screw' | 'rod' | 'cage';
  material: string;
  /** Peak von Mises over the integration points (MPa). */
  peakMPa: number;
  /** Volume-weighted 99th percentile of von Mises (MPa): robust to a single voxel corner. */
  p99MPa: number;
  /**
   * Screws and rods: peak beam-theory von Mises stress of the nominal circular
   * cross-section under the section forces of free-body cuts one voxel apart
   * (MPa; screws along the shaft from the entry point to the tip, rods along
   * their length); null for cages, or without the constitutive lookup.
   */
  sectionPeakMPa: number | null;
  /** Yield strength ÷ peak. */
  yieldSafetyFactor: number;
  /** Fatigue limit (10⁷ cycles) ÷ peak. */
  fatigueSafetyFactor: number;
}

/** Clinical figures of one solved load case (definitions in docs/spine-analysis.md). */
export interface ClinicalFigures {
  /** Rotation of the top vertebra about the motion's axis, positive in the motion's direction (deg). */
  romDeg: number;
  /** Full small-rotation vector of the top vertebra (deg about x, y, z), incl. coupled motions. */
  rotationDeg: [number, number, number];
  /** Translation of the top vertebra's centroid (mm). */
  translationMm: [number, number, number];
  /** Volume-weighted mean hydrostatic pressure in the nucleus (MPa, + compression). */
  idpMPa: number;
  /**
   * Uniformity index of the compressive axial stress over the superior bony endplate of
   * the lower vertebra: 1 − Σ Vᵢ|cᵢ − c̄| / (2 Σ Vᵢ c̄), cᵢ = max(0, −σzz,ᵢ); 1 = uniform. Null without compression.
   */
  loadDistributionEfficiency: number | null;
  /** Largest implant peak / p99 von Mises (MPa); null when uninstrumented. */
  implantVonMisesPeakMPa: number | null;
  implantVonMisesP99MPa: number | null;
  /** Largest {@link ImplantStress.sectionPeakMPa} over the screws and rods (MPa); null without them. */
  implantSectionPeakMPa: number | null;
  implants: ImplantStress[];
  /** Axial compressive force through the mid-disc cut: anterior column (disc, cage, ALL, PLL) vs the rest (N, + compression). */
  axialForceN: { anterior: number; posterior: number };
  /** anterior ÷ (anterior + posterior) of the compressive parts; null when neither column is in compression. */
  anteriorLoadShare: number | null;
}

function cellCentroidZ(mesh: Mesh, c: number, npc: number): number {
  let z = 0;
  for (let a = 0; a < npc; a++) z += mesh.nodes[3 * mesh.cells[c * npc + a] + 2];
  return z / npc;
}

/** What every figure reads: the model, the solution, its fields and the cell volumes (mm³). */
interface FigureInput {
  spine: SpineFeModel;
  solution: StaticSolution;
  fields: ResultFields;
  cellVol: Float64Array;
}

/** Cell volumes (mm³) from the integration weights of the fields. */
function cellVolumes(fields: ResultFields, nCells: number): Float64Array {
  const cellVol = new Float64Array(nCells);
  const sp = fields.samples.samplingPoints;
  for (let c = 0; c < nCells; c++) for (let q = 0; q < sp; q++) cellVol[c] += fields.samples.weights[c * sp + q];
  return cellVol;
}

/** Range of motion: linearised rigid fit of every node of the top vertebra (rotation in deg, translation in mm). */
function rangeOfMotion(x: FigureInput, motion: SpineMotion | 'compression'): Pick<ClinicalFigures, 'romDeg' | 'rotationDeg' | 'translationMm'> {
  const mesh = x.spine.model.mesh;
  const fit = rigidFit(mesh.nodes, x.solution.displacement, x.spine.segment.handles.vertebrae[0].nodes);
  const rotationDeg = fit.rotation.map((v) => v * DEG) as [number, number, number];
  const romDeg = motion === 'compression' ? 0 : MOTION_AXIS[motion].sign * rotationDeg[MOTION_AXIS[motion].axis];
  return { romDeg, rotationDeg, translationMm: fit.translation };
}

/** Intradiscal pressure (MPa): volume-weighted mean of the cell pressures in every nucleus. */
function intradiscalPressure(x: FigureInput): number {
  const nuclei = new Set(x.spine.segment.handles.discs.map((d) => d.nucleus));
  const ids = x.spine.model.mesh.materialIds;
  let pv = 0, vol = 0;
  for (let c = 0; c < ids.length; c++) {
    if (!nuclei.has(ids[c])) continue;
    pv += x.fields.cellPressure[c] * x.cellVol[c];
    vol += x.cellVol[c];
  }
  return vol > 0 ? pv / vol : 0;
}

/**
 * Load distribution efficiency over the superior bony endplate of the lower vertebra:
 * 1 − Σ V|σ − σ̄| / (2 Σ V σ̄) of the compressive σzz (1 = uniform); null without compression.
 */
function loadDistributionEfficiency(x: FigureInput): number | null {
  const mesh = x.spine.model.mesh;
  const npc = CELL_INFO[mesh.cellType].nodesPerCell;
  const vs = x.spine.segment.handles.vertebrae;
  const bottom = vs[vs.length - 1];
  let zLo = Infinity, zHi = -Infinity;
  for (const n of bottom.nodes) {
    zLo = Math.min(zLo, mesh.nodes[3 * n + 2]);
    zHi = Math.max(zHi, mesh.nodes[3 * n + 2]);
  }
  const zMidBottom = 0.5 * (zLo + zHi);
  const stress = x.fields.cellStress;
  let sumVC = 0, sumV = 0;
  const eCells: number[] = [];
  for (let c = 0; c < mesh.materialIds.length; c++) {
    if (mesh.materialIds[c] !== bottom.endplate || cellCentroidZ(mesh, c, npc) < zMidBottom) continue;
    eCells.push(c);
    sumVC += x.cellVol[c] * Math.max(0, -stress[6 * c + 2]);
    sumV += x.cellVol[c];
  }
  if (!(sumVC > 0)) return null;
  const mean = sumVC / sumV;
  let dev = 0;
  for (const c of eCells) dev += x.cellVol[c] * Math.abs(Math.max(0, -stress[6 * c + 2]) - mean);
  return 1 - dev / (2 * sumV * mean);
}

/**
 * Section stress (MPa) of a screw (shaft, entry → tip) or rod: beam von Mises of the
 * nominal section from free-body cuts through the element nodal forces; null for cages
 * or without the constitutive lookup.
 */
function sectionPeak(x: FigureInput, imp: SpineRegions['implants'][number], cells: readonly number[], dLookup?: (cell: number) => Float64Array): number | null {
  if (!dLookup || imp.kind === 'cage' || cells.length < 2) return null;
  const mesh = x.spine.model.mesh;
  const sp0 = x.spine.segment.parameters;
  let frame: { origin: [number, number, number]; axis: [number, number, number] } | undefined;
  let range: [number, number] = [-Infinity, Infinity];
  let d: number;
  if (imp.kind === 'screw') {
    const screw = x.spine.segment.handles.implants.find((h) => h.region === imp.id)?.screw;
    if (!screw) return null;
    frame = { origin: screw.entry, axis: screw.direction };
    // the shaft: from the entry point (the tulip head lies behind it) to the tip
    range = [0, screw.length];
    d = 2 * screw.radius;
  } else d = sp0.implants.rods?.diameter ?? NaN;
  if (!(d > 0)) return null;
  const sf = barSectionForces(mesh, cells, cellNodalForces(mesh, dLookup, x.solution.displacement, cells), x.spine.segment.report.resolution, frame);
  let peak = 0;
  for (let j = 0; j < sf.station.length; j++) {
    if (sf.cutNodes[j] === 0 || sf.station[j] < range[0] || sf.station[j] > range[1]) continue;
    peak = Math.max(peak, beamVonMises(sf.normalN[j], sf.bendingNmm[j], sf.torqueNmm[j], d));
  }
  return peak;
}

/** Peak / p99 von Mises of every implant from the integration-point values, with its safety factors and section stress. */
function implantStresses(x: FigureInput, dLookup?: (cell: number) => Float64Array): ImplantStress[] {
  const ids = x.spine.model.mesh.materialIds;
  const sp = x.fields.samples.samplingPoints;
  return x.spine.regions.implants.map((imp) => {
    const cells: number[] = [];
    for (let c = 0; c < ids.length; c++) if (ids[c] === imp.id) cells.push(c);
    const mask = new Uint8Array(ids.length * sp);
    for (const c of cells) mask.fill(1, c * sp, (c + 1) * sp);
    const st = regionStatistics(x.fields.vonMisesSamples, x.fields.samples.weights, mask);
    const lim = IMPLANT_STRENGTH[imp.material];
    return {
      name: imp.name,
      kind: imp.kind,
      material: imp.material,
      peakMPa: st.max,
      p99MPa: st.p99,
      sectionPeakMPa: sectionPeak(x, imp, cells, dLookup),
      yieldSafetyFactor: lim.yieldMPa / st.max,
      fatigueSafetyFactor: lim.fatigueMPa / st.max,
    };
  });
}

/**
 * Load sharing: axial force (N, + compression) through the horizontal plane at mid-disc
 * height, anterior column (disc, cage, ALL, PLL) against the rest.
 */
function loadSharing(x: FigureInput): Pick<ClinicalFigures, 'axialForceN' | 'anteriorLoadShare'> {
  const { spine, fields, solution } = x;
  const mesh = spine.model.mesh;
  const npc = CELL_INFO[mesh.cellType].nodesPerCell;
  const kindOf = spine.regions.kindOf;
  const ids = mesh.materialIds;
  let zd = 0, nd = 0;
  for (let c = 0; c < ids.length; c++) {
    const k = kindOf[ids[c]];
    if (k === 'nucleus' || k === 'annulus') {
      zd += cellCentroidZ(mesh, c, npc);
      nd++;
    }
  }
  const zCut = zd / Math.max(nd, 1);
  // ∫ σzz dA over the plane z = zCut ≈ Σ σzz·V / H_c over the cells the plane crosses, H_c the
  // cell's vertical extent: the horizontal section of a (sheared) hexahedron is V / H_c. For
  // voxels this is the old single layer of height h; it also holds for the body-fitted disc's
  // tilted layers and for embedded parts (cage, rods) with their own cell heights.
  let Nant = 0, Npost = 0;
  for (let c = 0; c < ids.length; c++) {
    let zMin = Infinity, zMax = -Infinity;
    for (let a = 0; a < npc; a++) {
      const z = mesh.nodes[3 * mesh.cells[c * npc + a] + 2];
      if (z < zMin) zMin = z;
      if (z > zMax) zMax = z;
    }
    if (!(zMin <= zCut && zCut < zMax)) continue;
    const N = (-fields.cellStress[6 * c + 2] * x.cellVol[c]) / (zMax - zMin);
    const k = kindOf[ids[c]];
    if (k === 'annulus' || k === 'nucleus' || k === 'cage') Nant += N;
    else Npost += N;
  }
  const springs: SpringSet | undefined = spine.model.springs;
  if (springs && solution.springForces) {
    const L = spine.segment.ligaments;
    for (let i = 0; i < springs.nodesA.length; i++) {
      const a = springs.nodesA[i], b = springs.nodesB[i];
      if (b === GROUND) continue;
      const za = mesh.nodes[3 * a + 2], zb = mesh.nodes[3 * b + 2];
      if ((za - zCut) * (zb - zCut) >= 0) continue;
      const len = Math.hypot(mesh.nodes[3 * b] - mesh.nodes[3 * a], mesh.nodes[3 * b + 1] - mesh.nodes[3 * a + 1], zb - za);
      // a ligament in tension pulls the vertebrae together: a negative (tensile) axial force
      const Nz = -solution.springForces[i] * (Math.abs(zb - za) / len);
      const type = L.types[L.ligamentOf[i]];
      if (type === 'ALL' || type === 'PLL') Nant += Nz;
      else Npost += Nz;
    }
  }
  const ca = Math.max(0, Nant), cp = Math.max(0, Npost);
  return { axialForceN: { anterior: Nant, posterior: Npost }, anteriorLoadShare: ca + cp > 0 ? ca / (ca + cp) : null };
}

/**
 * Compute the clinical figures of a solved spine load case, one function per figure,
 * each reading the segment's typed handles (docs/spine-analysis.md gives every formula).
 *
 * @param spine - the spine model that was solved.
 * @param solution - its static solution.
 * @param fields - stress fields of that solution ({@link resultFields} with the prepared model's `dLookup`).
 * @param motion - the motion of the load case (or 'compression').
 * @param dLookup - the prepared model's constitutive lookup: needed for the implants'
 *   section stresses (element nodal forces); without it they are null.
 */
export function clinicalFigures(
  spine: SpineFeModel,
  solution: StaticSolution,
  fields: ResultFields,
  motion: SpineMotion | 'compression',
  dLookup?: (cell: number) => Float64Array,
): ClinicalFigures {
  const x: FigureInput = { spine, solution, fields, cellVol: cellVolumes(fields, spine.model.mesh.materialIds.length) };
  const implants = implantStresses(x, dLookup);
  const sections = implants.map((i) => i.sectionPeakMPa).filter((v): v is number => v !== null);
  return {
    ...rangeOfMotion(x, motion),
    idpMPa: intradiscalPressure(x),
    loadDistributionEfficiency: loadDistributionEfficiency(x),
    implantVonMisesPeakMPa: implants.length ? Math.max(...implants.map((i) => i.peakMPa)) : null,
    implantVonMisesP99MPa: implants.length ? Math.max(...implants.map((i) => i.p99MPa)) : null,
    implantSectionPeakMPa: sections.length ? Math.max(...sections) : null,
    implants,
    ...loadSharing(x),
  };
}

/**
 * Upper bounds (deg) of the intact L4–L5 in-vitro ROM corridors at 7.5 N·m
 * (Heuer et al. 2007, mark U in spine-literature.md): flexion 6, extension 4,
 * lateral bending 5, axial rotation 2 (one side).
 */
export const INTACT_ROM_UPPER_DEG: Readonly<Record<SpineMotion, number>> = {
  flexion: 6,
  extension: 4,
  lateralBendingLeft: 5,
  lateralBendingRight: 5,
  axialRotationLeft: 2,
  axialRotationRight: 2,
};

/** Our instability criterion's thresholds. */
export const INSTABILITY_CRITERION = {
  /** ROM ÷ reference ROM above which a segment is hypermobile. */
  romRatio: 1.5,
  /** Sagittal translation (mm) above which a segment is unstable (White & Panjabi, 4.5 mm [U]). */
  translationMm: 4.5,
} as const;

/**
 * The instability verdict of one load case: unstable when the ROM exceeds 1.5 × the
 * reference ROM of the same motion — the patient's own intact ROM when known,
 * otherwise the upper bound of the intact in-vitro corridor scaled by the moment
 * (linear model) — or when the top vertebra translates more than 4.5 mm in the
 * sagittal plane (White & Panjabi).
 */
export function instabilityVerdict(
  motion: SpineMotion | 'compression',
  figures: Pick<ClinicalFigures, 'romDeg' | 'translationMm'>,
  momentNm: number,
  referenceRomDeg?: number,
): { unstable: boolean; reason: string } {
  const tr = Math.hypot(figures.translationMm[1], figures.translationMm[2]);
  if (tr > INSTABILITY_CRITERION.translationMm) return { unstable: true, reason: `sagittal translation ${tr.toFixed(2)} mm > 4.5 mm` };
  if (motion === 'compression') return { unstable: false, reason: 'compression only' };
  const ref = referenceRomDeg ?? (INTACT_ROM_UPPER_DEG[motion] * momentNm) / 7.5;
  const ratio = figures.romDeg / ref;
  const src = referenceRomDeg === undefined ? 'in-vitro intact upper bound' : 'intact model';
  if (ratio > INSTABILITY_CRITERION.romRatio)
    return { unstable: true, reason: `ROM ${figures.romDeg.toFixed(2)}° = ${ratio.toFixed(2)} × ${src} (${ref.toFixed(2)}°) > 1.5` };
  return { unstable: false, reason: `ROM ${ratio.toFixed(2)} × ${src}` };
}
