import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  boxMesh,
  hexToTet,
  cellQuality,
  cornerScaledJacobian,
  meshQuality,
  qualityTable,
  distortionJacobianBound,
  hollowCylinderMesh,
  tet4ToTet10,
  type Mesh,
} from '@spinefea/mesh';

const EQUILATERAL = [0, 0, 0, 1, 0, 0, 0.5, Math.sqrt(3) / 2, 0, 0.5, Math.sqrt(3) / 6, Math.sqrt(2 / 3)];

function single(cellType: Mesh['cellType'], coords: number[], cells: number[]): Mesh {
  return {
    nodes: new Float64Array(coords),
    cells: new Uint32Array(cells),
    cellType,
    materialIds: new Uint16Array(1),
    nodeSets: {},
    faceSets: {},
  };
}

describe('cell quality on known shapes', () => {
  it('unit cube: scaled Jacobian 1, aspect ratio 1, all dihedral angles 90°', () => {
    const q = cellQuality(boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' }));
    // 1e-14: round-off of normalised dot/cross products.
    expect(q.scaledJacobian[0]).toBeCloseTo(1, 14);
    expect(q.aspectRatio[0]).toBe(1);
    expect(q.minDihedralDeg[0]).toBeCloseTo(90, 10);
    expect(q.maxDihedralDeg[0]).toBeCloseTo(90, 10);
  });

  it('stretched box: SJ stays 1, aspect ratio = longest/shortest', () => {
    const q = cellQuality(boxMesh({ size: [5, 1, 2], divisions: [1, 1, 1], cellType: 'hex8' }));
    expect(q.scaledJacobian[0]).toBeCloseTo(1, 14); // round-off only
    expect(q.aspectRatio[0]).toBe(5);
  });

  it('equilateral tet: SJ 1, aspect 1, dihedral acos(1/3)', () => {
    const q = cellQuality(single('tet4', EQUILATERAL, [0, 1, 2, 3]));
    // 1e-12: the coordinates carry sqrt round-off.
    expect(q.scaledJacobian[0]).toBeCloseTo(1, 12);
    expect(q.aspectRatio[0]).toBeCloseTo(1, 12);
    const dihedral = (Math.acos(1 / 3) * 180) / Math.PI;
    expect(q.minDihedralDeg[0]).toBeCloseTo(dihedral, 10);
    expect(q.maxDihedralDeg[0]).toBeCloseTo(dihedral, 10);
  });

  it('Kuhn tets of a cube: SJ 1/√3, aspect √3, dihedrals 45°..90°', () => {
    const q = cellQuality(hexToTet(boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' })));
    for (let c = 0; c < 6; c++) {
      // 6V = 1, max edge product at a corner = 1·√2·√3 ⇒ SJ = √2/√6 = 1/√3.
      expect(q.scaledJacobian[c]).toBeCloseTo(1 / Math.sqrt(3), 12);
      expect(q.aspectRatio[c]).toBeCloseTo(Math.sqrt(3), 12);
      expect(q.minDihedralDeg[c]).toBeCloseTo(45, 10);
      expect(q.maxDihedralDeg[c]).toBeCloseTo(90, 10);
    }
  });

  it('inverted cells have negative scaled Jacobian and are counted', () => {
    // Swap two nodes → mirror image.
    const tet = single('tet4', EQUILATERAL, [0, 2, 1, 3]);
    expect(cellQuality(tet).scaledJacobian[0]).toBeCloseTo(-1, 12);
    const hex = boxMesh({ size: [1, 1, 1], divisions: [1, 1, 1], cellType: 'hex8' });
    hex.nodes[3 * 6 + 2] = -0.5; // pull top corner 6 below the bottom face
    const r = meshQuality(hex);
    expect(r.overall.minScaledJacobian).toBeLessThan(0);
    expect(r.overall.invertedCount).toBe(1);
    expect(r.overall.worstCell).toBe(0);
    // Degenerate (flat) tet: SJ exactly 0 → counted.
    const flat = single('tet4', [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0], [0, 1, 2, 3]);
    expect(meshQuality(flat).overall.invertedCount).toBe(1);
  });

  it('tet10: straight-sided = corner SJ; bent mid-side node lowers it; folded is negative', () => {
    const t10 = tet4ToTet10({ ...single('tet4', EQUILATERAL, [0, 1, 2, 3]) });
    // 1e-12: sqrt round-off in the coordinates.
    expect(cellQuality(t10).scaledJacobian[0]).toBeCloseTo(1, 12);
    const bent = { ...t10, nodes: t10.nodes.slice() };
    const m = t10.cells[4]; // mid-side node of edge 0–1
    bent.nodes[3 * m + 1] += 0.1;
    const sjBent = cellQuality(bent).scaledJacobian[0];
    expect(sjBent).toBeLessThan(1);
    expect(sjBent).toBeGreaterThan(0);
    // Moving the mid-side node past the quarter point folds the map at corner 0 (det J ∝ 4·t − 1 along the edge).
    const folded = { ...t10, nodes: t10.nodes.slice() };
    folded.nodes[3 * m] = 0.2;
    expect(cellQuality(folded).scaledJacobian[0]).toBeLessThan(0);
  });

  it('cornerScaledJacobian agrees with cellQuality for hexes', () => {
    const mesh = boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'hex8', distortion: 0.2 });
    const q = cellQuality(mesh);
    const xe = new Float64Array(24);
    for (let c = 0; c < 8; c++) {
      for (let a = 0; a < 8; a++) for (let d = 0; d < 3; d++) xe[3 * a + d] = mesh.nodes[3 * mesh.cells[8 * c + a] + d];
      expect(cornerScaledJacobian('hex8', xe)).toBe(q.scaledJacobian[c]);
    }
  });
});

describe('meshQuality report', () => {
  it('groups by region name, falls back to "region <id>", and prints a table', () => {
    const mesh = boxMesh({ size: [2, 1, 1], divisions: [2, 1, 1], cellType: 'hex8' });
    mesh.materialIds[1] = 3;
    mesh.nodes[3 * 1] = 1.2; // shift shared nodes → both cells distorted differently
    let r = meshQuality(mesh);
    expect(Object.keys(r.perRegion)).toEqual(['region 0', 'region 3']);
    expect(r.perRegion['region 0'].cells).toBe(1);
    expect(r.overall.cells).toBe(2);
    expect(r.overall.maxAspectRatio).toBe(Math.max(r.perRegion['region 0'].maxAspectRatio, r.perRegion['region 3'].maxAspectRatio));
    mesh.regionNames = ['L4', undefined as never, undefined as never, 'disc'];
    r = meshQuality(mesh);
    expect(Object.keys(r.perRegion)).toEqual(['L4', 'disc']);
    const table = qualityTable(r);
    expect(table.split('\n')).toHaveLength(5); // header, rule, 2 regions, overall
    expect(table).toMatch(/^L4\s+1\s/m);
    expect(table).toMatch(/^overall\s+2\s/m);
  });

  it('a Lamé quarter cylinder mesh has no inverted cells', () => {
    const mesh = hollowCylinderMesh({
      innerRadius: 10, outerRadius: 20, length: 5, radialDivisions: 4, circumferentialDivisions: 8, axialDivisions: 2, cellType: 'tet10', sweepAngleDeg: 90,
    });
    const r = meshQuality(mesh);
    expect(r.overall.invertedCount).toBe(0);
    expect(r.overall.minScaledJacobian).toBeGreaterThan(0.2); // Kuhn tets of near-cubic cells are ≈ 1/√3 ≈ 0.58; 0.2 leaves room for the wedge shape
  });
});

describe('property: distorted boxes', () => {
  it('no inverted cells and SJ above the bound derived from the distortion (hex and tets)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: 0.5, max: 3, noNaN: true }), fc.double({ min: 0.5, max: 3, noNaN: true }), fc.double({ min: 0.5, max: 3, noNaN: true })),
        fc.tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 4 })),
        fc.double({ min: 0, max: 0.27, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        (size, div, d, seed) => {
          const hexMesh = boxMesh({ size, divisions: div, cellType: 'hex8', distortion: d, seed });
          const bound = distortionJacobianBound(d);
          const hq = meshQuality(hexMesh).overall;
          // Hex corners: det of unit edges ≥ (1 − √3·η)³ (see distortionJacobianBound); 1e-12: round-off.
          if (!(hq.invertedCount === 0 && hq.minScaledJacobian >= bound - 1e-12)) return false;
          // Tets: 6V ≥ bound·ΠL_k over the Kuhn path edges L_k ≥ h_k − 2d·h_min, and every tet edge is a
          // sum of ≤ 3 path edges, so each corner edge product ≤ (Σ_k h_k + 6d·h_min)³, hence
          // SJ ≥ √2·bound·Π(h_k − 2d·h_min) / (Σh + 6d·h_min)³.
          const h = size.map((s, i) => s / div[i]);
          const hmin = Math.min(...h);
          const tetBound =
            (Math.SQRT2 * bound * h.reduce((p, hk) => p * (hk - 2 * d * hmin), 1)) / (h[0] + h[1] + h[2] + 6 * d * hmin) ** 3;
          const tq = meshQuality(hexToTet(hexMesh)).overall;
          return tq.invertedCount === 0 && tq.minScaledJacobian >= tetBound - 1e-12;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the bound is 1 without distortion and decreases with it', () => {
    expect(distortionJacobianBound(0)).toBe(1);
    expect(distortionJacobianBound(0.1)).toBeLessThan(1);
    expect(distortionJacobianBound(0.2)).toBeLessThan(distortionJacobianBound(0.1));
    expect(distortionJacobianBound(0.3)).toBe(-Infinity);
  });
});
