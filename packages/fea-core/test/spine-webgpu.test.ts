/**
 * One whole spine load case through `backend: 'webgpu'`: the default L4–L5 segment
 * (2 mm, 54,714 free DOFs) in flexion, ligament and facet active sets included, solved
 * by the WGSL kernels (AMG V-cycle on the device, f64 refinement) and compared with the
 * CPU analysis. Runs on any adapter Dawn finds — lavapipe in CI (required under CI=true).
 * ≈ 50 s of CPU on lavapipe (every active-set pass re-uploads and rebuilds the hierarchy).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildLumbarSegment, defaultParameters } from '@spinefea/mesh';
import { analyzeSpineAsync, buildSpineFeModel } from '@spinefea/core';
import { closeDeviceThreads } from '../src/backend/solve-with-backend.js';
import { webgpuTestKernels } from './support/device-backends.js';

const probe = await webgpuTestKernels();
const haveAdapter = typeof probe !== 'string';
if (haveAdapter) probe.dispose();
else console.warn(`skipping the WebGPU spine case: ${probe}`);

afterAll(() => closeDeviceThreads());

describe('spine load case on WebGPU', () => {
  it.skipIf(!haveAdapter)('flexion at 7.5 N·m: the same clinical figures as the CPU, solved on the device', { timeout: 400_000 }, async () => {
    const spine = buildSpineFeModel(buildLumbarSegment({ ...defaultParameters('L4'), resolution: 2 }));
    const options = { motions: ['flexion' as const], compressionN: 0 };
    const cpu = (await analyzeSpineAsync(spine, options)).cases[0];
    const gpu = (await analyzeSpineAsync(spine, { ...options, backend: 'webgpu' })).cases[0];
    const r = gpu.solver.backend!;
    expect(r).toMatchObject({ requested: 'webgpu', used: 'webgpu', inner: 'amg' });
    expect(r.fallback).toBeUndefined();
    expect(gpu.solver.converged).toBe(true);
    expect(gpu.solver.relativeResidual).toBeLessThanOrEqual(1e-8);
    // the same active sets (both solves meet 1e-8; a switched cell or spring would move the figures by %)
    expect(gpu.solver.openFacetCells).toBe(cpu.solver.openFacetCells);
    expect(gpu.solver.ligamentActiveSetIterations).toBe(cpu.solver.ligamentActiveSetIterations);
    // Figures from displacements that both meet ‖f − K·u‖ ≤ 1e-8‖f‖: measured 5e-8 (ROM) and
    // 7e-7 (IDP) relative apart on lavapipe; 1e-5 leaves room for the order of f32 sums on other
    // adapters and still fails for any real error (a wrong kernel changes them by ≥ 1e-3).
    expect(Math.abs(gpu.romDeg - cpu.romDeg)).toBeLessThanOrEqual(1e-5 * Math.abs(cpu.romDeg));
    expect(Math.abs(gpu.idpMPa - cpu.idpMPa)).toBeLessThanOrEqual(1e-5 * Math.abs(cpu.idpMPa));
    expect(Math.abs((gpu.loadDistributionEfficiency ?? NaN) - (cpu.loadDistributionEfficiency ?? NaN))).toBeLessThanOrEqual(1e-5);
    console.log(
      `[spine-webgpu] flexion ${cpu.romDeg.toFixed(6)}° CPU vs ${gpu.romDeg.toFixed(6)}° ${r.adapter}; ` +
        `IDP ${cpu.idpMPa.toExponential(6)} vs ${gpu.idpMPa.toExponential(6)} MPa; last system: ${r.innerIterations} f32 AMG iterations, ${r.refinementSteps} refinements; ` +
        `${(gpu.solver.timeMs / 1000).toFixed(1)} s (CPU ${(cpu.solver.timeMs / 1000).toFixed(1)} s)`,
    );
  });
});
