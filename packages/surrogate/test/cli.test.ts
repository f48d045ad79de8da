import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The CLI package's surrogate commands (a test-only import: the CLI depends on this package).
import { surrogateCommands } from '../../cli/src/surrogate-commands.js';
import { CliUsageError } from '../../cli/src/cli-error.js';

const cmd = (name: string) => surrogateCommands.find((c) => c.name === name)!;
const stub = fileURLToPath(new URL('./fixtures/stub-simulator.ts', import.meta.url));
let dir: string;
const logs: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-surrogate-'));
  process.env.SPINEFEA_SWEEP_SIMULATOR = stub; // the sweep's workers use the stub instead of the solver
  vi.spyOn(console, 'log').mockImplementation((...a) => void logs.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(() => {
  delete process.env.SPINEFEA_SWEEP_SIMULATOR;
  vi.restoreAllMocks();
});

describe('spinefea sweep → train → predict', () => {
  it('runs a tiny sweep, trains on it and predicts a case from a JSON file', async () => {
    const data = join(dir, 'tiny.jsonl');
    expect(await cmd('sweep').run({ points: '24', out: data, resolution: '2', sampler: 'sobol', seed: '1', start: '0', workers: '2', preconditioner: 'amg', quiet: true }, [])).toBe(0);
    const model = join(dir, 'm.json');
    expect(await cmd('train').run({ data, out: model, members: '5', epochs: '20', hidden: '16,16', seed: '1', backend: 'wasm' }, [])).toBe(0);
    const rec = JSON.parse(readFileSync(data, 'utf8').split('\n')[0]);
    const caseFile = join(dir, 'case.json');
    writeFileSync(caseFile, JSON.stringify(rec.inputs));
    logs.length = 0;
    expect(await cmd('predict').run({ model, json: true }, [caseFile])).toBe(0);
    const out = JSON.parse(logs.join('\n'));
    expect(out.outputs.romDeg.unit).toBe('deg');
    expect(Number.isFinite(out.outputs.romDeg.value)).toBe(true);
    expect(out.ood).toBe(false);
  });

  it('gives clear usage errors', async () => {
    await expect(cmd('sweep').run({ out: join(dir, 'x.jsonl') }, [])).rejects.toThrow(/--points is required/);
    await expect(cmd('sweep').run({ points: '3', out: join(dir, 'x.csv') }, [])).rejects.toThrow(/--out must end in \.jsonl/);
    await expect(cmd('sweep').run({ points: '3', out: join(dir, 'x.jsonl'), sampler: 'grid', resolution: '2', seed: '1', start: '0', preconditioner: 'amg' }, [])).rejects.toThrow(/--sampler must be sobol or lhs/);
    await expect(cmd('train').run({ data: join(dir, 'none.jsonl'), out: 'm.json', members: '5', epochs: '1', hidden: '8', seed: '1', backend: 'wasm' }, [])).rejects.toThrow(CliUsageError);
    await expect(cmd('predict').run({}, [])).rejects.toThrow(/give the design point/);
    await expect(cmd('predict').run({ case: '{not json' }, [])).rejects.toThrow(/not JSON/);
  });
});
