/** Iterative solvers and preconditioners. */
export * from './preconditioner.js';
export * from './pcg.js';
export * from './jacobi.js';
export * from './block-jacobi.js';
export * from './amg/index.js';
export * from './nodal-block-jacobi.js';
