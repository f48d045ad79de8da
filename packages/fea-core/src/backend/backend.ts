/**
 * A small compute-backend abstraction for the Krylov kernels, so that a GPU
 * implementation (WebGPU, CUDA via N-API, …) can be added later without
 * touching the solver logic. The CPU backend ({@link cpuBackend}) is the
 * reference: every other backend is tested against it.
 *
 * Vectors and matrices are opaque handles owned by the backend (device
 * memory on a GPU); `upload`/`download` move Float64Array data across.
 */
import type { CsrMatrix } from '../linalg/types.js';

/** A vector living in a backend's memory. */
export interface BackendVector {
  readonly length: number;
}

/** A sparse matrix living in a backend's memory (format chosen by the backend). */
export interface BackendMatrix {
  readonly rows: number;
  readonly cols: number;
}

/**
 * The kernels a conjugate-gradient solve needs. All operations are
 * synchronous from the caller's point of view on the CPU; a GPU backend may
 * queue them and synchronise in `dot` / `download`.
 */
export interface Backend<V extends BackendVector = BackendVector, M extends BackendMatrix = BackendMatrix> {
  /** Short name, e.g. `cpu`, `webgpu`. */
  readonly name: string;
  /** Whether this is the reference implementation other backends are checked against. */
  readonly isReference: boolean;
  /** New zero vector of length n. */
  alloc(n: number): V;
  /** Copies host data into a new backend vector (or into `dst`). */
  upload(host: Float64Array, dst?: V): V;
  /** Copies a backend vector to the host (into `out` if given). */
  download(v: V, out?: Float64Array): Float64Array;
  /** Moves a CSR matrix to the backend (may convert to a faster format, e.g. BSR3). */
  uploadMatrix(A: CsrMatrix): M;
  /** `y ← A·x`. */
  spmv(A: M, x: V, y: V): void;
  /** `xᵀ·y`. */
  dot(x: V, y: V): number;
  /** `y ← y + α·x`. */
  axpy(alpha: number, x: V, y: V): void;
  /** `y ← x + β·y`. */
  xpby(x: V, beta: number, y: V): void;
  /** `z ← a ∘ b` (element-wise product; Jacobi preconditioning). */
  multiply(a: V, b: V, z: V): void;
  /** `dst ← src`. */
  copy(src: V, dst: V): void;
  /** Releases backend resources (no-op on the CPU). */
  dispose(): void;
}
