/**
 * Shared helpers of the benchmark scripts: command-line flags, timing with
 * warm-up, Markdown tables, machine metadata, and writing a result as a
 * JSON + Markdown pair under `packages/benchmarks/results/`.
 *
 * Every benchmark writes `results/<name>.json` (machine-readable, with the
 * metadata of {@link machineInfo}) and `results/<name>.md` (the same table
 * for humans), so a result can always be traced to the machine, the Node
 * version and the exact command that produced it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of `packages/benchmarks/`. */
export const BENCH_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of the repository root (`/work/main` here). */
export const REPO_ROOT = resolve(BENCH_ROOT, '..', '..');

/** Where committed results go: `packages/benchmarks/results/`. */
export const RESULTS_DIR = join(BENCH_ROOT, 'results');

/** Scratch space for large intermediate files (git-ignored): `packages/benchmarks/tmp/`. */
export const TMP_DIR = join(BENCH_ROOT, 'tmp');

/** Parsed command-line flags: `--name value` → string, bare `--flag` → true. */
export type Flags = Record<string, string | true>;

/**
 * Parses `--name value`, `--name=value` and bare `--flag` arguments.
 * A flag followed by another `--…` token (or nothing) is boolean `true`.
 *
 * @param argv - arguments after the script (default `process.argv.slice(2)`).
 * @example
 * ```ts
 * const flags = parseFlags(['--sizes', '20,40', '--quick']); // { sizes: '20,40', quick: true }
 * ```
 */
export function parseFlags(argv: readonly string[] = process.argv.slice(2)): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}' (flags are --name value or --flag)`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags[a.slice(2, eq)] = a.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags[a.slice(2)] = next;
      i++;
    } else flags[a.slice(2)] = true;
  }
  return flags;
}

/**
 * Reads a comma-separated list of positive integers from a flag, e.g.
 * `--sizes 20,40,69`; returns `fallback` when the flag is absent.
 *
 * @throws Error naming the flag and the bad entry
 * @example
 * ```ts
 * const sizes = intListFlag(parseFlags(), 'sizes', [20, 40, 69]);
 * ```
 */
export function intListFlag(flags: Flags, name: string, fallback: readonly number[]): number[] {
  const v = flags[name];
  if (v === undefined) return [...fallback];
  if (v === true) throw new Error(`--${name} needs a value such as 10,20,30`);
  return v.split(',').map((s) => {
    const k = Number(s);
    if (!Number.isInteger(k) || k <= 0) throw new Error(`--${name}: '${s}' is not a positive integer`);
    return k;
  });
}

/**
 * Reads one positive number from a flag; `fallback` when absent.
 *
 * @throws Error naming the flag when the value is not a positive finite number
 * @example
 * ```ts
 * const reps = numberFlag(parseFlags(), 'repeats', 5);
 * ```
 */
export function numberFlag(flags: Flags, name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const k = Number(v);
  if (v === true || !(k > 0 && Number.isFinite(k))) throw new Error(`--${name} needs a positive number, got ${String(v)}`);
  return k;
}

/** Summary of repeated timings, all in ms. */
export interface TimingStats {
  /** Fastest sample (least disturbed by the OS; the usual figure for kernels). */
  min: number;
  median: number;
  mean: number;
  /** Every measured sample in run order (warm-up runs excluded). */
  samples: number[];
}

/**
 * Times `fn` after `warmup` unmeasured calls (so V8 has optimised it),
 * `repeats` measured calls.
 *
 * @example
 * ```ts
 * const t = timeIt(() => op.apply(x, y), { warmup: 2, repeats: 10 });
 * console.log(`SpMV ${t.min.toFixed(1)} ms`);
 * ```
 */
export function timeIt(fn: () => void, options: { warmup?: number; repeats?: number } = {}): TimingStats {
  const warmup = options.warmup ?? 1;
  const repeats = Math.max(1, options.repeats ?? 5);
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/**
 * Min/median/mean of a list of samples (ms).
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]).median; // 2
 * ```
 */
export function summarize(samples: readonly number[]): TimingStats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : 0.5 * (s[mid - 1] + s[mid]);
  return { min: s[0], median, mean: s.reduce((a, b) => a + b, 0) / s.length, samples: [...samples] };
}

/**
 * Wall time of one call, ms, and its return value.
 *
 * @example
 * ```ts
 * const { value: pattern, ms } = timed(() => buildStiffnessPattern(mesh));
 * ```
 */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/** Column alignment of {@link markdownTable}. */
export type Align = 'left' | 'right';

/**
 * Formats a GitHub Markdown table with padded columns (readable as plain text too).
 *
 * @param headers - column titles
 * @param rows - cells as strings (format numbers first, e.g. with {@link fmt})
 * @param align - per column; default: first column left, the rest right
 * @example
 * ```ts
 * console.log(markdownTable(['size', 'ms'], [['20', '1.5']]));
 * ```
 */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const cols = headers.length;
  for (const r of rows) if (r.length !== cols) throw new Error(`markdownTable: row has ${r.length} cells, header ${cols}`);
  const al = align ?? headers.map((_, i) => (i === 0 ? 'left' : 'right'));
  const width = headers.map((h, c) => Math.max(3, h.length, ...rows.map((r) => r[c].length)));
  const pad = (s: string, c: number) => (al[c] === 'left' ? s.padEnd(width[c]) : s.padStart(width[c]));
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const sep = `|${width.map((w, c) => (al[c] === 'left' ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(headers), sep, ...rows.map(line)].join('\n');
}

/**
 * Formats a number for a table: `digits` decimals, thousands separated by a
 * commas (`1,014,300`); `—` for undefined/NaN.
 *
 * @example
 * ```ts
 * fmt(1014300); // '1,014,300'
 * fmt(89.123, 1); // '89.1'
 * ```
 */
export function fmt(v: number | undefined | null, digits = 0): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Where and how a benchmark ran. */
export interface MachineInfo {
  /** ISO date-time of the run. */
  date: string;
  /** `os.cpus()[0].model`. */
  cpu: string;
  /** Logical cores (`os.cpus().length`). */
  cores: number;
  /** Total / free memory at start, GiB. */
  memoryGiB: number;
  freeMemoryGiB: number;
  os: string;
  /**
   * 1/5/15-minute load averages at the time of the call. Above ~0.5 on an
   * idle machine means other processes competed for the cores and the
   * timings are pessimistic.
   */
  loadAverage: number[];
  node: string;
  v8: string;
  /** `git rev-parse --short HEAD` (with `+dirty` when the tree has changes), if available. */
  commit?: string;
}

/**
 * Metadata of the current machine and process.
 *
 * @example
 * ```ts
 * const m = machineInfo(); // { cpu: 'AMD EPYC …', cores: 2, node: 'v20.20.2', … }
 * ```
 */
export function machineInfo(): MachineInfo {
  const c = cpus();
  const info: MachineInfo = {
    date: new Date().toISOString(),
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    v8: process.versions.v8,
  };
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (head.status === 0) {
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: REPO_ROOT, encoding: 'utf8' });
    info.commit = head.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() ? '+dirty' : '');
  }
  return info;
}

/**
 * The command line that started this process, relative to the repository
 * root, in a form that can be pasted to re-run it.
 *
 * @example
 * ```ts
 * commandLine(); // 'node --conditions=@spinefea/source --import tsx packages/benchmarks/src/pcg-vs-scipy.ts --quick'
 * ```
 */
export function commandLine(): string {
  const script = relative(REPO_ROOT, process.argv[1] ?? '');
  return ['node', ...process.execArgv, script, ...process.argv.slice(2)].join(' ');
}

/** What {@link writeResults} stores. */
export interface BenchmarkResult<T> {
  /** File stem: results/<name>.json and .md. */
  name: string;
  /** Heading of the Markdown file. */
  title: string;
  /** Machine metadata, usually {@link machineInfo}(). */
  machine: MachineInfo;
  /** The command that reproduces the run. */
  command: string;
  /** Extra versions (e.g. `{ scipy: '1.17.1' }`). */
  versions?: Record<string, string>;
  /** Benchmark-specific data (serialised as is). */
  data: T;
  /** Markdown body: tables and notes (the heading and metadata are added). */
  markdown: string;
}

/**
 * Writes `results/<name>.json` and `results/<name>.md` and returns their paths.
 * The Markdown starts with the title and a metadata line (date, CPU, cores,
 * memory, Node, other versions, command).
 *
 * @example
 * ```ts
 * writeResults({ name: 'demo', title: 'Demo', machine: machineInfo(), command: commandLine(), data: {}, markdown: table });
 * ```
 */
export function writeResults<T>(result: BenchmarkResult<T>, dir: string = RESULTS_DIR): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${result.name}.json`);
  const md = join(dir, `${result.name}.md`);
  const { markdown, ...rest } = result;
  writeFileSync(json, JSON.stringify(rest, null, 2) + '\n');
  writeFileSync(md, `# ${result.title}\n\n${metadataMarkdown(result)}\n\n${markdown.trim()}\n`);
  return { json, md };
}

/**
 * The metadata block of a result as Markdown bullet lines.
 *
 * @example
 * ```ts
 * console.log(metadataMarkdown({ machine: machineInfo(), command: commandLine() }));
 * ```
 */
export function metadataMarkdown(r: { machine: MachineInfo; command: string; versions?: Record<string, string> }): string {
  const m = r.machine;
  const versions = Object.entries({ node: m.node, ...(r.versions ?? {}) })
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `- Date: ${m.date.slice(0, 10)} (${m.date})`,
    `- Machine: ${m.cpu}, ${m.cores} logical cores, ${m.memoryGiB} GiB RAM, ${m.os}; load average at start ${m.loadAverage.join(' / ')}`,
    `- Versions: ${versions}${m.commit ? `; spinefea commit ${m.commit}` : ''}`,
    `- Command: \`${r.command}\``,
  ].join('\n');
}

/**
 * Current resident set size of this process, MiB (for memory notes in tables).
 *
 * @example
 * ```ts
 * console.log(`RSS ${rssMiB()} MiB`);
 * ```
 */
export function rssMiB(): number {
  return Math.round(process.memoryUsage.rss() / 2 ** 20);
}

/**
 * Logs a progress line to stderr with the elapsed time since the process started,
 * keeping stdout for the tables.
 *
 * @example
 * ```ts
 * log('assembling 69³ hex8');
 * ```
 */
export function log(message: string): void {
  process.stderr.write(`[${(performance.now() / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}
