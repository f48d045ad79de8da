/**
 * Surrogate evaluation benchmark: trains the tfjs ensemble on a sweep dataset
 * and writes results/surrogate-evaluation.{md,json} — test split by design
 * point and k-fold CV, MLP beside linear/logistic, k-NN and random-forest
 * baselines, the classifier's sensitivity … decision curve beside the source
 * paper's clinical figures, speed against the solver, and explanations.
 *
 *   node --conditions=@spinefea/source --import tsx packages/benchmarks/src/surrogate-evaluation.ts \
 *     [--data a.jsonl.gz,b.jsonl.gz] [--folds 5] [--members 5] [--epochs 400] [--sobol-n 256] [--forest-trees 100]
 *
 * Without --data it uses the largest dataset in packages/surrogate/data/.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateSurrogate, evaluationMarkdown, loadNoiseCeiling, readRecords, useSurrogateBackend, type SweepRecord } from '@spinefea/surrogate';
import { commandLine, log, machineInfo, numberFlag, parseFlags, REPO_ROOT, writeResults } from './common.js';

const flags = parseFlags();
const dataDir = join(REPO_ROOT, 'packages', 'surrogate', 'data');
let files: string[];
if (typeof flags.data === 'string') files = flags.data.split(',');
else {
  const candidates = readdirSync(dataDir)
    .filter((f) => /\.jsonl(\.gz)?$/.test(f))
    .map((f) => join(dataDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!candidates.length) throw new Error(`no dataset in ${dataDir}: run 'spinefea sweep' first or pass --data`);
  files = [candidates[0]];
}
const records: SweepRecord[] = files.flatMap((f) => readRecords(f).records);
const backend = await useSurrogateBackend();
log(`evaluating on ${records.length} records from ${files.join(', ')} (tfjs ${backend})`);
const members = numberFlag(flags, 'members', 5);
const epochs = numberFlag(flags, 'epochs', 400);
const report = await evaluateSurrogate(records, {
  folds: numberFlag(flags, 'folds', 5),
  seed: numberFlag(flags, 'seed', 1),
  train: { members, epochs },
  cvTrain: { members: Math.min(3, members), epochs },
  sobolN: numberFlag(flags, 'sobol-n', 256),
  forestTrees: numberFlag(flags, 'forest-trees', 100),
  // the noise-limited R² of the discretisation study, when it was run at the data's resolution
  noiseCeiling: loadNoiseCeiling(records) ?? undefined,
  onProgress: log,
});
const md = evaluationMarkdown(report).replace(/^# Surrogate evaluation\n/, '');
const out = writeResults({
  name: 'surrogate-evaluation',
  title: 'Surrogate evaluation',
  machine: machineInfo(),
  command: commandLine(),
  versions: { tfjs: backend },
  data: { files, ...report },
  markdown: md,
});
log(`wrote ${out.md} and ${out.json}`);

