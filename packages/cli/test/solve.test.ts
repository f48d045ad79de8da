/**
 * `spinefea solve` end to end on a mesh file: the AMG preconditioner (the
 * default) against block-Jacobi, and a mesh of more than 150k cells (the
 * summary's peak von Mises once spread 150k values into Math.max and died
 * with a RangeError).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boxMesh, writeMsh } from '@spinefea/mesh';
import { solveCommand } from '../src/solve.js';
import { CliUsageError } from '../src/cli-error.js';

const dir = mkdtempSync(join(tmpdir(), 'spinefea-solve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tet4 block (z from 0 to 20 mm) as a .msh file and a job: bottom fixed, 1 N down on every top node. */
function writeCase(divisions: [number, number, number], name: string): { mesh: string; job: string } {
  const mesh = boxMesh({ size: [20, 20, 20], divisions, cellType: 'tet4' });
  const bottom: number[] = [];
  const top: number[] = [];
  for (let i = 0; i < mesh.nodes.length / 3; i++) {
    if (mesh.nodes[3 * i + 2] === 0) bottom.push(i);
    if (mesh.nodes[3 * i + 2] === 20) top.push(i);
  }
  const meshPath = join(dir, `${name}.msh`);
  writeFileSync(meshPath, writeMsh(mesh));
  const jobPath = join(dir, `${name}.json`);
  const job = {
    materials: [{ kind: 'isotropic', E: 1000, nu: 0.3 }],
    displacementBcs: [{ nodes: bottom }],
    loadCase: { nodalForces: [{ nodes: top, forces: top.flatMap(() => [0, 0, -1]) }] },
  };
  writeFileSync(jobPath, JSON.stringify(job));
  return { mesh: meshPath, job: jobPath };
}

interface Summary {
  cells: number;
  maxDisplacementMm: number;
  maxVonMisesMPa: number;
  solver: { converged: boolean; iterations: number };
}

async function solve(c: { mesh: string; job: string }, preconditioner: string, out: string): Promise<Summary> {
  const log = console.log;
  console.log = () => {};
  try {
    const rc = await solveCommand.run({ job: c.job, out: join(dir, out), preconditioner, tolerance: '1e-8' } as never, [c.mesh]);
    expect(rc).toBe(0);
  } finally {
    console.log = log;
  }
  const stem = c.mesh.split('/').pop()!.replace('.msh', '');
  return JSON.parse(readFileSync(join(dir, out, `${stem}-summary.json`), 'utf8')) as Summary;
}

describe('spinefea solve', () => {
  it('--preconditioner amg (the default) gives the block-Jacobi answer in fewer iterations', async () => {
    const c = writeCase([6, 6, 6], 'small');
    const amg = await solve(c, 'amg', 'amg');
    const bj = await solve(c, 'block-jacobi', 'bj');
    expect(amg.solver.converged && bj.solver.converged).toBe(true);
    expect(amg.solver.iterations).toBeLessThan(bj.solver.iterations);
    // both solves stop at ‖r‖/‖f‖ ≤ 1e-8; the condition number of this block is far below 1e4, so the answers agree to 1e-5
    expect(Math.abs(amg.maxDisplacementMm - bj.maxDisplacementMm)).toBeLessThan(1e-5 * bj.maxDisplacementMm);
    expect(Math.abs(amg.maxVonMisesMPa - bj.maxVonMisesMPa)).toBeLessThan(1e-5 * bj.maxVonMisesMPa);
  });

  it('rejects an unknown preconditioner', async () => {
    const c = writeCase([2, 2, 2], 'tiny');
    await expect(solve(c, 'multigrid', 'x')).rejects.toThrow(CliUsageError);
  });

  it('summarises a mesh of more than 150k cells', { timeout: 120_000 }, async () => {
    const c = writeCase([30, 30, 28], 'large');
    const s = await solve(c, 'amg', 'large');
    expect(s.cells).toBeGreaterThan(150_000);
    expect(s.solver.converged).toBe(true);
    expect(Number.isFinite(s.maxVonMisesMPa) && s.maxVonMisesMPa > 0).toBe(true);
  });
});
