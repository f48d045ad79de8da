/**
 * Smoothed-aggregation algebraic multigrid (SA-AMG) for elasticity as a
 * {@link Preconditioner} for PCG: the hierarchy of `hierarchy.ts` (data)
 * and the V-cycle of `cycle.ts` (function) on host arrays.
 *
 * Load independence: the hierarchy depends only on the matrix and the
 * near-null space, never on a right-hand side; one preconditioner serves
 * every load case of a prepared model.
 */
import { DimensionMismatchError } from '../../errors.js';
import type { CsrMatrix, Preconditioner } from '../../linalg/types.js';
import { amgVcycle, cyclePlan, hostCycleKernels, type CycleVectors } from './cycle.js';
import { buildAmgHierarchy, type AmgHierarchy, type AmgOptions } from './hierarchy.js';

/** Size of one level of the hierarchy. */
export interface AmgLevelInfo {
  /** Rows (DOFs) of the level's operator. */
  rows: number;
  /** Stored nonzeros of the level's operator. */
  nnz: number;
  /** DOF blocks of the level (nodes on the finest, aggregates below). */
  blocks: number;
  /** Estimated ρ(D⁻¹A) of the level (Lanczos); 0 on the coarsest (direct) level. */
  spectralRadius: number;
}

/** The SA-AMG V-cycle preconditioner with its hierarchy statistics. */
export interface AmgPreconditioner extends Preconditioner {
  /** Level sizes, finest first. */
  readonly levels: readonly AmgLevelInfo[];
  /** Σ_ℓ nnz(A_ℓ) / nnz(A_0): work of a cycle relative to one fine SpMV. */
  readonly operatorComplexity: number;
  /** Σ_ℓ rows(A_ℓ) / rows(A_0). */
  readonly gridComplexity: number;
  /** Wall time of the setup, ms. */
  readonly setupMs: number;
  /** Setup wall time by phase, ms (see {@link AmgHierarchy.setupPhases}). */
  readonly setupPhases: Readonly<Record<string, number>>;
  /** Setup CPU time by phase, ms (see {@link AmgHierarchy.setupCpuPhases}). */
  readonly setupCpuPhases: Readonly<Record<string, number>>;
  /** Bytes held by the hierarchy and the cycle (coarse operators, P, block copies, Cholesky factor, work vectors). */
  readonly memoryBytes: number;
  /** The coarse operators A_1 … A_L (for inspection and tests; A_0 is the input). */
  readonly coarseOperators: readonly CsrMatrix[];
  /** Human-readable table of the hierarchy. */
  describe(): string;
  /** The hierarchy the cycle runs on (shared with a device cycle, `deviceAmgVcycle`): read-only. */
  readonly hierarchy: AmgHierarchy;
}

const csrBytes = (M: CsrMatrix): number => M.rowPtr.byteLength + M.colIdx.byteLength + M.values.byteLength;

/** Bytes of the hierarchy beyond the input matrix, plus the cycle's 4 work vectors per level. */
function hierarchyBytes(h: AmgHierarchy): number {
  let bytes = h.coarseCholesky?.byteLength ?? 0;
  h.levels.forEach((L, l) => {
    if (l > 0) bytes += csrBytes(L.A);
    if (L.P) bytes += csrBytes(L.P);
    // symmetric block copy: 9 values (+ one index) per upper block, 9 per diagonal block
    if (L.blockKernel) bytes += 0.5 * (L.A.rowPtr[L.A.rows] + L.A.rows) * 8 + (L.A.rowPtr[L.A.rows] / 18) * 4;
    bytes += 5 * 8 * L.A.rows;
  });
  return bytes;
}

/**
 * The CPU V-cycle preconditioner on a hierarchy: `apply(r, z)` performs one
 * V-cycle `z ← M⁻¹ r` and allocates nothing (work vectors are allocated here,
 * once). Several preconditioners may share one hierarchy.
 *
 * @param h from `buildAmgHierarchy` (or `refreshFineLevel`)
 * @example
 * ```ts
 * const M = amgPreconditioner(buildAmgHierarchy(K, { blockPtr, nearNullSpace, nullSpaceDim: 6 }));
 * const sol = pcg(csrOperator(K), f, { preconditioner: M });
 * ```
 */
export function amgPreconditioner(h: AmgHierarchy): AmgPreconditioner {
  const nl = h.levels.length;
  const plan = cyclePlan(h);
  const kernels = hostCycleKernels(h);
  const alloc = () => h.levels.map((L) => new Float64Array(L.A.rows));
  const v: CycleVectors<Float64Array> = { x: alloc(), b: alloc(), r: alloc(), d: alloc() };
  const n0 = h.levels[0].A.rows;
  const info: AmgLevelInfo[] = h.levels.map((L) => ({ rows: L.A.rows, nnz: L.A.rowPtr[L.A.rows], blocks: L.blocks, spectralRadius: L.spectralRadius }));
  const operatorComplexity = info.reduce((s, L) => s + L.nnz, 0) / info[0].nnz;
  const gridComplexity = info.reduce((s, L) => s + L.rows, 0) / info[0].rows;
  const memoryBytes = hierarchyBytes(h);
  return {
    name: `SA-AMG (${nl} levels, ${h.smoother}${h.smoother === 'chebyshev' ? ` degree ${h.degree}` : ` ×${h.degree}`})`,
    levels: info,
    operatorComplexity,
    gridComplexity,
    setupMs: h.setupMs,
    setupPhases: h.setupPhases,
    setupCpuPhases: h.setupCpuPhases,
    memoryBytes,
    coarseOperators: h.levels.slice(1).map((L) => L.A),
    hierarchy: h,
    apply(r: Float64Array, z: Float64Array): void {
      if (r.length !== n0 || z.length !== n0) {
        throw new DimensionMismatchError(`SA-AMG of size ${n0} applied to vectors of length ${r.length} / ${z.length}`);
      }
      // The fine level reads r and writes z directly (no copies); r is never written.
      v.b[0] = r;
      v.x[0] = z;
      amgVcycle(plan, kernels, v);
    },
    describe(): string {
      const head = '| level | rows | nnz | blocks | nnz/row | ρ(D⁻¹A) |\n|---:|---:|---:|---:|---:|---:|';
      const rows = info.map(
        (L, l) =>
          `| ${l} | ${L.rows} | ${L.nnz} | ${L.blocks} | ${(L.nnz / L.rows).toFixed(1)} | ${l === nl - 1 && plan.direct ? 'direct' : L.spectralRadius.toFixed(3)} |`,
      );
      return [
        head,
        ...rows,
        '',
        `operator complexity ${operatorComplexity.toFixed(3)}, grid complexity ${gridComplexity.toFixed(3)}, ` +
          `setup ${h.setupMs.toFixed(0)} ms, ${(memoryBytes / 2 ** 20).toFixed(1)} MiB`,
      ].join('\n');
    },
  };
}

/**
 * Builds a smoothed-aggregation AMG V-cycle preconditioner for an SPD matrix
 * (a reduced stiffness matrix `K_r = Tᵀ K T`, N/mm) with a given near-null
 * space (the rigid-body modes): `amgPreconditioner(buildAmgHierarchy(A, options))`.
 *
 * The returned object is independent of any load vector: build it once per
 * matrix and reuse it for every load case. `apply(r, z)` performs one
 * V-cycle `z ← M⁻¹ r` and allocates nothing.
 *
 * @param A SPD matrix, CSR with sorted columns and a full positive diagonal
 * @param options blocks (nodes), near-null space and tuning, see {@link AmgOptions}
 * @throws DimensionMismatchError on inconsistent blocks / near-null space / options
 * @throws NonFiniteInputError for a NaN/Inf entry in the near-null space
 * @throws UnconstrainedModelError when a level is not positive definite
 *   (zero diagonal, singular coarse operator: usually an unconstrained model)
 * @example
 * ```ts
 * const tr = buildConstraintTransform(model);
 * const prepared = prepareModel(model, {
 *   preconditioner: (K, blockPtr) =>
 *     smoothedAggregationAmg(K, { blockPtr, nearNullSpace: reducedRigidBodyModes(model.mesh.nodes, tr), nullSpaceDim: 6 }),
 * });
 * ```
 */
export function smoothedAggregationAmg(A: CsrMatrix, options: AmgOptions): AmgPreconditioner {
  return amgPreconditioner(buildAmgHierarchy(A, options));
}
