/**
 * Implants of the body-fitted segment, each meshed as itself and tied into
 * the anatomy without touching its topology (the embedded-element
 * technique):
 * - pedicle screw: a round sweep along its axis — tulip head (radius
 *   {@link SCREW_HEAD}), a neck (≥ 1 mm, 0.75 × the radius step) where the radius steps down to the shaft,
 *   the shaft (sinusoidal thread profile when `threads`), a conical tip; every
 *   shaft node (entry point → tip) is tied to the nearest point of its
 *   vertebra's bone, the head is free;
 * - rod: a round sweep along the polyline through the screws' rod points, the
 *   stations within ±0.6 head radii of each rod point tied into that screw's head;
 * - cage: a wedge-shaped box per footprint in the mid-disc frame, its top and
 *   bottom faces tied to the nearest points of the adjacent vertebral bodies.
 *   The disc tissue under the cage stays (in parallel, ≥ 1000× softer).
 * Changing a screw's diameter, length or angles moves nodes, never the topology.
 */
import { frameToWorld } from '../sdf.js';
import type { SegmentGeometry } from '../geometry.js';
import { SCREW_HEAD, SCREW_THREAD, type CagePlacement, type ScrewPlacement } from '../implants.js';
import type { LumbarSegmentParameters } from '../parameters.js';
import { boxBlock, boxFace, cross, orthonormalPair, stackCells, stackLevel, sweepSection, unit, type Vec3 } from './blocks.js';
import type { FittedMeshBuilder } from './builder.js';
import type { TieCollector } from './embed.js';
import { roundSection, type OGridSection } from './o-grid.js';

/** Host cell lists the implants tie into. */
export interface ImplantHosts {
  /** Bone cells per vertebra (body + posterior). */
  bone: number[][];
  /** Disc cells per disc. */
  discs: number[][];
  /** Body cells per vertebra. */
  bodies: number[][];
}

/** The unit-radius round section (scaled by each implant's radius). */
interface UnitRound {
  section: OGridSection;
  xy: Float64Array;
}

/** Screw radius profile at arc position t (mm from the entry point; negative in the head). */
function screwRadius(s: ScrewPlacement, t: number): number {
  if (t <= 0) return SCREW_HEAD.radius;
  let re = s.radius;
  if (s.threads) re -= SCREW_THREAD.depthFraction * 2 * s.radius * (0.5 - 0.5 * Math.cos((2 * Math.PI * t) / SCREW_THREAD.pitch));
  const taper = 1.5 * s.radius;
  if (t > s.length - taper) re *= 0.3 + (0.7 * (s.length - t)) / taper;
  return re;
}

/**
 * Meshes screws, rods and cages; returns the cells of each implant region by name.
 * @example
 * ```ts
 * const cells = meshFittedImplants(b, ties, p, g, 2, screws, cages, id, hosts);
 * ```
 */
export function meshFittedImplants(
  b: FittedMeshBuilder,
  ties: TieCollector,
  p: LumbarSegmentParameters,
  g: SegmentGeometry,
  r: number,
  screws: ScrewPlacement[],
  cages: CagePlacement[],
  id: (name: string) => number,
  hosts: ImplantHosts,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const rs = roundSection(r);
  const round: UnitRound = { section: rs.section, xy: rs.xy(1, 1) };
  const nn = round.section.nodeCount;
  const levelOf = (level: string): number => g.vertebrae.findIndex((v) => v.level === level);
  const heads = new Map<ScrewPlacement, number[]>();
  for (const s of screws) {
    const name = `implant.screw.${s.level}.${s.side < 0 ? 'left' : 'right'}`;
    // stations: head 2r layers over [−lh, 0], the neck, shaft 8r layers to the tip; the neck is
    // at least 1 mm and 0.75 × the radius step long, so its cells keep side walls within 53° of the axis
    const nHead = 2 * r;
    const nShaft = 8 * r * (s.threads ? 2 : 1);
    const neck = Math.max(1, 0.75 * (SCREW_HEAD.radius - s.radius));
    const ts: number[] = [];
    for (let l = 0; l <= nHead; l++) ts.push(-SCREW_HEAD.length + (SCREW_HEAD.length * l) / nHead);
    for (let l = 0; l <= nShaft; l++) ts.push(neck + ((s.length - neck) * l) / nShaft);
    const e3 = s.direction;
    const [e1, e2] = orthonormalPair(e3);
    const stack = sweepSection(b, round.section, round.xy, ts.length - 1, (l, sx, sy) => {
      const rad = screwRadius(s, ts[l]);
      return [0, 1, 2].map((k) => s.entry[k] + ts[l] * e3[k] + rad * (sx * e1[k] + sy * e2[k])) as Vec3;
    }, () => id(name));
    const cells = stackCells(stack);
    out.set(name, cells);
    heads.set(s, cells.slice(0, nHead * round.section.quadRing.length));
    // the shaft (every node from the neck's end to the tip) is embedded in its vertebra's bone
    ties.tie(`${name}→bone`, stack.ids.subarray((nHead + 1) * nn), hosts.bone[levelOf(s.level)]);
  }
  if (p.implants.rods && screws.length > 0) meshRods(b, ties, p.implants.rods.diameter / 2, screws, heads, round, r, id, out);
  cages.forEach((c, k) => meshCage(b, ties, g, c, k, r, id, hosts, out));
  return out;
}

function meshRods(
  b: FittedMeshBuilder,
  ties: TieCollector,
  radius: number,
  screws: ScrewPlacement[],
  heads: Map<ScrewPlacement, number[]>,
  round: UnitRound,
  r: number,
  id: (name: string) => number,
  out: Map<string, number[]>,
): void {
  const nn = round.section.nodeCount;
  const a = 0.6 * SCREW_HEAD.radius;
  for (const side of [-1, 1]) {
    const mine = screws.filter((s) => s.side === side);
    if (mine.length < 2) continue;
    const name = `implant.rod.${side < 0 ? 'left' : 'right'}`;
    // arc stations: 3 mm beyond the end heads; ±a around every rod point; 4r layers between heads
    const pts = mine.map((s) => s.rodPoint);
    const stations: { p: Vec3; tangent: Vec3; screw: number }[] = [];
    for (let i = 0; i < pts.length; i++) {
      const prev = pts[Math.max(0, i - 1)];
      const next = pts[Math.min(pts.length - 1, i + 1)];
      const tangent = unit([next[0] - prev[0], next[1] - prev[1], next[2] - prev[2]]);
      const at = (d: number): Vec3 => [pts[i][0] + d * tangent[0], pts[i][1] + d * tangent[1], pts[i][2] + d * tangent[2]];
      if (i === 0) stations.push({ p: at(-a - 3), tangent, screw: -1 });
      for (const d of [-a, 0, a]) stations.push({ p: at(d), tangent, screw: i });
      if (i + 1 < pts.length) {
        const from = at(a);
        const nextTangent = unit([pts[Math.min(pts.length - 1, i + 2)][0] - pts[i][0], pts[Math.min(pts.length - 1, i + 2)][1] - pts[i][1], pts[Math.min(pts.length - 1, i + 2)][2] - pts[i][2]]);
        const to: Vec3 = [pts[i + 1][0] - a * nextTangent[0], pts[i + 1][1] - a * nextTangent[1], pts[i + 1][2] - a * nextTangent[2]];
        const n = 4 * r;
        for (let l = 1; l < n; l++) {
          const t = l / n;
          stations.push({ p: [0, 1, 2].map((k) => from[k] + t * (to[k] - from[k])) as Vec3, tangent: unit([to[0] - from[0], to[1] - from[1], to[2] - from[2]]), screw: -1 });
        }
      } else stations.push({ p: at(a + 3), tangent, screw: -1 });
    }
    // one section frame for the whole rod (rods bend little) keeps neighbouring stations consistent
    const [e1] = orthonormalPair(unit([pts[pts.length - 1][0] - pts[0][0], pts[pts.length - 1][1] - pts[0][1], pts[pts.length - 1][2] - pts[0][2]]));
    const stack = sweepSection(b, round.section, round.xy, stations.length - 1, (l, sx, sy) => {
      const st = stations[l];
      // section in the plane ⟂ the local tangent: project the global frame onto it
      const f1 = unit(e1.map((v, k) => v - (e1[0] * st.tangent[0] + e1[1] * st.tangent[1] + e1[2] * st.tangent[2]) * st.tangent[k]) as Vec3);
      const f2 = cross(st.tangent, f1);
      return [0, 1, 2].map((k) => st.p[k] + radius * (sx * f1[k] + sy * f2[k])) as Vec3;
    }, () => id(name));
    out.set(name, stackCells(stack));
    mine.forEach((s, i) => {
      const slaves: number[] = [];
      stations.forEach((st, l) => {
        if (st.screw === i) slaves.push(...stackLevel(stack, nn, l));
      });
      ties.tie(`${name}→${s.level}.head`, slaves, heads.get(s)!);
    });
  }
}

function meshCage(
  b: FittedMeshBuilder,
  ties: TieCollector,
  g: SegmentGeometry,
  c: CagePlacement,
  k: number,
  r: number,
  id: (name: string) => number,
  hosts: ImplantHosts,
  out: Map<string, number[]>,
): void {
  const d = g.discs[k];
  const name = `implant.cage.${c.disc}`;
  const tb = Math.tan((c.lordoticDeg * Math.PI) / 180);
  const cy = c.centres.reduce((sum, q) => sum + q[1], 0) / c.centres.length;
  const ca = Math.cos(c.angle);
  const sa = Math.sin(c.angle);
  const cells: number[] = [];
  for (const [x0, y0] of c.centres) {
    const box = boxBlock(
      b,
      [4 * r, 2 * r, 2 * r],
      (s, t, u) => {
        const lx = (s - 0.5) * c.length;
        const ly = (t - 0.5) * c.width;
        const x = x0 + ca * lx - sa * ly;
        const y = y0 + sa * lx + ca * ly;
        // wedge: height h(y) = h_c + (y − y_c)·tan β, centred on the disc's bisector plane
        const h = c.height + (y - cy) * tb;
        return frameToWorld(d.frame, [x, y, (u - 0.5) * h]);
      },
      id(name),
    );
    cells.push(...box.cells);
    ties.tie(`${name}→${d.lower.level}`, boxFace(box, 2, false), hosts.bodies[k + 1]);
    ties.tie(`${name}→${d.upper.level}`, boxFace(box, 2, true), hosts.bodies[k]);
  }
  out.set(name, cells);
}
