/**
 * Reference shape functions of the element and face families, tabulated once
 * at module load at the points the kernels need.
 *
 * Table layouts (all node-major):
 * - values `N`: `points × n`, `N[p·n + a]`.
 * - derivatives `dN`: `points × n × dim`, `dN[(p·n + a)·dim + k]` = ∂N_a/∂ξ_k.
 */

/**
 * Fills the values `N` (length n) and reference derivatives `dN`
 * (`n × dim`, node-major) of `n` shape functions at one reference point.
 *
 * @example
 * ```ts
 * const shape: ShapeFunction = tet4Shape;
 * ```
 */
export type ShapeFunction = (point: ArrayLike<number>, N: Float64Array, dN: Float64Array) => void;

/**
 * Shape-function values and reference derivatives tabulated at a set of
 * points (layouts in the module comment).
 *
 * @example
 * ```ts
 * const table: ShapeTable = tabulate(tet10Shape, 10, 3, TET_GAUSS4_POINTS);
 * ```
 */
export interface ShapeTable {
  /** Number of shape functions (nodes). */
  nodes: number;
  /** Reference dimension (3 for solids, 2 for faces). */
  dim: number;
  /** Number of points. */
  points: number;
  /** `points × nodes` values. */
  N: Float64Array;
  /** `points × nodes × dim` reference derivatives. */
  dN: Float64Array;
}

/**
 * Tabulate a shape function at `points` (reference coordinates interleaved, `dim` per point).
 *
 * @example
 * ```ts
 * const t = tabulate(hex8Shape, 8, 3, HEX8_GAUSS_POINTS);
 * console.log(t.N.length); // 64
 * ```
 */
export function tabulate(shape: ShapeFunction, nodes: number, dim: number, points: Float64Array): ShapeTable {
  const count = points.length / dim;
  const N = new Float64Array(count * nodes);
  const dN = new Float64Array(count * nodes * dim);
  const n = new Float64Array(nodes);
  const d = new Float64Array(nodes * dim);
  for (let p = 0; p < count; p++) {
    shape(points.subarray(p * dim, p * dim + dim), n, d);
    N.set(n, p * nodes);
    dN.set(d, p * nodes * dim);
  }
  return { nodes, dim, points: count, N, dN };
}

/**
 * Trilinear hex8 (VTK order): `N_a = (1+ξ·ξ_a)(1+η·η_a)(1+ζ·ζ_a)/8` on [−1,1]³.
 *
 * @example
 * ```ts
 * const N = new Float64Array(8), dN = new Float64Array(24);
 * hex8Shape([1, 1, 1], N, dN); // N[6] = 1
 * ```
 */
export const hex8Shape: ShapeFunction = (p, N, dN) => {
  const xi = p[0];
  const eta = p[1];
  const zeta = p[2];
  for (let a = 0; a < 8; a++) {
    const xa = a === 1 || a === 2 || a === 5 || a === 6 ? 1 : -1;
    const ya = a === 2 || a === 3 || a === 6 || a === 7 ? 1 : -1;
    const za = a >= 4 ? 1 : -1;
    const fx = 1 + xi * xa;
    const fy = 1 + eta * ya;
    const fz = 1 + zeta * za;
    N[a] = (fx * fy * fz) / 8;
    dN[3 * a] = (xa * fy * fz) / 8;
    dN[3 * a + 1] = (fx * ya * fz) / 8;
    dN[3 * a + 2] = (fx * fy * za) / 8;
  }
};

/**
 * Linear tet4 on the unit tetrahedron: `N = (1−r−s−t, r, s, t)`.
 *
 * @example
 * ```ts
 * const N = new Float64Array(4), dN = new Float64Array(12);
 * tet4Shape([0.25, 0.25, 0.25], N, dN); // all N = 1/4
 * ```
 */
export const tet4Shape: ShapeFunction = (p, N, dN) => {
  N[0] = 1 - p[0] - p[1] - p[2];
  N[1] = p[0];
  N[2] = p[1];
  N[3] = p[2];
  dN.fill(0);
  dN[0] = -1;
  dN[1] = -1;
  dN[2] = -1;
  dN[3] = 1;
  dN[7] = 1;
  dN[11] = 1;
};

/**
 * Quadratic tet10 on the unit tetrahedron, VTK order: corners
 * `N_i = L_i(2L_i − 1)`, mid-side nodes on edges 01, 12, 20, 03, 13, 23
 * `N = 4·L_i·L_j`, with L0 = 1−r−s−t, L1 = r, L2 = s, L3 = t.
 *
 * @example
 * ```ts
 * const N = new Float64Array(10), dN = new Float64Array(30);
 * tet10Shape([0.5, 0, 0], N, dN); // N[4] = 1 (mid-edge 01)
 * ```
 */
export const tet10Shape: ShapeFunction = (p, N, dN) => {
  const r = p[0];
  const s = p[1];
  const t = p[2];
  const L0 = 1 - r - s - t;
  N[0] = L0 * (2 * L0 - 1);
  N[1] = r * (2 * r - 1);
  N[2] = s * (2 * s - 1);
  N[3] = t * (2 * t - 1);
  N[4] = 4 * L0 * r;
  N[5] = 4 * r * s;
  N[6] = 4 * s * L0;
  N[7] = 4 * L0 * t;
  N[8] = 4 * r * t;
  N[9] = 4 * s * t;
  const d0 = -(4 * L0 - 1); // ∂N0/∂r = ∂N0/∂s = ∂N0/∂t (∂L0/∂· = −1)
  const set = (a: number, dr: number, ds: number, dt: number): void => {
    dN[3 * a] = dr;
    dN[3 * a + 1] = ds;
    dN[3 * a + 2] = dt;
  };
  set(0, d0, d0, d0);
  set(1, 4 * r - 1, 0, 0);
  set(2, 0, 4 * s - 1, 0);
  set(3, 0, 0, 4 * t - 1);
  set(4, 4 * (L0 - r), -4 * r, -4 * r);
  set(5, 4 * s, 4 * r, 0);
  set(6, -4 * s, 4 * (L0 - s), -4 * s);
  set(7, -4 * t, -4 * t, 4 * (L0 - t));
  set(8, 4 * t, 0, 4 * r);
  set(9, 0, 4 * t, 4 * s);
};

// Face-local corner coordinates of the quad4 nodes.
const QUAD_XA = [-1, 1, 1, -1];
const QUAD_YA = [-1, -1, 1, 1];

/**
 * Bilinear quad4 face on [−1,1]², nodes at (−1,−1), (1,−1), (1,1), (−1,1).
 *
 * @example
 * ```ts
 * const N = new Float64Array(4), dN = new Float64Array(8);
 * quad4Shape([0, 0], N, dN); // all N = 1/4
 * ```
 */
export const quad4Shape: ShapeFunction = (p, N, dN) => {
  const xi = p[0];
  const eta = p[1];
  const XA = QUAD_XA;
  const YA = QUAD_YA;
  for (let a = 0; a < 4; a++) {
    const fx = 1 + xi * XA[a];
    const fy = 1 + eta * YA[a];
    N[a] = (fx * fy) / 4;
    dN[2 * a] = (XA[a] * fy) / 4;
    dN[2 * a + 1] = (fx * YA[a]) / 4;
  }
};

/**
 * Linear tri3 face on the unit triangle: `N = (1−r−s, r, s)`.
 *
 * @example
 * ```ts
 * const N = new Float64Array(3), dN = new Float64Array(6);
 * tri3Shape([1 / 3, 1 / 3], N, dN);
 * ```
 */
export const tri3Shape: ShapeFunction = (p, N, dN) => {
  N[0] = 1 - p[0] - p[1];
  N[1] = p[0];
  N[2] = p[1];
  dN[0] = -1;
  dN[1] = -1;
  dN[2] = 1;
  dN[3] = 0;
  dN[4] = 0;
  dN[5] = 1;
};

/**
 * Quadratic tri6 face on the unit triangle: corners `L_i(2L_i−1)`, then
 * mid-sides `4·L0·L1`, `4·L1·L2`, `4·L2·L0` (L0 = 1−r−s, L1 = r, L2 = s).
 *
 * @example
 * ```ts
 * const N = new Float64Array(6), dN = new Float64Array(12);
 * tri6Shape([0.5, 0.5], N, dN); // N[4] = 1
 * ```
 */
export const tri6Shape: ShapeFunction = (p, N, dN) => {
  const r = p[0];
  const s = p[1];
  const L0 = 1 - r - s;
  N[0] = L0 * (2 * L0 - 1);
  N[1] = r * (2 * r - 1);
  N[2] = s * (2 * s - 1);
  N[3] = 4 * L0 * r;
  N[4] = 4 * r * s;
  N[5] = 4 * s * L0;
  const d0 = -(4 * L0 - 1);
  dN[0] = d0;
  dN[1] = d0;
  dN[2] = 4 * r - 1;
  dN[3] = 0;
  dN[4] = 0;
  dN[5] = 4 * s - 1;
  dN[6] = 4 * (L0 - r);
  dN[7] = -4 * r;
  dN[8] = 4 * s;
  dN[9] = 4 * r;
  dN[10] = -4 * s;
  dN[11] = 4 * (L0 - s);
};
