/**
 * The WebAssembly SIMD symmetric 3×3-block SpMV against CSR SpMV and the JS
 * kernel on random symmetric matrices, and its use in the AMG cycle.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DimensionMismatchError } from '@spinefea/core';
import { csrFromTriplets, csrSpmv, sbsr3FromCsr, sbsr3Kernel, simdSbsr3Operator, wasmSimdAvailable } from '@spinefea/core/linalg';

/** A random symmetric matrix of nb 3×3 blocks: every stored entry mirrored, so A = Aᵀ exactly. */
const symmetricMatrix = fc
  .record({
    nb: fc.integer({ min: 1, max: 40 }),
    entries: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.double({ min: -1e3, max: 1e3, noNaN: true })), { maxLength: 300 }),
  })
  .map(({ nb, entries }) => {
    const n = 3 * nb;
    const I: number[] = [];
    const J: number[] = [];
    const V: number[] = [];
    for (const [a, b, v] of entries) {
      const i = a % n;
      const j = b % n;
      I.push(i, j);
      J.push(j, i);
      V.push(v, v);
    }
    for (let i = 0; i < n; i++) {
      I.push(i);
      J.push(i);
      V.push(1 + i);
    }
    return csrFromTriplets(n, n, I, J, V);
  });

describe('WebAssembly SIMD symmetric-block SpMV', () => {
  it('is available on Node (SIMD is on by default since Node 16.4)', () => {
    expect(wasmSimdAvailable()).toBe(true);
    expect(simdSbsr3Operator(sbsr3FromCsr(csrFromTriplets(3, 3, [0, 1, 2], [0, 1, 2], [1, 1, 1]))).kind).toBe('wasm-simd');
  });

  it('equals CSR SpMV and the JS kernel on random symmetric matrices, and returns xᵀ·A·x', () => {
    fc.assert(
      fc.property(symmetricMatrix, fc.integer(), (A, seed) => {
        const n = A.rows;
        const x = Float64Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i));
        const yCsr = new Float64Array(n);
        csrSpmv(A, x, yCsr);
        const S = sbsr3FromCsr(A);
        const yW = new Float64Array(n);
        const yJ = new Float64Array(n);
        const dW = sbsr3Kernel(S).spmv(x, yW);
        const dJ = sbsr3Kernel(S, { kind: 'js' }).spmv(x, yJ);
        // Different summation orders: agreement to a few ulps of the row's largest term
        // (|a_ij·x_j| ≤ 1e3 · 1, ≤ 3n terms per row), so 1e-12·(1 + max|y|) is generous and still fails on any wrong entry.
        let scale = 1;
        for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(yCsr[i]));
        for (let i = 0; i < n; i++) {
          expect(Math.abs(yW[i] - yCsr[i])).toBeLessThanOrEqual(1e-12 * scale * n);
          expect(Math.abs(yJ[i] - yCsr[i])).toBeLessThanOrEqual(1e-12 * scale * n);
        }
        let dot = 0;
        for (let i = 0; i < n; i++) dot += x[i] * yCsr[i];
        expect(Math.abs(dW - dot)).toBeLessThanOrEqual(1e-11 * scale * n * n);
        expect(Math.abs(dJ - dot)).toBeLessThanOrEqual(1e-11 * scale * n * n);
      }),
      { numRuns: 150 },
    );
  });

  it('the operator checks vector sizes', () => {
    const op = simdSbsr3Operator(sbsr3FromCsr(csrFromTriplets(6, 6, [0, 5], [0, 5], [1, 2])));
    expect(() => op.apply(new Float64Array(5), new Float64Array(6))).toThrow(DimensionMismatchError);
    const y = new Float64Array(6);
    op.apply(Float64Array.of(1, 1, 1, 1, 1, 1), y);
    expect(Array.from(y)).toEqual([1, 0, 0, 0, 0, 2]);
  });
});
