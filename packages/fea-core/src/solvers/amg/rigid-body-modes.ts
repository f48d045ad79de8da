/**
 * Rigid-body modes of 3-D elasticity: the near-null space that smoothed
 * aggregation multigrid needs to coarsen an elasticity operator well.
 *
 * A rigid motion u(x) = t + ω × (x − c) has zero strain, so `K·R = 0` for the
 * unconstrained stiffness K (the six columns of R span its null space). After
 * boundary conditions remove these motions, they remain the lowest-energy
 * ("near-null") modes that the coarse levels must represent.
 */
import { DimensionMismatchError, NonFiniteInputError } from '../../errors.js';
import type { ConstraintTransform } from '../../model/constraints.js';

/** Number of rigid-body modes in 3-D: 3 translations + 3 rotations. */
export const RIGID_BODY_MODE_COUNT = 6;

/** Centroid and length scale used to make rotations commensurate with translations. */
interface ModeFrame {
  cx: number;
  cy: number;
  cz: number;
  /** 1/L with L the largest node distance from the centroid (mm⁻¹). */
  invL: number;
}

function modeFrame(coords: Float64Array, nodes: number): ModeFrame {
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let n = 0; n < nodes; n++) {
    const x = coords[3 * n];
    const y = coords[3 * n + 1];
    const z = coords[3 * n + 2];
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) {
      throw new NonFiniteInputError(`rigidBodyModes: node ${n} has a non-finite coordinate (${x}, ${y}, ${z})`);
    }
    cx += x;
    cy += y;
    cz += z;
  }
  const inv = nodes > 0 ? 1 / nodes : 0;
  cx *= inv;
  cy *= inv;
  cz *= inv;
  let r2 = 0;
  for (let n = 0; n < nodes; n++) {
    const dx = coords[3 * n] - cx;
    const dy = coords[3 * n + 1] - cy;
    const dz = coords[3 * n + 2] - cz;
    r2 = Math.max(r2, dx * dx + dy * dy + dz * dz);
  }
  // A single node (or coincident nodes) has no length scale; any positive L works.
  const L = r2 > 0 ? Math.sqrt(r2) : 1;
  return { cx, cy, cz, invL: 1 / L };
}

/**
 * Writes the six rigid modes' values at point (dx, dy, dz) (relative to the
 * centroid) for displacement component `comp` into `out[o .. o+5]`:
 * translations e_comp, then rotations (e_a × d)_comp / L for a = x, y, z.
 */
function writeModeRow(out: Float64Array, o: number, comp: number, dx: number, dy: number, dz: number, invL: number): void {
  out[o] = comp === 0 ? 1 : 0;
  out[o + 1] = comp === 1 ? 1 : 0;
  out[o + 2] = comp === 2 ? 1 : 0;
  // e_x × d = (0, −dz, dy), e_y × d = (dz, 0, −dx), e_z × d = (−dy, dx, 0)
  if (comp === 0) {
    out[o + 3] = 0;
    out[o + 4] = dz * invL;
    out[o + 5] = -dy * invL;
  } else if (comp === 1) {
    out[o + 3] = -dz * invL;
    out[o + 4] = 0;
    out[o + 5] = dx * invL;
  } else {
    out[o + 3] = dy * invL;
    out[o + 4] = -dx * invL;
    out[o + 5] = 0;
  }
}

/**
 * The six rigid-body modes of a set of nodes, for the full solid DOF vector
 * (DOF = 3·node + component).
 *
 * Columns: translations x, y, z (unit, mm), then small rotations about the
 * x, y, z axes through the centroid c, `u = (e_a × (x − c)) / L` with L the
 * largest node distance from c, so every column has entries of magnitude ≤ 1
 * (the aggregation QR then treats all six alike).
 *
 * @param coords node coordinates, xyz interleaved, length ≥ 3·nodes (mm)
 * @param nodes number of nodes
 * @returns row-major `(3·nodes) × 6` array: entry (dof, mode) at `6·dof + mode`
 * @throws DimensionMismatchError when `coords` is too short
 * @throws NonFiniteInputError naming a node with a NaN/Inf coordinate
 * @example
 * ```ts
 * const R = rigidBodyModes(mesh.nodes, mesh.nodes.length / 3); // K·R ≈ 0 for an unconstrained K
 * ```
 */
export function rigidBodyModes(coords: Float64Array, nodes: number): Float64Array {
  if (!(Number.isInteger(nodes) && nodes >= 0) || coords.length < 3 * nodes) {
    throw new DimensionMismatchError(`rigidBodyModes: ${nodes} nodes need ${3 * nodes} coordinates, got ${coords.length}`);
  }
  const f = modeFrame(coords, nodes);
  const R = new Float64Array(18 * nodes);
  for (let n = 0; n < nodes; n++) {
    const dx = coords[3 * n] - f.cx;
    const dy = coords[3 * n + 1] - f.cy;
    const dz = coords[3 * n + 2] - f.cz;
    for (let c = 0; c < 3; c++) writeModeRow(R, 6 * (3 * n + c), c, dx, dy, dz, f.invL);
  }
  return R;
}

/**
 * Rigid-body modes restricted to the free DOFs of a constraint-reduced
 * system `K_r = Tᵀ K T` (the near-null space for {@link smoothedAggregationAmg}
 * on the matrix `prepareModel` solves).
 *
 * - free solid DOF (node n, component c): row c of node n's modes;
 * - free reference-node DOF, component 0–2: the mode's translation at the
 *   reference position; component 3–5: the mode's rotation (0 for the
 *   translations, 1/L about its own axis for the rotations).
 *
 * Centroid and scale L are those of the mesh nodes, as in {@link rigidBodyModes}.
 *
 * @param coords mesh node coordinates, xyz interleaved (mm)
 * @param transform the model's {@link ConstraintTransform} (`buildConstraintTransform(model)`)
 * @returns row-major `freeDofs × 6`
 * @throws DimensionMismatchError when the transform does not fit the coordinates
 * @example
 * ```ts
 * const tr = buildConstraintTransform(model);
 * const B = reducedRigidBodyModes(model.mesh.nodes, tr);
 * const M = smoothedAggregationAmg(Kr, { blockPtr, nearNullSpace: B, nullSpaceDim: 6 });
 * ```
 */
export function reducedRigidBodyModes(coords: Float64Array, transform: ConstraintTransform): Float64Array {
  const { layout, freeToFull, freeDofs } = transform;
  if (layout.solidDofs !== coords.length) {
    throw new DimensionMismatchError(
      `reducedRigidBodyModes: the transform has ${layout.solidDofs} solid DOFs but ${coords.length} coordinates were given`,
    );
  }
  const nodes = coords.length / 3;
  const f = modeFrame(coords, nodes);
  // Reference node of each reference DOF block: first DOF → position.
  const refStart: number[] = [];
  const refPos: (readonly [number, number, number])[] = [];
  for (const [name, d0] of layout.referenceDof) {
    refStart.push(d0);
    refPos.push(layout.referencePosition.get(name)!);
  }
  const B = new Float64Array(6 * freeDofs);
  for (let r = 0; r < freeDofs; r++) {
    const dof = freeToFull[r];
    if (dof < layout.solidDofs) {
      const n = (dof / 3) | 0;
      writeModeRow(B, 6 * r, dof - 3 * n, coords[3 * n] - f.cx, coords[3 * n + 1] - f.cy, coords[3 * n + 2] - f.cz, f.invL);
      continue;
    }
    let k = 0;
    while (k < refStart.length && !(dof >= refStart[k] && dof < refStart[k] + 6)) k++;
    if (k === refStart.length) {
      throw new DimensionMismatchError(`reducedRigidBodyModes: free DOF ${r} maps to DOF ${dof}, which belongs to no node or reference node`);
    }
    const comp = dof - refStart[k];
    const p = refPos[k];
    if (comp < 3) writeModeRow(B, 6 * r, comp, p[0] - f.cx, p[1] - f.cy, p[2] - f.cz, f.invL);
    else {
      // θ of mode a: 0 for translations, 1/L·e_a for the rotation about axis a
      for (let m = 0; m < 6; m++) B[6 * r + m] = m === comp ? f.invL : 0;
    }
  }
  return B;
}
