/**
 * The SA-AMG V-cycle on a device (written once against DeviceKernels) and
 * the AMG-preconditioned device PCG as the f32 inner solver of the
 * mixed-precision loop, on every available backend: reference f64,
 * reference f32, gpu.js in `cpu` mode, and WebGPU on any adapter (lavapipe in CI,
 * see backend-conformance; required under CI=true).
 *
 * Problem: the bone/disc/bone hex8 block of `amg.test.ts` (E 12 GPa /
 * 4.2 MPa / 12 GPa in three layers, bottom fixed), small enough for CI.
 */
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { DimensionMismatchError, prepareModel } from '@spinefea/core';
import { csrOperator, type CsrMatrix } from '@spinefea/core/linalg';
import { pcg } from '@spinefea/core/solvers';
import {
  deviceAmgInnerSolver,
  deviceAmgVcycle,
  reducedRigidBodyModes,
  smoothedAggregationAmg,
  type AmgOptions,
  type AmgPreconditioner,
} from '../src/solvers/amg/index.js';
import { choleskyInverse } from '../src/linalg/dense.js';
import { deviceInnerSolver, devicePcg, type DeviceMatrix, type DeviceVector } from '../src/solvers/device-pcg.js';
import { mixedPrecisionSolve } from '../src/solvers/mixed-precision.js';
import { contrastModel } from './support/contrast-model.js';
import { deviceKernelFactories, type AnyKernels } from './support/device-backends.js';

const EPS32 = 2 ** -24;


function system(nx: number, ny: number, nz: number) {
  const model = contrastModel(nx, ny, nz);
  const prepared = prepareModel(model, { preconditioner: 'none' });
  const { matrix: K, rhs: b, blockPtr } = prepared.reducedSystem({ tractions: [{ faces: 'zmax', traction: [0.3, 0, -1] }] });
  const amgOptions: AmgOptions = { blockPtr, nearNullSpace: reducedRigidBodyModes(model.mesh.nodes, prepared.transform), nullSpaceDim: 6 };
  return { K, b, amgOptions };
}

// 8×8×9 block, 2,187 DOFs. maxCoarseSize 60 gives 3 levels (2187 → 222 → 36, dense 36² coarse
// inverse); the default gives 2 levels with a 222² dense coarse inverse; and the Jacobi smoother.
const small = system(8, 8, 9);
const multi = smoothedAggregationAmg(small.K, { ...small.amgOptions, maxCoarseSize: 60 });
const twoLevel = smoothedAggregationAmg(small.K, small.amgOptions);
const multiJacobi = smoothedAggregationAmg(small.K, { ...small.amgOptions, maxCoarseSize: 60, smoother: 'jacobi' });
const hierarchies: [string, AmgPreconditioner][] = [
  ['3 levels, Chebyshev', multi],
  ['2 levels, Chebyshev', twoLevel],
  ['3 levels, Jacobi', multiJacobi],
];
// 12×12×12 block, 6,084 DOFs (3 levels at the default coarse size: 6084 → 750 → 90): the mixed-precision solves.
const medium = system(12, 12, 12);
const mediumAmg = smoothedAggregationAmg(medium.K, medium.amgOptions);

const factories = deviceKernelFactories({ webasm: false });

const created: AnyKernels[] = [];
afterAll(() => {
  for (const k of created) k.dispose();
});

/** Deterministic random vector in [−1, 1). */
function randomVector(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  return Float64Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** Stored entries of the widest row. */
function widest(A: CsrMatrix): number {
  let w = 0;
  for (let i = 0; i < A.rows; i++) w = Math.max(w, A.rowPtr[i + 1] - A.rowPtr[i]);
  return w;
}

/**
 * Bound on ‖z₃₂ − z₆₄‖₂ / ‖z₆₄‖₂ for one V-cycle run in f32 storage (device)
 * against the f64 CPU cycle, first-order rounding analysis (ε = ε₃₂ = 2⁻²⁴):
 *
 * 1. Local errors. An SpMV row with w stored entries, its f32 values and
 *    input rounded, computes (A·x)ᵢ with |δ| ≤ (w + 2)·ε·(|A||x|)ᵢ
 *    (Higham, Thm. 3.5; +1 data rounding, +1 for α·Ax + β·y); a smoothing
 *    step d ← c1·d + c2·(D⁻¹∘r), x ← x + d rounds ≤ 8 times per entry
 *    (invD, c1, c2 stored, 5 operations); copies are exact; writing r to
 *    f32 costs 1. A cycle runs, per level ℓ < L−1 with degree m, 2m SpMVs
 *    with A_ℓ, 2m smoothing steps, one with R_ℓ, one with P_ℓ, and on the
 *    coarsest level one SpMV with the dense n_c × n_c inverse (or 2m'
 *    SpMVs + steps when it is smoothed).
 * 2. Cancellation. The bounds are relative to |A||x|, the output of a
 *    residual r = b − A·x is smaller: measured ‖|b| + |A||x|‖/‖r‖ = 12–14
 *    at the fine level after pre-smoothing on these blocks; g = 16.
 * 3. Propagation. To first order δz = Σₖ Gₖ·δₖ with Gₖ the rest of the
 *    cycle after operation k; each Gₖ is a V-cycle tail (smoothers with
 *    ‖I − S·A‖_A ≤ 1, an A-orthogonal coarse correction), so a relative
 *    perturbation of an intermediate reaches z at about the same relative
 *    size; we take factor 1.
 *
 * Hence ‖δz‖/‖z‖ ≤ g·ε·Σₖ wₖ (worst-case, linear accumulation over every
 * operation; 1.9e-3 for the 3-level hierarchy). Typical errors are far
 * smaller (random signs: ≈ √(Σ wₖ)·ε; observed 2–3 ε), as the printed
 * ratios show. What this catches (mutations measured on the 3-level cycle):
 * degree 1 instead of 2 → 2e-1, Jacobi instead of Chebyshev → 1e-1, a
 * smoothing interval 1 % off → 2e-3. Local data errors (two D⁻¹ entries
 * swapped: 7e-6) pass it; they are the conformance suite's job, whose
 * per-kernel bounds are element-wise and tight.
 */
function f32CycleBound(amg: AmgPreconditioner): number {
  const h = amg.hierarchy;
  const L = h.levels.length;
  let terms = 1; // r rounded to f32 on upload
  for (let l = 0; l < L - 1; l++) {
    const lv = h.levels[l];
    terms += 2 * h.degree * (widest(lv.A) + 2) + 2 * h.degree * 8 + (widest(lv.R!) + 2) + (widest(lv.P!) + 2);
  }
  const c = h.levels[L - 1];
  terms += h.coarseCholesky ? c.A.rows + 2 : 2 * h.coarseDegree * (widest(c.A) + 2 + 8);
  return 16 * EPS32 * terms;
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s) / norm(b);
}

/** Applies the device V-cycle once to a host vector and reads z back. */
async function deviceApply(k: AnyKernels, M: ReturnType<typeof deviceAmgVcycle<DeviceVector, DeviceMatrix>>, r: Float64Array): Promise<Float32Array | Float64Array> {
  const rv = k.alloc(r.length);
  const zv = k.alloc(r.length);
  k.write(r, rv);
  M.apply(rv, zv);
  return k.read(zv);
}

describe('host side', () => {
  it('choleskyInverse(L) is the symmetric inverse of L·Lᵀ', () => {
    const h = multi.hierarchy;
    const C = h.levels[h.levels.length - 1].A;
    const n = C.rows;
    const X = choleskyInverse(h.coarseCholesky!, n);
    let asym = 0;
    let err = 0;
    let amax = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        asym = Math.max(asym, Math.abs(X[i * n + j] - X[j * n + i]));
        // (A·X)_ij − δ_ij
        let s = 0;
        for (let p = C.rowPtr[i]; p < C.rowPtr[i + 1]; p++) s += C.values[p] * X[C.colIdx[p] * n + j];
        err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
      }
      for (let p = C.rowPtr[i]; p < C.rowPtr[i + 1]; p++) amax = Math.max(amax, Math.abs(C.values[p]));
    }
    console.log(`[device-amg] coarse level ${n} rows: ‖A·A⁻¹ − I‖max = ${err.toExponential(2)}`);
    expect(asym).toBe(0); // mirrored: exactly symmetric
    // forward error of an explicit inverse ≈ κ(A_c)·n·ε₆₄; κ of the 3-level coarse operator is ≲ 1e6 here
    expect(err).toBeLessThan(1e-6);
  });
});

describe.each(factories)('device AMG on %s', (label, make) => {
  let kernels: AnyKernels | null = null;
  let skip = '';
  const get = async (): Promise<AnyKernels | null> => {
    if (kernels || skip) return kernels;
    const k = await make();
    if (typeof k === 'string') {
      skip = k;
      console.warn(`skipping ${label}: ${skip}`);
      return null;
    }
    created.push(k);
    kernels = k;
    return k;
  };

  it('the device V-cycle matches the CPU f64 V-cycle on random vectors (f64: 1e-12, f32: the derived bound)', async () => {
    const k = await get();
    if (!k) return;
    const n = small.K.rows;
    for (const [what, amg] of hierarchies) {
      const M = deviceAmgVcycle(k, amg);
      expect(M.levels.length).toBe(amg.levels.length);
      expect(M.coarse).toBe('dense-inverse');
      // f64: the same operations in another order and the explicit coarse inverse instead of two
      // triangular solves: both backward stable, differences at κ·ε₆₄ of the cycle (observed ~1e-15).
      const bound = k.precision === 'f64' ? 1e-12 : f32CycleBound(amg);
      let worst = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
          const r = randomVector(n, seed);
          const z64 = new Float64Array(n);
          amg.apply(r, z64);
          const z = await deviceApply(k, M, r);
          const e = relDiff(z, z64);
          worst = Math.max(worst, e);
          expect(e).toBeLessThanOrEqual(bound);
        }),
        { numRuns: 4 },
      );
      console.log(
        `[device-amg] ${label}, ${what} (${amg.levels.map((L) => L.rows).join(' → ')}): ‖z_dev − z_cpu‖/‖z_cpu‖ ≤ ${worst.toExponential(2)}` +
          ` = ${(worst / EPS32).toFixed(2)} ε₃₂; bound ${bound.toExponential(2)}`,
      );
      M.dispose?.();
    }
  });

  it('the device V-cycle is symmetric to its round-off: xᵀM⁻¹y = yᵀM⁻¹x', async () => {
    const k = await get();
    if (!k) return;
    const n = small.K.rows;
    const M = deviceAmgVcycle(k, multi);
    const x = randomVector(n, 11);
    const y = randomVector(n, 12);
    const Mx = await deviceApply(k, M, x);
    const My = await deviceApply(k, M, y);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      a += x[i] * My[i];
      b += y[i] * Mx[i];
    }
    // each device product is within B·‖M⁻¹v‖ of the f64 cycle (previous test), which is symmetric
    // to 1e-11 (amg.test.ts): |a − b| ≤ B·(‖x‖‖M⁻¹y‖ + ‖y‖‖M⁻¹x‖) + 1e-11·‖x‖‖M⁻¹y‖
    const B = k.precision === 'f64' ? 1e-12 : f32CycleBound(multi);
    const scale = norm(x) * norm(My) + norm(y) * norm(Mx);
    expect(Math.abs(a - b)).toBeLessThanOrEqual((B + 1e-11) * scale);
    expect(a).not.toBe(0);
  });

  it('AMG device PCG takes the iterations of the CPU f64 AMG-PCG (f64: ±1; f32: ±25 %)', async () => {
    const k = await get();
    if (!k) return;
    const M = deviceAmgVcycle(k, multi);
    const tol = 1e-6;
    const dev = await devicePcg(k, M.fineMatrix, M, small.b, { tolerance: tol, maxIterations: 200, checkEvery: 1 });
    const cpu = pcg(csrOperator(small.K), small.b, { preconditioner: multi, tolerance: tol, maxIterations: 200 });
    console.log(`[device-amg] ${label}: AMG-PCG to ${tol} on ${small.K.rows} DOFs: device ${dev.iterations} iterations, CPU f64 ${cpu.iterations}`);
    expect(dev.reason).toBe('converged');
    expect(cpu.converged).toBe(true);
    // f64: the same operator to 1e-15, CG counts can differ only where ‖r‖ crosses tol within round-off;
    // f32: the V-cycle is 3 ε₃₂ from the f64 one and CG's recursion loses orthogonality sooner
    const slack = k.precision === 'f64' ? 1 : Math.max(2, Math.ceil(0.25 * cpu.iterations));
    expect(Math.abs(dev.iterations - cpu.iterations)).toBeLessThanOrEqual(slack);
    M.dispose?.();
  });

  it('AMG device PCG inside mixed precision reaches 1e-10 on the contrast block with far fewer inner iterations than Jacobi device PCG', async () => {
    const k = await get();
    if (!k) return;
    const { K, b } = medium;
    const t0 = performance.now();
    const amgInner = deviceAmgInnerSolver(k, K, mediumAmg);
    const amgSol = await mixedPrecisionSolve(K, b, amgInner, { tolerance: 1e-10 });
    const t1 = performance.now();
    const jacSol = await mixedPrecisionSolve(K, b, deviceInnerSolver(k, K), { tolerance: 1e-10 });
    const t2 = performance.now();
    console.log(
      `[device-amg] ${label}, bone/disc/bone ${K.rows} DOFs to 1e-10 (f64): AMG device PCG ${amgSol.innerIterations} inner iterations ` +
        `(${amgSol.refinementSteps} refinements: ${amgSol.history.map((s) => s.innerIterations).join('+')}, ${(t1 - t0).toFixed(0)} ms, ${amgInner.checks} readbacks, ` +
        `${amgInner.preconditioner.name}); Jacobi device PCG ${jacSol.innerIterations} (${jacSol.refinementSteps} refinements, ${(t2 - t1).toFixed(0)} ms)`,
    );
    expect(amgSol.converged).toBe(true);
    expect(amgSol.relativeResidual).toBeLessThanOrEqual(1e-10);
    expect(jacSol.converged).toBe(true);
    // Jacobi needs hundreds of iterations per refinement on a 12000:4.2 contrast; AMG tens in total.
    expect(amgSol.innerIterations * 10).toBeLessThan(jacSol.innerIterations);
    // Same f64 solution: both residuals ≤ 1e-10·‖b‖, error ≤ κ·1e-10; 1e-6 relative in max norm is generous.
    let diff = 0;
    let mag = 0;
    for (let i = 0; i < K.rows; i++) {
      diff = Math.max(diff, Math.abs(amgSol.x[i] - jacSol.x[i]));
      mag = Math.max(mag, Math.abs(jacSol.x[i]));
    }
    expect(diff / mag).toBeLessThan(1e-6);
  });

  it('rejects wrong sizes with DimensionMismatchError', async () => {
    const k = await get();
    if (!k) return;
    const n = small.K.rows;
    const M = deviceAmgVcycle(k, multi);
    const short = k.alloc(n - 3);
    const ok = k.alloc(n);
    expect(() => M.apply(short, ok)).toThrow(DimensionMismatchError);
    expect(() => M.apply(ok, short)).toThrow(DimensionMismatchError);
    expect(() => M.apply(ok, ok)).toThrow(DimensionMismatchError);
    // a preconditioner of another size than the matrix
    await expect(devicePcg(k, deviceAmgVcycle(k, mediumAmg).fineMatrix, M, small.b, { tolerance: 1e-4, maxIterations: 10 })).rejects.toThrow(DimensionMismatchError);
    await expect(devicePcg(k, M.fineMatrix, M, medium.b, { tolerance: 1e-4, maxIterations: 10 })).rejects.toThrow(DimensionMismatchError);
    // an AMG of another matrix
    expect(() => deviceAmgInnerSolver(k, medium.K, multi)).toThrow(DimensionMismatchError);
    // a hierarchy whose prolongators do not chain
    const h = multi.hierarchy;
    const broken = { ...h, levels: [{ ...h.levels[0], P: h.levels[1].P }, ...h.levels.slice(1)] };
    expect(() => deviceAmgVcycle(k, broken)).toThrow(DimensionMismatchError);
    // a rectangular SpMV with x of the wrong side
    const P = k.uploadMatrix(h.levels[0].P!);
    expect(() => k.spmvUpdate(P, ok, k.alloc(h.levels[1].A.rows), 1, 0)).toThrow(DimensionMismatchError);
    expect(() => k.smoothStep(ok, ok, k.alloc(n), k.alloc(n), 0, 1, 0)).toThrow(DimensionMismatchError);
  });
});
