/**
 * One conformance suite for every available device backend: the same SpMV,
 * dot, axpy/xpby and inner-PCG checks against the f64 CPU reference.
 *
 * Tolerances come from f32 round-off (ε₃₂ = 2⁻²⁴ ≈ 6·10⁻⁸ unit round-off):
 * - SpMV row i: storing A and x in f32 perturbs each product by ≤ 2ε₃₂|a||x|
 *   and summing m terms adds ≤ m·ε₃₂·Σ|a||x| (sequential or tree order), so
 *   |Δyᵢ| ≤ (m + 2)·ε₃₂·Σⱼ|aᵢⱼ||xⱼ| with m the row's stored entries.
 *   The check uses c = 2 on top of that bound (|Δyᵢ| ≤ 2(m+2)ε₃₂·(|A||x|)ᵢ).
 * - dot of length n: |Δ| ≤ (log₂n + 2 + n/256)·ε₃₂·Σ|xᵢyᵢ| for a two-stage
 *   tree whose first stage sums 256 (gpu.js) or a grid-stride share (WGSL)
 *   sequentially; we allow 2× that.
 * - axpy: one rounding per entry plus input rounding: 4ε₃₂(|y| + |α||x|).
 * f64 backends satisfy all of these trivially.
 *
 * WebGPU runs on any adapter Dawn finds: a GPU, or in CI Mesa 25's lavapipe
 * (software Vulkan, set up by `.ci/setup-lavapipe.sh`); under CI=true a missing
 * adapter fails the suite instead of skipping it.
 */
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { boxMesh } from '@spinefea/mesh';
import { prepareModel } from '@spinefea/core';
import { csrSpmv, type CsrMatrix } from '@spinefea/core/linalg';
import { devicePcg, type DevicePreconditioner } from '../src/solvers/device-pcg.js';
import { f32Pcg, inverseDiagonalF32, csrToF32 } from '../src/solvers/mixed-precision.js';
import { ellFromCsr } from '../src/backend/gpujs.js';
import { bsell3FromCsr, bsell3Spmv } from '../src/backend/webgpu.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deviceKernelFactories, webgpuTestKernels, type AnyKernels } from './support/device-backends.js';

const EPS32 = 2 ** -24;

function elasticity(n: number): { K: CsrMatrix; b: Float64Array } {
  const model = {
    mesh: boxMesh({ size: [10, 10, 10], divisions: [n, n, n], cellType: 'hex8' as const }),
    materials: [{ kind: 'isotropic' as const, E: 1000, nu: 0.3 }],
    displacementBcs: [{ nodes: 'zmin' as const }],
  };
  const { matrix: K, rhs: b } = prepareModel(model, { preconditioner: 'none' }).reducedSystem({ tractions: [{ faces: 'zmax', traction: [0.3, 0, -1] }] });
  return { K, b };
}

const { K, b } = elasticity(5); // 5³ hex8, 540 free DOFs
const n = K.rows;
const xs = Float64Array.from({ length: n }, (_, i) => Math.sin(0.7 * i) + 0.1 * Math.cos(3.1 * i));
const ys = Float64Array.from({ length: n }, (_, i) => Math.cos(1.3 * i));

const factories = deviceKernelFactories({ webasm: true });

const created: AnyKernels[] = [];
afterAll(() => {
  for (const k of created) k.dispose();
});

/**
 * Random sparse rows × cols matrix (sorted columns, 1–4 entries per row, values in [−1, 1)), the shape
 * of an AMG prolongator or restriction when rows ≠ cols; sizes need not be multiples of 3.
 */
function randomRectangular(rows: number, cols: number, seed: number): CsrMatrix {
  let s = seed + 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const rowPtr = new Uint32Array(rows + 1);
  const ci: number[] = [];
  const va: number[] = [];
  for (let i = 0; i < rows; i++) {
    const set = new Set<number>();
    const m = 1 + Math.floor(rnd() * 4);
    for (let t = 0; t < m; t++) set.add(Math.floor(rnd() * cols));
    for (const c of [...set].sort((a, b) => a - b)) {
      ci.push(c);
      va.push(2 * rnd() - 1);
    }
    rowPtr[i + 1] = ci.length;
  }
  return { rows, cols, rowPtr, colIdx: Uint32Array.from(ci), values: Float64Array.from(va) };
}

/** (|A|·|x|)ᵢ and the stored entries per row. */
function absProduct(A: CsrMatrix, x: Float64Array): { ax: Float64Array; m: Uint32Array } {
  const ax = new Float64Array(A.rows);
  const m = new Uint32Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) ax[i] += Math.abs(A.values[p] * x[A.colIdx[p]]);
    m[i] = A.rowPtr[i + 1] - A.rowPtr[i];
  }
  return { ax, m };
}

describe('host-side matrix formats', () => {
  it('BSELL3 SpMV (the WGSL kernel order, on the CPU) equals CSR within the f32 bound', () => {
    const M = bsell3FromCsr(K);
    expect(M.fill).toBeGreaterThanOrEqual(1);
    const y = new Float32Array(3 * M.blockRows);
    bsell3Spmv(M, Float32Array.from(xs), y);
    const y64 = new Float64Array(n);
    csrSpmv(K, xs, y64);
    const { ax, m } = absProduct(K, xs);
    // BSELL3 rows hold 3 entries per block (m ≤ 3·blocks); 27 blocks × 3 → bound uses 81 + 2 terms
    for (let i = 0; i < n; i++) expect(Math.abs(y[i] - y64[i])).toBeLessThanOrEqual(2 * (3 * m[i] + 2) * EPS32 * ax[i] + 1e-30);
  });
  it('BSELL3 handles sizes that are not multiples of 3 (a padded last block row)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }), (size, seed) => {
        // random sparse symmetric matrix with a dominant diagonal
        const rows: number[][] = Array.from({ length: size }, () => []);
        const vals: number[][] = Array.from({ length: size }, () => []);
        let s = seed + 1;
        const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
        for (let i = 0; i < size; i++) {
          rows[i].push(i);
          vals[i].push(10 + rnd());
          const j = Math.floor(rnd() * size);
          if (j !== i) {
            rows[i].push(j);
            vals[i].push(rnd() - 0.5);
          }
        }
        const rowPtr = new Uint32Array(size + 1);
        for (let i = 0; i < size; i++) rowPtr[i + 1] = rowPtr[i] + rows[i].length;
        const order = rows.map((r, i) => r.map((c, k) => [c, vals[i][k]]).sort((a, b2) => a[0] - b2[0]));
        const A: CsrMatrix = {
          rows: size,
          cols: size,
          rowPtr,
          colIdx: Uint32Array.from(order.flat().map((e) => e[0])),
          values: Float64Array.from(order.flat().map((e) => e[1])),
        };
        const x = Float64Array.from({ length: size }, () => rnd() - 0.5);
        const y64 = new Float64Array(size);
        csrSpmv(A, x, y64);
        const y = new Float32Array(size);
        bsell3Spmv(bsell3FromCsr(A), Float32Array.from(x), y);
        const { ax, m } = absProduct(A, x);
        for (let i = 0; i < size; i++) if (Math.abs(y[i] - y64[i]) > 2 * (3 * m[i] + 2) * EPS32 * ax[i] + 1e-30) return false;
        return true;
      }),
      { numRuns: 60 },
    );
  });
  it('BSELL3 and ELL handle rectangular matrices (AMG P and Pᵀ shapes, sizes not multiples of 3)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }), (rows, cols, seed) => {
        const A = randomRectangular(rows, cols, seed);
        const x = Float64Array.from({ length: cols }, (_, i) => Math.sin(1.7 * i + seed));
        const y64 = new Float64Array(rows);
        csrSpmv(A, x, y64);
        const { ax, m } = absProduct(A, x);
        // BSELL3: the WGSL kernel's order on the CPU; x as a device vector is padded to 3⌈cols/3⌉
        const M = bsell3FromCsr(A);
        const xp = new Float32Array(3 * Math.ceil(cols / 3));
        xp.set(x);
        const y = new Float32Array(3 * M.blockRows);
        bsell3Spmv(M, xp, y);
        // ELL: the gpu.js kernel's sum, f32 values
        const e = ellFromCsr(A);
        for (let i = 0; i < rows; i++) {
          let t = 0;
          for (let k = 0; k < e.width; k++) t = Math.fround(t + Math.fround(e.values[k * rows + i] * Math.fround(x[e.cols[k * rows + i]])));
          // same f32 SpMV bound as above (BSELL3 stores up to 3 entries per stored block and row)
          if (Math.abs(y[i] - y64[i]) > 2 * (3 * m[i] + 2) * EPS32 * ax[i] + 1e-30) return false;
          if (Math.abs(t - y64[i]) > 2 * (e.width + 2) * EPS32 * ax[i] + 1e-30) return false;
          for (let k = 0; k < e.width; k++) if (e.cols[k * rows + i] >= cols) return false; // padding stays inside x
        }
        return true;
      }),
      { numRuns: 80 },
    );
  });
  it('ELL (gpu.js layout) stores every entry once, padding with zeros', () => {
    const e = ellFromCsr(K);
    let sum = 0;
    for (const v of e.values) sum += v;
    let ref = 0;
    for (const v of K.values) ref += v;
    // f32 rounding of ~nnz values of magnitude ≤ max|K|: relative 1e-5 of the total is generous
    expect(Math.abs(sum - ref)).toBeLessThanOrEqual(1e-5 * K.values.reduce((a, v) => a + Math.abs(v), 0));
    expect(e.width).toBe(Math.max(...Array.from({ length: n }, (_, i) => K.rowPtr[i + 1] - K.rowPtr[i])));
  });
});

describe.each(factories)('backend %s', (label, make) => {
  let kernels: AnyKernels | null = null;
  let skip = '';
  const get = async (): Promise<AnyKernels | null> => {
    if (kernels || skip) return kernels;
    const k = await make();
    if (typeof k === 'string' || !k) {
      skip = typeof k === 'string' ? k : `${label} unavailable`;
      console.warn(`skipping ${label}: ${skip}`);
      return null;
    }
    created.push(k);
    kernels = k;
    return k;
  };

  it('SpMV matches the f64 CSR product within (m + 2)·ε₃₂·(|A||x|)ᵢ', async () => {
    const k = await get();
    if (!k) return;
    const A = k.uploadMatrix(K);
    const x = k.alloc(n);
    const y = k.alloc(n);
    k.write(xs, x);
    k.spmv(A, x, y);
    const got = await k.read(y);
    const y64 = new Float64Array(n);
    csrSpmv(K, xs, y64);
    const { ax, m } = absProduct(K, xs);
    const c = k.precision === 'f32' ? 2 : 1e-8; // f64: round-off ≪ f32 bound; 1e-8 of it still passes
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - y64[i]) / ((3 * m[i] + 2) * EPS32 * ax[i] + 1e-300));
    expect(worst).toBeLessThanOrEqual(c);
  });

  it('dot product matches within the tree-reduction bound', async () => {
    const k = await get();
    if (!k) return;
    const x = k.alloc(n);
    const y = k.alloc(n);
    k.write(xs, x);
    k.write(ys, y);
    const got = await k.dot(x, y);
    let ref = 0;
    let abs = 0;
    for (let i = 0; i < n; i++) {
      ref += xs[i] * ys[i];
      abs += Math.abs(xs[i] * ys[i]);
    }
    const bound = 2 * (Math.log2(n) + 2 + n / 256 + 2) * EPS32 * abs; // +2: rounding of x and y to f32
    expect(Math.abs(got - ref)).toBeLessThanOrEqual(bound);
  });

  it('axpy and xpby (also with x = y) match element-wise', async () => {
    const k = await get();
    if (!k) return;
    const x = k.alloc(n);
    const y = k.alloc(n);
    k.write(xs, x);
    k.write(ys, y);
    k.axpy(-0.75, x, y); // y ← y − 0.75x
    const a = await k.read(y);
    k.xpby(x, 0.5, y); // y ← x + 0.5y
    const c = await k.read(y);
    k.axpy(1, y, y); // y ← 2y
    const d = await k.read(y);
    for (let i = 0; i < n; i++) {
      const ea = ys[i] - 0.75 * xs[i];
      const ec = xs[i] + 0.5 * ea;
      // 4ε₃₂ per step on the magnitudes involved (input rounding + one op), accumulated over the steps
      expect(Math.abs(a[i] - ea)).toBeLessThanOrEqual(4 * EPS32 * (Math.abs(ys[i]) + 0.75 * Math.abs(xs[i])) + 1e-30);
      expect(Math.abs(c[i] - ec)).toBeLessThanOrEqual(8 * EPS32 * (Math.abs(xs[i]) + Math.abs(ys[i]) + Math.abs(xs[i])) + 1e-30);
      expect(Math.abs(d[i] - 2 * ec)).toBeLessThanOrEqual(16 * EPS32 * (Math.abs(xs[i]) + Math.abs(ys[i]) + Math.abs(xs[i])) + 1e-30);
    }
  });

  it('device PCG converges like the CPU f32 reference (iterations within ±15 %, same x to the tolerance)', async () => {
    const k = await get();
    if (!k) return;
    const A = k.uploadMatrix(K);
    const invD = k.alloc(n);
    k.write(inverseDiagonalF32(K), invD);
    const tol = 1e-5;
    const res = await devicePcg(k, A, invD, b, { tolerance: tol, maxIterations: 2000, checkEvery: 4 });
    const K32 = csrToF32(K);
    const ref = f32Pcg(K32, inverseDiagonalF32(K32), Float32Array.from(b), { tolerance: tol, maxIterations: 2000 });
    expect(res.reason).toBe('converged');
    expect(ref.reason).toBe('converged');
    // the device checks every 4 iterations (overshoot ≤ 3) and rounds in a different order:
    // CG iteration counts at 1e-5 move by a few percent with round-off
    expect(Math.abs(res.iterations - ref.iterations)).toBeLessThanOrEqual(Math.max(4, 0.15 * ref.iterations));
    // both solutions are within ~κ·tol of A⁻¹b; compare relative to ‖x‖∞ at 100·tol
    let dmax = 0;
    let xmax = 0;
    for (let i = 0; i < n; i++) {
      dmax = Math.max(dmax, Math.abs(res.d[i] - ref.d[i]));
      xmax = Math.max(xmax, Math.abs(ref.d[i]));
    }
    expect(dmax / xmax).toBeLessThanOrEqual(100 * tol);
  });

  it('rectangular spmvUpdate y ← α·A·x + β·y matches f64 (P and Pᵀ shapes; β = 0 ignores NaN in y)', async () => {
    const k = await get();
    if (!k) return;
    for (const [rows, cols] of [
      [50, 13],
      [13, 50],
      [7, 7],
    ] as const) {
      const A64 = randomRectangular(rows, cols, rows * 31 + cols);
      const A = k.uploadMatrix(A64);
      const xh = Float64Array.from({ length: cols }, (_, i) => Math.cos(0.9 * i));
      const yh = Float64Array.from({ length: rows }, (_, i) => Math.sin(0.4 * i));
      const x = k.alloc(cols);
      const y = k.alloc(rows);
      k.write(xh, x);
      const Ax = new Float64Array(rows);
      csrSpmv(A64, xh, Ax);
      const { ax, m } = absProduct(A64, xh);
      const tol = (i: number, extra: number) => (k.precision === 'f32' ? 2 * (3 * m[i] + 4) * EPS32 * (ax[i] + extra) : 1e-13 * (ax[i] + extra)) + 1e-30;
      for (const [alpha, beta] of [
        [1, 0],
        [-1, 1],
        [1, 1],
        [0.5, -2],
      ] as const) {
        k.write(beta === 0 ? new Float64Array(rows).fill(NaN) : yh, y);
        k.spmvUpdate(A, x, y, alpha, beta);
        const got = await k.read(y);
        // SpMV bound on α·|A||x| plus one rounding of β·y and the sum
        for (let i = 0; i < rows; i++) {
          const ref = alpha * Ax[i] + (beta === 0 ? 0 : beta * yh[i]);
          expect(Math.abs(got[i] - ref), `${rows}×${cols} α ${alpha} β ${beta} row ${i}`).toBeLessThanOrEqual(tol(i, Math.abs(beta * yh[i])));
        }
      }
    }
  });

  it('copy, multiply, smoothStep and dots match element-wise', async () => {
    const k = await get();
    if (!k) return;
    const h = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
    const invDh = h((i) => 1 / (2 + Math.sin(i)));
    const rh = h((i) => Math.cos(0.3 * i));
    const dh = h((i) => Math.sin(0.8 * i));
    const xh = h((i) => 0.5 - Math.cos(1.1 * i));
    const [invD, r, d, x, z] = [invDh, rh, dh, xh, xs].map((v) => {
      const dv = k.alloc(n);
      k.write(v, dv);
      return dv;
    });
    k.copy(r, z);
    const c = await k.read(z);
    k.multiply(invD, r, z);
    const mu = await k.read(z);
    const [c1, c2] = [0.37, -1.9];
    k.smoothStep(invD, r, d, x, c1, c2, 1);
    const dg = await k.read(d);
    const xg = await k.read(x);
    // zero-coefficient form: d ← c2·(invD∘r), x ← d, NaN in the old d and x must not leak
    const dn = k.alloc(n);
    const xn = k.alloc(n);
    k.write(new Float64Array(n).fill(NaN), dn);
    k.write(new Float64Array(n).fill(NaN), xn);
    k.smoothStep(invD, r, dn, xn, 0, c2, 0);
    const dz = await k.read(dn);
    const xz = await k.read(xn);
    k.resetScalars();
    k.dots(r, d);
    const s = await k.readScalars();
    const e = k.precision === 'f32' ? EPS32 : 2 ** -52;
    let rz = 0;
    let rr = 0;
    let absRz = 0;
    for (let i = 0; i < n; i++) {
      expect(c[i]).toBe(k.precision === 'f32' ? Math.fround(rh[i]) : rh[i]); // copies are exact
      expect(Math.abs(mu[i] - invDh[i] * rh[i])).toBeLessThanOrEqual(3 * e * Math.abs(invDh[i] * rh[i]) + 1e-300); // 2 inputs + 1 product rounding
      const dRef = c1 * dh[i] + c2 * invDh[i] * rh[i];
      const dMag = Math.abs(c1 * dh[i]) + Math.abs(c2 * invDh[i] * rh[i]);
      // 8 roundings per entry (invD, r, d, c1, c2 stored; 3 operations), then x ← x + d: 2 more
      expect(Math.abs(dg[i] - dRef)).toBeLessThanOrEqual(8 * e * dMag + 1e-300);
      expect(Math.abs(xg[i] - (xh[i] + dRef))).toBeLessThanOrEqual(10 * e * (dMag + Math.abs(xh[i])) + 1e-300);
      expect(Math.abs(dz[i] - c2 * invDh[i] * rh[i])).toBeLessThanOrEqual(8 * e * Math.abs(c2 * invDh[i] * rh[i]) + 1e-300);
      expect(xz[i]).toBe(dz[i]);
      rz += rh[i] * dg[i];
      rr += rh[i] * rh[i];
      absRz += Math.abs(rh[i] * dg[i]);
    }
    // the dot bound of the test above, for rᵀd (d the device's) and rᵀr
    const bound = (abs: number) => 2 * (Math.log2(n) + 2 + n / 256 + 2) * EPS32 * abs;
    expect(Math.abs(s.rr - rr)).toBeLessThanOrEqual(bound(rr));
    // rz slot: dots writes rzNew; updateDirection commits it to rz (β uses rz = 0 → 0)
    const p = k.alloc(n);
    k.updateDirection(d, p);
    const s2 = await k.readScalars();
    expect(Math.abs(s2.rz - rz)).toBeLessThanOrEqual(bound(absRz));
    expect(s2.rr).toBe(s.rr);
  });

  it('device PCG with a general device preconditioner (Jacobi via multiply) equals the fused Jacobi path', async () => {
    const k = await get();
    if (!k) return;
    const A = k.uploadMatrix(K);
    const invD = k.alloc(n);
    k.write(inverseDiagonalF32(K), invD);
    const jacobi: DevicePreconditioner = { name: 'jacobi', size: n, apply: (r, z) => k.multiply(invD, r, z) };
    const opts = { tolerance: 1e-5, maxIterations: 2000, checkEvery: 4 };
    const fused = await devicePcg(k, A, invD, b, opts);
    const general = await devicePcg(k, A, jacobi, b, opts);
    expect(general.reason).toBe('converged');
    // the same arithmetic up to the order of rᵀz (z·r vs r·D⁻¹·r): f32 CG counts move by a few at most
    expect(Math.abs(general.iterations - fused.iterations)).toBeLessThanOrEqual(4);
    let dmax = 0;
    let xmax = 0;
    for (let i = 0; i < n; i++) {
      dmax = Math.max(dmax, Math.abs(general.d[i] - fused.d[i]));
      xmax = Math.max(xmax, Math.abs(fused.d[i]));
    }
    expect(dmax / xmax).toBeLessThanOrEqual(100 * opts.tolerance); // both within ~κ·tol of A⁻¹b, as above
  });
});

describe('WebGPU: the Dawn instance outlives garbage collection', () => {
  // Regression: webgpuEntry() kept the GPU object of `create(flags)` only without flags,
  // so with flags the collector freed the Dawn instance under a live device and the
  // process died in InstanceBase::ProcessEvents (SIGSEGV / futex errors / std::system_error).
  it('kernels created with Dawn flags keep solving after forced collections', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Only the kernels (and through them the device) stay referenced; the GPU object does not.
    const made = await webgpuTestKernels({ dawnFlags: ['backend=vulkan'] });
    if (typeof made === 'string') return void console.warn(`skipping the Dawn lifetime check: ${made}`);
    created.push(made);
    const A = made.uploadMatrix(K);
    const invD = made.alloc(n);
    made.write(inverseDiagonalF32(K), invD);
    const opts = { tolerance: 1e-5, maxIterations: 2000, checkEvery: 4 };
    let first = -1;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 5)); // let finalizers and Dawn's event processing run
      }
      const res = await devicePcg(made, A, invD, b, opts);
      expect(res.reason).toBe('converged');
      if (first < 0) first = res.iterations;
      expect(res.iterations).toBe(first); // same device, same arithmetic: identical runs
    }
  });
});
