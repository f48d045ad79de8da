export * from './model.js';
export * from './selection.js';
export * from './constraints.js';
export * from './loads.js';
export * from './springs.js';
export * from './ties.js';
export * from './static-solve.js';
