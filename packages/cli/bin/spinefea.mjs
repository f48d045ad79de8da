#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx so `npx spinefea` works from a
// workspace checkout without a build step.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const main = join(here, '..', 'src', 'main.ts');
const r = spawnSync(process.execPath, ['--conditions=@spinefea/source', '--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
