/**
 * Quadrature rules used by the element kernels, as flat typed arrays built
 * once at module load.
 *
 * Point layouts: reference coordinates interleaved (`[ξ0,η0,ζ0, ξ1,…]` for
 * solids, `[r0,s0, r1,s1,…]` for faces); weights in a separate array. Weights
 * are for the reference domains: cube [−1,1]³ (volume 8), square [−1,1]²
 * (area 4), unit tetrahedron (volume 1/6), unit triangle (area 1/2).
 */

/**
 * Abscissa of 2-point Gauss–Legendre on [−1, 1]: ±1/√3 (exact for cubics).
 *
 * @example
 * ```ts
 * const integralOfXSquared = 2 * GAUSS2_ABSCISSA ** 2; // 2/3 = ∫₋₁¹ x² dx
 * ```
 */
export const GAUSS2_ABSCISSA = 1 / Math.sqrt(3);

/**
 * Reference corner coordinates of the hex8 (VTK order) on [−1,1]³, `8 × 3` interleaved.
 *
 * @example
 * ```ts
 * const [x6, y6, z6] = HEX8_CORNERS.subarray(18, 21); // (1, 1, 1)
 * ```
 */
export const HEX8_CORNERS = new Float64Array([
  -1, -1, -1, 1, -1, -1, 1, 1, -1, -1, 1, -1, -1, -1, 1, 1, -1, 1, 1, 1, 1, -1, 1, 1,
]);

/**
 * 2×2×2 Gauss points on [−1,1]³, `8 × 3` interleaved. Point q lies in the
 * octant of corner q (`ξ_q = corner_q/√3`), which makes the Gauss → corner
 * extrapolation the trilinear interpolant evaluated at `√3·corner`. Weights are all 1.
 *
 * @example
 * ```ts
 * const zeta3 = HEX8_GAUSS_POINTS[3 * 3 + 2]; // ζ of point 3 = −1/√3
 * ```
 */
export const HEX8_GAUSS_POINTS = HEX8_CORNERS.map((c) => c * GAUSS2_ABSCISSA);

/**
 * 2×2 Gauss points on the square [−1,1]², `4 × 2` interleaved, in face-node order; weights 1.
 *
 * @example
 * ```ts
 * const xi0 = QUAD4_GAUSS_POINTS[0]; // −1/√3
 * ```
 */
export const QUAD4_GAUSS_POINTS = new Float64Array([-1, -1, 1, -1, 1, 1, -1, 1]).map((c) => c * GAUSS2_ABSCISSA);

/**
 * Barycentric coordinate of the 4-point tetrahedron rule at its own corner: (5 + 3√5)/20.
 *
 * @example
 * ```ts
 * TET4_RULE_A + 3 * TET4_RULE_B; // 1
 * ```
 */
export const TET4_RULE_A = (5 + 3 * Math.sqrt(5)) / 20;
/**
 * Barycentric coordinate of the 4-point tetrahedron rule at the other corners: (5 − √5)/20.
 *
 * @example
 * ```ts
 * const r1 = TET4_RULE_A; // r of the point nearest corner 1 (s = t = TET4_RULE_B)
 * ```
 */
export const TET4_RULE_B = (5 - Math.sqrt(5)) / 20;

/**
 * 4-point degree-2 rule on the unit tetrahedron, `(r,s,t)` interleaved, with
 * point q nearest to corner q (barycentric L_q = a, the others b); each weight is 1/24.
 *
 * @example
 * ```ts
 * const volume = 4 * TET_GAUSS4_WEIGHT; // 1/6
 * ```
 */
export const TET_GAUSS4_POINTS = new Float64Array([
  TET4_RULE_B, TET4_RULE_B, TET4_RULE_B,
  TET4_RULE_A, TET4_RULE_B, TET4_RULE_B,
  TET4_RULE_B, TET4_RULE_A, TET4_RULE_B,
  TET4_RULE_B, TET4_RULE_B, TET4_RULE_A,
]);
/**
 * Weight of each point of {@link TET_GAUSS4_POINTS} (reference volume 1/6 over 4 points).
 *
 * @example
 * ```ts
 * const volume = 4 * TET_GAUSS4_WEIGHT * detJ; // mm³ for a straight-sided tet
 * ```
 */
export const TET_GAUSS4_WEIGHT = 1 / 24;

/**
 * Dunavant's 6-point degree-4 rule on the unit triangle, `(r,s)` interleaved;
 * weights in {@link TRI6_RULE_WEIGHTS} (sum 1/2). Degree 4 integrates
 * `N_a·(x,r × x,s)` exactly for a quadratic (tri6) face.
 *
 * @example
 * ```ts
 * const r0 = TRI6_RULE_POINTS[0], s0 = TRI6_RULE_POINTS[1];
 * ```
 */
const TRI6_A1 = 0.44594849091596488632;
const TRI6_W1 = 0.22338158967801146570;
const TRI6_A2 = 0.091576213509770743460;
const TRI6_W2 = 0.10995174365532186764;
export const TRI6_RULE_POINTS = new Float64Array([
  TRI6_A1, TRI6_A1,
  1 - 2 * TRI6_A1, TRI6_A1,
  TRI6_A1, 1 - 2 * TRI6_A1,
  TRI6_A2, TRI6_A2,
  1 - 2 * TRI6_A2, TRI6_A2,
  TRI6_A2, 1 - 2 * TRI6_A2,
]);
/**
 * Weights of {@link TRI6_RULE_POINTS} on the unit triangle (sum 1/2).
 *
 * @example
 * ```ts
 * const area = TRI6_RULE_WEIGHTS.reduce((s, w) => s + w, 0); // 0.5
 * ```
 */
export const TRI6_RULE_WEIGHTS = new Float64Array([
  TRI6_W1 / 2, TRI6_W1 / 2, TRI6_W1 / 2,
  TRI6_W2 / 2, TRI6_W2 / 2, TRI6_W2 / 2,
]);
