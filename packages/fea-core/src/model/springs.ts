import type { Mesh } from '@spinefea/mesh';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError } from '../errors.js';
import { addBlock, findSlot, type StiffnessPattern } from '../fem/assemble.js';
import { GROUND, type SpringSet } from './model.js';

/** Node pairs of the non-ground springs, `[a0,b0,a1,b1,…]`, for the sparsity pattern. */
export function springPairs(springs: SpringSet | undefined): Uint32Array {
  if (!springs) return new Uint32Array(0);
  const out: number[] = [];
  for (let i = 0; i < springs.nodesA.length; i++) if (springs.nodesB[i] !== GROUND) out.push(springs.nodesA[i], springs.nodesB[i]);
  return Uint32Array.from(out);
}

/** Check a spring set's array lengths, indices and values. */
export function validateSprings(springs: SpringSet, nNodes: number): void {
  const m = springs.nodesA.length;
  if (springs.nodesB.length !== m || springs.stiffness.length !== m || (springs.tensionOnly && springs.tensionOnly.length !== m))
    throw new DimensionMismatchError(`springs: nodesA has ${m} entries but nodesB/stiffness/tensionOnly differ in length`);
  for (let i = 0; i < m; i++) {
    if (!(springs.nodesA[i] < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${springs.nodesA[i]} out of range`);
    if (springs.nodesB[i] !== GROUND && !(springs.nodesB[i] < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${springs.nodesB[i]} out of range`);
    if (!Number.isFinite(springs.stiffness[i]) || springs.stiffness[i] < 0)
      throw new NonFiniteInputError(`spring ${i}: stiffness ${springs.stiffness[i]} must be finite and ≥ 0`);
    if (springs.nodesB[i] === GROUND && (!springs.direction || springs.direction.length < 3 * m))
      throw new InvalidArgumentError(`spring ${i} goes to ground but no direction is given`);
  }
}

/** Unit axis of spring i (from A to B, or the given direction for a spring to ground) and its length (mm). */
export function springAxis(mesh: Mesh, springs: SpringSet, i: number, n: Float64Array): number {
  const a = springs.nodesA[i];
  const b = springs.nodesB[i];
  if (b === GROUND) {
    const d = springs.direction!;
    const l = Math.hypot(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
    n[0] = d[3 * i] / l;
    n[1] = d[3 * i + 1] / l;
    n[2] = d[3 * i + 2] / l;
    return 1;
  }
  const x = mesh.nodes;
  const dx = x[3 * b] - x[3 * a];
  const dy = x[3 * b + 1] - x[3 * a + 1];
  const dz = x[3 * b + 2] - x[3 * a + 2];
  const L = Math.hypot(dx, dy, dz);
  if (!(L > 0)) throw new InvalidArgumentError(`spring ${i}: nodes ${a} and ${b} coincide, so the spring has no axis`);
  n[0] = dx / L;
  n[1] = dy / L;
  n[2] = dz / L;
  return L;
}

/**
 * Add the stiffness of the active springs into `values`:
 * K_AA = K_BB = k·n nᵀ, K_AB = K_BA = −k·n nᵀ (an axial truss, n the unit axis).
 */
export function addSpringStiffness(pattern: StiffnessPattern, mesh: Mesh, springs: SpringSet, active: Uint8Array, values: Float64Array): void {
  const n = new Float64Array(3);
  const blk = new Float64Array(9);
  const { nodeRowPtr, nodeCols } = pattern;
  for (let i = 0; i < springs.nodesA.length; i++) {
    if (!active[i]) continue;
    springAxis(mesh, springs, i, n);
    const k = springs.stiffness[i];
    for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) blk[3 * p + q] = k * n[p] * n[q];
    const a = springs.nodesA[i];
    const b = springs.nodesB[i];
    addBlock(pattern, values, a, findSlot(nodeRowPtr, nodeCols, a, a), blk);
    if (b === GROUND) continue;
    addBlock(pattern, values, b, findSlot(nodeRowPtr, nodeCols, b, b), blk);
    addBlock(pattern, values, a, findSlot(nodeRowPtr, nodeCols, a, b), blk, -1);
    addBlock(pattern, values, b, findSlot(nodeRowPtr, nodeCols, b, a), blk, -1);
  }
}

/**
 * Axial elongation δ = nᵀ(u_B − u_A) (mm; for a spring to ground δ = nᵀu_A)
 * and force k·δ (N, positive in tension) of every spring, into `elongation` and `force`.
 */
export function springResponse(mesh: Mesh, springs: SpringSet, u: Float64Array, elongation: Float64Array, force: Float64Array): void {
  const n = new Float64Array(3);
  for (let i = 0; i < springs.nodesA.length; i++) {
    springAxis(mesh, springs, i, n);
    const a = springs.nodesA[i];
    const b = springs.nodesB[i];
    let d = 0;
    for (let k = 0; k < 3; k++) d += n[k] * ((b === GROUND ? 0 : u[3 * b + k]) - u[3 * a + k]);
    if (b === GROUND) d = -d;
    elongation[i] = d;
    force[i] = springs.stiffness[i] * d;
  }
}
