/** Compute backends (the CPU reference; GPU backends later). */
export * from './backend.js';
export * from './cpu.js';
