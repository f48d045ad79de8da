import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildLumbarSegment, cellQuality, defaultImplants, defaultParameters, faceNeighbours, meshQuality, segmentToTets, validateMesh } from '@spinefea/mesh';

describe('tetrahedral lumbar segment (Kuhn split of the voxel mesh)', () => {
  it('every tet meets the stated guarantee: scaled Jacobian 1/√3, dihedral angles 45°–90°, conforming', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('L1', 'L2', 'L3', 'L4'),
        fc.double({ min: 0.9, max: 1.1, noNaN: true }),
        fc.boolean(),
        (level, scale, instrumented) => {
          const p = { ...defaultParameters(level), resolution: 2, globalScale: scale };
          const seg = buildLumbarSegment(instrumented ? { ...p, implants: defaultImplants(p) } : p);
          const { mesh, fibreDirections } = segmentToTets(seg);
          validateMesh(mesh);
          expect(mesh.materialIds.length).toBe(6 * seg.mesh.materialIds.length);
          expect(fibreDirections.length).toBe(3 * mesh.materialIds.length);
          const q = cellQuality(mesh);
          // Kuhn simplices of a cube: exact up to round-off of the voxel coordinates (1e-9).
          let minSj = Infinity, maxSj = -Infinity, minDih = Infinity, maxDih = -Infinity;
          for (let c = 0; c < q.scaledJacobian.length; c++) {
            minSj = Math.min(minSj, q.scaledJacobian[c]);
            maxSj = Math.max(maxSj, q.scaledJacobian[c]);
            minDih = Math.min(minDih, q.minDihedralDeg[c]);
            maxDih = Math.max(maxDih, q.maxDihedralDeg[c]);
          }
          expect(Math.abs(minSj - 1 / Math.sqrt(3))).toBeLessThan(1e-9);
          expect(Math.abs(maxSj - 1 / Math.sqrt(3))).toBeLessThan(1e-9);
          expect(minDih).toBeGreaterThan(45 - 1e-6);
          expect(maxDih).toBeLessThan(90 + 1e-6);
          // conforming: faceNeighbours throws if a face is shared by more than two cells
          faceNeighbours(mesh);
        },
      ),
      { numRuns: 4 },
    );
  });

  it('tet10 keeps the corners and adds shared mid-side nodes; the quality report has no inverted cell', () => {
    const seg = buildLumbarSegment({ ...defaultParameters('L4'), resolution: 2 });
    const { mesh } = segmentToTets(seg, true);
    expect(mesh.cellType).toBe('tet10');
    expect(mesh.nodes.subarray(0, seg.mesh.nodes.length)).toEqual(seg.mesh.nodes);
    const report = meshQuality(mesh);
    console.log(`[tet-segment] L4–L5 2 mm: ${mesh.materialIds.length} tet10, ${mesh.nodes.length / 3} nodes, min scaled Jacobian ${report.overall.minScaledJacobian.toFixed(3)}, dihedral ${report.overall.minDihedralDeg.toFixed(1)}–${report.overall.maxDihedralDeg.toFixed(1)}°`);
    expect(report.overall.invertedCount).toBe(0);
  });
});
