/**
 * The bone/disc/bone contrast block of the multigrid tests: a 40 × 40 × 30 mm
 * hex8 box in three z layers, cortical-bone-like (E 12 GPa, ν 0.3) outside and
 * annulus-like (E 4.2 MPa, ν 0.45) in the middle; bottom face fixed.
 */
import { boxMesh, type Mesh } from '@spinefea/mesh';
import type { FeModel } from '@spinefea/core';

export function contrastModel(nx: number, ny: number, nz: number): FeModel {
  const mesh: Mesh = boxMesh({ size: [40, 40, 30], divisions: [nx, ny, nz], cellType: 'hex8' });
  for (let c = 0; c < mesh.materialIds.length; c++) {
    const kz = Math.floor(c / (nx * ny));
    mesh.materialIds[c] = 3 * kz >= nz && 3 * kz < 2 * nz ? 1 : 0;
  }
  return {
    mesh,
    materials: [
      { kind: 'isotropic', E: 12000, nu: 0.3 },
      { kind: 'isotropic', E: 4.2, nu: 0.45 },
    ],
    displacementBcs: [{ nodes: 'zmin' }],
  };
}
