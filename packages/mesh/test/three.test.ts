import { describe, it, expect } from 'vitest';
import { boxMesh, boundaryTriangles, cellCount } from '@spinefea/mesh';
import { toBufferGeometry, DEFAULT_REGION_COLORS } from '@spinefea/mesh/three';

function twoRegionBox() {
  const mesh = boxMesh({ size: [2, 1, 1], divisions: [2, 1, 1], cellType: 'tet4' });
  for (let c = 0; c < cellCount(mesh); c++) mesh.materialIds[c] = c < 6 ? 0 : 1; // hex 0 → region 0, hex 1 → region 1
  return boundaryTriangles(mesh, { byRegion: true });
}

describe('toBufferGeometry', () => {
  it('has position, unit outward normal and per-region colour attributes', () => {
    const s = twoRegionBox();
    const g = toBufferGeometry(s, { colors: { 1: [1, 0, 0] } });
    const pos = g.getAttribute('position');
    const nrm = g.getAttribute('normal');
    const col = g.getAttribute('color');
    expect(pos.itemSize).toBe(3);
    expect(nrm.count).toBe(pos.count);
    expect(col.count).toBe(pos.count);
    expect(g.getIndex()!.count).toBe(s.indices.length);
    // The 4 nodes of the interface x = 1 appear once per region: 12 surface nodes + 4 duplicates.
    expect(pos.count).toBe(s.positions.length / 3 + 4);
    const nodeIds = g.userData.nodeIds as Uint32Array;
    expect(nodeIds.length).toBe(pos.count);
    // Colours: the override for region 1, the default palette for region 0, decided per triangle.
    const index = g.getIndex()!;
    for (let t = 0; t < s.regionIds.length; t++) {
      const v = index.getX(3 * t);
      const want = s.regionIds[t] === 1 ? [1, 0, 0] : DEFAULT_REGION_COLORS[0];
      // float32 storage of the colour: 1e-6.
      for (let k = 0; k < 3; k++) expect(col.getComponent(v, k)).toBeCloseTo(want[k], 6);
    }
    // Normals are unit and point away from the owning region's centre (x = 0.5 or 1.5, y = z = 0.5).
    for (let v = 0; v < pos.count; v++) {
      const n = [nrm.getX(v), nrm.getY(v), nrm.getZ(v)];
      expect(Math.hypot(n[0], n[1], n[2])).toBeCloseTo(1, 6); // float32 normalisation
    }
    for (let t = 0; t < s.regionIds.length; t++) {
      const cx = s.regionIds[t] === 0 ? 0.5 : 1.5;
      for (let k = 0; k < 3; k++) {
        const v = index.getX(3 * t + k);
        const d = [pos.getX(v) - cx, pos.getY(v) - 0.5, pos.getZ(v) - 0.5];
        expect(d[0] * nrm.getX(v) + d[1] * nrm.getY(v) + d[2] * nrm.getZ(v)).toBeGreaterThan(0);
      }
    }
  });

  it('flat shading gives 3 vertices per triangle with face normals', () => {
    const s = twoRegionBox();
    const g = toBufferGeometry(s, { flat: true });
    expect(g.getAttribute('position').count).toBe(s.indices.length);
    const n = g.getAttribute('normal');
    // Every normal of a box face is an axis direction.
    for (let v = 0; v < n.count; v++) expect(Math.max(Math.abs(n.getX(v)), Math.abs(n.getY(v)), Math.abs(n.getZ(v)))).toBeCloseTo(1, 6);
  });
});
