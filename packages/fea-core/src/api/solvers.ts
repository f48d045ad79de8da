/**
 * `@spinefea/core/solvers`: preconditioned conjugate gradients on any `LinearOperator`, and
 * its preconditioners — Jacobi, block Jacobi, nodal block Jacobi and smoothed-aggregation
 * AMG with rigid-body modes. `prepareModel` picks one by name (`preconditioner: 'amg'`);
 * this sub-path is for solving a matrix of your own.
 * @packageDocumentation
 */
export { defaultMaxIterations, pcg, type PcgOptions, type PcgSolution } from '../solvers/pcg.js';
export { isDiagonalPreconditioner, isFusedPreconditioner, type DiagonalPreconditioner, type FusedPreconditioner } from '../solvers/preconditioner.js';
export { jacobiPreconditioner, type JacobiOptions } from '../solvers/jacobi.js';
export { blockJacobiPreconditioner } from '../solvers/block-jacobi.js';
export { nodalBlockJacobiPreconditioner } from '../solvers/nodal-block-jacobi.js';
export {
  RIGID_BODY_MODE_COUNT,
  amgPreconditioner,
  buildAmgHierarchy,
  refreshFineLevel,
  elasticityAmgFactory,
  reducedRigidBodyModes,
  rigidBodyModes,
  smoothedAggregationAmg,
  smootherSchedule,
  type AmgHierarchy,
  type AmgHierarchyLevel,
  type AmgLevelInfo,
  type AmgOptions,
  type AmgPreconditioner,
  type ElasticityAmgOptions,
  type SmootherSchedule,
} from '../solvers/amg/index.js';
