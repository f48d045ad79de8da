/**
 * Linear 4-node tetrahedron (constant strain). One sampling point.
 */
import type { ElementFamily } from '../element-family.js';
import { tet4Shape, tri3Shape, tabulate } from './shape-functions.js';
import {
  accumulateStiffness,
  faceNormalIntegral,
  faceTractionIntegral,
  jacobianDeterminant,
  physicalGradients,
  requirePositiveJacobian,
  stiffnessTensor,
  voigtStrain,
} from './isoparametric.js';

const N_NODES = 4;
const CENTROID = tabulate(tet4Shape, N_NODES, 3, new Float64Array([0.25, 0.25, 0.25]));
// Linear triangle: the centroid rule (N_a = 1/3) integrates N_a exactly.
const TRI = tabulate(tri3Shape, 3, 2, new Float64Array([1 / 3, 1 / 3]));
const TRI_WEIGHTS = new Float64Array([0.5]);

const grad = new Float64Array(12);
const wgrad = new Float64Array(12);
const c4 = new Float64Array(81);

/** Volume V = det J / 6, throwing on det J ≤ 0. Gradients into `grad`. */
function gradients(xe: Float64Array): number {
  const detJ = physicalGradients(N_NODES, CENTROID.dN, 0, xe, grad, 0);
  requirePositiveJacobian(detJ, 0);
  return detJ / 6;
}

/**
 * tet4 element family: constant-strain tetrahedron, `Ke = V·Bᵀ·D·B`, one
 * sampling point (the centroid), extrapolation all ones; faces are linear
 * triangles (`f_a = t·A/3`).
 *
 * @example
 * ```ts
 * const ke = new Float64Array(12 * 12);
 * tet4.stiffness(new Float64Array([0,0,0, 1,0,0, 0,1,0, 0,0,1]), D, ke);
 * ```
 */
export const tet4: ElementFamily = {
  cellType: 'tet4',
  nodesPerElement: N_NODES,
  samplingPoints: 1,
  stiffness(xe, D, ke) {
    const volume = gradients(xe);
    for (let k = 0; k < 12; k++) wgrad[k] = volume * grad[k];
    stiffnessTensor(D, c4);
    accumulateStiffness(N_NODES, 1, grad, wgrad, c4, ke);
  },
  strain(xe, ue, strain) {
    gradients(xe);
    voigtStrain(N_NODES, grad, 0, ue, strain, 0);
  },
  samplingWeights(xe, weights) {
    weights[0] = gradients(xe);
  },
  scaledJacobian(xe) {
    // det J is constant: the ratio is its sign (1 valid, −1 inverted, 0 degenerate).
    const d = jacobianDeterminant(N_NODES, CENTROID.dN, 0, xe);
    const r = d / Math.abs(d);
    return Number.isFinite(r) ? r : 0;
  },
  extrapolation: new Float64Array([1, 1, 1, 1]),
  bodyForce(xe, b, fe) {
    // ∫ N_a dV = V/4 for every node.
    const quarter = gradients(xe) / 4;
    for (let a = 0; a < N_NODES; a++) {
      fe[3 * a] = quarter * b[0];
      fe[3 * a + 1] = quarter * b[1];
      fe[3 * a + 2] = quarter * b[2];
    }
  },
  faceTraction: (xf, t, ff) => faceTractionIntegral(3, TRI.N, TRI.dN, TRI_WEIGHTS, xf, t, ff),
  faceNormalIntegrals: (xf, fn) => faceNormalIntegral(3, TRI.N, TRI.dN, TRI_WEIGHTS, xf, fn),
};
