/**
 * Predict the clinical figures of one design point with the shipped surrogate.
 *
 *   node --conditions=@spinefea/source --import tsx examples/predict-case.ts [case.json] [--model model.json]
 *
 * The case is a JSON object of the design inputs (docs/surrogate.md); numbers are
 * in the documented units, or give quantities such as "7.5 N·m" or "4.5 cm".
 * Without a file, a default instrumented L4–L5 flexion case is predicted.
 */
import { readFileSync } from 'node:fs';
import { loadSurrogate, type DesignPoint } from '@spinefea/surrogate';

const EXAMPLE: DesignPoint = {
  level: 'L4',
  globalScale: 1,
  discHeightScale: 1,
  lordosisDeg: 13.6,
  boneQuality: 'osteopenic',
  degenerationGrade: 1.5,
  configuration: 'screws-rods-cage',
  screwDiameterMm: 6,
  screwLengthMm: 42,
  screwConvergenceDeg: 24,
  screwSagittalDeg: 0,
  rodDiameterMm: 5.5,
  rodMaterial: 'Ti',
  cageHeightMm: 10,
  cageMaterial: 'PEEK',
  motion: 'flexion',
  momentNm: 7.5,
  preloadN: 300,
};

const args = process.argv.slice(2);
const mi = args.indexOf('--model');
const modelFile = mi >= 0 ? args[mi + 1] : undefined;
const caseFile = args.find((a, i) => !a.startsWith('--') && i !== mi + 1);
const input: unknown = caseFile ? JSON.parse(readFileSync(caseFile, 'utf8')) : EXAMPLE;

const model = await loadSurrogate(modelFile);
const t = performance.now();
const r = model.predict(input);
const ms = performance.now() - t;
console.log(`${r.inputs.level} ${r.inputs.configuration}, ${r.inputs.motion} ${r.inputs.momentNm} N·m, preload ${r.inputs.preloadN} N`);
for (const [name, v] of Object.entries(r.outputs)) {
  console.log(`  ${name.padEnd(28)} ${v ? `${v.value.toPrecision(4)} ± ${v.sd.toPrecision(2)} ${v.unit}` : '— (not instrumented)'}`);
}
console.log(`  ${'P(unstable)'.padEnd(28)} ${r.unstable.probability.toFixed(3)} ± ${r.unstable.sd.toFixed(3)} → ${r.unstable.predicted ? 'unstable' : 'stable'}`);
if (r.ood) console.log(`  OUT OF DISTRIBUTION (${r.oodInputs.map((o) => o.name).join(', ')}): extrapolation, do not trust`);
console.log(`  (${ms.toFixed(1)} ms, ${model.ensembleSize}-member ensemble trained on ${model.json.trainedOn.ok} simulated design points)`);
model.dispose();
