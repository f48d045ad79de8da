import { DimensionMismatchError, InvalidArgumentError } from '../errors.js';
import { solve3 } from '../model/loads.js';

/** A rigid motion fitted to displaced points. */
export interface RigidFit {
  /** Small-rotation vector θ (rad): components about x, y, z. */
  rotation: [number, number, number];
  /** Displacement of the centroid of the points (mm). */
  translation: [number, number, number];
  /** Centroid of the undeformed points (mm). */
  centroid: [number, number, number];
  /** RMS distance of the displacements from the fitted rigid motion (mm): the deformation the fit ignores. */
  rmsResidual: number;
}

/**
 * Least-squares **linearised** rigid motion u ≈ t + θ × (x − x̄) of a point
 * set — consistent with the small-displacement theory of the solver (a
 * finite-rotation Kabsch/SVD fit would read a linear field θ×r as a rotation
 * by atan|θ| plus a stretch). Minimising Σ|uᵢ − t − θ×rᵢ|² gives t = ū and
 * J θ = Σ rᵢ × uᵢ with J = Σ(|rᵢ|² I − rᵢ rᵢᵀ).
 * Used for the range of motion of a whole vertebra, so the figure does not
 * depend on one node.
 *
 * @param nodes - all node coordinates, xyz interleaved (mm).
 * @param displacement - all nodal displacements, xyz interleaved (mm).
 * @param subset - node indices to fit (e.g. every node of the top vertebra).
 * @example
 * ```ts
 * const fit = rigidFit(mesh.nodes, sol.displacement, topVertebraNodes);
 * const flexionDeg = (-fit.rotation[0] * 180) / Math.PI;
 * ```
 */
export function rigidFit(nodes: Float64Array, displacement: Float64Array, subset: Uint32Array): RigidFit {
  const m = subset.length;
  if (m < 3) throw new DimensionMismatchError(`rigidFit needs at least 3 points, got ${m}`);
  const xb = [0, 0, 0];
  const ub = [0, 0, 0];
  for (let i = 0; i < m; i++) {
    const p = 3 * subset[i];
    for (let k = 0; k < 3; k++) {
      xb[k] += nodes[p + k] / m;
      ub[k] += displacement[p + k] / m;
    }
  }
  const J = new Float64Array(9);
  const rhs = [0, 0, 0];
  for (let i = 0; i < m; i++) {
    const p = 3 * subset[i];
    const r = [nodes[p] - xb[0], nodes[p + 1] - xb[1], nodes[p + 2] - xb[2]];
    const u = [displacement[p] - ub[0], displacement[p + 1] - ub[1], displacement[p + 2] - ub[2]];
    const rr = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) J[3 * a + b] += (a === b ? rr : 0) - r[a] * r[b];
    rhs[0] += r[1] * u[2] - r[2] * u[1];
    rhs[1] += r[2] * u[0] - r[0] * u[2];
    rhs[2] += r[0] * u[1] - r[1] * u[0];
  }
  const th = solve3(J, rhs);
  if (!th) throw new InvalidArgumentError('rigidFit: the points are collinear, so a rotation cannot be fitted');
  let res = 0;
  for (let i = 0; i < m; i++) {
    const p = 3 * subset[i];
    const r = [nodes[p] - xb[0], nodes[p + 1] - xb[1], nodes[p + 2] - xb[2]];
    const fit = [ub[0] + th[1] * r[2] - th[2] * r[1], ub[1] + th[2] * r[0] - th[0] * r[2], ub[2] + th[0] * r[1] - th[1] * r[0]];
    for (let k = 0; k < 3; k++) res += (displacement[p + k] - fit[k]) ** 2;
  }
  return {
    rotation: [th[0], th[1], th[2]],
    translation: [ub[0], ub[1], ub[2]],
    centroid: [xb[0], xb[1], xb[2]],
    rmsResidual: Math.sqrt(res / m),
  };
}
