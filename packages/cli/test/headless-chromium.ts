/**
 * Test helper: Debian's Chromium driven by playwright-core, with software
 * WebGL (SwiftShader through ANGLE) so three.js renders with no GPU.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags: headless, no sandbox (containers), WebGL on SwiftShader
 * (`--use-angle=swiftshader`; `--enable-unsafe-swiftshader` because recent
 * Chromium no longer falls back to it silently), and nothing that reaches
 * the network.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--allow-file-access-from-files',
];

/**
 * Whether the browser tests run: `run` when Chromium is installed; otherwise
 * they skip with a message naming chromium — except under `CI=true`, where a
 * missing browser must fail (`run` is true and {@link launchChromium} throws).
 */
export function chromiumAvailability(): { run: boolean; installed: boolean; message: string } {
  const installed = existsSync(CHROMIUM_PATH);
  const ci = process.env.CI === 'true';
  const message = installed ? '' : `chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`;
  return { run: installed || ci, installed, message };
}

/** Launch headless Chromium; throws a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`chromium is required (CI=true) but ${CHROMIUM_PATH} is missing: apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
