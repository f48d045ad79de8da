import { describe, it, expect } from 'vitest';
import { buildLumbarSegment, defaultImplants, defaultParameters } from '@spinefea/mesh';
import { analyzeSpine, buildSpineFeModel } from '../src/index.js';

describe('spine analysis on the body-fitted segment (refinement 1)', () => {
  it('solves intact and instrumented models; left and right lateral bending and axial rotation agree', () => {
    const p = { ...defaultParameters('L4'), mesher: 'body-fitted' as const, refinement: 1 };
    const intact = analyzeSpine(buildSpineFeModel(buildLumbarSegment(p)), {
      motions: ['lateralBendingLeft', 'lateralBendingRight', 'axialRotationLeft', 'axialRotationRight'],
      compressionN: 0,
    });
    const rom = Object.fromEntries(intact.cases.map((c) => [c.motion, c.romDeg]));
    for (const c of intact.cases) expect(c.solver.converged, c.motion).toBe(true);
    // the mesh is mirror-symmetric (mesh test), so only round-off and the solver tolerance
    // (1e-8) separate the sides; the issue asks for 0.5 %
    expect(Math.abs(rom.lateralBendingLeft - rom.lateralBendingRight) / rom.lateralBendingLeft).toBeLessThan(1e-3);
    expect(Math.abs(rom.axialRotationLeft - rom.axialRotationRight) / rom.axialRotationLeft).toBeLessThan(1e-3);
    expect(rom.lateralBendingLeft).toBeGreaterThan(0.5);

    const q = { ...p, implants: { screws: defaultImplants(p).screws, rods: defaultImplants(p).rods } };
    const fixed = analyzeSpine(buildSpineFeModel(buildLumbarSegment(q)), { motions: ['lateralBendingLeft'], compressionN: 0 });
    const lb = fixed.cases[0];
    expect(lb.solver.converged).toBe(true);
    // screws + rods stiffen the segment (in vitro: large ROM reductions) and carry stress
    expect(lb.romDeg).toBeLessThan(0.7 * rom.lateralBendingLeft);
    expect(lb.implantVonMisesPeakMPa!).toBeGreaterThan(1);
  });
});
