import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  createVoxelGrid,
  hexScaledJacobian,
  keepLargestComponent,
  minHexScaledJacobian,
  paintParts,
  separateGroups,
  smoothVoxelMesh,
  voxelGridToHexMesh,
  type VoxelGrid,
} from '../src/voxel/index.js';
import { InvalidParameterError } from '../src/errors.js';

function ballGrid(h: number, R: number, inner = 0): VoxelGrid {
  const g = createVoxelGrid([-R - h, -R - h, -R - h, R + h, R + h, R + h], h);
  paintParts(g, [
    {
      name: 'ball',
      bounds: [-R, -R, -R, R, R, R],
      classify: (x, y, z) => {
        const r = Math.hypot(x, y, z);
        return r <= inner ? 2 : r <= R ? 1 : 0;
      },
    },
  ]);
  return g;
}

describe('voxel grid → hex8 mesh', () => {
  it('emits one unit-quality hex per non-void voxel with shared, compactly numbered nodes', () => {
    const g = ballGrid(1, 5, 2);
    const nonVoid = g.labels.reduce((s, l) => s + (l ? 1 : 0), 0);
    const { mesh, cellVoxel } = voxelGridToHexMesh(g, ['shell', 'core']);
    expect(mesh.cells.length / 8).toBe(nonVoid);
    // every node used, each cell a cube of edge h (scaled Jacobian exactly 1)
    const used = new Uint8Array(mesh.nodes.length / 3);
    for (const n of mesh.cells) used[n] = 1;
    expect(used.every((u) => u === 1)).toBe(true);
    expect(minHexScaledJacobian(mesh.nodes, mesh.cells).min).toBe(1);
    for (let c = 1; c < cellVoxel.length; c++) expect(cellVoxel[c]).toBeGreaterThan(cellVoxel[c - 1]);
    // Euler-type check of sharing: for a single voxel blob, nodes < 8 × cells and no duplicate coordinates
    const keys = new Set<string>();
    for (let n = 0; n < mesh.nodes.length / 3; n++) keys.add(`${mesh.nodes[3 * n]},${mesh.nodes[3 * n + 1]},${mesh.nodes[3 * n + 2]}`);
    expect(keys.size).toBe(mesh.nodes.length / 3);
    expect(Array.from(new Set(mesh.materialIds)).sort()).toEqual([0, 1]);
  });

  it('voxel volume of a ball approaches 4/3 π R³', () => {
    const R = 6;
    const exact = (4 / 3) * Math.PI * R ** 3;
    const errs = [1, 0.5, 0.25].map((h) => {
      const g = ballGrid(h, R);
      return Math.abs(g.labels.reduce((s, l) => s + (l ? 1 : 0), 0) * h ** 3 - exact) / exact;
    });
    console.log(`ball R=6: relative volume error at h = 1, 0.5, 0.25: ${errs.map((e) => (100 * e).toFixed(3) + ' %').join(', ')}`);
    // a centred ball has no grid-aligned flat faces, so the lattice error falls quickly; 1 % at h = R/24
    expect(errs[2]).toBeLessThan(0.01);
    expect(errs[2]).toBeLessThan(errs[0]);
  });

  it('a grid shift moves the nodes by that fraction of a voxel and still covers the bounds; out-of-range shifts are refused', () => {
    fc.assert(
      fc.property(fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true })), fc.constantFrom(0.5, 1, 2), (shift, h) => {
        const b = [-7.3, -2.1, 0.4, 5.9, 8.8, 12.05];
        const g = createVoxelGrid(b, h, shift);
        for (let k = 0; k < 3; k++) {
          // (origin/h − shift) is an integer: the nodes sit at (i + shift)·h (round-off of one division)
          const i = g.origin[k] / h - shift[k];
          expect(Math.abs(i - Math.round(i))).toBeLessThan(1e-9);
          expect(g.origin[k]).toBeLessThanOrEqual(b[k] + 1e-9);
          expect(g.origin[k] + g.dims[k] * h).toBeGreaterThanOrEqual(b[k + 3] - 1e-9);
        }
      }),
      { numRuns: 50 },
    );
    expect(() => createVoxelGrid([0, 0, 0, 1, 1, 1], 1, [0, 1, 0])).toThrow(/gridShift/);
    expect(() => createVoxelGrid([0, 0, 0, 1, 1, 1], 1, [-0.1, 0, 0])).toThrow(/gridShift/);
  });

  it('rejects a non-positive spacing', () => {
    expect(() => createVoxelGrid([0, 0, 0, 1, 1, 1], 0)).toThrow(InvalidParameterError);
    expect(() => createVoxelGrid([0, 0, 0, 1, 1, Number.NaN], 1)).toThrow(InvalidParameterError);
  });
});

describe('connectivity clean-up', () => {
  it('keeps the largest face-connected blob and reports the dropped voxels', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 8 }), (small, big) => {
        const g = createVoxelGrid([0, 0, 0, 30, 12, 12], 1);
        paintParts(g, [
          { name: 'big', bounds: [0, 0, 0, big, big, big], classify: () => 1 },
          { name: 'small', bounds: [20, 0, 0, 20 + small, small, small], classify: () => 1 },
          // a voxel touching the big cube only along an edge is not face-connected
          { name: 'edge', bounds: [big + 0.5, big + 0.5, 0.5, big + 0.5, big + 0.5, 0.5], classify: () => 1 },
        ]);
        const rep = keepLargestComponent(g);
        expect(rep.components).toBe(3);
        expect(rep.dropped).toBe(small ** 3 + 1);
        expect(rep.kept).toBe(big ** 3);
        expect(g.labels.reduce((s, l) => s + (l ? 1 : 0), 0)).toBe(big ** 3);
      }),
      { numRuns: 10, seed: 3 },
    );
  });

  it('separates label groups so no voxel of a group touches a higher group, even at a corner', () => {
    const g = createVoxelGrid([0, 0, 0, 10, 10, 10], 1);
    paintParts(g, [
      { name: 'a', bounds: [0, 0, 0, 5, 5, 5], classify: () => 1 },
      { name: 'b', bounds: [5, 5, 5, 10, 10, 10], classify: () => 2 },
      { name: 'c', bounds: [0, 6, 0, 4, 10, 4], classify: () => 3 },
    ]);
    const group = Int32Array.from([-1, 0, 1, -1]);
    const removed = separateGroups(g, group);
    // only the corner voxel of 'a' at (4,4,4) touches 'b' (at (5,5,5)); 'c' is in no group
    expect(removed).toBe(1);
    expect(g.labels[4 + 10 * (4 + 10 * 4)]).toBe(0);
    expect(g.labels[5 + 10 * (5 + 10 * 5)]).toBe(2);
  });
});

describe('Jacobian-guarded surface smoothing', () => {
  it('moves boundary and interface nodes towards the true sphere, keeps interior nodes and the quality bound, deterministically', () => {
    const run = () => {
      const g = ballGrid(1, 6, 3);
      const vh = voxelGridToHexMesh(g, ['shell', 'core']);
      const before = vh.mesh.nodes.slice();
      const rep = smoothVoxelMesh(g, vh, { iterations: 6, minScaledJacobian: 0.35 });
      return { g, vh, before, rep };
    };
    const { vh, before, rep } = run();
    const { nodes, cells } = vh.mesh;
    const n = nodes.length / 3;
    expect(rep.movableNodes).toBeGreaterThan(0);
    expect(rep.accepted).toBeGreaterThan(0);
    const { min } = minHexScaledJacobian(nodes, cells);
    expect(min).toBeGreaterThanOrEqual(0.35);
    // deviation from the sphere for nodes on the outer surface (radius > 5): staircase → smoother
    let devBefore = 0;
    let devAfter = 0;
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const r0 = Math.hypot(before[3 * i], before[3 * i + 1], before[3 * i + 2]);
      if (r0 > 5) {
        devBefore += Math.abs(r0 - 6);
        devAfter += Math.abs(Math.hypot(nodes[3 * i], nodes[3 * i + 1], nodes[3 * i + 2]) - 6);
      }
      if (nodes[3 * i] !== before[3 * i] || nodes[3 * i + 1] !== before[3 * i + 1] || nodes[3 * i + 2] !== before[3 * i + 2]) moved++;
    }
    expect(devAfter).toBeLessThan(devBefore);
    expect(moved).toBeLessThanOrEqual(rep.movableNodes);
    const again = run();
    expect(Buffer.from(again.vh.mesh.nodes.buffer).equals(Buffer.from(nodes.buffer))).toBe(true);
    for (let c = 0; c < cells.length / 8; c++) expect(hexScaledJacobian(nodes, cells, c)).toBeGreaterThanOrEqual(0.35);
  });

  it('refuses invalid options', () => {
    const g = ballGrid(1, 3);
    const vh = voxelGridToHexMesh(g, ['ball']);
    expect(() => smoothVoxelMesh(g, vh, { iterations: -1 })).toThrow(InvalidParameterError);
    expect(() => smoothVoxelMesh(g, vh, { iterations: 1, minScaledJacobian: 1.5 })).toThrow(InvalidParameterError);
  });
});
