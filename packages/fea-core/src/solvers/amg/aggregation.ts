/**
 * Strength of connection and greedy aggregation of the DOF blocks (nodes on
 * the finest level, aggregates below) of one level of the smoothed-
 * aggregation hierarchy (Vaněk, Mandel & Brezina 1996).
 */
import type { CsrMatrix } from '../../linalg/types.js';

/** A growable Uint32/Float64 pair buffer (adjacency lists built in one pass). */
class EdgeBuffer {
  idx: Uint32Array;
  val: Float64Array;
  size = 0;
  constructor(capacity: number) {
    this.idx = new Uint32Array(Math.max(16, capacity));
    this.val = new Float64Array(Math.max(16, capacity));
  }
  push(j: number, v: number): void {
    if (this.size === this.idx.length) {
      const ni = new Uint32Array(this.idx.length * 2);
      ni.set(this.idx);
      this.idx = ni;
      const nv = new Float64Array(this.val.length * 2);
      nv.set(this.val);
      this.val = nv;
    }
    this.idx[this.size] = j;
    this.val[this.size++] = v;
  }
}

/** The strong block graph: CSR adjacency (without self) with strengths ‖A_IJ‖_F / √(‖A_II‖‖A_JJ‖). */
export interface StrongGraph {
  ptr: Uint32Array;
  idx: Uint32Array;
  strength: Float64Array;
}

/**
 * Strong block graph of a level: blocks I ≠ J are strongly connected when
 * ‖A_IJ‖_F ≥ θ·√(‖A_II‖_F·‖A_JJ‖_F) (Frobenius norms of the DOF blocks).
 * Deterministic (rows scanned in order).
 *
 * @param blockOf block of every DOF
 * @param theta strength threshold θ
 * @example
 * ```ts
 * const blockOf = new Uint32Array(A.rows);
 * for (let I = 0; I + 1 < blockPtr.length; I++) blockOf.fill(I, blockPtr[I], blockPtr[I + 1]);
 * const G = strongBlockGraph(A, blockPtr, blockOf, 0.08);
 * const { agg, count } = aggregate(G, blockPtr.length - 1);
 * ```
 */
export function strongBlockGraph(A: CsrMatrix, blockPtr: Uint32Array, blockOf: Uint32Array, theta: number): StrongGraph {
  const nb = blockPtr.length - 1;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const va = A.values;
  // ‖A_II‖_F² of every diagonal block
  const diag2 = new Float64Array(nb);
  for (let I = 0; I < nb; I++) {
    let s = 0;
    for (let i = blockPtr[I]; i < blockPtr[I + 1]; i++) {
      for (let p = rp[i]; p < rp[i + 1]; p++) if (blockOf[ci[p]] === I) s += va[p] * va[p];
    }
    diag2[I] = s;
  }
  const diagN = new Float64Array(nb);
  for (let I = 0; I < nb; I++) diagN[I] = Math.sqrt(diag2[I]);
  const marker = new Int32Array(nb).fill(-1);
  const acc = new Float64Array(nb);
  const list = new Uint32Array(nb);
  const ptr = new Uint32Array(nb + 1);
  const buf = new EdgeBuffer(Math.ceil((rp[A.rows] / Math.max(1, A.rows)) * nb * 0.5));
  const theta2 = theta * theta;
  for (let I = 0; I < nb; I++) {
    let cnt = 0;
    for (let i = blockPtr[I]; i < blockPtr[I + 1]; i++) {
      for (let p = rp[i]; p < rp[i + 1]; p++) {
        const J = blockOf[ci[p]];
        const a2 = va[p] * va[p];
        if (marker[J] !== I) {
          marker[J] = I;
          acc[J] = a2;
          list[cnt++] = J;
        } else acc[J] += a2;
      }
    }
    // (scan order is deterministic, so the graph is too; no sort needed)
    for (let q = 0; q < cnt; q++) {
      const J = list[q];
      if (J === I) continue;
      // ‖A_IJ‖ ≥ θ·√(‖A_II‖·‖A_JJ‖)  ⇔  ‖A_IJ‖² ≥ θ²·‖A_II‖·‖A_JJ‖
      const d = diagN[I] * diagN[J];
      if (acc[J] >= theta2 * d && acc[J] > 0) buf.push(J, Math.sqrt(acc[J] / d));
    }
    ptr[I + 1] = buf.size;
  }
  return { ptr, idx: buf.idx.slice(0, buf.size), strength: buf.val.slice(0, buf.size) };
}

/**
 * Greedy 3-pass aggregation (Vaněk, Mandel, Brezina):
 * 1. a block whose strong neighbours are all free forms an aggregate with them;
 * 2. every remaining block joins the pass-1 aggregate it is most strongly connected to;
 * 3. what is still left forms aggregates with its free strong neighbours (singletons if none).
 * Returns the aggregate of every block and the aggregate count.
 *
 * @example
 * ```ts
 * const blockOf = new Uint32Array(A.rows);
 * for (let I = 0; I + 1 < blockPtr.length; I++) blockOf.fill(I, blockPtr[I], blockPtr[I + 1]);
 * const { agg, count } = aggregate(strongBlockGraph(A, blockPtr, blockOf, 0.08), blockPtr.length - 1);
 * ```
 */
export function aggregate(G: StrongGraph, nb: number): { agg: Int32Array; count: number } {
  const agg = new Int32Array(nb).fill(-1);
  const { ptr, idx, strength } = G;
  let count = 0;
  // Pass 1: root blocks with an entirely free strong neighbourhood.
  for (let i = 0; i < nb; i++) {
    if (agg[i] >= 0 || ptr[i + 1] === ptr[i]) continue;
    let free = true;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      if (agg[idx[p]] >= 0) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    agg[i] = count;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) agg[idx[p]] = count;
    count++;
  }
  const pass1 = count;
  // Pass 2: attach to the strongest neighbouring pass-1 aggregate.
  const joined = new Int32Array(nb).fill(-1);
  for (let i = 0; i < nb; i++) {
    if (agg[i] >= 0) continue;
    let best = -1;
    let bestS = -1;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      const a = agg[idx[p]];
      if (a >= 0 && a < pass1 && strength[p] > bestS) {
        bestS = strength[p];
        best = a;
      }
    }
    joined[i] = best;
  }
  for (let i = 0; i < nb; i++) if (joined[i] >= 0) agg[i] = joined[i];
  // Pass 3: leftovers aggregate among themselves; a leftover whose strong
  // neighbours are all taken joins the strongest one's aggregate instead of
  // becoming a singleton (singletons would stall the coarsening on dense
  // coarse levels). Only blocks without any strong neighbour stay alone.
  for (let i = 0; i < nb; i++) {
    if (agg[i] >= 0) continue;
    let freeNeighbours = 0;
    let best = -1;
    let bestS = -1;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      const a = agg[idx[p]];
      if (a < 0) freeNeighbours++;
      else if (strength[p] > bestS) {
        bestS = strength[p];
        best = a;
      }
    }
    if (freeNeighbours === 0 && best >= 0) {
      agg[i] = best;
      continue;
    }
    agg[i] = count;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) if (agg[idx[p]] < 0) agg[idx[p]] = count;
    count++;
  }
  return { agg, count };
}
