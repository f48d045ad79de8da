import { validateMesh } from '@spinefea/mesh';
import { DimensionMismatchError, InvalidArgumentError, InvalidMaterialError, SolverNotConvergedError } from '../errors.js';
import { assembleStiffness, buildStiffnessPattern, checkElementJacobians, type StiffnessPattern } from '../fem/assemble.js';
import type { ElementFamily } from '../fem/element-family.js';
import { elementFamily } from '../fem/elements/index.js';
import { constitutiveMatrix, validateMaterial } from '../fem/material.js';
import { csrOperator } from '../linalg/csr.js';
import { sbsr3FromCsr, sbsr3Operator } from '../linalg/bsr3.js';
import type { CsrMatrix, LinearOperator, Preconditioner, SolveResult } from '../linalg/types.js';
import type { Material } from '../fem/material.js';
import { jacobiPreconditioner } from '../solvers/jacobi.js';
import { nodalBlockJacobiPreconditioner } from '../solvers/nodal-block-jacobi.js';
import { pcg } from '../solvers/pcg.js';
import { elasticityAmgFactory, type ElasticityAmgOptions } from '../solvers/amg/elasticity-amg.js';
import {
  buildConstraintTransform,
  checkRigidBodyConstraints,
  describeModelDof,
  expandSolution,
  reduceLoad,
  reduceStiffness,
  reduceStiffnessValues,
  type ConstraintTransform,
} from './constraints.js';
import { assembleLoadVector } from './loads.js';
import type { FeModel, LoadCase } from './model.js';
import { addSpringStiffness, springPairs, springResponse, validateSprings } from './springs.js';

/** Which preconditioner PCG uses (or a factory for a custom one, e.g. multigrid). */
export type PreconditionerChoice = 'amg' | 'jacobi' | 'block-jacobi' | 'none' | ((K: CsrMatrix, blockPtr: Uint32Array) => Preconditioner);

/** Options of {@link prepareModel} and {@link solveStatic}. */
export interface StaticSolveOptions {
  /** Default 'block-jacobi' (3×3 nodal blocks, 6×6 for reference nodes). */
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
}

/** Motion of a reference node: translation (mm) and small rotation (rad). */
export interface ReferenceMotion {
  translation: [number, number, number];
  rotation: [number, number, number];
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
  reactionResultant: { force: [number, number, number]; moment: [number, number, number] };
  /** The last linear solve's figures; `iterations` is summed over active-set passes. */
  solver: SolveResult & { activeSetIterations: number };
  /** Axial spring forces (N, + tension) and which springs were active at the end. */
  springForces?: Float64Array;
  springActive?: Uint8Array;
  /** Stored energy ½ uᵀK u (N·mm). */
  strainEnergy: number;
  /** Wall times (ms). */
  timings: { prepare: number; loads: number; solve: number };
}

/**
 * A model with its matrix assembled, constraints reduced and preconditioner
 * built once; {@link PreparedModel.solve} then solves any number of load
 * cases against it (tension-only springs re-reduce only when their active
 * set changes).
 */
export interface PreparedModel {
  model: FeModel;
  family: ElementFamily;
  pattern: StiffnessPattern;
  transform: ConstraintTransform;
  /** Material D matrices by material id (MPa). */
  dMatrices: Float64Array[];
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
  /** Full solid stiffness K (springs at their current active set), N/mm. */
  stiffness: CsrMatrix;
  /** Reduced stiffness Tᵀ K T. */
  reduced: CsrMatrix;
  solve(loadCase: LoadCase, options?: StaticSolveOptions): StaticSolution;
  timings: { validate: number; assemble: number; reduce: number; preconditioner: number };
}

/**
 * DOF blocks of a reduced system: the free DOFs of one node (1–3) or of one reference
 * node (≤ 6) form a block (free DOFs ascend in full-DOF order, so they are contiguous).
 */
export function blockPointers(tr: ConstraintTransform): Uint32Array {
  const owner = (dof: number): number => {
    if (dof < tr.layout.solidDofs) return Math.floor(dof / 3);
    return tr.layout.solidDofs / 3 + Math.floor((dof - tr.layout.solidDofs) / 6);
  };
  const ptr: number[] = [0];
  for (let r = 1; r < tr.freeDofs; r++) if (owner(tr.freeToFull[r]) !== owner(tr.freeToFull[r - 1])) ptr.push(r);
  ptr.push(tr.freeDofs);
  return Uint32Array.from(ptr);
}

/** A preconditioner choice with 'amg' already turned into its factory (it needs the mesh and constraints). */
type ResolvedPreconditioner = Exclude<PreconditionerChoice, 'amg'>;

function makePreconditioner(choice: ResolvedPreconditioner, K: CsrMatrix, blockPtr: Uint32Array, tr: ConstraintTransform): Preconditioner | undefined {
  if (choice === 'none') return undefined;
  // Errors name the model's node: reduced row i is full DOF freeToFull[i], not node ⌊i/3⌋.
  const describeDof = (i: number): string => describeModelDof(tr.layout, tr.freeToFull[i]);
  if (choice === 'jacobi') return jacobiPreconditioner(K, { describeDof });
  if (choice === 'block-jacobi') return nodalBlockJacobiPreconditioner(K, blockPtr, describeDof);
  return choice(K, blockPtr);
}

/**
 * Validate, assemble and constrain a model once, ready for several load cases.
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
  const mesh = model.mesh;
  validateMesh(mesh);
  const family = elementFamily(mesh.cellType);
  let maxId = 0;
  for (let c = 0; c < mesh.materialIds.length; c++) maxId = Math.max(maxId, mesh.materialIds[c]);
  if (model.materials.length <= maxId)
    throw new InvalidMaterialError(`cells use material id ${maxId} but only ${model.materials.length} materials are given`, maxId);
  const dMatrices = model.materials.map((m, id) => {
    validateMaterial(m, id);
    return constitutiveMatrix(m);
  });
  const nCells = mesh.materialIds.length;
  const cellD = perCellMatrices(model);
  let cellScale: Float64Array | null = null;
  const scaled = new Map<number, Float64Array>();
  const dLookup = (c: number): Float64Array => {
    const base = cellD.get(c) ?? dMatrices[mesh.materialIds[c]];
    if (!cellScale || cellScale[c] === 1) return base;
    let d = scaled.get(c);
    if (!d) {
      d = new Float64Array(36);
      scaled.set(c, d);
    }
    for (let k = 0; k < 36; k++) d[k] = base[k] * cellScale[c];
    return d;
  };
  if (model.springs) validateSprings(model.springs, mesh.nodes.length / 3);
  if (!options.skipElementCheck) checkElementJacobians(mesh, family);
  options.onProgress?.({ phase: 'constraints' });
  const transform = buildConstraintTransform(model);
  checkRigidBodyConstraints(model, transform);
  const t1 = performance.now();

  options.onProgress?.({ phase: 'assembly' });
  const pattern = buildStiffnessPattern(mesh, springPairs(model.springs));
  const needsLookup = cellD.size > 0;
  const solidValues = assembleStiffness(pattern, mesh, family, needsLookup ? dLookup : dMatrices, new Float64Array(pattern.matrix.colIdx.length));
  const springs = model.springs;
  const nSprings = springs?.nodesA.length ?? 0;
  const active = new Uint8Array(nSprings).fill(1);
  const K: CsrMatrix = { ...pattern.matrix, values: new Float64Array(solidValues.length) };
  const refreshValues = (): void => {
    K.values.set(solidValues);
    if (springs) addSpringStiffness(pattern, mesh, springs, active, K.values);
  };
  refreshValues();
  const t2 = performance.now();
  options.onProgress?.({ phase: 'reduction' });
  const reduced = reduceStiffness(K, transform);
  const t3 = performance.now();
  const blockPtr = blockPointers(transform);
  // 'amg': smoothed aggregation with the rigid-body modes of the mesh restricted to the free DOFs
  const choice = options.preconditioner ?? 'block-jacobi';
  const precond: ResolvedPreconditioner = choice === 'amg' ? elasticityAmgFactory(mesh.nodes, transform, options.amg) : choice;
  let M = makePreconditioner(precond, reduced, blockPtr, transform);
  // An AMG hierarchy is expensive to set up and stays a good SPD preconditioner when a few
  // springs switch or a few cells soften: reuse it across active-set passes (CG stays exact,
  // only the iteration count can grow). Cheap preconditioners are rebuilt.
  const refreshPreconditioner = (): void => {
    if (choice !== 'amg') M = makePreconditioner(precond, prepared.reduced, blockPtr, transform);
  };
  const operatorKind = options.operator ?? 'auto';
  const makeOperator = (A: CsrMatrix): LinearOperator =>
    // K_r is symmetric: the symmetric 3×3-block format reads each off-diagonal block once (≈37 % of CSR's bytes)
    operatorKind === 'csr' || (operatorKind === 'auto' && A.rows % 3 !== 0) ? csrOperator(A) : sbsr3Operator(sbsr3FromCsr(A));
  let op = makeOperator(reduced);
  const t4 = performance.now();
  let lastU: Float64Array | null = null;

  const prepared: PreparedModel = {
    model,
    family,
    pattern,
    transform,
    dMatrices,
    dLookup,
    setCellScale(scale: Float64Array | null): void {
      if (scale && scale.length !== nCells) throw new DimensionMismatchError(`setCellScale: ${scale.length} values for ${nCells} cells`);
      cellScale = scale ? Float64Array.from(scale) : null;
      scaled.clear();
      assembleStiffness(pattern, mesh, family, dLookup, solidValues);
      refreshValues();
      reduceStiffnessValues(K, transform, prepared.reduced);
      refreshPreconditioner();
      op = makeOperator(prepared.reduced);
    },
    stiffness: K,
    reduced,
    timings: { validate: t1 - t0, assemble: t2 - t1, reduce: t3 - t2, preconditioner: t4 - t3 },
    solve(loadCase: LoadCase, solveOptions: StaticSolveOptions = {}): StaticSolution {
      const opts = { ...options, ...solveOptions };
      const s0 = performance.now();
      const f = assembleLoadVector(model, family, transform.layout, loadCase);
      const s1 = performance.now();
      const maxPasses = nSprings && springs!.tensionOnly ? (opts.maxActiveSetIterations ?? 30) : 1;
      let totalIterations = 0;
      let result: ReturnType<typeof pcg> | null = null;
      let u: Float64Array = new Float64Array(0);
      const elong = new Float64Array(nSprings);
      const force = new Float64Array(nSprings);
      let passes = 0;
      const seen = new Set<string>();
      const tol = opts.tolerance ?? 1e-8;
      // While the active set may still change, a loose solve decides it as well as a
      // tight one; the final pass (set unchanged) is tightened, warm-started.
      let loose = maxPasses > 1 && (opts.activeSetTolerance ?? 1e-5) > tol;
      for (;;) {
        passes++;
        const fr = reduceLoad(K, transform, f);
        const x0 = lastU && lastU.length === transform.freeDofs ? lastU : undefined;
        result = pcg(op, fr, {
          preconditioner: M,
          tolerance: loose ? (opts.activeSetTolerance ?? 1e-5) : tol,
          maxIterations: opts.maxIterations,
          stagnationWindow: opts.stagnationWindow ?? Math.max(1000, Math.floor((opts.maxIterations ?? 0) / 4)),
          allowNotConverged: true,
          x0,
          onProgress: opts.onProgress
            ? (iteration, relativeResidual) => {
                if (iteration % 25 === 0) opts.onProgress!({ phase: 'solve', iteration, relativeResidual });
              }
            : undefined,
        });
        totalIterations += result.iterations;
        lastU = result.x;
        u = expandSolution(transform, result.x);
        if (maxPasses === 1 || !springs) break;
        // Active-set rule for tension-only springs: a spring is active iff its
        // elongation is positive; stop when the set no longer changes.
        springResponse(mesh, springs, u, elong, force);
        let changed = 0;
        for (let i = 0; i < nSprings; i++) {
          if (!springs.tensionOnly![i]) continue;
          const want = elong[i] > 0 ? 1 : 0;
          if (want !== active[i]) {
            active[i] = want;
            changed++;
          }
        }
        if (changed === 0) {
          if (!loose) break;
          loose = false; // settled on a loose solve: tighten and check once more
          continue;
        }
        const key = active.join('');
        if (seen.has(key) || passes >= maxPasses) {
          throw new SolverNotConvergedError(
            `tension-only springs: the active set did not settle after ${passes} linear solves (${changed} springs still switching${seen.has(key) ? ', cycling' : ''})`,
            totalIterations,
            result.relativeResidual,
            'active-set',
          );
        }
        seen.add(key);
        refreshValues();
        reduceStiffnessValues(K, transform, prepared.reduced);
        refreshPreconditioner();
        op = makeOperator(prepared.reduced);
      }
      const s2 = performance.now();
      if (!result!.converged && !opts.allowNotConverged) {
        throw new SolverNotConvergedError(
          `solver did not converge: relative residual ${result!.relativeResidual.toExponential(3)} after ${result!.iterations} iterations (${result!.reason})` +
            (result!.message ? `: ${result!.message}` : ''),
          result!.iterations,
          result!.relativeResidual,
          result!.reason,
        );
      }
      // Reactions R = K u − f at prescribed solid DOFs.
      const nSolid = transform.layout.solidDofs;
      const Ku = new Float64Array(nSolid);
      for (let i = 0; i < nSolid; i++) {
        let s = 0;
        for (let b = K.rowPtr[i]; b < K.rowPtr[i + 1]; b++) s += K.values[b] * u[K.colIdx[b]];
        Ku[i] = s;
      }
      let energy = 0;
      for (let i = 0; i < nSolid; i++) energy += 0.5 * u[i] * Ku[i];
      const reactions = new Float64Array(nSolid);
      const F: [number, number, number] = [0, 0, 0];
      const Mo: [number, number, number] = [0, 0, 0];
      for (let i = 0; i < nSolid; i++) {
        if (!transform.prescribed[i]) continue;
        const r = Ku[i] - f[i];
        reactions[i] = r;
      }
      for (let nIdx = 0; nIdx < nSolid / 3; nIdx++) {
        const rx = reactions[3 * nIdx];
        const ry = reactions[3 * nIdx + 1];
        const rz = reactions[3 * nIdx + 2];
        if (rx === 0 && ry === 0 && rz === 0) continue;
        const x = mesh.nodes[3 * nIdx];
        const y = mesh.nodes[3 * nIdx + 1];
        const z = mesh.nodes[3 * nIdx + 2];
        F[0] += rx;
        F[1] += ry;
        F[2] += rz;
        Mo[0] += y * rz - z * ry;
        Mo[1] += z * rx - x * rz;
        Mo[2] += x * ry - y * rx;
      }
      const referenceMotion: Record<string, ReferenceMotion> = {};
      for (const [name, d0] of transform.layout.referenceDof) {
        referenceMotion[name] = {
          translation: [u[d0], u[d0 + 1], u[d0 + 2]],
          rotation: [u[d0 + 3], u[d0 + 4], u[d0 + 5]],
        };
      }
      let springForces: Float64Array | undefined;
      if (springs) {
        springResponse(mesh, springs, u, elong, force);
        springForces = new Float64Array(nSprings);
        for (let i = 0; i < nSprings; i++) springForces[i] = active[i] ? force[i] : 0;
      }
      return {
        displacement: u.subarray(0, nSolid),
        referenceMotion,
        reactions,
        reactionResultant: { force: F, moment: Mo },
        solver: {
          converged: result!.converged,
          iterations: totalIterations,
          relativeResidual: result!.relativeResidual,
          reason: result!.reason,
          timeMs: s2 - s1,
          activeSetIterations: passes,
        },
        springForces,
        springActive: springs ? Uint8Array.from(active) : undefined,
        strainEnergy: energy,
        timings: { prepare: t4 - t0, loads: s1 - s0, solve: s2 - s1 },
      };
    },
  };
  return prepared;
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

/**
 * Constitutive matrices of cells whose transversely isotropic material takes its
 * axis from `model.materialAxes` (cached once; other cells use their material's D).
 */
function perCellMatrices(model: FeModel): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  const axes = model.materialAxes;
  if (!axes) return out;
  const ids = model.mesh.materialIds;
  if (axes.length !== 3 * ids.length) throw new DimensionMismatchError(`materialAxes has ${axes.length} values, expected 3 × ${ids.length} cells`);
  for (let c = 0; c < ids.length; c++) {
    const m: Material = model.materials[ids[c]];
    if (m.kind !== 'transversely-isotropic') continue;
    const a = [axes[3 * c], axes[3 * c + 1], axes[3 * c + 2]] as [number, number, number];
    if (a[0] === 0 && a[1] === 0 && a[2] === 0) continue;
    out.set(c, constitutiveMatrix({ ...m, axis: a }));
  }
  return out;
}
