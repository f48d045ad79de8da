/**
 * Trilinear 8-node hexahedron with 2×2×2 Gauss integration and Hughes'
 * B-bar (mean dilatation), so nearly incompressible materials (ν → 0.5,
 * nucleus pulposus) do not lock.
 */
import type { ElementFamily } from '../element-family.js';
import { GAUSS2_ABSCISSA, HEX8_CORNERS, HEX8_GAUSS_POINTS, QUAD4_GAUSS_POINTS } from './quadrature.js';
import { hex8Shape, quad4Shape, tabulate } from './shape-functions.js';
import {
  accumulateStiffness,
  bodyForceIntegral,
  faceNormalIntegral,
  faceTractionIntegral,
  jacobianDeterminant,
  physicalGradients,
  requirePositiveJacobian,
  stiffnessTensor,
} from './isoparametric.js';

const N_NODES = 8;
const NQ = 8;
const N3 = 24;

// Reference tables, built once: shape values/derivatives at the Gauss points and at the corners.
const GAUSS = tabulate(hex8Shape, N_NODES, 3, HEX8_GAUSS_POINTS);
const CORNER = tabulate(hex8Shape, N_NODES, 3, HEX8_CORNERS);
const QUAD = tabulate(quad4Shape, 4, 2, QUAD4_GAUSS_POINTS);
const QUAD_WEIGHTS = new Float64Array([1, 1, 1, 1]);

// Scratch (module level: kernels never allocate; JS runs one kernel at a time).
const grad = new Float64Array(NQ * N3);
const wgrad = new Float64Array(NQ * N3);
const wdet = new Float64Array(NQ);
const h = new Float64Array(N3); // h_a = Σ_q w_q·∇N_a^q = V·b̄_a
const gh = new Float64Array(N3); // Ĝ·h_a
const dHat = new Float64Array(36);
const c4 = new Float64Array(81);

/**
 * Gauss → corner extrapolation, `8 × 8` row-major. Gauss point q sits at
 * `corner_q/√3`, so the trilinear field through the Gauss values is
 * `f(ξ) = Σ_q f_q·N_q(√3·ξ)` and `E[a][q] = N_q(√3·ξ_a)` — the inverse of
 * the matrix of shape values at the Gauss points.
 */
const EXTRAPOLATION = (() => {
  const pts = HEX8_CORNERS.map((c) => c / GAUSS2_ABSCISSA);
  return tabulate(hex8Shape, N_NODES, 3, pts).N;
})();

/**
 * Gradients at all Gauss points into `grad`, `w·det J` into `wdet`; returns the volume.
 * Throws InvalidElementError on det J ≤ 0.
 */
function gaussGradients(xe: Float64Array): number {
  let volume = 0;
  for (let q = 0; q < NQ; q++) {
    const detJ = physicalGradients(N_NODES, GAUSS.dN, q * N3, xe, grad, q * N3);
    requirePositiveJacobian(detJ, q);
    wdet[q] = detJ; // 2×2×2 Gauss weights are all 1
    volume += detJ;
  }
  return volume;
}

/**
 * B-bar stiffness. With m = (1,1,1,0,0,0), b_q the divergence row of B at
 * point q (`b·ue = tr ε`) and b̄ = (1/V)·Σ_q w_q·b_q its volume average,
 * Hughes' `B̄ = B + ⅓·m·(b̄ − b)ᵀ = P·B + ⅓·m·b̄ᵀ` with the constant
 * deviatoric projector `P = I − ⅓·m·mᵀ` (mᵀB = bᵀ). Hence
 * ```
 * Ke = Σ_q w_q B̄ᵀ D B̄
 *    = Σ_q w_q Bᵀ (P D P) B                       (standard kernel with D̂ = PDP)
 *    + ⅓ (v b̄ᵀ + b̄ vᵀ),  v = Σ_q w_q Bᵀ P D m      (v_a = Ĝ·h_a, Ĝ_ij = (PDm)_{V(i,j)})
 *    + (mᵀ D m / 9)·V·b̄ b̄ᵀ
 * ```
 * with `h_a = Σ_q w_q ∇N_a^q = V·b̄_a`. The volumetric stiffness enters only
 * through the last rank-one term, which is also what keeps ν = 0.4999 from
 * swamping the deviatoric part numerically. Assumes D symmetric.
 */
function stiffness(xe: Float64Array, D: Float64Array, ke: Float64Array): void {
  const volume = gaussGradients(xe);

  // D̂ = P·D·P: D̂_rc = D_rc − m_r·colSum_c/3 − m_c·rowSum_r/3 + m_r·m_c·s/9.
  let s = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += D[i * 6 + j];
  for (let r = 0; r < 6; r++) {
    const rowSum = D[r * 6] + D[r * 6 + 1] + D[r * 6 + 2];
    for (let c = 0; c < 6; c++) {
      const colSum = D[c] + D[6 + c] + D[12 + c];
      let v = D[r * 6 + c];
      if (r < 3) v -= colSum / 3;
      if (c < 3) v -= rowSum / 3;
      if (r < 3 && c < 3) v += s / 9;
      dHat[r * 6 + c] = v;
    }
  }
  stiffnessTensor(dHat, c4);

  h.fill(0);
  for (let q = 0; q < NQ; q++) {
    const w = wdet[q];
    const o = q * N3;
    for (let k = 0; k < N3; k++) {
      const g = w * grad[o + k];
      wgrad[o + k] = g;
      h[k] += g;
    }
  }
  accumulateStiffness(N_NODES, NQ, grad, wgrad, c4, ke);

  // g = P·D·m: (D·m)_r = rowSum_r, then remove the mean of the normal components.
  const dm0 = D[0] + D[1] + D[2];
  const dm1 = D[6] + D[7] + D[8];
  const dm2 = D[12] + D[13] + D[14];
  const mean = (dm0 + dm1 + dm2) / 3;
  const g0 = dm0 - mean;
  const g1 = dm1 - mean;
  const g2 = dm2 - mean;
  const g3 = D[18] + D[19] + D[20]; // xy
  const g4 = D[24] + D[25] + D[26]; // yz
  const g5 = D[30] + D[31] + D[32]; // zx
  // Ĝ = [[g0,g3,g5],[g3,g1,g4],[g5,g4,g2]]
  for (let a = 0; a < N_NODES; a++) {
    const h0 = h[3 * a];
    const h1 = h[3 * a + 1];
    const h2 = h[3 * a + 2];
    gh[3 * a] = g0 * h0 + g3 * h1 + g5 * h2;
    gh[3 * a + 1] = g3 * h0 + g1 * h1 + g4 * h2;
    gh[3 * a + 2] = g5 * h0 + g4 * h1 + g2 * h2;
  }
  // Ke_rc += (gh_r·h_c + h_r·gh_c)/(3V) + (mᵀDm/(9V))·h_r·h_c, mirrored for exact symmetry.
  const cross = 1 / (3 * volume);
  const vol = s / (9 * volume);
  for (let r = 0; r < N3; r++) {
    const hr = h[r];
    const ghr = gh[r];
    for (let c = r; c < N3; c++) {
      const hc = h[c];
      const add = (ghr * hc + hr * gh[c]) * cross + vol * hr * hc;
      ke[r * N3 + c] += add;
      if (c !== r) ke[c * N3 + r] += add;
    }
  }
}

/**
 * B-bar strains: standard `ε_q = B_q·ue`, then the volumetric part is
 * replaced by the volume average: `ε_q,ii += (θ̄ − θ_q)/3`, θ = tr ε,
 * θ̄ = Σ_q w_q θ_q / V (= b̄·ue).
 */
function strain(xe: Float64Array, ue: Float64Array, out: Float64Array): void {
  let volume = 0;
  let thetaBar = 0;
  for (let q = 0; q < NQ; q++) {
    const detJ = physicalGradients(N_NODES, GAUSS.dN, q * N3, xe, grad, 0);
    requirePositiveJacobian(detJ, q);
    // ε = sym(∇u), Voigt with engineering shear.
    let h00 = 0, h01 = 0, h02 = 0, h10 = 0, h11 = 0, h12 = 0, h20 = 0, h21 = 0, h22 = 0;
    for (let a = 0; a < N_NODES; a++) {
      const gx = grad[3 * a];
      const gy = grad[3 * a + 1];
      const gz = grad[3 * a + 2];
      const u0 = ue[3 * a];
      const u1 = ue[3 * a + 1];
      const u2 = ue[3 * a + 2];
      h00 += u0 * gx; h01 += u0 * gy; h02 += u0 * gz;
      h10 += u1 * gx; h11 += u1 * gy; h12 += u1 * gz;
      h20 += u2 * gx; h21 += u2 * gy; h22 += u2 * gz;
    }
    const o = 6 * q;
    out[o] = h00;
    out[o + 1] = h11;
    out[o + 2] = h22;
    out[o + 3] = h01 + h10;
    out[o + 4] = h12 + h21;
    out[o + 5] = h20 + h02;
    wdet[q] = detJ;
    volume += detJ;
    thetaBar += detJ * (h00 + h11 + h22);
  }
  thetaBar /= volume;
  for (let q = 0; q < NQ; q++) {
    const o = 6 * q;
    const corr = (thetaBar - (out[o] + out[o + 1] + out[o + 2])) / 3;
    out[o] += corr;
    out[o + 1] += corr;
    out[o + 2] += corr;
  }
}

function samplingWeights(xe: Float64Array, weights: Float64Array): void {
  for (let q = 0; q < NQ; q++) {
    const detJ = jacobianDeterminant(N_NODES, GAUSS.dN, q * N3, xe);
    requirePositiveJacobian(detJ, q);
    weights[q] = detJ;
  }
}

function scaledJacobian(xe: Float64Array): number {
  let min = Infinity;
  let mean = 0;
  for (let q = 0; q < NQ; q++) {
    const d = jacobianDeterminant(N_NODES, GAUSS.dN, q * N3, xe);
    if (d < min) min = d;
    mean += Math.abs(d);
    const c = jacobianDeterminant(N_NODES, CORNER.dN, q * N3, xe);
    if (c < min) min = c;
  }
  const r = min / (mean / NQ);
  return Number.isFinite(r) ? r : 0;
}

function bodyForce(xe: Float64Array, b: Float64Array, fe: Float64Array): void {
  samplingWeights(xe, wdet);
  bodyForceIntegral(N_NODES, GAUSS.N, wdet, NQ, b, fe);
}

/**
 * hex8 element family: trilinear, 2×2×2 Gauss, B-bar (mean dilatation).
 * 8 sampling points (the Gauss points, point q in the octant of corner q);
 * faces are bilinear quads integrated with 2×2 Gauss.
 *
 * @example
 * ```ts
 * const ke = new Float64Array(24 * 24);
 * hex8.stiffness(xe, constitutiveMatrix({ kind: 'isotropic', E: 12000, nu: 0.3 }), ke);
 * ```
 */
export const hex8: ElementFamily = {
  cellType: 'hex8',
  nodesPerElement: N_NODES,
  samplingPoints: NQ,
  stiffness,
  strain,
  samplingWeights,
  scaledJacobian,
  extrapolation: EXTRAPOLATION,
  bodyForce,
  faceTraction: (xf, t, ff) => faceTractionIntegral(4, QUAD.N, QUAD.dN, QUAD_WEIGHTS, xf, t, ff),
  faceNormalIntegrals: (xf, fn) => faceNormalIntegral(4, QUAD.N, QUAD.dN, QUAD_WEIGHTS, xf, fn),
};
