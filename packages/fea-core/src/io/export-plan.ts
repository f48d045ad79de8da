/**
 * The format-neutral export plan: everything the CalculiX and FEBio writers need of a
 * model and a load case, validated and resolved once — material groups, active springs
 * with their ground anchors, rigid bodies (kinematic couplings), prescribed values of
 * every boundary condition, and the loads that become nodal forces. A new boundary
 * condition or load type is resolved here once; each writer only formats it.
 * Units: mm, N, MPa.
 */
import type { Material } from '../fem/material.js';
import { DimensionMismatchError, InvalidArgumentError, InvalidBoundaryConditionError, NonFiniteInputError } from '../errors.js';
import { validateMaterial } from '../fem/material.js';
import { assembleLoadVector, distributeReferenceLoad } from '../model/loads.js';
import { GROUND, type Component, type FeModel, type LoadCase, type NodeSelection } from '../model/model.js';
import { resolveNodes } from '../model/selection.js';
import { exportContext, type ExportContext } from './export-common.js';

/** The cells of one material id. */
export interface MaterialGroup {
  id: number;
  material: Material;
  /** Region name of the id, else the material's name. */
  label?: string;
  /** Cell indices, ascending. */
  cells: number[];
}

/** An active spring of non-zero stiffness: mesh node `a` to mesh node `b` or to ground anchor `anchor`. */
export interface PlannedSpring {
  /** Index of the spring in `model.springs`. */
  index: number;
  a: number;
  /** Mesh node at the other end, or −1 for a spring to ground. */
  b: number;
  /** Index into {@link ExportPlan.anchors} for a spring to ground, else −1. */
  anchor: number;
  /** N/mm. */
  k: number;
}

/** A node set of a boundary condition, resolved (0-based nodes); `key` is the mesh set's name when it has one. */
export interface PlannedNodeSet {
  key: string | null;
  nodes: Uint32Array;
}

/** A displacement boundary condition with its prescribed value per translation component (mm). */
export interface PlannedDisplacementBc {
  index: number;
  nodes: PlannedNodeSet;
  values: { component: 0 | 1 | 2; value: number }[];
}

/** A boundary condition on a reference node (translations mm, rotations rad). */
export interface PlannedReferenceBc {
  index: number;
  reference: string;
  values: { component: Component; value: number }[];
}

/** A force (N) and moment (N·mm) on a kinematically coupled reference node. */
export interface PlannedRigidLoad {
  reference: string;
  force: readonly [number, number, number];
  moment: readonly [number, number, number];
}

/** What both writers export, resolved from a model and a load case. */
export interface ExportPlan extends ExportContext {
  model: FeModel;
  loadCase: LoadCase;
  materials: MaterialGroup[];
  springs: PlannedSpring[];
  /** Ground anchors: 1 mm from spring `spring`'s node along its direction (mm). */
  anchors: { spring: number; position: [number, number, number] }[];
  /** Kinematic couplings by reference node: the coupled nodes, ascending (a rigid body each). */
  rigidBodies: Map<string, number[]>;
  displacementBcs: PlannedDisplacementBc[];
  referenceBcs: PlannedReferenceBc[];
  /**
   * Nodal forces (N), `3·nodes`: explicit nodal forces, tractions (when asked for), body
   * forces as consistent nodal forces, and distributing-coupling loads.
   */
  nodalForces: Float64Array;
  /** Reference loads on kinematically coupled references, in load-case order. */
  rigidLoads: PlannedRigidLoad[];
}

/** Options of {@link exportPlan}. */
export interface ExportPlanOptions {
  /** Which springs are active (1); inactive ones are left out. Default: all. */
  springActiveSet?: Uint8Array;
  /** Turn tractions into consistent nodal forces (for a format without a uniform traction load). */
  tractionsAsNodalForces: boolean;
  /** Name of the format in error messages, e.g. 'calculix export'. */
  what: string;
}

/**
 * Validate and resolve a model and a load case for export.
 *
 * @throws InvalidBoundaryConditionError / NonFiniteInputError / DimensionMismatchError /
 *   InvalidMaterialError for the same bad input `solveStatic` rejects.
 * @example
 * ```ts
 * const plan = exportPlan(model, loadCase, { tractionsAsNodalForces: true, what: 'my export' });
 * console.log(plan.materials.length, plan.springs.length, plan.rigidBodies.size);
 * ```
 */
export function exportPlan(model: FeModel, loadCase: LoadCase, options: ExportPlanOptions): ExportPlan {
  const ctx = exportContext(model, options.what);
  const materials = materialGroups(model, ctx, options.what);
  const { springs, anchors } = activeSprings(model, ctx, options.springActiveSet, options.what);
  const rigidBodies = new Map<string, number[]>();
  for (const [i, c] of (model.couplings ?? []).entries()) {
    if (c.kind !== 'kinematic') continue;
    const nodes = resolveNodes(ctx.mesh, c.nodes, `kinematic coupling ${i} to '${c.reference}'`);
    const prev = rigidBodies.get(c.reference) ?? [];
    rigidBodies.set(c.reference, [...new Set([...prev, ...nodes])].sort((p, q) => p - q));
  }
  const { nodalForces, rigidLoads } = plannedLoads(model, loadCase, ctx, rigidBodies, options.tractionsAsNodalForces);
  return {
    ...ctx,
    model,
    loadCase,
    materials,
    springs,
    anchors,
    rigidBodies,
    displacementBcs: displacementBcs(model, ctx),
    referenceBcs: referenceBcs(model, rigidBodies),
    nodalForces,
    rigidLoads,
  };
}

/** Cells grouped by material id (ascending), each material validated. */
function materialGroups(model: FeModel, ctx: ExportContext, what: string): MaterialGroup[] {
  const byMaterial = new Map<number, number[]>();
  for (let c = 0; c < ctx.nCells; c++) {
    const id = ctx.mesh.materialIds[c];
    if (!(id < model.materials.length))
      throw new DimensionMismatchError(`${what}: cell ${c} uses material id ${id} but only ${model.materials.length} materials are given`);
    let l = byMaterial.get(id);
    if (!l) byMaterial.set(id, (l = []));
    l.push(c);
  }
  return [...byMaterial]
    .sort((p, q) => p[0] - q[0])
    .map(([id, cells]) => {
      const material = model.materials[id];
      validateMaterial(material, id);
      return { id, material, label: ctx.mesh.regionNames?.[id] ?? material.name, cells };
    });
}

/** The active springs of non-zero stiffness and the ground anchors of those to ground. */
function activeSprings(
  model: FeModel,
  ctx: ExportContext,
  activeSet: Uint8Array | undefined,
  what: string,
): { springs: PlannedSpring[]; anchors: ExportPlan['anchors'] } {
  const springs: PlannedSpring[] = [];
  const anchors: ExportPlan['anchors'] = [];
  const set = model.springs;
  if (!set) return { springs, anchors };
  const { mesh, nNodes } = ctx;
  const m = set.nodesA.length;
  if (activeSet && activeSet.length !== m) throw new DimensionMismatchError(`${what}: springActiveSet has ${activeSet.length} entries for ${m} springs`);
  for (let i = 0; i < m; i++) {
    if (activeSet && !activeSet[i]) continue;
    const a = set.nodesA[i];
    if (!(a < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${a} out of range`);
    const k = set.stiffness[i];
    if (!Number.isFinite(k) || k < 0) throw new NonFiniteInputError(`spring ${i}: stiffness ${k} must be finite and ≥ 0`);
    if (k === 0) continue;
    if (set.nodesB[i] !== GROUND) {
      if (!(set.nodesB[i] < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${set.nodesB[i]} out of range`);
      springs.push({ index: i, a, b: set.nodesB[i], anchor: -1, k });
      continue;
    }
    const d = set.direction;
    if (!d || d.length < 3 * (i + 1)) throw new InvalidArgumentError(`spring ${i} goes to ground but no direction is given`);
    const l = Math.hypot(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
    if (!(l > 0)) throw new InvalidArgumentError(`spring ${i}: direction has zero length`);
    // Both formats take a spring's axis from its node positions: anchor 1 mm along n, fixed.
    anchors.push({ spring: i, position: [0, 1, 2].map((q) => mesh.nodes[3 * a + q] + d[3 * i + q] / l) as [number, number, number] });
    springs.push({ index: i, a, b: -1, anchor: anchors.length - 1, k });
  }
  return { springs, anchors };
}

/** The value of component k of a boundary condition (0 when none is given). */
function prescribed(value: number | readonly number[] | undefined, k: number, what: string): number {
  const v = value === undefined ? 0 : typeof value === 'number' ? value : value[k];
  if (v === undefined || !Number.isFinite(v)) throw new NonFiniteInputError(`${what}: prescribed value ${String(v)} is not a finite number`);
  return v;
}

function displacementBcs(model: FeModel, ctx: ExportContext): PlannedDisplacementBc[] {
  return (model.displacementBcs ?? []).map((bc, index) => {
    const what = `displacement boundary condition ${index}`;
    const nodes = plannedNodeSet(ctx, bc.nodes, what);
    const values = (bc.components ?? [0, 1, 2]).map((c, k) => {
      if (!(c === 0 || c === 1 || c === 2)) throw new InvalidBoundaryConditionError(`${what}: component ${c} is not a translation (0, 1, 2)`);
      return { component: c as 0 | 1 | 2, value: prescribed(bc.value, k, what) };
    });
    return { index, nodes, values };
  });
}

function referenceBcs(model: FeModel, rigidBodies: Map<string, number[]>): PlannedReferenceBc[] {
  return (model.referenceBcs ?? []).map((bc, index) => {
    const what = `reference boundary condition ${index} on '${bc.reference}'`;
    if (!rigidBodies.has(bc.reference))
      throw new InvalidBoundaryConditionError(`${what}: the reference node has no DOFs (it is not in a kinematic coupling)`);
    const values = bc.components.map((component, k) => ({ component, value: prescribed(bc.value, k, what) }));
    return { index, reference: bc.reference, values };
  });
}

/** A node selection resolved once; a named mesh set keeps its name as `key`. */
export function plannedNodeSet(ctx: ExportContext, sel: NodeSelection, what: string): PlannedNodeSet {
  return { key: typeof sel === 'string' ? sel : null, nodes: resolveNodes(ctx.mesh, sel, what) };
}

/** Loads that become nodal forces, and the reference loads on rigid bodies. */
function plannedLoads(
  model: FeModel,
  loadCase: LoadCase,
  ctx: ExportContext,
  rigidBodies: Map<string, number[]>,
  tractionsAsNodalForces: boolean,
): { nodalForces: Float64Array; rigidLoads: PlannedRigidLoad[] } {
  const { mesh, family, layout, nNodes } = ctx;
  // Nodal forces, tractions and body forces become the same consistent nodal forces our solver
  // applies (no density needed for body forces).
  const f = assembleLoadVector(model, family, layout, {
    name: loadCase.name,
    nodalForces: loadCase.nodalForces,
    tractions: tractionsAsNodalForces ? loadCase.tractions : undefined,
    bodyForces: loadCase.bodyForces,
  }).subarray(0, 3 * nNodes);
  const label = loadCase.name ? `load case '${loadCase.name}'` : 'load case';
  const rigidLoads: PlannedRigidLoad[] = [];
  for (const [i, rl] of (loadCase.referenceLoads ?? []).entries()) {
    const what = `${label}, reference load ${i} on '${rl.reference}'`;
    const F = rl.force ?? [0, 0, 0];
    const M = rl.moment ?? [0, 0, 0];
    if (![...F, ...M].every(Number.isFinite)) throw new NonFiniteInputError(`${what}: force or moment is not finite`);
    if (rigidBodies.has(rl.reference)) {
      rigidLoads.push({ reference: rl.reference, force: F, moment: M });
      continue;
    }
    const cp = (model.couplings ?? []).find((c) => c.reference === rl.reference && c.kind === 'distributing');
    if (!cp) throw new InvalidBoundaryConditionError(`${what}: no coupling uses this reference node, so the load has nowhere to go`);
    distributeReferenceLoad(mesh, resolveNodes(mesh, cp.nodes, what), cp.weights, layout.referencePosition.get(rl.reference)!, F, M, f, what);
  }
  return { nodalForces: f, rigidLoads };
}
