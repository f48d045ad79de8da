/**
 * Stiffness assembly throughput at ≥ 1M DOF: elements per second for hex8
 * and tet10 (tet4 on request), with the sparsity pattern timed separately
 * from the value assembly (a pattern is built once per mesh and reused for
 * every material change or active-set pass), the element kernel timed alone
 * (so kernel vs scatter cost is visible), and the constraint elimination
 * (`K_r = Tᵀ·K·T`) timed as symbolic + numeric and numeric only.
 *
 * Meshes: unit cube, bottom face zmin fixed (the pcg-vs-scipy problem).
 *   hex8:  69³ cells → 70³ nodes = 1,029,000 DOF
 *   tet10: 35³ hexes × 6 tets = 257,250 cells → 71³ nodes = 1,073,733 DOF
 *   tet4:  69³ hexes × 6 tets = 1,971,054 cells → 1,029,000 DOF
 *
 * Run: `cd /work/main && node --conditions=@spinefea/source --import tsx packages/benchmarks/src/assembly-throughput.ts [--types hex8,tet10] [--quick] [--repeats 2] [--no-write]`
 *   --quick    ~30k DOF meshes (smoke test)
 *   --repeats  measured value assemblies per mesh (best is reported; default 2)
 */
import { boxMesh, type CellType, type Mesh } from '@spinefea/mesh';
import { type FeModel } from '@spinefea/core';
import {
  assembleStiffness,
  buildConstraintTransform,
  buildStiffnessPattern,
  constitutiveMatrix,
  elementFamily,
  reduceStiffness,
  reduceStiffnessValues,
  type ElementFamily,
} from '@spinefea/core/fem';
import { commandLine, fmt, log, machineInfo, markdownTable, numberFlag, parseFlags, rssMiB, timed, writeResults } from './common.js';

/** Hex divisions per side giving ≥ 1M DOF (full, before constraints), by cell type. */
const FULL_DIVISIONS: Record<CellType, number> = { hex8: 69, tet4: 69, tet10: 35 };
const QUICK_DIVISIONS: Record<CellType, number> = { hex8: 20, tet4: 20, tet10: 10 };

interface AssemblyResult {
  cellType: CellType;
  divisions: number;
  cells: number;
  nodes: number;
  dofs: number;
  nnz: number;
  reducedDofs: number;
  reducedNnz: number;
  meshMs: number;
  patternMs: number;
  /** Best value assembly (`assembleStiffness`), ms. */
  assembleMs: number;
  assembleSamplesMs: number[];
  /** Element kernel alone (gather + `family.stiffness`, no scatter), ms. */
  kernelMs: number;
  elementsPerSecond: number;
  kernelElementsPerSecond: number;
  transformMs: number;
  /** `reduceStiffness` (symbolic + numeric), ms. */
  reduceMs: number;
  /** `reduceStiffnessValues` (numeric only, structure reused), ms. */
  reduceValuesMs: number;
  /** Matrix memory (CSR: 12 B per nonzero + row pointers), MiB. */
  matrixMiB: number;
  rssMiB: number;
}

const flags = parseFlags();
const types = (typeof flags.types === 'string' ? flags.types.split(',') : ['hex8', 'tet10']) as CellType[];
for (const t of types) if (!(t in FULL_DIVISIONS)) throw new Error(`--types: unknown cell type '${t}' (hex8, tet4, tet10)`);
const repeats = numberFlag(flags, 'repeats', 2);
const divisionsOf = flags.quick ? QUICK_DIVISIONS : FULL_DIVISIONS;
const D = [constitutiveMatrix({ kind: 'isotropic', E: 1000, nu: 0.3 })];

function cube(cellType: CellType, n: number): Mesh {
  return boxMesh({ size: [1, 1, 1], divisions: [n, n, n], cellType });
}

/** Gather + element stiffness for every cell, without the scatter into K. */
function kernelOnly(mesh: Mesh, family: ElementFamily): void {
  const n = family.nodesPerElement;
  const xe = new Float64Array(3 * n);
  const ke = new Float64Array(9 * n * n);
  const cells = mesh.cells;
  const nodes = mesh.nodes;
  const nCells = cells.length / n;
  for (let c = 0; c < nCells; c++) {
    for (let a = 0; a < n; a++) {
      const p = 3 * cells[c * n + a];
      xe[3 * a] = nodes[p];
      xe[3 * a + 1] = nodes[p + 1];
      xe[3 * a + 2] = nodes[p + 2];
    }
    family.stiffness(xe, D[0], ke);
  }
}

/** JIT warm-up of every timed function on a small mesh of the same type. */
function warmUp(cellType: CellType): void {
  const mesh = cube(cellType, 4);
  const family = elementFamily(cellType);
  for (let i = 0; i < 5; i++) {
    const pattern = buildStiffnessPattern(mesh);
    assembleStiffness(pattern, mesh, family, D);
    kernelOnly(mesh, family);
    const model: FeModel = { mesh, materials: [{ kind: 'isotropic', E: 1000, nu: 0.3 }], displacementBcs: [{ nodes: 'zmin' }] };
    const tr = buildConstraintTransform(model);
    const Kr = reduceStiffness(pattern.matrix, tr);
    reduceStiffnessValues(pattern.matrix, tr, Kr);
  }
}

function bench(cellType: CellType): AssemblyResult {
  const n = divisionsOf[cellType];
  warmUp(cellType);
  log(`${cellType}: ${n}³ box`);
  const { value: mesh, ms: meshMs } = timed(() => cube(cellType, n));
  const family = elementFamily(cellType);
  const cells = mesh.cells.length / family.nodesPerElement;
  const nodes = mesh.nodes.length / 3;
  const { value: pattern, ms: patternMs } = timed(() => buildStiffnessPattern(mesh));
  const K = pattern.matrix;
  log(`  ${fmt(cells)} cells, ${fmt(3 * nodes)} DOF, ${fmt(K.colIdx.length)} nnz; pattern ${patternMs.toFixed(0)} ms, RSS ${rssMiB()} MiB`);
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    samples.push(timed(() => assembleStiffness(pattern, mesh, family, D)).ms);
    log(`  assembly ${samples[r].toFixed(0)} ms`);
  }
  const assembleMs = Math.min(...samples);
  const { ms: kernelMs } = timed(() => kernelOnly(mesh, family));
  log(`  kernel only ${kernelMs.toFixed(0)} ms`);
  const model: FeModel = { mesh, materials: [{ kind: 'isotropic', E: 1000, nu: 0.3 }], displacementBcs: [{ nodes: 'zmin' }] };
  const { value: tr, ms: transformMs } = timed(() => buildConstraintTransform(model));
  const { value: Kr, ms: reduceMs } = timed(() => reduceStiffness(K, tr));
  const { ms: reduceValuesMs } = timed(() => reduceStiffnessValues(K, tr, Kr));
  log(`  transform ${transformMs.toFixed(0)} ms, reduce ${reduceMs.toFixed(0)} ms, re-reduce values ${reduceValuesMs.toFixed(0)} ms`);
  return {
    cellType,
    divisions: n,
    cells,
    nodes,
    dofs: 3 * nodes,
    nnz: K.colIdx.length,
    reducedDofs: Kr.rows,
    reducedNnz: Kr.colIdx.length,
    meshMs,
    patternMs,
    assembleMs,
    assembleSamplesMs: samples,
    kernelMs,
    elementsPerSecond: cells / (assembleMs / 1000),
    kernelElementsPerSecond: cells / (kernelMs / 1000),
    transformMs,
    reduceMs,
    reduceValuesMs,
    matrixMiB: Math.round((12 * K.colIdx.length + 4 * (K.rows + 1)) / 2 ** 20),
    rssMiB: rssMiB(),
  };
}

const machine = machineInfo();
const results: AssemblyResult[] = [];
for (const t of types) {
  results.push(bench(t));
  globalThis.gc?.();
}

const table = markdownTable(
  ['cell type', 'cells', 'DOF', 'nnz', 'pattern ms', 'assembly ms', 'elements/s', 'kernel-only elements/s', 'scatter share', 'transform ms', 'reduce ms', 're-reduce values ms'],
  results.map((r) => [
    `${r.cellType} (${r.divisions}³)`,
    fmt(r.cells),
    fmt(r.dofs),
    fmt(r.nnz),
    fmt(r.patternMs),
    fmt(r.assembleMs),
    fmt(r.elementsPerSecond),
    fmt(r.kernelElementsPerSecond),
    `${fmt(Math.max(0, 100 * (1 - r.kernelMs / r.assembleMs)))} %`,
    fmt(r.transformMs),
    fmt(r.reduceMs),
    fmt(r.reduceValuesMs),
  ]),
);
const notes = [
  'Unit cube, E = 1000 MPa, ν = 0.3, bottom face zmin fixed; single thread.',
  '"pattern" = `buildStiffnessPattern` (node graph, scalar CSR structure, per-cell slot table), built once per mesh.',
  `"assembly" = \`assembleStiffness\` into the existing pattern (gather, element stiffness, scatter), best of ${repeats}; "elements/s" = cells / assembly time.`,
  '"kernel-only" = gather + `family.stiffness` for every cell without the scatter; "scatter share" = 1 − kernel/assembly (the cost of adding Kₑ into K).',
  '"transform" = `buildConstraintTransform` (T, g for u = T·û + g); "reduce" = `reduceStiffness` (symbolic + numeric Tᵀ·K·T); "re-reduce values" = `reduceStiffnessValues` (numeric only, as in an active-set pass).',
];
const markdown = ['## Assembly and reduction throughput', '', table, '', ...notes.map((s) => `- ${s}`)].join('\n');
console.log(`\n${markdown}\n`);
if (flags['no-write'] !== true) {
  const paths = writeResults({
    name: 'assembly-throughput',
    title: 'Stiffness assembly and constraint reduction throughput',
    machine,
    command: commandLine(),
    data: { repeats, results },
    markdown,
  });
  log(`wrote ${paths.json} and ${paths.md}`);
}
