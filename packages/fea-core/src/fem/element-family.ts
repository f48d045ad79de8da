import type { CellType } from '@spinefea/mesh';

/**
 * One element family (hex8, tet4, tet10). Every family exposes the same pure,
 * allocation-free kernels, so assembly and post-processing are written once.
 *
 * Conventions, shared by all kernels:
 * - `xe`: element node coordinates, xyz interleaved, length `3·n` (mm).
 * - `ue`: element nodal displacements, same layout (mm).
 * - DOF order inside an element: node-major, `[u0x,u0y,u0z,u1x,…]`.
 * - `D`: 6×6 constitutive matrix, row-major, Voigt order
 *   `[xx, yy, zz, xy, yz, zx]` with engineering shear strains γ = 2ε (MPa).
 * - Outputs are written into caller-provided arrays; kernels never allocate.
 */
export interface ElementFamily {
  readonly cellType: CellType;
  /** Nodes per element `n`; the element has `3n` DOFs. */
  readonly nodesPerElement: number;
  /** Number of stress/strain sampling (integration) points per element. */
  readonly samplingPoints: number;
  /**
   * Element stiffness `Ke = ∫ Bᵀ D B dV` into `ke` (row-major, `(3n)²`, N/mm).
   * hex8 uses B-bar (mean dilatation) so ν → 0.5 does not lock.
   */
  stiffness(xe: Float64Array, D: Float64Array, ke: Float64Array): void;
  /**
   * Strains at the sampling points into `strain` (`samplingPoints·6`, Voigt,
   * engineering shear), consistent with `stiffness` (B-bar strains for hex8).
   */
  strain(xe: Float64Array, ue: Float64Array, strain: Float64Array): void;
  /** Volume weight `w·det J` of each sampling point into `weights` (mm³); their sum is the element volume. */
  samplingWeights(xe: Float64Array, weights: Float64Array): void;
  /**
   * Smallest Jacobian determinant over the corner nodes and the integration
   * points, divided by the element's mean |det J| scale (dimensionless
   * scaled Jacobian, 1 for an undistorted element, ≤ 0 inverted/degenerate).
   */
  scaledJacobian(xe: Float64Array): number;
  /**
   * Extrapolation from sampling points to nodes: row-major `n × samplingPoints`,
   * `nodal[a] = Σ_q E[a,q]·sample[q]`.
   */
  readonly extrapolation: Float64Array;
  /** Consistent nodal forces of a uniform body force `b` (N/mm³, length 3) into `fe` (`3n`, N). */
  bodyForce(xe: Float64Array, b: Float64Array, fe: Float64Array): void;
  /**
   * Consistent nodal forces of a uniform traction `t` (MPa, length 3) on one
   * face. `xf` holds the face's node coordinates in `CELL_INFO[cellType].faces[f]`
   * order; `ff` receives `3·faceNodes` forces (N).
   */
  faceTraction(xf: Float64Array, t: Float64Array, ff: Float64Array): void;
  /**
   * Area-weighted outward unit normal integration of a face: writes `∫ N_a n dA`
   * for each face node into `fn` (`3·faceNodes`, mm²), so a pressure p gives
   * forces `−p·fn`.
   */
  faceNormalIntegrals(xf: Float64Array, fn: Float64Array): void;
}
