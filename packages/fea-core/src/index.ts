/**
 * `@spinefea/core`: the finite element engine. Units: mm, N, MPa throughout.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './linalg/types.js';
export * from './linalg/index.js';
export * from './solvers/index.js';
export * from './backend/index.js';
export * from './fem/element-family.js';
export * from './fem/elements/index.js';
export * from './fem/material.js';
export * from './fem/assemble.js';
export * from './model/index.js';
export * from './post/index.js';
export * from './spine/index.js';
export * from './io/index.js';
