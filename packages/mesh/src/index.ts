/**
 * `@spinefea/mesh`: mesh data layout, generators, quality metrics and file
 * formats. Units: mm. Depends on no other spinefea package.
 * @packageDocumentation
 */
export * from './mesh.js';
export * from './errors.js';
export * from './generate/index.js';
export * from './quality/index.js';
export * from './io/index.js';
export * from './voxel/index.js';
export * from './spine/index.js';
