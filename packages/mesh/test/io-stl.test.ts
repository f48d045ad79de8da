import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxMesh, hollowCylinderMesh, boundaryTriangles, writeStl, readStl, MeshFormatError, type Mesh } from '@spinefea/mesh';
import { requireTool, pythonJson, SYSTEM_PYTHON, watertightDefects, enclosedVolume } from './basics-helpers.js';

const hasMeshio = requireTool('python3-meshio', SYSTEM_PYTHON, ['-c', 'import meshio']);
const dir = mkdtempSync(join(tmpdir(), 'spinefea-stl-'));

const meshes: [string, () => Mesh, number][] = [
  ['tet10 box', () => boxMesh({ size: [1, 2, 3], divisions: [2, 2, 3], cellType: 'tet10', distortion: 0.2 }), 6],
  [
    'hex8 cylinder',
    () => hollowCylinderMesh({ innerRadius: 1, outerRadius: 2, length: 3, radialDivisions: 2, circumferentialDivisions: 16, axialDivisions: 2, cellType: 'hex8' }),
    8 * Math.sin(Math.PI / 8) * 3 * 3, // polygonal annulus: nθ/2·sin(2π/nθ)·(b² − a²)·L
  ],
];

describe('STL', () => {
  it.each(meshes)('%s: ascii and binary files are watertight, outward and keep the volume', (_, make, volume) => {
    const s = boundaryTriangles(make());
    for (const binary of [false, true]) {
      const data = writeStl(s, { binary, name: 'part' });
      const back = readStl(data);
      expect(back.indices.length).toBe(s.indices.length);
      // Vertex merging by exact float32 equality must rebuild the shared vertices.
      expect(back.positions.length).toBe(s.positions.length);
      expect(watertightDefects(back.indices)).toEqual({ badEdges: 0, badOrientation: 0 });
      // float32 coordinates (~6e-8 relative) in a sum of ~10² triple products: 1e-5 relative.
      expect(Math.abs(enclosedVolume(back) / volume - 1)).toBeLessThan(1e-5);
      // Stored normals are unit and point like the vertex winding.
      for (let t = 0; t < back.indices.length / 3; t++) expect(Math.hypot(back.normals[3 * t], back.normals[3 * t + 1], back.normals[3 * t + 2])).toBeCloseTo(1, 5);
    }
  });

  it('ascii writes one solid per region and binary stores region ids in the attribute word', () => {
    const mesh = boxMesh({ size: [2, 1, 1], divisions: [2, 1, 1], cellType: 'hex8' });
    mesh.materialIds[1] = 4;
    const s = boundaryTriangles(mesh, { byRegion: true });
    const ascii = readStl(writeStl(s, { name: 'two' }));
    expect(ascii.names).toEqual(['two_region_0', 'two_region_4']);
    expect(new Set(ascii.regionIds)).toEqual(new Set([0, 1])); // solid index
    const bin = readStl(writeStl(s, { binary: true }));
    expect(bin.regionIds).toEqual(s.regionIds);
    for (const id of [0, 4]) expect(watertightDefects(bin.indices, (t) => bin.regionIds[t] === id)).toEqual({ badEdges: 0, badOrientation: 0 });
  });

  it('rejects truncated or malformed files', () => {
    const bytes = writeStl(boundaryTriangles(boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'tet4' })), { binary: true });
    expect(() => readStl(bytes.subarray(0, bytes.length - 10))).toThrow(MeshFormatError);
    expect(() => readStl('solid x\n facet normal 0 0 1\n outer loop\n vertex 0 0 0\n endloop\n endfacet\nendsolid x\n')).toThrow(/1 vertices/);
    expect(() => readStl('solid x\n facet normal a b c\n')).toThrow(/line 2/);
  });
});

describe.skipIf(!hasMeshio)('STL read by meshio', () => {
  it.each([false, true])('binary=%s: meshio sees the same triangles', (binary) => {
    const s = boundaryTriangles(meshes[1][1]());
    const path = join(dir, `cyl-${binary}.stl`);
    writeFileSync(path, writeStl(s, { binary, name: 'cyl' }));
    const r = pythonJson(
      `
import sys, json, meshio
m = meshio.read(sys.argv[1])
tri = m.get_cells_type("triangle")
print(json.dumps({"points": len(m.points), "triangles": int(tri.shape[0]), "tri": m.points[tri].reshape(-1, 9).tolist()}))`,
      [path],
    ) as { points: number; triangles: number; tri: number[][] };
    expect(r.triangles).toBe(s.indices.length / 3);
    // meshio merges duplicate vertices for ascii only in some versions: at least the unique ones, at most 3 per triangle.
    expect(r.points).toBeGreaterThanOrEqual(s.positions.length / 3);
    expect(r.points).toBeLessThanOrEqual(s.indices.length);
    // Triangle corners, in order, equal ours rounded to float32 (meshio parses ascii to float64: round it too; +0 folds −0).
    r.tri.forEach((t, i) => {
      const ours = [0, 1, 2].flatMap((k) => [0, 1, 2].map((d) => Math.fround(s.positions[3 * s.indices[3 * i + k] + d]) + 0));
      expect(t.map((v) => Math.fround(v) + 0)).toEqual(ours);
    });
  });
});
