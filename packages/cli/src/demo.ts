import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxMesh, hollowCylinderMesh } from '@spinefea/mesh';
import { prepareModel, resultFields, resultsToVtu, type FeModel } from '@spinefea/core';
import type { Command } from './commands.js';

/**
 * `spinefea demo`: two verified solves (cantilever vs Timoshenko beam theory,
 * Lamé cylinder vs the closed form) with their errors, written to `out/`.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'solve two verification problems (cantilever, Lamé cylinder) and compare with theory',
  usage: 'spinefea demo [--out out]',
  options: { out: { type: 'string', default: 'out', description: 'output folder (default out)' } as never },
  async run(values) {
    const out = String(values.out ?? 'out');
    mkdirSync(out, { recursive: true });
    const rows: string[][] = [];

    // Cantilever 100×10×10 mm, E = 100 GPa, tip load 100 N.
    const L = 100, h = 10, E = 1e5, nu = 0.3, P = 100;
    const beam = boxMesh({ size: [L, h, h], divisions: [20, 2, 2], cellType: 'tet10' });
    const beamModel: FeModel = { mesh: beam, materials: [{ kind: 'isotropic', E, nu }], displacementBcs: [{ nodes: 'xmin' }] };
    const pb = prepareModel(beamModel);
    const sb = pb.solve({ tractions: [{ faces: 'xmax', traction: [0, 0, -P / (h * h)] }] });
    let tip = 0;
    for (const n of beam.nodeSets.xmax) tip -= sb.displacement[3 * n + 2] / beam.nodeSets.xmax.length;
    const I = h ** 4 / 12;
    const exactTip = (P * L ** 3) / (3 * E * I) + (P * L) / ((5 / 6) * (E / (2 * (1 + nu))) * h * h);
    rows.push(['cantilever tip deflection (mm)', tip.toFixed(5), exactTip.toFixed(5), pct(tip, exactTip), `${sb.solver.iterations}`]);
    const fb = resultFields(beam, pb.dMatrices, sb.displacement);
    writeFileSync(join(out, 'cantilever.vtu'), resultsToVtu(beam, sb.displacement, fb));

    // Lamé quarter cylinder a = 10, b = 20 mm, p = 10 MPa, plane strain.
    const a = 10, b = 20, p = 10, Ec = 1000, nuc = 0.3;
    const cyl = hollowCylinderMesh({ innerRadius: a, outerRadius: b, length: 2, radialDivisions: 8, circumferentialDivisions: 32, axialDivisions: 1, cellType: 'hex8', sweepAngleDeg: 90 });
    const cylModel: FeModel = {
      mesh: cyl,
      materials: [{ kind: 'isotropic', E: Ec, nu: nuc }],
      displacementBcs: [
        { nodes: 'theta0', components: [1] },
        { nodes: 'theta1', components: [0] },
        { nodes: 'zmin', components: [2] },
        { nodes: 'zmax', components: [2] },
      ],
    };
    const pc = prepareModel(cylModel);
    const sc = pc.solve({ pressures: [{ faces: 'inner', pressure: p }] });
    const n0 = cyl.nodeSets.inner[0];
    const x = cyl.nodes[3 * n0], y = cyl.nodes[3 * n0 + 1];
    const ur = (sc.displacement[3 * n0] * x + sc.displacement[3 * n0 + 1] * y) / Math.hypot(x, y);
    const exactUr = ((1 + nuc) / Ec) * ((p * a * a) / (b * b - a * a)) * ((1 - 2 * nuc) * a + (b * b) / a);
    rows.push(['Lamé inner radial displacement (mm)', ur.toFixed(5), exactUr.toFixed(5), pct(ur, exactUr), `${sc.solver.iterations}`]);
    const fc = resultFields(cyl, pc.dMatrices, sc.displacement);
    writeFileSync(join(out, 'lame-cylinder.vtu'), resultsToVtu(cyl, sc.displacement, fc));

    const head = ['quantity', 'spinefea', 'theory', 'error', 'CG iterations'];
    const w = head.map((hd, i) => Math.max(hd.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(w[i])).join(' | ') + ' |';
    console.log([line(head), '|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|', ...rows.map(line)].join('\n'));
    writeFileSync(join(out, 'demo.json'), JSON.stringify({ rows: rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]]))) }, null, 2));
    console.log(`\nwrote ${join(out, 'cantilever.vtu')}, ${join(out, 'lame-cylinder.vtu')}, ${join(out, 'demo.json')}`);
    return 0;
  },
};

function pct(v: number, ref: number): string {
  return `${(((v - ref) / ref) * 100).toFixed(2)} %`;
}
