/**
 * Bundles the viewer script (three.js + OrbitControls + the viewer) with
 * esbuild at report time, once per process.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

let cached: Promise<string> | undefined;

/** The viewer entry next to this module: `.ts` when run from source, `.js` from a build. */
function viewerEntry(): string {
  for (const ext of ['ts', 'js']) {
    const p = fileURLToPath(new URL(`./viewer/viewer-entry.${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`viewer entry not found next to ${fileURLToPath(import.meta.url)} (viewer/viewer-entry.ts or .js)`);
}

/**
 * The minified IIFE viewer bundle (about 0.6 MB: three.js core + OrbitControls).
 * Built on first call with esbuild's JS API and cached in memory; a failed
 * build is not cached, so the next call retries.
 *
 * @returns JavaScript source, safe to inline in a `<script>` element (`</script` escaped).
 * @example
 * ```ts
 * const js = await viewerBundle();
 * html += `<script>${js}</script>`;
 * ```
 */
export function viewerBundle(): Promise<string> {
  if (!cached) {
    cached = build({
      entryPoints: [viewerEntry()],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      write: false,
      legalComments: 'eof', // keep three.js's MIT licence notice
      logLevel: 'silent',
    }).then(
      (r) => r.outputFiles[0].text.replace(/<\/script/gi, '<\\/script'),
      (e: unknown) => {
        cached = undefined;
        throw e;
      },
    );
  }
  return cached;
}
