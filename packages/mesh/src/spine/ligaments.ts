/**
 * Spinal ligaments as tension-only spring attachments between the upper and
 * lower vertebra of each disc: ALL, PLL, LF, ISL, SSL, ITL, CL.
 *
 * Each ligament is a few parallel fibres; each fibre joins the exterior
 * surface node of the upper vertebra nearest to an anatomical landmark to the
 * one of the lower vertebra nearest to its partner landmark (ties → lowest
 * node index, so the choice is deterministic).
 */
import type { DiscGeometry, SegmentGeometry, VertebraGeometry } from './geometry.js';
import { frameToWorld } from './sdf.js';

/** Ligament types. */
export type LigamentType = 'ALL' | 'PLL' | 'LF' | 'ISL' | 'SSL' | 'ITL' | 'CL';

/** Mechanical data of one ligament type. */
export interface LigamentProperties {
  /** Total cross-sectional area, mm² (CL and ITL: per side). */
  area: number;
  /** Young's modulus below / above the transition strain, MPa. */
  E: number;
  EHigh: number;
  /** Transition strain (dimensionless). */
  transitionStrain: number;
  /** Sources and marks. */
  source: string;
}

/**
 * Ligament data. E below/above the transition strain for ALL, PLL, LF, CL,
 * ISL, SSL are **[V]** (spine-literature.md). ITL moduli, every area and every
 * transition strain are the values commonly used in lumbar FE models since
 * Shirazi-Adl et al. 1986 / Goel et al. — **[U]**, recollection, not in the
 * reference file; treat them as reasonable values.
 */
export const LIGAMENT_PROPERTIES: Readonly<Record<LigamentType, Readonly<LigamentProperties>>> = {
  ALL: { area: 63.7, E: 7.8, EHigh: 20, transitionStrain: 0.12, source: 'E [V] spine-literature.md; area, transition strain [U]' },
  PLL: { area: 20, E: 10, EHigh: 20, transitionStrain: 0.11, source: 'E [V] spine-literature.md; area, transition strain [U]' },
  LF: { area: 40, E: 15, EHigh: 19.5, transitionStrain: 0.062, source: 'E [V] spine-literature.md; area, transition strain [U]' },
  ISL: { area: 40, E: 10, EHigh: 11.6, transitionStrain: 0.14, source: 'E [V] spine-literature.md; area, transition strain [U]' },
  SSL: { area: 30, E: 8, EHigh: 15, transitionStrain: 0.2, source: 'E [V] spine-literature.md; area, transition strain [U]' },
  ITL: { area: 1.8, E: 10, EHigh: 58.7, transitionStrain: 0.18, source: 'E, area, transition strain [U] (not in spine-literature.md)' },
  CL: { area: 30, E: 7.5, EHigh: 32.9, transitionStrain: 0.25, source: 'E [V] spine-literature.md; area, transition strain [U]' },
};

/**
 * Ligament fibres, struct-of-arrays. Fibre `f` joins node `nodesA[f]` (upper
 * vertebra) to `nodesB[f]` (lower vertebra) and belongs to ligament
 * `names[ligamentOf[f]]` (e.g. `L4-L5.ALL`). `area[f]` is the fibre's share of
 * the ligament area (mm²), `E`/`EHigh` the moduli below/above
 * `transitionStrain[f]` (MPa), `restLength[f]` the initial length (mm).
 */
export interface LigamentSet {
  names: string[];
  /** Type of each ligament (`types[i]` for `names[i]`): typed data, so nobody parses the names. */
  types: LigamentType[];
  ligamentOf: Uint16Array;
  nodesA: Uint32Array;
  nodesB: Uint32Array;
  area: Float64Array;
  E: Float64Array;
  EHigh: Float64Array;
  transitionStrain: Float64Array;
  restLength: Float64Array;
}

/** Exterior surface nodes of one vertebra, split into body and posterior elements (sorted). */
export interface VertebraSurfaceNodes {
  body: Uint32Array;
  posterior: Uint32Array;
}

/**
 * Nearest node (mm) to `p` among `candidates`; ties → lowest index. Returns −1 if there are none.
 * @example
 * ```ts
 * const n = nearestNode(mesh.nodes, surfaceNodes, [0, 20, 30]);
 * ```
 */
export function nearestNode(nodes: Float64Array, candidates: Uint32Array, p: ArrayLike<number>): number {
  let best = -1;
  let bestD = Infinity;
  for (let q = 0; q < candidates.length; q++) {
    const n = candidates[q];
    const dx = nodes[3 * n] - p[0];
    const dy = nodes[3 * n + 1] - p[1];
    const dz = nodes[3 * n + 2] - p[2];
    const d = dx * dx + dy * dy + dz * dz;
    if (d < bestD || (d === bestD && n < best)) {
      bestD = d;
      best = n;
    }
  }
  return best;
}

interface FibreSpec {
  type: LigamentType;
  /** World landmarks on the upper and lower vertebra. */
  a: [number, number, number];
  b: [number, number, number];
  part: 'body' | 'posterior';
}

function fibreLandmarks(d: DiscGeometry): FibreSpec[] {
  const up: VertebraGeometry = d.upper;
  const lo: VertebraGeometry = d.lower;
  const U = (q: [number, number, number]): [number, number, number] => frameToWorld(up.frame, q);
  const Lw = (q: [number, number, number]): [number, number, number] => frameToWorld(lo.frame, q);
  const out: FibreSpec[] = [];
  for (const fx of [-0.5, 0, 0.5]) {
    out.push({ type: 'ALL', a: U([fx * up.a, up.b + 2, 2]), b: Lw([fx * lo.a, lo.b + 2, lo.H - 2]), part: 'body' });
  }
  for (const fx of [-0.12, 0.12]) {
    out.push({
      type: 'PLL',
      a: U([fx * up.a, -up.b + up.notchDepth - 2, 2]),
      b: Lw([fx * lo.a, -lo.b + lo.notchDepth - 2, lo.H - 2]),
      part: 'body',
    });
  }
  for (const fx of [-0.5, 0.5]) {
    out.push({
      type: 'LF',
      a: U([fx * up.laminaHalfWidth, up.laminaFrontY - up.laminaThickness / 2, up.laminaZ[0]]),
      b: Lw([fx * lo.laminaHalfWidth, lo.laminaFrontY - lo.laminaThickness / 2, lo.laminaZ[1]]),
      part: 'posterior',
    });
  }
  for (const t of [0.35, 0.7]) {
    const su = up.spinous;
    const sl = lo.spinous;
    const yu = su.rootY + t * (su.tipY - su.rootY);
    const yl = sl.rootY + t * (sl.tipY - sl.rootY);
    out.push({
      type: 'ISL',
      a: U([0, yu, su.z0 - su.slope * (su.rootY - yu)]),
      b: Lw([0, yl, sl.z1 - sl.slope * (sl.rootY - yl)]),
      part: 'posterior',
    });
  }
  {
    const su = up.spinous;
    const sl = lo.spinous;
    const zu = (su.z0 + su.z1) / 2 - su.slope * (su.rootY - su.tipY);
    const zl = (sl.z0 + sl.z1) / 2 - sl.slope * (sl.rootY - sl.tipY);
    out.push({ type: 'SSL', a: U([0, su.tipY - 1, zu]), b: Lw([0, sl.tipY - 1, zl]), part: 'posterior' });
  }
  for (let i = 0; i < 2; i++) {
    out.push({ type: 'ITL', a: U(up.transverse[i].tip), b: Lw(lo.transverse[i].tip), part: 'posterior' });
  }
  for (const fj of d.facets) {
    const off = fj.gap / 2 + fj.plateThickness / 2;
    for (const [cu, cv] of [
      [0.8, 0],
      [-0.8, 0],
      [0, 0.8],
      [0, -0.8],
    ]) {
      const inPlane = [0, 1, 2].map((k) => fj.centre[k] + cu * fj.halfU * fj.u[k] + cv * fj.halfV * fj.v[k]);
      out.push({
        type: 'CL',
        a: [inPlane[0] + off * fj.normal[0], inPlane[1] + off * fj.normal[1], inPlane[2] + off * fj.normal[2]],
        b: [inPlane[0] - off * fj.normal[0], inPlane[1] - off * fj.normal[1], inPlane[2] - off * fj.normal[2]],
        part: 'posterior',
      });
    }
  }
  return out;
}

const TYPES: LigamentType[] = ['ALL', 'PLL', 'LF', 'ISL', 'SSL', 'ITL', 'CL'];

/**
 * Builds the ligament fibres of every disc of the segment on a mesh.
 * `surface[k]` are the exterior surface nodes of `g.vertebrae[k]`.
 *
 * @example
 * ```ts
 * const lig = buildLigaments(geometry, mesh.nodes, surfaceNodes);
 * lig.names[lig.ligamentOf[0]]; // 'L4-L5.ALL'
 * ```
 */
export function buildLigaments(g: SegmentGeometry, nodes: Float64Array, surface: VertebraSurfaceNodes[]): LigamentSet {
  return buildLigamentsWith(
    g,
    (k, part, p) => nearestNode(nodes, surface[k][part], p),
    (n) => [nodes[3 * n], nodes[3 * n + 1], nodes[3 * n + 2]],
  );
}

/**
 * Where a fibre end attaches: the node (existing or new) for the landmark `p`
 * (world, mm) on the `part` of vertebra `k` (index into `g.vertebrae`), or −1.
 */
export type LigamentAttach = (k: number, part: 'body' | 'posterior', p: [number, number, number]) => number;

/**
 * Builds the ligament fibres with a custom attachment rule (the voxel model
 * takes the nearest surface node; the body-fitted one a node tied at the
 * nearest surface point, which moves continuously with the parameters).
 * `coords(n)` gives a node's position after attaching.
 *
 * @example
 * ```ts
 * const lig = buildLigamentsWith(geometry, (k, part, p) => nearestNode(nodes, surface[k][part], p), (n) => [nodes[3 * n], nodes[3 * n + 1], nodes[3 * n + 2]]);
 * ```
 */
export function buildLigamentsWith(g: SegmentGeometry, attach: LigamentAttach, coords: (n: number) => [number, number, number]): LigamentSet {
  const names: string[] = [];
  const types: LigamentType[] = [];
  const of: number[] = [];
  const A: number[] = [];
  const B: number[] = [];
  const area: number[] = [];
  const E: number[] = [];
  const EH: number[] = [];
  const eps: number[] = [];
  const len: number[] = [];
  g.discs.forEach((d, k) => {
    const specs = fibreLandmarks(d);
    for (const type of TYPES) {
      const mine = specs.filter((s) => s.type === type);
      const props = LIGAMENT_PROPERTIES[type];
      // CL and ITL areas are per side; the others are shared by all fibres
      const perFibre = type === 'CL' || type === 'ITL' ? (2 * props.area) / mine.length : props.area / mine.length;
      const li = names.length;
      let added = 0;
      for (const s of mine) {
        const na = attach(k, s.part, s.a);
        const nb = attach(k + 1, s.part, s.b);
        if (na < 0 || nb < 0) continue;
        const pa = coords(na);
        const pb = coords(nb);
        const l = Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]);
        if (!(l > 0)) continue;
        of.push(li);
        A.push(na);
        B.push(nb);
        area.push(perFibre);
        E.push(props.E);
        EH.push(props.EHigh);
        eps.push(props.transitionStrain);
        len.push(l);
        added++;
      }
      if (added > 0) {
        names.push(`${d.name}.${type}`);
        types.push(type);
      }
    }
  });
  return {
    names,
    types,
    ligamentOf: Uint16Array.from(of),
    nodesA: Uint32Array.from(A),
    nodesB: Uint32Array.from(B),
    area: Float64Array.from(area),
    E: Float64Array.from(E),
    EHigh: Float64Array.from(EH),
    transitionStrain: Float64Array.from(eps),
    restLength: Float64Array.from(len),
  };
}
