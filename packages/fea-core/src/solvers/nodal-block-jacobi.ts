import { UnconstrainedModelError } from '../errors.js';
import type { CsrMatrix } from '../linalg/types.js';
import type { FusedPreconditioner } from './preconditioner.js';

/**
 * Block Jacobi with variable block sizes: block k spans DOFs
 * `blockPtr[k] .. blockPtr[k+1]−1` (a node's 1–3 unconstrained DOFs, or a
 * reference node's 6). Each diagonal block is inverted by Gauss–Jordan with
 * partial pivoting once; `apply` is a small dense product per block.
 *
 * This is what a reduced (constraint-eliminated) stiffness matrix needs:
 * fixing one component of a node leaves a 2×2 block, so fixed-size 3×3
 * blocks would straddle nodes.
 *
 * @throws UnconstrainedModelError naming the block (DOF range) whose diagonal block is singular.
 * @example
 * ```ts
 * const M = nodalBlockJacobiPreconditioner(K, Uint32Array.from([0, 3, 6]));
 * ```
 */
export function nodalBlockJacobiPreconditioner(
  A: CsrMatrix,
  blockPtr: Uint32Array,
  describeDof: (i: number) => string = (i) => `free DOF ${i}`,
): FusedPreconditioner {
  const nb = blockPtr.length - 1;
  const offs = new Uint32Array(nb + 1);
  for (let k = 0; k < nb; k++) {
    const s = blockPtr[k + 1] - blockPtr[k];
    offs[k + 1] = offs[k] + s * s;
  }
  const inv = new Float64Array(offs[nb]);
  const work = new Float64Array(72);
  for (let k = 0; k < nb; k++) {
    const b0 = blockPtr[k];
    const s = blockPtr[k + 1] - b0;
    // aug = [A_kk | I], s ≤ 6
    const w = 2 * s;
    work.fill(0, 0, s * w);
    for (let i = 0; i < s; i++) {
      const row = b0 + i;
      for (let p = A.rowPtr[row]; p < A.rowPtr[row + 1]; p++) {
        const j = A.colIdx[p] - b0;
        if (j >= 0 && j < s) work[i * w + j] = A.values[p];
      }
      work[i * w + s + i] = 1;
    }
    let scale = 0;
    for (let i = 0; i < s; i++) scale = Math.max(scale, Math.abs(work[i * w + i]));
    for (let c = 0; c < s; c++) {
      let piv = c;
      for (let r = c + 1; r < s; r++) if (Math.abs(work[r * w + c]) > Math.abs(work[piv * w + c])) piv = r;
      const pv = work[piv * w + c];
      // A pivot below 1e-12 of the block's largest diagonal means a direction with no stiffness.
      if (!(Math.abs(pv) > 1e-12 * scale) || !Number.isFinite(pv)) {
        throw new UnconstrainedModelError(
          `the diagonal block of free DOFs ${b0}..${b0 + s - 1} (${describeDof(b0)} … ${describeDof(b0 + s - 1)}) is singular: some DOF has no stiffness (a node not attached to any element, or an unconstrained reference node)`,
        );
      }
      if (piv !== c) for (let q = 0; q < w; q++) [work[c * w + q], work[piv * w + q]] = [work[piv * w + q], work[c * w + q]];
      const ip = 1 / pv;
      for (let q = 0; q < w; q++) work[c * w + q] *= ip;
      for (let r = 0; r < s; r++) {
        if (r === c) continue;
        const fct = work[r * w + c];
        if (fct !== 0) for (let q = 0; q < w; q++) work[r * w + q] -= fct * work[c * w + q];
      }
    }
    for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) inv[offs[k] + i * s + j] = work[i * w + s + j];
  }
  const applyDot = (r: Float64Array, z: Float64Array): number => {
    let dot = 0;
    for (let k = 0; k < nb; k++) {
      const b0 = blockPtr[k];
      const s = blockPtr[k + 1] - b0;
      const o = offs[k];
      if (s === 3) {
        // z ← A_kk⁻¹ r (hot case, unrolled)
        const r0 = r[b0], r1 = r[b0 + 1], r2 = r[b0 + 2];
        const z0 = inv[o] * r0 + inv[o + 1] * r1 + inv[o + 2] * r2;
        const z1 = inv[o + 3] * r0 + inv[o + 4] * r1 + inv[o + 5] * r2;
        const z2 = inv[o + 6] * r0 + inv[o + 7] * r1 + inv[o + 8] * r2;
        z[b0] = z0;
        z[b0 + 1] = z1;
        z[b0 + 2] = z2;
        dot += r0 * z0 + r1 * z1 + r2 * z2;
        continue;
      }
      for (let i = 0; i < s; i++) {
        let acc = 0;
        for (let j = 0; j < s; j++) acc += inv[o + i * s + j] * r[b0 + j];
        z[b0 + i] = acc;
        dot += r[b0 + i] * acc;
      }
    }
    return dot;
  };
  return {
    name: 'nodal block Jacobi',
    apply(r, z) {
      applyDot(r, z);
    },
    applyDot,
  };
}
