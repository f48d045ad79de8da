import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { readMsh, readVtu, type Mesh } from '@spinefea/mesh';
import {
  prepareModel,
  resultFields,
  resultsToVtu,
  type FeModel,
  type LoadCase,
  type Material,
  type PreconditionerChoice,
} from '@spinefea/core';
import { backendOption, BACKEND_OPTION } from './backend-option.js';
import { CliUsageError } from './cli-error.js';
import type { Command } from './commands.js';

/** Read a mesh file by extension: Gmsh `.msh` (2.2/4.1) or our `.vtu` (cell data `region` → material ids). */
export function readMeshFile(path: string): Mesh {
  const ext = extname(path).toLowerCase();
  const text = readFileSync(path, 'utf8');
  if (ext === '.msh') return readMsh(text);
  if (ext === '.vtu') {
    const v = readVtu(text);
    const region = v.cellData.region?.values;
    const nCells = v.cells.length / ({ hex8: 8, tet4: 4, tet10: 10 } as const)[v.cellType];
    return {
      nodes: v.nodes,
      cells: v.cells,
      cellType: v.cellType,
      materialIds: region ? Uint16Array.from(region as ArrayLike<number>) : new Uint16Array(nCells),
      nodeSets: {},
      faceSets: {},
    };
  }
  throw new CliUsageError(`cannot read '${path}': expected a .msh or .vtu mesh`);
}

/**
 * JSON job for `spinefea solve`: the model minus the mesh, plus one load case.
 * Materials are listed by material id (or by region name when the mesh has names).
 */
export interface SolveJob {
  materials: Material[] | Record<string, Material>;
  displacementBcs?: FeModel['displacementBcs'];
  referenceNodes?: FeModel['referenceNodes'];
  referenceBcs?: FeModel['referenceBcs'];
  couplings?: FeModel['couplings'];
  loadCase: LoadCase & { nodalForces?: { nodes: number[]; forces: number[] }[] };
}

function toModel(mesh: Mesh, job: SolveJob): { model: FeModel; loadCase: LoadCase } {
  let materials: Material[];
  if (Array.isArray(job.materials)) materials = job.materials;
  else {
    const names = mesh.regionNames ?? [];
    materials = names.map((n, id) => {
      const m = (job.materials as Record<string, Material>)[n];
      if (!m) throw new CliUsageError(`no material given for region '${n}' (id ${id})`);
      return m;
    });
  }
  const model: FeModel = {
    mesh,
    materials,
    displacementBcs: job.displacementBcs,
    referenceNodes: job.referenceNodes,
    referenceBcs: job.referenceBcs,
    couplings: job.couplings,
  };
  const lc = job.loadCase ?? {};
  const loadCase: LoadCase = {
    ...lc,
    nodalForces: lc.nodalForces?.map((nf) => ({ nodes: Uint32Array.from(nf.nodes), forces: Float64Array.from(nf.forces) })),
  };
  return { model, loadCase };
}

/** `spinefea solve`: solve a mesh file under a JSON job and write the results. */
export const solveCommand: Command = {
  name: 'solve',
  summary: 'solve a mesh file (.msh or .vtu) under a JSON job (materials, constraints, one load case)',
  usage: 'spinefea solve <mesh.msh|mesh.vtu> --job job.json [--out out] [--preconditioner amg|block-jacobi|jacobi|none] [--tolerance 1e-8] [--backend cpu|webgpu|gpujs|auto]',
  options: {
    job: { type: 'string', description: 'JSON job file (required)' } as never,
    out: { type: 'string', default: 'out', description: 'output folder (default out)' } as never,
    preconditioner: {
      type: 'string',
      default: 'amg',
      description: 'amg (default: smoothed aggregation with rigid-body modes) | block-jacobi | jacobi | none (amg also runs the V-cycle on the GPU backends)',
    } as never,
    tolerance: { type: 'string', default: '1e-8', description: 'relative residual to reach' } as never,
    backend: BACKEND_OPTION,
  },
  async run(values, positionals) {
    const meshPath = positionals[0];
    if (!meshPath) throw new CliUsageError('missing the mesh file argument');
    if (!values.job) throw new CliUsageError('missing --job <job.json>');
    const pre = String(values.preconditioner);
    if (!['amg', 'block-jacobi', 'jacobi', 'none'].includes(pre)) throw new CliUsageError(`--preconditioner must be amg, block-jacobi, jacobi or none, got '${pre}'`);
    const backend = backendOption(values);
    const tol = Number(values.tolerance);
    if (!(tol > 0 && tol < 1)) throw new CliUsageError(`--tolerance must be a number in (0, 1), got '${values.tolerance}'`);
    let job: SolveJob;
    try {
      job = JSON.parse(readFileSync(String(values.job), 'utf8')) as SolveJob;
    } catch (e) {
      throw new CliUsageError(`cannot read job '${values.job}': ${(e as Error).message}`);
    }
    const mesh = readMeshFile(meshPath);
    const { model, loadCase } = toModel(mesh, job);
    const t0 = performance.now();
    const prepared = prepareModel(model, {
      preconditioner: pre as PreconditionerChoice,
      tolerance: tol,
      backend,
      onProgress: (p) => {
        if (p.iteration !== undefined) process.stderr.write(`\r  ${p.phase}: iteration ${p.iteration}, residual ${p.relativeResidual?.toExponential(2)}   `);
        else process.stderr.write(`\r  ${p.phase}…                                  `);
      },
    });
    const sol = prepared.solve(loadCase);
    process.stderr.write('\n');
    const b = sol.solver.backend;
    if (b) process.stderr.write(`solved on ${b.used}${b.adapter ? ` (${b.adapter})` : ''}: ${b.reason}\n`);
    const fields = resultFields(mesh, prepared.dMatrices, sol.displacement);
    const out = String(values.out);
    mkdirSync(out, { recursive: true });
    const stem = basename(meshPath, extname(meshPath));
    writeFileSync(join(out, `${stem}-results.vtu`), resultsToVtu(mesh, sol.displacement, fields));
    let umax = 0;
    for (let i = 0; i < sol.displacement.length; i += 3) umax = Math.max(umax, Math.hypot(sol.displacement[i], sol.displacement[i + 1], sol.displacement[i + 2]));
    // a loop, not Math.max(...array): spreading 150k+ values overflows the call stack (RangeError)
    let vmMax = -Infinity;
    for (const v of fields.cellVonMises) vmMax = Math.max(vmMax, v);
    const summary = {
      mesh: meshPath,
      nodes: mesh.nodes.length / 3,
      cells: fields.cellVonMises.length,
      maxDisplacementMm: umax,
      maxVonMisesMPa: vmMax,
      reactionResultant: sol.reactionResultant,
      referenceMotion: sol.referenceMotion,
      solver: sol.solver,
      wallMs: performance.now() - t0,
    };
    writeFileSync(join(out, `${stem}-summary.json`), JSON.stringify(summary, null, 2));
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  },
};
