/**
 * The named steps behind {@link prepareModel}: validate, assemble, reduce, precondition,
 * solve. Each owns one piece of the prepared state; `prepareModel` is the glue that runs
 * them in order and re-runs the later ones when the stiffness changes (spring active set,
 * cell scales). Internal to the package.
 */
import { validateMesh } from '@spinefea/mesh';
import { DimensionMismatchError, InvalidMaterialError } from '../errors.js';
import { assembleStiffness, buildStiffnessPattern, checkElementJacobians, type StiffnessPattern } from '../fem/assemble.js';
import type { ElementFamily } from '../fem/element-family.js';
import { elementFamily } from '../fem/elements/index.js';
import { constitutiveMatrix, validateMaterial, type Material } from '../fem/material.js';
import { sbsr3FromCsr } from '../linalg/bsr3.js';
import { simdSbsr3Operator } from '../linalg/sbsr3-wasm.js';
import { csrOperator } from '../linalg/csr.js';
import type { CsrMatrix, LinearOperator, Preconditioner } from '../linalg/types.js';
import { elasticityAmgFactory } from '../solvers/amg/elasticity-amg.js';
import { refreshFineLevel } from '../solvers/amg/hierarchy.js';
import { amgPreconditioner, type AmgPreconditioner } from '../solvers/amg/smoothed-aggregation.js';
import { jacobiPreconditioner } from '../solvers/jacobi.js';
import { nodalBlockJacobiPreconditioner } from '../solvers/nodal-block-jacobi.js';
import { pcg, type PcgSolution } from '../solvers/pcg.js';
import { buildConstraintTransform, checkRigidBodyConstraints, describeModelDof, type ConstraintTransform } from './constraints.js';
import type { FeModel } from './model.js';
import { addSpringStiffness, springPairs, validateSprings } from './springs.js';
import type { PreconditionerChoice, StaticSolveOptions } from './static-solve.js';

/** The constitutive matrix of every cell, with per-cell stiffness scales. */
export interface CellMaterials {
  /** Material D matrices by material id (MPa). */
  dMatrices: Float64Array[];
  /** D of one cell: material, per-cell axis, stiffness scale (MPa). */
  lookup: (cell: number) => Float64Array;
  /** Whether cells differ from their material's D (per-cell axes or scales), so assembly needs `lookup`. */
  perCell: () => boolean;
  /** Scale the stiffness of individual cells (`null`: all 1). */
  setScale(scale: Float64Array | null): void;
}

/**
 * Step 1, validate: mesh, materials, springs, element Jacobians; then the constraint
 * transform and its rigid-body check.
 *
 * @throws InvalidMeshError / InvalidElementError / InvalidMaterialError /
 *   InvalidBoundaryConditionError / UnconstrainedModelError
 * @example
 * ```ts
 * const { family, cells, transform } = validateModel(model, {});
 * ```
 */
export function validateModel(
  model: FeModel,
  options: StaticSolveOptions,
): { family: ElementFamily; cells: CellMaterials; transform: ConstraintTransform } {
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
  const cells = cellMaterials(model, dMatrices);
  if (model.springs) validateSprings(model.springs, mesh.nodes.length / 3);
  if (!options.skipElementCheck) checkElementJacobians(mesh, family);
  options.onProgress?.({ phase: 'constraints' });
  const transform = buildConstraintTransform(model);
  checkRigidBodyConstraints(model, transform);
  return { family, cells, transform };
}

/** Per-cell constitutive matrices: the material's D, a per-cell axis, a stiffness scale. */
function cellMaterials(model: FeModel, dMatrices: Float64Array[]): CellMaterials {
  const ids = model.mesh.materialIds;
  const nCells = ids.length;
  const cellD = perCellMatrices(model);
  let cellScale: Float64Array | null = null;
  const scaled = new Map<number, Float64Array>();
  const lookup = (c: number): Float64Array => {
    const base = cellD.get(c) ?? dMatrices[ids[c]];
    if (!cellScale || cellScale[c] === 1) return base;
    let d = scaled.get(c);
    if (!d) {
      d = new Float64Array(36);
      scaled.set(c, d);
    }
    for (let k = 0; k < 36; k++) d[k] = base[k] * cellScale[c];
    return d;
  };
  return {
    dMatrices,
    lookup,
    perCell: () => cellD.size > 0 || cellScale !== null,
    setScale(scale) {
      if (scale && scale.length !== nCells) throw new DimensionMismatchError(`setCellScale: ${scale.length} values for ${nCells} cells`);
      cellScale = scale ? Float64Array.from(scale) : null;
      scaled.clear();
    },
  };
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

/** The assembled full stiffness: solid part, springs at their active set. */
export interface AssembledSystem {
  pattern: StiffnessPattern;
  /** Full stiffness K (N/mm): solid values plus the active springs. */
  K: CsrMatrix;
  /** 1 where a spring is active (all 1 after assembly). */
  springActive: Uint8Array;
  /** Re-assemble the solid part (after a change of cell scales), then the springs. */
  reassembleSolid(): void;
  /** Rebuild K from the solid part and the springs' current active set. */
  refreshSprings(): void;
}

/**
 * Step 2, assemble: the sparsity pattern, the solid stiffness and the springs (all active).
 *
 * @example
 * ```ts
 * const { family, cells } = validateModel(model, {});
 * const { K } = assembleSystem(model, family, cells); // N/mm
 * ```
 */
export function assembleSystem(model: FeModel, family: ElementFamily, cells: CellMaterials): AssembledSystem {
  const mesh = model.mesh;
  const pattern = buildStiffnessPattern(mesh, springPairs(model.springs));
  const solidValues = assembleStiffness(pattern, mesh, family, cells.perCell() ? cells.lookup : cells.dMatrices, new Float64Array(pattern.matrix.colIdx.length));
  const springs = model.springs;
  const springActive = new Uint8Array(springs?.nodesA.length ?? 0).fill(1);
  const K: CsrMatrix = { ...pattern.matrix, values: new Float64Array(solidValues.length) };
  const refreshSprings = (): void => {
    K.values.set(solidValues);
    if (springs) addSpringStiffness(pattern, mesh, springs, springActive, K.values);
  };
  refreshSprings();
  return {
    pattern,
    K,
    springActive,
    reassembleSolid() {
      assembleStiffness(pattern, mesh, family, cells.lookup, solidValues);
      refreshSprings();
    },
    refreshSprings,
  };
}

/**
 * DOF blocks of a reduced system: the free DOFs of one node (1–3) or of one reference
 * node (≤ 6) form a block (free DOFs ascend in full-DOF order, so they are contiguous).
 *
 * @example
 * ```ts
 * const M = nodalBlockJacobiPreconditioner(Kr, blockPointers(transform));
 * ```
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

/** A preconditioner choice with 'auto' decided and 'amg' turned into its factory (it needs the mesh and constraints). */
type ResolvedPreconditioner = Exclude<PreconditionerChoice, 'amg' | 'auto'>;

/** 'auto' picks AMG from this many free DOFs up (its setup pays for itself there: 699 → 22 iterations on a 50k-DOF tet10 plate), block-Jacobi below. */
const AUTO_AMG_MIN_DOFS = 20_000;

function makePreconditioner(choice: ResolvedPreconditioner, K: CsrMatrix, blockPtr: Uint32Array, tr: ConstraintTransform): Preconditioner | undefined {
  if (choice === 'none') return undefined;
  // Errors name the model's node: reduced row i is full DOF freeToFull[i], not node ⌊i/3⌋.
  const describeDof = (i: number): string => describeModelDof(tr.layout, tr.freeToFull[i]);
  if (choice === 'jacobi') return jacobiPreconditioner(K, { describeDof });
  if (choice === 'block-jacobi') return nodalBlockJacobiPreconditioner(K, blockPtr, describeDof);
  return choice(K, blockPtr);
}

/** The operator CG multiplies by and its preconditioner, for the current reduced matrix. */
export interface LinearSolver {
  blockPtr: Uint32Array;
  operator(): LinearOperator;
  preconditioner(): Preconditioner | undefined;
  /** The reduced matrix's values changed: rebuild what depends on them. */
  refresh(): void;
}

/**
 * Step 4, precondition: build the preconditioner and the operator of the reduced matrix
 * `Kr` (which later steps update in place; {@link LinearSolver.refresh} follows them).
 *
 * @example
 * ```ts
 * const solver = linearSolver(model, transform, Kr, { preconditioner: 'amg' });
 * ```
 */
export function linearSolver(model: FeModel, transform: ConstraintTransform, Kr: CsrMatrix, options: StaticSolveOptions): LinearSolver {
  const blockPtr = blockPointers(transform);
  // 'amg': smoothed aggregation with the rigid-body modes of the mesh restricted to the free DOFs
  const requested = options.preconditioner ?? 'auto';
  const choice = requested === 'auto' ? (transform.freeDofs >= AUTO_AMG_MIN_DOFS ? 'amg' : 'block-jacobi') : requested;
  const precond: ResolvedPreconditioner = choice === 'amg' ? elasticityAmgFactory(model.mesh.nodes, transform, options.amg) : choice;
  let M = makePreconditioner(precond, Kr, blockPtr, transform);
  const operatorKind = options.operator ?? 'auto';
  const makeOperator = (A: CsrMatrix): LinearOperator =>
    // K_r is symmetric: the symmetric 3×3-block format reads each off-diagonal block once (≈37 % of CSR's bytes)
    operatorKind === 'csr' || (operatorKind === 'auto' && A.rows % 3 !== 0) ? csrOperator(A) : simdSbsr3Operator(sbsr3FromCsr(A));
  let op = makeOperator(Kr);
  return {
    blockPtr,
    operator: () => op,
    preconditioner: () => M,
    refresh() {
      // An AMG hierarchy is expensive to set up and stays a good SPD preconditioner when a few
      // springs switch or a few cells soften: keep its coarse levels across active-set passes and
      // redo only the fine level on the new matrix (refreshFineLevel; CG stays exact, only the
      // iteration count can grow). Cheap preconditioners are rebuilt.
      if (choice !== 'amg') M = makePreconditioner(precond, Kr, blockPtr, transform);
      else M = amgPreconditioner(refreshFineLevel((M as AmgPreconditioner).hierarchy, Kr));
      op = makeOperator(Kr);
    },
  };
}

/**
 * Step 5, solve: PCG on the reduced system with the options' tolerance and progress reports.
 *
 * @example
 * ```ts
 * const { x, converged } = solveLinear(linearSolver(model, transform, Kr, {}), f, 1e-8, undefined, {});
 * ```
 */
export function solveLinear(solver: LinearSolver, fr: Float64Array, tolerance: number, x0: Float64Array | undefined, opts: StaticSolveOptions): PcgSolution {
  return pcg(solver.operator(), fr, {
    preconditioner: solver.preconditioner(),
    tolerance,
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
}
