/**
 * Tentative prolongator of smoothed aggregation: per aggregate, a thin QR
 * of the near-null space restricted to its DOFs.
 */
import { DimensionMismatchError } from '../../errors.js';

export interface Tentative {
  /** Q rows: fine DOF i's values at `q[i·k + c]`, c < kAgg[its aggregate]. */
  q: Float64Array;
  /** Coarse DOFs of every aggregate (kept columns). */
  kAgg: Uint8Array;
  /** Coarse DOF blocks (one per aggregate): aggregate a owns coarse DOFs coarseStart[a] .. coarseStart[a+1]−1. */
  coarseStart: Uint32Array;
  /** Coarse near-null space, row-major `coarseRows × k`. */
  B: Float64Array;
}

/**
 * P_tent and the coarse near-null space from a thin QR per aggregate:
 * B|_agg = Q·R (modified Gram–Schmidt, applied twice for orthogonality),
 * a column whose remainder after orthogonalisation is ≤ 1e-8 of its norm
 * (linearly dependent on the previous ones, e.g. rotations of a one-node
 * aggregate) is dropped, so Q has full column rank and the coarse operator
 * stays non-singular.
 *
 * @param n fine rows
 * @param B fine near-null space, row-major n × k
 * @throws DimensionMismatchError when B vanishes on an aggregate
 * @example
 * ```ts
 * const oneAggregate = new Int32Array(blockPtr.length - 1); // every block in aggregate 0
 * const tent = tentativeProlongator(A.rows, blockPtr, oneAggregate, 1, nearNullSpace, 6);
 * ```
 */
export function tentativeProlongator(
  n: number,
  blockPtr: Uint32Array,
  agg: Int32Array,
  nAgg: number,
  B: Float64Array,
  k: number,
): Tentative {
  const nb = blockPtr.length - 1;
  // Blocks of each aggregate, ascending (counting sort).
  const aggPtr = new Uint32Array(nAgg + 1);
  for (let b = 0; b < nb; b++) aggPtr[agg[b] + 1]++;
  for (let a = 0; a < nAgg; a++) aggPtr[a + 1] += aggPtr[a];
  const fill = aggPtr.slice(0, nAgg);
  const aggBlocks = new Uint32Array(nb);
  for (let b = 0; b < nb; b++) aggBlocks[fill[agg[b]]++] = b;
  let maxM = 0;
  for (let a = 0; a < nAgg; a++) {
    let m = 0;
    for (let q = aggPtr[a]; q < aggPtr[a + 1]; q++) m += blockPtr[aggBlocks[q] + 1] - blockPtr[aggBlocks[q]];
    maxM = Math.max(maxM, m);
  }
  const W = new Float64Array(maxM * k); // column-major m × k work (column j at j·m)
  const Q = new Float64Array(maxM * k); // kept orthonormal columns
  const R = new Float64Array(k * k); // R[row·k + col]
  const dofs = new Uint32Array(maxM);
  const kAgg = new Uint8Array(nAgg);
  const coarseStart = new Uint32Array(nAgg + 1);
  // Q values per fine DOF (row-major, up to k per DOF), and the coarse B.
  const qRows = new Float64Array(n * k);
  const Bc = new Float64Array(nAgg * k * k);
  for (let a = 0; a < nAgg; a++) {
    let m = 0;
    for (let q = aggPtr[a]; q < aggPtr[a + 1]; q++) {
      const b = aggBlocks[q];
      for (let i = blockPtr[b]; i < blockPtr[b + 1]; i++) dofs[m++] = i;
    }
    let maxNorm = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < m; r++) {
        const v = B[dofs[r] * k + j];
        W[j * m + r] = v;
        s += v * v;
      }
      maxNorm = Math.max(maxNorm, Math.sqrt(s));
    }
    R.fill(0);
    let kept = 0;
    for (let j = 0; j < k; j++) {
      const w0 = j * m;
      let norm0 = 0;
      for (let r = 0; r < m; r++) norm0 += W[w0 + r] * W[w0 + r];
      norm0 = Math.sqrt(norm0);
      // two Gram–Schmidt sweeps: w ← w − q_c (q_cᵀ w), accumulating R[c][j]
      for (let sweep = 0; sweep < 2; sweep++) {
        for (let c = 0; c < kept; c++) {
          const q0 = c * m;
          let h = 0;
          for (let r = 0; r < m; r++) h += Q[q0 + r] * W[w0 + r];
          for (let r = 0; r < m; r++) W[w0 + r] -= h * Q[q0 + r];
          R[c * k + j] += h;
        }
      }
      let nv = 0;
      for (let r = 0; r < m; r++) nv += W[w0 + r] * W[w0 + r];
      nv = Math.sqrt(nv);
      if (nv > 1e-8 * norm0 && nv > 1e-12 * maxNorm && kept < m) {
        const q0 = kept * m;
        const inv = 1 / nv;
        for (let r = 0; r < m; r++) Q[q0 + r] = W[w0 + r] * inv;
        R[kept * k + j] = nv;
        kept++;
      }
    }
    if (kept === 0) {
      throw new DimensionMismatchError(
        `smoothedAggregationAmg: the near-null space is zero on aggregate ${a} (DOFs ${dofs[0]}…); it must not vanish on any DOF block`,
      );
    }
    kAgg[a] = kept;
    coarseStart[a + 1] = coarseStart[a] + kept;
    for (let r = 0; r < m; r++) {
      const i = dofs[r];
      for (let c = 0; c < kept; c++) qRows[i * k + c] = Q[c * m + r];
    }
    // coarse B rows of this aggregate = rows of R (kept × k)
    const c0 = coarseStart[a];
    for (let c = 0; c < kept; c++) for (let j = 0; j < k; j++) Bc[(c0 + c) * k + j] = R[c * k + j];
  }
  const nc = coarseStart[nAgg];
  return { q: qRows, kAgg, coarseStart, B: Bc.slice(0, nc * k) };
}
