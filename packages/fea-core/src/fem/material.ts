/**
 * Linear-elastic materials and their 6×6 constitutive matrices.
 *
 * Voigt convention shared by every kernel of `@spinefea/core`: stress and
 * strain vectors are ordered `[xx, yy, zz, xy, yz, zx]`, shear strains are
 * engineering shears γ = 2ε, so `σ = D·ε` and the strain energy density is
 * `½ εᵀ·D·ε`. Units: MPa.
 */
import { DimensionMismatchError, InvalidMaterialError } from '../errors.js';

/**
 * Isotropic linear-elastic material.
 *
 * @example
 * ```ts
 * const cancellous: IsotropicMaterial = { kind: 'isotropic', E: 100, nu: 0.2, name: 'cancellous bone' };
 * ```
 */
export interface IsotropicMaterial {
  kind: 'isotropic';
  /** Young's modulus, MPa (> 0). */
  E: number;
  /** Poisson's ratio, dimensionless, −1 < ν < 0.5. */
  nu: number;
  /** Optional human-readable name (used in error messages). */
  name?: string;
}

/**
 * Transversely isotropic linear-elastic material: isotropic in the plane
 * normal to `axis`, different along it (cortical bone along the vertebral
 * axis, annulus lamellae along the fibres).
 *
 * Compliance in the local frame (local 3 = `axis`, p = any in-plane direction):
 * `ε₁ = (σ₁ − νP·σ₂ − νPz·σ₃)/Ep`, `ε₃ = σ₃/Ez − νPz·(σ₁ + σ₂)/Ep`, i.e.
 * ```
 * S = [ 1/Ep     −νP/Ep   −νPz/Ep                           ]
 *     [ −νP/Ep   1/Ep     −νPz/Ep                           ]
 *     [ −νPz/Ep  −νPz/Ep  1/Ez                              ]
 *     [                            1/Gp                     ]   Gp = Ep / (2(1+νP))
 *     [                                   1/Gz              ]
 *     [                                          1/Gz       ]
 * ```
 * `νPz` is the Poisson ratio for stress in the plane and contraction along the
 * axis (`ε_z = −νPz·σ_p/Ep`); the reciprocal ratio is `νzP = νPz·Ez/Ep`.
 *
 * @example
 * ```ts
 * const cortical: TransverselyIsotropicMaterial = {
 *   kind: 'transversely-isotropic', Ep: 11300, Ez: 22000, nuP: 0.484, nuPz: 0.203, Gz: 5400,
 *   axis: [0, 0, 1], name: 'cortical bone',
 * };
 * ```
 */
export interface TransverselyIsotropicMaterial {
  kind: 'transversely-isotropic';
  /** In-plane Young's modulus, MPa (> 0). */
  Ep: number;
  /** Young's modulus along the axis, MPa (> 0). */
  Ez: number;
  /** In-plane Poisson's ratio νP (strain in the plane from in-plane stress). */
  nuP: number;
  /** Poisson's ratio νPz: axial contraction from in-plane stress, `ε_z = −νPz·σ_p/Ep`. */
  nuPz: number;
  /** Shear modulus in planes containing the axis, MPa (> 0). */
  Gz: number;
  /** Symmetry axis in global coordinates (need not be unit length, must be non-zero). */
  axis: [number, number, number];
  /** Optional human-readable name (used in error messages). */
  name?: string;
}

/** Any supported linear-elastic material. */
export type Material = IsotropicMaterial | TransverselyIsotropicMaterial;

/** Lamé parameters and bulk modulus of an isotropic material (MPa). */
export interface LameParameters {
  /** First Lamé parameter λ = Eν/((1+ν)(1−2ν)), MPa. */
  lambda: number;
  /** Shear modulus μ = E/(2(1+ν)), MPa. */
  mu: number;
  /** Bulk modulus K = E/(3(1−2ν)), MPa. */
  bulk: number;
}

/**
 * Lamé parameters of an isotropic material.
 *
 * @param E - Young's modulus, MPa.
 * @param nu - Poisson's ratio.
 * @returns `{ lambda, mu, bulk }` in MPa.
 * @example
 * ```ts
 * const { lambda, mu } = isotropicLame(100, 0.3); // λ ≈ 57.69, μ ≈ 38.46 MPa
 * ```
 */
export function isotropicLame(E: number, nu: number): LameParameters {
  return {
    lambda: (E * nu) / ((1 + nu) * (1 - 2 * nu)),
    mu: E / (2 * (1 + nu)),
    bulk: E / (3 * (1 - 2 * nu)),
  };
}

function label(m: Material, materialId?: number): string {
  if (materialId !== undefined) return m.name ? `material ${materialId} (${m.name})` : `material ${materialId}`;
  return m.name ? `material "${m.name}"` : 'material';
}

function requireFinite(value: number, what: string, where: string, materialId?: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidMaterialError(`${where}: ${what} = ${String(value)} is not a finite number`, materialId);
  }
}

function requirePositive(value: number, what: string, where: string, materialId?: number): void {
  requireFinite(value, what, where, materialId);
  if (!(value > 0)) throw new InvalidMaterialError(`${where}: ${what} = ${value} MPa must be > 0`, materialId);
}

/**
 * Check that a material is physically admissible: finite parameters, moduli
 * > 0, isotropic −1 < ν < 0.5, and for a transversely isotropic material a
 * positive definite compliance (−1 < νP < 1 and νPz² < (1 − νP)·Ep/(2·Ez)).
 *
 * @param m - the material.
 * @param materialId - its id in the model, quoted in the error message.
 * @throws {@link InvalidMaterialError} naming the material and the offending parameter.
 * @example
 * ```ts
 * validateMaterial({ kind: 'isotropic', E: 10, nu: 0.5 }, 3);
 * // throws: material 3: Poisson's ratio ν = 0.5 must satisfy −1 < ν < 0.5
 * ```
 */
export function validateMaterial(m: Material, materialId?: number): void {
  const where = label(m, materialId);
  if (m.kind === 'isotropic') {
    requirePositive(m.E, "Young's modulus E", where, materialId);
    requireFinite(m.nu, "Poisson's ratio ν", where, materialId);
    if (!(m.nu > -1 && m.nu < 0.5)) {
      throw new InvalidMaterialError(`${where}: Poisson's ratio ν = ${m.nu} must satisfy −1 < ν < 0.5`, materialId);
    }
    return;
  }
  if (m.kind !== 'transversely-isotropic') {
    throw new InvalidMaterialError(`${where}: unknown material kind '${String((m as { kind: unknown }).kind)}'`, materialId);
  }
  requirePositive(m.Ep, 'in-plane modulus Ep', where, materialId);
  requirePositive(m.Ez, 'axial modulus Ez', where, materialId);
  requirePositive(m.Gz, 'axial shear modulus Gz', where, materialId);
  requireFinite(m.nuP, "in-plane Poisson's ratio νP", where, materialId);
  requireFinite(m.nuPz, "Poisson's ratio νPz", where, materialId);
  const a = m.axis;
  if (!Array.isArray(a) || a.length !== 3) {
    throw new InvalidMaterialError(`${where}: axis must be a 3-vector, got ${JSON.stringify(a)}`, materialId);
  }
  for (let i = 0; i < 3; i++) requireFinite(a[i], `axis[${i}]`, where, materialId);
  if (!(a[0] * a[0] + a[1] * a[1] + a[2] * a[2] > 0)) {
    throw new InvalidMaterialError(`${where}: axis [${a.join(', ')}] has zero length`, materialId);
  }
  // Eigen-analysis of the normal 3×3 compliance block: the in-plane shear-like
  // vector (1,−1,0) has eigenvalue (1+νP)/Ep; the symmetric subspace
  // {(1,1,0)/√2, (0,0,1)} has the 2×2 block [(1−νP)/Ep, −√2·νPz/Ep; −√2·νPz/Ep, 1/Ez],
  // positive definite iff 1−νP > 0 and (1−νP)·Ep − 2·νPz²·Ez > 0.
  const { Ep, Ez, nuP, nuPz } = m;
  if (!(nuP > -1 && nuP < 1 && (1 - nuP) * Ep - 2 * nuPz * nuPz * Ez > 0)) {
    throw new InvalidMaterialError(
      `${where}: transversely isotropic compliance is not positive definite ` +
        `(Ep = ${Ep}, Ez = ${Ez}, νP = ${nuP}, νPz = ${nuPz}); ` +
        `requires −1 < νP < 1 and νPz² < (1 − νP)·Ep/(2·Ez)`,
      materialId,
    );
  }
}

// Tensor index pair (i, j) of each Voigt component, engineering shear.
const VOIGT_I = [0, 1, 2, 0, 1, 2];
const VOIGT_J = [0, 1, 2, 1, 2, 0];

// Scratch for the transversely isotropic rotation (not a hot path, but kept allocation-light).
const scratchDLocal = new Float64Array(36);
const scratchT = new Float64Array(36);
const scratchR = new Float64Array(9);

/**
 * The 6×6 Voigt transformation of engineering strains `ε' = T·ε` for the
 * rotation `R` (row-major 3×3, `x' = R·x`, so `ε'_ij = R_ik·R_jl·ε_kl`).
 * For component p = (i, j) and q = (k, l):
 * `T[p][q] = s_p · (k = l ? R_ik·R_jk : (R_ik·R_jl + R_il·R_jk)/2)`, s_p = 1 for
 * normal, 2 for shear components (γ = 2ε on both sides).
 */
function strainRotation(R: Float64Array, T: Float64Array): void {
  for (let p = 0; p < 6; p++) {
    const i = VOIGT_I[p];
    const j = VOIGT_J[p];
    const sp = p < 3 ? 1 : 2;
    for (let q = 0; q < 6; q++) {
      const k = VOIGT_I[q];
      const l = VOIGT_J[q];
      T[p * 6 + q] =
        q < 3 ? sp * R[i * 3 + k] * R[j * 3 + k] : (sp * (R[i * 3 + k] * R[j * 3 + l] + R[i * 3 + l] * R[j * 3 + k])) / 2;
    }
  }
}

/**
 * The 6×6 constitutive matrix `D` (row-major, Voigt `[xx, yy, zz, xy, yz, zx]`,
 * engineering shear, MPa) such that `σ = D·ε`.
 *
 * Isotropic: `D = λ·m·mᵀ + μ·diag(2,2,2,1,1,1)`, m = (1,1,1,0,0,0).
 * Transversely isotropic: the compliance is built in the local frame
 * (local 3 = axis), inverted, and rotated to global axes with the Voigt
 * strain transformation T: `D = Tᵀ·D_local·T`, which keeps the strain
 * energy `εᵀDε` invariant (ε_local = T·ε_global).
 *
 * @param m - the material (validated first).
 * @param out - optional output array of length 36.
 * @returns `out` (or a new Float64Array(36)).
 * @throws {@link InvalidMaterialError} if the material is not admissible.
 * @example
 * ```ts
 * const D = constitutiveMatrix({ kind: 'isotropic', E: 100, nu: 0.3 });
 * console.log(D[0], D[1], D[21]); // λ+2μ, λ, μ
 * ```
 */
export function constitutiveMatrix(m: Material, out?: Float64Array): Float64Array {
  validateMaterial(m);
  const D = out ?? new Float64Array(36);
  if (D.length !== 36) throw new DimensionMismatchError(`constitutiveMatrix: out has length ${D.length}, expected 36`);
  D.fill(0);
  if (m.kind === 'isotropic') {
    const { lambda, mu } = isotropicLame(m.E, m.nu);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) D[i * 6 + j] = lambda;
      D[i * 6 + i] = lambda + 2 * mu;
      D[(i + 3) * 6 + i + 3] = mu;
    }
    return D;
  }

  // Local compliance, normal block S (3×3) and shear diagonal.
  const { Ep, Ez, nuP, nuPz, Gz } = m;
  const s11 = 1 / Ep;
  const s12 = -nuP / Ep;
  const s13 = -nuPz / Ep;
  const s33 = 1 / Ez;
  // Inverse of the 3×3 normal block [[s11,s12,s13],[s12,s11,s13],[s13,s13,s33]]
  // by cofactors (it is symmetric positive definite after validation).
  const det = s11 * (s11 * s33 - s13 * s13) - s12 * (s12 * s33 - s13 * s13) + s13 * (s12 * s13 - s11 * s13);
  const c11 = (s11 * s33 - s13 * s13) / det;
  const c12 = -(s12 * s33 - s13 * s13) / det;
  const c13 = (s12 * s13 - s11 * s13) / det;
  const c33 = (s11 * s11 - s12 * s12) / det;
  const L = scratchDLocal;
  L.fill(0);
  L[0] = c11;
  L[1] = c12;
  L[2] = c13;
  L[6] = c12;
  L[7] = c11;
  L[8] = c13;
  L[12] = c13;
  L[13] = c13;
  L[14] = c33;
  L[21] = Ep / (2 * (1 + nuP)); // in-plane shear 12: Gp
  L[28] = Gz; // 23
  L[35] = Gz; // 31

  // Local orthonormal basis: e3 = axis, e1 ⟂ e3 from the global axis least aligned with e3, e2 = e3 × e1.
  const an = Math.hypot(m.axis[0], m.axis[1], m.axis[2]);
  const z0 = m.axis[0] / an;
  const z1 = m.axis[1] / an;
  const z2 = m.axis[2] / an;
  const ax = Math.abs(z0);
  const ay = Math.abs(z1);
  const az = Math.abs(z2);
  // helper h = global axis with the smallest |component| of e3; e1 = normalize(h − (h·e3)e3)
  let h0 = 0;
  let h1 = 0;
  let h2 = 0;
  if (ax <= ay && ax <= az) h0 = 1;
  else if (ay <= az) h1 = 1;
  else h2 = 1;
  const hz = h0 * z0 + h1 * z1 + h2 * z2;
  let x0 = h0 - hz * z0;
  let x1 = h1 - hz * z1;
  let x2 = h2 - hz * z2;
  const xn = Math.hypot(x0, x1, x2);
  x0 /= xn;
  x1 /= xn;
  x2 /= xn;
  const R = scratchR; // rows: e1, e2, e3 → x_local = R·x_global
  R[0] = x0;
  R[1] = x1;
  R[2] = x2;
  R[3] = z1 * x2 - z2 * x1;
  R[4] = z2 * x0 - z0 * x2;
  R[5] = z0 * x1 - z1 * x0;
  R[6] = z0;
  R[7] = z1;
  R[8] = z2;

  const T = scratchT;
  strainRotation(R, T);
  // D = Tᵀ·L·T
  for (let p = 0; p < 6; p++) {
    for (let q = p; q < 6; q++) {
      let s = 0;
      for (let r = 0; r < 6; r++) {
        const tr = T[r * 6 + p];
        if (tr === 0) continue;
        let lt = 0;
        for (let c = 0; c < 6; c++) lt += L[r * 6 + c] * T[c * 6 + q];
        s += tr * lt;
      }
      D[p * 6 + q] = s;
      D[q * 6 + p] = s;
    }
  }
  return D;
}
