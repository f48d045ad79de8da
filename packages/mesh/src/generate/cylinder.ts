/**
 * Structured hollow-cylinder meshes for the Lamé thick-walled-cylinder
 * verification.
 */
import type { CellType, FaceSet, Mesh } from '../mesh.js';
import { InvalidParameterError } from '../errors.js';
import { checkCellType } from './params.js';
import { hexToTet } from './convert.js';

/** Options of {@link hollowCylinderMesh}. Lengths in mm, angles in degrees. */
export interface HollowCylinderMeshOptions {
  /** Inner radius a (mm), > 0. */
  innerRadius: number;
  /** Outer radius b (mm), > a. */
  outerRadius: number;
  /** Axial length (mm); the cylinder spans z ∈ [0, length]. */
  length: number;
  /** Cells through the wall (uniform in r). */
  radialDivisions: number;
  /** Cells around the sweep (uniform in θ); ≥ 3 for a full 360° sweep. */
  circumferentialDivisions: number;
  /** Cells along z. */
  axialDivisions: number;
  cellType: CellType;
  /** Swept angle in degrees, (0, 360]; default 360. 90 gives a quarter model starting at θ = 0 (the +x axis). */
  sweepAngleDeg?: number;
}

/**
 * Structured mesh of the hollow cylinder `a ≤ r ≤ b`, `0 ≤ θ ≤ sweep`,
 * `0 ≤ z ≤ length`, axis along z through the origin.
 *
 * Node `(i, j, k)` (radial, circumferential, axial) sits at
 * `r_i = a + (b−a)·i/nr`, `θ_j = sweep·j/nθ`, `z_k = length·k/nz`; for a
 * full sweep the θ = 360° column is the θ = 0 column (no seam). Hex cell
 * local axes are (r, θ, z), which is right-handed, so cells are positive.
 * Material id 0 everywhere.
 *
 * Node sets and face sets: `inner` (r = a), `outer` (r = b), `zmin`, `zmax`,
 * and for a partial sweep `theta0` (θ = 0) and `theta1` (θ = sweep).
 *
 * Geometry: every cell edge is straight, tet10 mid-side nodes included
 * (placed at chord midpoints, not on the circle). The polygonal boundary
 * deviates from the circle by `r·(1 − cos(Δθ/2)) ≈ r·Δθ²/8 = O(h²)`: below
 * the O(h) energy-norm error of hex8/tet4 and equal in order to the O(h²)
 * energy-norm error of tet10, so energy-norm convergence rates are kept;
 * tet10 displacement errors in L2 are then limited to O(h²) instead of
 * O(h³). Refine `circumferentialDivisions` together with the others.
 *
 * @throws InvalidParameterError for non-positive radii/length, b ≤ a, non-integer divisions, a bad sweep.
 * @example
 * ```ts
 * const quarter = hollowCylinderMesh({
 *   innerRadius: 10, outerRadius: 20, length: 5,
 *   radialDivisions: 8, circumferentialDivisions: 16, axialDivisions: 2,
 *   cellType: 'hex8', sweepAngleDeg: 90,
 * });
 * const pressurised = quarter.faceSets.inner;
 * ```
 */
export function hollowCylinderMesh(options: HollowCylinderMeshOptions): Mesh {
  const { innerRadius: a, outerRadius: b, length, cellType } = options;
  const nr = options.radialDivisions;
  const nt = options.circumferentialDivisions;
  const nz = options.axialDivisions;
  const sweepDeg = options.sweepAngleDeg ?? 360;
  for (const [name, v] of [
    ['innerRadius', a],
    ['outerRadius', b],
    ['length', length],
  ] as const)
    if (!(Number.isFinite(v) && v > 0)) throw new InvalidParameterError(name, `must be finite and > 0, got ${v}`);
  if (!(b > a)) throw new InvalidParameterError('outerRadius', `must exceed innerRadius ${a}, got ${b}`);
  for (const [name, v] of [
    ['radialDivisions', nr],
    ['circumferentialDivisions', nt],
    ['axialDivisions', nz],
  ] as const)
    if (!(Number.isInteger(v) && v > 0)) throw new InvalidParameterError(name, `must be a positive integer, got ${v}`);
  if (!(Number.isFinite(sweepDeg) && sweepDeg > 0 && sweepDeg <= 360))
    throw new InvalidParameterError('sweepAngleDeg', `must be in (0, 360], got ${sweepDeg}`);
  const full = sweepDeg === 360;
  if (full && nt < 3) throw new InvalidParameterError('circumferentialDivisions', `must be ≥ 3 for a full sweep, got ${nt}`);
  checkCellType('cellType', cellType);

  const sweep = (sweepDeg * Math.PI) / 180;
  const nrp = nr + 1;
  const ntp = full ? nt : nt + 1; // node columns around
  const nzp = nz + 1;
  const nodes = new Float64Array(3 * nrp * ntp * nzp);
  const cosT = new Float64Array(ntp);
  const sinT = new Float64Array(ntp);
  for (let j = 0; j < ntp; j++) {
    const t = (sweep * j) / nt;
    // Snap cos/sin round-off (cos(π/2) ≈ 6e−17) so nodes on the symmetry planes lie exactly on them.
    const c = Math.cos(t);
    const s = Math.sin(t);
    cosT[j] = Math.abs(c) < 1e-14 ? 0 : c;
    sinT[j] = Math.abs(s) < 1e-14 ? 0 : s;
  }
  let p = 0;
  for (let k = 0; k < nzp; k++) {
    const z = k === nz ? length : (length * k) / nz;
    for (let j = 0; j < ntp; j++)
      for (let i = 0; i < nrp; i++) {
        const r = i === nr ? b : a + ((b - a) * i) / nr;
        nodes[p++] = r * cosT[j];
        nodes[p++] = r * sinT[j];
        nodes[p++] = z;
      }
  }
  const node = (i: number, j: number, k: number): number => i + nrp * ((j % ntp) + ntp * k);
  const nh = nr * nt * nz;
  const cells = new Uint32Array(8 * nh);
  let q = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < nt; j++)
      for (let i = 0; i < nr; i++) {
        cells[q++] = node(i, j, k);
        cells[q++] = node(i + 1, j, k);
        cells[q++] = node(i + 1, j + 1, k);
        cells[q++] = node(i, j + 1, k);
        cells[q++] = node(i, j, k + 1);
        cells[q++] = node(i + 1, j, k + 1);
        cells[q++] = node(i + 1, j + 1, k + 1);
        cells[q++] = node(i, j + 1, k + 1);
      }
  const hexIndex = (i: number, j: number, k: number): number => i + nr * (j + nt * k);
  // Hex local faces: 0 z-, 1 z+, 2 "y-" = θ-, 3 "x+" = r+, 4 θ+, 5 r-.
  const faces = (na: number, nb: number, face: number, at: (u: number, v: number) => number): FaceSet => {
    const c = new Uint32Array(na * nb);
    let t = 0;
    for (let v = 0; v < nb; v++) for (let u = 0; u < na; u++) c[t++] = at(u, v);
    return { cells: c, faces: new Uint8Array(na * nb).fill(face) };
  };
  const nodeSet = (na: number, nb: number, at: (u: number, v: number) => number): Uint32Array => {
    const s = new Uint32Array(na * nb);
    let t = 0;
    for (let v = 0; v < nb; v++) for (let u = 0; u < na; u++) s[t++] = at(u, v);
    return s;
  };
  const faceSets: Record<string, FaceSet> = {
    inner: faces(nt, nz, 5, (j, k) => hexIndex(0, j, k)),
    outer: faces(nt, nz, 3, (j, k) => hexIndex(nr - 1, j, k)),
    zmin: faces(nr, nt, 0, (i, j) => hexIndex(i, j, 0)),
    zmax: faces(nr, nt, 1, (i, j) => hexIndex(i, j, nz - 1)),
  };
  const nodeSets: Record<string, Uint32Array> = {
    inner: nodeSet(ntp, nzp, (j, k) => node(0, j, k)),
    outer: nodeSet(ntp, nzp, (j, k) => node(nr, j, k)),
    zmin: nodeSet(nrp, ntp, (i, j) => node(i, j, 0)),
    zmax: nodeSet(nrp, ntp, (i, j) => node(i, j, nz)),
  };
  if (!full) {
    faceSets.theta0 = faces(nr, nz, 2, (i, k) => hexIndex(i, 0, k));
    faceSets.theta1 = faces(nr, nz, 4, (i, k) => hexIndex(i, nt - 1, k));
    nodeSets.theta0 = nodeSet(nrp, nzp, (i, k) => node(i, 0, k));
    nodeSets.theta1 = nodeSet(nrp, nzp, (i, k) => node(i, nt, k));
  }
  const hex: Mesh = { nodes, cells, cellType: 'hex8', materialIds: new Uint16Array(nh), nodeSets, faceSets };
  return cellType === 'hex8' ? hex : hexToTet(hex, cellType === 'tet10');
}
