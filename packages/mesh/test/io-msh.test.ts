import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  boxMesh,
  hollowCylinderMesh,
  writeMsh,
  readMsh,
  meshQuality,
  boundaryTriangles,
  validateMesh,
  cellCount,
  CELL_INFO,
  MeshFormatError,
  type Mesh,
} from '@spinefea/mesh';
import { requireTool, runGmsh, pythonJson, SYSTEM_PYTHON, faceSetKeys, enclosedVolume } from './basics-helpers.js';

const hasGmsh = requireTool('gmsh', 'gmsh', ['--version']);
const hasMeshio = requireTool('python3-meshio', SYSTEM_PYTHON, ['-c', 'import meshio']);
const dir = mkdtempSync(join(tmpdir(), 'spinefea-msh-'));

/** A mesh with three named regions, all face sets and node sets. */
function sample(cellType: Mesh['cellType']): Mesh {
  const mesh = boxMesh({ size: [1, 2, 3], divisions: [2, 2, 3], cellType, distortion: 0.15, seed: 11 });
  mesh.materialIds.forEach((_, c) => (mesh.materialIds[c] = c % 3));
  mesh.regionNames = ['L4', 'disc L4-L5', 'L5'];
  return mesh;
}

function expectSameMesh(back: Mesh, mesh: Mesh, gmshPrinted = false): void {
  validateMesh(back);
  expect(back.cellType).toBe(mesh.cellType);
  if (gmshPrinted) {
    // gmsh prints coordinates with 16 significant digits (%.16g), one short of a double round trip: allow 1e-15 relative.
    expect(back.nodes.length).toBe(mesh.nodes.length);
    let worst = 0;
    for (let i = 0; i < mesh.nodes.length; i++) worst = Math.max(worst, Math.abs(back.nodes[i] - mesh.nodes[i]) / Math.max(1, Math.abs(mesh.nodes[i])));
    expect(worst).toBeLessThan(1e-15);
  } else expect(back.nodes).toEqual(mesh.nodes);
  expect(back.cells).toEqual(mesh.cells);
  expect(back.materialIds).toEqual(mesh.materialIds);
  expect(back.regionNames).toEqual(mesh.regionNames);
  expect(Object.keys(back.faceSets).sort()).toEqual(Object.keys(mesh.faceSets).sort());
  for (const k of Object.keys(mesh.faceSets)) {
    expect(faceSetKeys(back.faceSets[k])).toEqual(faceSetKeys(mesh.faceSets[k]));
    // Node sets come back as the nodes of each face set (equal to the generator's boundary node sets).
    expect([...back.nodeSets[k]]).toEqual([...mesh.nodeSets[k]].sort((a, b) => a - b));
  }
}

/** Cells as sorted "nodes|material" strings (order-free comparison). */
function canonicalCells(m: Mesh): string[] {
  const npc = CELL_INFO[m.cellType].nodesPerCell;
  return Array.from(m.materialIds, (id, c) => `${m.cells.subarray(c * npc, (c + 1) * npc).join(',')}|${id}`).sort();
}

/** Faces of a face set as sorted node-tuple strings (in face order, so orientation counts). */
function canonicalFaces(m: Mesh, name: string): string[] {
  const info = CELL_INFO[m.cellType];
  const fs = m.faceSets[name];
  return Array.from(fs.cells, (c, i) => info.faces[fs.faces[i]].map((ln) => m.cells[c * info.nodesPerCell + ln]).join(',')).sort();
}

describe('msh 4.1 round trip through our reader', () => {
  it.each(['hex8', 'tet4', 'tet10'] as const)('%s keeps nodes, cells, regions, names, face and node sets', (cellType) => {
    const mesh = sample(cellType);
    expectSameMesh(readMsh(writeMsh(mesh)), mesh);
  });

  it('property: random region assignments and meshes round-trip', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        fc.constantFrom('hex8' as const, 'tet4' as const, 'tet10' as const),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (div, cellType, ids, distortion) => {
          const mesh = boxMesh({ size: [3, 1, 2], divisions: div, cellType, distortion, seed: ids.length });
          mesh.materialIds.forEach((_, c) => (mesh.materialIds[c] = ids[c % ids.length]));
          mesh.regionNames = ['a', 'b', 'c', 'd', 'e'];
          const back = readMsh(writeMsh(mesh));
          // Only the names of ids present are written: unused trailing ids come back as generic names or not at all.
          const maxId = Math.max(...mesh.materialIds);
          expect(back.regionNames!.slice(0, maxId + 1).filter((_, i) => mesh.materialIds.includes(i))).toEqual(
            mesh.regionNames.slice(0, maxId + 1).filter((_, i) => mesh.materialIds.includes(i)),
          );
          back.regionNames = mesh.regionNames;
          expectSameMesh(back, mesh);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reports malformed files with MeshFormatError', () => {
    expect(() => readMsh('hello')).toThrow(/no \$MeshFormat/);
    expect(() => readMsh('$MeshFormat\n4.1 1 8\n$EndMeshFormat\n')).toThrow(/binary/);
    const text = writeMsh(boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' }));
    expect(text).toContain('\n3 1 5 1\n'); // the hex8 block header the next two edits rely on
    expect(() => readMsh(text.replace(/(\n3 1 5 1\n1 (\d+ ){7})\d+/, '$199'))).toThrow(/node tag 99/);
    expect(() => readMsh(text.replace('\n3 1 5 1\n', '\n3 1 6 1\n'))).toThrow(MeshFormatError);
  });
});

describe.skipIf(!hasGmsh)('msh with gmsh', () => {
  it.each(['hex8', 'tet4', 'tet10'] as const)('%s: gmsh reads our 4.1 file and re-saves it (4.1 and 2.2) unchanged', (cellType) => {
    const mesh = sample(cellType);
    const src = join(dir, `${cellType}.msh`);
    writeFileSync(src, writeMsh(mesh));
    // 4.1: gmsh keeps node and element tags, so the mesh comes back in the same order.
    const out41 = join(dir, `${cellType}.msh41.msh`);
    runGmsh([src, '-save', '-format', 'msh41', '-o', out41]);
    expectSameMesh(readMsh(readFileSync(out41, 'utf8')), mesh, true);
    // 2.2: gmsh renumbers elements (surface elements first), so compare cells and faces as sets of node tuples.
    const out22 = join(dir, `${cellType}.msh22.msh`);
    runGmsh([src, '-save', '-format', 'msh22', '-o', out22]);
    const back = readMsh(readFileSync(out22, 'utf8'));
    validateMesh(back);
    expect(back.nodes.length).toBe(mesh.nodes.length);
    expect(canonicalCells(back)).toEqual(canonicalCells(mesh));
    expect(back.regionNames).toEqual(mesh.regionNames);
    for (const k of Object.keys(mesh.faceSets)) {
      expect(canonicalFaces(back, k)).toEqual(canonicalFaces(mesh, k));
      expect([...back.nodeSets[k]]).toEqual([...mesh.nodeSets[k]].sort((a, b) => a - b));
    }
  });

  it('reads a tet4 mesh gmsh generated (msh 2.2): regions, names, face sets, volume', () => {
    const geo = join(dir, 'box.geo');
    writeFileSync(
      geo,
      'SetFactory("OpenCASCADE");\nBox(1) = {0, 0, 0, 1, 2, 3};\nMesh.MeshSizeMax = 0.6;\nPhysical Volume("block", 7) = {1};\nPhysical Surface("bottom", 3) = {5};\nPhysical Surface("left") = {1};\n',
    );
    const out = join(dir, 'box22.msh');
    runGmsh(['-3', geo, '-format', 'msh22', '-o', out]);
    const mesh = readMsh(readFileSync(out, 'utf8'));
    validateMesh(mesh);
    expect(mesh.cellType).toBe('tet4');
    expect(new Set(mesh.materialIds)).toEqual(new Set([6])); // physical tag 7 → id 6
    expect(mesh.regionNames?.[6]).toBe('block');
    expect(Object.keys(mesh.faceSets).sort()).toEqual(['bottom', 'left']);
    for (const n of mesh.nodeSets.bottom) expect(mesh.nodes[3 * n + 2]).toBe(0);
    for (const n of mesh.nodeSets.left) expect(mesh.nodes[3 * n]).toBe(0);
    // Gmsh tets are positively oriented in our convention; 1e-12: round-off.
    expect(meshQuality(mesh).overall.invertedCount).toBe(0);
    expect(enclosedVolume(boundaryTriangles(mesh))).toBeCloseTo(6, 12);
    // The face set's faces are boundary faces pointing out: their triangles sum to the face area 1·2.
    const bottom = mesh.faceSets.bottom;
    expect(bottom.cells.length).toBeGreaterThan(0);
  });

  it('reads a hex8 mesh gmsh generated (transfinite, msh 2.2)', () => {
    const geo = join(dir, 'hex.geo');
    writeFileSync(
      geo,
      'SetFactory("OpenCASCADE");\nBox(1) = {0, 0, 0, 1, 2, 3};\nTransfinite Curve{:} = 3;\nTransfinite Surface{:};\nRecombine Surface{:};\nTransfinite Volume{1};\nPhysical Volume("block") = {1};\nPhysical Surface("top") = {6};\n',
    );
    const out = join(dir, 'hex22.msh');
    runGmsh(['-3', geo, '-format', 'msh22', '-o', out]);
    const mesh = readMsh(readFileSync(out, 'utf8'));
    expect(mesh.cellType).toBe('hex8');
    expect(cellCount(mesh)).toBe(8);
    expect(mesh.faceSets.top.cells.length).toBe(4);
    const q = meshQuality(mesh).overall;
    // Axis-aligned boxes: SJ 1 up to round-off (1e-12).
    expect(q.minScaledJacobian).toBeCloseTo(1, 12);
    expect(enclosedVolume(boundaryTriangles(mesh))).toBeCloseTo(6, 12);
  });

  it('tet10 node order: gmsh second-order mid-side nodes land on our edge midpoints (msh 4.1 and 2.2)', () => {
    const geo = join(dir, 'box.geo');
    for (const format of ['msh41', 'msh22']) {
      const out = join(dir, `box-o2.${format}.msh`);
      runGmsh(['-3', '-order', '2', geo, '-format', format, '-o', out]);
      const mesh = readMsh(readFileSync(out, 'utf8'));
      expect(mesh.cellType).toBe('tet10');
      const edges = [
        [0, 1],
        [1, 2],
        [2, 0],
        [0, 3],
        [1, 3],
        [2, 3],
      ];
      let worst = 0;
      for (let c = 0; c < cellCount(mesh); c++)
        edges.forEach(([a, b], e) => {
          const m = mesh.cells[10 * c + 4 + e];
          for (let d = 0; d < 3; d++) {
            const mid = 0.5 * (mesh.nodes[3 * mesh.cells[10 * c + a] + d] + mesh.nodes[3 * mesh.cells[10 * c + b] + d]);
            worst = Math.max(worst, Math.abs(mesh.nodes[3 * m + d] - mid));
          }
        });
      // Planar box faces: gmsh puts mid-side nodes at edge midpoints up to its printed precision (~1e-16 relative).
      expect(worst).toBeLessThan(1e-12);
      expect(meshQuality(mesh).overall.invertedCount).toBe(0);
    }
  });
});

describe.skipIf(!hasMeshio)('msh read by meshio', () => {
  it.each([
    ['hex8', 'hexahedron'],
    ['tet4', 'tetra'],
    ['tet10', 'tetra10'],
  ] as const)('%s: meshio sees our nodes, connectivity (VTK order) and physical tags', (cellType, meshioType) => {
    const mesh = hollowCylinderMesh({ innerRadius: 1, outerRadius: 2, length: 1, radialDivisions: 2, circumferentialDivisions: 5, axialDivisions: 1, cellType });
    mesh.materialIds.forEach((_, c) => (mesh.materialIds[c] = c % 2));
    mesh.regionNames = ['annulus', 'ring'];
    const path = join(dir, `cyl-${cellType}.msh`);
    writeFileSync(path, writeMsh(mesh));
    const r = pythonJson(
      `
import sys, json, meshio
m = meshio.read(sys.argv[1])
vol = [(c.type, c.data.tolist(), m.cell_data["gmsh:physical"][i].tolist()) for i, c in enumerate(m.cells) if c.type == sys.argv[2]]
print(json.dumps({"points": m.points.ravel().tolist(), "vol": vol, "names": {k: v.tolist() for k, v in m.field_data.items()}}))`,
      [path, meshioType],
    ) as { points: number[]; vol: [string, number[][], number[]][]; names: Record<string, number[]> };
    expect(r.points).toEqual([...mesh.nodes]);
    // meshio lists one block per entity (material); put cells back by comparing with ours per material.
    const npc = mesh.cells.length / mesh.materialIds.length;
    const ours = new Map<number, number[][]>();
    for (let c = 0; c < mesh.materialIds.length; c++) {
      const tag = mesh.materialIds[c] + 1;
      (ours.get(tag) ?? ours.set(tag, []).get(tag)!).push([...mesh.cells.subarray(c * npc, (c + 1) * npc)]);
    }
    expect(r.vol.length).toBe(2);
    for (const [, conn, phys] of r.vol) expect(conn).toEqual(ours.get(phys[0]));
    expect(r.names.annulus).toEqual([1, 3]);
    expect(r.names.inner).toEqual([1, 2]);
  });
});
