/**
 * Stress invariants of many tensors at once: von Mises, principal stresses
 * and directions, hydrostatic pressure, maximum shear.
 *
 * Input layout, shared by every function here: `stress6` holds `n` tensors,
 * 6 components each, Voigt order `[xx, yy, zz, xy, yz, zx]` (MPa). The shear
 * entries of a *stress* vector are the tensor components τ (σ_xy = σ_yx), not
 * doubled like the engineering shear strains γ = 2ε of a strain vector.
 */
import { DimensionMismatchError, NonFiniteInputError } from '../errors.js';

/** Number of tensors in `stress6`; checks the length and finiteness. */
function tensorCount(fn: string, stress6: Float64Array): number {
  if (stress6.length % 6 !== 0) {
    throw new DimensionMismatchError(
      `${fn}: stress array length ${stress6.length} is not a multiple of 6 (Voigt [xx,yy,zz,xy,yz,zx] per tensor)`,
    );
  }
  for (let i = 0; i < stress6.length; i++) {
    if (!Number.isFinite(stress6[i])) {
      throw new NonFiniteInputError(
        `${fn}: stress component ${i % 6} of tensor ${Math.floor(i / 6)} is ${stress6[i]}`,
      );
    }
  }
  return stress6.length / 6;
}

/** Returns `out` if it has length `len`, else a new array; throws on a wrong-sized `out`. */
function output(fn: string, out: Float64Array | undefined, len: number): Float64Array {
  if (out === undefined) return new Float64Array(len);
  if (out.length !== len) {
    throw new DimensionMismatchError(`${fn}: output array has length ${out.length}, expected ${len}`);
  }
  return out;
}

/**
 * Von Mises equivalent stress of each tensor (MPa):
 * σ_vm = √(½[(σxx−σyy)² + (σyy−σzz)² + (σzz−σxx)²] + 3(τxy² + τyz² + τzx²)).
 *
 * @param stress6 - `n·6` stresses, Voigt `[xx,yy,zz,xy,yz,zx]`, tensor shear (MPa).
 * @param out - optional output, length `n`.
 * @returns `out` (length `n`, MPa).
 * @throws DimensionMismatchError for a length not a multiple of 6 or a wrong-sized `out`;
 *   NonFiniteInputError for a NaN/infinite component.
 * @example
 * ```ts
 * vonMises(new Float64Array([100, 0, 0, 0, 0, 0])); // → [100]
 * ```
 */
export function vonMises(stress6: Float64Array, out?: Float64Array): Float64Array {
  const n = tensorCount('vonMises', stress6);
  const res = output('vonMises', out, n);
  for (let i = 0, o = 0; i < n; i++, o += 6) {
    const sx = stress6[o];
    const sy = stress6[o + 1];
    const sz = stress6[o + 2];
    const txy = stress6[o + 3];
    const tyz = stress6[o + 4];
    const tzx = stress6[o + 5];
    const dxy = sx - sy;
    const dyz = sy - sz;
    const dzx = sz - sx;
    res[i] = Math.sqrt(0.5 * (dxy * dxy + dyz * dyz + dzx * dzx) + 3 * (txy * txy + tyz * tyz + tzx * tzx));
  }
  return res;
}

/**
 * Hydrostatic pressure of each tensor, p = −tr(σ)/3 (MPa, positive in compression).
 *
 * @param stress6 - `n·6` stresses, Voigt `[xx,yy,zz,xy,yz,zx]` (MPa).
 * @param out - optional output, length `n`.
 * @returns `out` (length `n`, MPa).
 * @example
 * ```ts
 * hydrostaticPressure(new Float64Array([-3, -3, -3, 0, 0, 0])); // → [3]
 * ```
 */
export function hydrostaticPressure(stress6: Float64Array, out?: Float64Array): Float64Array {
  const n = tensorCount('hydrostaticPressure', stress6);
  const res = output('hydrostaticPressure', out, n);
  for (let i = 0, o = 0; i < n; i++, o += 6) {
    res[i] = -(stress6[o] + stress6[o + 1] + stress6[o + 2]) / 3;
  }
  return res;
}

const TWO_PI_OVER_3 = (2 * Math.PI) / 3;

/**
 * Below this ratio (smaller gap)/(λ1 − λ3) the two close roots of the
 * trigonometric formula are recomputed by deflation. Near a double root
 * r = det(B)/2 → ±1, and a rounding error δ in r moves the close pair by
 * ≈ s·√δ (acos has an infinite slope at ±1), i.e. ~1e−8·s: a threshold of
 * 1e−2 is far above that, so every inaccurate pair is caught.
 */
const REFINE_GAP = 1e-2;

/**
 * Scratch of the deflation: unit eigenvector p (0..2) of the separated root
 * and an orthonormal basis U (3..5), W (6..8) of the plane ⊥ p, with
 * (U, W, p) right-handed.
 */
const frame = new Float64Array(9);

/**
 * Unit eigenvector of the symmetric A for eigenvalue λ into `vec[v..v+2]`:
 * the largest cross product of two rows of A − λI, which is orthogonal to
 * both rows and so spans the null space when λ is simple. Returns false when
 * every cross product vanishes (λ is not simple).
 */
function nullVector(
  a11: number, a22: number, a33: number, a12: number, a23: number, a13: number,
  lambda: number, vec: Float64Array, v: number,
): boolean {
  const r00 = a11 - lambda, r01 = a12, r02 = a13;
  const r10 = a12, r11 = a22 - lambda, r12 = a23;
  const r20 = a13, r21 = a23, r22 = a33 - lambda;
  // c01 = row0 × row1, c02 = row0 × row2, c12 = row1 × row2
  const c01x = r01 * r12 - r02 * r11, c01y = r02 * r10 - r00 * r12, c01z = r00 * r11 - r01 * r10;
  const c02x = r01 * r22 - r02 * r21, c02y = r02 * r20 - r00 * r22, c02z = r00 * r21 - r01 * r20;
  const c12x = r11 * r22 - r12 * r21, c12y = r12 * r20 - r10 * r22, c12z = r10 * r21 - r11 * r20;
  const n01 = c01x * c01x + c01y * c01y + c01z * c01z;
  const n02 = c02x * c02x + c02y * c02y + c02z * c02z;
  const n12 = c12x * c12x + c12y * c12y + c12z * c12z;
  let x: number, y: number, z: number, nn: number;
  if (n01 >= n02 && n01 >= n12) { x = c01x; y = c01y; z = c01z; nn = n01; }
  else if (n02 >= n12) { x = c02x; y = c02y; z = c02z; nn = n02; }
  else { x = c12x; y = c12y; z = c12z; nn = n12; }
  if (!(nn > 0)) return false;
  const inv = 1 / Math.sqrt(nn);
  vec[v] = x * inv;
  vec[v + 1] = y * inv;
  vec[v + 2] = z * inv;
  return true;
}

/**
 * {@link frame} ← eigenvector p of the simple root λ and a basis U, W of the
 * plane ⊥ p. Returns false if λ is not simple (then A = λ·I for the separated
 * root of a triple root).
 */
function deflationFrame(
  a11: number, a22: number, a33: number, a12: number, a23: number, a13: number, lambda: number,
): boolean {
  if (!nullVector(a11, a22, a33, a12, a23, a13, lambda, frame, 0)) return false;
  const px = frame[0], py = frame[1], pz = frame[2];
  // U ⊥ p: p × (the coordinate axis least aligned with p), normalised
  let ux: number, uy: number, uz: number;
  if (Math.abs(px) > Math.abs(py)) {
    const il = 1 / Math.sqrt(px * px + pz * pz);
    ux = -pz * il; uy = 0; uz = px * il;
  } else {
    const il = 1 / Math.sqrt(py * py + pz * pz);
    ux = 0; uy = pz * il; uz = -py * il;
  }
  frame[3] = ux; frame[4] = uy; frame[5] = uz;
  // W = p × U
  frame[6] = py * uz - pz * uy;
  frame[7] = pz * ux - px * uz;
  frame[8] = px * uy - py * ux;
  return true;
}

/**
 * Eigenvalues of the symmetric tensor at `stress6[o..o+5]` into `ev[e..e+2]`,
 * descending. Closed form (Smith 1961, "Eigenvalues of a symmetric 3 × 3
 * matrix", Comm. ACM 4(4):168) on the tensor scaled by its largest entry (so
 * squares neither overflow nor underflow):
 *
 *   m = tr(A)/3,  B = (A − m·I)/s with s = √(tr((A − mI)²)/6),
 *   r = det(B)/2 ∈ [−1, 1],  φ = acos(r)/3,
 *   λ1 = m + 2s·cos φ,  λ3 = m + 2s·cos(φ + 2π/3),  λ2 = 3m − λ1 − λ3.
 *
 * Fallbacks: a diagonal tensor is sorted exactly; s = 0 (or s below the
 * rounding of m) is a triple root λ = m; |r| > 1 from rounding is clamped.
 * The simple root of a near-double pair is accurate, the pair is not (see
 * {@link REFINE_GAP}), so then the pair is recomputed by deflation: with p
 * the eigenvector of the separated root (cross product of two rows of
 * A − λI) and U, W a basis of the plane ⊥ p, the pair are the eigenvalues of
 * the 2×2 M = [U W]ᵀA[U W], `(M₀₀+M₁₁)/2 ± hypot((M₀₀−M₁₁)/2, M₀₁)`, which
 * have no cancellation; the separated root becomes the Rayleigh quotient pᵀAp.
 */
function eigenvaluesAt(stress6: Float64Array, o: number, ev: Float64Array, e: number): void {
  const s11 = stress6[o];
  const s22 = stress6[o + 1];
  const s33 = stress6[o + 2];
  const s12 = stress6[o + 3];
  const s23 = stress6[o + 4];
  const s13 = stress6[o + 5];
  if (s12 === 0 && s23 === 0 && s13 === 0) {
    // Diagonal: the eigenvalues are the diagonal entries; sort three values.
    let x = s11;
    let y = s22;
    let z = s33;
    let t: number;
    if (x < y) { t = x; x = y; y = t; }
    if (y < z) { t = y; y = z; z = t; }
    if (x < y) { t = x; x = y; y = t; }
    ev[e] = x;
    ev[e + 1] = y;
    ev[e + 2] = z;
    return;
  }
  const scale = Math.max(Math.abs(s11), Math.abs(s22), Math.abs(s33), Math.abs(s12), Math.abs(s23), Math.abs(s13));
  const is = 1 / scale;
  const a11 = s11 * is, a22 = s22 * is, a33 = s33 * is;
  const a12 = s12 * is, a23 = s23 * is, a13 = s13 * is;
  const offDiag = a12 * a12 + a23 * a23 + a13 * a13;
  const m = (a11 + a22 + a33) / 3;
  const b11 = a11 - m;
  const b22 = a22 - m;
  const b33 = a33 - m;
  // s² = tr(B²)/6 with B = A − m·I (before scaling by 1/s).
  const s = Math.sqrt((b11 * b11 + b22 * b22 + b33 * b33 + 2 * offDiag) / 6);
  if (s <= 1e-15 * Math.abs(m)) {
    ev[e] = ev[e + 1] = ev[e + 2] = m * scale;
    return;
  }
  const inv = 1 / s;
  const c11 = b11 * inv, c22 = b22 * inv, c33 = b33 * inv;
  const c12 = a12 * inv, c23 = a23 * inv, c13 = a13 * inv;
  // det(C) by cofactor expansion along the first row.
  const det = c11 * (c22 * c33 - c23 * c23) - c12 * (c12 * c33 - c23 * c13) + c13 * (c12 * c23 - c22 * c13);
  let r = det / 2;
  if (r > 1) r = 1;
  else if (r < -1) r = -1;
  const phi = Math.acos(r) / 3;
  let l1 = m + 2 * s * Math.cos(phi);
  let l3 = m + 2 * s * Math.cos(phi + TWO_PI_OVER_3);
  let l2 = 3 * m - l1 - l3;
  const gap12 = l1 - l2;
  const gap23 = l2 - l3;
  if (Math.min(gap12, gap23) < REFINE_GAP * (l1 - l3)) {
    const upperSeparated = gap12 >= gap23;
    if (deflationFrame(a11, a22, a33, a12, a23, a13, upperSeparated ? l1 : l3)) {
      const px = frame[0], py = frame[1], pz = frame[2];
      const ux = frame[3], uy = frame[4], uz = frame[5];
      const wx = frame[6], wy = frame[7], wz = frame[8];
      const rayleigh =
        a11 * px * px + a22 * py * py + a33 * pz * pz + 2 * (a12 * px * py + a23 * py * pz + a13 * px * pz);
      const m00 = a11 * ux * ux + a22 * uy * uy + a33 * uz * uz + 2 * (a12 * ux * uy + a23 * uy * uz + a13 * ux * uz);
      const m11 = a11 * wx * wx + a22 * wy * wy + a33 * wz * wz + 2 * (a12 * wx * wy + a23 * wy * wz + a13 * wx * wz);
      const m01 =
        a11 * ux * wx + a22 * uy * wy + a33 * uz * wz +
        a12 * (ux * wy + uy * wx) + a23 * (uy * wz + uz * wy) + a13 * (ux * wz + uz * wx);
      const half = 0.5 * (m00 + m11);
      const rad = Math.hypot(0.5 * (m00 - m11), m01);
      if (upperSeparated) {
        l1 = rayleigh; l2 = half + rad; l3 = half - rad;
      } else {
        l1 = half + rad; l2 = half - rad; l3 = rayleigh;
      }
    }
  }
  // Keep the order against rounding (the pair from deflation, or λ2 = 3m − λ1 − λ3).
  if (l2 > l1) { const t = l1; l1 = l2; l2 = t; }
  if (l3 > l2) { const t = l2; l2 = l3; l3 = t; }
  if (l2 > l1) { const t = l1; l1 = l2; l2 = t; }
  ev[e] = l1 * scale;
  ev[e + 1] = l2 * scale;
  ev[e + 2] = l3 * scale;
}

/**
 * Principal stresses of each tensor, sorted descending σ1 ≥ σ2 ≥ σ3 (MPa).
 *
 * Closed-form trigonometric solution of the characteristic cubic (Smith 1961)
 * with fallbacks: diagonal tensors (exact), triple roots, and near-double
 * roots, where the close pair is recomputed by deflation to a 2×2 problem
 * (the plain trigonometric form loses half the digits there). Absolute
 * accuracy is a small multiple of rounding times the tensor's norm.
 *
 * @param stress6 - `n·6` stresses, Voigt `[xx,yy,zz,xy,yz,zx]`, tensor shear (MPa).
 * @param out - optional output, length `n·3`: `[σ1, σ2, σ3]` per tensor.
 * @returns `out` (length `n·3`, MPa).
 * @throws DimensionMismatchError / NonFiniteInputError as {@link vonMises}.
 * @example
 * ```ts
 * principalStresses(new Float64Array([0, 0, 0, 5, 0, 0])); // → [5, 0, -5]
 * ```
 */
export function principalStresses(stress6: Float64Array, out?: Float64Array): Float64Array {
  const n = tensorCount('principalStresses', stress6);
  const res = output('principalStresses', out, 3 * n);
  for (let i = 0; i < n; i++) eigenvaluesAt(stress6, 6 * i, res, 3 * i);
  return res;
}

/** Scratch for {@link maxShear}: three eigenvalues. */
const evScratch = new Float64Array(3);

/**
 * Maximum shear stress of each tensor, τ_max = (σ1 − σ3)/2 (MPa, the Tresca
 * shear; half the Tresca equivalent stress).
 *
 * @param stress6 - `n·6` stresses, Voigt `[xx,yy,zz,xy,yz,zx]` (MPa).
 * @param out - optional output, length `n`.
 * @returns `out` (length `n`, MPa).
 * @example
 * ```ts
 * maxShear(new Float64Array([100, 0, 0, 0, 0, 0])); // → [50]
 * ```
 */
export function maxShear(stress6: Float64Array, out?: Float64Array): Float64Array {
  const n = tensorCount('maxShear', stress6);
  const res = output('maxShear', out, n);
  for (let i = 0; i < n; i++) {
    eigenvaluesAt(stress6, 6 * i, evScratch, 0);
    res[i] = 0.5 * (evScratch[0] - evScratch[2]);
  }
  return res;
}

/**
 * Principal stresses and their directions, see {@link principalDirections}.
 *
 * @example
 * ```ts
 * const { values, vectors } = principalDirections(stress);
 * const sigma1Dir = vectors.subarray(0, 3); // unit vector of σ1 of tensor 0
 * ```
 */
export interface PrincipalFrames {
  /** `n·3` principal stresses `[σ1, σ2, σ3]`, descending (MPa). */
  values: Float64Array;
  /**
   * `n·9` unit directions: for tensor i, `vectors[9i .. 9i+2]` is the direction
   * of σ1, `[9i+3 .. 9i+5]` of σ2, `[9i+6 .. 9i+8]` of σ3 (xyz). Each triad is
   * orthonormal and right-handed (v3 = v1 × v2); the sign of v1, v2 is arbitrary.
   */
  vectors: Float64Array;
}

/**
 * Principal stresses and orthonormal principal directions of each tensor.
 *
 * Method (after Eberly, "A Robust Eigensolver for 3 × 3 Symmetric Matrices"):
 * the eigenvalue farthest from the other two is simple, so its direction p is
 * the largest cross product of two rows of A − λI. In the plane ⊥ p (basis
 * U, W) A reduces to a symmetric 2 × 2 matrix M; the direction of the middle
 * eigenvalue is the null vector of M − λ2·I there (any direction in the plane
 * when the other two roots are equal), and the third is a cross product. A
 * triple root gives the coordinate axes. Directions of nearly equal roots are
 * ill-conditioned by nature; the triad is still orthonormal with a small
 * residual ‖A·v − λ·v‖.
 *
 * @param stress6 - `n·6` stresses, Voigt `[xx,yy,zz,xy,yz,zx]`, tensor shear (MPa).
 * @param out - optional output arrays (`values` length `n·3`, `vectors` length `n·9`).
 * @returns `{ values, vectors }`, layout in {@link PrincipalFrames}.
 * @example
 * ```ts
 * const { values, vectors } = principalDirections(new Float64Array([0, 0, 0, 5, 0, 0]));
 * // values [5, 0, -5]; σ1 acts along ±(1, 1, 0)/√2
 * ```
 */
export function principalDirections(stress6: Float64Array, out?: Partial<PrincipalFrames>): PrincipalFrames {
  const n = tensorCount('principalDirections', stress6);
  const values = output('principalDirections', out?.values, 3 * n);
  const vectors = output('principalDirections', out?.vectors, 9 * n);
  for (let i = 0; i < n; i++) {
    const o = 6 * i;
    const e = 3 * i;
    const v = 9 * i;
    eigenvaluesAt(stress6, o, values, e);
    // Work on the tensor scaled by its largest entry (no over/underflow in the cross products).
    const scale = Math.max(
      Math.abs(stress6[o]), Math.abs(stress6[o + 1]), Math.abs(stress6[o + 2]),
      Math.abs(stress6[o + 3]), Math.abs(stress6[o + 4]), Math.abs(stress6[o + 5]),
    );
    const is = scale > 0 ? 1 / scale : 0;
    const a11 = stress6[o] * is, a22 = stress6[o + 1] * is, a33 = stress6[o + 2] * is;
    const a12 = stress6[o + 3] * is, a23 = stress6[o + 4] * is, a13 = stress6[o + 5] * is;
    const l1 = values[e] * is, l2 = values[e + 1] * is, l3 = values[e + 2] * is;
    // Slot (0 for σ1, 2 for σ3) of the best separated eigenvalue.
    const first = l1 - l2 >= l2 - l3 ? 0 : 2;
    if (!deflationFrame(a11, a22, a33, a12, a23, a13, first === 0 ? l1 : l3)) {
      // λ1 = λ2 = λ3: every direction is principal.
      vectors.fill(0, v, v + 9);
      vectors[v] = 1;
      vectors[v + 4] = 1;
      vectors[v + 8] = 1;
      continue;
    }
    const px = frame[0], py = frame[1], pz = frame[2];
    const ux = frame[3], uy = frame[4], uz = frame[5];
    const wx = frame[6], wy = frame[7], wz = frame[8];
    // M − λ2·I in the (U, W) plane, M = [U W]ᵀ·A·[U W]
    const m00 = a11 * ux * ux + a22 * uy * uy + a33 * uz * uz + 2 * (a12 * ux * uy + a23 * uy * uz + a13 * ux * uz) - l2;
    const m11 = a11 * wx * wx + a22 * wy * wy + a33 * wz * wz + 2 * (a12 * wx * wy + a23 * wy * wz + a13 * wx * wz) - l2;
    const m01 =
      a11 * ux * wx + a22 * uy * wy + a33 * uz * wz +
      a12 * (ux * wy + uy * wx) + a23 * (uy * wz + uz * wy) + a13 * (ux * wz + uz * wx);
    // Null vector (cu, cw) of the 2×2: perpendicular to its larger row.
    let cu: number, cw: number;
    const r0 = Math.hypot(m00, m01);
    const r1 = Math.hypot(m11, m01);
    if (r0 === 0 && r1 === 0) {
      cu = 1; cw = 0; // double root: any in-plane direction
    } else if (r0 >= r1) {
      cu = -m01 / r0; cw = m00 / r0;
    } else {
      cu = m11 / r1; cw = -m01 / r1;
    }
    const mx = cu * ux + cw * wx, my = cu * uy + cw * wy, mz = cu * uz + cw * wz;
    vectors[v + 3] = mx;
    vectors[v + 4] = my;
    vectors[v + 5] = mz;
    const fv = v + 3 * first;
    vectors[fv] = px;
    vectors[fv + 1] = py;
    vectors[fv + 2] = pz;
    if (first === 0) {
      // v3 = v1 × v2
      vectors[v + 6] = py * mz - pz * my;
      vectors[v + 7] = pz * mx - px * mz;
      vectors[v + 8] = px * my - py * mx;
    } else {
      // v1 = v2 × v3, so that v1 × v2 = v3
      vectors[v] = my * pz - mz * py;
      vectors[v + 1] = mz * px - mx * pz;
      vectors[v + 2] = mx * py - my * px;
    }
  }
  return { values, vectors };
}
