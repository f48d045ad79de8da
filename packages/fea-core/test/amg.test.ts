import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { boxMesh, buildLumbarSegment, defaultParameters } from '@spinefea/mesh';
import {
  buildSpineFeModel,
  DimensionMismatchError,
  NonFiniteInputError,
  prepareModel,
  pureMomentLoadCase,
  UnconstrainedModelError,
  type FeModel,
} from '@spinefea/core';
import {
  assembleStiffness,
  buildConstraintTransform,
  buildStiffnessPattern,
  constitutiveMatrix,
  elementFamily,
  reduceStiffness,
} from '@spinefea/core/fem';
import { csrIsSymmetric, csrOperator, csrSpmv, csrToDense, type CsrMatrix } from '@spinefea/core/linalg';
import { jacobiPreconditioner, pcg } from '@spinefea/core/solvers';
import {
  amgPreconditioner,
  buildAmgHierarchy,
  elasticityAmgFactory,
  reducedRigidBodyModes,
  refreshFineLevel,
  rigidBodyModes,
  smoothedAggregationAmg,
  type AmgPreconditioner,
} from '../src/solvers/amg/index.js';
import { contrastModel } from './support/contrast-model.js';

/** Largest |entry| of a CSR matrix. */
function maxAbs(A: CsrMatrix): number {
  let m = 0;
  for (let p = 0; p < A.rowPtr[A.rows]; p++) m = Math.max(m, Math.abs(A.values[p]));
  return m;
}

/** ‖K·R_col‖∞ for each column of a row-major n × 6 mode matrix. */
function modeResiduals(K: CsrMatrix, R: Float64Array): number[] {
  const n = K.rows;
  const col = new Float64Array(n);
  const y = new Float64Array(n);
  const out: number[] = [];
  for (let m = 0; m < 6; m++) {
    for (let i = 0; i < n; i++) col[i] = R[6 * i + m];
    csrSpmv(K, col, y);
    let ymax = 0;
    for (const v of y) ymax = Math.max(ymax, Math.abs(v));
    out.push(ymax);
  }
  return out;
}

/** Nodal blocks (3 DOFs per node) of a full solid matrix. */
function nodalBlocks(nodes: number): Uint32Array {
  const bp = new Uint32Array(nodes + 1);
  for (let i = 0; i <= nodes; i++) bp[i] = 3 * i;
  return bp;
}

/** Variable nodal blocks of a reduced system (what prepareModel hands to a factory). */
function reducedBlocks(freeToFull: Uint32Array, solidDofs: number): Uint32Array {
  const owner = (d: number) => (d < solidDofs ? Math.floor(d / 3) : solidDofs / 3 + Math.floor((d - solidDofs) / 6));
  const ptr = [0];
  for (let r = 1; r < freeToFull.length; r++) if (owner(freeToFull[r]) !== owner(freeToFull[r - 1])) ptr.push(r);
  ptr.push(freeToFull.length);
  return Uint32Array.from(ptr);
}


describe('rigid-body modes', () => {
  it('span the null space of the unconstrained stiffness of a distorted box (hex8 and tet10)', () => {
    for (const cellType of ['hex8', 'tet10'] as const) {
      const mesh = boxMesh({ size: [30, 20, 25], divisions: [4, 3, 3], cellType, distortion: 0.25, seed: 7, origin: [5, -3, 40] });
      for (let c = 0; c < mesh.materialIds.length; c += 3) mesh.materialIds[c] = 1;
      const pattern = buildStiffnessPattern(mesh);
      const D = [constitutiveMatrix({ kind: 'isotropic', E: 12000, nu: 0.3 }), constitutiveMatrix({ kind: 'isotropic', E: 4.2, nu: 0.45 })];
      const K: CsrMatrix = { ...pattern.matrix, values: assembleStiffness(pattern, mesh, elementFamily(cellType), D) };
      const nodes = mesh.nodes.length / 3;
      const R = rigidBodyModes(mesh.nodes, nodes);
      expect(R.length).toBe(18 * nodes);
      // Entries are ≤ 1 by construction (rotations scaled by the largest distance from the centroid).
      let rmax = 0;
      for (const v of R) rmax = Math.max(rmax, Math.abs(v));
      expect(rmax).toBeLessThanOrEqual(1 + 1e-15);
      const kmax = maxAbs(K);
      // ‖K·r‖∞ relative to ‖K‖·‖r‖∞ (≤ 1): round-off of ~80–250 summed products per row.
      for (const res of modeResiduals(K, R)) expect(res / kmax).toBeLessThan(1e-11);
      // And the modes are not trivially zero: each translation / rotation column has unit-order entries.
      for (let m = 0; m < 6; m++) {
        let cmax = 0;
        for (let i = 0; i < 3 * nodes; i++) cmax = Math.max(cmax, Math.abs(R[6 * i + m]));
        expect(cmax).toBeGreaterThan(0.5);
      }
    }
  });

  it('restricted to a reduced system with a kinematic reference node, they stay in the null space of Tᵀ K T', () => {
    const mesh = boxMesh({ size: [20, 20, 10], divisions: [3, 3, 2], cellType: 'hex8', distortion: 0.2, seed: 3 });
    // No boundary condition: the reduced matrix keeps the six rigid motions.
    const model: FeModel = {
      mesh,
      materials: [{ kind: 'isotropic', E: 1000, nu: 0.3 }],
      referenceNodes: [{ name: 'top', position: [10, 10, 14] }],
      couplings: [{ kind: 'kinematic', reference: 'top', nodes: 'zmax' }],
    };
    const tr = buildConstraintTransform(model);
    const pattern = buildStiffnessPattern(mesh);
    const K: CsrMatrix = {
      ...pattern.matrix,
      values: assembleStiffness(pattern, mesh, elementFamily('hex8'), [constitutiveMatrix(model.materials[0])]),
    };
    const Kr = reduceStiffness(K, tr);
    const B = reducedRigidBodyModes(mesh.nodes, tr);
    expect(B.length).toBe(6 * tr.freeDofs);
    // Reference DOFs exist in the reduced system (6 of them) …
    expect(tr.freeDofs).toBe(3 * (mesh.nodes.length / 3 - 16) + 6);
    // … and a rigid motion written in reference-node form must satisfy the coupling, so K_r·B ≈ 0.
    // Bound: round-off relative to max|K_r| · (max|B| ≤ 1.5, reference positions outside the mesh).
    const kmax = maxAbs(Kr);
    for (const res of modeResiduals(Kr, B)) expect(res / kmax).toBeLessThan(1e-10);
  });
});

describe('smoothed-aggregation AMG', () => {
  it('builds a hierarchy of symmetric positive definite coarse operators', () => {
    const model = contrastModel(10, 10, 9);
    const tr = buildConstraintTransform(model);
    let M: AmgPreconditioner | undefined;
    const prepared = prepareModel(model, {
      preconditioner: (K, blockPtr) => (M = elasticityAmgFactory(model.mesh.nodes, tr, { maxCoarseSize: 60 })(K, blockPtr)),
    });
    const amg = M!;
    console.log(`AMG hierarchy of ${prepared.transform.freeDofs} DOFs:\n${amg.describe()}`);
    expect(amg.levels.length).toBeGreaterThanOrEqual(3);
    expect(amg.coarseOperators.length).toBe(amg.levels.length - 1);
    // Each level must be clearly smaller than the one above it (rigid modes: ≤ 6 DOFs per aggregate).
    for (let l = 1; l < amg.levels.length; l++) expect(amg.levels[l].rows).toBeLessThan(0.5 * amg.levels[l - 1].rows);
    // SA with 6 modes on hex8 elasticity typically has complexity ~1.2–1.6; 2.5 flags a blow-up.
    expect(amg.operatorComplexity).toBeLessThan(2.5);
    expect(amg.operatorComplexity).toBeGreaterThan(1);
    for (const [l, Ac] of amg.coarseOperators.entries()) {
      // The Galerkin product mirrors its upper block triangle: symmetric to the last bit.
      expect(csrIsSymmetric(Ac, 1e-14)).toBe(true);
      const Ad = csrToDense(Ac);
      const n = Ac.rows;
      for (let i = 0; i < n; i++) expect(Ad[i * n + i]).toBeGreaterThan(0);
      // Positive definiteness: a dense Cholesky factorisation succeeds (levels here are ≤ ~700 rows).
      const dense = new Matrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dense.set(i, j, Ad[i * n + j]);
      expect(new CholeskyDecomposition(dense).isPositiveDefinite(), `level ${l + 1} Cholesky`).toBe(true);
    }
  });

  it('one V-cycle is a symmetric positive definite operator: (x, M⁻¹y) = (M⁻¹x, y), (x, M⁻¹x) > 0', () => {
    const model = contrastModel(8, 8, 6);
    const tr = buildConstraintTransform(model);
    const prepared = prepareModel(model, { preconditioner: 'none' });
    const blockPtr = reducedBlocks(tr.freeToFull, tr.layout.solidDofs);
    const K = prepared.reducedSystem().matrix;
    for (const smoother of ['chebyshev', 'jacobi'] as const) {
      const M = elasticityAmgFactory(model.mesh.nodes, tr, { maxCoarseSize: 50, smoother })(K, blockPtr);
      const n = prepared.transform.freeDofs;
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
          let s = seed;
          const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
          const x = Float64Array.from({ length: n }, rand);
          const y = Float64Array.from({ length: n }, rand);
          const Mx = new Float64Array(n);
          const My = new Float64Array(n);
          M.apply(x, Mx);
          M.apply(y, My);
          let a = 0;
          let b = 0;
          let xMx = 0;
          let nx = 0;
          let nMy = 0;
          for (let i = 0; i < n; i++) {
            a += x[i] * My[i];
            b += Mx[i] * y[i];
            xMx += x[i] * Mx[i];
            nx += x[i] * x[i];
            nMy += My[i] * My[i];
          }
          // Round-off of a cycle of ~10 sparse sweeps, relative to ‖x‖·‖M⁻¹y‖ (Cauchy–Schwarz scale).
          expect(Math.abs(a - b)).toBeLessThan(1e-11 * Math.sqrt(nx * nMy));
          expect(xMx).toBeGreaterThan(0);
        }),
        { numRuns: 8 },
      );
    }
  });

  it('needs far fewer PCG iterations than Jacobi on a bone/disc/bone block and gives the same answer', () => {
    const model = contrastModel(20, 20, 18);
    const tr = buildConstraintTransform(model);
    let M: AmgPreconditioner | undefined;
    const prepared = prepareModel(model, {
      preconditioner: (K, blockPtr) => (M = elasticityAmgFactory(model.mesh.nodes, tr)(K, blockPtr)),
    });
    const loadCase = { tractions: [{ faces: 'zmax', traction: [0.3, 0, -1] as const }] };
    const amgSol = prepared.solve(loadCase);
    const n = prepared.transform.freeDofs;
    // Jacobi-PCG on the same reduced system and load.
    const { matrix: Kr, rhs: fr } = prepared.reducedSystem(loadCase);
    const jac = pcg(csrOperator(Kr), fr, { preconditioner: jacobiPreconditioner(Kr), tolerance: 1e-8, maxIterations: 20_000 });
    const amgIt = amgSol.solver.iterations;
    console.log(
      `bone/disc/bone ${n} DOFs: AMG-PCG ${amgIt} iterations (setup ${M!.setupMs.toFixed(0)} ms, solve ${amgSol.solver.timeMs.toFixed(0)} ms, ` +
        `operator complexity ${M!.operatorComplexity.toFixed(2)}); Jacobi-PCG ${jac.iterations} iterations (${jac.timeMs.toFixed(0)} ms)`,
    );
    expect(n).toBeGreaterThan(20_000);
    expect(amgSol.solver.converged).toBe(true);
    expect(amgSol.solver.relativeResidual).toBeLessThanOrEqual(1e-8);
    // Measured ≈ 20 on this mesh; 60 is the target and leaves room for mesh changes.
    expect(amgIt).toBeLessThanOrEqual(60);
    // Jacobi needs hundreds here (contrast 12000:4.2 stretches the spectrum); AMG at least 10× fewer.
    expect(jac.iterations).toBeGreaterThan(10 * amgIt);
    // Same displacements: both residuals ≤ 1e-8·‖f‖, error ≤ κ_eff·1e-8; observed ~1e-9, bound 1e-5.
    const u = amgSol.displacement;
    const uj = new Float64Array(tr.layout.totalDofs);
    for (let i = 0; i < tr.layout.totalDofs; i++) {
      let s = tr.g[i];
      for (let a = tr.T.rowPtr[i]; a < tr.T.rowPtr[i + 1]; a++) s += tr.T.values[a] * jac.x[tr.T.colIdx[a]];
      uj[i] = s;
    }
    let diff = 0;
    let ref = 0;
    for (let i = 0; i < u.length; i++) {
      diff = Math.max(diff, Math.abs(u[i] - uj[i]));
      ref = Math.max(ref, Math.abs(uj[i]));
    }
    expect(ref).toBeGreaterThan(0);
    expect(diff / ref).toBeLessThan(1e-5);
    // The same hierarchy solves a second load case (setup is load-independent).
    const second = prepared.solve({ tractions: [{ faces: 'zmax', traction: [0, 0.5, 0] }] });
    expect(second.solver.converged).toBe(true);
    expect(second.solver.iterations).toBeLessThanOrEqual(60);
  });

  it('solves the default L4–L5 spine model (bone 12 GPa, nucleus 1 MPa at ν 0.499) in ≤ 60 iterations where block Jacobi needs thousands', () => {
    const spine = buildSpineFeModel(buildLumbarSegment({ ...defaultParameters('L4'), resolution: 2 }));
    const lc = pureMomentLoadCase('flexion', { momentNm: 7.5, reference: spine.reference });
    // one linear solve (all ligaments active, facets closed): the iteration count of a single system
    const once = { tolerance: 1e-8, maxActiveSetIterations: 1 };
    let M: AmgPreconditioner | undefined;
    const tr = buildConstraintTransform(spine.model);
    const prepared = prepareModel(spine.model, {
      // Chebyshev degree 4: the nucleus' near-incompressibility leaves slow modes that degree 2
      // smooths too little (measured 88 iterations at degree 2, 54 at degree 4, about the same time).
      preconditioner: (K, blockPtr) => (M = elasticityAmgFactory(spine.model.mesh.nodes, tr, { strengthThreshold: 0.02, chebyshevDegree: 4 })(K, blockPtr)),
    });
    const sol = prepared.solve(lc, once);
    const n = prepared.transform.freeDofs;
    // Block Jacobi (3×3 nodal blocks) capped at 10× AMG's count: measured 3,510 iterations to converge.
    const bj = prepareModel(spine.model, { preconditioner: 'block-jacobi' }).solve(lc, { ...once, maxIterations: 10 * sol.solver.iterations, allowNotConverged: true });
    console.log(
      `[amg] default L4–L5 at 2 mm, ${n} DOFs, flexion 7.5 Nm: AMG-PCG ${sol.solver.iterations} iterations (setup ${M!.setupMs.toFixed(0)} ms, solve ${sol.solver.timeMs.toFixed(0)} ms, ` +
        `${M!.levels.length} levels, operator complexity ${M!.operatorComplexity.toFixed(2)}); block-Jacobi after ${bj.solver.iterations}: relative residual ${bj.solver.relativeResidual.toExponential(2)}`,
    );
    expect(sol.solver.converged).toBe(true);
    expect(sol.solver.iterations).toBeLessThanOrEqual(60);
    expect(bj.solver.converged).toBe(false);
    // The same displacements as the default degree-2 hierarchy: both residuals ≤ 1e-8, so they agree far below 1e-5.
    const ref = prepareModel(spine.model, { preconditioner: 'amg', amg: { strengthThreshold: 0.02 } }).solve(lc, once);
    let diff = 0, mag = 0;
    for (let i = 0; i < ref.displacement.length; i++) {
      diff = Math.max(diff, Math.abs(ref.displacement[i] - sol.displacement[i]));
      mag = Math.max(mag, Math.abs(ref.displacement[i]));
    }
    expect(diff / mag).toBeLessThan(1e-5);
  });

  it('rejects inconsistent input with typed errors', () => {
    const model = contrastModel(4, 4, 3);
    const tr = buildConstraintTransform(model);
    const prepared = prepareModel(model, { preconditioner: 'none' });
    const K = prepared.reducedSystem().matrix;
    const bp = reducedBlocks(tr.freeToFull, tr.layout.solidDofs);
    const B = reducedRigidBodyModes(model.mesh.nodes, tr);
    expect(() => smoothedAggregationAmg(K, { blockPtr: bp, nearNullSpace: B.subarray(6), nullSpaceDim: 6 })).toThrow(DimensionMismatchError);
    expect(() => smoothedAggregationAmg(K, { blockPtr: bp.subarray(0, bp.length - 1), nearNullSpace: B, nullSpaceDim: 6 })).toThrow(
      DimensionMismatchError,
    );
    const Bnan = Float64Array.from(B);
    Bnan[7] = NaN;
    expect(() => smoothedAggregationAmg(K, { blockPtr: bp, nearNullSpace: Bnan, nullSpaceDim: 6 })).toThrow(NonFiniteInputError);
    // An unconstrained stiffness (no BCs) is singular: the coarsest Cholesky must refuse it.
    const mesh = model.mesh;
    const pattern = buildStiffnessPattern(mesh);
    const Kfull: CsrMatrix = {
      ...pattern.matrix,
      values: assembleStiffness(pattern, mesh, elementFamily('hex8'), model.materials.map((m) => constitutiveMatrix(m))),
    };
    const nodes = mesh.nodes.length / 3;
    expect(() =>
      smoothedAggregationAmg(Kfull, { blockPtr: nodalBlocks(nodes), nearNullSpace: rigidBodyModes(mesh.nodes, nodes), nullSpaceDim: 6, maxCoarseSize: 40 }),
    ).toThrow(UnconstrainedModelError);
  });
});

describe('refreshFineLevel', () => {
  it('keeps the coarse levels for a matrix that changed in some cells and still converges like a fresh setup', () => {
    const model = contrastModel(10, 10, 9);
    const tr = buildConstraintTransform(model);
    const prepared = prepareModel(model, { preconditioner: 'none' });
    const K0 = prepared.reducedSystem().matrix;
    const opts = { blockPtr: reducedBlocks(tr.freeToFull, tr.layout.totalDofs), nearNullSpace: reducedRigidBodyModes(model.mesh.nodes, tr), nullSpaceDim: 6 };
    const h0 = buildAmgHierarchy(K0, { ...opts, maxCoarseSize: 100 });
    expect(h0.levels.length).toBeGreaterThan(2);
    // soften a quarter of the cells 100× (an active-set pass opening a contact zone is milder)
    const scale = new Float64Array(model.mesh.materialIds.length).map((_, c) => (c % 4 === 0 ? 0.01 : 1));
    prepared.setCellScale(scale);
    const { matrix: K1, rhs: f } = prepared.reducedSystem({ tractions: [{ faces: 'zmax', traction: [0.3, 0, -1] }] });
    const h1 = refreshFineLevel(h0, K1);
    // only the fine level is new: the prolongators and coarse operators are the same objects
    expect(h1.levels[0].A).toBe(K1);
    expect(h1.levels[0].P).toBe(h0.levels[0].P);
    for (let l = 1; l < h0.levels.length; l++) expect(h1.levels[l]).toBe(h0.levels[l]);
    const solveWith = (h: typeof h0) => pcg(csrOperator(K1), f, { preconditioner: amgPreconditioner(h), tolerance: 1e-8, maxIterations: 500 });
    const fresh = solveWith(buildAmgHierarchy(K1, { ...opts, maxCoarseSize: 100 }));
    const refreshed = solveWith(h1);
    const stale = solveWith(h0);
    console.log(`refreshFineLevel: ${refreshed.iterations} iterations (fresh setup ${fresh.iterations}, old hierarchy unchanged ${stale.iterations})`);
    // PCG's true residual is recomputed at the end: the refreshed cycle is a valid SPD preconditioner
    expect(refreshed.converged).toBe(true);
    expect(refreshed.relativeResidual).toBeLessThan(1e-8);
    // coarse levels of the old matrix: a few more iterations than a fresh setup, never many (2× + 5 leaves room for the contrast)
    expect(refreshed.iterations).toBeLessThanOrEqual(2 * fresh.iterations + 5);
    expect(() => refreshFineLevel(h0, h0.levels[1].A)).toThrow(DimensionMismatchError);
  });
});
