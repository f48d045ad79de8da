import { describe, it, expect } from 'vitest';
import { boxMesh, validateMesh, InvalidMeshError, type Mesh } from '@spinefea/mesh';

const good = (): Mesh => boxMesh({ size: [1, 1, 1], divisions: [2, 1, 1], cellType: 'hex8' });

function expectInvalid(mesh: Mesh, message: RegExp): void {
  let err: unknown;
  try {
    validateMesh(mesh);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InvalidMeshError);
  expect((err as InvalidMeshError).code).toBe('INVALID_MESH');
  expect((err as Error).message).toMatch(message);
}

describe('validateMesh', () => {
  it('accepts generated meshes of every type', () => {
    for (const cellType of ['hex8', 'tet4', 'tet10'] as const)
      expect(() => validateMesh(boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType }))).not.toThrow();
  });

  it('nodes length not a multiple of 3', () => {
    const m = good();
    m.nodes = m.nodes.subarray(0, m.nodes.length - 1);
    expectInvalid(m, /nodes\.length 35 is not a multiple of 3/);
  });

  it('non-finite coordinate names node and axis', () => {
    const m = good();
    m.nodes[3 * 4 + 1] = NaN;
    expectInvalid(m, /node 4 has a non-finite y coordinate/);
    m.nodes[3 * 4 + 1] = 0;
    m.nodes[3 * 7 + 2] = Infinity;
    expectInvalid(m, /node 7 has a non-finite z coordinate/);
  });

  it('cells length not a multiple of nodesPerCell', () => {
    const m = good();
    m.cells = m.cells.subarray(0, 13);
    expectInvalid(m, /cells\.length 13 is not a multiple of 8/);
  });

  it('node index out of range names the cell', () => {
    const m = good();
    m.cells[8 + 5] = 99;
    expectInvalid(m, /cell 1 local node 5 refers to node 99/);
  });

  it('materialIds length mismatch', () => {
    const m = good();
    m.materialIds = new Uint16Array(3);
    expectInvalid(m, /materialIds\.length 3 ≠ cell count 2/);
  });

  it('node set and face set out of range name the set', () => {
    let m = good();
    m.nodeSets.xmin[2] = 1000;
    expectInvalid(m, /node set "xmin" entry 2 is node 1000/);
    m = good();
    m.faceSets.zmax.cells[1] = 5;
    expectInvalid(m, /face set "zmax" entry 1 is cell 5/);
    m = good();
    m.faceSets.zmax.faces[0] = 6;
    expectInvalid(m, /face set "zmax" entry 0 is local face 6/);
    m = good();
    m.faceSets.zmax = { cells: new Uint32Array(2), faces: new Uint8Array(1) };
    expectInvalid(m, /face set "zmax" has 2 cells but 1 faces/);
  });

  it('wrong array types and unknown cell type', () => {
    const m = good();
    (m as { nodes: unknown }).nodes = [0, 0, 0];
    expectInvalid(m, /Float64Array/);
    const t = good();
    (t as { cellType: string }).cellType = 'wedge6';
    expectInvalid(t, /unknown cellType wedge6/);
  });
});
