/**
 * Structured blocks of the body-fitted segment: an O-grid section swept
 * through stations, and a logically rectangular box. Node positions come from
 * callbacks, so each block's geometry is a smooth function of the anatomy.
 */
import { emitStackCells, type FittedMeshBuilder, type SectionStack } from './builder.js';
import type { OGridSection } from './o-grid.js';

/** A 3-vector (mm or unit). */
export type Vec3 = [number, number, number];

/** a × b. */
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** a / |a|. */
export function unit(a: Vec3): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
}

/** A unit vector orthogonal to `e3` and the right-handed pair `(e1, e2)` with `e1 × e2 = e3`. */
export function orthonormalPair(e3: Vec3): [Vec3, Vec3] {
  const helper: Vec3 = Math.abs(e3[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const e1 = unit(cross(helper, e3));
  return [e1, cross(e3, e1)];
}

/**
 * Sweeps an O-grid section through `stations + 1` levels. `place(level, sx, sy)`
 * returns the world position of the section point `(sx, sy)` (section-plane
 * coordinates, mm) on that level; the caller must make `(∂/∂sx, ∂/∂sy, level
 * direction)` right-handed so the cells are positively oriented.
 * @example
 * ```ts
 * const stack = sweepSection(b, section, xy, 3, (l, sx, sy) => [sx, sy, 5 * l], () => region);
 * ```
 */
export function sweepSection(
  b: FittedMeshBuilder,
  section: OGridSection,
  xy: Float64Array,
  stations: number,
  place: (level: number, sx: number, sy: number) => Vec3,
  regionOf: (layer: number, ring: number) => number,
): SectionStack {
  const nn = section.nodeCount;
  const ids = new Uint32Array((stations + 1) * nn);
  for (let l = 0; l <= stations; l++) {
    for (let i = 0; i < nn; i++) {
      const p = place(l, xy[2 * i], xy[2 * i + 1]);
      ids[l * nn + i] = b.addNode(p[0], p[1], p[2]);
    }
  }
  return emitStackCells(b, section, ids, stations + 1, regionOf);
}

/** Node ids of one end level of a stack. */
export function stackLevel(stack: SectionStack, nodeCount: number, level: number): Uint32Array {
  return stack.ids.subarray(level * nodeCount, (level + 1) * nodeCount);
}

/** All cell ids of a stack. */
export function stackCells(stack: SectionStack): number[] {
  const out: number[] = [];
  for (const l of stack.layerCells) for (let c = 0; c < l.count; c++) out.push(l.first + c);
  return out;
}

/** A structured box block. */
export interface BoxBlock {
  dims: [number, number, number];
  /** Node id of (i, j, k): `ids[i + (ni+1)·(j + (nj+1)·k)]`. */
  ids: Uint32Array;
  cells: number[];
}

/**
 * A logically rectangular block of `ni × nj × nk` hexes at the positions
 * `place(s, t, u)` for s, t, u ∈ [0, 1]; `(s, t, u)` must map right-handedly.
 * @example
 * ```ts
 * const box = boxBlock(b, [4, 2, 3], (s, t, u) => [10 * s, 5 * t, 6 * u], region);
 * ```
 */
export function boxBlock(b: FittedMeshBuilder, dims: [number, number, number], place: (s: number, t: number, u: number) => Vec3, region: number): BoxBlock {
  const [ni, nj, nk] = dims;
  const ids = new Uint32Array((ni + 1) * (nj + 1) * (nk + 1));
  const id = (i: number, j: number, k: number): number => i + (ni + 1) * (j + (nj + 1) * k);
  for (let k = 0; k <= nk; k++)
    for (let j = 0; j <= nj; j++)
      for (let i = 0; i <= ni; i++) {
        const p = place(i / ni, j / nj, k / nk);
        ids[id(i, j, k)] = b.addNode(p[0], p[1], p[2]);
      }
  const cells: number[] = [];
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) {
        const hex = [id(i, j, k), id(i + 1, j, k), id(i + 1, j + 1, k), id(i, j + 1, k), id(i, j, k + 1), id(i + 1, j, k + 1), id(i + 1, j + 1, k + 1), id(i, j + 1, k + 1)].map((q) => ids[q]);
        cells.push(b.addHex(hex, region));
      }
  return { dims, ids, cells };
}

/** Node ids of the box face `s = 0` (`axis` 0), `t = 0` (1) or `u = 0` (2), or the far face when `far`. */
export function boxFace(box: BoxBlock, axis: 0 | 1 | 2, far: boolean): number[] {
  const [ni, nj, nk] = box.dims;
  const n = [ni, nj, nk];
  const out: number[] = [];
  for (let k = 0; k <= nk; k++)
    for (let j = 0; j <= nj; j++)
      for (let i = 0; i <= ni; i++) {
        const idx = [i, j, k];
        if (idx[axis] !== (far ? n[axis] : 0)) continue;
        out.push(box.ids[i + (ni + 1) * (j + (nj + 1) * k)]);
      }
  return out;
}
