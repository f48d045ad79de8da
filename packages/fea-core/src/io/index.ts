/**
 * Interoperability: export to CalculiX/Abaqus `.inp` and FEBio 4 `.feb`,
 * and readers for CalculiX results. Units: mm, N, MPa throughout.
 */
export * from './calculix.js';
export * from './calculix-results.js';
export * from './febio.js';
