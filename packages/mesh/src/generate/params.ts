/**
 * Parameter checks and a seedable PRNG shared by the generators (not re-exported).
 * @internal
 */
import type { CellType } from '../mesh.js';
import { InvalidParameterError } from '../errors.js';

/**
 * mulberry32: a small, fast, seedable PRNG giving uniform numbers in [0, 1); the one
 * source of reproducible randomness across spinefea (mesh distortion, AMG start vectors,
 * design sampling).
 *
 * @example
 * ```ts
 * const rand = mulberry32(42);
 * const u = rand(); // same sequence for the same seed
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function checkVec3(name: string, v: readonly number[] | undefined, positive: boolean, integer: boolean): void {
  if (!Array.isArray(v) && !(v && typeof v === 'object' && 'length' in v)) throw new InvalidParameterError(name, 'must be an array of 3 numbers');
  if (v.length !== 3) throw new InvalidParameterError(name, `must have 3 entries, got ${v.length}`);
  for (let i = 0; i < 3; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) throw new InvalidParameterError(`${name}[${i}]`, `must be finite, got ${x}`);
    if (positive && !(x > 0)) throw new InvalidParameterError(`${name}[${i}]`, `must be > 0, got ${x}`);
    if (integer && !Number.isInteger(x)) throw new InvalidParameterError(`${name}[${i}]`, `must be an integer, got ${x}`);
  }
}

/** Validate a cell type string from untyped callers. @internal */
export function checkCellType(name: string, t: unknown): asserts t is CellType {
  if (t !== 'hex8' && t !== 'tet4' && t !== 'tet10') throw new InvalidParameterError(name, `must be 'hex8', 'tet4' or 'tet10', got ${String(t)}`);
}

