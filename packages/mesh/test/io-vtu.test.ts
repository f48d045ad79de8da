import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  boxMesh,
  hollowCylinderMesh,
  writeVtu,
  readVtu,
  meshToVtu,
  vtuToMesh,
  encodeBase64,
  decodeBase64,
  MeshFormatError,
  type VtuField,
} from '@spinefea/mesh';
import { requireTool, pythonJson, SYSTEM_PYTHON } from './basics-helpers.js';

const hasMeshio = requireTool('python3-meshio', SYSTEM_PYTHON, ['-c', 'import meshio']);

describe('base64', () => {
  it('matches Node Buffer for every length mod 3 and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const s = encodeBase64(bytes);
        return s === Buffer.from(bytes).toString('base64') && Buffer.from(decodeBase64(s)).equals(Buffer.from(bytes));
      }),
    );
  });
  it('decodes concatenated padded blocks (VTK style header + data)', () => {
    const s = Buffer.from([1, 2, 3, 4]).toString('base64') + Buffer.from([5, 6]).toString('base64');
    expect([...decodeBase64(s)]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('VTU round trip through our reader', () => {
  it.each(['hex8', 'tet4', 'tet10'] as const)('%s, binary and ascii, with typed fields', (cellType) => {
    const mesh = boxMesh({ size: [1, 2, 3], divisions: [2, 3, 2], cellType, distortion: 0.2, seed: 5 });
    mesh.materialIds.forEach((_, c) => (mesh.materialIds[c] = c % 3));
    const np = mesh.nodes.length / 3;
    const nc = mesh.materialIds.length;
    const u = Float64Array.from({ length: 3 * np }, (_, i) => Math.sin(i) * 1e-3);
    const t = Float32Array.from({ length: np }, (_, i) => i / 7);
    const s = Float64Array.from({ length: 6 * nc }, (_, i) => 1 / (i + 1));
    const flag = Int32Array.from({ length: nc }, (_, i) => -i);
    for (const format of ['binary', 'ascii'] as const) {
      const text = meshToVtu(mesh, { pointData: { u: { values: u, components: 3 }, t: { values: t, components: 1 } }, cellData: { stress: { values: s, components: 6 }, flag: { values: flag, components: 1 } }, format });
      const back = readVtu(text);
      expect(back.cellType).toBe(cellType);
      expect(back.nodes).toEqual(mesh.nodes);
      expect(back.cells).toEqual(mesh.cells);
      expect(back.pointData.u.values).toEqual(u);
      expect(back.pointData.u.components).toBe(3);
      expect(back.pointData.t.values).toEqual(t);
      expect(back.cellData.stress.values).toEqual(s);
      expect(back.cellData.stress.components).toBe(6);
      expect(back.cellData.flag.values).toEqual(flag);
      expect(back.cellData.region.values).toEqual(mesh.materialIds);
      expect(vtuToMesh(back).materialIds).toEqual(mesh.materialIds);
    }
  });

  it('binary is smaller than ascii for float data', () => {
    const mesh = boxMesh({ size: [1, 1, 1], divisions: [6, 6, 6], cellType: 'hex8', distortion: 0.1 });
    expect(meshToVtu(mesh).length).toBeLessThan(meshToVtu(mesh, { format: 'ascii' }).length);
  });

  it('property: random fields survive binary and ascii round trips exactly', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        fc.constantFrom('hex8' as const, 'tet4' as const, 'tet10' as const),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.integer(),
        (div, cellType, components, ascii, seed) => {
          const mesh = boxMesh({ size: [1, 1, 1], divisions: div, cellType, distortion: 0.25, seed });
          const np = mesh.nodes.length / 3;
          const f = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { numRuns: np * components, seed });
          const field: VtuField = { values: Float64Array.from(f), components };
          const back = readVtu(writeVtu({ ...mesh, pointData: { f: field }, format: ascii ? 'ascii' : 'binary' }));
          expect(back.pointData.f.values).toEqual(field.values);
          expect(back.nodes).toEqual(mesh.nodes);
          expect(back.cells).toEqual(mesh.cells);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('rejects malformed input with MeshFormatError', () => {
    expect(() => readVtu('<foo/>')).toThrow(MeshFormatError);
    const mesh = boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' });
    const text = meshToVtu(mesh);
    expect(() => readVtu(text.replace('<VTKFile ', '<VTKFile compressor="vtkZLibDataCompressor" '))).toThrow(/compressed/);
    expect(() => readVtu(text.replace(/types" format="binary">\s*\S+/, 'types" format="binary">\n  AQAAAAc='))).toThrow(MeshFormatError);
    expect(() => writeVtu({ ...mesh, pointData: { bad: { values: new Float64Array(5), components: 3 } } })).toThrow(/"bad": 5 values, expected 8·3/);
  });
});

describe.skipIf(!hasMeshio)('VTU read by meshio (python3-meshio)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinefea-vtu-'));
  const script = `
import sys, json, meshio
m = meshio.read(sys.argv[1])
print(json.dumps({
  "points": m.points.ravel().tolist(),
  "blocks": [[c.type, c.data.ravel().tolist()] for c in m.cells],
  "region": [x for block in m.cell_data.get("region", []) for x in block.ravel().tolist()],
  "u": m.point_data["u"].ravel().tolist() if "u" in m.point_data else None,
}))`;
  const cases = [
    ['hex8', 'hexahedron'],
    ['tet4', 'tetra'],
    ['tet10', 'tetra10'],
  ] as const;
  for (const format of ['binary', 'ascii'] as const)
    it.each(cases)(`%s → meshio %s (${format})`, (cellType, meshioType) => {
      const mesh = hollowCylinderMesh({ innerRadius: 1, outerRadius: 2, length: 1, radialDivisions: 2, circumferentialDivisions: 6, axialDivisions: 1, cellType, sweepAngleDeg: 90 });
      mesh.materialIds.forEach((_, c) => (mesh.materialIds[c] = (c * 7) % 5));
      const u = Float64Array.from({ length: mesh.nodes.length }, (_, i) => Math.cos(i) / 3);
      const path = join(dir, `${cellType}-${format}.vtu`);
      writeFileSync(path, meshToVtu(mesh, { pointData: { u: { values: u, components: 3 } }, format }));
      const r = pythonJson(script, [path]) as { points: number[]; blocks: [string, number[]][]; region: number[]; u: number[] };
      // meshio's tetra10 order is VTK's, which is ours: connectivity must match exactly.
      expect(r.points).toEqual([...mesh.nodes]);
      expect(r.blocks).toEqual([[meshioType, [...mesh.cells]]]);
      expect(r.region).toEqual([...mesh.materialIds]);
      expect(r.u).toEqual([...u]);
    });
});
