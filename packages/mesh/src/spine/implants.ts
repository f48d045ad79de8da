/**
 * Pedicle screws, rods and interbody cages: placement from the anatomy,
 * feasibility checks, and voxel classifiers.
 *
 * Implants are **carved** out of the anatomy at voxel resolution: an implant
 * voxel replaces whatever bone or disc voxel was there, and shares its nodes
 * with the neighbouring tissue (a conforming, bonded interface). This keeps a
 * single conforming hex mesh without multi-point constraints; the price is a
 * staircase implant surface at the voxel size and a perfectly bonded
 * bone–implant interface.
 *
 * World coordinates: x lateral (left → right), y anterior, z cranial; mm.
 */
import { InvalidParameterError } from '../errors.js';
import type { VoxelPart } from '../voxel/grid.js';
import {
  VERTEBRA_DIMENSIONS,
  bodyOutlineDistance,
  discMiddleHeight,
  discSpaceContains,
  insideBody,
  insidePosterior,
  resolveSegmentGeometry,
  type DiscGeometry,
  type SegmentGeometry,
  type VertebraGeometry,
} from './geometry.js';
import type { CageParameters, ImplantParameters, LumbarSegmentParameters } from './parameters.js';
import { capsuleDistance, frameDirToWorld, frameToWorld, roundedRectDistance, superellipseDistance } from './sdf.js';

/** Tulip head of a polyaxial screw: length along the screw axis behind the entry point and radius, mm [A]. */
export const SCREW_HEAD = { length: 12, radius: 5.5 } as const;
/** Thread approximation: pitch and depth (fraction of the major diameter) [A]. */
export const SCREW_THREAD = { pitch: 2.5, depthFraction: 0.15 } as const;

/** One placed pedicle screw (world coordinates, mm). */
export interface ScrewPlacement {
  level: string;
  /** −1 left, +1 right. */
  side: number;
  /** Entry point on the dorsal bone surface (junction of transverse and superior articular process). */
  entry: [number, number, number];
  /** Unit axis from the entry towards the tip. */
  direction: [number, number, number];
  length: number;
  /** Major radius. */
  radius: number;
  threads: boolean;
  /** Point on the axis inside the tulip where the rod's axis passes. */
  rodPoint: [number, number, number];
  /** Distance from the entry to the anterior/lateral cortex of the body along the axis. */
  availableLength: number;
}

/** One placed cage (in the mid-disc frame of its disc). */
export interface CagePlacement {
  disc: string;
  type: CageParameters['type'];
  /** Footprint centres (two for PLIF), mid-frame xy, mm. */
  centres: [number, number][];
  /** Footprint rotation from the x axis, rad. */
  angle: number;
  length: number;
  width: number;
  height: number;
  lordoticDeg: number;
  /** Disc-space height at each footprint centre (endplate to endplate, concavities included), mm. */
  space: number[];
}

function insideVertebraBone(v: VertebraGeometry, q: ArrayLike<number>): boolean {
  return insideBody(v, q[0], q[1], q[2]) || insidePosterior(v, q[0], q[1], q[2]);
}

/** Local axis of a screw from its convergence and sagittal angles: `(−side·sinθ·cosσ, cosθ·cosσ, −sinσ)`. */
function screwAxisLocal(side: number, convergenceDeg: number, sagittalDeg: number): [number, number, number] {
  const t = (convergenceDeg * Math.PI) / 180;
  const s = (sagittalDeg * Math.PI) / 180;
  return [-side * Math.sin(t) * Math.cos(s), Math.cos(t) * Math.cos(s), -Math.sin(s)];
}

/**
 * Places the bilateral screws of every vertebra: the axis passes through the
 * pedicle isthmus centre at the requested convergence and sagittal angle; the
 * entry point is where that axis leaves the dorsal bone (the junction of the
 * transverse and superior articular processes), shifted by `entryOffset`.
 * Returns top → bottom, left then right. Throws when the axis misses the body.
 * @example
 * ```ts
 * const screws = placeScrews(p, resolveSegmentGeometry(p)); // top → bottom, left then right
 * ```
 */
export function placeScrews(p: LumbarSegmentParameters, g: SegmentGeometry): ScrewPlacement[] {
  const sp = p.implants.screws;
  if (!sp) return [];
  const out: ScrewPlacement[] = [];
  const step = 0.05;
  for (const v of g.vertebrae) {
    const conv = sp.convergenceDeg ?? VERTEBRA_DIMENSIONS[v.level].pedicleTransverseAngleDeg;
    for (const pd of v.pedicles) {
      const side = pd.side;
      const d = screwAxisLocal(side, conv, sp.sagittalDeg);
      const c = pd.centre;
      let sExit = 0;
      for (let s = 0; s < 80; s += step) {
        if (!insideVertebraBone(v, [c[0] - s * d[0], c[1] - s * d[1], c[2] - s * d[2]])) break;
        sExit = s;
      }
      const e: [number, number, number] = [c[0] - sExit * d[0] + side * sp.entryOffset[0], c[1] - sExit * d[1], c[2] - sExit * d[2] + sp.entryOffset[1]];
      let available = -1;
      for (let s = 0; s < 120; s += step) {
        if (insideBody(v, e[0] + s * d[0], e[1] + s * d[1], e[2] + s * d[2])) available = s;
      }
      const sideName = side < 0 ? 'left' : 'right';
      if (available < 0) {
        throw new InvalidParameterError(
          sp.convergenceDeg !== undefined ? 'implants.screws.convergenceDeg' : 'implants.screws.sagittalDeg',
          `the ${v.level} ${sideName} screw axis (convergence ${conv}°, sagittal ${sp.sagittalDeg}°) misses the vertebral body`,
        );
      }
      const rodOffset = SCREW_HEAD.length - (p.implants.rods?.diameter ?? 5.5) / 2 - 0.5;
      out.push({
        level: v.level,
        side,
        entry: frameToWorld(v.frame, e),
        direction: frameDirToWorld(v.frame, d),
        length: sp.length,
        radius: sp.diameter / 2,
        threads: sp.threads ?? false,
        rodPoint: frameToWorld(v.frame, [e[0] - rodOffset * d[0], e[1] - rodOffset * d[1], e[2] - rodOffset * d[2]]),
        availableLength: available,
      });
    }
  }
  return out;
}

/**
 * Height (mm) of the disc space at mid-frame point `(mx, my)`: the length of
 * the mid-frame z line between the two endplate surfaces (concavities included).
 * @example
 * ```ts
 * discSpaceHeightAt(g.discs[0], 0, 0); // ≈ 16 mm at the L4–L5 centre (concavities included)
 * ```
 */
export function discSpaceHeightAt(d: DiscGeometry, mx: number, my: number): number {
  const f = d.frame;
  const step = 0.01;
  let n = 0;
  const zMax = d.middleHeight + 20;
  for (let z = -zMax; z <= zMax; z += step) {
    const w = frameToWorld(f, [mx, my, z]);
    if (discSpaceContains(d, w[0], w[1], w[2])) n++;
  }
  return n * step;
}

const CAGE_DEFAULT_SIZE: Record<CageParameters['type'], (d: DiscGeometry) => [number, number]> = {
  TLIF: () => [28, 11],
  PLIF: () => [24, 10],
  ALIF: (d) => [1.5 * d.a, 1.3 * d.b],
  LLIF: (d) => [2 * d.a - 4, 18],
};

/**
 * Footprint signed distance (mm) of a cage in the mid-disc frame.
 * @example
 * ```ts
 * cageFootprintDistance(placeCages(p, g)[0], 0, 3.5) < 0; // centre of a TLIF footprint
 * ```
 */
export function cageFootprintDistance(c: CagePlacement, x: number, y: number): number {
  let best = Infinity;
  const ca = Math.cos(c.angle);
  const sa = Math.sin(c.angle);
  for (const [cx, cy] of c.centres) {
    const dx = x - cx;
    const dy = y - cy;
    const u = ca * dx + sa * dy;
    const w = -sa * dx + ca * dy;
    const dist =
      c.type === 'ALIF'
        ? superellipseDistance(u, w, c.length / 2, c.width / 2, 2.5)
        : roundedRectDistance(u, w, c.length / 2, c.width / 2, Math.min(c.width / 2, 3));
    if (dist < best) best = dist;
  }
  return best;
}

/**
 * Places the cage of every disc (TLIF oblique anterior, PLIF bilateral pair, ALIF anterior D, LLIF transverse).
 * @example
 * ```ts
 * const [cage] = placeCages(p, resolveSegmentGeometry(p));
 * ```
 */
export function placeCages(p: LumbarSegmentParameters, g: SegmentGeometry): CagePlacement[] {
  const cp = p.implants.cage;
  if (!cp) return [];
  return g.discs.map((d) => {
    const [dl, dw] = CAGE_DEFAULT_SIZE[cp.type](d);
    const length = cp.length ?? dl;
    const width = cp.width ?? dw;
    let centres: [number, number][];
    let angle = 0;
    switch (cp.type) {
      case 'TLIF':
        centres = [[0, 0.2 * d.b]];
        angle = (30 * Math.PI) / 180;
        break;
      case 'PLIF':
        centres = [
          [-0.4 * d.a, 0],
          [0.4 * d.a, 0],
        ];
        angle = Math.PI / 2;
        break;
      case 'ALIF':
        centres = [[0, 0.1 * d.b]];
        break;
      case 'LLIF':
        centres = [[0, 0]];
        break;
    }
    const space = centres.map(([x, y]) => discSpaceHeightAt(d, x, y));
    return { disc: d.name, type: cp.type, centres, angle, length, width, height: cp.height, lordoticDeg: cp.lordoticDeg, space };
  });
}

/**
 * Refuses discs with a non-positive height anywhere under the wedge angles:
 * `h(x, y) ≈ h_mid + y·tan α + x·tan γ ≥ 1 mm` over the endplate outline.
 * @example
 * ```ts
 * checkSegmentFeasibility({ ...defaultParameters('L4'), lordosisDeg: 25, discHeightScale: 0.5 }); // throws on lordosisDeg
 * ```
 */
export function checkSegmentFeasibility(p: LumbarSegmentParameters): void {
  const g = resolveSegmentGeometry(p);
  for (const d of g.discs) {
    const h = discMiddleHeight(p, d.upper.level);
    const ta = Math.abs(Math.tan((d.lordosisDeg * Math.PI) / 180)) * d.b;
    const tg = Math.abs(Math.tan((d.frontalWedgeDeg * Math.PI) / 180)) * d.a;
    const hMin = h - ta - tg;
    if (hMin < 1) {
      const param = ta >= tg ? 'lordosisDeg' : 'frontalWedgeDeg';
      throw new InvalidParameterError(
        param,
        `the ${d.name} disc (middle height ${h.toFixed(1)} mm) would be ${hMin.toFixed(1)} mm thin at its edge under lordosis ${d.lordosisDeg}° and frontal wedge ${d.frontalWedgeDeg}° (needs ≥ 1 mm)`,
      );
    }
  }
}

function segmentDistance(a0: number[], a1: number[], b0: number[], b1: number[]): number {
  // closest points of two segments by dense sampling of one and exact projection on the other
  let best = Infinity;
  for (let i = 0; i <= 200; i++) {
    const t = i / 200;
    const px = a0[0] + t * (a1[0] - a0[0]);
    const py = a0[1] + t * (a1[1] - a0[1]);
    const pz = a0[2] + t * (a1[2] - a0[2]);
    const dd = capsuleDistance(px, py, pz, b0[0], b0[1], b0[2], b1[0], b1[1], b1[2], 0);
    if (dd < best) best = dd;
  }
  return best;
}

/**
 * Refuses implants that cannot be built: a screw wider than the pedicle,
 * longer than the body holds along its axis (entry → anterior/lateral
 * cortex), left and right screws that intersect, a cage taller than the disc
 * space at its centre (more than 1 mm press fit) or whose footprint does not
 * fit the endplate (less than 90 % inside).
 * @example
 * ```ts
 * checkImplantFeasibility(p); // throws InvalidParameterError('implants.screws.length', …) for a 55 mm L4 screw
 * ```
 */
export function checkImplantFeasibility(p: LumbarSegmentParameters): void {
  const { screws, cage } = p.implants;
  if (!screws && !cage) return;
  const g = resolveSegmentGeometry(p);
  if (screws) {
    for (const v of g.vertebrae) {
      const w = VERTEBRA_DIMENSIONS[v.level].pedicleWidth * p.globalScale;
      if (screws.diameter > w) {
        throw new InvalidParameterError('implants.screws.diameter', `${screws.diameter} mm is wider than the ${v.level} pedicle (${w.toFixed(1)} mm)`);
      }
    }
    const placed = placeScrews(p, g);
    for (const s of placed) {
      if (s.length > s.availableLength) {
        throw new InvalidParameterError(
          'implants.screws.length',
          `${s.length} mm is longer than the ${s.availableLength.toFixed(1)} mm the ${s.level} body holds along the ${s.side < 0 ? 'left' : 'right'} screw axis (entry point to the anterior cortex)`,
        );
      }
    }
    for (let i = 0; i + 1 < placed.length; i += 2) {
      const a = placed[i];
      const b = placed[i + 1];
      const tip = (s: ScrewPlacement): number[] => s.entry.map((e, k) => e + s.length * s.direction[k]);
      const dist = segmentDistance(a.entry, tip(a), b.entry, tip(b));
      if (dist < a.radius + b.radius + 0.5) {
        throw new InvalidParameterError(
          'implants.screws.convergenceDeg',
          `the left and right ${a.level} screws come within ${dist.toFixed(1)} mm of each other's axes (need ${(a.radius + b.radius + 0.5).toFixed(1)} mm); reduce convergence or length`,
        );
      }
    }
  }
  if (cage) {
    const cages = placeCages(p, g);
    cages.forEach((c, k) => {
      for (const sp of c.space) {
        if (c.height > sp + 1) {
          throw new InvalidParameterError(
            'implants.cage.height',
            `${c.height} mm is taller than the ${c.disc} disc space allows at the cage (${sp.toFixed(1)} mm + 1 mm press fit)`,
          );
        }
      }
      const d = g.discs[k];
      let inside = 0;
      let total = 0;
      const e = Math.max(c.length, c.width);
      for (let y = -e; y <= e; y += 0.5) {
        for (let x = -e; x <= e; x += 0.5) {
          for (const [cx, cy] of c.centres) {
            if (cageFootprintDistance({ ...c, centres: [[cx, cy]] }, x + cx, y + cy) <= 0) {
              total++;
              if (bodyOutlineDistance(d, x + cx, y + cy) <= 0) inside++;
            }
          }
        }
      }
      if (inside < 0.9 * total) {
        throw new InvalidParameterError(
          c.type === 'LLIF' || c.type === 'ALIF' ? 'implants.cage.length' : 'implants.cage.width',
          `the ${c.type} footprint ${c.length.toFixed(0)}×${c.width.toFixed(0)} mm does not fit the ${c.disc} endplate (${((100 * inside) / total).toFixed(0)} % inside, need 90 %)`,
        );
      }
    });
  }
}

/** Voxel labels of the implant regions (label = region id + 1). */
export interface ImplantLabels {
  /** Per screw in {@link placeScrews} order. */
  screws: number[];
  /** Left, right. */
  rods: number[];
  /** Per disc. */
  cages: number[];
}

/**
 * Voxel classifiers of the implants in painting order (cage, rods, screws:
 * highest priority last, so screws win over rods inside the tulip).
 * @example
 * ```ts
 * paintParts(grid, implantParts(p, g, { screws: [10, 11, 12, 13], rods: [14, 15], cages: [16] }));
 * ```
 */
export function implantParts(p: LumbarSegmentParameters, g: SegmentGeometry, labels: ImplantLabels): VoxelPart[] {
  const parts: VoxelPart[] = [];
  const screws = placeScrews(p, g);
  const cages = placeCages(p, g);
  cages.forEach((c, k) => {
    const d = g.discs[k];
    const mid = new Float64Array(3);
    const lab = labels.cages[k];
    const tb = Math.tan((c.lordoticDeg * Math.PI) / 180);
    const cy = c.centres.reduce((s, q) => s + q[1], 0) / c.centres.length;
    const e = Math.max(c.length, c.width) / 2 + 2;
    const hz = c.height / 2 + 10;
    const bounds = new Float64Array([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]);
    for (const [x, y] of c.centres) {
      for (let q = 0; q < 8; q++) {
        const w = frameToWorld(d.frame, [x + (q & 1 ? e : -e), y + (q & 2 ? e : -e), q & 4 ? hz : -hz]);
        for (let a = 0; a < 3; a++) {
          bounds[a] = Math.min(bounds[a], w[a]);
          bounds[a + 3] = Math.max(bounds[a + 3], w[a]);
        }
      }
    }
    parts.push({
      name: `implant.cage.${c.disc}`,
      bounds,
      classify(x, y, z) {
        if (!discSpaceContains(d, x, y, z, mid)) return 0;
        if (cageFootprintDistance(c, mid[0], mid[1]) > 0) return 0;
        // wedge: height h(y) = h_c + (y − y_c)·tan β, centred on the disc bisector plane
        const h = c.height + (mid[1] - cy) * tb;
        return Math.abs(mid[2]) <= h / 2 ? lab : 0;
      },
    });
  });
  if (p.implants.rods && screws.length > 0) {
    const r = p.implants.rods.diameter / 2;
    for (const side of [-1, 1]) {
      const pts = screws.filter((s) => s.side === side).map((s) => s.rodPoint);
      // extend 3 mm beyond the outermost heads
      const ext = (a: number[], b: number[]): [number, number, number] => {
        const l = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) || 1;
        return [a[0] + ((a[0] - b[0]) * 3) / l, a[1] + ((a[1] - b[1]) * 3) / l, a[2] + ((a[2] - b[2]) * 3) / l];
      };
      const polyline: number[][] = pts.map((q) => q.slice());
      polyline[0] = ext(pts[0], pts[1]);
      polyline[pts.length - 1] = ext(pts[pts.length - 1], pts[pts.length - 2]);
      const bounds = new Float64Array([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]);
      for (const q of polyline) {
        for (let a = 0; a < 3; a++) {
          bounds[a] = Math.min(bounds[a], q[a] - r);
          bounds[a + 3] = Math.max(bounds[a + 3], q[a] + r);
        }
      }
      const lab = labels.rods[side < 0 ? 0 : 1];
      parts.push({
        name: `implant.rod.${side < 0 ? 'left' : 'right'}`,
        bounds,
        classify(x, y, z) {
          for (let q = 0; q + 1 < polyline.length; q++) {
            const a = polyline[q];
            const b = polyline[q + 1];
            if (capsuleDistance(x, y, z, a[0], a[1], a[2], b[0], b[1], b[2], r) <= 0) return lab;
          }
          return 0;
        },
      });
    }
  }
  screws.forEach((s, k) => {
    const lab = labels.screws[k];
    const [ex, ey, ez] = s.entry;
    const [dx, dy, dz] = s.direction;
    const L = s.length;
    const r = s.radius;
    const rh = SCREW_HEAD.radius;
    const lh = SCREW_HEAD.length;
    const depth = SCREW_THREAD.depthFraction * 2 * r;
    const taper = 1.5 * r;
    const R = Math.max(r, rh);
    const bounds = new Float64Array([
      Math.min(ex - lh * dx, ex + L * dx) - R,
      Math.min(ey - lh * dy, ey + L * dy) - R,
      Math.min(ez - lh * dz, ez + L * dz) - R,
      Math.max(ex - lh * dx, ex + L * dx) + R,
      Math.max(ey - lh * dy, ey + L * dy) + R,
      Math.max(ez - lh * dz, ez + L * dz) + R,
    ]);
    parts.push({
      name: `implant.screw.${s.level}.${s.side < 0 ? 'left' : 'right'}`,
      bounds,
      classify(x, y, z) {
        const rx = x - ex;
        const ry = y - ey;
        const rz = z - ez;
        const t = rx * dx + ry * dy + rz * dz;
        if (t < -lh || t > L) return 0;
        const rad2 = rx * rx + ry * ry + rz * rz - t * t;
        if (t < 0) return rad2 <= rh * rh ? lab : 0;
        let re = r;
        // thread: r(t) = r − depth·(½ − ½ cos(2π t / pitch))
        if (s.threads) re -= depth * (0.5 - 0.5 * Math.cos((2 * Math.PI * t) / SCREW_THREAD.pitch));
        // conical tip over the last 1.5 r
        if (t > L - taper) re *= 0.3 + (0.7 * (L - t)) / taper;
        return rad2 <= re * re ? lab : 0;
      },
    });
  });
  return parts;
}

/**
 * Default instrumentation fitted to a parameter set: Ø 6.5 mm Ti screws as
 * long as every body holds (3 mm short of the anterior cortex, 30–45 mm),
 * shortened further where left and right screws would meet near the midline
 * (small patients), and at 30 mm with the convergence opened in 2° steps;
 * Ø 5.5 mm Ti rods, and a PEEK TLIF cage whose height is the disc space at
 * its centre (rounded down to 0.5 mm) and whose lordosis is the disc's.
 *
 * @example
 * ```ts
 * const p = defaultParameters('L4');
 * p.implants = defaultImplants(p);
 * ```
 */
export function defaultImplants(p: LumbarSegmentParameters): ImplantParameters {
  const base: LumbarSegmentParameters = {
    ...p,
    implants: { screws: { diameter: 6.5, length: 45, sagittalDeg: 0, entryOffset: [0, 0] }, rods: { diameter: 5.5, material: 'Ti' } },
  };
  const g = resolveSegmentGeometry(base);
  const placed = placeScrews(base, g);
  const avail = Math.min(...placed.map((s) => s.availableLength));
  const length = Math.max(30, Math.min(45, Math.floor(avail - 3)));
  const minPedicle = Math.min(...g.vertebrae.map((v) => VERTEBRA_DIMENSIONS[v.level].pedicleWidth * p.globalScale));
  const diameter = Math.max(4.5, Math.min(6.5, Math.floor(minPedicle * 2) / 2 - 0.5));
  const cageBase: LumbarSegmentParameters = { ...p, implants: { cage: { type: 'TLIF', height: 10, lordoticDeg: 0, material: 'PEEK' } } };
  const cages = placeCages(cageBase, g);
  const space = Math.min(...cages.flatMap((c) => c.space));
  const lord = Math.min(...g.discs.map((d) => d.lordosisDeg));
  const implantsWith = (len: number, convergenceDeg?: number): ImplantParameters => ({
    screws: { diameter, length: len, sagittalDeg: 0, entryOffset: [0, 0], ...(convergenceDeg === undefined ? {} : { convergenceDeg }) },
    rods: { diameter: 5.5, material: 'Ti' },
    cage: {
      type: 'TLIF',
      height: Math.max(6, Math.min(20, Math.floor(space * 2) / 2)),
      lordoticDeg: Math.max(0, Math.min(20, Math.round(lord * 10) / 10)),
      material: 'PEEK',
    },
  });
  // On a small patient (global scale ≈ 0.9) the anatomical convergence makes long left and
  // right screws meet near the midline: shorten them first (a surgeon's choice), then,
  // at the 30 mm minimum, open the convergence in 2° steps.
  const feasible = (imp: ImplantParameters): boolean => {
    try {
      checkImplantFeasibility({ ...p, implants: imp });
      return true;
    } catch (e) {
      if (e instanceof InvalidParameterError) return false;
      throw e;
    }
  };
  for (let len = length; len >= 30; len--) {
    const imp = implantsWith(len);
    if (feasible(imp)) return imp;
  }
  const anatomical = Math.min(...g.vertebrae.map((v) => VERTEBRA_DIMENSIONS[v.level].pedicleTransverseAngleDeg));
  for (let conv = Math.floor(anatomical / 2) * 2; conv >= 0; conv -= 2) {
    const imp = implantsWith(30, conv);
    if (feasible(imp)) return imp;
  }
  throw new InvalidParameterError('implants', `no default screw length (30–45 mm) or convergence (0–${anatomical}°) fits this patient's ${g.vertebrae.map((v) => v.level).join('–')} anatomy`);
}
