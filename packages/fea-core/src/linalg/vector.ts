/**
 * Dense vector kernels on Float64Arrays (plain loops, allocation-free).
 * Lengths are taken from the first argument; callers pass equal-length arrays.
 */

/**
 * Inner product `xᵀ·y`.
 *
 * @example
 * ```ts
 * dot(Float64Array.of(1, 2), Float64Array.of(3, 4)); // 11
 * ```
 */
export function dot(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

/**
 * Euclidean norm `‖x‖₂`.
 *
 * @example
 * ```ts
 * norm2(Float64Array.of(3, 4)); // 5
 * ```
 */
export function norm2(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/**
 * `y ← y + α·x`.
 *
 * @example
 * ```ts
 * axpy(2, x, y);
 * ```
 */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

/**
 * `y ← x + β·y` (the CG search-direction update `p ← z + β·p`).
 *
 * @example
 * ```ts
 * xpby(z, beta, p);
 * ```
 */
export function xpby(x: Float64Array, beta: number, y: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) y[i] = x[i] + beta * y[i];
}

/**
 * Index of the first NaN/±Inf entry, or −1 if all are finite.
 *
 * @example
 * ```ts
 * firstNonFinite(Float64Array.of(1, NaN)); // 1
 * ```
 */
export function firstNonFinite(x: ArrayLike<number>): number {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    // x − x is NaN exactly for NaN and ±Inf; cheaper than Number.isFinite in hot loops
    const v = x[i];
    if (v - v !== 0) return i;
  }
  return -1;
}
