import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import { InvalidBoundaryConditionError, NonFiniteInputError, DimensionMismatchError } from '../errors.js';
import type { ElementFamily } from '../fem/element-family.js';
import type { DofLayout } from './constraints.js';
import type { FeModel, LoadCase } from './model.js';
import { resolveFaces, resolveNodes } from './selection.js';

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new NonFiniteInputError(`${what}: value ${values[i]} at index ${i} is not finite`);
  }
}

/**
 * Assemble the load vector of one load case (length `layout.totalDofs`, N and
 * N·mm on reference rotations): nodal forces, consistent surface tractions
 * and pressures, body forces, and forces/moments on reference nodes
 * (kinematic couplings: on the reference DOFs; distributing couplings: spread
 * over the coupled nodes, see {@link distributeReferenceLoad}).
 *
 * @throws NonFiniteInputError on NaN/Infinity in any load, naming it.
 */
export function assembleLoadVector(model: FeModel, family: ElementFamily, layout: DofLayout, lc: LoadCase): Float64Array {
  const mesh = model.mesh;
  const f = new Float64Array(layout.totalDofs);
  const nNodes = mesh.nodes.length / 3;
  const label = lc.name ? `load case '${lc.name}'` : 'load case';

  for (const [i, nf] of (lc.nodalForces ?? []).entries()) {
    const what = `${label}, nodal forces ${i}`;
    if (nf.forces.length !== 3 * nf.nodes.length)
      throw new DimensionMismatchError(`${what}: forces has ${nf.forces.length} values, expected 3 × ${nf.nodes.length} nodes`);
    checkFinite(nf.forces, what);
    for (let k = 0; k < nf.nodes.length; k++) {
      const n = nf.nodes[k];
      if (!(n < nNodes)) throw new InvalidBoundaryConditionError(`${what}: node ${n} out of range (mesh has ${nNodes} nodes)`);
      f[3 * n] += nf.forces[3 * k];
      f[3 * n + 1] += nf.forces[3 * k + 1];
      f[3 * n + 2] += nf.forces[3 * k + 2];
    }
  }

  const faceLoop = (sel: Parameters<typeof resolveFaces>[1], what: string, perFace: (xf: Float64Array, out: Float64Array) => void): void => {
    const fs = resolveFaces(mesh, sel, what);
    const info = CELL_INFO[mesh.cellType];
    const npc = info.nodesPerCell;
    const nFaceNodes = info.faces[0].length;
    const xf = new Float64Array(3 * nFaceNodes);
    const ff = new Float64Array(3 * nFaceNodes);
    for (let k = 0; k < fs.cells.length; k++) {
      const local = info.faces[fs.faces[k]];
      if (!local) throw new InvalidBoundaryConditionError(`${what}: face number ${fs.faces[k]} invalid for ${mesh.cellType}`);
      for (let a = 0; a < nFaceNodes; a++) {
        const p = 3 * mesh.cells[fs.cells[k] * npc + local[a]];
        xf[3 * a] = mesh.nodes[p];
        xf[3 * a + 1] = mesh.nodes[p + 1];
        xf[3 * a + 2] = mesh.nodes[p + 2];
      }
      perFace(xf, ff);
      for (let a = 0; a < nFaceNodes; a++) {
        const p = 3 * mesh.cells[fs.cells[k] * npc + local[a]];
        f[p] += ff[3 * a];
        f[p + 1] += ff[3 * a + 1];
        f[p + 2] += ff[3 * a + 2];
      }
    }
  };
  for (const [i, t] of (lc.tractions ?? []).entries()) {
    const what = `${label}, traction ${i}`;
    checkFinite(t.traction, what);
    const tv = Float64Array.from(t.traction);
    faceLoop(t.faces, what, (xf, ff) => family.faceTraction(xf, tv, ff));
  }
  for (const [i, pr] of (lc.pressures ?? []).entries()) {
    const what = `${label}, pressure ${i}`;
    checkFinite([pr.pressure], what);
    faceLoop(pr.faces, what, (xf, ff) => {
      family.faceNormalIntegrals(xf, ff);
      // a pressure pushes against the outward normal: f_a = −p ∫ N_a n dA
      for (let q = 0; q < ff.length; q++) ff[q] *= -pr.pressure;
    });
  }
  for (const [i, bf] of (lc.bodyForces ?? []).entries()) {
    const what = `${label}, body force ${i}`;
    checkFinite(bf.force, what);
    const b = Float64Array.from(bf.force);
    const n = family.nodesPerElement;
    const xe = new Float64Array(3 * n);
    const fe = new Float64Array(3 * n);
    const only = bf.materialIds ? new Set(bf.materialIds) : null;
    const nCells = mesh.cells.length / n;
    for (let c = 0; c < nCells; c++) {
      if (only && !only.has(mesh.materialIds[c])) continue;
      for (let a = 0; a < n; a++) {
        const p = 3 * mesh.cells[c * n + a];
        xe[3 * a] = mesh.nodes[p];
        xe[3 * a + 1] = mesh.nodes[p + 1];
        xe[3 * a + 2] = mesh.nodes[p + 2];
      }
      family.bodyForce(xe, b, fe);
      for (let a = 0; a < n; a++) {
        const p = 3 * mesh.cells[c * n + a];
        f[p] += fe[3 * a];
        f[p + 1] += fe[3 * a + 1];
        f[p + 2] += fe[3 * a + 2];
      }
    }
  }
  for (const [i, rl] of (lc.referenceLoads ?? []).entries()) {
    const what = `${label}, reference load ${i} on '${rl.reference}'`;
    const F = rl.force ?? [0, 0, 0];
    const M = rl.moment ?? [0, 0, 0];
    checkFinite([...F, ...M], what);
    const d0 = layout.referenceDof.get(rl.reference);
    if (d0 !== undefined) {
      for (let k = 0; k < 3; k++) {
        f[d0 + k] += F[k];
        f[d0 + 3 + k] += M[k];
      }
      continue;
    }
    const cp = (model.couplings ?? []).find((c) => c.reference === rl.reference && c.kind === 'distributing');
    if (!cp) throw new InvalidBoundaryConditionError(`${what}: no coupling uses this reference node, so the load has nowhere to go`);
    const nodes = resolveNodes(mesh, cp.nodes, what);
    const pos = layout.referencePosition.get(rl.reference)!;
    distributeReferenceLoad(mesh, nodes, cp.weights, pos, F, M, f, what);
  }
  return f;
}

/**
 * Spread a force F (N) and moment M (N·mm) acting at point `xr` over `nodes`
 * like a distributing (RBE3-type) coupling, adding the nodal forces to `f`.
 *
 * With weights wᵢ, W = Σwᵢ, centroid x̄ = Σwᵢxᵢ/W, rᵢ = xᵢ − x̄,
 * M̄ = M + (xr − x̄) × F and J = Σ wᵢ (|rᵢ|² I − rᵢrᵢᵀ):
 * `fᵢ = wᵢ F / W + wᵢ (J⁻¹ M̄) × rᵢ`, so Σfᵢ = F and Σ rᵢ × fᵢ = M̄ exactly
 * (the resultant is statically equivalent and the surface is not stiffened).
 */
export function distributeReferenceLoad(
  mesh: Mesh,
  nodes: Uint32Array,
  weights: Float64Array | undefined,
  xr: readonly number[],
  F: readonly number[],
  M: readonly number[],
  f: Float64Array,
  what = 'distributing coupling',
): void {
  const x = mesh.nodes;
  if (weights && weights.length !== nodes.length) throw new DimensionMismatchError(`${what}: ${weights.length} weights for ${nodes.length} nodes`);
  let W = 0;
  const xb = [0, 0, 0];
  for (let i = 0; i < nodes.length; i++) {
    const w = weights ? weights[i] : 1;
    W += w;
    for (let k = 0; k < 3; k++) xb[k] += w * x[3 * nodes[i] + k];
  }
  for (let k = 0; k < 3; k++) xb[k] /= W;
  const d = [xr[0] - xb[0], xr[1] - xb[1], xr[2] - xb[2]];
  const Mb = [M[0] + d[1] * F[2] - d[2] * F[1], M[1] + d[2] * F[0] - d[0] * F[2], M[2] + d[0] * F[1] - d[1] * F[0]];
  const J = new Float64Array(9);
  for (let i = 0; i < nodes.length; i++) {
    const w = weights ? weights[i] : 1;
    const r = [x[3 * nodes[i]] - xb[0], x[3 * nodes[i] + 1] - xb[1], x[3 * nodes[i] + 2] - xb[2]];
    const rr = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) J[3 * a + b] += w * ((a === b ? rr : 0) - r[a] * r[b]);
  }
  const alpha = solve3(J, Mb);
  const hasMoment = Mb.some((v) => v !== 0);
  if (!alpha && hasMoment)
    throw new InvalidBoundaryConditionError(`${what}: the coupled nodes are collinear or coincident, so they cannot carry a moment`);
  const a = alpha ?? [0, 0, 0];
  for (let i = 0; i < nodes.length; i++) {
    const w = weights ? weights[i] : 1;
    const p = 3 * nodes[i];
    const r = [x[p] - xb[0], x[p + 1] - xb[1], x[p + 2] - xb[2]];
    f[p] += w * (F[0] / W + a[1] * r[2] - a[2] * r[1]);
    f[p + 1] += w * (F[1] / W + a[2] * r[0] - a[0] * r[2]);
    f[p + 2] += w * (F[2] / W + a[0] * r[1] - a[1] * r[0]);
  }
}

/** Solve a 3×3 system by Cramer's rule; null if (numerically) singular. */
export function solve3(A: ArrayLike<number>, b: readonly number[]): number[] | null {
  const [a, bb, c, d, e, f, g, h, i] = [A[0], A[1], A[2], A[3], A[4], A[5], A[6], A[7], A[8]];
  const det = a * (e * i - f * h) - bb * (d * i - f * g) + c * (d * h - e * g);
  let scale = 0;
  for (let k = 0; k < 9; k++) scale = Math.max(scale, Math.abs(A[k]));
  if (!(Math.abs(det) > 1e-12 * scale * scale * scale)) return null;
  return [
    (b[0] * (e * i - f * h) - bb * (b[1] * i - f * b[2]) + c * (b[1] * h - e * b[2])) / det,
    (a * (b[1] * i - f * b[2]) - b[0] * (d * i - f * g) + c * (d * b[2] - b[1] * g)) / det,
    (a * (e * b[2] - b[1] * h) - bb * (d * b[2] - b[1] * g) + b[0] * (d * h - e * g)) / det,
  ];
}
