/**
 * Quadratic 10-node tetrahedron (VTK node order) with the 4-point degree-2
 * rule, exact for the stiffness of straight-sided elements.
 */
import type { ElementFamily } from '../element-family.js';
import { TET4_RULE_B, TET4_RULE_A, TET_GAUSS4_POINTS, TET_GAUSS4_WEIGHT, TRI6_RULE_POINTS, TRI6_RULE_WEIGHTS } from './quadrature.js';
import { tabulate, tet10Shape, tri6Shape } from './shape-functions.js';
import {
  accumulateStiffness,
  bodyForceIntegral,
  faceNormalIntegral,
  faceTractionIntegral,
  jacobianDeterminant,
  physicalGradients,
  requirePositiveJacobian,
  stiffnessTensor,
  voigtStrain,
} from './isoparametric.js';

const N_NODES = 10;
const NQ = 4;
const N3 = 30;

const GAUSS = tabulate(tet10Shape, N_NODES, 3, TET_GAUSS4_POINTS);
// Corners and mid-edges (the nodes), for the scaled Jacobian.
const NODE_POINTS = tabulate(
  tet10Shape,
  N_NODES,
  3,
  new Float64Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0.5]),
);
const TRI = tabulate(tri6Shape, 6, 2, TRI6_RULE_POINTS);

const grad = new Float64Array(NQ * N3);
const wgrad = new Float64Array(NQ * N3);
const wdet = new Float64Array(NQ);
const c4 = new Float64Array(81);

/**
 * Gauss → node extrapolation, `10 × 4`. The Gauss values define a linear
 * field `f = Σ_i c_i·L_i`; point q has L_q = a, the others b, so
 * `f_q = (a − b)·c_q + b·Σc` and `Σ_q f_q = (a + 3b)·Σc = Σc`, giving the
 * corner values `c_i = (f_i − b·Σ_q f_q)/(a − b)`: `E[i][q] = (δ_iq − b)/(a − b)`.
 * Mid-side nodes take the mean of their two corners.
 */
const EXTRAPOLATION = (() => {
  const E = new Float64Array(N_NODES * NQ);
  const a = TET4_RULE_A;
  const b = TET4_RULE_B;
  for (let i = 0; i < 4; i++) for (let q = 0; q < NQ; q++) E[i * NQ + q] = ((i === q ? 1 : 0) - b) / (a - b);
  const EDGES = [0, 1, 1, 2, 2, 0, 0, 3, 1, 3, 2, 3];
  for (let e = 0; e < 6; e++) {
    for (let q = 0; q < NQ; q++) {
      E[(4 + e) * NQ + q] = 0.5 * (E[EDGES[2 * e] * NQ + q] + E[EDGES[2 * e + 1] * NQ + q]);
    }
  }
  return E;
})();

function gaussGradients(xe: Float64Array): void {
  for (let q = 0; q < NQ; q++) {
    const detJ = physicalGradients(N_NODES, GAUSS.dN, q * N3, xe, grad, q * N3);
    requirePositiveJacobian(detJ, q);
    wdet[q] = TET_GAUSS4_WEIGHT * detJ;
  }
}

function samplingWeights(xe: Float64Array, weights: Float64Array): void {
  for (let q = 0; q < NQ; q++) {
    const detJ = jacobianDeterminant(N_NODES, GAUSS.dN, q * N3, xe);
    requirePositiveJacobian(detJ, q);
    weights[q] = TET_GAUSS4_WEIGHT * detJ;
  }
}

/**
 * tet10 element family: quadratic tetrahedron, 4-point Gauss rule
 * (point q nearest corner q), 4 sampling points; extrapolation linear from
 * the Gauss points to the corners, mid-sides the mean of their corners. Faces
 * are tri6, integrated with Dunavant's 6-point degree-4 rule (a uniform
 * traction on a flat face loads corners with 0 and mid-sides with A/3).
 *
 * @example
 * ```ts
 * const ke = new Float64Array(30 * 30);
 * tet10.stiffness(xe, D, ke);
 * ```
 */
export const tet10: ElementFamily = {
  cellType: 'tet10',
  nodesPerElement: N_NODES,
  samplingPoints: NQ,
  stiffness(xe, D, ke) {
    gaussGradients(xe);
    for (let q = 0; q < NQ; q++) {
      const w = wdet[q];
      const o = q * N3;
      for (let k = 0; k < N3; k++) wgrad[o + k] = w * grad[o + k];
    }
    stiffnessTensor(D, c4);
    accumulateStiffness(N_NODES, NQ, grad, wgrad, c4, ke);
  },
  strain(xe, ue, strain) {
    gaussGradients(xe);
    for (let q = 0; q < NQ; q++) voigtStrain(N_NODES, grad, q * N3, ue, strain, 6 * q);
  },
  samplingWeights,
  scaledJacobian(xe) {
    // min det J over nodes (corners, mid-edges) and Gauss points over the mean |det J| at the Gauss points.
    let min = Infinity;
    let mean = 0;
    for (let q = 0; q < NQ; q++) {
      const d = jacobianDeterminant(N_NODES, GAUSS.dN, q * N3, xe);
      if (d < min) min = d;
      mean += Math.abs(d);
    }
    for (let p = 0; p < N_NODES; p++) {
      const d = jacobianDeterminant(N_NODES, NODE_POINTS.dN, p * N3, xe);
      if (d < min) min = d;
    }
    const r = min / (mean / NQ);
    return Number.isFinite(r) ? r : 0;
  },
  extrapolation: EXTRAPOLATION,
  bodyForce(xe, b, fe) {
    samplingWeights(xe, wdet);
    bodyForceIntegral(N_NODES, GAUSS.N, wdet, NQ, b, fe);
  },
  faceTraction: (xf, t, ff) => faceTractionIntegral(6, TRI.N, TRI.dN, TRI6_RULE_WEIGHTS, xf, t, ff),
  faceNormalIntegrals: (xf, fn) => faceNormalIntegral(6, TRI.N, TRI.dN, TRI6_RULE_WEIGHTS, xf, fn),
};
