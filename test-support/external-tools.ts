/**
 * Probes for the outside programs some tests use (Debian's python3-meshio, gmsh,
 * calculix-ccx, chromium, scipy). On a user's machine a missing program skips the
 * tests that need it, with a message naming it; under `CI=true` (where `.ci/run`
 * installs them) a missing program is a failure.
 */
import { spawnSync } from 'node:child_process';

/** Whether `cmd args…` runs and exits 0. */
export function toolAvailable(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0;
}

/**
 * Probe an outside program: true when it runs; false with a warning naming it on a
 * user's machine; throws under CI=true.
 *
 * @example
 * ```ts
 * const HAVE_MESHIO = requireTool('python3-meshio', '/usr/bin/python3', ['-c', 'import meshio']);
 * it.skipIf(!HAVE_MESHIO)('reads back with meshio', () => { … });
 * ```
 */
export function requireTool(name: string, cmd: string, args: string[]): boolean {
  const ok = toolAvailable(cmd, args);
  if (!ok) {
    if (process.env.CI === 'true') throw new Error(`${name} is required under CI=true but \`${cmd} ${args.join(' ')}\` failed`);
    console.warn(`skipping tests that need ${name}: \`${cmd} ${args.join(' ')}\` failed`);
  }
  return ok;
}
