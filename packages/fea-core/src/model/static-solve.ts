import { InvalidArgumentError, SolverNotConvergedError } from '../errors.js';
import type { ElementFamily } from '../fem/element-family.js';
import type { CsrMatrix, Preconditioner, SolveResult } from '../linalg/types.js';
import type { ElasticityAmgOptions } from '../solvers/amg/elasticity-amg.js';
import type { PcgSolution } from '../solvers/pcg.js';
import { activeSetLoop } from './active-set.js';
import { expandSolution, reduceLoad, reduceStiffness, reduceStiffnessValues, type ConstraintTransform } from './constraints.js';
import { assembleLoadVector } from './loads.js';
import type { FeModel, LoadCase } from './model.js';
import { assembleSystem, linearSolver, solveLinear, validateModel, type AssembledSystem, type LinearSolver } from './prepare-steps.js';
import {
  forceResultant,
  internalForces,
  nodalReactions,
  referenceMotions,
  springForces,
  storedEnergy,
  type ForceResultant,
  type ReferenceMotion,
} from './recovery.js';
import { springResponse } from './springs.js';
import { modelLinearSolve, type BackendReport, type SolveBackend } from '../backend/solve-with-backend.js';

export type { ForceResultant, ReferenceMotion } from './recovery.js';

/** Which preconditioner PCG uses (or a factory for a custom one, e.g. multigrid). */
export type PreconditionerChoice = 'auto' | 'amg' | 'jacobi' | 'block-jacobi' | 'none' | ((K: CsrMatrix, blockPtr: Uint32Array) => Preconditioner);

/** Options of {@link prepareModel} and {@link solveStatic}. */
export interface StaticSolveOptions {
  /** Default 'auto': 'amg' from 20,000 free DOFs up, else 'block-jacobi' (3×3 nodal blocks, 6×6 for reference nodes). */
  preconditioner?: PreconditionerChoice;
  /** Tuning of the 'amg' preconditioner (strength threshold, smoother degree, coarse size). */
  amg?: ElasticityAmgOptions;
  /** Relative residual ‖f_r − K_r û‖/‖f_r‖ to reach, default 1e-8. */
  tolerance?: number;
  maxIterations?: number;
  /** Return a non-converged result (flagged) instead of throwing. */
  allowNotConverged?: boolean;
  /** Progress callback: phase name and, while iterating, the iteration and residual. */
  onProgress?: (info: { phase: string; iteration?: number; relativeResidual?: number }) => void;
  /**
   * Stop as stagnated when the residual makes no new minimum for this many
   * iterations (default max(1000, maxIterations/4)): high-contrast models plateau
   * for hundreds of iterations before converging.
   */
  stagnationWindow?: number;
  /**
   * Relative residual of the active-set passes before the set settles (default 1e-5);
   * the last pass always meets `tolerance`.
   */
  activeSetTolerance?: number;
  /** Active-set iterations allowed for tension-only springs (default 30). */
  maxActiveSetIterations?: number;
  /** Skip the element Jacobian check (default false). */
  skipElementCheck?: boolean;
  /**
   * Sparse format of the operator CG multiplies by: 'bsr3' (symmetric 3×3 blocks, upper
   * half stored; needs a size divisible by 3), 'csr', or 'auto' (bsr3 where possible). Default 'auto'.
   */
  operator?: 'auto' | 'csr' | 'bsr3';
  /** Which engine solves the linear systems (default 'cpu'; see backend/solve-with-backend.ts and docs/gpu.md). Set on prepareModel. */
  backend?: SolveBackend;
}

/** Result of a static solve. */
export interface StaticSolution {
  /** Nodal displacements, xyz interleaved, length 3·nodes (mm). */
  displacement: Float64Array;
  /** Motion of each kinematically coupled reference node. */
  referenceMotion: Record<string, ReferenceMotion>;
  /**
   * Nodal reaction forces R = K·u − f on prescribed DOFs (N), xyz interleaved,
   * zero elsewhere. Their sum balances the applied loads.
   */
  reactions: Float64Array;
  /** Resultant of the reactions: force (N) and moment about the origin (N·mm). */
  reactionResultant: ForceResultant;
  /** The last linear solve's figures; `iterations` is summed over active-set passes. */
  solver: SolveResult & { activeSetIterations: number; backend?: BackendReport };
  /** Axial spring forces (N, + tension) and which springs were active at the end. */
  springForces?: Float64Array;
  springActive?: Uint8Array;
  /** Stored energy ½ uᵀK u (N·mm). */
  strainEnergy: number;
  /** Wall times (ms). */
  timings: { prepare: number; loads: number; solve: number };
}

/**
 * The reduced linear system `K_r û = f_r` of a prepared model and one load case, with
 * `K_r = Tᵀ K T` and `f_r = Tᵀ (f − K g)` (see {@link ConstraintTransform}). A copy: later
 * `setCellScale` calls or active-set passes do not change it.
 */
export interface ReducedSystem {
  /** K_r (N/mm), CSR, `freeDofs × freeDofs`, springs at their current active set. */
  matrix: CsrMatrix;
  /** f_r (N), length `freeDofs`. */
  rhs: Float64Array;
  /** DOF blocks of K_r: the free DOFs of one node or reference node (for block preconditioners and AMG). */
  blockPtr: Uint32Array;
}

/**
 * A model with its matrix assembled, constraints reduced and preconditioner
 * built once; {@link PreparedModel.solve} then solves any number of load
 * cases against it (tension-only springs re-reduce only when their active
 * set changes). Holds no live matrices: {@link PreparedModel.reducedSystem}
 * returns a copy of the system.
 */
export interface PreparedModel {
  readonly model: FeModel;
  /** The element kernels of the mesh's cell type. */
  readonly family: ElementFamily;
  /** The constraints as the affine map u = T·û + g (built once, never changed). */
  readonly transform: ConstraintTransform;
  /** Material D matrices by material id (MPa). */
  readonly dMatrices: readonly Float64Array[];
  /**
   * The constitutive matrix of every cell (material, per-cell axis, stiffness scale):
   * pass it to {@link resultFields} so stresses match the solved stiffness.
   */
  dLookup: (cell: number) => Float64Array;
  /**
   * Scale the stiffness of individual cells (1 = as assembled; e.g. 1e-6 to open a
   * contact layer in an active-set loop) and re-assemble, re-reduce and rebuild the
   * preconditioner. `null` resets every cell to 1.
   */
  setCellScale(scale: Float64Array | null): void;
  /**
   * The reduced system of a load case (default: no loads, so `rhs` holds only what prescribed
   * displacements induce) at the current cell scales and spring set; a copy.
   */
  reducedSystem(loadCase?: LoadCase): ReducedSystem;
  solve(loadCase: LoadCase, options?: StaticSolveOptions): StaticSolution;
  /** Wall times of the preparation steps (ms). */
  readonly timings: { validate: number; assemble: number; reduce: number; preconditioner: number };
}
/**
 * Validate, assemble and constrain a model once, ready for several load cases: the glue
 * over the steps validate → assemble → reduce → precondition of `prepare-steps.ts`; each
 * {@link PreparedModel.solve} then runs load → solve (tension-only springs by
 * {@link activeSetLoop}) → recover.
 *
 * @throws InvalidMeshError / InvalidElementError / InvalidMaterialError /
 *   InvalidBoundaryConditionError / UnconstrainedModelError — before any solve.
 * @example
 * ```ts
 * const prepared = prepareModel(model);
 * const a = prepared.solve({ referenceLoads: [{ reference: 'top', moment: [7500, 0, 0] }] });
 * const b = prepared.solve({ referenceLoads: [{ reference: 'top', moment: [0, 7500, 0] }] });
 * ```
 */
export function prepareModel(model: FeModel, options: StaticSolveOptions = {}): PreparedModel {
  const t0 = performance.now();
  const { family, cells, transform } = validateModel(model, options);
  const t1 = performance.now();
  options.onProgress?.({ phase: 'assembly' });
  const system = assembleSystem(model, family, cells);
  const t2 = performance.now();
  options.onProgress?.({ phase: 'reduction' });
  const reduced = reduceStiffness(system.K, transform);
  const t3 = performance.now();
  const solver = linearSolver(model, transform, reduced, options);
  const t4 = performance.now();
  const state: SolveState = {
    model,
    family,
    transform,
    system,
    reduced,
    solver,
    device: modelLinearSolve(options, { coords: model.mesh.nodes, transform, blockPtr: solver.blockPtr }, reduced.rows),
    lastU: null,
    rereduce() {
      reduceStiffnessValues(system.K, transform, reduced);
      solver.refresh();
    },
  };
  return {
    model,
    family,
    transform,
    dMatrices: cells.dMatrices,
    dLookup: cells.lookup,
    setCellScale(scale: Float64Array | null): void {
      cells.setScale(scale);
      system.reassembleSolid();
      state.rereduce();
    },
    reducedSystem(loadCase: LoadCase = {}): ReducedSystem {
      const f = assembleLoadVector(model, family, transform.layout, loadCase);
      const matrix = { ...reduced, rowPtr: reduced.rowPtr.slice(), colIdx: reduced.colIdx.slice(), values: reduced.values.slice() };
      return { matrix, rhs: reduceLoad(system.K, transform, f), blockPtr: solver.blockPtr.slice() };
    },
    timings: { validate: t1 - t0, assemble: t2 - t1, reduce: t3 - t2, preconditioner: t4 - t3 },
    solve(loadCase: LoadCase, solveOptions: StaticSolveOptions = {}): StaticSolution {
      const s = solveLoadCase(state, loadCase, { ...options, ...solveOptions });
      s.timings.prepare = t4 - t0;
      return s;
    },
  };
}

/** The prepared state one solve reads and the spring active set updates (internal). */
interface SolveState {
  model: FeModel;
  family: ElementFamily;
  transform: ConstraintTransform;
  system: AssembledSystem;
  /** Reduced stiffness Tᵀ K T, updated in place by `rereduce`. */
  reduced: CsrMatrix;
  solver: LinearSolver;
  /** The `backend` option's device solver (absent: the CPU's PCG). */
  device?: ReturnType<typeof modelLinearSolve>;
  /** The last reduced solution: the warm start of the next solve. */
  lastU: Float64Array | null;
  /** K changed: re-reduce and refresh the preconditioner and operator. */
  rereduce(): void;
}

/** Steps load → solve (with the spring active set) → recover of one load case. */
function solveLoadCase(state: SolveState, loadCase: LoadCase, opts: StaticSolveOptions): StaticSolution {
  const { model, transform, system } = state;
  const s0 = performance.now();
  const f = assembleLoadVector(model, state.family, transform.layout, loadCase);
  const s1 = performance.now();
  const { result, passes, iterations, u } = solveSpringActiveSet(state, f, opts);
  const s2 = performance.now();
  if (!result.converged && !opts.allowNotConverged) {
    throw new SolverNotConvergedError(
      `solver did not converge: relative residual ${result.relativeResidual.toExponential(3)} after ${result.iterations} iterations (${result.reason})` +
        (result.message ? `: ${result.message}` : ''),
      result.iterations,
      result.relativeResidual,
      result.reason,
    );
  }
  // Recover: reactions R = K u − f at prescribed solid DOFs, their resultant, ½ uᵀK u.
  const nSolid = transform.layout.solidDofs;
  const Ku = internalForces(system.K, u, nSolid);
  const reactions = nodalReactions(Ku, f, transform.prescribed);
  const springs = model.springs;
  return {
    displacement: u.subarray(0, nSolid),
    referenceMotion: referenceMotions(transform.layout, u),
    reactions,
    reactionResultant: forceResultant(model.mesh.nodes, reactions),
    solver: {
      converged: result.converged,
      iterations,
      relativeResidual: result.relativeResidual,
      reason: result.reason,
      timeMs: s2 - s1,
      activeSetIterations: passes,
      ...((result as { backend?: BackendReport }).backend ? { backend: (result as { backend?: BackendReport }).backend } : {}),
    },
    springForces: springs ? springForces(model.mesh, springs, u, system.springActive) : undefined,
    springActive: springs ? Uint8Array.from(system.springActive) : undefined,
    strainEnergy: storedEnergy(u, Ku),
    timings: { prepare: 0, loads: s1 - s0, solve: s2 - s1 },
  };
}

/**
 * Solve, with tension-only springs by the active-set rule: a spring is active iff its
 * elongation is positive; stop when the set no longer changes. While it may still
 * change, a loose solve decides it as well as a tight one; the final pass (set
 * unchanged) is tightened, warm-started.
 */
function solveSpringActiveSet(
  state: SolveState,
  f: Float64Array,
  opts: StaticSolveOptions,
): { result: PcgSolution; passes: number; iterations: number; u: Float64Array } {
  const { model, transform, system } = state;
  const springs = model.springs;
  const nSprings = springs?.nodesA.length ?? 0;
  const maxPasses = nSprings && springs!.tensionOnly ? (opts.maxActiveSetIterations ?? 30) : 1;
  const tol = opts.tolerance ?? 1e-8;
  const looseTol = opts.activeSetTolerance ?? 1e-5;
  const active = system.springActive;
  const elong = new Float64Array(nSprings);
  const force = new Float64Array(nSprings);
  let iterations = 0;
  let u: Float64Array = new Float64Array(0);
  const { result, passes } = activeSetLoop<PcgSolution>(
    {
      solve(loose) {
        const fr = reduceLoad(system.K, transform, f);
        const x0 = state.lastU && state.lastU.length === transform.freeDofs ? state.lastU : undefined;
        const t = loose ? looseTol : tol;
        const cpu = (start?: Float64Array) => solveLinear(state.solver, fr, t, start, opts);
        const r = state.device ? state.device(state.reduced, fr, x0, t, cpu) : cpu(x0);
        iterations += r.iterations;
        state.lastU = r.x;
        u = expandSolution(transform, r.x);
        return r;
      },
      update() {
        springResponse(model.mesh, springs!, u, elong, force);
        let changed = 0;
        for (let i = 0; i < nSprings; i++) {
          if (!springs!.tensionOnly![i]) continue;
          const want = elong[i] > 0 ? 1 : 0;
          if (want !== active[i]) {
            active[i] = want;
            changed++;
          }
        }
        return changed;
      },
      key: () => active.join(''),
      apply() {
        system.refreshSprings();
        state.rereduce();
      },
      onStuck({ result, passes, changed, cycling }) {
        throw new SolverNotConvergedError(
          `tension-only springs: the active set did not settle after ${passes} linear solves (${changed} springs still switching${cycling ? ', cycling' : ''})`,
          iterations,
          result.relativeResidual,
          'active-set',
        );
      },
    },
    { enabled: maxPasses > 1 && !!springs, loose: maxPasses > 1 && looseTol > tol, maxPasses },
  );
  return { result, passes, iterations, u };
}

/**
 * Solve one linear-elastic static load case: validate, assemble, constrain,
 * precondition, PCG, expand, reactions.
 *
 * @example
 * ```ts
 * import { boxMesh } from '@spinefea/mesh';
 * import { solveStatic } from '@spinefea/core';
 * const mesh = boxMesh({ size: [100, 10, 10], divisions: [20, 2, 2], cellType: 'hex8' });
 * const sol = solveStatic(
 *   { mesh, materials: [{ kind: 'isotropic', E: 210000, nu: 0.3 }], displacementBcs: [{ nodes: 'xmin' }] },
 *   { tractions: [{ faces: 'xmax', traction: [0, 0, -1] }] },
 * );
 * console.log(sol.solver.iterations, sol.displacement.length);
 * ```
 */
export function solveStatic(model: FeModel, loadCase: LoadCase, options: StaticSolveOptions = {}): StaticSolution {
  if (!model || !model.mesh) throw new InvalidArgumentError('solveStatic: model.mesh is missing');
  return prepareModel(model, options).solve(loadCase, options);
}
