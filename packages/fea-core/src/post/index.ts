/**
 * Post-processing: sampling-point strains and stresses, nodal and cell
 * averages, strain energy, stress invariants and region statistics.
 */
export * from './stress.js';
export * from './invariants.js';
export * from './statistics.js';
export * from './section-forces.js';
export * from './results.js';
