/**
 * Matrix export/import: Matrix Market coordinate text (for exchange with
 * scipy/MATLAB/Julia) and a raw binary CSR layout that numpy loads with
 * `np.fromfile` at disk speed (the faster choice for million-DOF matrices).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { MatrixFormatError } from '../errors.js';

export { MatrixFormatError };
import { csrFromTriplets } from './csr.js';
import type { CsrMatrix } from './types.js';


/** Options of the Matrix Market writers. */
export interface MatrixMarketWriteOptions {
  /**
   * Write `symmetric` storage: only entries with row ≥ column (lower
   * triangle), halving the file. The caller asserts A is symmetric (see
   * `csrIsSymmetric`); the upper triangle is not read.
   */
  symmetric?: boolean;
  /** Optional comment line(s) written after the header (without `%`). */
  comment?: string;
}

function header(A: CsrMatrix, opts: MatrixMarketWriteOptions, nnz: number): string {
  if (opts.symmetric && A.rows !== A.cols) {
    throw new MatrixFormatError(`symmetric Matrix Market output needs a square matrix, got ${A.rows}×${A.cols}`);
  }
  let h = `%%MatrixMarket matrix coordinate real ${opts.symmetric ? 'symmetric' : 'general'}\n`;
  if (opts.comment) for (const line of opts.comment.split('\n')) h += `%${line}\n`;
  return h + `${A.rows} ${A.cols} ${nnz}\n`;
}

function countEntries(A: CsrMatrix, symmetric: boolean): number {
  if (!symmetric) return A.rowPtr[A.rows];
  let c = 0;
  for (let i = 0; i < A.rows; i++) for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) if (A.colIdx[p] <= i) c++;
  return c;
}

/**
 * Emits entry lines `"i j v\n"` (1-based) for rows `[r0, r1)` as one string.
 * Values use JavaScript's shortest round-trip decimal form (exact on re-read).
 */
function entryLines(A: CsrMatrix, r0: number, r1: number, symmetric: boolean): string {
  const parts: string[] = [];
  for (let i = r0; i < r1; i++) {
    const row = `${i + 1} `;
    for (let p = A.rowPtr[i]; p < A.rowPtr[i + 1]; p++) {
      const j = A.colIdx[p];
      if (symmetric && j > i) break; // columns ascend: the rest is upper triangle
      const v = A.values[p];
      // String(−0) is "0"; keep the sign so the file round-trips bit-exactly
      parts.push(row + (j + 1) + ' ' + (v === 0 && 1 / v < 0 ? '-0' : v) + '\n');
    }
  }
  return parts.join('');
}

/**
 * Matrix Market coordinate text of `A` (`real general`, or `real symmetric`
 * lower triangle). For small and medium matrices; use
 * {@link writeMatrixMarketFile} for large ones.
 *
 * @example
 * ```ts
 * const text = formatMatrixMarket(K, { symmetric: true });
 * // scipy: scipy.io.mmread('K.mtx')
 * ```
 */
export function formatMatrixMarket(A: CsrMatrix, options: MatrixMarketWriteOptions = {}): string {
  const sym = options.symmetric ?? false;
  return header(A, options, countEntries(A, sym)) + entryLines(A, 0, A.rows, sym);
}

/**
 * Streams `A` as Matrix Market text to `path` in chunks of rows (bounded
 * memory, honours stream back-pressure). A 1M-DOF hex8 matrix (80M entries)
 * gives ~2.5 GB general or ~1.3 GB symmetric; prefer {@link writeCsrBinary}
 * when the reader is numpy/scipy.
 *
 * @example
 * ```ts
 * await writeMatrixMarketFile('K.mtx', K, { symmetric: true });
 * ```
 */
export async function writeMatrixMarketFile(
  path: string,
  A: CsrMatrix,
  options: MatrixMarketWriteOptions = {},
): Promise<void> {
  const sym = options.symmetric ?? false;
  const out = createWriteStream(path, { highWaterMark: 1 << 22 });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined); // surfaced through the awaits below
  const write = async (s: string): Promise<void> => {
    if (!out.write(s)) await Promise.race([once(out, 'drain'), failed]);
  };
  await write(header(A, options, countEntries(A, sym)));
  // ~64k entries per chunk keeps each string a few MB
  const avg = Math.max(1, A.rowPtr[A.rows] / Math.max(1, A.rows));
  const rowsPerChunk = Math.max(1, Math.floor(65536 / avg));
  for (let r0 = 0; r0 < A.rows; r0 += rowsPerChunk) {
    await write(entryLines(A, r0, Math.min(A.rows, r0 + rowsPerChunk), sym));
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

/**
 * Parses Matrix Market coordinate text (`real`, `integer` or `pattern`;
 * `general`, `symmetric` or `skew-symmetric`) into CSR, summing duplicates.
 *
 * @throws MatrixFormatError naming the offending line
 * @example
 * ```ts
 * const K = readMatrixMarket(await readFile('K.mtx', 'utf8'));
 * ```
 */
export function readMatrixMarket(text: string): CsrMatrix {
  let pos = 0;
  let lineNo = 0;
  const nextLine = (): string | undefined => {
    if (pos >= text.length) return undefined;
    let e = text.indexOf('\n', pos);
    if (e < 0) e = text.length;
    const line = text.slice(pos, e);
    pos = e + 1;
    lineNo++;
    return line;
  };
  const head = nextLine();
  const m = head?.trim().match(/^%%MatrixMarket\s+matrix\s+(\S+)\s+(\S+)\s+(\S+)/i);
  if (!m) throw new MatrixFormatError(`line 1: expected "%%MatrixMarket matrix coordinate …" header, got "${head ?? ''}"`);
  const [format, field, symmetry] = [m[1].toLowerCase(), m[2].toLowerCase(), m[3].toLowerCase()];
  if (format !== 'coordinate') throw new MatrixFormatError(`line 1: only coordinate format is supported, got "${format}"`);
  if (!['real', 'integer', 'pattern', 'double'].includes(field)) {
    throw new MatrixFormatError(`line 1: field "${field}" not supported (real, integer, pattern)`);
  }
  if (!['general', 'symmetric', 'skew-symmetric'].includes(symmetry)) {
    throw new MatrixFormatError(`line 1: symmetry "${symmetry}" not supported (general, symmetric, skew-symmetric)`);
  }
  let sizeLine: string | undefined;
  while ((sizeLine = nextLine()) !== undefined && (sizeLine.trim() === '' || sizeLine.startsWith('%')));
  const dims = sizeLine?.trim().split(/\s+/).map(Number);
  if (!dims || dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new MatrixFormatError(`line ${lineNo}: expected "rows cols entries", got "${sizeLine ?? ''}"`);
  }
  const [rows, cols, nnz] = dims;
  const mirror = symmetry !== 'general';
  const sign = symmetry === 'skew-symmetric' ? -1 : 1;
  const cap = mirror ? 2 * nnz : nnz;
  const I = new Uint32Array(cap);
  const J = new Uint32Array(cap);
  const V = new Float64Array(cap);
  let k = 0;
  for (let e = 0; e < nnz; e++) {
    let line = nextLine();
    while (line !== undefined && (line.trim() === '' || line.startsWith('%'))) line = nextLine();
    if (line === undefined) throw new MatrixFormatError(`file ends after ${e} of ${nnz} entries`);
    const t = line.trim().split(/\s+/);
    const i = Number(t[0]) - 1;
    const j = Number(t[1]) - 1;
    const v = field === 'pattern' ? 1 : Number(t[2]);
    if (!(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j >= 0 && i < rows && j < cols)) {
      throw new MatrixFormatError(`line ${lineNo}: index (${t[0]}, ${t[1]}) outside 1..${rows} × 1..${cols}`);
    }
    if (!Number.isFinite(v)) throw new MatrixFormatError(`line ${lineNo}: value "${t[2]}" is not a finite number`);
    I[k] = i;
    J[k] = j;
    V[k++] = v;
    if (mirror && i !== j) {
      I[k] = j;
      J[k] = i;
      V[k++] = sign * v;
    }
  }
  return csrFromTriplets(rows, cols, I.subarray(0, k), J.subarray(0, k), V.subarray(0, k));
}

/** JSON header written next to the raw arrays by {@link writeCsrBinary}. */
export interface CsrBinaryHeader {
  format: 'spinefea-csr-v1';
  rows: number;
  cols: number;
  nnz: number;
  /** Always little-endian. */
  byteOrder: 'little';
  /** File names (relative to the header) and numpy dtypes of the three arrays. */
  rowPtr: { file: string; dtype: '<u4' };
  colIdx: { file: string; dtype: '<u4' };
  values: { file: string; dtype: '<f8' };
}

function baseName(p: string): string {
  const k = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return k >= 0 ? p.slice(k + 1) : p;
}

function requireLittleEndian(): void {
  if (endianness() !== 'LE') throw new MatrixFormatError('binary CSR I/O is implemented for little-endian hosts only');
}

/**
 * Writes `A` as raw little-endian arrays `<base>.rowptr.u32`,
 * `<base>.colidx.u32`, `<base>.values.f64` plus a JSON header `<base>.json`
 * ({@link CsrBinaryHeader}). Loads in numpy/scipy without parsing:
 * ```python
 * import json, numpy as np, scipy.sparse as sp
 * h = json.load(open(base + '.json'))
 * A = sp.csr_matrix((np.fromfile(base + '.values.f64', '<f8'),
 *                    np.fromfile(base + '.colidx.u32', '<u4'),
 *                    np.fromfile(base + '.rowptr.u32', '<u4')), shape=(h['rows'], h['cols']))
 * ```
 *
 * @param base path prefix, e.g. `results/K`
 * @returns the header
 * @example
 * ```ts
 * await writeCsrBinary('results/K', K);
 * ```
 */
export async function writeCsrBinary(base: string, A: CsrMatrix): Promise<CsrBinaryHeader> {
  requireLittleEndian();
  const nnz = A.rowPtr[A.rows];
  const name = baseName(base);
  const h: CsrBinaryHeader = {
    format: 'spinefea-csr-v1',
    rows: A.rows,
    cols: A.cols,
    nnz,
    byteOrder: 'little',
    rowPtr: { file: `${name}.rowptr.u32`, dtype: '<u4' },
    colIdx: { file: `${name}.colidx.u32`, dtype: '<u4' },
    values: { file: `${name}.values.f64`, dtype: '<f8' },
  };
  const bytes = (a: Uint32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  await writeFile(`${base}.rowptr.u32`, bytes(A.rowPtr.subarray(0, A.rows + 1)));
  await writeFile(`${base}.colidx.u32`, bytes(A.colIdx.subarray(0, nnz)));
  await writeFile(`${base}.values.f64`, bytes(A.values.subarray(0, nnz)));
  await writeFile(`${base}.json`, JSON.stringify(h, null, 2) + '\n');
  return h;
}

/**
 * Reads a matrix written by {@link writeCsrBinary}.
 *
 * @throws MatrixFormatError if the header or file sizes do not match
 * @example
 * ```ts
 * const K = await readCsrBinary('results/K');
 * ```
 */
export async function readCsrBinary(base: string): Promise<CsrMatrix> {
  requireLittleEndian();
  const h = JSON.parse(await readFile(`${base}.json`, 'utf8')) as CsrBinaryHeader;
  if (h.format !== 'spinefea-csr-v1') throw new MatrixFormatError(`${base}.json: unknown format "${h.format}"`);
  const dir = base.slice(0, base.length - baseName(base).length);
  const load = async (file: string, bytesPer: number, count: number): Promise<ArrayBuffer> => {
    const buf = await readFile(dir + file);
    if (buf.byteLength !== bytesPer * count) {
      throw new MatrixFormatError(`${dir + file}: ${buf.byteLength} bytes, expected ${bytesPer * count}`);
    }
    // copy into a fresh, aligned ArrayBuffer
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  };
  return {
    rows: h.rows,
    cols: h.cols,
    rowPtr: new Uint32Array(await load(h.rowPtr.file, 4, h.rows + 1)),
    colIdx: new Uint32Array(await load(h.colIdx.file, 4, h.nnz)),
    values: new Float64Array(await load(h.values.file, 8, h.nnz)),
  };
}
