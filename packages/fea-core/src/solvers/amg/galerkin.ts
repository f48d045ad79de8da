/**
 * Block-structured kernels of the smoothed-aggregation setup: the smoothed
 * prolongator P = (I − ω·D⁻¹A)·P_tent and the Galerkin product A_c = Pᵀ·A·P.
 *
 * Why blocks: the DOFs of one node (fine level) or one aggregate (coarse
 * levels) share their sparsity pattern, and a coarse block column (one
 * aggregate, ≤ k DOFs) is dense. Working on a variable block sparse row
 * (VBSR) layout, the symbolic bookkeeping (markers, slot look-ups, sorting)
 * is done once per block pair instead of once per scalar entry, and the
 * inner loops are short dense products. A·P is never stored: each fine block
 * row of A·P is formed in a scratch buffer and immediately scattered into
 * the upper block triangle of A_c, which is mirrored at the end (so A_c is
 * exactly symmetric).
 *
 * VBSR layout used here (P: fine blocks × aggregates):
 * - `ptr[I] .. ptr[I+1]−1`: block entries of block row I;
 * - `idx[e]`: block column (aggregate) of entry e, ascending within a row;
 * - `off[e]`: offset of entry e's dense block in `val`, stored row-major
 *   (rows = DOFs of block I, columns = coarse DOFs of the aggregate).
 */
import type { CsrMatrix } from '../../linalg/types.js';

/** Variable block sparse row matrix (see the module comment). */
export interface VbsrMatrix {
  ptr: Uint32Array;
  idx: Uint32Array;
  off: Uint32Array;
  val: Float64Array;
}

/** A growable Uint32Array. */
class U32Buffer {
  data: Uint32Array;
  size = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.size === this.data.length) {
      const d = new Uint32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.size++] = v;
  }
  take(): Uint32Array {
    return this.data.slice(0, this.size);
  }
}

/** Ascending insertion sort of a[s..e) (block rows hold a few dozen entries). */
function sortSmall(a: Uint32Array, s: number, e: number): void {
  for (let p = s + 1; p < e; p++) {
    const v = a[p];
    let q = p - 1;
    while (q >= s && a[q] > v) {
      a[q + 1] = a[q];
      q--;
    }
    a[q + 1] = v;
  }
}

/**
 * Smoothed prolongator in VBSR form:
 * `P_{I,a} = δ_{a,agg(I)}·Q_I − ω·D_I⁻¹·Σ_J A_IJ·Q_J·δ_{a,agg(J)}`.
 *
 * @param A fine matrix (CSR, scalar)
 * @param blockPtr fine DOF blocks
 * @param blockOf block of every fine DOF
 * @param agg aggregate of every fine block
 * @param kAgg coarse DOFs (orthonormal columns) of every aggregate
 * @param q tentative prolongator rows: DOF i's values at `q[i·k + c]`, c < kAgg[agg(i)]
 * @param k row stride of `q`
 * @param invDiag 1/a_ii
 * @param omega damping ω
 */
export function smoothedProlongatorVbsr(
  A: CsrMatrix,
  blockPtr: Uint32Array,
  blockOf: Uint32Array,
  agg: Int32Array,
  nAgg: number,
  kAgg: Uint8Array,
  q: Float64Array,
  k: number,
  invDiag: Float64Array,
  omega: number,
): VbsrMatrix {
  const nb = blockPtr.length - 1;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const va = A.values;
  const stamp = new Int32Array(nAgg).fill(-1);
  const slot = new Uint32Array(nAgg);
  const ptr = new Uint32Array(nb + 1);
  const idx = new U32Buffer(nb * 8);
  // Symbolic: block row I of P = aggregates of the blocks A couples I to.
  for (let I = 0; I < nb; I++) {
    const start = idx.size;
    for (let i = blockPtr[I]; i < blockPtr[I + 1]; i++) {
      for (let p = rp[i]; p < rp[i + 1]; p++) {
        const a = agg[blockOf[ci[p]]];
        if (stamp[a] !== I) {
          stamp[a] = I;
          idx.push(a);
        }
      }
    }
    sortSmall(idx.data, start, idx.size);
    ptr[I + 1] = idx.size;
  }
  const pIdx = idx.take();
  const off = new Uint32Array(pIdx.length + 1);
  for (let I = 0; I < nb; I++) {
    const s = blockPtr[I + 1] - blockPtr[I];
    for (let e = ptr[I]; e < ptr[I + 1]; e++) off[e + 1] = off[e] + s * kAgg[pIdx[e]];
  }
  const val = new Float64Array(off[pIdx.length]);
  stamp.fill(-1);
  for (let I = 0; I < nb; I++) {
    for (let e = ptr[I]; e < ptr[I + 1]; e++) {
      stamp[pIdx[e]] = I;
      slot[pIdx[e]] = e;
    }
    const b0 = blockPtr[I];
    // P_tent part: the block's own aggregate
    const a0 = agg[I];
    const k0 = kAgg[a0];
    const e0 = off[slot[a0]];
    for (let i = b0; i < blockPtr[I + 1]; i++) {
      const dst = e0 + (i - b0) * k0;
      for (let c = 0; c < k0; c++) val[dst + c] = q[i * k + c];
    }
    // − ω·D⁻¹·A·P_tent part, one run of row i's columns inside one block J at a time (columns are
    // sorted and a block's DOFs contiguous, so a run is the row's slice of A_IJ): the aggregate
    // look-ups are paid once per run, and the run's products are summed in registers.
    for (let i = b0; i < blockPtr[I + 1]; i++) {
      const li = i - b0;
      const s = -omega * invDiag[i];
      const end = rp[i + 1];
      let p = rp[i];
      while (p < end) {
        const J = blockOf[ci[p]];
        const jEnd = blockPtr[J + 1];
        let t = p + 1;
        while (t < end && ci[t] < jEnd) t++;
        const a = agg[J];
        const ka = kAgg[a];
        const dst = off[slot[a]] + li * ka;
        for (let c = 0; c < ka; c++) {
          let acc = 0;
          for (let u = p; u < t; u++) acc += va[u] * q[ci[u] * k + c]; // Σ_j a_ij·Q_jc over the run
          val[dst + c] += s * acc; // P_ic += −ω/a_ii · Σ_j a_ij·Q_jc
        }
        p = t;
      }
    }
  }
  return { ptr, idx: pIdx, off, val };
}

/**
 * Scalar CSR copy of a VBSR matrix (rows = fine DOFs, columns = coarse
 * DOFs `coarseStart[a] + c`); columns come out sorted.
 */
export function vbsrToCsr(P: VbsrMatrix, blockPtr: Uint32Array, coarseStart: Uint32Array): CsrMatrix {
  const nb = blockPtr.length - 1;
  const n = blockPtr[nb];
  const nc = coarseStart[coarseStart.length - 1];
  const rowPtr = new Uint32Array(n + 1);
  for (let I = 0; I < nb; I++) {
    let w = 0;
    for (let e = P.ptr[I]; e < P.ptr[I + 1]; e++) w += coarseStart[P.idx[e] + 1] - coarseStart[P.idx[e]];
    for (let i = blockPtr[I]; i < blockPtr[I + 1]; i++) rowPtr[i + 1] = rowPtr[i] + w;
  }
  const colIdx = new Uint32Array(rowPtr[n]);
  const values = new Float64Array(rowPtr[n]);
  for (let I = 0; I < nb; I++) {
    const b0 = blockPtr[I];
    for (let i = b0; i < blockPtr[I + 1]; i++) {
      let p = rowPtr[i];
      for (let e = P.ptr[I]; e < P.ptr[I + 1]; e++) {
        const a = P.idx[e];
        const c0 = coarseStart[a];
        const ka = coarseStart[a + 1] - c0;
        const src = P.off[e] + (i - b0) * ka;
        for (let c = 0; c < ka; c++) {
          colIdx[p] = c0 + c;
          values[p++] = P.val[src + c];
        }
      }
    }
  }
  return { rows: n, cols: nc, rowPtr, colIdx, values };
}

/**
 * Galerkin coarse operator `A_c = Pᵀ·A·P` (A symmetric), returned as scalar
 * CSR over the coarse DOFs.
 *
 * Symbolic: pattern(A·P)_I = ∪_{J ~ I} pattern(P)_J; pattern(A_c)_a (upper,
 * b ≥ a) = ∪_{I : a ∈ pattern(P)_I} pattern(A·P)_I.
 * Numeric, per fine block row I:
 *   W_Ib = Σ_J A_IJ·P_Jb            (scratch, never stored)
 *   (A_c)_ab += P_Iaᵀ·W_Ib          for a ∈ pattern(P)_I, b ∈ pattern(W)_I, b ≥ a
 * then the lower triangle is the mirror image: (A_c)_ba = (A_c)_abᵀ.
 */
export function galerkinProduct(
  A: CsrMatrix,
  blockPtr: Uint32Array,
  blockOf: Uint32Array,
  P: VbsrMatrix,
  coarseStart: Uint32Array,
): CsrMatrix {
  const nb = blockPtr.length - 1;
  const nAgg = coarseStart.length - 1;
  const rp = A.rowPtr;
  const ci = A.colIdx;
  const va = A.values;
  const { ptr: pPtr, idx: pIdx, off: pOff, val: pVal } = P;

  // --- symbolic: block pattern of W = A·P per fine block row
  const stampJ = new Int32Array(nb).fill(-1);
  const stampB = new Int32Array(nAgg).fill(-1);
  const wPtr = new Uint32Array(nb + 1);
  const wBuf = new U32Buffer(nb * 16);
  let maxW = 0;
  for (let I = 0; I < nb; I++) {
    let width = 0;
    for (let i = blockPtr[I]; i < blockPtr[I + 1]; i++) {
      for (let p = rp[i]; p < rp[i + 1]; p++) {
        const J = blockOf[ci[p]];
        if (stampJ[J] === I) continue;
        stampJ[J] = I;
        for (let e = pPtr[J]; e < pPtr[J + 1]; e++) {
          const b = pIdx[e];
          if (stampB[b] !== I) {
            stampB[b] = I;
            wBuf.push(b);
            width += coarseStart[b + 1] - coarseStart[b];
          }
        }
      }
    }
    wPtr[I + 1] = wBuf.size;
    maxW = Math.max(maxW, width * (blockPtr[I + 1] - blockPtr[I]));
  }
  const wIdx = wBuf.take();

  // --- symbolic: upper block pattern of A_c via Pᵀ (aggregate → fine blocks)
  const tPtr = new Uint32Array(nAgg + 1);
  for (let e = 0; e < pIdx.length; e++) tPtr[pIdx[e] + 1]++;
  for (let a = 0; a < nAgg; a++) tPtr[a + 1] += tPtr[a];
  const tFill = tPtr.slice(0, nAgg);
  const tIdx = new Uint32Array(pIdx.length);
  for (let I = 0; I < nb; I++) for (let e = pPtr[I]; e < pPtr[I + 1]; e++) tIdx[tFill[pIdx[e]]++] = I;
  const cPtr = new Uint32Array(nAgg + 1);
  const cBuf = new U32Buffer(nAgg * 32);
  stampB.fill(-1);
  for (let a = 0; a < nAgg; a++) {
    const start = cBuf.size;
    for (let t = tPtr[a]; t < tPtr[a + 1]; t++) {
      const I = tIdx[t];
      for (let w = wPtr[I]; w < wPtr[I + 1]; w++) {
        const b = wIdx[w];
        if (b >= a && stampB[b] !== a) {
          stampB[b] = a;
          cBuf.push(b);
        }
      }
    }
    sortSmall(cBuf.data, start, cBuf.size);
    cPtr[a + 1] = cBuf.size;
  }
  const cIdx = cBuf.take();
  const cOff = new Uint32Array(cIdx.length + 1);
  for (let a = 0; a < nAgg; a++) {
    const ka = coarseStart[a + 1] - coarseStart[a];
    for (let e = cPtr[a]; e < cPtr[a + 1]; e++) cOff[e + 1] = cOff[e] + ka * (coarseStart[cIdx[e] + 1] - coarseStart[cIdx[e]]);
  }
  const cVal = new Float64Array(cOff[cIdx.length]);

  // --- numeric
  const scratch = new Float64Array(Math.max(1, maxW));
  const wOffOf = new Uint32Array(nAgg); // scratch offset of block column b in the current row
  for (let I = 0; I < nb; I++) {
    const b0 = blockPtr[I];
    const sI = blockPtr[I + 1] - b0;
    let o = 0;
    for (let w = wPtr[I]; w < wPtr[I + 1]; w++) {
      const b = wIdx[w];
      wOffOf[b] = o;
      o += sI * (coarseStart[b + 1] - coarseStart[b]);
    }
    scratch.fill(0, 0, o);
    // W_I = A_I·P (row-major per block: sI × kb), by runs of row i inside one block J (see
    // smoothedProlongatorVbsr): W_ic += Σ_{j in run} a_ij·P_jc, summed in registers per run.
    for (let i = b0; i < b0 + sI; i++) {
      const li = i - b0;
      const end = rp[i + 1];
      let p = rp[i];
      while (p < end) {
        const J = blockOf[ci[p]];
        const j0 = blockPtr[J];
        const jEnd = blockPtr[J + 1];
        let t = p + 1;
        while (t < end && ci[t] < jEnd) t++;
        for (let e = pPtr[J]; e < pPtr[J + 1]; e++) {
          const b = pIdx[e];
          const kb = coarseStart[b + 1] - coarseStart[b];
          const base = pOff[e] - j0 * kb; // P_jc at base + j·kb + c
          const dst = wOffOf[b] + li * kb;
          if (kb === 6) {
            let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0; // prettier-ignore
            for (let u = p; u < t; u++) {
              const aij = va[u];
              const src = base + ci[u] * 6;
              s0 += aij * pVal[src];
              s1 += aij * pVal[src + 1];
              s2 += aij * pVal[src + 2];
              s3 += aij * pVal[src + 3];
              s4 += aij * pVal[src + 4];
              s5 += aij * pVal[src + 5];
            }
            scratch[dst] += s0;
            scratch[dst + 1] += s1;
            scratch[dst + 2] += s2;
            scratch[dst + 3] += s3;
            scratch[dst + 4] += s4;
            scratch[dst + 5] += s5;
          } else {
            for (let c = 0; c < kb; c++) {
              let acc = 0;
              for (let u = p; u < t; u++) acc += va[u] * pVal[base + ci[u] * kb + c];
              scratch[dst + c] += acc;
            }
          }
        }
        p = t;
      }
    }
    // (A_c)_ab += P_Iaᵀ·W_Ib for b ≥ a
    for (let e1 = pPtr[I]; e1 < pPtr[I + 1]; e1++) {
      const a = pIdx[e1];
      const ka = coarseStart[a + 1] - coarseStart[a];
      const pa = pOff[e1];
      const rs = cPtr[a];
      const re = cPtr[a + 1];
      for (let w = wPtr[I]; w < wPtr[I + 1]; w++) {
        const b = wIdx[w];
        if (b < a) continue;
        // binary search of block column b in upper row a
        let lo = rs;
        let hi = re;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cIdx[mid] < b) lo = mid + 1;
          else hi = mid;
        }
        const kb = coarseStart[b + 1] - coarseStart[b];
        const dst = cOff[lo];
        const wb = wOffOf[b];
        // (A_c)_rc += Σ_li P_{li,r}·W_{li,c}: the sum over the block's fine DOFs in registers
        for (let r = 0; r < ka; r++) {
          const d = dst + r * kb;
          if (kb === 6) {
            let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0; // prettier-ignore
            for (let li = 0; li < sI; li++) {
              const pr = pVal[pa + li * ka + r];
              const w = wb + li * 6;
              s0 += pr * scratch[w];
              s1 += pr * scratch[w + 1];
              s2 += pr * scratch[w + 2];
              s3 += pr * scratch[w + 3];
              s4 += pr * scratch[w + 4];
              s5 += pr * scratch[w + 5];
            }
            cVal[d] += s0;
            cVal[d + 1] += s1;
            cVal[d + 2] += s2;
            cVal[d + 3] += s3;
            cVal[d + 4] += s4;
            cVal[d + 5] += s5;
          } else {
            for (let c = 0; c < kb; c++) {
              let acc = 0;
              for (let li = 0; li < sI; li++) acc += pVal[pa + li * ka + r] * scratch[wb + li * kb + c];
              cVal[d + c] += acc;
            }
          }
        }
      }
    }
  }

  // The diagonal blocks were accumulated in full (b = a), so they are symmetric up to
  // round-off only; average them so A_c is exactly symmetric.
  for (let a = 0; a < nAgg; a++) {
    const e = cPtr[a]; // b = a is the first upper entry of row a
    const ka = coarseStart[a + 1] - coarseStart[a];
    const base = cOff[e];
    for (let r = 0; r < ka; r++) {
      for (let c = r + 1; c < ka; c++) {
        const m = 0.5 * (cVal[base + r * ka + c] + cVal[base + c * ka + r]);
        cVal[base + r * ka + c] = m;
        cVal[base + c * ka + r] = m;
      }
    }
  }

  // --- mirror into a full scalar CSR
  // lower block entries of row a: (b, a) stored in upper row b < a
  const lPtr = new Uint32Array(nAgg + 1);
  for (let b = 0; b < nAgg; b++) for (let e = cPtr[b]; e < cPtr[b + 1]; e++) if (cIdx[e] !== b) lPtr[cIdx[e] + 1]++;
  for (let a = 0; a < nAgg; a++) lPtr[a + 1] += lPtr[a];
  const lFill = lPtr.slice(0, nAgg);
  const lSrc = new Uint32Array(lPtr[nAgg]); // upper entry index holding (b, a)
  const lRow = new Uint32Array(lPtr[nAgg]); // b
  for (let b = 0; b < nAgg; b++) {
    for (let e = cPtr[b]; e < cPtr[b + 1]; e++) {
      const a = cIdx[e];
      if (a === b) continue;
      const q = lFill[a]++;
      lSrc[q] = e;
      lRow[q] = b;
    }
  }
  const nc = coarseStart[nAgg];
  const rowPtr = new Uint32Array(nc + 1);
  for (let a = 0; a < nAgg; a++) {
    let w = 0;
    for (let q = lPtr[a]; q < lPtr[a + 1]; q++) w += coarseStart[lRow[q] + 1] - coarseStart[lRow[q]];
    for (let e = cPtr[a]; e < cPtr[a + 1]; e++) w += coarseStart[cIdx[e] + 1] - coarseStart[cIdx[e]];
    for (let r = coarseStart[a]; r < coarseStart[a + 1]; r++) rowPtr[r + 1] = rowPtr[r] + w;
  }
  const colIdx = new Uint32Array(rowPtr[nc]);
  const values = new Float64Array(rowPtr[nc]);
  for (let a = 0; a < nAgg; a++) {
    const ca = coarseStart[a];
    const ka = coarseStart[a + 1] - ca;
    for (let la = 0; la < ka; la++) {
      let p = rowPtr[ca + la];
      for (let q = lPtr[a]; q < lPtr[a + 1]; q++) {
        const b = lRow[q];
        const cb = coarseStart[b];
        const kb = coarseStart[b + 1] - cb;
        const base = cOff[lSrc[q]]; // block (b, a): kb × ka, entry [lb, la]
        for (let lb = 0; lb < kb; lb++) {
          colIdx[p] = cb + lb;
          values[p++] = cVal[base + lb * ka + la];
        }
      }
      for (let e = cPtr[a]; e < cPtr[a + 1]; e++) {
        const b = cIdx[e];
        const cb = coarseStart[b];
        const kb = coarseStart[b + 1] - cb;
        const base = cOff[e] + la * kb;
        for (let lb = 0; lb < kb; lb++) {
          colIdx[p] = cb + lb;
          values[p++] = cVal[base + lb];
        }
      }
    }
  }
  return { rows: nc, cols: nc, rowPtr, colIdx, values };
}
