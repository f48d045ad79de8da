import type { Mesh } from '@spinefea/mesh';
import type { Material } from '../fem/material.js';

/**
 * A selection of mesh nodes: the name of a `mesh.nodeSets` entry, or explicit
 * node indices.
 */
export type NodeSelection = string | Uint32Array | readonly number[];

/** A selection of cell faces: the name of a `mesh.faceSets` entry, or an explicit face set. */
export type FaceSelection = string | { cells: Uint32Array; faces: Uint8Array };

/** Displacement components: 0 = x, 1 = y, 2 = z (and 3..5 = rotations θx, θy, θz on reference nodes). */
export type Component = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * Fixed (value 0) or prescribed displacement on a node selection.
 * `components` defaults to all three translations; `value` is in mm (rad for rotations),
 * one number for every listed component or one per component.
 */
export interface DisplacementBc {
  nodes: NodeSelection;
  components?: readonly Component[];
  value?: number | readonly number[];
}

/**
 * Prescribed motion of a reference node (translations mm, rotations rad).
 * Only the listed components are constrained.
 */
export interface ReferenceBc {
  reference: string;
  components: readonly Component[];
  value?: number | readonly number[];
}

/** A reference point with six DOFs (3 translations, 3 small rotations) used by couplings. */
export interface ReferenceNode {
  name: string;
  /** Position, mm. */
  position: readonly [number, number, number];
}

/**
 * Coupling of a node set to a reference node.
 * - `kinematic`: the nodes follow the reference node rigidly,
 *   u = u_ref + θ × (x − x_ref) (linearised rigid motion, small rotations).
 *   The reference node gets real DOFs; forces/moments on it load the coupled
 *   nodes as a rigid body would, and its displacement is the rigid motion.
 * - `distributing`: loads on the reference node are spread over the nodes
 *   (weighted like an RBE3: force/W plus the moment turned into forces by the
 *   weighted polar moment), without stiffening the surface. The reference
 *   node's reported motion is the weighted least-squares rigid fit of the nodes.
 */
export interface Coupling {
  kind: 'kinematic' | 'distributing';
  reference: string;
  nodes: NodeSelection;
  /** Distributing coupling weights (one per node); default uniform. */
  weights?: Float64Array;
}

/**
 * A general linear multi-point constraint on displacement DOFs
 * (DOF index = 3·node + component, reference-node DOFs follow the solid DOFs):
 * `u[slave] = Σ coefficients[i] · u[masters[i]] + constant`.
 */
export interface LinearConstraint {
  slave: number;
  masters: Uint32Array;
  coefficients: Float64Array;
  constant?: number;
}

/**
 * Axial springs between node pairs (trusses / ligaments). Layout: struct of
 * arrays, one entry per spring.
 * - `nodesA`, `nodesB`: node indices. `nodesB[i] = 0xffffffff` means "to ground"
 *   at the position of node A along `direction` (then `direction` is required).
 * - `stiffness`: axial stiffness k = E·A/L (N/mm).
 * - `tensionOnly`: 1 where the spring carries tension only (ligaments).
 */
export interface SpringSet {
  nodesA: Uint32Array;
  nodesB: Uint32Array;
  stiffness: Float64Array;
  tensionOnly?: Uint8Array;
  /** Unit directions (3 per spring) for springs to ground. */
  direction?: Float64Array;
}

/** Marker for a spring to ground in {@link SpringSet.nodesB}. */
export const GROUND = 0xffffffff;

/** Concentrated nodal forces: `forces` holds fx,fy,fz (N) per listed node. */
export interface NodalForces {
  nodes: Uint32Array;
  forces: Float64Array;
}

/** A uniform traction (MPa, global xyz) on a face selection. */
export interface SurfaceTraction {
  faces: FaceSelection;
  traction: readonly [number, number, number];
}

/** A uniform pressure (MPa, positive pushes into the body) on a face selection. */
export interface SurfacePressure {
  faces: FaceSelection;
  pressure: number;
}

/** A uniform body force (N/mm³) on all cells or those of the listed material ids. */
export interface BodyForce {
  force: readonly [number, number, number];
  materialIds?: readonly number[];
}

/** A force (N) and moment (N·mm) applied at a reference node. */
export interface ReferenceLoad {
  reference: string;
  force?: readonly [number, number, number];
  moment?: readonly [number, number, number];
}

/** Every load of one load case. */
export interface LoadCase {
  name?: string;
  nodalForces?: NodalForces[];
  tractions?: SurfaceTraction[];
  pressures?: SurfacePressure[];
  bodyForces?: BodyForce[];
  referenceLoads?: ReferenceLoad[];
}

/**
 * A complete linear-elastic model: mesh, materials and constraints. Loads live
 * in {@link LoadCase}s so several load cases can share one assembled matrix.
 *
 * `materials[id]` is the material of every cell with `mesh.materialIds[c] = id`.
 */
export interface FeModel {
  mesh: Mesh;
  materials: readonly Material[];
  /**
   * Optional per-cell material axis (unit vector, 3 per cell, Float32): where it is
   * non-zero and the cell's material is transversely isotropic, it replaces the
   * material's `axis` (e.g. the annulus fibre direction of each element).
   */
  materialAxes?: Float32Array;
  displacementBcs?: DisplacementBc[];
  referenceNodes?: ReferenceNode[];
  referenceBcs?: ReferenceBc[];
  couplings?: Coupling[];
  constraints?: LinearConstraint[];
  springs?: SpringSet;
}
