/**
 * Block Jacobi preconditioner: inverts the `b × b` nodal diagonal blocks of
 * A (b = 3 for 3-D elasticity, DOF order `[u0x,u0y,u0z,u1x,…]`).
 */
import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError, UnconstrainedModelError } from '../errors.js';
import { csrGet } from '../linalg/csr.js';
import type { CsrMatrix } from '../linalg/types.js';
import type { FusedPreconditioner } from './preconditioner.js';

/**
 * Block Jacobi preconditioner `z_k ← A_kk⁻¹·r_k` for every node k, where
 * `A_kk` is the `blockSize × blockSize` diagonal block of node k.
 *
 * Each block is factorised by Cholesky (`A_kk = L·Lᵀ`) and its inverse
 * stored explicitly (row-major, `blockSize²` per node), so `apply` is a
 * small dense matrix–vector product per node. Coupling between the x, y, z
 * DOFs of a node is captured, which Jacobi misses.
 *
 * @param A square SPD matrix (stiffness, N/mm), `rows` divisible by `blockSize`
 * @param blockSize DOFs per node (default 3)
 * @throws UnconstrainedModelError naming the node whose block is singular or
 *   not positive definite (a node without stiffness in some direction)
 * @throws NonFiniteInputError naming the node whose block holds NaN/±Inf
 * @example
 * ```ts
 * const M = blockJacobiPreconditioner(K); // 3×3 nodal blocks
 * const result = pcg(csrOperator(K), f, { preconditioner: M });
 * ```
 */
export function blockJacobiPreconditioner(A: CsrMatrix, blockSize = 3): FusedPreconditioner {
  if (A.rows !== A.cols) throw new DimensionMismatchError(`block Jacobi: matrix is ${A.rows}×${A.cols}, not square`);
  const b = blockSize;
  if (!Number.isInteger(b) || b < 1) throw new InvalidArgumentError(`block Jacobi: block size ${b} is not a positive integer`);
  const n = A.rows;
  if (n % b !== 0) throw new DimensionMismatchError(`block Jacobi: size ${n} is not divisible by block size ${b}`);
  const nb = n / b;
  const bb = b * b;
  const inv = new Float64Array(nb * bb);
  const blk = new Float64Array(bb); // A_kk, then overwritten by L (lower triangle)
  const col = new Float64Array(b);
  for (let k = 0; k < nb; k++) {
    const base = k * b;
    let scale = 0;
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < b; j++) {
        const v = csrGet(A, base + i, base + j);
        if (!Number.isFinite(v)) {
          throw new NonFiniteInputError(`block Jacobi: node ${k} block entry (${i}, ${j}) is ${v}`);
        }
        blk[i * b + j] = v;
      }
      scale = Math.max(scale, Math.abs(blk[i * b + i]));
    }
    // Cholesky A_kk = L·Lᵀ; a pivot below 1e-14·max|diag| (round-off level) means singular.
    for (let j = 0; j < b; j++) {
      let s = blk[j * b + j];
      for (let m = 0; m < j; m++) s -= blk[j * b + m] * blk[j * b + m];
      if (!(s > 1e-14 * scale) || !(scale > 0)) {
        throw new UnconstrainedModelError(
          `block Jacobi: the ${b}×${b} diagonal block of node ${k} (DOFs ${base}..${base + b - 1}) is singular ` +
            `or not positive definite (pivot ${s.toExponential(3)} in direction ${j}); the node lacks stiffness ` +
            `in some direction (not attached to elements, or unconstrained)`,
        );
      }
      const ljj = Math.sqrt(s);
      blk[j * b + j] = ljj;
      for (let i = j + 1; i < b; i++) {
        let t = blk[i * b + j];
        for (let m = 0; m < j; m++) t -= blk[i * b + m] * blk[j * b + m];
        blk[i * b + j] = t / ljj;
      }
    }
    // Inverse column by column: solve L·y = e_c, then Lᵀ·x = y.
    const out = k * bb;
    for (let c = 0; c < b; c++) {
      for (let i = 0; i < b; i++) {
        let t = i === c ? 1 : 0;
        for (let m = 0; m < i; m++) t -= blk[i * b + m] * col[m];
        col[i] = t / blk[i * b + i];
      }
      for (let i = b - 1; i >= 0; i--) {
        let t = col[i];
        for (let m = i + 1; m < b; m++) t -= blk[m * b + i] * col[m];
        col[i] = t / blk[i * b + i];
      }
      for (let i = 0; i < b; i++) inv[out + i * b + c] = col[i];
    }
  }

  const applyDot = (r: Float64Array, z: Float64Array): number => {
    let rz = 0;
    if (b === 3) {
      // unrolled 3×3: z_k = A_kk⁻¹ r_k
      for (let k = 0, o = 0, d = 0; k < nb; k++, o += 9, d += 3) {
        const r0 = r[d];
        const r1 = r[d + 1];
        const r2 = r[d + 2];
        const z0 = inv[o] * r0 + inv[o + 1] * r1 + inv[o + 2] * r2;
        const z1 = inv[o + 3] * r0 + inv[o + 4] * r1 + inv[o + 5] * r2;
        const z2 = inv[o + 6] * r0 + inv[o + 7] * r1 + inv[o + 8] * r2;
        z[d] = z0;
        z[d + 1] = z1;
        z[d + 2] = z2;
        rz += r0 * z0 + r1 * z1 + r2 * z2;
      }
      return rz;
    }
    for (let k = 0; k < nb; k++) {
      const o = k * bb;
      const d = k * b;
      for (let i = 0; i < b; i++) {
        let s = 0;
        for (let j = 0; j < b; j++) s += inv[o + i * b + j] * r[d + j];
        z[d + i] = s;
        rz += r[d + i] * s;
      }
    }
    return rz;
  };
  return {
    name: `block-jacobi-${b}`,
    apply(r, z) {
      applyDot(r, z);
    },
    applyDot,
  };
}
