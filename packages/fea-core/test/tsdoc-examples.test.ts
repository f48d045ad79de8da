/**
 * Every TSDoc `@example` under packages/fea-core/src compiles against the code it documents,
 * so an example cannot rot when a signature changes.
 *
 * Each example becomes a module of its own (never written to disk) and is type-checked with
 * the repository's strict compiler options. Names an example uses without importing them are
 * imported for it from the file it documents and from the public entry points
 * (`@spinefea/core` and its sub-paths, `@spinefea/mesh`). The few inputs examples take as
 * given (`mesh`, `K`, `model`, `prepared`, …) are declared once, with their real types, in
 * the context below; any other undeclared name is an error.
 */
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CORE_DIR, REPO_ROOT, createProgram, moduleExports } from './support/typescript-program.js';

/** The inputs examples take as given, with the types they have in real use. */
const CONTEXT = `
import type { CellType, Mesh } from '@spinefea/mesh';
import type { ElementFields, FeModel, LoadCase, Material, PreparedModel, SpineFeModel, SpringSet, StaticSolution } from '@spinefea/core';
import type { ConstraintTransform, ElementFamily, ShapeTable, StiffnessPattern } from '@spinefea/core/fem';
import type { Bsr3Matrix, CsrMatrix, LinearOperator, Preconditioner, Sbsr3Matrix } from '@spinefea/core/linalg';
import type { DeviceKernels, DeviceMatrix, DeviceVector } from '@spinefea/core/gpu';
import type { AmgOptions, AmgPreconditioner } from '@spinefea/core/solvers';
declare global {
  // A mesh (mm), a model, a load case, a prepared model, its solution and fields.
  var mesh: Mesh;
  var cellType: CellType;
  var model: FeModel;
  var loadCase: LoadCase;
  var materials: Material[];
  var springs: SpringSet;
  var active: Uint8Array;
  var prepared: PreparedModel;
  var sol: StaticSolution;
  var spine: SpineFeModel;
  var fields: ElementFields;
  var transform: ConstraintTransform;
  var family: ElementFamily;
  var pattern: StiffnessPattern;
  var dLookup: (cell: number) => Float64Array;
  var boneCells: Uint32Array;
  var rodCells: Uint32Array;
  var topVertebraNodes: Uint32Array;
  var field: Float64Array;
  var weights: Float64Array;
  // Matrices (N/mm), vectors (N, mm), sizes and indices.
  var K: CsrMatrix;
  var A: CsrMatrix;
  var Kr: CsrMatrix;
  var T: CsrMatrix;
  var K3: Bsr3Matrix;
  var S: Sbsr3Matrix;
  var rowPtr: Uint32Array;
  var colIdx: Uint32Array;
  var blockPtr: Uint32Array;
  var nearNullSpace: Float64Array;
  var op: LinearOperator;
  var m: Preconditioner;
  var f: Float64Array;
  var b: Float64Array;
  var u: Float64Array;
  var x: Float64Array;
  var y: Float64Array;
  var z: Float64Array;
  var p: Float64Array;
  var r: Float64Array;
  var invD: Float64Array;
  var beta: number;
  var rz: number;
  var accs: Float64Array[];
  var starts: Int32Array;
  var i: number;
  var n: number;
  var nodes: number;
  var nodeCount: number;
  var displacement: Float64Array;
  var stress: Float64Array;
  // Element kernels' work arrays: D (6×6, MPa), coordinates xe / face coordinates xf (mm), displacements ue (mm), …
  var D: Float64Array;
  var xe: Float64Array;
  var ue: Float64Array;
  var xf: Float64Array;
  var grad: Float64Array;
  var wgrad: Float64Array;
  var c4: Float64Array;
  var ke: Float64Array;
  var strain: Float64Array;
  var ff: Float64Array;
  var fe: Float64Array;
  var fn: Float64Array;
  var t: Float64Array;
  var detJ: number;
  var q: number;
  var table: ShapeTable;
  var quad: ShapeTable;
  var tri: ShapeTable;
  // Files and results read back.
  var text: string;
  var dat: string;
  // Devices.
  var device: GPUDevice;
  var k: DeviceKernels<DeviceVector, DeviceMatrix>;
  var amg: AmgPreconditioner;
  var amgOptions: AmgOptions;
}
export {};
`;

/** Inputs of a different type in one file's examples (module scope shadows the context). */
const FILE_CONTEXT: Record<string, string> = {
  // The WebGPU matrix format is f32.
  'backend/webgpu.ts': 'declare const x: Float32Array; declare const y: Float32Array;',
};

/** Node built-ins examples use without importing them. */
const NODE_BUILTINS: Record<string, string> = { readFileSync: 'node:fs', writeFileSync: 'node:fs', readFile: 'node:fs/promises' };
interface Example {
  file: string;
  line: number;
  code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The fenced ```ts blocks after `@example` tags, with the line each starts on. */
function examplesOf(file: string): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example/.test(lines[i])) continue;
    let j = i + 1;
    while (j < lines.length && !/^\s*\*\s*```/.test(lines[j])) j++;
    const start = j + 1;
    let k = start;
    while (k < lines.length && !/^\s*\*\s*```\s*$/.test(lines[k])) k++;
    const code = lines.slice(start, k).map((l) => l.replace(/^\s*\*( |$)/, '')).join('\n');
    out.push({ file, line: start + 1, code });
    i = k;
  }
  return out;
}

/** Names an example declares or imports at its top level. */
function declaredNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) names.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) names.add(st.name.text);
    else if (ts.isImportDeclaration(st) && st.importClause) {
      if (st.importClause.name) names.add(st.importClause.name.text);
      const nb = st.importClause.namedBindings;
      if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) names.add(e.name.text);
      if (nb && ts.isNamespaceImport(nb)) names.add(nb.name.text);
    }
  }
  return names;
}

function identifiers(sf: ts.SourceFile): Set<string> {
  const ids = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) ids.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return ids;
}

const PUBLIC_ENTRIES: [string, string][] = [
  ['@spinefea/core', 'src/index.ts'],
  ['@spinefea/core/fem', 'src/api/fem.ts'],
  ['@spinefea/core/linalg', 'src/api/linalg.ts'],
  ['@spinefea/core/solvers', 'src/api/solvers.ts'],
  ['@spinefea/core/gpu', 'src/api/gpu.ts'],
  ['@spinefea/core/io', 'src/api/io.ts'],
];

describe('TSDoc examples of @spinefea/core', () => {
  const files = sourceFiles(join(CORE_DIR, 'src'));
  const examples = files.flatMap(examplesOf);

  it(`all ${examples.length} @example blocks compile`, () => {
    // Which module exports each name: the public entries first, then @spinefea/mesh.
    const base = createProgram([...PUBLIC_ENTRIES.map(([, f]) => join(CORE_DIR, f)), ...files, join(REPO_ROOT, 'packages/mesh/src/index.ts')]);
    // name → [module, type-only]: the public entries first, then @spinefea/mesh, then any source
    // file of the package (examples of internal helpers may use other internals).
    const known = new Map<string, [string, boolean]>();
    const add = (spec: string, file: string): void => {
      for (const e of moduleExports(base, file)) if (!known.has(e.name)) known.set(e.name, [spec, e.kind === 'interface' || e.kind === 'type']);
    };
    for (const [spec, f] of PUBLIC_ENTRIES) add(spec, join(CORE_DIR, f));
    add('@spinefea/mesh', join(REPO_ROOT, 'packages/mesh/src/index.ts'));
    for (const [name, spec] of Object.entries(NODE_BUILTINS)) known.set(name, [spec, false]);

    const dir = join(CORE_DIR, 'test', '.tsdoc-examples');
    const internal = new Map<string, [string, boolean]>();
    for (const file of files) {
      for (const e of moduleExports(base, file)) {
        if (!internal.has(e.name)) internal.set(e.name, ['./' + relative(dir, file).replace(/\.ts$/, '.js'), e.kind === 'interface' || e.kind === 'type']);
      }
    }
    const virtual = new Map<string, string>([[join(dir, 'context.d.ts'), CONTEXT]]);
    const origin = new Map<string, Example>();
    for (const [i, ex] of examples.entries()) {
      const sf = ts.createSourceFile('example.ts', ex.code, ts.ScriptTarget.ES2022, true);
      const declared = declaredNames(sf);
      const relSpec = (file: string): string => './' + relative(dir, file).replace(/\.ts$/, '.js');
      const own = new Map(moduleExports(base, ex.file).map((e) => [e.name, [relSpec(ex.file), e.kind === 'interface' || e.kind === 'type'] as [string, boolean]]));
      const local = FILE_CONTEXT[relative(join(CORE_DIR, 'src'), ex.file)] ?? '';
      const bySpec = new Map<string, string[]>();
      for (const id of identifiers(sf)) {
        if (declared.has(id) || local.includes(` ${id}:`)) continue;
        const hit = own.get(id) ?? known.get(id) ?? internal.get(id);
        if (!hit) continue;
        const [spec, typeOnly] = hit;
        if (!bySpec.has(spec)) bySpec.set(spec, []);
        bySpec.get(spec)!.push(typeOnly ? `type ${id}` : id);
      }
      const imports = [...bySpec].map(([spec, names]) => `import { ${names.join(', ')} } from '${spec}';`);
      const name = join(dir, `example-${String(i).padStart(3, '0')}.ts`);
      // Imports and file context on the first line, then the example at its own line numbers.
      virtual.set(name, `${imports.join(' ')} ${local}\n${ex.code}\nexport {};\n`);
      origin.set(name, ex);
    }
    const program = createProgram([], virtual);
    const failures: string[] = [];
    for (const [name, ex] of origin) {
      const sf = program.getSourceFile(name)!;
      for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
        const line = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start).line : 0;
        const where = `${relative(REPO_ROOT, ex.file)}:${ex.line + Math.max(0, line - 1)}`;
        failures.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
