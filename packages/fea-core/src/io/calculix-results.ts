/**
 * Readers for CalculiX results: the `.dat` file (`*NODE PRINT`, `*EL PRINT`
 * tables) and the ASCII `.frd` file (`*NODE FILE`, `*EL FILE` nodal blocks).
 *
 * Units are those of the deck: mm, N, MPa for a deck written by
 * {@link toCalculixInp}. Precision: `.dat` values carry 7 significant digits
 * (E13.6), `.frd` values 6 (E12.5), so compare against the `.dat` where it matters.
 */
import { DimensionMismatchError, InvalidArgumentError } from '../errors.js';

/**
 * A table of values per node (or per element/integration point), struct of arrays:
 * `ids[r·idColumns + j]` are the leading integer columns of row r (node id, or
 * element id and integration point), `values[r·components + k]` its values.
 */
export interface CalculixTable {
  /** Quantity as ccx names it, e.g. "displacements", "forces", "stresses", "total force". */
  quantity: string;
  /** Component labels, e.g. ["vx","vy","vz"]. */
  components: string[];
  /** Set name the block was printed for (upper case). */
  set: string;
  /** Step time of the block. */
  time: number;
  /** Number of integer id columns per row (1 for nodes, 2 for element+point, 0 for totals). */
  idColumns: number;
  /** Row count. */
  rows: number;
  ids: Uint32Array;
  values: Float64Array;
}

/** What {@link parseCalculixDat} returns. */
export interface CalculixDatResult {
  /** Every printed block in file order. */
  blocks: CalculixTable[];
  /** Displacements (mm) of every printed node at the last time, merged over sets: one row per node. */
  displacements?: CalculixTable;
  /** Reaction forces RF (N) at the last time, merged over sets. */
  forces?: CalculixTable;
}

const HEADER = /^\s*([A-Za-z][A-Za-z ]*?)\s*\(([^)]*)\)\s+for set\s+(\S+)\s+and time\s+(\S+)/;

function parseNumber(tok: string, where: string): number {
  // Fortran may write exponents without the 'E' for 3-digit exponents (1.0-100).
  const t = /^[-+]?\d*\.?\d+[-+]\d+$/.test(tok) ? tok.replace(/([0-9.])([-+]\d+)$/, '$1E$2') : tok;
  const v = Number(t);
  if (!Number.isFinite(v)) throw new InvalidArgumentError(`${where}: '${tok}' is not a number`);
  return v;
}

/**
 * Parse a CalculiX `.dat` file into its tables.
 *
 * @param text - the `.dat` file contents.
 * @returns every block, plus the last-time displacements and reaction forces merged over sets.
 * @throws DimensionMismatchError on a row whose width does not fit its header.
 * @example
 * ```ts
 * const dat = parseCalculixDat(readFileSync('job.dat', 'utf8'));
 * const u = calculixNodalArray(dat.displacements!, mesh.nodes.length / 3); // xyz interleaved, mm
 * ```
 */
export function parseCalculixDat(text: string): CalculixDatResult {
  const lines = text.split(/\r?\n/);
  const blocks: CalculixTable[] = [];
  let cur: { quantity: string; components: string[]; set: string; time: number; ids: number[]; values: number[]; idColumns: number } | null = null;
  const flush = (): void => {
    if (!cur) return;
    const rows = cur.components.length ? cur.values.length / cur.components.length : 0;
    blocks.push({
      quantity: cur.quantity,
      components: cur.components,
      set: cur.set,
      time: cur.time,
      idColumns: cur.idColumns,
      rows,
      ids: Uint32Array.from(cur.ids),
      values: Float64Array.from(cur.values),
    });
    cur = null;
  };
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    const h = HEADER.exec(line);
    if (h) {
      flush();
      cur = {
        quantity: h[1].trim(),
        components: h[2].split(',').map((s) => s.trim()).filter(Boolean),
        set: h[3].toUpperCase(),
        time: parseNumber(h[4], `.dat line ${li + 1}`),
        ids: [],
        values: [],
        idColumns: -1,
      };
      continue;
    }
    if (!cur) continue;
    const toks = line.trim().split(/\s+/).filter(Boolean);
    if (toks.length === 0) continue;
    const nc = cur.components.length;
    const idCols = toks.length - nc;
    if (idCols < 0 || !toks.every((t) => /^[-+0-9.]/.test(t))) {
      // Something else (a new kind of header): end the block.
      flush();
      continue;
    }
    if (cur.idColumns === -1) cur.idColumns = idCols;
    else if (cur.idColumns !== idCols)
      throw new DimensionMismatchError(`.dat line ${li + 1}: ${toks.length} columns where the block has ${cur.idColumns + nc}`);
    for (let j = 0; j < idCols; j++) cur.ids.push(parseInt(toks[j], 10));
    for (let j = idCols; j < toks.length; j++) cur.values.push(parseNumber(toks[j], `.dat line ${li + 1}`));
  }
  flush();
  for (const b of blocks) if (b.idColumns < 0) b.idColumns = 0;

  const merge = (quantity: string): CalculixTable | undefined => {
    const sel = blocks.filter((b) => b.quantity === quantity && b.idColumns === 1);
    if (!sel.length) return undefined;
    const tLast = Math.max(...sel.map((b) => b.time));
    const at = sel.filter((b) => b.time === tLast);
    const nc = at[0].components.length;
    const byNode = new Map<number, number>(); // node id → row in the merged table
    const ids: number[] = [];
    const values: number[] = [];
    for (const b of at) {
      for (let r = 0; r < b.rows; r++) {
        const id = b.ids[r];
        let row = byNode.get(id);
        if (row === undefined) {
          row = ids.length;
          byNode.set(id, row);
          ids.push(id);
          for (let k = 0; k < nc; k++) values.push(0);
        }
        for (let k = 0; k < nc; k++) values[row * nc + k] = b.values[r * nc + k];
      }
    }
    return { ...at[0], set: at.map((b) => b.set).join('+'), rows: ids.length, ids: Uint32Array.from(ids), values: Float64Array.from(values) };
  };
  return { blocks, displacements: merge('displacements'), forces: merge('forces') };
}

/** What {@link parseFrd} returns: nodal result blocks of the last step, by frd block name. */
export interface FrdResult {
  /** Every nodal block in file order (name e.g. "DISP", "STRESS", "FORC", "TOSTRAIN"). */
  blocks: (CalculixTable & { name: string })[];
  /** Last DISP block (mm): components D1, D2, D3. */
  displacements?: CalculixTable;
  /** Last STRESS block (MPa, extrapolated to nodes by ccx): SXX, SYY, SZZ, SXY, SYZ, SZX. */
  stresses?: CalculixTable;
}

/**
 * Parse the ASCII `.frd` file ccx writes for `*NODE FILE` / `*EL FILE`
 * (nodal result blocks `-4 NAME`, `-5` component lines, `-1` value lines in
 * fixed columns: node I10 at columns 4–13, then E12.5 fields).
 *
 * @param text - the `.frd` contents.
 * @example
 * ```ts
 * const frd = parseFrd(readFileSync('job.frd', 'utf8'));
 * const s = calculixNodalArray(frd.stresses!, mesh.nodes.length / 3); // 6 per node
 * ```
 */
export function parseFrd(text: string): FrdResult {
  const lines = text.split(/\r?\n/);
  const blocks: (CalculixTable & { name: string })[] = [];
  let time = 0;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    if (/^\s{2}100C/.test(line)) {
      // Result header: "  100CL  101 0.100000000E+01 ..." — field after the step number is the time.
      const t = Number(line.slice(12, 24));
      if (Number.isFinite(t)) time = t;
      continue;
    }
    if (!line.startsWith(' -4')) continue;
    const name = line.slice(3).trim().split(/\s+/)[0];
    const components: string[] = [];
    let li2 = li + 1;
    for (; li2 < lines.length && lines[li2].startsWith(' -5'); li2++) {
      const comp = lines[li2].slice(3).trim().split(/\s+/)[0];
      if (comp !== 'ALL') components.push(comp);
    }
    const nc = components.length;
    const ids: number[] = [];
    const values: number[] = [];
    for (; li2 < lines.length && !lines[li2].startsWith(' -3'); li2++) {
      const l = lines[li2];
      if (!l.startsWith(' -1')) continue;
      ids.push(parseInt(l.slice(3, 13), 10));
      for (let k = 0; k < nc; k++) values.push(parseNumber(l.slice(13 + 12 * k, 25 + 12 * k).trim(), `.frd line ${li2 + 1}`));
    }
    blocks.push({ name, quantity: name, components, set: '', time, idColumns: 1, rows: ids.length, ids: Uint32Array.from(ids), values: Float64Array.from(values) });
    li = li2;
  }
  const last = (n: string): CalculixTable | undefined => [...blocks].reverse().find((b) => b.name === n);
  return { blocks, displacements: last('DISP'), stresses: last('STRESS') };
}

/**
 * Scatter a per-node table into a dense array for nodes `firstNode … firstNode+nodeCount−1`
 * (`components` values per node; for a deck from {@link toCalculixInp},
 * mesh node i is ccx node i + 1, the default).
 *
 * @throws DimensionMismatchError if a node of the range is missing from the table.
 * @example
 * ```ts
 * const u = calculixNodalArray(parseCalculixDat(dat).displacements!, mesh.nodes.length / 3);
 * ```
 */
export function calculixNodalArray(table: CalculixTable, nodeCount: number, firstNode = 1): Float64Array {
  const nc = table.components.length;
  if (table.idColumns !== 1) throw new InvalidArgumentError(`calculixNodalArray: '${table.quantity}' is not a per-node table`);
  const out = new Float64Array(nodeCount * nc);
  const seen = new Uint8Array(nodeCount);
  for (let r = 0; r < table.rows; r++) {
    const i = table.ids[r] - firstNode;
    if (i < 0 || i >= nodeCount) continue;
    seen[i] = 1;
    for (let k = 0; k < nc; k++) out[i * nc + k] = table.values[r * nc + k];
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) throw new DimensionMismatchError(`calculixNodalArray: node ${missing + firstNode} has no '${table.quantity}' row`);
  return out;
}

/**
 * The row of one node in a per-node table (a copy of its components), or undefined.
 *
 * @example
 * ```ts
 * const { inp, referenceNodes } = calculixExport(model, loadCase);
 * // … run ccx on inp, then:
 * const dat = parseCalculixDat(readFileSync('job.dat', 'utf8'));
 * const rot = calculixNodeValues(dat.displacements!, referenceNodes.top.rotNode!); // θx, θy, θz (rad)
 * ```
 */
export function calculixNodeValues(table: CalculixTable, nodeId: number): number[] | undefined {
  const nc = table.components.length;
  for (let r = 0; r < table.rows; r++) if (table.ids[r] === nodeId) return Array.from(table.values.subarray(r * nc, (r + 1) * nc));
  return undefined;
}
