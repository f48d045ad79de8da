/**
 * SA-AMG vs Jacobi vs nodal block-Jacobi as PCG preconditioners on the
 * bone/disc/bone contrast problem.
 *
 * Problem: a 40 × 40 × 30 mm hex8 block of n × n × n cells split in z into
 * three equal layers: cortical bone (E 12000 MPa, ν 0.3), an annulus-like
 * disc layer (E 4.2 MPa, ν 0.45; `--disc-E`, `--disc-nu` to change it, e.g.
 * nucleus 1 / 0.499), bone again. Face zmin fixed, face zmax loaded by a
 * uniform traction (0.3, 0, −1) MPa (compression with shear). n = 69 gives
 * 1,014,300 free DOFs.
 *
 * For each size: assemble and reduce once (`prepareModel` with no
 * preconditioner), then for each preconditioner time its setup and a PCG
 * solve to a relative residual of 1e-8 on the same reduced system, with the
 * same SpMV (`csrOperator`, what `prepareModel` uses). Reported: iterations,
 * setup / solve / total time, the AMG hierarchy (levels, operator and grid
 * complexity, memory) and the maximum relative difference of the AMG
 * solution from the Jacobi one.
 *
 * Run: `cd /work/main && node --max-old-space-size=16000 --conditions=@spinefea/source --import tsx packages/benchmarks/src/amg-vs-jacobi.ts [--sizes 20,40,69] [--quick] [--disc-E 4.2] [--disc-nu 0.45] [--degree 2] [--no-write]`
 *   --quick     sizes 10,16 (smoke test)
 *   --no-write  do not overwrite results/amg-vs-jacobi.{json,md}
 *   --merge     keep the sizes already in results/amg-vs-jacobi.json that this run does
 *               not measure (so the 1M case can run on its own, under 10 minutes)
 *   --skip-block-jacobi-above N  skip nodal block-Jacobi above N DOFs (it needs as many
 *               iterations as Jacobi on this problem and would double the run time)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxMesh } from '@spinefea/mesh';
import { prepareModel, type FeModel, type LoadCase } from '@spinefea/core';
import { csrOperator, type Preconditioner } from '@spinefea/core/linalg';
import { elasticityAmgFactory, jacobiPreconditioner, nodalBlockJacobiPreconditioner, pcg, type AmgPreconditioner } from '@spinefea/core/solvers';
import { RESULTS_DIR, commandLine, fmt, intListFlag, log, machineInfo, markdownTable, numberFlag, parseFlags, rssMiB, writeResults } from './common.js';

const TOLERANCE = 1e-8;

/** One preconditioner's figures at one size. */
interface Run {
  preconditioner: string;
  iterations: number;
  converged: boolean;
  relativeResidual: number;
  setupMs: number;
  solveMs: number;
  totalMs: number;
  msPerIteration: number;
  /** Bytes held by the preconditioner (AMG hierarchy; diagonal / blocks for Jacobi). */
  preconditionerBytes: number;
  /** max |u − u_Jacobi| / max |u_Jacobi|. */
  differenceFromJacobi?: number;
}

/** Figures at one mesh size. */
interface SizeResult {
  cells: number;
  dofs: number;
  nnz: number;
  matrixBytes: number;
  assembleMs: number;
  runs: Run[];
  amg: {
    levels: { rows: number; nnz: number; blocks: number }[];
    operatorComplexity: number;
    gridComplexity: number;
    setupPhasesMs: Record<string, number>;
    describe: string;
  };
  rssMiB: number;
}

function contrastModel(n: number, discE: number, discNu: number): FeModel {
  const mesh = boxMesh({ size: [40, 40, 30], divisions: [n, n, n], cellType: 'hex8' });
  for (let c = 0; c < mesh.materialIds.length; c++) {
    const kz = Math.floor(c / (n * n));
    mesh.materialIds[c] = 3 * kz >= n && 3 * kz < 2 * n ? 1 : 0;
  }
  return {
    mesh,
    materials: [
      { kind: 'isotropic', E: 12000, nu: 0.3 },
      { kind: 'isotropic', E: discE, nu: discNu },
    ],
    displacementBcs: [{ nodes: 'zmin' }],
  };
}

/** Node blocks of the reduced system (consecutive free DOFs of one node). */
function nodalBlocks(freeToFull: Uint32Array): Uint32Array {
  const ptr = [0];
  for (let r = 1; r < freeToFull.length; r++) if (Math.floor(freeToFull[r] / 3) !== Math.floor(freeToFull[r - 1] / 3)) ptr.push(r);
  ptr.push(freeToFull.length);
  return Uint32Array.from(ptr);
}

function main(): void {
  const flags = parseFlags();
  const sizes = flags.quick ? [10, 16] : intListFlag(flags, 'sizes', [24, 44, 69]);
  const discE = numberFlag(flags, 'disc-E', 4.2);
  const discNu = numberFlag(flags, 'disc-nu', 0.45);
  const degree = numberFlag(flags, 'degree', 2);
  const skipBlockAbove = numberFlag(flags, 'skip-block-jacobi-above', Infinity);
  const machine = machineInfo();
  const results: SizeResult[] = [];
  const commands: string[] = [commandLine()];
  if (flags.merge) {
    const file = join(RESULTS_DIR, 'amg-vs-jacobi.json');
    if (existsSync(file)) {
      const old = JSON.parse(readFileSync(file, 'utf8')) as { command: string; data: { sizes: SizeResult[] } };
      const keep = old.data.sizes.filter((r) => !sizes.some((n) => n * n * n === r.cells));
      results.push(...keep);
      if (keep.length) commands.unshift(...old.command.split(' && '));
    }
  }
  const loadCase: LoadCase = { tractions: [{ faces: 'zmax', traction: [0.3, 0, -1] }] };

  for (const n of sizes) {
    log(`n = ${n}: assembling ${n}³ hex8`);
    const model = contrastModel(n, discE, discNu);
    const t0 = performance.now();
    const prepared = prepareModel(model, { preconditioner: 'none' });
    const assembleMs = performance.now() - t0;
    const tr = prepared.transform;
    const { matrix: K, rhs: fr } = prepared.reducedSystem(loadCase);
    const blockPtr = nodalBlocks(tr.freeToFull);
    const op = csrOperator(K);
    const nnz = K.rowPtr[K.rows];
    log(`  ${fmt(K.rows)} DOFs, ${fmt(nnz)} nonzeros (prepare ${fmt(assembleMs)} ms)`);
    const runs: Run[] = [];
    let uJacobi: Float64Array | undefined;
    let amg: AmgPreconditioner | undefined;
    const cases: [string, () => { M: Preconditioner; bytes: number }][] = [
      ['Jacobi', () => ({ M: jacobiPreconditioner(K), bytes: 8 * K.rows })],
      ['nodal block-Jacobi', () => ({ M: nodalBlockJacobiPreconditioner(K, blockPtr), bytes: 8 * 9 * (blockPtr.length - 1) })],
      [
        'SA-AMG (6 rigid modes)',
        () => {
          amg = elasticityAmgFactory(model.mesh.nodes, tr, { chebyshevDegree: degree })(K, blockPtr);
          return { M: amg, bytes: amg.memoryBytes };
        },
      ],
    ];
    for (const [name, make] of cases) {
      if (name === 'nodal block-Jacobi' && K.rows > skipBlockAbove) {
        log(`  ${name}: skipped (--skip-block-jacobi-above ${skipBlockAbove})`);
        continue;
      }
      log(`  ${name}: setup`);
      const s0 = performance.now();
      const { M, bytes } = make();
      const setupMs = performance.now() - s0;
      log(`  ${name}: setup ${fmt(setupMs)} ms, solving`);
      const sol = pcg(op, fr, { preconditioner: M, tolerance: TOLERANCE, maxIterations: 50_000, allowNotConverged: true });
      const run: Run = {
        preconditioner: name,
        iterations: sol.iterations,
        converged: sol.converged,
        relativeResidual: sol.relativeResidual,
        setupMs,
        solveMs: sol.timeMs,
        totalMs: setupMs + sol.timeMs,
        msPerIteration: sol.timeMs / Math.max(1, sol.iterations),
        preconditionerBytes: bytes,
      };
      if (!uJacobi) uJacobi = sol.x;
      else {
        let d = 0;
        let r = 0;
        for (let i = 0; i < sol.x.length; i++) {
          d = Math.max(d, Math.abs(sol.x[i] - uJacobi[i]));
          r = Math.max(r, Math.abs(uJacobi[i]));
        }
        run.differenceFromJacobi = d / r;
      }
      runs.push(run);
      log(`  ${name}: ${sol.iterations} iterations, solve ${fmt(sol.timeMs)} ms (${sol.reason})`);
    }
    const a = amg!;
    log(`  AMG hierarchy:\n${a.describe()}`);
    results.push({
      cells: n * n * n,
      dofs: K.rows,
      nnz,
      matrixBytes: K.rowPtr.byteLength + K.colIdx.byteLength + K.values.byteLength,
      assembleMs,
      runs,
      amg: {
        levels: a.levels.map((l) => ({ rows: l.rows, nnz: l.nnz, blocks: l.blocks })),
        operatorComplexity: a.operatorComplexity,
        gridComplexity: a.gridComplexity,
        setupPhasesMs: Object.fromEntries(Object.entries(a.setupPhases).map(([k, v]) => [k, Math.round(v)])),
        describe: a.describe(),
      },
      rssMiB: rssMiB(),
    });
  }

  // ---- report
  results.sort((a, b) => a.dofs - b.dofs);
  const rows: string[][] = [];
  for (const r of results) {
    const jac = r.runs[0];
    for (const run of r.runs) {
      rows.push([
        fmt(r.dofs),
        run.preconditioner,
        run.converged ? fmt(run.iterations) : `${fmt(run.iterations)} (not converged)`,
        fmt(run.setupMs),
        fmt(run.solveMs),
        fmt(run.totalMs),
        fmt(run.msPerIteration, 1),
        (jac.totalMs / run.totalMs).toFixed(1) + '×',
        fmt(run.preconditionerBytes / 2 ** 20, 1),
        run.differenceFromJacobi === undefined ? '—' : run.differenceFromJacobi.toExponential(1),
      ]);
    }
  }
  const table = markdownTable(
    ['DOFs', 'preconditioner', 'iterations', 'setup ms', 'solve ms', 'total ms', 'ms/iteration', 'speed-up vs Jacobi', 'precond. MiB', 'max Δu / max u'],
    rows,
    ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const hier = markdownTable(
    ['DOFs', 'nnz(K)', 'K MiB', 'levels (rows)', 'operator complexity', 'grid complexity', 'AMG setup phases (ms)', 'RSS MiB'],
    results.map((r) => [
      fmt(r.dofs),
      fmt(r.nnz),
      fmt(r.matrixBytes / 2 ** 20, 0),
      r.amg.levels.map((l) => fmt(l.rows)).join(' → '),
      r.amg.operatorComplexity.toFixed(3),
      r.amg.gridComplexity.toFixed(3),
      Object.entries(r.amg.setupPhasesMs)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      fmt(r.rssMiB),
    ]),
    ['right', 'right', 'right', 'left', 'right', 'right', 'left', 'right'],
  );
  const markdown = [
    `Bone/disc/bone hex8 block (40 × 40 × 30 mm, n³ cells, layers E 12000 / ${discE} / 12000 MPa, ν 0.3 / ${discNu} / 0.3), ` +
      `zmin fixed, traction (0.3, 0, −1) MPa on zmax. PCG to ‖r‖/‖b‖ ≤ ${TOLERANCE}, CSR SpMV (single thread), ` +
      `AMG: smoothed aggregation, θ = 0.08, Chebyshev degree ${degree} on [ρ/30, 1.1ρ] of D⁻¹A, V(1,1) cycle, dense Cholesky below 600 rows. ` +
      `Total = preconditioner setup + PCG solve (assembly excluded, identical for all).`,
    '',
    table,
    '',
    '### AMG hierarchy',
    '',
    hier,
    '',
    ...results.map((r) => `#### ${fmt(r.dofs)} DOFs\n\n${r.amg.describe}\n`),
  ].join('\n');
  console.log(markdown);
  if (!flags['no-write']) {
    const out = writeResults({
      name: 'amg-vs-jacobi',
      title: 'SA-AMG vs Jacobi vs nodal block-Jacobi PCG on a bone/disc/bone block',
      machine,
      command: [...new Set(commands)].join(' && '),
      data: { tolerance: TOLERANCE, discE, discNu, chebyshevDegree: degree, sizes: results },
      markdown,
    });
    log(`wrote ${out.md} and ${out.json}`);
  }
}

main();
