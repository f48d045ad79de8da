/** Sparse and dense linear algebra kernels (CSR, BSR3, vectors, Matrix Market I/O). */
export * from './csr.js';
export * from './vector.js';
export * from './bsr3.js';
export * from './parallel-spmv.js';
export * from './matrix-market.js';
export * from './sbsr3-wasm.js';
export * from './dense.js';
export * from './lanczos.js';
