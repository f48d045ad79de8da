/**
 * Sweep records: one JSON object per line (JSONL) per finished design point,
 * ok or failed. Appending is crash-safe: each line is written whole with one
 * `write` and `fsync`ed; on reopening, a torn last line (no trailing newline,
 * from a kill mid-write) is cut off, so a resumed sweep never sees half a record.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { SpineCaseSummary } from '@spinefea/core';
import { DatasetFormatError } from './errors.js';
import type { DesignPoint } from './design-space.js';

/**
 * Clinical figures of one solved design point: summary.json's per-case schema (units in the names).
 * `implantSectionPeakMPa` is absent from records solved before the section stresses existed
 * (the shipped 2 mm sweeps).
 */
export type RecordOutputs = Omit<SpineCaseSummary, 'implantSectionPeakMPa'> & Partial<Pick<SpineCaseSummary, 'implantSectionPeakMPa'>>;

/** Solver diagnostics of one design point. */
export interface RecordSolver {
  converged: boolean;
  iterations: number;
  relativeResidual: number;
  facetActiveSetIterations: number;
  ligamentActiveSetIterations: number;
  /** Facet cartilage cells frozen closed because the facet active set cycled (solver ≥ 6282f02; absent in older records). */
  frozenFacetCells?: number;
  preconditioner: string;
  cells: number;
  freeDofs: number;
}

/**
 * One line of a sweep file.
 * @example
 * ```ts
 * const r: SweepRecord = JSON.parse(line);
 * if (r.status === 'ok') console.log(r.outputs!.romDeg);
 * ```
 */
export interface SweepRecord {
  /** `<index>-<hash>`: design point index and the first 12 hex digits of sha256(inputs, resolution). */
  key: string;
  /** Design point index in the sampler's sequence. */
  index: number;
  status: 'ok' | 'failed';
  inputs: DesignPoint;
  /** Voxel size of the mesh, mm. */
  resolution: number;
  /** Shift of the voxel grid, fractions of a voxel (absent: unshifted). A replicate of a design point on another grid has the same key and a different shift. */
  gridShift?: [number, number, number];
  /**
   * Set by {@link mergeReplicates}: how many grids the outputs are the mean of, and the
   * SD of each averaged figure over them (an estimate of its discretisation noise).
   */
  replicates?: number;
  outputsSd?: Partial<Record<ReplicateFigure, number>>;
  outputs?: RecordOutputs;
  solver?: RecordSolver;
  /** Why it failed: the error's class, code, message and (for a parameter refusal) the parameter. */
  error?: { name: string; code?: string; message: string; parameter?: string; stage: 'mesh' | 'solve' | 'worker' };
  /** Wall times, ms, and the CPU time of the worker process for this point (ms; wall ≫ CPU means the machine was oversubscribed). */
  timing: { meshMs: number; solveMs: number; totalMs: number; cpuMs?: number };
  /** `@spinefea/core@<version>+<git commit>`. */
  solverVersion: string;
  finishedAt: string;
}

/**
 * Canonical key of a design point: index + hash of its inputs and resolution.
 * Keys are stable across runs (the JSON has a fixed key order: {@link DESIGN_INPUTS}'s).
 * @example
 * ```ts
 * recordKey(17, point, 2); // '17-3fa4c1d09b2e'
 * ```
 */
export function recordKey(index: number, inputs: DesignPoint, resolution: number): string {
  const canon = JSON.stringify({ inputs: Object.keys(inputs).sort().map((k) => [k, (inputs as unknown as Record<string, unknown>)[k]]), resolution });
  return `${index}-${createHash('sha256').update(canon).digest('hex').slice(0, 12)}`;
}

/**
 * Read a sweep file (`.jsonl` or `.jsonl.gz`). A torn last line (no trailing
 * newline) is skipped and reported in `tornTail`; any other unparsable line is a
 * {@link DatasetFormatError} with its line number. When a key occurs more than
 * once (a failed point solved again with `--retry-failed`), the last record
 * wins, at the position of the first; `superseded` counts the dropped ones.
 *
 * @example
 * ```ts
 * const { records } = readRecords('packages/surrogate/data/pilot.jsonl');
 * ```
 */
export function readRecords(file: string): { records: SweepRecord[]; tornTail: boolean; superseded: number } {
  if (!existsSync(file)) return { records: [], tornTail: false, superseded: 0 };
  const buf = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  const lines = text.split('\n');
  const tornTail = lines[lines.length - 1] !== '';
  lines.pop(); // the part after the last newline: '' or a torn record
  const records: SweepRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let r: SweepRecord;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new DatasetFormatError(file, `not JSON: ${(e as Error).message}`, i + 1);
    }
    if (typeof r.key !== 'string' || (r.status !== 'ok' && r.status !== 'failed') || typeof r.inputs !== 'object') {
      throw new DatasetFormatError(file, 'not a sweep record (needs key, status ok|failed, inputs)', i + 1);
    }
    records.push(r);
  });
  const at = new Map<string, number>();
  const unique: SweepRecord[] = [];
  for (const r of records) {
    const i = at.get(r.key);
    if (i === undefined) {
      at.set(r.key, unique.length);
      unique.push(r);
    } else unique[i] = r;
  }
  return { records: unique, tornTail, superseded: records.length - unique.length };
}

/** The figures {@link mergeReplicates} averages. */
export const REPLICATE_FIGURES = ['romDeg', 'idpMPa', 'loadDistributionEfficiency', 'implantVonMisesPeakMPa', 'implantVonMisesP99MPa', 'implantSectionPeakMPa', 'anteriorLoadShare'] as const;
/** One of {@link REPLICATE_FIGURES}. */
export type ReplicateFigure = (typeof REPLICATE_FIGURES)[number];

const shiftKey = (r: SweepRecord) => (r.gridShift ? r.gridShift.join(',') : '-');

/**
 * Merge replicates: records of the same design point (same key: index, inputs,
 * resolution) solved on differently shifted voxel grids become one record whose
 * figures are the means over the grids — the discretisation noise of a figure
 * averages down as 1/√k — with `replicates = k` and the SDs in `outputsSd`.
 * Only successful records are merged (a failed replicate is dropped when another
 * grid solved); the same key on the same grid twice (a file read twice) counts once.
 * Figures that are null on some grids are averaged over the others; the
 * instability verdict is the majority (a tie counts as unstable: the cautious side);
 * vectors (rotation, translation) are averaged; the per-implant list is the first grid's.
 *
 * @example
 * ```ts
 * const merged = mergeReplicates([...readRecords('a.jsonl.gz').records, ...readRecords('a-shift1.jsonl.gz').records]);
 * merged.filter((r) => r.replicates === 2).length; // points solved on both grids
 * ```
 */
export function mergeReplicates(records: readonly SweepRecord[]): SweepRecord[] {
  const groups = new Map<string, SweepRecord[]>();
  const order: string[] = [];
  for (const r of records) {
    const g = groups.get(r.key);
    if (!g) {
      groups.set(r.key, [r]);
      order.push(r.key);
    } else if (!g.some((q) => shiftKey(q) === shiftKey(r))) g.push(r);
  }
  return order.map((key) => {
    const all = groups.get(key)!;
    const ok = all.filter((r) => r.status === 'ok' && r.outputs);
    if (ok.length <= 1) return ok[0] ?? all[0];
    const first = ok[0];
    const out = { ...first.outputs! } as RecordOutputs & Record<string, unknown>;
    const sd: Partial<Record<ReplicateFigure, number>> = {};
    for (const f of REPLICATE_FIGURES) {
      const v = ok.map((r) => r.outputs![f]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      if (!v.length) continue;
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      out[f] = mean;
      if (v.length > 1) sd[f] = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
    }
    const avg3 = (get: (r: SweepRecord) => [number, number, number]) => [0, 1, 2].map((k) => ok.reduce((a, r) => a + get(r)[k], 0) / ok.length) as [number, number, number];
    out.rotationDeg = avg3((r) => r.outputs!.rotationDeg);
    out.translationMm = avg3((r) => r.outputs!.translationMm);
    const votes = ok.filter((r) => r.outputs!.unstable).length;
    out.unstable = 2 * votes >= ok.length && votes > 0;
    out.instabilityReason = `${first.outputs!.instabilityReason} (unstable on ${votes} of ${ok.length} grids)`;
    return { ...first, outputs: out, replicates: ok.length, outputsSd: sd };
  });
}

/**
 * An append-only record file. Opening cuts a torn last line; every
 * {@link RecordWriter.append} writes one whole line and fsyncs it.
 */
export class RecordWriter {
  private fd: number;
  constructor(readonly file: string) {
    this.fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    const size = statSync(file).size;
    if (size > 0) {
      // Find the last newline and cut what follows it (a line torn by a kill mid-write).
      const text = readFileSync(file, 'utf8');
      const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8');
      if (keep !== size) ftruncateSync(this.fd, keep);
    }
  }

  /** Append one record as one line, then fsync (a crash leaves whole lines plus at most one torn tail). */
  append(r: SweepRecord): void {
    const line = Buffer.from(JSON.stringify(r) + '\n', 'utf8');
    const end = statSync(this.file).size;
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off, end + off);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
