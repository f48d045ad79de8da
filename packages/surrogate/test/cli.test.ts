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

describe('the spinefea launcher (bin/spinefea.mjs)', () => {
  it('passes a SIGTERM on to the CLI: the sweep stops gracefully, writes its data card and leaves no orphan', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const bin = fileURLToPath(new URL('../../cli/bin/spinefea.mjs', import.meta.url));
    const out = join(dir, 'term.jsonl');
    // 40 stub points of 300 ms on 1 worker: about 12 s, stopped after the first few
    const p = spawn(process.execPath, [bin, 'sweep', '--points', '40', '--out', out, '--workers', '1'], {
      env: { ...process.env, SPINEFEA_SWEEP_SIMULATOR: stub, SPINEFEA_STUB_DELAY_MS: '300' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (b) => (err += String(b)));
    // wait until two points are on disk, then terminate the launcher only
    for (let i = 0; i < 200 && !(existsSync(out) && readFileSync(out, 'utf8').split('\n').filter(Boolean).length >= 2); i++) await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    expect(err).toContain('SIGTERM — finishing the points in progress');
    expect(code).toBe(0);
    const card = JSON.parse(readFileSync(join(dir, 'term.card.json'), 'utf8'));
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(card.records).toBe(lines.length);
    expect(lines.length).toBeLessThan(40);
    // nothing keeps appending after the launcher exited (no orphaned CLI)
    await new Promise((r) => setTimeout(r, 1000));
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean).length).toBe(lines.length);
  }, 60_000);
});
