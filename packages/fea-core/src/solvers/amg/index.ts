/** Smoothed-aggregation algebraic multigrid (SA-AMG) with rigid-body modes. */
export * from './rigid-body-modes.js';
export * from './smoothed-aggregation.js';
export * from './elasticity-amg.js';
export * from './device-vcycle.js';
