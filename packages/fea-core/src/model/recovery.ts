/**
 * Recovery after a solve: internal forces, reactions, their resultant, stored energy,
 * reference-node motions and spring forces, each a function of the solved displacement.
 * Units: mm, N, N·mm.
 */
import type { CsrMatrix } from '../linalg/types.js';
import type { DofLayout } from './constraints.js';
import type { SpringSet } from './model.js';
import type { Mesh } from '@spinefea/mesh';
import { springResponse } from './springs.js';

/** Motion of a reference node: translation (mm) and small rotation (rad). */
export interface ReferenceMotion {
  translation: [number, number, number];
  rotation: [number, number, number];
}

/** Resultant of nodal forces: force (N) and moment about the origin (N·mm). */
export interface ForceResultant {
  force: [number, number, number];
  moment: [number, number, number];
}

/**
 * Internal forces `(K·u)ᵢ` of the first `rows` DOFs (the solid DOFs), N.
 *
 * @param K full stiffness (N/mm), CSR.
 * @param u full DOF vector (mm, rad).
 * @param rows how many leading rows to multiply.
 * @example
 * ```ts
 * const Ku = internalForces(K, u, 3 * nodes);
 * ```
 */
export function internalForces(K: CsrMatrix, u: Float64Array, rows: number): Float64Array {
  const Ku = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let b = K.rowPtr[i]; b < K.rowPtr[i + 1]; b++) s += K.values[b] * u[K.colIdx[b]];
    Ku[i] = s;
  }
  return Ku;
}

/**
 * Stored energy `½ uᵀ K u` (N·mm) from the internal forces of {@link internalForces}.
 *
 * @example
 * ```ts
 * const energy = storedEnergy(u, internalForces(K, u, 3 * nodes));
 * ```
 */
export function storedEnergy(u: Float64Array, Ku: Float64Array): number {
  let energy = 0;
  for (let i = 0; i < Ku.length; i++) energy += 0.5 * u[i] * Ku[i];
  return energy;
}

/**
 * Nodal reactions `R = K·u − f` on prescribed DOFs (N), zero elsewhere; xyz interleaved.
 *
 * @param Ku internal forces ({@link internalForces}), length 3·nodes.
 * @param f applied loads (N), at least as long as `Ku`.
 * @param prescribed 1 where a displacement boundary condition holds the DOF.
 * @example
 * ```ts
 * const R = nodalReactions(internalForces(K, u, 3 * nodes), f, transform.prescribed);
 * ```
 */
export function nodalReactions(Ku: Float64Array, f: Float64Array, prescribed: Uint8Array): Float64Array {
  const reactions = new Float64Array(Ku.length);
  for (let i = 0; i < Ku.length; i++) if (prescribed[i]) reactions[i] = Ku[i] - f[i];
  return reactions;
}

/**
 * Resultant of nodal forces: their sum (N) and moment about the origin Σ x × F (N·mm).
 *
 * @param nodes node coordinates (mm), xyz interleaved.
 * @param forces nodal forces (N), xyz interleaved, one triple per node.
 * @example
 * ```ts
 * const { force, moment } = forceResultant(mesh.nodes, sol.reactions); // balances the applied loads
 * ```
 */
export function forceResultant(nodes: Float64Array, forces: Float64Array): ForceResultant {
  const F: [number, number, number] = [0, 0, 0];
  const Mo: [number, number, number] = [0, 0, 0];
  for (let nIdx = 0; nIdx < forces.length / 3; nIdx++) {
    const rx = forces[3 * nIdx];
    const ry = forces[3 * nIdx + 1];
    const rz = forces[3 * nIdx + 2];
    if (rx === 0 && ry === 0 && rz === 0) continue;
    const x = nodes[3 * nIdx];
    const y = nodes[3 * nIdx + 1];
    const z = nodes[3 * nIdx + 2];
    F[0] += rx;
    F[1] += ry;
    F[2] += rz;
    Mo[0] += y * rz - z * ry;
    Mo[1] += z * rx - x * rz;
    Mo[2] += x * ry - y * rx;
  }
  return { force: F, moment: Mo };
}

/**
 * The motion of each kinematically coupled reference node from the full DOF vector.
 *
 * @example
 * ```ts
 * const top = referenceMotions(transform.layout, u).top; // { translation (mm), rotation (rad) }
 * ```
 */
export function referenceMotions(layout: DofLayout, u: Float64Array): Record<string, ReferenceMotion> {
  const out: Record<string, ReferenceMotion> = {};
  for (const [name, d0] of layout.referenceDof) {
    out[name] = { translation: [u[d0], u[d0 + 1], u[d0 + 2]], rotation: [u[d0 + 3], u[d0 + 4], u[d0 + 5]] };
  }
  return out;
}

/**
 * Axial spring forces (N, + tension) of the springs that are active, zero for the others.
 *
 * @example
 * ```ts
 * const forces = springForces(mesh, springs, u, active);
 * ```
 */
export function springForces(mesh: Mesh, springs: SpringSet, u: Float64Array, active: Uint8Array): Float64Array {
  const n = springs.nodesA.length;
  const elong = new Float64Array(n);
  const force = new Float64Array(n);
  springResponse(mesh, springs, u, elong, force);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = active[i] ? force[i] : 0;
  return out;
}
