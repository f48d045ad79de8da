/**
 * The browser-safe part of `@spinefea/surrogate` (no `node:` imports): the
 * design space, input parsing, features and the model (load from JSON, predict).
 * Import as `@spinefea/surrogate/browser` from a bundler.
 */
export * from './errors.js';
export * from './design-space.js';
export * from './inputs.js';
export * from './features.js';
export * from './base64.js';
export * from './model.js';
