/**
 * Mesh quality metrics and structural validation.
 * @packageDocumentation
 */
export * from './quality.js';
export * from '../validate.js';
