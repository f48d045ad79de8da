/**
 * Voxel meshing: labelled grids painted from implicit parts, connectivity
 * clean-up, conforming hex8 emission and Jacobian-guarded surface smoothing.
 * Units: mm.
 */
export * from './grid.js';
export * from './components.js';
export * from './hex-mesh.js';
export * from './hex-quality.js';
export * from './smooth.js';
