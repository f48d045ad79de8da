/**
 * One design point through the real pipeline: mesh (`buildLumbarSegment`), FE
 * model (`buildSpineFeModel` with the injury), one pure-moment load case
 * (`analyzeSpine`, no separate compression case) → a {@link SweepRecord}.
 * A refusal by the mesher or a solver failure becomes a failed record with the
 * error, never an exception.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildLumbarSegment } from '@spinefea/mesh';
import { analyzeSpine, buildSpineFeModel, spineCaseSummary } from '@spinefea/core';
import type { DesignPoint } from './design-space.js';
import { solverCase } from './design-mapping.js';
import { recordKey, type SweepRecord } from './records.js';

/** Solver settings of a sweep. */
export interface SimulationSettings {
  /** Voxel size, mm (0.25–2). */
  resolution: number;
  /** Preconditioner of the PCG solver (default 'amg'). */
  preconditioner?: 'amg' | 'block-jacobi';
  /** PCG iteration cap (default: the solver's). */
  maxIterations?: number;
  /** Shift of the voxel grid, fractions of a voxel in [0, 1) (discretisation-noise studies; default none). */
  gridShift?: [number, number, number];
}

let versionCache: string | undefined;

/**
 * `@spinefea/core@<version>+<short git commit>` (commit omitted outside a git checkout;
 * `+dirty` when the work tree has changes to the solver or mesher).
 * @example
 * ```ts
 * solverVersion(); // '@spinefea/core@0.1.0+c4370c9'
 * ```
 */
export function solverVersion(): string {
  if (versionCache) return versionCache;
  let version = '?';
  try {
    const pkg = fileURLToPath(new URL('../../fea-core/package.json', import.meta.url));
    version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  } catch {
    // a published install has no sibling fea-core folder; the version stays '?'
  }
  let git = '';
  try {
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '../../fea-core/src', '../../mesh/src'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    git = `+${head}${dirty ? '.dirty' : ''}`;
  } catch {
    // not a git checkout
  }
  versionCache = `@spinefea/core@${version}${git}`;
  return versionCache;
}

function errorInfo(e: unknown, stage: 'mesh' | 'solve'): NonNullable<SweepRecord['error']> {
  const err = e as Error & { code?: string; parameter?: string };
  return {
    name: err?.name ?? 'Error',
    ...(err?.code ? { code: String(err.code) } : {}),
    message: err?.message ?? String(e),
    ...(err?.parameter ? { parameter: err.parameter } : {}),
    stage,
  };
}

/**
 * Solve one design point and return its record (ok or failed).
 *
 * @param index - design point index (part of the record key).
 * @example
 * ```ts
 * const r = simulateDesignPoint(0, point, { resolution: 2 });
 * console.log(r.status, r.outputs?.romDeg, r.timing.totalMs);
 * ```
 */
export function simulateDesignPoint(index: number, point: DesignPoint, settings: SimulationSettings): SweepRecord {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const cpuMs = () => {
    const c = process.cpuUsage(cpu0);
    return (c.user + c.system) / 1000;
  };
  const base = {
    key: recordKey(index, point, settings.resolution),
    index,
    inputs: point,
    resolution: settings.resolution,
    ...(settings.gridShift ? { gridShift: settings.gridShift } : {}),
    solverVersion: solverVersion(),
  };
  const c = solverCase(point, settings.resolution);
  if (settings.gridShift) c.parameters.gridShift = settings.gridShift;
  let spine;
  try {
    const seg = buildLumbarSegment(c.parameters);
    spine = buildSpineFeModel(seg, { injury: c.injury });
  } catch (e) {
    const ms = performance.now() - t0;
    return { ...base, status: 'failed', error: errorInfo(e, 'mesh'), timing: { meshMs: ms, solveMs: 0, totalMs: ms, cpuMs: cpuMs() }, finishedAt: new Date().toISOString() };
  }
  const t1 = performance.now();
  const preconditioner = settings.preconditioner ?? 'amg';
  try {
    const res = analyzeSpine(spine, {
      motions: [c.motion],
      momentNm: c.momentNm,
      preloadN: c.preloadN,
      compressionN: 0,
      solver: { preconditioner, ...(settings.maxIterations ? { maxIterations: settings.maxIterations } : {}) },
    });
    const k = res.cases[0];
    const t2 = performance.now();
    return {
      ...base,
      status: 'ok',
      outputs: spineCaseSummary(k),
      solver: {
        converged: k.solver.converged,
        iterations: k.solver.iterations,
        relativeResidual: k.solver.relativeResidual,
        facetActiveSetIterations: k.solver.facetActiveSetIterations,
        ligamentActiveSetIterations: k.solver.ligamentActiveSetIterations,
        frozenFacetCells: k.solver.frozenFacetCells,
        preconditioner,
        cells: res.model.cells,
        freeDofs: res.model.freeDofs,
      },
      timing: { meshMs: t1 - t0, solveMs: t2 - t1, totalMs: t2 - t0, cpuMs: cpuMs() },
      finishedAt: new Date().toISOString(),
    };
  } catch (e) {
    const t2 = performance.now();
    return { ...base, status: 'failed', error: errorInfo(e, 'solve'), timing: { meshMs: t1 - t0, solveMs: t2 - t1, totalMs: t2 - t0, cpuMs: cpuMs() }, finishedAt: new Date().toISOString() };
  }
}
