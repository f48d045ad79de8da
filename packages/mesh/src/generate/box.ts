/**
 * Structured box meshes (hex8, tet4, tet10) for verification problems and
 * benchmarks.
 */
import type { CellType, FaceSet, Mesh } from '../mesh.js';
import { InvalidParameterError } from '../errors.js';
import { hexToTet } from './convert.js';
import { checkCellType, checkVec3, mulberry32 } from './params.js';

/** Options of {@link boxMesh}. Lengths in mm. */
export interface BoxMeshOptions {
  /** Edge lengths `[lx, ly, lz]` (mm), each > 0. */
  size: readonly [number, number, number];
  /** Cells along each axis `[nx, ny, nz]`, positive integers. */
  divisions: readonly [number, number, number];
  /** Cell type; tets come from splitting each hex into 6 (conforming). */
  cellType: CellType;
  /** Minimum corner (mm); default `[0, 0, 0]`. */
  origin?: readonly [number, number, number];
  /**
   * Random perturbation of the interior nodes, as a fraction `d ∈ [0, 0.3]`
   * of the smallest cell edge `h_min`: each interior node moves by a vector
   * drawn uniformly from the ball of radius `d·h_min`. Boundary nodes stay,
   * so the box's faces and volume are exact. Every hex corner edge then
   * turns by at most `asin(2d)` from its axis, which bounds the scaled
   * Jacobian from below by `(1 − √3·2·sin(asin(2d)/2))³` when that base is
   * positive (d ≲ 0.28); see {@link distortionJacobianBound}.
   */
  distortion?: number;
  /** Seed of the distortion's pseudo-random generator (default 1). */
  seed?: number;
}

/**
 * Lower bound of the hex8 corner scaled Jacobian of a {@link boxMesh} with
 * distortion `d` (also a bound of det of the normalised Kuhn-path edges of
 * its tets, so it certifies they are not inverted).
 *
 * Each corner edge is `h_k·u_k + δ` with `|δ| ≤ 2d·h_min ≤ 2d·h_k`, so its
 * unit vector is within angle θ = asin(2d) of `u_k`, i.e. `|ê_k − u_k| ≤ η =
 * 2 sin(θ/2)`. With `E = [ê_k − u_k]`, `‖E‖₂ ≤ ‖E‖_F ≤ √3·η`, and every
 * eigenvalue of `I + E` has modulus ≥ `1 − ‖E‖₂`, so
 * `det(ê₁,ê₂,ê₃) ≥ (1 − √3·η)³` (positive by continuity from d = 0).
 *
 * @param distortion - `d` of {@link BoxMeshOptions.distortion}.
 * @returns the bound, or `-Infinity` when d is too large for it (≥ ~0.28).
 * @example
 * ```ts
 * distortionJacobianBound(0); // 1
 * distortionJacobianBound(0.1); // ≈ 0.277
 * ```
 */
export function distortionJacobianBound(distortion: number): number {
  if (!(distortion >= 0)) throw new InvalidParameterError('distortion', `must be ≥ 0, got ${distortion}`);
  if (2 * distortion >= 1) return -Infinity;
  const theta = Math.asin(2 * distortion);
  const eta = 2 * Math.sin(theta / 2);
  const base = 1 - Math.sqrt(3) * eta;
  return base > 0 ? base ** 3 : -Infinity;
}

/**
 * Structured mesh of the box `[ox, ox+lx] × [oy, oy+ly] × [oz, oz+lz]`.
 *
 * Node `(i, j, k)` (before tet10 mid-side nodes) has index
 * `i + (nx+1)·(j + (ny+1)·k)`. Hex cell `(i, j, k)` has index
 * `i + nx·(j + ny·k)`; tets `6·hex + t` (Kuhn split, see {@link hexToTet}).
 * Node sets and face sets `xmin, xmax, ymin, ymax, zmin, zmax` hold the
 * boundary nodes (including tet10 mid-side nodes) and faces. All cells get
 * material id 0.
 *
 * Cost is linear; a 69³-cell hex8 box (≈ 1.03 M DOF) takes ~0.1 s.
 *
 * @throws InvalidParameterError for non-positive sizes, non-integer divisions, distortion ∉ [0, 0.3].
 * @example
 * ```ts
 * const mesh = boxMesh({ size: [10, 10, 20], divisions: [4, 4, 8], cellType: 'tet10' });
 * const fixedNodes = mesh.nodeSets.zmin;
 * ```
 */
export function boxMesh(options: BoxMeshOptions): Mesh {
  const { size, divisions, cellType } = options;
  const origin = options.origin ?? [0, 0, 0];
  const distortion = options.distortion ?? 0;
  checkVec3('size', size, true, false);
  checkVec3('divisions', divisions, true, true);
  checkVec3('origin', origin, false, false);
  checkCellType('cellType', cellType);
  if (!(distortion >= 0 && distortion <= 0.3)) throw new InvalidParameterError('distortion', `must be in [0, 0.3], got ${distortion}`);
  const [nx, ny, nz] = divisions;
  const nxp = nx + 1;
  const nyp = ny + 1;
  const nzp = nz + 1;
  const nn = nxp * nyp * nzp;
  if (nn * (cellType === 'tet10' ? 8 : 1) > 0xffffffff)
    throw new InvalidParameterError('divisions', `${nx}×${ny}×${nz} exceeds the 32-bit node index range`);
  const hx = size[0] / nx;
  const hy = size[1] / ny;
  const hz = size[2] / nz;
  const nodes = new Float64Array(3 * nn);
  let p = 0;
  for (let k = 0; k < nzp; k++) {
    const z = k === nz ? origin[2] + size[2] : origin[2] + k * hz;
    for (let j = 0; j < nyp; j++) {
      const y = j === ny ? origin[1] + size[1] : origin[1] + j * hy;
      for (let i = 0; i < nxp; i++) {
        nodes[p++] = i === nx ? origin[0] + size[0] : origin[0] + i * hx;
        nodes[p++] = y;
        nodes[p++] = z;
      }
    }
  }
  if (distortion > 0) {
    const rand = mulberry32(options.seed ?? 1);
    const r = distortion * Math.min(hx, hy, hz);
    for (let k = 1; k < nz; k++)
      for (let j = 1; j < ny; j++)
        for (let i = 1; i < nx; i++) {
          // Uniform in the unit ball by rejection from the cube [−1, 1]³.
          let a: number, b: number, c: number;
          do {
            a = 2 * rand() - 1;
            b = 2 * rand() - 1;
            c = 2 * rand() - 1;
          } while (a * a + b * b + c * c > 1);
          const o = 3 * (i + nxp * (j + nyp * k));
          nodes[o] += r * a;
          nodes[o + 1] += r * b;
          nodes[o + 2] += r * c;
        }
  }
  const nh = nx * ny * nz;
  const cells = new Uint32Array(8 * nh);
  const sxy = nxp * nyp;
  let q = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const n0 = i + nxp * (j + nyp * k);
        cells[q++] = n0;
        cells[q++] = n0 + 1;
        cells[q++] = n0 + 1 + nxp;
        cells[q++] = n0 + nxp;
        cells[q++] = n0 + sxy;
        cells[q++] = n0 + 1 + sxy;
        cells[q++] = n0 + 1 + nxp + sxy;
        cells[q++] = n0 + nxp + sxy;
      }
  // Face sets: hex local faces 0 z-, 1 z+, 2 y-, 3 x+, 4 y+, 5 x- (CELL_INFO.hex8).
  const faceSet = (count: number, face: number, cellAt: (a: number, b: number) => number, na: number): FaceSet => {
    const c = new Uint32Array(count);
    const f = new Uint8Array(count).fill(face);
    let t = 0;
    for (let b = 0; b < count / na; b++) for (let a = 0; a < na; a++) c[t++] = cellAt(a, b);
    return { cells: c, faces: f };
  };
  const hexIndex = (i: number, j: number, k: number): number => i + nx * (j + ny * k);
  const faceSets: Record<string, FaceSet> = {
    xmin: faceSet(ny * nz, 5, (j, k) => hexIndex(0, j, k), ny),
    xmax: faceSet(ny * nz, 3, (j, k) => hexIndex(nx - 1, j, k), ny),
    ymin: faceSet(nx * nz, 2, (i, k) => hexIndex(i, 0, k), nx),
    ymax: faceSet(nx * nz, 4, (i, k) => hexIndex(i, ny - 1, k), nx),
    zmin: faceSet(nx * ny, 0, (i, j) => hexIndex(i, j, 0), nx),
    zmax: faceSet(nx * ny, 1, (i, j) => hexIndex(i, j, nz - 1), nx),
  };
  const nodeSet = (na: number, nb: number, at: (a: number, b: number) => number): Uint32Array => {
    const s = new Uint32Array(na * nb);
    let t = 0;
    for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) s[t++] = at(a, b);
    return s;
  };
  const nodeIndex = (i: number, j: number, k: number): number => i + nxp * (j + nyp * k);
  const nodeSets: Record<string, Uint32Array> = {
    xmin: nodeSet(nyp, nzp, (j, k) => nodeIndex(0, j, k)),
    xmax: nodeSet(nyp, nzp, (j, k) => nodeIndex(nx, j, k)),
    ymin: nodeSet(nxp, nzp, (i, k) => nodeIndex(i, 0, k)),
    ymax: nodeSet(nxp, nzp, (i, k) => nodeIndex(i, ny, k)),
    zmin: nodeSet(nxp, nyp, (i, j) => nodeIndex(i, j, 0)),
    zmax: nodeSet(nxp, nyp, (i, j) => nodeIndex(i, j, nz)),
  };
  const hex: Mesh = { nodes, cells, cellType: 'hex8', materialIds: new Uint16Array(nh), nodeSets, faceSets };
  if (cellType === 'hex8') return hex;
  return hexToTet(hex, cellType === 'tet10');
}
