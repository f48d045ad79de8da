/**
 * Shared test helpers: volumes, conformity checks and outside-program probes.
 */
import { spawnSync } from 'node:child_process';
import { CELL_INFO, cellCount, type Mesh, type SurfaceTriangles } from '@spinefea/mesh';

/** Signed volume enclosed by outward triangles (divergence theorem): V = Σ x0·(x1×x2)/6. */
export function enclosedVolume(s: Pick<SurfaceTriangles, 'positions' | 'indices'>, region?: { ids: Uint16Array; id: number }): number {
  const p = s.positions;
  let v = 0;
  for (let t = 0; t < s.indices.length / 3; t++) {
    if (region && region.ids[t] !== region.id) continue;
    const a = 3 * s.indices[3 * t];
    const b = 3 * s.indices[3 * t + 1];
    const c = 3 * s.indices[3 * t + 2];
    v +=
      p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1]) -
      p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c]) +
      p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c]);
  }
  return v / 6;
}

/** Sum of tet volumes det(x1−x0, x2−x0, x3−x0)/6 over the corner tets (tet meshes only). */
export function tetVolumeSum(mesh: Mesh): number {
  const npc = CELL_INFO[mesh.cellType].nodesPerCell;
  const x = mesh.nodes;
  let v = 0;
  for (let c = 0; c < cellCount(mesh); c++) {
    const n = [0, 1, 2, 3].map((k) => 3 * mesh.cells[c * npc + k]);
    const e = [1, 2, 3].map((k) => [0, 1, 2].map((d) => x[n[k] + d] - x[n[0] + d]));
    v +=
      (e[0][0] * (e[1][1] * e[2][2] - e[1][2] * e[2][1]) -
        e[0][1] * (e[1][0] * e[2][2] - e[1][2] * e[2][0]) +
        e[0][2] * (e[1][0] * e[2][1] - e[1][1] * e[2][0])) /
      6;
  }
  return v;
}

/**
 * Edge use counts of a triangle soup: returns the number of undirected
 * edges not used exactly twice, and the number of directed edges used more
 * than once (an orientation error).
 */
export function watertightDefects(indices: Uint32Array, select?: (t: number) => boolean): { badEdges: number; badOrientation: number } {
  const undirected = new Map<string, number>();
  const directed = new Map<string, number>();
  for (let t = 0; t < indices.length / 3; t++) {
    if (select && !select(t)) continue;
    for (let k = 0; k < 3; k++) {
      const a = indices[3 * t + k];
      const b = indices[3 * t + ((k + 1) % 3)];
      const u = a < b ? `${a},${b}` : `${b},${a}`;
      undirected.set(u, (undirected.get(u) ?? 0) + 1);
      directed.set(`${a},${b}`, (directed.get(`${a},${b}`) ?? 0) + 1);
    }
  }
  let badEdges = 0;
  for (const n of undirected.values()) if (n !== 2) badEdges++;
  let badOrientation = 0;
  for (const n of directed.values()) if (n !== 1) badOrientation++;
  return { badEdges, badOrientation };
}

export { requireTool, toolAvailable } from '../../../test-support/external-tools.js';

/** Debian's Python, which has meshio (the pyenv `python3` on PATH does not). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Run a Python snippet with {@link SYSTEM_PYTHON}, passing `args` as sys.argv[1:], and parse its stdout as JSON. */
export function pythonJson(code: string, args: string[]): unknown {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', code, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Run gmsh with the given arguments; throws with its output on failure. */
export function runGmsh(args: string[]): string {
  const r = spawnSync('gmsh', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || /Error\s*:/.test(r.stdout + r.stderr)) throw new Error(`gmsh ${args.join(' ')} failed: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Face set as a sorted list of "cell:face" strings, for order-independent comparison. */
export function faceSetKeys(fs: { cells: Uint32Array; faces: Uint8Array }): string[] {
  return Array.from(fs.cells, (c, i) => `${c}:${fs.faces[i]}`).sort();
}
