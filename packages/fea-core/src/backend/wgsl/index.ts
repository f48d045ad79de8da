/** WGSL shader sources of the WebGPU backend. */
export * from './spmv-bsell3.js';
export * from './reductions.js';
export * from './vector-updates.js';
