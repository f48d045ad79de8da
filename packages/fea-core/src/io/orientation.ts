/**
 * Orthonormal in-plane basis (e1, e2) of a transversely isotropic material whose
 * symmetry axis is e3 = axis/|axis|: e1 is the projection of the coordinate axis least
 * aligned with e3, e2 = e3 × e1. Any in-plane pair gives the same stiffness, so this one
 * need not match `constitutiveMatrix`'s choice; the exporters write it as the material
 * orientation (CalculiX `*ORIENTATION`, FEBio `mat_axis`).
 *
 * @example
 * ```ts
 * const { e1, e2 } = transverseBasis([0, 0, 1]); // e1 = [1, 0, 0], e2 = [0, 1, 0]
 * ```
 */
export function transverseBasis(axis: readonly number[]): { e1: number[]; e2: number[] } {
  const l = Math.hypot(axis[0], axis[1], axis[2]);
  const z = [axis[0] / l, axis[1] / l, axis[2] / l];
  const a = z.map(Math.abs);
  const h = a[0] <= a[1] && a[0] <= a[2] ? [1, 0, 0] : a[1] <= a[2] ? [0, 1, 0] : [0, 0, 1];
  const hz = h[0] * z[0] + h[1] * z[1] + h[2] * z[2];
  const x = [h[0] - hz * z[0], h[1] - hz * z[1], h[2] - hz * z[2]];
  const xl = Math.hypot(x[0], x[1], x[2]);
  const e1 = x.map((v) => v / xl);
  const e2 = [z[1] * e1[2] - z[2] * e1[1], z[2] * e1[0] - z[0] * e1[2], z[0] * e1[1] - z[1] * e1[0]];
  return { e1, e2 };
}
