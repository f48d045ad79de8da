/**
 * The surrogate subcommands: `sweep` (solve design points into a JSONL
 * dataset), `train` (fit the tfjs ensemble), `predict` (one case through a
 * model) and `evaluate` (metrics, baselines, speed, explanations → Markdown + JSON).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CONFIGURATIONS,
  DEFAULT_MODEL_PATH,
  evaluateSurrogate,
  loadNoiseCeiling,
  evaluationMarkdown,
  loadSurrogate,
  QueueConnectionError,
  readRecords,
  runSweep,
  SurrogateInputError,
  trainSurrogate,
  usableRecords,
  useSurrogateBackend,
  type Configuration,
  type SweepRecord,
} from '@spinefea/surrogate';
import { CliUsageError } from './cli-error.js';
import type { Command } from './commands.js';

/** An integer option in [lo, hi], else a usage error naming it. */
export function intOption(values: Record<string, unknown>, name: string, lo: number, hi: number): number {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new CliUsageError(`--${name} must be an integer in [${lo}, ${hi}], got '${String(values[name])}'`);
  return v;
}

function numOption(values: Record<string, unknown>, name: string, lo: number, hi: number): number {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < lo || v > hi) throw new CliUsageError(`--${name} must be a number in [${lo}, ${hi}], got '${String(values[name])}'`);
  return v;
}

function required(values: Record<string, unknown>, name: string, what: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new CliUsageError(`--${name} is required (${what})`);
  return v;
}

function readDatasets(spec: string): SweepRecord[] {
  const out: SweepRecord[] = [];
  for (const f of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    let recs;
    try {
      recs = readRecords(f);
    } catch (e) {
      throw new CliUsageError(`cannot read --data '${f}': ${(e as Error).message}`);
    }
    if (recs.records.length === 0) throw new CliUsageError(`--data '${f}' has no records (missing or empty file)`);
    out.push(...recs.records);
  }
  return out;
}

/** `spinefea sweep`. */
export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'solve design points from a seeded Sobol/LHS design into a resumable JSONL dataset (worker pool, progress on stderr)',
  usage: 'spinefea sweep --points 2000 --out data/sweep.jsonl.gz [--resolution 2] [--sampler sobol] [--seed 1] [--start 0] [--workers N] [--grid-shift 0.5,0.5,0.5] [--configurations screws-rods,screws-rods-cage] [--queue redis://[user:password@]host:port/db]',
  options: {
    points: { type: 'string', description: 'number of design points (indices start … start+points−1)' } as never,
    out: { type: 'string', description: 'output .jsonl or .jsonl.gz (a data card .card.json is written beside it)' } as never,
    resolution: { type: 'string', default: '2', description: 'voxel size in mm, 0.25–2 (default 2)' } as never,
    sampler: { type: 'string', default: 'sobol', description: 'sobol | lhs (default sobol)' } as never,
    seed: { type: 'string', default: '1', description: 'sampler seed (default 1)' } as never,
    start: { type: 'string', default: '0', description: 'first design point index, to shard a sweep (default 0)' } as never,
    workers: { type: 'string', description: `worker processes (default: all ${availableParallelism()} cores)` } as never,
    preconditioner: { type: 'string', default: 'amg', description: 'amg | block-jacobi (default amg)' } as never,
    'max-iterations': { type: 'string', description: 'PCG iteration cap per solve' } as never,
    'retry-failed': { type: 'boolean', description: 'solve again the points recorded as failed' } as never,
    'grid-shift': { type: 'string', description: 'shift of the voxel grid, fractions of a voxel x,y,z each in [0, 1): a replicate of the same design points on another grid (train and evaluate average replicates)' } as never,
    configurations: { type: 'string', description: `solve only these configurations, comma-separated (${CONFIGURATIONS.join(', ')})` } as never,
    quiet: { type: 'boolean', description: 'no progress bar' } as never,
    queue: { type: 'string', description: 'coordinate `spinefea worker`s through Redis instead of solving here: redis://[user:password@]host:port/db or rediss:// (TLS)' } as never,
    'queue-name': { type: 'string', default: 'spinefea-sweep', description: 'BullMQ queue name, the same as the workers\' (default spinefea-sweep)' } as never,
    attempts: { type: 'string', default: '3', description: 'with --queue: attempts of a point whose solve crashes before it is recorded as failed (default 3)' } as never,
  },
  async run(values) {
    const points = intOption({ points: required(values, 'points', 'number of design points') }, 'points', 1, 1_000_000);
    const out = required(values, 'out', 'output file, .jsonl or .jsonl.gz');
    if (!/\.jsonl(\.gz)?$/.test(out)) throw new CliUsageError(`--out must end in .jsonl or .jsonl.gz, got '${out}'`);
    const sampler = String(values.sampler);
    if (sampler !== 'sobol' && sampler !== 'lhs') throw new CliUsageError(`--sampler must be sobol or lhs, got '${sampler}'`);
    const preconditioner = String(values.preconditioner);
    if (preconditioner !== 'amg' && preconditioner !== 'block-jacobi') throw new CliUsageError(`--preconditioner must be amg or block-jacobi, got '${preconditioner}'`);
    let gridShift: [number, number, number] | undefined;
    if (values['grid-shift'] !== undefined) {
      const v = String(values['grid-shift']).split(',').map(Number);
      if (v.length !== 3 || v.some((x) => !(x >= 0 && x < 1))) throw new CliUsageError(`--grid-shift must be three fractions of a voxel in [0, 1), e.g. 0.5,0.5,0.5; got '${values['grid-shift']}'`);
      gridShift = v as [number, number, number];
    }
    let configurations: Configuration[] | undefined;
    if (values.configurations !== undefined) {
      configurations = String(values.configurations).split(',').map((c) => c.trim()) as Configuration[];
      const bad = configurations.filter((c) => !(CONFIGURATIONS as readonly string[]).includes(c));
      if (bad.length || !configurations.length) throw new CliUsageError(`--configurations: unknown '${bad.join(', ')}' (choose from ${CONFIGURATIONS.join(', ')})`);
    }
    const queue = values.queue === undefined ? undefined : { url: String(values.queue), name: String(values['queue-name']), attempts: intOption(values, 'attempts', 1, 100) };
    if (queue && values.workers !== undefined) throw new CliUsageError('--workers has no effect with --queue: the workers solve (give each `spinefea worker` its --concurrency)');
    mkdirSync(dirname(out), { recursive: true });
    const s = await runSweep({
      ...(queue ? { queue } : {}),
      ...(gridShift ? { gridShift } : {}),
      ...(configurations ? { configurations } : {}),
      out,
      points,
      resolution: numOption(values, 'resolution', 0.25, 2),
      sampler,
      seed: intOption(values, 'seed', 0, 2 ** 31 - 1),
      start: intOption(values, 'start', 0, 1e9),
      workers: values.workers === undefined ? undefined : intOption(values, 'workers', 1, 1024),
      preconditioner,
      maxIterations: values['max-iterations'] === undefined ? undefined : intOption(values, 'max-iterations', 1, 1e7),
      retryFailed: Boolean(values['retry-failed']),
      progress: !values.quiet,
    }).catch((e) => {
      // a bad queue URL or an unreachable Redis is the user's to fix: exit code 2
      throw e instanceof QueueConnectionError ? new CliUsageError(e.message) : e;
    });
    console.log(`${s.file}: ${s.total} design points, ${s.skipped} already done, ${s.solved} solved now (${s.ok} ok, ${s.failed} failed) in ${s.wallSeconds.toFixed(1)} s; ${s.meanPointSeconds.toFixed(1)} s per point per worker. Data card: ${s.card}`);
    return 0;
  },
};

/** `spinefea train`. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train the surrogate ensemble (tfjs MLPs: regressor + instability classifier) on sweep records, save a JSON model',
  usage: 'spinefea train --data data/sweep.jsonl.gz[,more.jsonl] --out model.json [--members 5] [--epochs 400] [--hidden 64,64] [--seed 1]',
  options: {
    data: { type: 'string', description: 'sweep file(s), comma-separated (.jsonl or .jsonl.gz)' } as never,
    out: { type: 'string', description: `model file to write (the shipped one: ${DEFAULT_MODEL_PATH})` } as never,
    members: { type: 'string', default: '5', description: 'ensemble members (default 5)' } as never,
    epochs: { type: 'string', default: '400', description: 'maximum epochs (early stopping; default 400)' } as never,
    hidden: { type: 'string', default: '64,64', description: 'hidden layer widths (default 64,64)' } as never,
    seed: { type: 'string', default: '1', description: 'base seed (default 1)' } as never,
    backend: { type: 'string', default: 'wasm', description: 'tfjs backend: wasm | cpu (default wasm)' } as never,
  },
  async run(values) {
    const data = required(values, 'data', 'sweep file(s)');
    const out = required(values, 'out', 'model file to write');
    const backend = String(values.backend);
    if (backend !== 'wasm' && backend !== 'cpu') throw new CliUsageError(`--backend must be wasm or cpu, got '${backend}'`);
    const hidden = String(values.hidden).split(',').map((s) => Number(s));
    if (!hidden.length || hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 4096)) throw new CliUsageError(`--hidden must be comma-separated widths (1–4096), got '${String(values.hidden)}'`);
    const records = readDatasets(data);
    const used = await useSurrogateBackend(backend);
    const points = usableRecords(records);
    const replicated = points.filter((r) => (r.replicates ?? 1) > 1).length;
    console.error(`training on ${records.length} records: ${points.length} usable design points${replicated ? ` (${replicated} averaged over shifted grids)` : ''}, tfjs backend ${used}`);
    const model = await trainSurrogate(records, {
      members: intOption(values, 'members', 1, 100),
      epochs: intOption(values, 'epochs', 1, 100_000),
      hidden,
      seed: intOption(values, 'seed', 0, 2 ** 31 - 1),
      source: data,
      onProgress: (m) => console.error(`  ${m}`),
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(model.toJson()) + '\n');
    console.log(`wrote ${out} (${model.ensembleSize} members, trained on ${model.json.trainedOn.ok} design points)`);
    model.dispose();
    return 0;
  },
};

/** `spinefea predict`. */
export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict the clinical figures of one design point with a surrogate model (values, ensemble SD, OOD flag)',
  usage: "spinefea predict case.json [--model model.json] [--json]   or   spinefea predict --case '{\"level\":\"L4\",…}'",
  options: {
    case: { type: 'string', description: 'the design point as inline JSON (instead of a file)' } as never,
    model: { type: 'string', description: `model file (default: the shipped ${DEFAULT_MODEL_PATH})` } as never,
    json: { type: 'boolean', description: 'print the prediction as JSON' } as never,
  },
  async run(values, positionals) {
    let text: string;
    if (values.case !== undefined) text = String(values.case);
    else if (positionals[0]) {
      try {
        text = readFileSync(positionals[0], 'utf8');
      } catch (e) {
        throw new CliUsageError(`cannot read case file '${positionals[0]}': ${(e as Error).message}`);
      }
    } else throw new CliUsageError('give the design point as a JSON file or with --case (see docs/surrogate.md for the inputs)');
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (e) {
      throw new CliUsageError(`the case is not JSON: ${(e as Error).message}`);
    }
    const model = await loadSurrogate(values.model ? String(values.model) : undefined);
    let r;
    try {
      r = model.predict(input);
    } catch (e) {
      model.dispose();
      // a bad case is the user's input: exit code 2 with the input's name and what is wrong
      if (e instanceof SurrogateInputError) throw new CliUsageError(`bad case — ${e.message}`);
      throw e;
    }
    if (values.json) console.log(JSON.stringify(r, null, 2));
    else {
      const lines = [`surrogate prediction (${model.ensembleSize}-member ensemble, trained on ${model.json.trainedOn.ok} simulated design points)`];
      for (const [name, v] of Object.entries(r.outputs)) lines.push(`  ${name.padEnd(28)} ${v ? `${v.value.toPrecision(4)} ± ${v.sd.toPrecision(2)} ${v.unit}` : '— (not instrumented)'}`);
      lines.push(`  ${'unstable'.padEnd(28)} p = ${r.unstable.probability.toFixed(3)} ± ${r.unstable.sd.toFixed(3)} → ${r.unstable.predicted ? 'UNSTABLE' : 'stable'} (threshold ${r.unstable.threshold})`);
      if (r.ood) lines.push(`  OUT OF DISTRIBUTION: ${r.oodInputs.map((o) => `${o.name} = ${o.value}${o.min !== undefined ? ` outside [${o.min}, ${o.max}]` : o.seen ? ` not in training (${o.seen.join(', ')})` : ''}`).join('; ')} — extrapolation, do not trust`);
      console.log(lines.join('\n'));
    }
    model.dispose();
    return 0;
  },
};

/** `spinefea evaluate`. */
export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'evaluate the surrogate on sweep records: test split + k-fold CV, baselines, speed, explanations → Markdown + JSON',
  usage: 'spinefea evaluate --data data/sweep.jsonl.gz [--out packages/benchmarks/results] [--folds 5] [--members 5] [--epochs 400]',
  options: {
    data: { type: 'string', description: 'sweep file(s), comma-separated' } as never,
    out: { type: 'string', default: 'packages/benchmarks/results', description: 'folder for surrogate-evaluation.md/.json' } as never,
    folds: { type: 'string', default: '5', description: 'cross-validation folds (0 to skip; default 5)' } as never,
    members: { type: 'string', default: '5', description: 'ensemble members of the test-split model (default 5)' } as never,
    epochs: { type: 'string', default: '400', description: 'maximum epochs (default 400)' } as never,
    seed: { type: 'string', default: '1', description: 'split/bootstrap/training seed (default 1)' } as never,
    'sobol-n': { type: 'string', default: '256', description: "base sample size of the Sobol' indices (default 256)" } as never,
    'forest-trees': { type: 'string', default: '100', description: 'trees of the random-forest baseline (default 100; its cost grows ~quadratically with the records)' } as never,
  },
  async run(values) {
    const records = readDatasets(required(values, 'data', 'sweep file(s)'));
    await useSurrogateBackend();
    const members = intOption(values, 'members', 1, 100);
    const epochs = intOption(values, 'epochs', 1, 100_000);
    const report = await evaluateSurrogate(records, {
      folds: intOption(values, 'folds', 0, 50),
      seed: intOption(values, 'seed', 0, 2 ** 31 - 1),
      train: { members, epochs },
      cvTrain: { members: Math.min(3, members), epochs },
      sobolN: intOption(values, 'sobol-n', 16, 1_000_000),
      forestTrees: intOption(values, 'forest-trees', 1, 10_000),
      // the discretisation study's noise-limited R², when it was run at the data's resolution
      noiseCeiling: loadNoiseCeiling(records) ?? undefined,
      onProgress: (m) => console.error(`  ${m}`),
    });
    const dir = String(values.out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'surrogate-evaluation.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(dir, 'surrogate-evaluation.md'), evaluationMarkdown(report));
    console.log(`wrote ${join(dir, 'surrogate-evaluation.md')} and .json`);
    return 0;
  },
};

/** The surrogate subcommands, for registration in commands.ts. */
export const surrogateCommands: Command[] = [sweepCommand, trainCommand, predictCommand, evaluateCommand];
