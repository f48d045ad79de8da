/**
 * A TypeScript program over the package sources, as `tsc` sees them (the repository's
 * compiler options, `@spinefea/source` condition), for tests that inspect exports or
 * compile generated code: the API report and the TSDoc examples.
 */
import ts from 'typescript';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The fea-core package directory. */
export const CORE_DIR = join(REPO_ROOT, 'packages/fea-core');

/** The compiler options of tsconfig.json (strict, NodeNext, `@spinefea/source`). */
export function compilerOptions(): ts.CompilerOptions {
  const configPath = join(REPO_ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO_ROOT);
  return { ...parsed.options, noEmit: true };
}

/**
 * A program over `rootNames`, where `virtual` maps extra absolute file names to their text
 * (generated files that never touch the disk).
 */
export function createProgram(rootNames: string[], virtual: Map<string, string> = new Map()): ts.Program {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile.call(host, f, lang, onError, create);
  };
  return ts.createProgram({ rootNames: [...rootNames, ...virtual.keys()], options, host });
}

/** One export of an entry point: its name and what it is. */
export interface ExportInfo {
  name: string;
  kind: 'class' | 'function' | 'const' | 'interface' | 'type' | 'enum' | 'namespace';
  /** The source file that declares it, relative to the package's src/. */
  from: string;
}

/** The exports of a module file, sorted by name. */
export function moduleExports(program: ts.Program, file: string): ExportInfo[] {
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error(`${file} is not in the program`);
  const mod = checker.getSymbolAtLocation(sf);
  if (!mod) return [];
  return checker
    .getExportsOfModule(mod)
    .map((s) => {
      const r = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      const f = r.flags;
      const kind: ExportInfo['kind'] =
        f & ts.SymbolFlags.Class ? 'class'
        : f & ts.SymbolFlags.Function ? 'function'
        : f & ts.SymbolFlags.Variable ? 'const'
        : f & ts.SymbolFlags.Enum ? 'enum'
        : f & ts.SymbolFlags.Interface ? 'interface'
        : f & ts.SymbolFlags.TypeAlias ? 'type'
        : 'namespace';
      const decl = r.declarations?.[0]?.getSourceFile().fileName ?? '';
      return { name: s.name, kind, from: decl.replace(/.*\/packages\/fea-core\/src\//, '') };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
