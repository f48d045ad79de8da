/**
 * GPU solve benchmark: CPU Jacobi-PCG (f64) vs gpu.js and WebGPU
 * mixed-precision solves (f32 device PCG inside f64 refinement) vs CuPy, on
 * hex8 elasticity cubes assembled in-process, plus a streaming WGSL triad
 * for the bandwidth roofline.
 *
 * Problem: unit-modulus cube 100 × 100 × 100 mm of n³ hex8 cells
 * (E 1000 MPa, ν 0.3), zmin fixed, traction (0.3, 0, −1) MPa on zmax;
 * free DOFs 3·n·(n+1)²: n = 32 → 104,544; 69 → 1,014,300; 100 → 3,060,300;
 * 149 → 10,057,500.
 *
 * Per size and engine: time per (inner) CG iteration, iterations,
 * refinement steps, total time to an f64 relative residual of 1e-8
 * (CPU: full solve up to --cpu-solve-max DOFs, above that ms/iteration from
 * 30 iterations, marked "per-iteration only"). Roofline: bytes moved per
 * device PCG iteration (BSELL3 SpMV + 14 vector sweeps of 4 B) ÷ the triad
 * bandwidth = the fastest possible iteration; "achieved" = that ÷ measured.
 * CuPy: `cupyx.scipy.sparse.linalg.cg` with a Jacobi LinearOperator on the
 * same matrix (f64 CSR written as raw binary), after one warm-up solve.
 *
 * Run on the GPU machine (see docs/gpu.md):
 *   ../shared/device/pack.sh packages/benchmarks/src/gpu-solve.ts
 *   device: bash .device/remote.sh gpu-solve.mjs --sizes 32,69,100 --out $OUT
 * Here (no GPU): node --conditions=@spinefea/source --import tsx packages/benchmarks/src/gpu-solve.ts --cpu-only --sizes small
 *
 * AMG inner solver (--inner amg|both): the SA-AMG hierarchy is built on the
 * CPU in f64 (`smoothedAggregationAmg`, nodes as blocks, rigid-body modes),
 * uploaded once, and the device runs AMG-preconditioned PCG (the V-cycle on
 * the device, `deviceAmgInnerSolver`) inside the same f64 refinement; the CPU
 * f64 AMG-PCG runs alongside as its reference. Total time includes the CPU
 * setup and the upload.
 *
 * Flags: --sizes small|default|n1,n2,… (cube divisions; default 32,69,100,149)
 *        --inner jacobi|amg|both (device inner preconditioner; default jacobi)
 *        --cpu-only (skip WebGPU, gpu.js in cpu mode only for ≤ 20k DOFs, no triad)
 *        --gpujs-mode webgpu|webasm|cpu (default webgpu, else webasm) --gpujs-max-dofs N (default 3.2M)
 *        --cpu-solve-max N (default 1.1M) --no-cupy --triad-mb 256 --out DIR (default $OUT, else results/)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { boxMesh } from '@spinefea/mesh';
import { prepareModel } from '@spinefea/core';
import { csrOperator, type CsrMatrix } from '@spinefea/core/linalg';
import {
  jacobiPreconditioner,
  pcg,
  reducedRigidBodyModes,
  smoothedAggregationAmg,
  type AmgOptions,
  type AmgPreconditioner,
} from '@spinefea/core/solvers';
import {
  createGpujsKernels,
  createWebgpuKernels,
  deviceAmgInnerSolver,
  deviceInnerSolver,
  devicePcg,
  inverseDiagonalF32,
  mixedPrecisionSolve,
  type DeviceKernels,
  type DeviceMatrix,
  type DevicePreconditioner,
  type DeviceVector,
  type MixedPrecisionSolution,
  type WebgpuKernels,
} from '@spinefea/core/gpu';
import { RESULTS_DIR, commandLine, fmt, log, machineInfo, markdownTable, numberFlag, parseFlags, rssMiB, writeResults } from './common.js';

const TOLERANCE = 1e-8;
const INNER_TOLERANCE = 1e-4;

interface EngineRun {
  engine: string;
  converged: boolean | null;
  relativeResidual: number | null;
  iterations: number | null;
  refinementSteps?: number;
  msPerIteration: number;
  totalMs: number | null;
  setupMs?: number;
  note?: string;
  rooflineMs?: number;
  achievedPercent?: number;
}

interface SizeResult {
  n: number;
  dofs: number;
  nnz: number;
  assembleMs: number;
  spmvBytesF32?: number;
  bytesPerIteration?: number;
  runs: EngineRun[];
  rssMiB: number;
}

function parseSizes(v: string | true | undefined): number[] {
  if (v === undefined || v === 'default') return [32, 69, 100, 149];
  if (v === 'small') return [8, 14];
  if (v === true) throw new Error('--sizes needs small, default or a list such as 32,69');
  return v.split(',').map((s) => {
    const k = Number(s);
    if (!Number.isInteger(k) || k < 1) throw new Error(`--sizes: '${s}' is not a positive integer`);
    return k;
  });
}

function cube(n: number): { K: CsrMatrix; b: Float64Array; ms: number; amgOptions: () => AmgOptions } {
  const model = {
    mesh: boxMesh({ size: [100, 100, 100], divisions: [n, n, n], cellType: 'hex8' as const }),
    materials: [{ kind: 'isotropic' as const, E: 1000, nu: 0.3 }],
    displacementBcs: [{ nodes: 'zmin' as const }],
  };
  const t0 = performance.now();
  const prepared = prepareModel(model, { preconditioner: 'none' });
  const { matrix: K, rhs: b, blockPtr } = prepared.reducedSystem({ tractions: [{ faces: 'zmax', traction: [0.3, 0, -1] }] });
  // AMG input (only when asked for): nodes as DOF blocks, the six rigid-body modes as near-null space
  const amgOptions = (): AmgOptions => ({ blockPtr, nearNullSpace: reducedRigidBodyModes(model.mesh.nodes, prepared.transform), nullSpaceDim: 6 });
  return { K, b, ms: performance.now() - t0, amgOptions };
}

/** ms per device PCG iteration from a fixed-length run (no convergence stop: tolerance tiny); Jacobi (invD) or a device preconditioner. */
async function deviceIterationMs<V extends DeviceVector, M extends DeviceMatrix>(
  k: DeviceKernels<V, M>,
  A: M,
  precond: V | DevicePreconditioner<V>,
  b: Float64Array,
  its: number,
): Promise<number> {
  await devicePcg(k, A, precond, b, { tolerance: 1e-30, maxIterations: 5, checkEvery: 5 }); // warm-up (pipelines, bind groups)
  const t = performance.now();
  await devicePcg(k, A, precond, b, { tolerance: 1e-30, maxIterations: its, checkEvery: its });
  return (performance.now() - t) / its;
}

/**
 * Mixed-precision solve with the AMG-preconditioned device PCG (V-cycle on the device); the
 * hierarchy `amg` was built on the CPU in `amgSetupMs`. Total = CPU setup + upload + solve.
 */
async function amgDeviceRun<V extends DeviceVector, M extends DeviceMatrix>(
  engine: string,
  k: DeviceKernels<V, M>,
  K: CsrMatrix,
  b: Float64Array,
  amg: AmgPreconditioner,
  amgSetupMs: number,
  its: number,
): Promise<EngineRun> {
  const t = performance.now();
  const inner = deviceAmgInnerSolver(k, K, amg);
  const uploadMs = performance.now() - t;
  const sol = await mixedPrecisionSolve(K, b, inner, { tolerance: TOLERANCE, innerTolerance: INNER_TOLERANCE, allowNotConverged: true });
  const pre = inner.preconditioner;
  const msIt = await deviceIterationMs(k, pre.fineMatrix, pre, b, its);
  const run = mpRun(engine, sol, amgSetupMs + uploadMs, msIt);
  run.note +=
    `; CPU AMG setup ${fmt(amgSetupMs)} ms + upload ${fmt(uploadMs)} ms; levels ${pre.levels.map((l) => fmt(l.rows)).join(' → ')} ` +
    `(coarse: ${pre.coarse}), ${fmt(pre.storedValues)} matrix values on the device; ${inner.checks} readbacks`;
  return run;
}

function mpRun(engine: string, sol: MixedPrecisionSolution, setupMs: number, msPerIteration: number): EngineRun {
  return {
    engine,
    converged: sol.converged,
    relativeResidual: sol.relativeResidual,
    iterations: sol.innerIterations,
    refinementSteps: sol.refinementSteps,
    msPerIteration,
    totalMs: setupMs + sol.timeMs,
    setupMs,
    note: `outer f64 residuals ${sol.outerMs.toFixed(0)} ms; steps ${sol.history.map((h) => h.innerIterations).join('+')}`,
  };
}

/** Streams y ← x + a·w over `mb`-MiB f32 arrays; returns GB/s (3 arrays moved). */
async function triadBandwidth(k: WebgpuKernels, mb: number): Promise<number> {
  const n = Math.floor((mb * 2 ** 20) / 4);
  const x = k.alloc(n);
  const w = k.alloc(n);
  const y = k.alloc(n);
  k.fill(x, 1);
  k.fill(w, 2);
  await k.finish();
  for (let i = 0; i < 3; i++) k.triad(x, 0.5, w, y);
  await k.finish();
  const reps = 20;
  const t = performance.now();
  for (let i = 0; i < reps; i++) k.triad(x, 0.5, w, y);
  await k.finish();
  const s = (performance.now() - t) / 1000;
  return (3 * 4 * n * reps) / s / 1e9;
}

const CUPY_SCRIPT = `
import sys, json, time, numpy as np
try:
    import cupy as cp, cupyx.scipy.sparse as csp, cupyx.scipy.sparse.linalg as cla
except Exception as e:
    print(json.dumps({"error": "cupy unavailable: " + str(e)})); sys.exit(0)
d = sys.argv[1]; n = int(sys.argv[2]); nnz = int(sys.argv[3]); tol = float(sys.argv[4])
ptr = np.fromfile(d + "/ptr.u32", dtype=np.uint32).astype(np.int64)
col = np.fromfile(d + "/col.u32", dtype=np.uint32).astype(np.int32)
val = np.fromfile(d + "/val.f64", dtype=np.float64)
b = cp.asarray(np.fromfile(d + "/b.f64", dtype=np.float64))
A = csp.csr_matrix((cp.asarray(val), cp.asarray(col), cp.asarray(ptr)), shape=(n, n))
inv = 1.0 / A.diagonal()
M = cla.LinearOperator((n, n), matvec=lambda r: inv * r, dtype=cp.float64)
its = [0]
def cb(xk): its[0] += 1
cla.cg(A, b, tol=tol, maxiter=20, M=M); cp.cuda.Device().synchronize()  # warm-up
its[0] = 0
t = time.perf_counter()
x, info = cla.cg(A, b, tol=tol, maxiter=50000, M=M, callback=cb)
cp.cuda.Device().synchronize()
ms = (time.perf_counter() - t) * 1000
rel = float(cp.linalg.norm(b - A @ x) / cp.linalg.norm(b))
print(json.dumps({"ms": ms, "iterations": its[0], "info": int(info), "rel": rel, "gpu": cp.cuda.runtime.getDeviceProperties(0)["name"].decode(), "cupy": cp.__version__}))
`;

function writeRaw(path: string, a: ArrayBufferView): void {
  const fd = openSync(path, 'w');
  const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let o = 0; o < u8.length; o += 1 << 28) writeSync(fd, u8, o, Math.min(1 << 28, u8.length - o));
  closeSync(fd);
}

function cupyRun(K: CsrMatrix, b: Float64Array): EngineRun {
  const dir = join(process.env.OUT ? tmpdir() : join(RESULTS_DIR, '..', 'tmp'), `gpu-solve-${K.rows}`);
  mkdirSync(dir, { recursive: true });
  writeRaw(join(dir, 'ptr.u32'), K.rowPtr);
  writeRaw(join(dir, 'col.u32'), K.colIdx);
  writeRaw(join(dir, 'val.f64'), K.values);
  writeRaw(join(dir, 'b.f64'), b);
  const nnz = K.rowPtr[K.rows];
  const t = performance.now();
  const p = spawnSync('python3', ['-c', CUPY_SCRIPT, dir, String(K.rows), String(nnz), String(TOLERANCE)], { encoding: 'utf8', timeout: 600_000 });
  const wall = performance.now() - t;
  if (p.error || p.status !== 0) {
    return { engine: 'CuPy cg + Jacobi (f64)', converged: null, relativeResidual: null, iterations: null, msPerIteration: NaN, totalMs: null, note: `python3 failed: ${p.error?.message ?? p.stderr.slice(-300)}` };
  }
  const last = p.stdout.trim().split('\n').pop() ?? '{}';
  const r = JSON.parse(last) as { error?: string; ms: number; iterations: number; info: number; rel: number; gpu: string; cupy: string };
  if (r.error) return { engine: 'CuPy cg + Jacobi (f64)', converged: null, relativeResidual: null, iterations: null, msPerIteration: NaN, totalMs: null, note: r.error };
  return {
    engine: 'CuPy cg + Jacobi (f64)',
    converged: r.info === 0,
    relativeResidual: r.rel,
    iterations: r.iterations,
    msPerIteration: r.ms / Math.max(1, r.iterations),
    totalMs: r.ms,
    note: `${r.gpu}, CuPy ${r.cupy}; python wall incl. load ${fmt(wall)} ms`,
  };
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const sizes = parseSizes(flags.sizes);
  const cpuOnly = flags['cpu-only'] === true;
  const cpuSolveMax = numberFlag(flags, 'cpu-solve-max', 1_100_000);
  const gpujsMax = numberFlag(flags, 'gpujs-max-dofs', cpuOnly ? 20_000 : 3_200_000);
  const triadMb = numberFlag(flags, 'triad-mb', 256);
  const innerFlag = typeof flags.inner === 'string' ? flags.inner : 'jacobi';
  if (!['jacobi', 'amg', 'both'].includes(innerFlag)) throw new Error(`--inner: '${innerFlag}' is not jacobi, amg or both`);
  const useJacobi = innerFlag !== 'amg';
  const useAmg = innerFlag !== 'jacobi';
  const outDir = typeof flags.out === 'string' ? flags.out : (process.env.OUT ?? RESULTS_DIR);
  const machine = machineInfo();
  const notes: string[] = [];

  let webgpu: WebgpuKernels | null = null;
  if (!cpuOnly) {
    webgpu = await createWebgpuKernels({ allowSoftwareAdapter: false });
    notes.push(webgpu ? `WebGPU adapter: ${webgpu.adapterName}` : 'WebGPU: no adapter (requestAdapter() returned null)');
  } else notes.push('--cpu-only: WebGPU and the triad skipped; gpu.js in cpu mode');
  let gpujsMode = (typeof flags['gpujs-mode'] === 'string' ? flags['gpujs-mode'] : cpuOnly ? 'cpu' : webgpu ? 'webgpu' : 'webasm') as 'cpu' | 'webasm' | 'webgpu';
  let triadGBs: number | undefined;
  if (webgpu) {
    triadGBs = await triadBandwidth(webgpu, triadMb);
    log(`WGSL triad: ${triadGBs.toFixed(0)} GB/s over ${triadMb} MiB arrays`);
  }

  const results: SizeResult[] = [];
  for (const n of sizes) {
    log(`n = ${n}: assembling ${n}³ hex8`);
    const { K, b, ms: assembleMs, amgOptions: amgOptionsOf } = cube(n);
    const nnz = K.rowPtr[K.rows];
    log(`  ${fmt(K.rows)} DOFs, ${fmt(nnz)} nonzeros (${fmt(assembleMs)} ms)`);
    const size: SizeResult = { n, dofs: K.rows, nnz, assembleMs, runs: [], rssMiB: 0 };

    // CPU f64 Jacobi-PCG
    const op = csrOperator(K);
    const M = jacobiPreconditioner(K);
    if (K.rows <= cpuSolveMax) {
      const sol = pcg(op, b, { preconditioner: M, tolerance: TOLERANCE, maxIterations: 50_000, allowNotConverged: true });
      size.runs.push({ engine: 'CPU PCG + Jacobi (f64, 1 thread)', converged: sol.converged, relativeResidual: sol.relativeResidual, iterations: sol.iterations, msPerIteration: sol.timeMs / Math.max(1, sol.iterations), totalMs: sol.timeMs });
    } else {
      const sol = pcg(op, b, { preconditioner: M, tolerance: 1e-30, maxIterations: 30, allowNotConverged: true });
      size.runs.push({ engine: 'CPU PCG + Jacobi (f64, 1 thread)', converged: null, relativeResidual: null, iterations: null, msPerIteration: sol.timeMs / 30, totalMs: null, note: `per-iteration only (30 iterations; > --cpu-solve-max ${cpuSolveMax})` });
    }
    log(`  CPU: ${size.runs[0].msPerIteration.toFixed(2)} ms/iteration`);

    // SA-AMG hierarchy (CPU, f64), shared by the CPU AMG-PCG and the device V-cycles
    let amg: AmgPreconditioner | undefined;
    let amgSetupMs = 0;
    if (useAmg) {
      const t = performance.now();
      amg = smoothedAggregationAmg(K, amgOptionsOf());
      amgSetupMs = performance.now() - t;
      log(`  AMG setup ${fmt(amgSetupMs)} ms: ${amg.levels.map((l) => fmt(l.rows)).join(' → ')}, operator complexity ${amg.operatorComplexity.toFixed(2)}`);
      if (K.rows <= cpuSolveMax) {
        const sol = pcg(op, b, { preconditioner: amg, tolerance: TOLERANCE, maxIterations: 5_000, allowNotConverged: true });
        size.runs.push({
          engine: 'CPU PCG + SA-AMG (f64, 1 thread)',
          converged: sol.converged,
          relativeResidual: sol.relativeResidual,
          iterations: sol.iterations,
          msPerIteration: sol.timeMs / Math.max(1, sol.iterations),
          totalMs: amgSetupMs + sol.timeMs,
          setupMs: amgSetupMs,
          note: `setup ${fmt(amgSetupMs)} ms included; ${amg.name}`,
        });
        log(`  CPU AMG-PCG: ${sol.iterations} iterations, ${fmt(sol.timeMs)} ms`);
      }
    }

    // WebGPU
    if (webgpu && useJacobi) {
      try {
        const t = performance.now();
        const inner = deviceInnerSolver(webgpu, K, 16);
        const setupMs = performance.now() - t;
        const sol = await mixedPrecisionSolve(K, b, inner, { tolerance: TOLERANCE, innerTolerance: INNER_TOLERANCE, allowNotConverged: true });
        const A = webgpu.uploadMatrix(K);
        const invD = webgpu.alloc(K.rows);
        webgpu.write(inverseDiagonalF32(K), invD);
        const msIt = await deviceIterationMs(webgpu, A, invD, b, 200);
        const run = mpRun('WebGPU WGSL (f32 PCG + f64 refinement)', sol, setupMs, msIt);
        size.spmvBytesF32 = A.spmvBytes;
        size.bytesPerIteration = A.spmvBytes + 14 * 4 * K.rows;
        if (triadGBs) {
          run.rooflineMs = size.bytesPerIteration / (triadGBs * 1e9) * 1000;
          run.achievedPercent = (100 * run.rooflineMs) / msIt;
        }
        run.note += `; BSELL3 fill ${A.host.fill.toFixed(2)}`;
        size.runs.push(run);
        log(`  WebGPU: ${msIt.toFixed(3)} ms/iteration, ${sol.refinementSteps} steps, ${sol.innerIterations} inner its, ${fmt(sol.timeMs)} ms`);
      } catch (e) {
        size.runs.push({ engine: 'WebGPU WGSL', converged: null, relativeResidual: null, iterations: null, msPerIteration: NaN, totalMs: null, note: `failed: ${(e as Error).message}` });
      }
    }
    if (webgpu && amg) {
      try {
        const run = await amgDeviceRun('WebGPU WGSL (f32 AMG-PCG, V-cycle on the device + f64 refinement)', webgpu, K, b, amg, amgSetupMs, 50);
        size.runs.push(run);
        log(`  WebGPU AMG: ${run.msPerIteration.toFixed(3)} ms/iteration, ${run.iterations} inner its, ${fmt(run.totalMs ?? NaN)} ms`);
      } catch (e) {
        size.runs.push({ engine: 'WebGPU WGSL AMG', converged: null, relativeResidual: null, iterations: null, msPerIteration: NaN, totalMs: null, note: `failed: ${(e as Error).message}` });
      }
    }

    // gpu.js
    if (K.rows <= gpujsMax) {
      let k = await createGpujsKernels({ mode: gpujsMode });
      if (!k && gpujsMode === 'webgpu') {
        notes.push('gpu.js webgpu mode unavailable; webasm used');
        gpujsMode = 'webasm';
        k = await createGpujsKernels({ mode: gpujsMode });
      }
      if (k) {
        if (useJacobi) {
          try {
            const t = performance.now();
            const inner = deviceInnerSolver(k, K, 16);
            const setupMs = performance.now() - t;
            const sol = await mixedPrecisionSolve(K, b, inner, { tolerance: TOLERANCE, innerTolerance: INNER_TOLERANCE, allowNotConverged: true });
            const A = k.uploadMatrix(K);
            const invD = k.alloc(K.rows);
            k.write(inverseDiagonalF32(K), invD);
            const msIt = await deviceIterationMs(k, A, invD, b, K.rows > 1e6 ? 50 : 100);
            const run = mpRun(`gpu.js ${gpujsMode} (${k.runningKernel}; f32 PCG + f64 refinement)`, sol, setupMs, msIt);
            run.note += `; ELL width ${A.width}, fill ${A.fill.toFixed(2)}`;
            size.runs.push(run);
            log(`  gpu.js ${gpujsMode}: ${msIt.toFixed(3)} ms/iteration, ${sol.refinementSteps} steps`);
          } catch (e) {
            size.runs.push({ engine: `gpu.js ${gpujsMode}`, converged: null, relativeResidual: null, iterations: null, msPerIteration: NaN, totalMs: null, note: `failed: ${(e as Error).message}` });
          }
        }
        if (amg) {
          try {
            const run = await amgDeviceRun(`gpu.js ${gpujsMode}`, k, K, b, amg, amgSetupMs, 20);
            run.engine = `gpu.js ${gpujsMode} (${k.runningKernel}; f32 AMG-PCG, V-cycle on the device + f64 refinement)`; // the kernel class is known once one ran
            size.runs.push(run);
            log(`  gpu.js ${gpujsMode} AMG: ${run.msPerIteration.toFixed(3)} ms/iteration, ${run.iterations} inner its`);
          } catch (e) {
            size.runs.push({ engine: `gpu.js ${gpujsMode} AMG`, converged: null, relativeResidual: null, iterations: null, msPerIteration: NaN, totalMs: null, note: `failed: ${(e as Error).message}` });
          }
        }
        k.dispose();
      }
    } else size.runs.push({ engine: `gpu.js ${gpujsMode}`, converged: null, relativeResidual: null, iterations: null, msPerIteration: NaN, totalMs: null, note: `skipped (> --gpujs-max-dofs ${gpujsMax})` });

    // CuPy peer
    if (!cpuOnly && flags['no-cupy'] !== true) {
      log('  CuPy');
      size.runs.push(cupyRun(K, b));
    }
    size.rssMiB = rssMiB();
    results.push(size);
  }
  webgpu?.dispose();

  const rows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs) {
      rows.push([
        fmt(r.dofs),
        run.engine,
        run.iterations === null ? '—' : fmt(run.iterations),
        run.refinementSteps === undefined ? '—' : String(run.refinementSteps),
        Number.isFinite(run.msPerIteration) ? run.msPerIteration.toFixed(3) : '—',
        run.totalMs === null ? '—' : fmt(run.totalMs),
        run.relativeResidual === null ? '—' : run.relativeResidual.toExponential(1),
        run.rooflineMs === undefined ? '—' : `${run.rooflineMs.toFixed(3)} (${run.achievedPercent!.toFixed(0)} %)`,
        run.note ?? '',
      ]);
    }
  }
  const table = markdownTable(
    ['DOFs', 'engine', 'iterations', 'refinements', 'ms/iteration', 'total ms to 1e-8', 'f64 rel. residual', 'roofline ms/it (achieved)', 'notes'],
    rows,
    ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
  const markdown = [
    `Hex8 cube (n³ cells, E 1000 MPa, ν 0.3), zmin fixed, traction (0.3, 0, −1) MPa on zmax. ` +
      `Tolerance: f64 relative residual ${TOLERANCE}; device solves iterate in f32 (inner tolerance ${INNER_TOLERANCE}) inside f64 refinement. ` +
      `ms/iteration of device engines: a fixed-length device PCG run with one readback (Jacobi 200 iterations on WebGPU, 100 or 50 on gpu.js; AMG 50 on WebGPU, 20 on gpu.js); ` +
      `total = matrix upload + mixed-precision solve (AMG: + CPU hierarchy setup).`,
    '',
    table,
    '',
    ...notes.map((s) => `- ${s}`),
    triadGBs ? `- WGSL triad bandwidth: ${triadGBs.toFixed(0)} GB/s (${triadMb} MiB f32 arrays). Roofline = (BSELL3 SpMV bytes + 14·4·n vector bytes) ÷ triad bandwidth.` : '- No triad measured (no WebGPU adapter).',
  ].join('\n');
  if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
  const files = writeResults({ name: 'gpu-solve', title: 'GPU solve: CPU vs gpu.js vs WebGPU vs CuPy', machine, command: commandLine(), data: { sizes: results, triadGBs, notes }, markdown }, outDir);
  console.log(markdown);
  log(`wrote ${files.md} and ${files.json}`);
}

await main();
