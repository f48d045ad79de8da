/**
 * Patient-parametric lumbar motion segments (L1–L5) with implants, meshed as
 * conforming hex8 voxels. Coordinates: x lateral (left → right), y anterior,
 * z superior; origin at the centre of the inferior endplate of the lowest
 * vertebra; mm, MPa.
 */
export * from './sdf.js';
export * from './geometry.js';
export * from './parameters.js';
export * from './implants.js';
export * from './ligaments.js';
export * from './segment.js';
export * from './tet-segment.js';
export { buildFittedSegment, DEFAULT_REFINEMENT } from './fitted/fitted-segment.js';
export type { EmbeddedTies } from './fitted/builder.js';
export * from './handles.js';
