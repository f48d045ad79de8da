/**
 * Mesh generators, cell-type conversion and boundary surfaces.
 * @packageDocumentation
 */
export * from './box.js';
export * from './cylinder.js';
export * from './convert.js';
export * from '../surface.js';
export { mulberry32 } from './params.js';
