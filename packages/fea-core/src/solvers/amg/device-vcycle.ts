/**
 * The SA-AMG V-cycle on a device, written once against {@link DeviceKernels}
 * so every backend (reference f32/f64, gpu.js, WebGPU) runs the same code,
 * and an AMG-preconditioned device PCG usable as the f32 inner solver of
 * {@link mixedPrecisionSolve}.
 *
 * What runs where:
 * - Setup on the CPU in f64, unchanged: {@link smoothedAggregationAmg}
 *   builds A_ℓ, P_ℓ, R_ℓ = P_ℓᵀ, D_ℓ⁻¹, the smoother intervals and the
 *   Cholesky factor of the coarsest operator. The coarsest level is turned
 *   into a dense explicit inverse A_c⁻¹ = L⁻ᵀL⁻¹ here, in f64, and uploaded
 *   as a dense (rows × rows) sparse matrix, so the coarse solve is one SpMV:
 *   no triangular solves (sequential, latency-bound on a GPU) and no
 *   read-back to the host.
 * - Every level's A_ℓ, P_ℓ (rectangular), R_ℓ and D_ℓ⁻¹ is uploaded once;
 *   `apply(r, z)` only queues kernels (SpMVs, fused smoothing steps,
 *   copies), so a PCG iteration with the V-cycle still syncs only at the
 *   scalar checks.
 *
 * The cycle itself is `amgVcycle` (cycle.ts), the same function the CPU
 * preconditioner runs; this module supplies its {@link CycleKernels} on
 * device vectors.
 */
import { DimensionMismatchError } from '../../errors.js';
import type { CsrMatrix } from '../../linalg/types.js';
import {
  devicePcg,
  devicePcgWork,
  type DeviceKernels,
  type DeviceMatrix,
  type DevicePreconditioner,
  type DeviceVector,
} from '../device-pcg.js';
import type { InnerSolver } from '../mixed-precision.js';
import { choleskyInverse } from '../../linalg/dense.js';
import { amgVcycle, cyclePlan, type CycleKernels, type CycleVectors } from './cycle.js';
import type { AmgHierarchy, AmgOptions } from './hierarchy.js';
import { smoothedAggregationAmg, type AmgPreconditioner } from './smoothed-aggregation.js';

/** A row-major dense n×n matrix as CSR with every entry stored (the device coarse operator). */
function denseCsr(X: Float64Array, n: number): CsrMatrix {
  const rowPtr = new Uint32Array(n + 1);
  const colIdx = new Uint32Array(n * n);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = (i + 1) * n;
    for (let j = 0; j < n; j++) colIdx[i * n + j] = j;
  }
  return { rows: n, cols: n, rowPtr, colIdx, values: X };
}

/** Size figures of one level of a {@link DeviceAmgVcycle}. */
export interface DeviceAmgLevel {
  /** Rows of A_ℓ. */
  rows: number;
  /** Nonzeros of A_ℓ (n² for the dense coarse inverse). */
  nnz: number;
  /** Nonzeros of P_ℓ (and of R_ℓ); 0 on the coarsest level. */
  prolongatorNnz: number;
}

/** The AMG V-cycle as a {@link DevicePreconditioner}, with its device matrices. */
export interface DeviceAmgVcycle<V extends DeviceVector = DeviceVector, M extends DeviceMatrix = DeviceMatrix> extends DevicePreconditioner<V> {
  /** The fine operator A_0 on the device (reuse it for the PCG's SpMV). */
  readonly fineMatrix: M;
  /** Per-level sizes, finest first. */
  readonly levels: readonly DeviceAmgLevel[];
  /** How the coarsest level is solved: a dense explicit inverse (one SpMV) or Chebyshev smoothing (level cap reached). */
  readonly coarse: 'dense-inverse' | 'smoothing';
  /** Matrix values held on the device (Σ nnz of A_ℓ, P_ℓ, R_ℓ and the coarse inverse), before format padding. */
  readonly storedValues: number;
}

interface DeviceLevel<V, M> {
  n: number;
  A?: M;
  invD?: V;
  P?: M;
  R?: M;
  /** Coarse inverse (coarsest level, dense). */
  Ainv?: M;
}

/**
 * Uploads an SA-AMG hierarchy to a device and returns its V-cycle as a
 * {@link DevicePreconditioner}: `apply(r, z)` queues `z ← M⁻¹r`, the same
 * operator as the CPU cycle `amg.apply` up to the device's round-off.
 *
 * @param k device kernels (any backend)
 * @param amg the CPU preconditioner (its `hierarchy`) or the hierarchy itself
 * @throws DimensionMismatchError when the hierarchy is inconsistent (P/R sizes do not chain)
 * @example
 * ```ts
 * const amg = smoothedAggregationAmg(K, { blockPtr, nearNullSpace, nullSpaceDim: 6 });
 * const M = deviceAmgVcycle(k, amg);
 * const res = await devicePcg(k, M.fineMatrix, M, f, { tolerance: 1e-4, maxIterations: 500 });
 * ```
 */
export function deviceAmgVcycle<V extends DeviceVector, M extends DeviceMatrix>(
  k: DeviceKernels<V, M>,
  amg: AmgPreconditioner | AmgHierarchy,
): DeviceAmgVcycle<V, M> {
  const h: AmgHierarchy = 'hierarchy' in amg ? amg.hierarchy : amg;
  const nl = h.levels.length;
  if (nl < 1) throw new DimensionMismatchError('deviceAmgVcycle: the hierarchy has no levels');
  for (let l = 0; l + 1 < nl; l++) {
    const { A, P, R } = h.levels[l];
    const nc = h.levels[l + 1].A.rows;
    if (!P || !R || P.rows !== A.rows || P.cols !== nc || R.rows !== nc || R.cols !== A.rows) {
      throw new DimensionMismatchError(
        `deviceAmgVcycle: level ${l} (${A.rows} rows) needs P ${A.rows}×${nc} and R ${nc}×${A.rows}, got P ${P?.rows}×${P?.cols}, R ${R?.rows}×${R?.cols}`,
      );
    }
  }
  const direct = h.coarseCholesky !== undefined;
  let storedValues = 0;
  const v: CycleVectors<V> = { x: [], b: [], r: [], d: [] };
  const levels: DeviceLevel<V, M>[] = h.levels.map((src, l) => {
    const n = src.A.rows;
    const last = l === nl - 1;
    const L: DeviceLevel<V, M> = { n };
    if (last && direct) {
      const inv = denseCsr(choleskyInverse(h.coarseCholesky!, n), n);
      L.Ainv = k.uploadMatrix(inv);
      storedValues += n * n;
    } else {
      L.A = k.uploadMatrix(src.A);
      storedValues += src.A.rowPtr[n];
      L.invD = k.alloc(n);
      k.write(src.invDiag, L.invD);
      v.r[l] = k.alloc(n);
      v.d[l] = k.alloc(n);
    }
    if (!last) {
      L.P = k.uploadMatrix(src.P!);
      L.R = k.uploadMatrix(src.R!);
      storedValues += 2 * src.P!.rowPtr[n];
    }
    if (l > 0) {
      v.x[l] = k.alloc(n);
      v.b[l] = k.alloc(n);
    }
    return L;
  });
  const fineMatrix = levels[0].A ?? k.uploadMatrix(h.levels[0].A);
  const n0 = levels[0].n;
  const plan = cyclePlan(h);
  const ops: CycleKernels<V> = {
    residual(l, x, b, r) {
      if (r !== b) k.copy(b, r);
      k.spmvUpdate(levels[l].A!, x, r, -1, 1); // r ← r − A·x
    },
    smoothStep(l, src, d, x, c1, c2, xScale) {
      k.smoothStep(levels[l].invD!, src, d, x, c1, c2, xScale);
    },
    restrict(l, r, bc) {
      k.spmvUpdate(levels[l].R!, r, bc, 1, 0); // b_ℓ₊₁ ← R_ℓ·r_ℓ
    },
    prolongAdd(l, xc, x) {
      k.spmvUpdate(levels[l].P!, xc, x, 1, 1); // x_ℓ ← x_ℓ + P_ℓ·x_ℓ₊₁
    },
    coarseSolve(b, x) {
      k.spmvUpdate(levels[nl - 1].Ainv!, b, x, 1, 0); // x ← A_c⁻¹·b
    },
  };

  const levelInfo: DeviceAmgLevel[] = h.levels.map((src, l) => ({
    rows: src.A.rows,
    nnz: levels[l].Ainv ? src.A.rows * src.A.rows : src.A.rowPtr[src.A.rows],
    prolongatorNnz: src.P ? src.P.rowPtr[src.P.rows] : 0,
  }));

  return {
    name: `AMG V-cycle (${nl} levels, ${h.smoother} degree ${h.degree}, coarse ${direct ? `dense inverse ${levels[nl - 1].n}²` : 'smoothing'}) on ${k.name}`,
    size: n0,
    fineMatrix,
    levels: levelInfo,
    coarse: direct ? 'dense-inverse' : 'smoothing',
    storedValues,
    apply(r: V, z: V): void {
      if (r.length !== n0 || z.length !== n0) {
        throw new DimensionMismatchError(`device AMG V-cycle of size ${n0} applied to vectors of length ${r.length} / ${z.length}`);
      }
      if (r === z) throw new DimensionMismatchError('device AMG V-cycle: r and z must be different vectors');
      v.b[0] = r;
      v.x[0] = z;
      amgVcycle(plan, ops, v);
    },
    dispose(): void {
      if (!k.free) return;
      const free = k.free.bind(k);
      for (const L of levels) if (L.invD) free(L.invD);
      // level 0's x and b are the caller's vectors
      for (const w of [...v.r, ...v.d, ...v.x.slice(1), ...v.b.slice(1)]) if (w) free(w);
    },
  };
}

/** Options of {@link deviceAmgInnerSolver}. */
export interface DeviceAmgInnerSolverOptions {
  /** Iterations queued between scalar readbacks (default 4: an AMG iteration costs ≈ 8 fine SpMVs and the inner solve needs only ~10–16, so a coarse check interval would mostly run past convergence). */
  checkEvery?: number;
}

/**
 * An {@link InnerSolver} running AMG-preconditioned PCG on a device: the
 * hierarchy is built on the CPU (or taken from a prebuilt
 * {@link AmgPreconditioner}), uploaded once with the fine matrix, and every
 * refinement step of {@link mixedPrecisionSolve} runs `devicePcg` with the
 * device V-cycle, work vectors reused.
 *
 * @param k device kernels (WebGPU, gpu.js, reference)
 * @param A SPD matrix (f64 CSR, N/mm), the system the refinement loop solves
 * @param amg a prebuilt SA-AMG of A, or the options to build one (DOF blocks = nodes, near-null space = rigid-body modes)
 * @param options readback interval
 * @throws DimensionMismatchError when the prebuilt AMG is for a matrix of another size
 * @example
 * ```ts
 * const tr = buildConstraintTransform(model);
 * const inner = deviceAmgInnerSolver(referenceDeviceKernels('f32'), K, {
 *   blockPtr: blockPointers(tr), nearNullSpace: reducedRigidBodyModes(model.mesh.nodes, tr), nullSpaceDim: 6,
 * });
 * const sol = await mixedPrecisionSolve(K, f, inner, { tolerance: 1e-10 });
 * ```
 */
export function deviceAmgInnerSolver<V extends DeviceVector, M extends DeviceMatrix>(
  k: DeviceKernels<V, M>,
  A: CsrMatrix,
  amg: AmgPreconditioner | AmgOptions,
  options: DeviceAmgInnerSolverOptions = {},
): InnerSolver & { readonly kernels: DeviceKernels<V, M>; readonly preconditioner: DeviceAmgVcycle<V, M>; readonly amg: AmgPreconditioner; readonly checks: number } {
  const cpu = 'hierarchy' in amg ? amg : smoothedAggregationAmg(A, amg);
  const A0 = cpu.hierarchy.levels[0].A;
  if (A0.rows !== A.rows || A0.cols !== A.cols || A0.rowPtr[A0.rows] !== A.rowPtr[A.rows]) {
    throw new DimensionMismatchError(
      `deviceAmgInnerSolver: the AMG was built for a ${A0.rows}×${A0.cols} matrix with ${A0.rowPtr[A0.rows]} nonzeros, not this ${A.rows}×${A.cols} one with ${A.rowPtr[A.rows]}`,
    );
  }
  const checkEvery = options.checkEvery ?? 4;
  const M = deviceAmgVcycle(k, cpu);
  const work = devicePcgWork(k, A.rows);
  let checks = 0;
  return {
    name: `${k.name}+amg`,
    size: A.rows,
    kernels: k,
    preconditioner: M,
    amg: cpu,
    get checks() {
      return checks;
    },
    async solve(r, opts) {
      const res = await devicePcg(k, M.fineMatrix, M, r, { ...opts, checkEvery }, work);
      checks += res.checks;
      return res;
    },
    dispose: () => k.dispose(),
  };
}
