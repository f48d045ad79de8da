/**
 * `@spinefea/core/fem`: the finite element building blocks under `prepareModel` — element
 * families and shape functions, materials, stiffness assembly, the constraint transform and
 * the reduced system, load vectors, the active-set loop and recovery. For custom pipelines (a new solver, a
 * benchmark of one step); most users need only `prepareModel` from `@spinefea/core`.
 * Units: mm, N, MPa.
 * @packageDocumentation
 */
export type { ElementFamily } from '../fem/element-family.js';
export { elementFamily, hex8, tet4, tet10 } from '../fem/elements/index.js';
export { hex8Shape, quad4Shape, tabulate, tet10Shape, tet4Shape, tri3Shape, tri6Shape, type ShapeFunction, type ShapeTable } from '../fem/elements/index.js';
export { constitutiveMatrix, isotropicLame, validateMaterial, type LameParameters } from '../fem/material.js';
export { assembleStiffness, buildStiffnessPattern, checkElementJacobians, type ConstitutiveLookup, type StiffnessPattern } from '../fem/assemble.js';
export {
  buildConstraintTransform,
  checkRigidBodyConstraints,
  describeModelDof,
  dofLayout,
  expandSolution,
  reduceLoad,
  reduceStiffness,
  reduceStiffnessValues,
  type ConstraintTransform,
  type DofLayout,
} from '../model/constraints.js';
export { assembleLoadVector } from '../model/loads.js';
export { resolveFaces, resolveNodes } from '../model/selection.js';
export { activeSetLoop, type ActiveSetOptions, type ActiveSetProblem, type ActiveSetStuck } from '../model/active-set.js';
export { internalForces, nodalReactions, referenceMotions, springForces, storedEnergy } from '../model/recovery.js';
