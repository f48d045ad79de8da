import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  boxMesh,
  hollowCylinderMesh,
  hexToTet,
  tet4ToTet10,
  mergeMeshes,
  faceNeighbours,
  extractBoundary,
  boundaryTriangles,
  validateMesh,
  cellCount,
  nodeCount,
  CELL_INFO,
  InvalidParameterError,
  type Mesh,
} from '@spinefea/mesh';
import { enclosedVolume, tetVolumeSum, watertightDefects } from './basics-helpers.js';

/** Every face slot has a partner unless it is on the boundary; boundary face count must match the analytic count. */
function boundaryFaceCount(mesh: Mesh): number {
  const nb = faceNeighbours(mesh);
  let n = 0;
  for (let s = 0; s < nb.length; s++) if (nb[s] < 0) n++;
  return n;
}

describe('boxMesh', () => {
  it.each(['hex8', 'tet4', 'tet10'] as const)('%s: node/cell counts, sets and volume', (cellType) => {
    const [nx, ny, nz] = [3, 4, 5];
    const mesh = boxMesh({ size: [2, 3, 7], divisions: [nx, ny, nz], cellType, origin: [1, -2, 0.5] });
    validateMesh(mesh);
    const corners = (nx + 1) * (ny + 1) * (nz + 1);
    const hexes = nx * ny * nz;
    // Unique edges of the Kuhn-split grid: axis edges + one diagonal per grid face + one body diagonal per hex.
    const axisEdges = nx * (ny + 1) * (nz + 1) + (nx + 1) * ny * (nz + 1) + (nx + 1) * (ny + 1) * nz;
    const faceDiagonals = nx * ny * (nz + 1) + nx * (ny + 1) * nz + (nx + 1) * ny * nz;
    const expectedNodes = cellType === 'tet10' ? corners + axisEdges + faceDiagonals + hexes : corners;
    expect(nodeCount(mesh)).toBe(expectedNodes);
    expect(cellCount(mesh)).toBe(cellType === 'hex8' ? hexes : 6 * hexes);
    const perQuad = cellType === 'hex8' ? 1 : 2;
    expect(mesh.faceSets.xmin.cells.length).toBe(ny * nz * perQuad);
    expect(mesh.faceSets.zmax.cells.length).toBe(nx * ny * perQuad);
    // Volume from the outward boundary surface; 1e-12 relative: round-off of ~10³ triple products.
    const s = boundaryTriangles(mesh);
    expect(enclosedVolume(s)).toBeCloseTo(2 * 3 * 7, 10);
    if (cellType !== 'hex8') expect(tetVolumeSum(mesh)).toBeCloseTo(42, 10);
    // Node sets lie on their planes and hold every node of their faces.
    const planes: Record<string, [number, number]> = { xmin: [0, 1], xmax: [0, 3], ymin: [1, -2], ymax: [1, 1], zmin: [2, 0.5], zmax: [2, 7.5] };
    const npc = CELL_INFO[cellType].nodesPerCell;
    for (const [name, [axis, value]] of Object.entries(planes)) {
      const ns = new Set(mesh.nodeSets[name]);
      for (const n of ns) expect(mesh.nodes[3 * n + axis]).toBe(value);
      const fs = mesh.faceSets[name];
      for (let i = 0; i < fs.cells.length; i++)
        for (const ln of CELL_INFO[cellType].faces[fs.faces[i]]) expect(ns.has(mesh.cells[fs.cells[i] * npc + ln])).toBe(true);
      // Exactly the nodes of the plane: count grid nodes (and mid-side nodes) on it.
      let onPlane = 0;
      for (let n = 0; n < nodeCount(mesh); n++) if (mesh.nodes[3 * n + axis] === value) onPlane++;
      expect(ns.size).toBe(onPlane);
    }
  });

  it('tet splits are conforming: interior faces shared by exactly two cells, boundary = 2 triangles per boundary quad', () => {
    for (const cellType of ['tet4', 'tet10'] as const) {
      const mesh = boxMesh({ size: [1, 1, 1], divisions: [3, 2, 4], cellType, distortion: 0.1, seed: 7 });
      const quads = 2 * (3 * 2 + 2 * 4 + 3 * 4);
      // faceNeighbours throws if a face is shared by > 2 cells; non-matching diagonals would leave extra unpaired faces.
      expect(boundaryFaceCount(mesh)).toBe(2 * quads);
      expect(extractBoundary(mesh).cells.length).toBe(2 * quads);
    }
  });

  it('builds a ~1 M DOF hex8 mesh (69³ cells) in under a second', () => {
    const t0 = performance.now();
    const mesh = boxMesh({ size: [1, 1, 1], divisions: [69, 69, 69], cellType: 'hex8' });
    const ms = performance.now() - t0;
    expect(3 * nodeCount(mesh)).toBeGreaterThan(1_000_000);
    expect(ms).toBeLessThan(1000);
  });

  it('distortion moves interior nodes only, is seeded and keeps the volume', () => {
    const a = boxMesh({ size: [1, 2, 3], divisions: [4, 4, 4], cellType: 'hex8', distortion: 0.2, seed: 3 });
    const b = boxMesh({ size: [1, 2, 3], divisions: [4, 4, 4], cellType: 'hex8', distortion: 0.2, seed: 3 });
    const c = boxMesh({ size: [1, 2, 3], divisions: [4, 4, 4], cellType: 'hex8', distortion: 0.2, seed: 4 });
    const plain = boxMesh({ size: [1, 2, 3], divisions: [4, 4, 4], cellType: 'hex8' });
    expect(a.nodes).toEqual(b.nodes);
    expect(a.nodes).not.toEqual(c.nodes);
    const boundary = new Set(Object.values(plain.nodeSets).flatMap((s) => [...s]));
    let moved = 0;
    for (let n = 0; n < nodeCount(a); n++) {
      const d = Math.hypot(a.nodes[3 * n] - plain.nodes[3 * n], a.nodes[3 * n + 1] - plain.nodes[3 * n + 1], a.nodes[3 * n + 2] - plain.nodes[3 * n + 2]);
      if (boundary.has(n)) expect(d).toBe(0);
      else {
        expect(d).toBeLessThanOrEqual(0.2 * 0.25 * (1 + 1e-12)); // radius d·h_min, h_min = 1/4; 1e-12 for round-off
        if (d > 0) moved++;
      }
    }
    expect(moved).toBe(27);
    // Boundary untouched ⇒ enclosed volume exact; 1e-12: round-off.
    expect(enclosedVolume(boundaryTriangles(a))).toBeCloseTo(6, 12);
  });

  it('rejects bad parameters with InvalidParameterError naming the parameter', () => {
    expect(() => boxMesh({ size: [1, 0, 1], divisions: [1, 1, 1], cellType: 'hex8' })).toThrow(/size\[1\]/);
    expect(() => boxMesh({ size: [1, 1, 1], divisions: [1, 1.5, 1], cellType: 'hex8' })).toThrow(InvalidParameterError);
    expect(() => boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8', distortion: 0.5 })).toThrow(/distortion/);
    expect(() => boxMesh({ size: [1, 1, NaN], divisions: [1, 1, 1], cellType: 'hex8' })).toThrow(/size\[2\]/);
    expect(() => boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'wedge' as never })).toThrow(/cellType/);
  });
});

describe('hollowCylinderMesh', () => {
  const a = 10;
  const b = 20;
  const L = 5;
  it.each([
    ['hex8', 360],
    ['tet4', 360],
    ['tet10', 90],
    ['hex8', 90],
    ['tet4', 135],
  ] as const)('%s, sweep %d°: counts, volume and sets', (cellType, sweep) => {
    const [nr, nt, nz] = [3, 12, 2];
    const mesh = hollowCylinderMesh({
      innerRadius: a,
      outerRadius: b,
      length: L,
      radialDivisions: nr,
      circumferentialDivisions: nt,
      axialDivisions: nz,
      cellType,
      sweepAngleDeg: sweep,
    });
    validateMesh(mesh);
    const full = sweep === 360;
    const corners = (nr + 1) * (full ? nt : nt + 1) * (nz + 1);
    if (cellType !== 'tet10') expect(nodeCount(mesh)).toBe(corners);
    expect(cellCount(mesh)).toBe(nr * nt * nz * (cellType === 'hex8' ? 1 : 6));
    // Straight-sided cells: the cross-section is the polygonal annulus, area = nθ/2·sin(Δθ)·(b² − a²) per sweep.
    const dt = ((sweep / nt) * Math.PI) / 180;
    const expected = (nt / 2) * Math.sin(dt) * (b * b - a * a) * L;
    // 1e-10 relative: round-off only, the formula is exact for straight-sided cells.
    expect(enclosedVolume(boundaryTriangles(mesh)) / expected).toBeCloseTo(1, 10);
    // Boundary faces: inner + outer + 2 ends (+ 2 cut planes).
    const perQuad = cellType === 'hex8' ? 1 : 2;
    const quads = 2 * nt * nz + 2 * nr * nt + (full ? 0 : 2 * nr * nz);
    expect(boundaryFaceCount(mesh)).toBe(quads * perQuad);
    const names = full ? ['inner', 'outer', 'zmin', 'zmax'] : ['inner', 'outer', 'zmin', 'zmax', 'theta0', 'theta1'];
    expect(Object.keys(mesh.faceSets).sort()).toEqual([...names].sort());
    let total = 0;
    for (const n of names) total += mesh.faceSets[n].cells.length;
    expect(total).toBe(quads * perQuad);
    // Corner nodes of inner/outer sets sit on their circles; 1e-12 relative: cos/sin round-off.
    for (const n of mesh.nodeSets.inner) if (n < corners) expect(Math.hypot(mesh.nodes[3 * n], mesh.nodes[3 * n + 1]) / a).toBeCloseTo(1, 12);
    for (const n of mesh.nodeSets.outer) if (n < corners) expect(Math.hypot(mesh.nodes[3 * n], mesh.nodes[3 * n + 1]) / b).toBeCloseTo(1, 12);
    if (sweep === 90) for (const n of mesh.nodeSets.theta1) expect(mesh.nodes[3 * n]).toBe(0);
  });

  it('rejects b ≤ a and a full sweep with fewer than 3 divisions', () => {
    const base = { innerRadius: 2, outerRadius: 3, length: 1, radialDivisions: 1, circumferentialDivisions: 8, axialDivisions: 1, cellType: 'hex8' as const };
    expect(() => hollowCylinderMesh({ ...base, outerRadius: 2 })).toThrow(/outerRadius/);
    expect(() => hollowCylinderMesh({ ...base, circumferentialDivisions: 2 })).toThrow(/circumferentialDivisions/);
    expect(() => hollowCylinderMesh({ ...base, sweepAngleDeg: 400 })).toThrow(/sweepAngleDeg/);
  });
});

describe('conversions', () => {
  it('tet4ToTet10 places mid-side nodes at edge midpoints and extends node sets', () => {
    const t4 = boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'tet4' });
    const t10 = tet4ToTet10(t4);
    const pairs = [
      [0, 1],
      [1, 2],
      [2, 0],
      [0, 3],
      [1, 3],
      [2, 3],
    ];
    for (let c = 0; c < cellCount(t10); c++)
      pairs.forEach(([i, j], e) => {
        const m = t10.cells[c * 10 + 4 + e];
        for (let d = 0; d < 3; d++)
          expect(t10.nodes[3 * m + d]).toBe(0.5 * (t10.nodes[3 * t10.cells[c * 10 + i] + d] + t10.nodes[3 * t10.cells[c * 10 + j] + d]));
      });
    // xmin face of a 2×2 grid split into triangles: 9 corners + 12 axis + 4 diagonal mid-side nodes.
    expect(t10.nodeSets.xmin.length).toBe(25);
    expect(() => tet4ToTet10(t10)).toThrow(InvalidParameterError);
    expect(() => hexToTet(t4)).toThrow(InvalidParameterError);
  });

  it('mergeMeshes appends nodes, cells and sets', () => {
    const m1 = boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' });
    const m2 = boxMesh({ size: [1, 1, 1], divisions: [2, 1, 1], cellType: 'hex8', origin: [3, 0, 0] });
    m2.materialIds.fill(1);
    m2.regionNames = ['a', 'b'];
    const m = mergeMeshes([m1, m2]);
    validateMesh(m);
    expect(nodeCount(m)).toBe(8 + 12);
    expect(cellCount(m)).toBe(3);
    expect([...m.materialIds]).toEqual([0, 1, 1]);
    expect(m.faceSets.xmin.cells.length).toBe(2);
    expect([...m.faceSets.xmin.cells]).toEqual([0, 1]);
    expect(m.nodeSets.xmax.length).toBe(8);
    expect(m.regionNames).toEqual(['a', 'b']);
  });
});

describe('boundaryTriangles', () => {
  /** Two-region box: cells with centroid x < 0.5 get material 0, others 1. */
  function twoRegion(cellType: 'hex8' | 'tet4' | 'tet10'): Mesh {
    const mesh = boxMesh({ size: [1, 1, 1], divisions: [4, 3, 2], cellType });
    const npc = CELL_INFO[cellType].nodesPerCell;
    for (let c = 0; c < cellCount(mesh); c++) {
      let cx = 0;
      for (let k = 0; k < CELL_INFO[cellType].corners; k++) cx += mesh.nodes[3 * mesh.cells[c * npc + k]];
      mesh.materialIds[c] = cx / CELL_INFO[cellType].corners < 0.5 ? 0 : 1;
    }
    return mesh;
  }
  it.each(['hex8', 'tet4', 'tet10'] as const)('%s: per-region surfaces are watertight and enclose each region', (cellType) => {
    const mesh = twoRegion(cellType);
    const s = boundaryTriangles(mesh, { byRegion: true });
    for (const id of [0, 1]) {
      const d = watertightDefects(s.indices, (t) => s.regionIds[t] === id);
      expect(d).toEqual({ badEdges: 0, badOrientation: 0 });
      // Each region is half the unit cube; 1e-12: round-off.
      expect(enclosedVolume(s, { ids: s.regionIds, id })).toBeCloseTo(0.5, 12);
    }
    const outer = boundaryTriangles(mesh);
    expect(watertightDefects(outer.indices)).toEqual({ badEdges: 0, badOrientation: 0 });
    expect(enclosedVolume(outer)).toBeCloseTo(1, 12);
    // Interfaces once, without byRegion: the interface is an inner membrane, its edges are used 3 times.
    const once = boundaryTriangles(mesh, { includeRegionInterfaces: true });
    const perFace = cellType === 'hex8' ? 2 : cellType === 'tet4' ? 2 : 8;
    expect(once.indices.length / 3 - outer.indices.length / 3).toBe(3 * 2 * perFace);
    expect(s.nodeIds.length).toBe(s.positions.length / 3);
  });
});

describe('property: random boxes', () => {
  it('the tet split stays conforming for any size and division', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (div, distortion) => {
          const mesh = boxMesh({ size: [1, 2, 3], divisions: div, cellType: 'tet4', distortion });
          const quads = 2 * (div[0] * div[1] + div[1] * div[2] + div[0] * div[2]);
          return boundaryFaceCount(mesh) === 2 * quads;
        },
      ),
      { numRuns: 40 },
    );
  });
});
