/**
 * Seeded, reproducible sampling of the unit hypercube: a Sobol' low-discrepancy
 * sequence (Joe–Kuo direction numbers, up to {@link SOBOL_MAX_DIMENSIONS} dimensions,
 * optional seeded digital shift) and a seeded Latin hypercube, both on a
 * mulberry32 PRNG so every sweep is bit-reproducible from its seed.
 *
 * Layout: a design of n points in d dimensions is one `Float64Array` of length
 * n·d, row-major (point i, dimension j at `i·d + j`), every value in [0, 1).
 */
import { mulberry32 } from '@spinefea/mesh';
import { SurrogateInputError } from './errors.js';

export { mulberry32 };

/**
 * A seeded 32-bit PRNG (mulberry32): uniform floats in [0, 1).
 *
 * @param seed - any integer; equal seeds give equal streams.
 * @returns a function drawing the next number.
 * @example
 * ```ts
 * const rand = mulberry32(42);
 * rand(); // 0.6011…, the same on every machine
 * ```
 */

/**
 * Primitive polynomials and initial direction numbers of Joe & Kuo
 * (new-joe-kuo-6.21201, dimensions 2–21): `[s, a, m₁…m_s]` with s the degree
 * and a the coefficients of the polynomial's interior terms. Dimension 1 is the
 * van der Corput sequence (all mᵢ = 1).
 */
const JOE_KUO: readonly (readonly number[])[] = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
  [5, 4, 1, 1, 5, 5, 5],
  [5, 7, 1, 1, 7, 11, 19],
  [5, 11, 1, 1, 5, 1, 1],
  [5, 13, 1, 1, 1, 3, 11],
  [5, 14, 1, 3, 5, 5, 31],
  [6, 1, 1, 3, 3, 9, 7, 49],
  [6, 13, 1, 1, 1, 15, 21, 21],
  [6, 16, 1, 3, 1, 13, 27, 49],
  [6, 19, 1, 1, 1, 15, 7, 5],
  [6, 22, 1, 3, 1, 15, 13, 25],
  [6, 25, 1, 1, 5, 5, 19, 61],
  [7, 1, 1, 3, 7, 11, 23, 15, 103],
  [7, 4, 1, 3, 7, 13, 13, 15, 69],
];

/** Dimensions the built-in Sobol' direction numbers cover. */
export const SOBOL_MAX_DIMENSIONS = JOE_KUO.length + 1;

const BITS = 32;

/** Direction numbers v_{j,k} (scaled by 2³²) of dimension j, k = 1…32. */
function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 1 << (31 - k) >>> 0;
    return v;
  }
  const [s, a, ...m] = JOE_KUO[dim - 1];
  for (let k = 0; k < s; k++) v[k] = (m[k] << (31 - k)) >>> 0;
  // v_k = a₁v_{k−1} ⊕ a₂v_{k−2} ⊕ … ⊕ a_{s−1}v_{k−s+1} ⊕ v_{k−s} ⊕ (v_{k−s} ≫ s)
  for (let k = s; k < BITS; k++) {
    let x = v[k - s] ^ (v[k - s] >>> s);
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x ^= v[k - i];
    v[k] = x >>> 0;
  }
  return v;
}

/** Options of {@link sobolSequence}. */
export interface SobolOptions {
  /** Points to skip at the start (default 0: the sequence starts at the origin, unless shifted). */
  skip?: number;
  /** Seed of a random digital shift (XOR of every coordinate with a seeded 32-bit word); keeps the net properties. Omit for the plain sequence. */
  seed?: number;
}

/**
 * The first n points of the d-dimensional Sobol' sequence (Gray-code order,
 * Antonov–Saleev): xᵢ = xᵢ₋₁ ⊕ v_c with c the index of the lowest zero bit of i−1.
 * Every block of 2ᵐ consecutive points from index 0 is a (t, m, d)-net: each
 * one-dimensional projection puts exactly one point in every interval [k/2ᵐ, (k+1)/2ᵐ).
 *
 * @param n - number of points.
 * @param d - dimensions, 1…{@link SOBOL_MAX_DIMENSIONS}.
 * @returns n·d values in [0, 1), row-major.
 * @example
 * ```ts
 * const x = sobolSequence(8, 2); // [0,0, .5,.5, .75,.25, .25,.75, …]
 * ```
 */
export function sobolSequence(n: number, d: number, options: SobolOptions = {}): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new SurrogateInputError('points', `must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(d) || d < 1 || d > SOBOL_MAX_DIMENSIONS) {
    throw new SurrogateInputError('dimensions', `Sobol' direction numbers cover 1–${SOBOL_MAX_DIMENSIONS} dimensions, got ${d}`);
  }
  const skip = options.skip ?? 0;
  const v = Array.from({ length: d }, (_, j) => directionNumbers(j));
  const shift = new Uint32Array(d);
  if (options.seed !== undefined) {
    const rand = mulberry32(options.seed);
    for (let j = 0; j < d; j++) shift[j] = Math.floor(rand() * 4294967296) >>> 0;
  }
  const x = new Uint32Array(d);
  const out = new Float64Array(n * d);
  for (let i = 0; i < skip + n; i++) {
    if (i > 0) {
      // c = index of the lowest zero bit of (i − 1)
      let c = 0;
      let k = i - 1;
      while (k & 1) {
        k >>>= 1;
        c++;
      }
      for (let j = 0; j < d; j++) x[j] = (x[j] ^ v[j][c]) >>> 0;
    }
    if (i >= skip) for (let j = 0; j < d; j++) out[(i - skip) * d + j] = ((x[j] ^ shift[j]) >>> 0) / 4294967296;
  }
  return out;
}

/**
 * A seeded Latin hypercube: each dimension is cut into n equal strata, every
 * stratum holds exactly one point (random position inside it), strata are
 * paired across dimensions by independent seeded permutations.
 *
 * @returns n·d values in [0, 1), row-major.
 * @example
 * ```ts
 * const x = latinHypercube(10, 3, 7); // 10 points, each column one per tenth
 * ```
 */
export function latinHypercube(n: number, d: number, seed: number): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new SurrogateInputError('points', `must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(d) || d < 1) throw new SurrogateInputError('dimensions', `must be a positive integer, got ${d}`);
  const rand = mulberry32(seed);
  const out = new Float64Array(n * d);
  const perm = new Uint32Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    // Fisher–Yates shuffle
    for (let i = n - 1; i > 0; i--) {
      const r = Math.floor(rand() * (i + 1));
      const t = perm[i];
      perm[i] = perm[r];
      perm[r] = t;
    }
    for (let i = 0; i < n; i++) out[i * d + j] = (perm[i] + rand()) / n;
  }
  return out;
}

/** Sampler names accepted by {@link sampleUnitCube}. */
export type SamplerName = 'sobol' | 'lhs';

/**
 * n points in [0, 1)ᵈ from the named sampler. Sobol' with a seeded digital
 * shift (the shift is the only randomness; the seed reproduces it) or a seeded LHS.
 *
 * @example
 * ```ts
 * const u = sampleUnitCube('sobol', 64, 18, 1);
 * ```
 */
export function sampleUnitCube(sampler: SamplerName, n: number, d: number, seed: number): Float64Array {
  if (sampler === 'sobol') return sobolSequence(n, d, { seed });
  if (sampler === 'lhs') return latinHypercube(n, d, seed);
  throw new SurrogateInputError('sampler', `'${String(sampler)}' is not 'sobol' or 'lhs'`);
}
