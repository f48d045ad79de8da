/**
 * Side by side on the same matrices: spinefea's AMG-PCG against pyamg's
 * smoothed-aggregation AMG-CG (same six rigid-body modes, same tolerance),
 * CalculiX 2.20 (`ccx`, SPOOLES direct solver, whole solve) and scipy's
 * Jacobi-CG per iteration, for hex8 cubes and tet10 plates.
 *
 * Problems:
 * - hex8: unit cube of n³ cells, E 1000 MPa, ν 0.3, face zmin fixed, traction (0, 0, −1) MPa on zmax
 *   (the problem of pcg-vs-scipy.ts; n = 69 → 1,014,300 DOF);
 * - tet10: 100 × 100 × 20 mm plate of m × m × m/5 hex cells split into tet10 (boxMesh), E 210 GPa,
 *   ν 0.3, zmin fixed, traction (0, 0, −1) MPa on zmax (m = 40 → 314,928 DOF, the size of the LE10-like
 *   plate the issue measured).
 *
 * For each: spinefea assembles and reduces (`prepareModel`), builds the AMG hierarchy
 * (`elasticityAmgFactory`: rigid-body modes of the free DOFs), and runs PCG to ‖r‖/‖b‖ ≤ 1e-8 with the
 * symmetric 3×3-block SpMV of the hierarchy's fine level (WebAssembly SIMD). The reduced matrix, the
 * reduced load and the same near-null space go to `pyamg_solve.py` (pyamg defaults otherwise).
 * CalculiX gets `calculixExport` of the same model (whole run: read, assemble, SPOOLES, write),
 * OMP_NUM_THREADS = 2, up to --ccx-max-dofs. Jacobi-PCG per iteration (--jacobi-cap iterations, our SIMD
 * SpMV vs scipy's CSR `A @ x` in `cg`) and SpMV alone complete the table. Wall and process CPU time
 * throughout (the machine is shared: CPU time is the steadier figure); peak RSS of the node process.
 *
 * Run: `node --max-old-space-size=20000 --conditions=@spinefea/source --import tsx packages/benchmarks/src/solver-comparison.ts
 *   [--hex8 20,40,69] [--tet10 20,40] [--ccx-max-dofs 400000] [--jacobi-cap 50] [--python python3] [--quick] [--no-write] [--merge]`
 * A peer that is missing (python3, pyamg, ccx) is skipped with a message. CI does not run this.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxMesh } from '@spinefea/mesh';
import { prepareModel, type FeModel, type LoadCase } from '@spinefea/core';
import { calculixExport } from '@spinefea/core/io';
import { sbsr3FromCsr, sbsr3Kernel, writeCsrBinary, type FusedLinearOperator } from '@spinefea/core/linalg';
import { jacobiPreconditioner, pcg } from '@spinefea/core/solvers';
import { elasticityAmgFactory, reducedRigidBodyModes } from '../../fea-core/src/solvers/amg/index.js';
import { RESULTS_DIR, TMP_DIR, commandLine, fmt, intListFlag, log, machineInfo, markdownTable, numberFlag, parseFlags, writeResults } from './common.js';

const TOLERANCE = 1e-8;
const flags = parseFlags();
const python = typeof flags.python === 'string' ? flags.python : 'python3';
const ccxMax = numberFlag(flags, 'ccx-max-dofs', 400_000);
const jacobiCap = numberFlag(flags, 'jacobi-cap', 50);

/** Wall and process CPU clock. */
function clock(): [number, number] {
  const c = process.cpuUsage();
  return [performance.now(), (c.user + c.system) / 1000];
}
function since(t: [number, number]): { wall: number; cpu: number } {
  const [w, c] = clock();
  return { wall: w - t[0], cpu: c - t[1] };
}

interface PyResult {
  pyamgSetupMs: number;
  pyamgSetupCpuMs: number;
  pyamgSolveMs: number;
  pyamgSolveCpuMs: number;
  pyamgIterations: number;
  pyamgLevels: number[];
  pyamgOperatorComplexity: number;
  pyamgTrueRelResidual: number;
  scipyJacobiMsPerIt: number;
  scipyJacobiCpuMsPerIt: number;
  scipySpmvMs: number;
  scipySpmvCpuMs: number;
  versions: Record<string, string>;
}

interface CaseResult {
  element: 'hex8' | 'tet10';
  size: number;
  dofs: number;
  nnz: number;
  prepareMs: { validate: number; assemble: number; reduce: number; preconditioner: number };
  prepareCpuMs: number;
  amg: { setupMs: number; setupCpuMs: number; levels: number[]; operatorComplexity: number; phasesCpuMs: Record<string, number> };
  solve: { ms: number; cpuMs: number; iterations: number; relativeResidual: number; spmvKind: string };
  wholeMs: number;
  wholeCpuMs: number;
  jacobi: { msPerIt: number; cpuMsPerIt: number; iterations: number };
  spmv: { ms: number; cpuMs: number; jsMs: number; jsCpuMs: number };
  peers: { python?: PyResult; pythonSkipped?: string; ccx?: { ms: number; cpuMs: number; exitCode: number }; ccxSkipped?: string };
  peakRssMiB: number;
}

function problem(element: 'hex8' | 'tet10', n: number): { model: FeModel; loadCase: LoadCase } {
  const mesh =
    element === 'hex8'
      ? boxMesh({ size: [1, 1, 1], divisions: [n, n, n], cellType: 'hex8' })
      : boxMesh({ size: [100, 100, 20], divisions: [n, n, Math.max(1, Math.round(n / 5))], cellType: 'tet10' });
  const E = element === 'hex8' ? 1000 : 210_000;
  return {
    model: { mesh, materials: [{ kind: 'isotropic', E, nu: 0.3 }], displacementBcs: [{ nodes: 'zmin' }] },
    loadCase: { tractions: [{ faces: 'zmax', traction: [0, 0, -1] }] },
  };
}

/** Best wall and CPU ms of `reps` calls. */
function best(fn: () => void, reps = 10): { ms: number; cpuMs: number } {
  fn();
  let ms = Infinity;
  let cpuMs = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = clock();
    fn();
    const d = since(t);
    ms = Math.min(ms, d.wall);
    cpuMs = Math.min(cpuMs, d.cpu);
  }
  return { ms, cpuMs };
}

let pythonSkip: string | undefined;
function runPython(dir: string): PyResult | string {
  if (pythonSkip) return pythonSkip;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  const r = spawnSync(python, [join(import.meta.dirname, 'pyamg_solve.py'), join(dir, 'header.json')], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (r.error || r.status === 3 || /No module named/.test(r.stderr ?? '')) {
    pythonSkip = `pyamg/scipy skipped: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`;
    log(pythonSkip);
    return pythonSkip;
  }
  if (r.status !== 0) throw new Error(`pyamg_solve.py failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as PyResult;
}

function runCcx(dir: string, model: FeModel, loadCase: LoadCase): { ms: number; cpuMs: number; exitCode: number } | string {
  const probe = spawnSync('ccx', ['-v'], { encoding: 'utf8' });
  if (probe.error) return `ccx skipped: not installed (Debian package calculix-ccx)`;
  writeFileSync(join(dir, 'job.inp'), calculixExport(model, loadCase).inp);
  // bash's `time` reports the child's real, user and system seconds
  const r = spawnSync('bash', ['-c', "TIMEFORMAT='%R %U %S'; time ccx -i job > ccx.log 2>&1"], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '2', CCX_NPROC_EQUATION_SOLVER: '2' },
  });
  const [real, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { ms: real * 1000, cpuMs: (user + sys) * 1000, exitCode: r.status ?? -1 };
}

/** PCG operator on a symmetric-block kernel. */
function kernelOperator(k: { size: number; spmv(x: Float64Array, y: Float64Array): number }): FusedLinearOperator {
  return { size: k.size, apply: (x, y) => void k.spmv(x, y), applyDot: (x, y) => k.spmv(x, y) };
}

async function runCase(element: 'hex8' | 'tet10', n: number): Promise<CaseResult> {
  log(`${element} ${n}: building`);
  const { model, loadCase } = problem(element, n);
  const t0 = clock();
  const prepared = prepareModel(model, { preconditioner: 'none' });
  const prep = since(t0);
  // reducedSystem copies K_r and assembles the load: part of what a solve does, not timed
  const tr = prepared.transform;
  const { matrix: K, rhs: fr, blockPtr } = prepared.reducedSystem(loadCase);
  log(`  ${fmt(K.rows)} DOF, ${fmt(K.rowPtr[K.rows])} nnz; prepare ${fmt(prep.wall)} ms (CPU ${fmt(prep.cpu)})`);
  const t1 = clock();
  const amg = elasticityAmgFactory(model.mesh.nodes, tr)(K, blockPtr);
  const setup = since(t1);
  log(`  AMG setup ${fmt(setup.wall)} ms (CPU ${fmt(setup.cpu)}):\n${amg.describe()}`);
  const fine = amg.hierarchy.levels[0].blockKernel ?? sbsr3Kernel(sbsr3FromCsr(K));
  const op = kernelOperator(fine);
  const t2 = clock();
  const sol = pcg(op, fr, { preconditioner: amg, tolerance: TOLERANCE, maxIterations: 1000 });
  const sv = since(t2);
  log(`  AMG-PCG ${sol.iterations} iterations, ${fmt(sv.wall)} ms (CPU ${fmt(sv.cpu)})`);
  const t3 = clock();
  const jac = pcg(op, fr, { preconditioner: jacobiPreconditioner(K), tolerance: 1e-30, maxIterations: jacobiCap, allowNotConverged: true });
  const jd = since(t3);
  const x = Float64Array.from({ length: K.rows }, (_, i) => Math.sin(i));
  const y = new Float64Array(K.rows);
  const sW = best(() => fine.spmv(x, y));
  const js = sbsr3Kernel(sbsr3FromCsr(K), { kind: 'js' });
  const sJ = best(() => js.spmv(x, y));
  const r: CaseResult = {
    element,
    size: n,
    dofs: K.rows,
    nnz: K.rowPtr[K.rows],
    prepareMs: prepared.timings,
    prepareCpuMs: prep.cpu,
    amg: {
      setupMs: setup.wall,
      setupCpuMs: setup.cpu,
      levels: amg.levels.map((l) => l.rows),
      operatorComplexity: amg.operatorComplexity,
      phasesCpuMs: Object.fromEntries(Object.entries(amg.setupCpuPhases).map(([k, v]) => [k, Math.round(v)])),
    },
    solve: { ms: sv.wall, cpuMs: sv.cpu, iterations: sol.iterations, relativeResidual: sol.relativeResidual, spmvKind: fine.kind },
    wholeMs: prep.wall + setup.wall + sv.wall,
    wholeCpuMs: prep.cpu + setup.cpu + sv.cpu,
    jacobi: { msPerIt: jd.wall / jac.iterations, cpuMsPerIt: jd.cpu / jac.iterations, iterations: jac.iterations },
    spmv: { ms: sW.ms, cpuMs: sW.cpuMs, jsMs: sJ.ms, jsCpuMs: sJ.cpuMs },
    peers: {},
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  const dir = join(TMP_DIR, `solver-comparison-${element}-${n}`);
  mkdirSync(dir, { recursive: true });
  await writeCsrBinary(join(dir, 'K'), K);
  writeFileSync(join(dir, 'rhs.f64'), new Uint8Array(fr.buffer, fr.byteOffset, fr.byteLength));
  const B = reducedRigidBodyModes(model.mesh.nodes, tr);
  writeFileSync(join(dir, 'B.f64'), new Uint8Array(B.buffer, B.byteOffset, B.byteLength));
  writeFileSync(join(dir, 'header.json'), JSON.stringify({ matrix: 'K.json', rhs: 'rhs.f64', nullspace: 'B.f64', tol: TOLERANCE, jacobi_cap: jacobiCap }));
  log('  pyamg / scipy');
  const py = runPython(dir);
  if (typeof py === 'string') r.peers.pythonSkipped = py;
  else r.peers.python = py;
  if (r.dofs <= ccxMax) {
    log('  CalculiX');
    const c = runCcx(dir, model, loadCase);
    if (typeof c === 'string') r.peers.ccxSkipped = c;
    else r.peers.ccx = c;
  } else r.peers.ccxSkipped = `ccx skipped above --ccx-max-dofs ${ccxMax}`;
  if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  log(`  done: ${JSON.stringify({ whole: r.wholeMs, py: r.peers.python && r.peers.python.pyamgSetupMs + r.peers.python.pyamgSolveMs, ccx: r.peers.ccx?.ms })}`);
  return r;
}

function report(results: CaseResult[]): string {
  const s = (ms: number, cpu: number) => `${fmt(ms / 1000, 2)} (${fmt(cpu / 1000, 2)})`;
  const amgRows = results.map((r) => {
    const p = r.peers.python;
    const ours = r.amg.setupMs + r.solve.ms;
    const oursCpu = r.amg.setupCpuMs + r.solve.cpuMs;
    const pyT = p ? p.pyamgSetupMs + p.pyamgSolveMs : NaN;
    const pyC = p ? p.pyamgSetupCpuMs + p.pyamgSolveCpuMs : NaN;
    return [
      r.element,
      fmt(r.dofs),
      s(r.prepareMs.assemble + r.prepareMs.reduce + r.prepareMs.validate, r.prepareCpuMs),
      s(r.amg.setupMs, r.amg.setupCpuMs),
      s(r.solve.ms, r.solve.cpuMs),
      String(r.solve.iterations),
      s(r.wholeMs, r.wholeCpuMs),
      p ? s(p.pyamgSetupMs, p.pyamgSetupCpuMs) : '—',
      p ? s(p.pyamgSolveMs, p.pyamgSolveCpuMs) : '—',
      p ? String(p.pyamgIterations) : '—',
      p ? `${(ours / pyT).toFixed(2)} (${(oursCpu / pyC).toFixed(2)})` : r.peers.pythonSkipped ?? '—',
      r.peers.ccx ? s(r.peers.ccx.ms, r.peers.ccx.cpuMs) : (r.peers.ccxSkipped ?? '—'),
      r.peers.ccx ? `${(r.peers.ccx.ms / r.wholeMs).toFixed(1)}× (${(r.peers.ccx.cpuMs / r.wholeCpuMs).toFixed(1)}×)` : '—',
      fmt(r.peakRssMiB),
    ];
  });
  const amgTable = markdownTable(
    ['cells', 'DOF', 'ours prepare s', 'ours AMG setup s', 'ours AMG-PCG s', 'its', 'ours whole s', 'pyamg setup s', 'pyamg solve s', 'its', 'ours/pyamg (setup+solve)', 'ccx whole s', 'ccx/ours whole', 'peak RSS MiB'],
    amgRows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const spmvRows = results.map((r) => {
    const p = r.peers.python;
    return [
      r.element,
      fmt(r.dofs),
      `${fmt(r.spmv.ms, 2)} (${fmt(r.spmv.cpuMs, 2)})`,
      `${fmt(r.spmv.jsMs, 2)} (${fmt(r.spmv.jsCpuMs, 2)})`,
      p ? `${fmt(p.scipySpmvMs, 2)} (${fmt(p.scipySpmvCpuMs, 2)})` : '—',
      p ? `${(r.spmv.ms / p.scipySpmvMs).toFixed(2)} (${(r.spmv.cpuMs / p.scipySpmvCpuMs).toFixed(2)})` : '—',
      `${fmt(r.jacobi.msPerIt, 2)} (${fmt(r.jacobi.cpuMsPerIt, 2)})`,
      p ? `${fmt(p.scipyJacobiMsPerIt, 2)} (${fmt(p.scipyJacobiCpuMsPerIt, 2)})` : '—',
      p ? `${(r.jacobi.msPerIt / p.scipyJacobiMsPerIt).toFixed(2)} (${(r.jacobi.cpuMsPerIt / p.scipyJacobiCpuMsPerIt).toFixed(2)})` : '—',
    ];
  });
  const spmvTable = markdownTable(
    ['cells', 'DOF', 'SpMV ours SIMD ms', 'SpMV ours JS ms', 'SpMV scipy ms', 'SIMD/scipy', 'Jacobi-PCG ours ms/it', 'Jacobi-CG scipy ms/it', 'ratio per it'],
    spmvRows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const phases = markdownTable(
    ['cells', 'DOF', 'levels (ours)', 'op. complexity', 'AMG setup CPU ms by phase', 'levels (pyamg)', 'op. complexity (pyamg)'],
    results.map((r) => [
      r.element,
      fmt(r.dofs),
      r.amg.levels.map((x) => fmt(x)).join(' → '),
      r.amg.operatorComplexity.toFixed(2),
      Object.entries(r.amg.phasesCpuMs)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      r.peers.python?.pyamgLevels.map((x) => fmt(x)).join(' → ') ?? '—',
      r.peers.python?.pyamgOperatorComplexity.toFixed(2) ?? '—',
    ]),
  );
  return [
    `All figures: wall seconds (process CPU seconds in brackets). PCG/CG to ‖r‖/‖b‖ ≤ ${TOLERANCE} on the same reduced matrix, ` +
      `right-hand side and six rigid-body modes. "prepare" = validate + assemble + constraint reduction; "whole" = prepare + AMG setup + AMG-PCG ` +
      `(ccx: its whole run, reading the .inp to writing results, SPOOLES, 2 threads). Ratios < 1 (ours/pyamg) and > 1 (ccx/ours) favour spinefea.`,
    '',
    '## AMG-PCG vs pyamg vs CalculiX',
    '',
    amgTable,
    '',
    `## SpMV and Jacobi-PCG per iteration vs scipy (ms; ${jacobiCap} iterations; ours: symmetric 3×3 blocks, WebAssembly SIMD where "SIMD")`,
    '',
    spmvTable,
    '',
    '## AMG hierarchies and setup phases',
    '',
    phases,
  ].join('\n');
}

async function main(): Promise<void> {
  const hex = flags.quick ? [8] : intListFlag(flags, 'hex8', [20, 40, 69]);
  const tet = flags.quick ? [6] : intListFlag(flags, 'tet10', [20, 40]);
  const results: CaseResult[] = [];
  const file = join(RESULTS_DIR, 'solver-comparison.json');
  if (flags.merge && existsSync(file)) {
    const old = (JSON.parse(readFileSync(file, 'utf8')) as { data: { cases: CaseResult[] } }).data.cases;
    results.push(...old.filter((o) => !(o.element === 'hex8' ? hex : tet).includes(o.size)));
  }
  const machine = machineInfo();
  for (const n of tet) results.push(await runCase('tet10', n));
  for (const n of hex) results.push(await runCase('hex8', n));
  results.sort((a, b) => (a.element === b.element ? a.dofs - b.dofs : a.element < b.element ? -1 : 1));
  const markdown = report(results);
  console.log(markdown);
  if (!flags['no-write']) {
    const py = results.find((r) => r.peers.python)?.peers.python;
    const out = writeResults({
      name: 'solver-comparison',
      title: 'spinefea AMG-PCG vs pyamg vs CalculiX vs scipy on the same matrices',
      machine,
      command: commandLine(),
      versions: py ? { ...py.versions, ccx: '2.20 (Debian calculix-ccx)' } : undefined,
      data: { tolerance: TOLERANCE, cases: results },
      markdown,
    });
    log(`wrote ${out.md} and ${out.json}`);
  }
}

await main();
