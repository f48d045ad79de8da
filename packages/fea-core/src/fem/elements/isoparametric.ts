/**
 * Allocation-free building blocks shared by the isoparametric element
 * kernels: Jacobians and physical gradients, the stiffness accumulation
 * `Ke = Σ_q w_q·Bᵀ·D·B`, Voigt strains, and face integrals.
 *
 * Layouts follow {@link ElementFamily}: coordinates xyz interleaved, DOFs
 * node-major `[u0x,u0y,u0z,u1x,…]`, Voigt `[xx,yy,zz,xy,yz,zx]` with
 * engineering shear.
 */
import { InvalidElementError } from '../../errors.js';

/** Voigt index of the tensor pair (i, j), row-major 3×3: xx yy zz xy yz zx. */
const VOIGT = [0, 3, 5, 3, 1, 4, 5, 4, 2];

/**
 * Rearrange a 6×6 Voigt matrix into the 9×9 layout the stiffness contraction
 * uses: `c4[(3i+k)·9 + 3j+l] = C_ijkl = D[V(i,j)][V(k,l)]`. With engineering
 * shear, `σ_ij = Σ_kl C_ijkl·ε_kl` holds with exactly these entries.
 *
 * @param D - 6×6 row-major constitutive matrix (MPa).
 * @param c4 - output, length 81.
 * @example
 * ```ts
 * const c4 = new Float64Array(81);
 * stiffnessTensor(D, c4);
 * ```
 */
export function stiffnessTensor(D: Float64Array, c4: Float64Array): void {
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < 3; k++) {
      const row = (3 * i + k) * 9;
      for (let j = 0; j < 3; j++) {
        const p = VOIGT[3 * i + j] * 6;
        for (let l = 0; l < 3; l++) c4[row + 3 * j + l] = D[p + VOIGT[3 * k + l]];
      }
    }
  }
}

/**
 * Jacobian determinant of the isoparametric map at one tabulated point.
 * `J[k][j] = ∂x_j/∂ξ_k = Σ_a ∂N_a/∂ξ_k·x_aj`.
 *
 * @param n - nodes of the element.
 * @param dN - reference derivative table (`… × n × 3`).
 * @param off - offset of the point's block in `dN` (`p·n·3`).
 * @param xe - node coordinates, `3n`, mm.
 * @returns det J (mm³ per reference volume).
 * @example
 * ```ts
 * const detJ = jacobianDeterminant(8, table.dN, 0, xe);
 * ```
 */
export function jacobianDeterminant(n: number, dN: Float64Array, off: number, xe: Float64Array): number {
  let j00 = 0, j01 = 0, j02 = 0, j10 = 0, j11 = 0, j12 = 0, j20 = 0, j21 = 0, j22 = 0;
  for (let a = 0; a < n; a++) {
    const d0 = dN[off + 3 * a];
    const d1 = dN[off + 3 * a + 1];
    const d2 = dN[off + 3 * a + 2];
    const x0 = xe[3 * a];
    const x1 = xe[3 * a + 1];
    const x2 = xe[3 * a + 2];
    j00 += d0 * x0; j01 += d0 * x1; j02 += d0 * x2;
    j10 += d1 * x0; j11 += d1 * x1; j12 += d1 * x2;
    j20 += d2 * x0; j21 += d2 * x1; j22 += d2 * x2;
  }
  return j00 * (j11 * j22 - j12 * j21) - j01 * (j10 * j22 - j12 * j20) + j02 * (j10 * j21 - j11 * j20);
}

/**
 * Physical shape-function gradients at one tabulated point:
 * `∇ₓN_a = J⁻¹·∇_ξN_a`, written to `grad[gOff + 3a + j]` (1/mm).
 *
 * @returns det J. When det J ≤ 0 (or NaN) the gradients are meaningless;
 * callers throw {@link InvalidElementError} (see {@link requirePositiveJacobian}).
 * @example
 * ```ts
 * const detJ = physicalGradients(8, table.dN, q * 24, xe, grad, q * 24);
 * ```
 */
export function physicalGradients(
  n: number,
  dN: Float64Array,
  off: number,
  xe: Float64Array,
  grad: Float64Array,
  gOff: number,
): number {
  let j00 = 0, j01 = 0, j02 = 0, j10 = 0, j11 = 0, j12 = 0, j20 = 0, j21 = 0, j22 = 0;
  for (let a = 0; a < n; a++) {
    const d0 = dN[off + 3 * a];
    const d1 = dN[off + 3 * a + 1];
    const d2 = dN[off + 3 * a + 2];
    const x0 = xe[3 * a];
    const x1 = xe[3 * a + 1];
    const x2 = xe[3 * a + 2];
    j00 += d0 * x0; j01 += d0 * x1; j02 += d0 * x2;
    j10 += d1 * x0; j11 += d1 * x1; j12 += d1 * x2;
    j20 += d2 * x0; j21 += d2 * x1; j22 += d2 * x2;
  }
  const c00 = j11 * j22 - j12 * j21;
  const c10 = j12 * j20 - j10 * j22;
  const c20 = j10 * j21 - j11 * j20;
  const det = j00 * c00 + j01 * c10 + j02 * c20;
  const r = 1 / det;
  // J⁻¹ by the adjugate.
  const i00 = c00 * r;
  const i01 = (j02 * j21 - j01 * j22) * r;
  const i02 = (j01 * j12 - j02 * j11) * r;
  const i10 = c10 * r;
  const i11 = (j00 * j22 - j02 * j20) * r;
  const i12 = (j02 * j10 - j00 * j12) * r;
  const i20 = c20 * r;
  const i21 = (j01 * j20 - j00 * j21) * r;
  const i22 = (j00 * j11 - j01 * j10) * r;
  for (let a = 0; a < n; a++) {
    const d0 = dN[off + 3 * a];
    const d1 = dN[off + 3 * a + 1];
    const d2 = dN[off + 3 * a + 2];
    grad[gOff + 3 * a] = i00 * d0 + i01 * d1 + i02 * d2;
    grad[gOff + 3 * a + 1] = i10 * d0 + i11 * d1 + i12 * d2;
    grad[gOff + 3 * a + 2] = i20 * d0 + i21 * d1 + i22 * d2;
  }
  return det;
}

/**
 * Throw {@link InvalidElementError} unless `detJ > 0` (NaN included). Kernels
 * do not know the element index, so it is reported as −1; assembly catches
 * and rethrows with the index, or checks `scaledJacobian` first.
 *
 * @example
 * ```ts
 * requirePositiveJacobian(detJ, 3);
 * ```
 */
export function requirePositiveJacobian(detJ: number, point: number): void {
  if (!(detJ > 0)) {
    throw new InvalidElementError(
      -1,
      detJ,
      `element is ${detJ < 0 ? 'inverted' : 'degenerate'}: det J = ${detJ} at integration point ${point} ` +
        `(the element kernel does not know the element index; check scaledJacobian before assembly)`,
    );
  }
}

/**
 * `Ke = Σ_q w_q·Bᵀ·D·B` for standard (displacement) B matrices, written in
 * full into `ke` (`3n × 3n`, row-major, N/mm).
 *
 * Per node pair (a ≤ b) the 3×3 block is
 * `K_ab[i][k] = Σ_jl C_ijkl·M_jl`, `M = Σ_q w_q·∇N_a^q ⊗ ∇N_b^q`,
 * which costs 9 multiply-adds per pair and point plus one 9×9 contraction
 * per pair, instead of the dense `(6×3n)ᵀ(6×3n)` product per point. The
 * lower triangle is mirrored, so `ke` is exactly symmetric for symmetric D.
 *
 * @param n - nodes per element.
 * @param nq - integration points.
 * @param grad - physical gradients, `nq × n × 3` (1/mm).
 * @param wgrad - the same gradients pre-multiplied by `w_q·det J_q` (mm²).
 * @param c4 - constitutive tensor from {@link stiffnessTensor} (MPa).
 * @param ke - output, `(3n)²`.
 * @example
 * ```ts
 * accumulateStiffness(4, 1, grad, wgrad, c4, ke);
 * ```
 */
export function accumulateStiffness(
  n: number,
  nq: number,
  grad: Float64Array,
  wgrad: Float64Array,
  c4: Float64Array,
  ke: Float64Array,
): void {
  const n3 = 3 * n;
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0;
      for (let q = 0; q < nq; q++) {
        const oa = q * n3 + 3 * a;
        const ob = q * n3 + 3 * b;
        const a0 = wgrad[oa];
        const a1 = wgrad[oa + 1];
        const a2 = wgrad[oa + 2];
        const b0 = grad[ob];
        const b1 = grad[ob + 1];
        const b2 = grad[ob + 2];
        m0 += a0 * b0; m1 += a0 * b1; m2 += a0 * b2;
        m3 += a1 * b0; m4 += a1 * b1; m5 += a1 * b2;
        m6 += a2 * b0; m7 += a2 * b1; m8 += a2 * b2;
      }
      // K_ab[i][k] = Σ_jl C_ijkl·M_jl, row r = 3i+k of c4.
      const rowA = 3 * a * n3 + 3 * b;
      const colA = 3 * b * n3 + 3 * a;
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 3; k++) {
          const c = (3 * i + k) * 9;
          const v =
            c4[c] * m0 + c4[c + 1] * m1 + c4[c + 2] * m2 +
            c4[c + 3] * m3 + c4[c + 4] * m4 + c4[c + 5] * m5 +
            c4[c + 6] * m6 + c4[c + 7] * m7 + c4[c + 8] * m8;
          ke[rowA + i * n3 + k] = v;
          ke[colA + k * n3 + i] = v;
        }
      }
    }
  }
}

/**
 * Voigt strain `ε = B·ue` at one point from physical gradients:
 * `[u_x,x, u_y,y, u_z,z, u_x,y+u_y,x, u_y,z+u_z,y, u_z,x+u_x,z]`.
 *
 * @param n - nodes per element.
 * @param grad - gradients; the point's block starts at `gOff` (`n × 3`).
 * @param ue - nodal displacements, `3n`, mm.
 * @param strain - output; 6 values written at `sOff`.
 * @example
 * ```ts
 * voigtStrain(4, grad, 0, ue, strain, 0);
 * ```
 */
export function voigtStrain(
  n: number,
  grad: Float64Array,
  gOff: number,
  ue: Float64Array,
  strain: Float64Array,
  sOff: number,
): void {
  // Displacement gradient H_ij = ∂u_i/∂x_j = Σ_a u_ai·∂N_a/∂x_j.
  let h00 = 0, h01 = 0, h02 = 0, h10 = 0, h11 = 0, h12 = 0, h20 = 0, h21 = 0, h22 = 0;
  for (let a = 0; a < n; a++) {
    const g0 = grad[gOff + 3 * a];
    const g1 = grad[gOff + 3 * a + 1];
    const g2 = grad[gOff + 3 * a + 2];
    const u0 = ue[3 * a];
    const u1 = ue[3 * a + 1];
    const u2 = ue[3 * a + 2];
    h00 += u0 * g0; h01 += u0 * g1; h02 += u0 * g2;
    h10 += u1 * g0; h11 += u1 * g1; h12 += u1 * g2;
    h20 += u2 * g0; h21 += u2 * g1; h22 += u2 * g2;
  }
  strain[sOff] = h00;
  strain[sOff + 1] = h11;
  strain[sOff + 2] = h22;
  strain[sOff + 3] = h01 + h10;
  strain[sOff + 4] = h12 + h21;
  strain[sOff + 5] = h20 + h02;
}

const AREA = new Float64Array(3);

/** Area vector x,r × x,s of a face at rule point q into `out` (its length is the area element, mm²). */
function faceAreaVector(q: number, nf: number, dN: Float64Array, xf: Float64Array, out: Float64Array): void {
  let r0 = 0, r1 = 0, r2 = 0, s0 = 0, s1 = 0, s2 = 0;
  const o = q * nf * 2;
  for (let a = 0; a < nf; a++) {
    const dr = dN[o + 2 * a];
    const ds = dN[o + 2 * a + 1];
    r0 += dr * xf[3 * a]; r1 += dr * xf[3 * a + 1]; r2 += dr * xf[3 * a + 2];
    s0 += ds * xf[3 * a]; s1 += ds * xf[3 * a + 1]; s2 += ds * xf[3 * a + 2];
  }
  out[0] = r1 * s2 - r2 * s1;
  out[1] = r2 * s0 - r0 * s2;
  out[2] = r0 * s1 - r1 * s0;
}

/**
 * Consistent nodal forces of a uniform traction on a face:
 * `f_a = t·Σ_q w_q·N_a(q)·|x,r × x,s|(q)` into `ff` (`3·nf`, N).
 *
 * @param nf - face nodes.
 * @param N - face shape values at the rule's points (`nq × nf`).
 * @param dN - face reference derivatives (`nq × nf × 2`).
 * @param w - rule weights (`nq`).
 * @param xf - face node coordinates, `3·nf`, mm.
 * @param t - traction, 3 values, MPa.
 * @example
 * ```ts
 * faceTractionIntegral(4, quad.N, quad.dN, weights, xf, t, ff);
 * ```
 */
export function faceTractionIntegral(
  nf: number,
  N: Float64Array,
  dN: Float64Array,
  w: Float64Array,
  xf: Float64Array,
  t: Float64Array,
  ff: Float64Array,
): void {
  const nq = w.length;
  ff.fill(0, 0, 3 * nf);
  const t0 = t[0];
  const t1 = t[1];
  const t2 = t[2];
  for (let q = 0; q < nq; q++) {
    faceAreaVector(q, nf, dN, xf, AREA);
    const dA = w[q] * Math.hypot(AREA[0], AREA[1], AREA[2]);
    for (let a = 0; a < nf; a++) {
      const c = N[q * nf + a] * dA;
      ff[3 * a] += c * t0;
      ff[3 * a + 1] += c * t1;
      ff[3 * a + 2] += c * t2;
    }
  }
}

/**
 * Normal integrals of a face: `fn_a = Σ_q w_q·N_a(q)·(x,r × x,s)(q) = ∫ N_a·n dA`
 * into `fn` (`3·nf`, mm²). The cross product's direction is the outward
 * normal for faces numbered by the right-hand rule; its length is the area
 * element, so no square root is needed and the rule is exact for polynomial faces.
 *
 * @example
 * ```ts
 * faceNormalIntegral(3, tri.N, tri.dN, weights, xf, fn);
 * ```
 */
export function faceNormalIntegral(
  nf: number,
  N: Float64Array,
  dN: Float64Array,
  w: Float64Array,
  xf: Float64Array,
  fn: Float64Array,
): void {
  const nq = w.length;
  fn.fill(0, 0, 3 * nf);
  for (let q = 0; q < nq; q++) {
    faceAreaVector(q, nf, dN, xf, AREA);
    const wq = w[q];
    const n0 = wq * AREA[0];
    const n1 = wq * AREA[1];
    const n2 = wq * AREA[2];
    for (let a = 0; a < nf; a++) {
      const c = N[q * nf + a];
      fn[3 * a] += c * n0;
      fn[3 * a + 1] += c * n1;
      fn[3 * a + 2] += c * n2;
    }
  }
}

/**
 * Consistent nodal forces of a uniform body force: `f_a = b·Σ_q N_a(q)·w_q·det J_q`.
 *
 * @param n - nodes per element.
 * @param N - shape values at the points (`nq × n`).
 * @param wdet - `w_q·det J_q` per point (mm³).
 * @param nq - number of points.
 * @param b - body force, 3 values, N/mm³.
 * @param fe - output, `3n`, N.
 * @example
 * ```ts
 * bodyForceIntegral(8, table.N, weights, table.points, b, fe);
 * ```
 */
export function bodyForceIntegral(
  n: number,
  N: Float64Array,
  wdet: Float64Array,
  nq: number,
  b: Float64Array,
  fe: Float64Array,
): void {
  const b0 = b[0];
  const b1 = b[1];
  const b2 = b[2];
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let q = 0; q < nq; q++) s += N[q * n + a] * wdet[q];
    fe[3 * a] = s * b0;
    fe[3 * a + 1] = s * b1;
    fe[3 * a + 2] = s * b2;
  }
}
