#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx so `npx spinefea` works from a
// workspace checkout without a build step.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const main = join(here, '..', 'src', 'main.ts');
const child = spawn(process.execPath, ['--conditions=@spinefea/source', '--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// A SIGTERM or SIGHUP sent to this launcher alone (kill, pkill, a supervisor) is passed
// on, so the CLI stops gracefully (a sweep finishes its points in progress and writes
// its data card) instead of running on orphaned. Ctrl-C already reaches the CLI
// through the terminal's process group: relaying SIGINT too would count as a second
// Ctrl-C (abort), so the launcher only waits for the CLI to exit.
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1)));
