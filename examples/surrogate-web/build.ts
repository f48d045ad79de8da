/**
 * Build the self-contained surrogate page: bundle page.ts (tfjs + the
 * browser-safe surrogate) with esbuild, inline it and the model JSON into
 * index.html → `examples/surrogate-web/dist/surrogate.html` (opens from disk).
 *
 *   node --conditions=@spinefea/source --import tsx examples/surrogate-web/build.ts [--model m.json] [--out file.html]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Build the page; returns the HTML path.
 * @example
 * ```ts
 * const file = await buildSurrogatePage({ model: 'packages/surrogate/models/default.json' });
 * ```
 */
export async function buildSurrogatePage(o: { model?: string; out?: string } = {}): Promise<string> {
  const model = o.model ?? join(here, '..', '..', 'packages', 'surrogate', 'models', 'default.json');
  const out = o.out ?? join(here, 'dist', 'surrogate.html');
  const r = await build({
    entryPoints: [join(here, 'page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    conditions: ['@spinefea/source'],
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const js = r.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const json = readFileSync(model, 'utf8').trim().replace(/<\/script/gi, '<\\/script');
  JSON.parse(json); // a clear error here beats a broken page
  const html = readFileSync(join(here, 'index.html'), 'utf8')
    .replace('/*MODEL*/null', () => json)
    .replace('/*BUNDLE*/', () => js);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (n: string) => {
    const i = process.argv.indexOf(`--${n}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const file = await buildSurrogatePage({ model: arg('model'), out: arg('out') });
  console.log(`wrote ${file}`);
}
