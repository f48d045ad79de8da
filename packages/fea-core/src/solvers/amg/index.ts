/** Smoothed-aggregation algebraic multigrid (SA-AMG) with rigid-body modes: hierarchy (data), cycle (function), preconditioners. */
export * from './rigid-body-modes.js';
export * from './hierarchy.js';
export * from './cycle.js';
export * from './smoothed-aggregation.js';
export * from './elasticity-amg.js';
export * from './device-vcycle.js';
