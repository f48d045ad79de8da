export * from './load-cases.js';
export * from './kinematics.js';
export * from './spine-model.js';
export * from './clinical.js';
export * from './analysis.js';
