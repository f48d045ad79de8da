import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hollowCylinderMesh, readVtu } from '@spinefea/mesh';
import { requireTool } from '../../../test-support/external-tools.js';
import { prepareModel, resultFields, resultsToVtu, type FeModel } from '@spinefea/core';

const PY = '/usr/bin/python3';
const HAVE_MESHIO = requireTool('python3-meshio', PY, ['-c', 'import meshio']);

// Lamé quarter cylinder, plane strain: a = 10, b = 20 mm, p = 10 MPa.
const a = 10, b = 20, p = 10, E = 1000, nu = 0.3;
const mesh = hollowCylinderMesh({ innerRadius: a, outerRadius: b, length: 2, radialDivisions: 8, circumferentialDivisions: 32, axialDivisions: 1, cellType: 'hex8', sweepAngleDeg: 90 });
const model: FeModel = {
  mesh,
  materials: [{ kind: 'isotropic', E, nu }],
  displacementBcs: [
    { nodes: 'theta0', components: [1] },
    { nodes: 'theta1', components: [0] },
    { nodes: 'zmin', components: [2] },
    { nodes: 'zmax', components: [2] },
  ],
};
const prepared = prepareModel(model);
const sol = prepared.solve({ pressures: [{ faces: 'inner', pressure: p }] }, { tolerance: 1e-10 });
const fields = resultFields(mesh, prepared.dMatrices, sol.displacement);

describe('stress recovery against Lamé', () => {
  it('hoop and radial stress at cell centres within 2 % of the closed form', () => {
    const k = (p * a * a) / (b * b - a * a);
    let worst = 0;
    const n = mesh.cells.length / 8;
    for (let c = 0; c < n; c++) {
      let x = 0, y = 0;
      for (let q = 0; q < 8; q++) {
        x += mesh.nodes[3 * mesh.cells[8 * c + q]] / 8;
        y += mesh.nodes[3 * mesh.cells[8 * c + q] + 1] / 8;
      }
      const r = Math.hypot(x, y);
      const [cs, sn] = [x / r, y / r];
      const s = fields.cellStress.subarray(6 * c, 6 * c + 6);
      // σθθ = sxx sin² − 2 sxy sin cos + syy cos²
      const hoop = s[0] * sn * sn - 2 * s[3] * sn * cs + s[1] * cs * cs;
      const exact = k * (1 + (b * b) / (r * r));
      worst = Math.max(worst, Math.abs(hoop - exact) / (k * (1 + (b * b) / (a * a))));
    }
    console.log(`[lamé] worst cell-mean hoop stress error ${(worst * 100).toFixed(3)} % of the peak`);
    // The cell mean of a 1/r² field differs from its value at the centroid by O(h²) ≈ 0.5 % at
    // 8 cells through the wall; 2 % covers that plus the discretisation error.
    expect(worst).toBeLessThan(0.02);
  });

  it('strain energy equals ½ uᵀ K u from the solve', () => {
    let e = 0;
    for (let i = 0; i < fields.samples.weights.length; i++) {
      for (let k = 0; k < 6; k++) e += 0.5 * fields.samples.stress[6 * i + k] * fields.samples.strain[6 * i + k] * fields.samples.weights[i];
    }
    // Same quadrature and B-bar strains as the stiffness: agreement to round-off.
    expect(Math.abs(e - sol.strainEnergy) / sol.strainEnergy).toBeLessThan(1e-10);
  });
});

describe('VTU output of results', () => {
  const text = resultsToVtu(mesh, sol.displacement, fields);
  it('reads back with our reader', () => {
    const r = readVtu(text);
    expect(r.nodes).toEqual(mesh.nodes);
    expect(Array.from(r.cells)).toEqual(Array.from(mesh.cells));
    expect(Array.from(r.pointData.displacement.values)).toEqual(Array.from(sol.displacement));
    expect(r.cellData.vonMises.values.length).toBe(mesh.cells.length / 8);
  });
  it.skipIf(!HAVE_MESHIO)('reads back with meshio (independent reader)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spinefea-vtu-'));
    const file = join(dir, 'lame.vtu');
    writeFileSync(file, text);
    const script = `
import meshio, json, numpy as np
m = meshio.read(${JSON.stringify(file)})
u = m.point_data['displacement']
vm = m.cell_data['vonMises'][0]
print(json.dumps({'points': int(m.points.shape[0]), 'cells': int(sum(len(c.data) for c in m.cells)), 'type': m.cells[0].type,
  'uSum': float(np.abs(u).sum()), 'uMax': float(np.abs(u).max()), 'vmMax': float(vm.max()), 'stressShape': list(m.point_data['stress'].shape)}))
`;
    const r = spawnSync(PY, ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.points).toBe(mesh.nodes.length / 3);
    expect(got.cells).toBe(mesh.cells.length / 8);
    expect(got.type).toBe('hexahedron');
    let uSum = 0, uMax = 0;
    for (const v of sol.displacement) {
      uSum += Math.abs(v);
      uMax = Math.max(uMax, Math.abs(v));
    }
    // Binary Float64 round trip: exact up to the summation order of numpy vs JS.
    expect(Math.abs(got.uSum - uSum) / uSum).toBeLessThan(1e-12);
    expect(got.uMax).toBe(uMax);
    expect(got.vmMax).toBe(Math.max(...fields.cellVonMises));
    expect(got.stressShape).toEqual([mesh.nodes.length / 3, 6]);
  });
});
