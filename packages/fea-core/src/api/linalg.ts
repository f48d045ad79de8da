/**
 * `@spinefea/core/linalg`: sparse matrices (CSR, 3×3-block BSR and its symmetric half),
 * operators for CG (serial and multi-threaded SpMV), vector kernels, Matrix Market and
 * raw binary I/O. Units follow the matrix (stiffness N/mm, loads N).
 * @packageDocumentation
 */
export type { CsrMatrix, LinearOperator, Preconditioner, SolveResult, StopReason } from '../linalg/types.js';
export {
  csrDiagonal,
  csrFromTriplets,
  csrGet,
  csrIdentity,
  csrIsSymmetric,
  csrMultiply,
  csrOperator,
  csrSpmv,
  csrToDense,
  csrTranspose,
  csrValidate,
  type FusedLinearOperator,
  type IndexArray,
} from '../linalg/index.js';
export { axpy, dot, firstNonFinite, norm2, xpby } from '../linalg/index.js';
export {
  bsr3FromCsr,
  bsr3Operator,
  bsr3Spmv,
  sbsr3FromCsr,
  sbsr3Operator,
  sbsr3Spmv,
  type Bsr3Matrix,
  type Bsr3Options,
  type Sbsr3Matrix,
} from '../linalg/index.js';
export { sbsr3Kernel, simdSbsr3Operator, wasmSimdAvailable, type Sbsr3Kernel } from '../linalg/sbsr3-wasm.js';
export { parallelBsr3Operator, parallelSbsr3Operator, type ParallelOperator, type ParallelSpmvOptions } from '../linalg/index.js';
export {
  MatrixFormatError,
  formatMatrixMarket,
  readCsrBinary,
  readMatrixMarket,
  writeCsrBinary,
  writeMatrixMarketFile,
  type CsrBinaryHeader,
  type MatrixMarketWriteOptions,
} from '../linalg/index.js';
