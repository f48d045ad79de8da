import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxMesh, mergeMeshes, type Mesh } from '@spinefea/mesh';
import {
  GROUND,
  InvalidBoundaryConditionError,
  InvalidElementError,
  InvalidMaterialError,
  NonFiniteInputError,
  SolverNotConvergedError,
  UnconstrainedModelError,
  prepareModel,
  solveStatic,
  tieNodesToCells,
  type FeModel,
} from '@spinefea/core';
import { activeSetLoop } from '@spinefea/core/fem';
import { csrSpmv } from '@spinefea/core/linalg';
import { InvalidMeshError } from '@spinefea/mesh';

const STEEL = { kind: 'isotropic', E: 200000, nu: 0.3 } as const;

function beam(cellType: 'hex8' | 'tet4' | 'tet10' = 'hex8'): Mesh {
  return boxMesh({ size: [100, 10, 10], divisions: [20, 2, 2], cellType });
}

describe('kinematic coupling and pure moments', () => {
  it('a pure moment through a coupled reference node bends a cantilever by θ = ML/(EI)', () => {
    const mesh = beam('tet10');
    const M = 1e5; // N·mm about y
    const model: FeModel = {
      mesh,
      materials: [STEEL],
      displacementBcs: [{ nodes: 'xmin' }],
      referenceNodes: [{ name: 'tip', position: [100, 5, 5] }],
      couplings: [{ kind: 'kinematic', reference: 'tip', nodes: 'xmax' }],
    };
    // Tight tolerance: reactions balance the loads only up to the residual left at free DOFs.
    const sol = solveStatic(model, { referenceLoads: [{ reference: 'tip', moment: [0, M, 0] }] }, { tolerance: 1e-12 });
    const I = 10 ** 4 / 12;
    const theta = (M * 100) / (STEEL.E * I);
    const rot = sol.referenceMotion.tip.rotation[1];
    console.log(`[coupling] tip rotation ${rot.toExponential(5)} rad, beam theory ${theta.toExponential(5)} rad`);
    // The clamped root stiffens the beam slightly (restrained Poisson contraction) and the
    // 2-element-deep tet10 mesh is ≈0.5 % stiff: within 2 %.
    expect(Math.abs(rot - theta) / theta).toBeLessThan(0.02);
    // Pure moment: the reactions carry no net force and a moment −M about y (to 1e-8 relative).
    expect(Math.hypot(...sol.reactionResultant.force) / (M / 100)).toBeLessThan(1e-8);
    expect(Math.abs(sol.reactionResultant.moment[1] + M) / M).toBeLessThan(1e-8);
  });

  it('prescribed reference rotation drives the coupled face rigidly', () => {
    const mesh = beam();
    const model: FeModel = {
      mesh,
      materials: [STEEL],
      displacementBcs: [{ nodes: 'xmin' }],
      referenceNodes: [{ name: 'tip', position: [100, 5, 5] }],
      couplings: [{ kind: 'kinematic', reference: 'tip', nodes: 'xmax' }],
      referenceBcs: [{ reference: 'tip', components: [3, 4, 5], value: [0, 0.001, 0] }],
    };
    const sol = solveStatic(model, {});
    for (const n of mesh.nodeSets.xmax) {
      const dz = mesh.nodes[3 * n + 2] - 5;
      const t = sol.referenceMotion.tip.translation;
      // u_x = t_x + θ_y·dz exactly (coupling is a hard constraint): round-off level
      expect(Math.abs(sol.displacement[3 * n] - (t[0] + 0.001 * dz))).toBeLessThan(1e-12);
    }
  });
});

describe('distributing coupling', () => {
  it('spreads a force and a moment so the reactions balance them exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (v) => {
          const mesh = beam();
          const model: FeModel = {
            mesh,
            materials: [STEEL],
            displacementBcs: [{ nodes: 'xmin' }],
            referenceNodes: [{ name: 'ref', position: [110, 5, 5] }],
            couplings: [{ kind: 'distributing', reference: 'ref', nodes: 'xmax' }],
          };
          const F = [v[0], v[1], v[2]] as const;
          const M = [v[3] * 100, v[4] * 100, v[5] * 100] as const;
          const sol = solveStatic(model, { referenceLoads: [{ reference: 'ref', force: F, moment: M }] }, { tolerance: 1e-10 });
          const scale = Math.max(1, Math.hypot(...F));
          for (let k = 0; k < 3; k++) {
            // Σ reactions = −F; Σ x × R = −(M + x_ref × F). Tolerance: CG at 1e-10 relative residual
            // (1e-11 is at this model's round-off floor for some load directions).
            expect(Math.abs(sol.reactionResultant.force[k] + F[k]) / scale).toBeLessThan(1e-7);
          }
          const xr = [110, 5, 5];
          const mRef = [M[0] + xr[1] * F[2] - xr[2] * F[1], M[1] + xr[2] * F[0] - xr[0] * F[2], M[2] + xr[0] * F[1] - xr[1] * F[0]];
          for (let k = 0; k < 3; k++) expect(Math.abs(sol.reactionResultant.moment[k] + mRef[k]) / (scale * 110)).toBeLessThan(1e-7);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('tied (non-conforming) meshes through multi-point constraints', () => {
  it('a non-matching mesh tied to a host face passes the patch test', () => {
    // Host [0,10]³ with 2×2×2 cells; a second block [10,13]×[0,10]² with 1×4×4 cells whose
    // x = 10 face nodes are tied (node-to-element MPCs) into the host cells. The slave face
    // mesh nests the host face mesh, so a constant stress passes the interface exactly.
    const host = boxMesh({ size: [10, 10, 10], divisions: [2, 2, 2], cellType: 'hex8' });
    const side = boxMesh({ size: [3, 10, 10], divisions: [1, 4, 4], cellType: 'hex8', origin: [10, 0, 0] });
    const mesh = mergeMeshes([host, side]);
    const nHostNodes = host.nodes.length / 3;
    const slaves = Uint32Array.from(side.nodeSets.xmin, (n) => nHostNodes + n);
    const hostCells = Uint32Array.from({ length: host.cells.length / 8 }, (_, i) => i);
    const ties = tieNodesToCells(mesh, slaves, hostCells);
    expect(ties.length).toBe(3 * slaves.length);
    const G = [1e-3, 2e-4, 0, -3e-4, 5e-4, 1e-4, 0, 2e-4, -1e-3];
    const exact = (n: number, k: number) => G[3 * k] * mesh.nodes[3 * n] + G[3 * k + 1] * mesh.nodes[3 * n + 1] + G[3 * k + 2] * mesh.nodes[3 * n + 2];
    const outer = new Set<number>();
    for (const s of ['xmin', 'ymin', 'ymax', 'zmin', 'zmax']) for (const n of host.nodeSets[s]) outer.add(n);
    for (const s of ['xmax', 'ymin', 'ymax', 'zmin', 'zmax']) for (const n of side.nodeSets[s]) outer.add(nHostNodes + n);
    for (const n of slaves) outer.delete(n); // slaves follow the host; prescribing them too would conflict
    const model: FeModel = {
      mesh,
      materials: [STEEL],
      constraints: ties,
      displacementBcs: [...outer].flatMap((n) => [0, 1, 2].map((k) => ({ nodes: [n], components: [k as 0 | 1 | 2], value: exact(n, k) }))),
    };
    const sol = solveStatic(model, {}, { tolerance: 1e-13 });
    let err = 0;
    for (let n = 0; n < mesh.nodes.length / 3; n++) for (let k = 0; k < 3; k++) err = Math.max(err, Math.abs(sol.displacement[3 * n + k] - exact(n, k)));
    // The tie interpolates a linear field exactly: round-off only (field magnitude ~1e-2 mm).
    expect(err).toBeLessThan(1e-12);
  });

  it('a slave node outside every host cell is refused with its index', () => {
    const host = boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' });
    const mesh = { ...host, nodes: Float64Array.from([...host.nodes, 5, 5, 5]) };
    expect(() => tieNodesToCells(mesh, Uint32Array.of(8), Uint32Array.of(0))).toThrow(/slave node 8/);
  });
});

describe('springs', () => {
  it('a linear spring to ground carries load in series with the bar', () => {
    const mesh = boxMesh({ size: [10, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' });
    const k = 50;
    const xmax = mesh.nodeSets.xmax;
    const model: FeModel = {
      mesh,
      materials: [{ kind: 'isotropic', E: 1000, nu: 0 }],
      displacementBcs: [{ nodes: 'xmin' }, { nodes: 'ymin', components: [1] }, { nodes: 'zmin', components: [2] }],
      springs: {
        nodesA: xmax,
        nodesB: new Uint32Array(xmax.length).fill(GROUND),
        stiffness: new Float64Array(xmax.length).fill(k),
        direction: new Float64Array(3 * xmax.length).map((_, i) => (i % 3 === 0 ? 1 : 0)),
      },
    };
    const P = 100;
    const sol = solveStatic(model, { tractions: [{ faces: 'xmax', traction: [P, 0, 0] }] });
    // bar EA/L = 1000·1/10 = 100 N/mm in parallel with 4 springs of 50 N/mm → u = P/300
    const u = sol.displacement[3 * xmax[0]];
    expect(Math.abs(u - P / 300) / (P / 300)).toBeLessThan(1e-8);
    expect(sol.springForces![0]).toBeCloseTo(k * u, 8);
  });

  it('tension-only springs are released in compression by the active-set loop', () => {
    const mesh = boxMesh({ size: [10, 1, 1], divisions: [2, 1, 1], cellType: 'hex8' });
    const xmax = mesh.nodeSets.xmax;
    const n = xmax.length;
    const model: FeModel = {
      mesh,
      materials: [{ kind: 'isotropic', E: 1000, nu: 0 }],
      displacementBcs: [{ nodes: 'xmin' }, { nodes: 'ymin', components: [1] }, { nodes: 'zmin', components: [2] }],
      springs: {
        // two groups: springs to ground pulling in +x (stretched by a +x motion) and −x
        nodesA: Uint32Array.from([...xmax, ...xmax]),
        nodesB: new Uint32Array(2 * n).fill(GROUND),
        stiffness: new Float64Array(2 * n).fill(25),
        tensionOnly: new Uint8Array(2 * n).fill(1),
        direction: Float64Array.from({ length: 6 * n }, (_, i) => (i % 3 === 0 ? (i < 3 * n ? 1 : -1) : 0)),
      },
    };
    const sol = solveStatic(model, { tractions: [{ faces: 'xmax', traction: [100, 0, 0] }] });
    const active = sol.springActive!;
    expect([...active.subarray(0, n)].every((a) => a === 1)).toBe(true);
    expect([...active.subarray(n)].every((a) => a === 0)).toBe(true);
    expect(sol.solver.activeSetIterations).toBeGreaterThan(1);
    // bar 100 N/mm plus 4 active springs of 25 N/mm → u = 100/200
    expect(sol.displacement[3 * xmax[0]]).toBeCloseTo(0.5, 8);
  });
});

describe('several load cases on one prepared model', () => {
  it('reuses the assembled matrix and superposes', () => {
    const mesh = beam();
    const prepared = prepareModel({ mesh, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] });
    const a = prepared.solve({ tractions: [{ faces: 'xmax', traction: [0, 0, -1] }] }, { tolerance: 1e-10 });
    const b = prepared.solve({ tractions: [{ faces: 'xmax', traction: [0, 1, 0] }] }, { tolerance: 1e-10 });
    const ab = prepared.solve({ tractions: [{ faces: 'xmax', traction: [0, 1, -1] }] }, { tolerance: 1e-10 });
    let err = 0;
    let scale = 0;
    for (let i = 0; i < ab.displacement.length; i++) {
      err = Math.max(err, Math.abs(ab.displacement[i] - a.displacement[i] - b.displacement[i]));
      scale = Math.max(scale, Math.abs(ab.displacement[i]));
    }
    // Linear superposition holds to the solver tolerance (1e-10 relative residual × κ ~ 1e4).
    expect(err / scale).toBeLessThan(1e-5);
  });

  it('reducedSystem is a copy: K_r û = f_r is the solve, and setCellScale leaves an earlier copy alone', () => {
    const mesh = beam();
    const prepared = prepareModel({ mesh, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] });
    const lc = { tractions: [{ faces: 'xmax', traction: [0, 0, -1] as [number, number, number] }] };
    const sys = prepared.reducedSystem(lc);
    expect(sys.matrix.rows).toBe(prepared.transform.freeDofs);
    expect(sys.blockPtr[sys.blockPtr.length - 1]).toBe(prepared.transform.freeDofs);
    const sol = prepared.solve(lc, { tolerance: 1e-10 });
    // The solution's free DOFs satisfy K_r û = f_r to the solver tolerance (relative residual 1e-10, checked at 1e-8).
    const u = Float64Array.from(prepared.transform.freeToFull, (d) => sol.displacement[d]);
    const Ku = new Float64Array(u.length);
    csrSpmv(sys.matrix, u, Ku);
    let r = 0;
    let fn = 0;
    for (let i = 0; i < u.length; i++) {
      r += (Ku[i] - sys.rhs[i]) ** 2;
      fn += sys.rhs[i] ** 2;
    }
    expect(Math.sqrt(r / fn)).toBeLessThan(1e-8);
    const before = Float64Array.from(sys.matrix.values);
    prepared.setCellScale(new Float64Array(mesh.materialIds.length).fill(0.5));
    expect(sys.matrix.values).toEqual(before);
    // …while a new copy sees the halved stiffness.
    expect(prepared.reducedSystem(lc).matrix.values[0]).toBeCloseTo(0.5 * before[0], 6);
  });
});

describe('activeSetLoop', () => {
  // A toy set of one member whose wanted state follows a script: exercises the loop's rules alone.
  function scripted(wants: number[], opts: { loose: boolean; maxPasses: number; enabled?: boolean }) {
    let state = 1;
    let call = 0;
    const tolerances: boolean[] = [];
    const stuck: { passes: number; cycling: boolean }[] = [];
    const out = activeSetLoop<number>(
      {
        solve: (loose) => {
          tolerances.push(loose);
          return call++;
        },
        update: (k) => {
          const want = wants[Math.min(k, wants.length - 1)];
          const changed = Number(want !== state);
          state = want;
          return changed;
        },
        key: () => String(state),
        apply: () => {},
        onStuck: (s) => {
          stuck.push({ passes: s.passes, cycling: s.cycling });
          return { result: -1, passes: s.passes };
        },
      },
      opts,
    );
    return { ...out, tolerances, stuck };
  }

  it('tightens after a loose pass leaves the set unchanged, and stops after the tight check', () => {
    const r = scripted([0, 0, 0], { loose: true, maxPasses: 10 });
    expect(r.tolerances).toEqual([true, true, false]);
    expect(r.passes).toBe(3);
    expect(r.stuck).toEqual([]);
  });

  it('a set that returns to a state seen before is handed to onStuck as cycling', () => {
    const r = scripted([0, 1, 0, 1], { loose: false, maxPasses: 10 });
    expect(r.stuck).toEqual([{ passes: 3, cycling: true }]);
    expect(r.result).toBe(-1);
  });

  it('disabled: one tight solve', () => {
    const r = scripted([0], { loose: true, maxPasses: 10, enabled: false });
    expect(r.tolerances).toEqual([false]);
    expect(r.passes).toBe(1);
  });
});

describe('bad input gets a typed error that says what and where', () => {
  it('no boundary condition: names every free rigid-body motion', () => {
    const mesh = beam();
    const err = (() => {
      try {
        solveStatic({ mesh, materials: [STEEL] }, {});
      } catch (e) {
        return e;
      }
    })() as UnconstrainedModelError;
    expect(err).toBeInstanceOf(UnconstrainedModelError);
    expect(err.freeModes.length).toBe(6);
    expect(err.message).toMatch(/6 rigid-body motion/);
  });

  it('only z fixed on a face: translation x, y and rotation about z are free', () => {
    const mesh = beam();
    try {
      solveStatic({ mesh, materials: [STEEL], displacementBcs: [{ nodes: 'xmin', components: [2] }] }, {});
      expect.unreachable();
    } catch (e) {
      const err = e as UnconstrainedModelError;
      expect(err).toBeInstanceOf(UnconstrainedModelError);
      expect(err.freeModes.length).toBe(4); // uz = 0 on the plane x = 0 stops tz and rotation about x only
      expect(err.message).toMatch(/translation along x/);
      expect(err.message).toMatch(/translation along y/);
      expect(err.message).toMatch(/rotation about z/);
      expect(err.message).toMatch(/rotation about y/);
    }
  });

  it('inverted element is named by index', () => {
    const mesh = beam();
    const cells = mesh.cells.slice();
    // swap top and bottom faces of element 7 → negative Jacobian
    for (let a = 0; a < 4; a++) [cells[7 * 8 + a], cells[7 * 8 + a + 4]] = [cells[7 * 8 + a + 4], cells[7 * 8 + a]];
    expect(() => solveStatic({ mesh: { ...mesh, cells }, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] }, {})).toThrow(InvalidElementError);
    expect(() => solveStatic({ mesh: { ...mesh, cells }, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] }, {})).toThrow(/element 7 is inverted/);
  });

  it('ν = 0.5 is refused', () => {
    expect(() =>
      solveStatic({ mesh: beam(), materials: [{ kind: 'isotropic', E: 1, nu: 0.5 }], displacementBcs: [{ nodes: 'xmin' }] }, {}),
    ).toThrow(InvalidMaterialError);
  });

  it('a missing material id is refused', () => {
    const mesh = beam();
    const materialIds = mesh.materialIds.slice();
    materialIds[3] = 2;
    expect(() => solveStatic({ mesh: { ...mesh, materialIds }, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] }, {})).toThrow(
      /material id 2/,
    );
  });

  it('NaN in a load or a coordinate is refused', () => {
    const mesh = beam();
    expect(() =>
      solveStatic({ mesh, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] }, { tractions: [{ faces: 'xmax', traction: [0, NaN, 0] }] }),
    ).toThrow(NonFiniteInputError);
    const nodes = mesh.nodes.slice();
    nodes[3 * 5 + 1] = Infinity;
    expect(() => solveStatic({ mesh: { ...mesh, nodes }, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] }, {})).toThrow(InvalidMeshError);
  });

  it('mismatched array lengths are refused', () => {
    const mesh = beam();
    expect(() =>
      solveStatic({ mesh: { ...mesh, materialIds: new Uint16Array(3) }, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] }, {}),
    ).toThrow(InvalidMeshError);
    expect(() =>
      solveStatic(
        { mesh, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] },
        { nodalForces: [{ nodes: Uint32Array.of(1, 2), forces: new Float64Array(5) }] },
      ),
    ).toThrow(/expected 3 × 2 nodes/);
  });

  it('unknown node set and conflicting constraints are named', () => {
    const mesh = beam();
    expect(() => solveStatic({ mesh, materials: [STEEL], displacementBcs: [{ nodes: 'nope' }] }, {})).toThrow(/unknown node set 'nope'/);
    expect(() =>
      solveStatic(
        {
          mesh,
          materials: [STEEL],
          displacementBcs: [{ nodes: 'xmin' }, { nodes: 'xmax' }],
          referenceNodes: [{ name: 'r', position: [100, 5, 5] }],
          couplings: [{ kind: 'kinematic', reference: 'r', nodes: 'xmax' }],
        },
        {},
      ),
    ).toThrow(InvalidBoundaryConditionError);
  });

  it('a DOF without stiffness is named by its model node after constrained DOFs are eliminated', () => {
    // 3×2×2 hex8 nodes plus one node no element uses (node 12). Fixing xmin eliminates 12 DOFs,
    // so the dangling node's x is reduced row 24: ⌊24/3⌋ = node 8 would be the wrong name.
    const box = boxMesh({ size: [2, 1, 1], divisions: [2, 1, 1], cellType: 'hex8' });
    const nodes = new Float64Array(box.nodes.length + 3);
    nodes.set(box.nodes);
    nodes.set([5, 5, 5], box.nodes.length);
    const model: FeModel = { mesh: { ...box, nodes }, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] };
    expect(() => prepareModel(model, { preconditioner: 'jacobi' })).toThrow(UnconstrainedModelError);
    expect(() => prepareModel(model, { preconditioner: 'jacobi' })).toThrow(/diagonal entry of node 12 x is 0/);
    expect(() => prepareModel(model, { preconditioner: 'block-jacobi' })).toThrow(/free DOFs 24\.\.26 \(node 12 x … node 12 z\)/);
  });

  it('a solve that cannot converge in the allowed iterations says so with its figures', () => {
    const mesh = beam();
    const model: FeModel = { mesh, materials: [STEEL], displacementBcs: [{ nodes: 'xmin' }] };
    const lc = { tractions: [{ faces: 'xmax', traction: [0, 0, -1] as [number, number, number] }] };
    expect(() => solveStatic(model, lc, { maxIterations: 3 })).toThrow(SolverNotConvergedError);
    expect(() => solveStatic(model, lc, { maxIterations: 3 })).toThrow(/relative residual .* after 3 iterations/);
    const partial = solveStatic(model, lc, { maxIterations: 3, allowNotConverged: true });
    expect(partial.solver.converged).toBe(false);
    expect(partial.solver.iterations).toBe(3);
  });
});
