/**
 * `@spinefea/core`: the finite element engine. Units: mm, N, MPa throughout.
 *
 * This entry point is the task-level API, one entry per task:
 * - describe a model: {@link FeModel} (+ {@link LoadCase}) with materials, constraints, springs;
 * - solve it: {@link prepareModel} once, then `prepared.solve(loadCase)` per load case
 *   ({@link solveStatic} for a single case);
 * - read results: {@link resultFields} (stresses, von Mises, principal), {@link regionStatistics},
 *   section forces, {@link resultsToVtu};
 * - the spine: {@link buildSpineFeModel} → {@link analyzeSpine} → clinical figures.
 *
 * Building blocks live in sub-paths: `@spinefea/core/fem` (elements, materials, assembly,
 * constraint reduction), `/linalg` (sparse matrices, vectors, Matrix Market), `/solvers`
 * (PCG, preconditioners, AMG), `/gpu` (device backends, mixed precision), `/io` (CalculiX and
 * FEBio export, CalculiX results). Everything else is internal. The list of exports is
 * `packages/fea-core/api-report.md`, checked by `test/api-surface.test.ts`.
 * @packageDocumentation
 */

// Errors: every class the library throws.
export {
  DeviceFailureError,
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidBoundaryConditionError,
  InvalidElementError,
  InvalidMaterialError,
  NonFiniteInputError,
  SolverNotConvergedError,
  SpineFeaError,
  UnconstrainedModelError,
} from './errors.js';
export { InvalidBackendError } from './errors.js';
// The `backend` option of prepareModel / analyzeSpine (more in `@spinefea/core/gpu`).
export type { BackendReport, SolveBackend } from './backend/solve-with-backend.js';

// The model: plain data.
export {
  GROUND,
  type BodyForce,
  type Component,
  type Coupling,
  type DisplacementBc,
  type FaceSelection,
  type FeModel,
  type LinearConstraint,
  type LoadCase,
  type NodalForces,
  type NodeSelection,
  type ReferenceBc,
  type ReferenceLoad,
  type ReferenceNode,
  type SpringSet,
  type SurfacePressure,
  type SurfaceTraction,
} from './model/model.js';
export type { IsotropicMaterial, Material, TransverselyIsotropicMaterial } from './fem/material.js';
export { tieNodesToCells, type PointLocation } from './model/ties.js';

// Prepare and solve.
export {
  prepareModel,
  solveStatic,
  type PreconditionerChoice,
  type PreparedModel,
  type ReducedSystem,
  type StaticSolution,
  type StaticSolveOptions,
} from './model/static-solve.js';
export { forceResultant, type ForceResultant, type ReferenceMotion } from './model/recovery.js';

// Results.
export { resultFields, resultsToVtu, type ResultFields } from './post/results.js';
export {
  elementAverage,
  elementFields,
  nodalAverage,
  regionNodalAverage,
  strainEnergy,
  type ElementFields,
  type NodalAverageOptions,
  type PostOptions,
  type RegionNodalField,
} from './post/stress.js';
export { hydrostaticPressure, maxShear, principalDirections, principalStresses, vonMises, type PrincipalFrames } from './post/invariants.js';
export { cellMaskForRegions, expandCellMask, regionStatistics, type RegionStatistics, type RegionStatisticsOptions } from './post/statistics.js';
export { barSectionForces, beamVonMises, cellNodalForces, type BarSectionForces } from './post/section-forces.js';

// The spine: model, protocol, clinical figures.
export {
  DEFAULT_SPINE_CALIBRATION,
  IMPLANT_STRENGTH,
  buildSpineFeModel,
  embeddedTieConstraints,
  type ImplantMaterialName,
  type SpineCalibration,
  type SpineFeModel,
  type SpineInjury,
  type SpineModelOptions,
  type SpineRegions,
} from './spine/spine-model.js';
export { MOTION_AXIS, SPINE_MOTIONS, axialCompressionLoadCase, pureMomentLoadCase, type PureMomentOptions, type SpineMotion } from './spine/load-cases.js';
export {
  analyzeSpine,
  analyzeSpineAsync,
  spineCaseSummary,
  type SpineAnalysisOptions,
  type SpineAnalysisResult,
  type SpineCaseResult,
  type SpineCaseSummary,
} from './spine/analysis.js';
export {
  INSTABILITY_CRITERION,
  INTACT_ROM_UPPER_DEG,
  clinicalFigures,
  instabilityVerdict,
  type ClinicalFigures,
  type ImplantStress,
} from './spine/clinical.js';
export { rigidFit, type RigidFit } from './spine/kinematics.js';
