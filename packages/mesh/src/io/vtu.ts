/**
 * VTK XML UnstructuredGrid (`.vtu`) writer and reader for ParaView/meshio.
 * Data arrays are inline base64 binary (default, UInt32 byte-count header,
 * little endian) or ASCII. The reader handles inline binary (uncompressed)
 * and ASCII arrays of one supported cell type — what {@link writeVtu} writes.
 */
import { CELL_INFO, type CellType, type Mesh } from '../mesh.js';
import { MeshFormatError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';

/** Typed arrays a VTU data array can hold. */
export type VtuArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** A point or cell field: `values` holds `components` numbers per point/cell, interleaved. */
export interface VtuField {
  values: VtuArray;
  components: number;
}

/** Content of an unstructured grid of one cell type. */
export interface VtuData {
  /** xyz interleaved, length `3·points` (mm). */
  nodes: Float64Array;
  /** `nodesPerCell` node indices per cell (VTK order = {@link CELL_INFO} order). */
  cells: Uint32Array;
  cellType: CellType;
  /** Fields per point, e.g. `displacement` with 3 components (mm). */
  pointData?: Record<string, VtuField>;
  /** Fields per cell, e.g. `region` with 1 component. */
  cellData?: Record<string, VtuField>;
}

/** {@link VtuData} plus the output encoding. */
export interface WriteVtuOptions extends VtuData {
  /** `'binary'` (inline base64, default; ~⅓ the size of ASCII and exact) or `'ascii'` (shortest round-trip decimals). */
  format?: 'binary' | 'ascii';
}

const TYPE_NAMES: [string, { new (n: number): VtuArray; BYTES_PER_ELEMENT: number }][] = [
  ['Float64', Float64Array],
  ['Float32', Float32Array],
  ['Int32', Int32Array],
  ['UInt32', Uint32Array],
  ['Int16', Int16Array],
  ['UInt16', Uint16Array],
  ['Int8', Int8Array],
  ['UInt8', Uint8Array],
];

function vtkTypeName(a: VtuArray): string {
  for (const [name, ctor] of TYPE_NAMES) if (a instanceof ctor) return name;
  throw new MeshFormatError('vtu', `unsupported array type ${Object.prototype.toString.call(a)}`);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function dataArray(name: string, values: VtuArray, components: number, format: 'binary' | 'ascii', indent: string): string {
  const type = vtkTypeName(values);
  const comp = components !== 1 || name === 'Points' ? ` NumberOfComponents="${components}"` : '';
  const head = `${indent}<DataArray type="${type}" Name="${escapeXml(name)}"${comp} format="${format}">`;
  if (format === 'ascii') {
    const parts: string[] = [];
    const line = Math.max(components, 1) * (components <= 3 ? 4 : 1);
    for (let i = 0; i < values.length; i += line) {
      const row: string[] = [];
      for (let j = i; j < Math.min(values.length, i + line); j++) {
        const v = values[j];
        row.push(v === 0 && 1 / v < 0 ? '-0' : String(v)); // String(-0) is "0": keep the sign bit
      }
      parts.push(row.join(' '));
    }
    return `${head}\n${indent}  ${parts.join(`\n${indent}  `)}\n${indent}</DataArray>\n`;
  }
  // Inline binary: base64 of [UInt32 byte count][raw little-endian bytes], one block.
  const bytes = new Uint8Array(4 + values.byteLength);
  new DataView(bytes.buffer).setUint32(0, values.byteLength, true);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 4);
  return `${head}\n${indent}  ${encodeBase64(bytes)}\n${indent}</DataArray>\n`;
}

function checkField(kind: string, name: string, f: VtuField, count: number): void {
  if (!Number.isInteger(f.components) || f.components < 1)
    throw new MeshFormatError('vtu', `${kind} "${name}": components must be a positive integer, got ${f.components}`);
  if (f.values.length !== count * f.components)
    throw new MeshFormatError('vtu', `${kind} "${name}": ${f.values.length} values, expected ${count}·${f.components} = ${count * f.components}`);
}

/**
 * Serialise an unstructured grid of one cell type to VTU XML text.
 *
 * Layout written: `Points` Float64 (3 components), `connectivity` Int32,
 * `offsets` Int32, `types` UInt8 (12 hex, 10 tetra, 24 quadratic tetra —
 * VTK's tet10 node order equals ours), then the point and cell fields with
 * their own array types.
 *
 * @throws MeshFormatError when a field's length does not match the point/cell count.
 * @example
 * ```ts
 * const mesh = boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'tet10' });
 * const xml = writeVtu({ ...mesh, pointData: { u: { values: new Float64Array(mesh.nodes.length), components: 3 } } });
 * ```
 */
export function writeVtu(data: WriteVtuOptions): string {
  const format = data.format ?? 'binary';
  const info = CELL_INFO[data.cellType];
  if (!info) throw new MeshFormatError('vtu', `unknown cell type ${String(data.cellType)}`);
  const np = data.nodes.length / 3;
  const npc = info.nodesPerCell;
  const nc = data.cells.length / npc;
  if (!Number.isInteger(np) || !Number.isInteger(nc))
    throw new MeshFormatError('vtu', `nodes.length ${data.nodes.length} / cells.length ${data.cells.length} do not fit 3 / ${npc}`);
  for (const [n, f] of Object.entries(data.pointData ?? {})) checkField('point field', n, f, np);
  for (const [n, f] of Object.entries(data.cellData ?? {})) checkField('cell field', n, f, nc);
  const offsets = new Int32Array(nc);
  for (let c = 0; c < nc; c++) offsets[c] = (c + 1) * npc;
  const connectivity = new Int32Array(data.cells.buffer, data.cells.byteOffset, data.cells.length); // same bits for indices < 2³¹
  const types = new Uint8Array(nc).fill(info.vtkType);
  const out: string[] = [
    '<?xml version="1.0"?>\n',
    '<VTKFile type="UnstructuredGrid" version="1.0" byte_order="LittleEndian" header_type="UInt32">\n',
    '  <UnstructuredGrid>\n',
    `    <Piece NumberOfPoints="${np}" NumberOfCells="${nc}">\n`,
  ];
  const fields = (tag: string, rec: Record<string, VtuField> | undefined): void => {
    const entries = Object.entries(rec ?? {});
    if (entries.length === 0) return;
    out.push(`      <${tag}>\n`);
    for (const [n, f] of entries) out.push(dataArray(n, f.values, f.components, format, '        '));
    out.push(`      </${tag}>\n`);
  };
  fields('PointData', data.pointData);
  fields('CellData', data.cellData);
  out.push('      <Points>\n', dataArray('Points', data.nodes, 3, format, '        '), '      </Points>\n');
  out.push(
    '      <Cells>\n',
    dataArray('connectivity', connectivity, 1, format, '        '),
    dataArray('offsets', offsets, 1, format, '        '),
    dataArray('types', types, 1, format, '        '),
    '      </Cells>\n',
  );
  out.push('    </Piece>\n', '  </UnstructuredGrid>\n', '</VTKFile>\n');
  return out.join('');
}

/**
 * {@link writeVtu} of a {@link Mesh}: material ids become the cell field
 * `region` (UInt16); `extra` adds fields and chooses the format.
 *
 * @example
 * ```ts
 * writeFileSync('box.vtu', meshToVtu(mesh, { pointData: { u: { values: u, components: 3 } } }));
 * ```
 */
export function meshToVtu(
  mesh: Mesh,
  extra: { pointData?: Record<string, VtuField>; cellData?: Record<string, VtuField>; format?: 'binary' | 'ascii' } = {},
): string {
  return writeVtu({
    nodes: mesh.nodes,
    cells: mesh.cells,
    cellType: mesh.cellType,
    pointData: extra.pointData,
    cellData: { region: { values: mesh.materialIds, components: 1 }, ...extra.cellData },
    format: extra.format,
  });
}

function attributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

interface RawArray {
  name: string;
  values: VtuArray;
  components: number;
}

function parseDataArray(attrText: string, body: string, headerBytes: 4 | 8, compressed: boolean): RawArray {
  const a = attributes(attrText);
  const name = a.Name ?? '';
  const components = a.NumberOfComponents ? Number(a.NumberOfComponents) : 1;
  const typeName = a.type;
  const format = a.format ?? 'ascii';
  const where = `DataArray "${name}"`;
  let entry = TYPE_NAMES.find(([n]) => n === typeName)?.[1];
  const isInt64 = typeName === 'Int64' || typeName === 'UInt64';
  if (!entry && !isInt64) throw new MeshFormatError('vtu', `${where}: unsupported type ${typeName}`);
  if (format === 'appended') throw new MeshFormatError('vtu', `${where}: appended data is not supported (write inline binary or ascii)`);
  if (format === 'ascii') {
    const tokens = body.trim().split(/\s+/).filter((t) => t.length > 0);
    if (isInt64) entry = Float64Array;
    const values = new entry!(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const v = Number(tokens[i]);
      if (Number.isNaN(v) && tokens[i] !== 'NaN') throw new MeshFormatError('vtu', `${where}: bad number "${tokens[i]}" at position ${i}`);
      values[i] = v;
    }
    return { name, values, components };
  }
  if (format !== 'binary') throw new MeshFormatError('vtu', `${where}: unknown format ${format}`);
  if (compressed) throw new MeshFormatError('vtu', `${where}: compressed binary data is not supported`);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(body);
  } catch (e) {
    throw new MeshFormatError('vtu', `${where}: ${(e as Error).message}`);
  }
  if (bytes.length < headerBytes) throw new MeshFormatError('vtu', `${where}: binary block shorter than its header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nbytes = headerBytes === 4 ? dv.getUint32(0, true) : Number(dv.getBigUint64(0, true));
  if (bytes.length < headerBytes + nbytes)
    throw new MeshFormatError('vtu', `${where}: header says ${nbytes} bytes, only ${bytes.length - headerBytes} present`);
  // Copy into a fresh, aligned buffer before viewing as a typed array.
  const raw = bytes.slice(headerBytes, headerBytes + nbytes);
  if (isInt64) {
    const big = typeName === 'Int64' ? new BigInt64Array(raw.buffer) : new BigUint64Array(raw.buffer);
    const values = new Float64Array(big.length);
    for (let i = 0; i < big.length; i++) values[i] = Number(big[i]);
    return { name, values, components };
  }
  if (nbytes % entry!.BYTES_PER_ELEMENT !== 0) throw new MeshFormatError('vtu', `${where}: ${nbytes} bytes is not a whole number of ${typeName}`);
  return { name, values: new (entry as unknown as { new (b: ArrayBuffer): VtuArray })(raw.buffer), components };
}

function section(text: string, tag: string): string | undefined {
  const m = text.match(new RegExp(`<${tag}\\b[^>]*?(?:/>|>([\\s\\S]*?)</${tag}>)`));
  return m ? (m[1] ?? '') : undefined;
}

function arraysIn(text: string, headerBytes: 4 | 8, compressed: boolean): RawArray[] {
  const out: RawArray[] = [];
  for (const m of text.matchAll(/<DataArray\b([^>]*?)(?:\/>|>([\s\S]*?)<\/DataArray>)/g)) out.push(parseDataArray(m[1], m[2] ?? '', headerBytes, compressed));
  return out;
}

/**
 * Parse VTU text of one supported cell type (as written by {@link writeVtu},
 * ParaView or meshio without compression).
 *
 * @returns nodes (Float64), cells (Uint32), cell type and the fields with
 * their file's array types (64-bit integer arrays come back as Float64Array).
 * @throws MeshFormatError for other cell types, mixed types, appended or
 * compressed data, big-endian files, and arrays whose sizes do not match.
 * @example
 * ```ts
 * const back = readVtu(meshToVtu(mesh));
 * // back.cellData.region.values equals mesh.materialIds
 * ```
 */
export function readVtu(text: string): Required<VtuData> {
  const fileTag = text.match(/<VTKFile\b([^>]*)>/);
  if (!fileTag) throw new MeshFormatError('vtu', 'no <VTKFile> element');
  const fa = attributes(fileTag[1]);
  if (fa.type !== 'UnstructuredGrid') throw new MeshFormatError('vtu', `VTKFile type is ${fa.type}, expected UnstructuredGrid`);
  if (fa.byte_order && fa.byte_order !== 'LittleEndian') throw new MeshFormatError('vtu', `byte_order ${fa.byte_order} is not supported`);
  const headerBytes = fa.header_type === 'UInt64' ? 8 : 4;
  const compressed = !!fa.compressor;
  const pieces = [...text.matchAll(/<Piece\b([^>]*)>/g)];
  if (pieces.length !== 1) throw new MeshFormatError('vtu', `expected exactly one <Piece>, found ${pieces.length}`);
  const pa = attributes(pieces[0][1]);
  const np = Number(pa.NumberOfPoints);
  const nc = Number(pa.NumberOfCells);
  if (!Number.isInteger(np) || !Number.isInteger(nc)) throw new MeshFormatError('vtu', 'Piece lacks NumberOfPoints/NumberOfCells');

  const pointsText = section(text, 'Points');
  const cellsText = section(text, 'Cells');
  if (pointsText === undefined || cellsText === undefined) throw new MeshFormatError('vtu', 'missing <Points> or <Cells>');
  const pts = arraysIn(pointsText, headerBytes, compressed)[0];
  if (!pts || pts.values.length !== 3 * np) throw new MeshFormatError('vtu', `Points: expected ${3 * np} values, got ${pts?.values.length ?? 0}`);
  const nodes = pts.values instanceof Float64Array ? pts.values : Float64Array.from(pts.values);

  const cellArrays = arraysIn(cellsText, headerBytes, compressed);
  const get = (n: string): VtuArray => {
    const a = cellArrays.find((x) => x.name === n);
    if (!a) throw new MeshFormatError('vtu', `<Cells> lacks the "${n}" array`);
    return a.values;
  };
  const conn = get('connectivity');
  const offsets = get('offsets');
  const types = get('types');
  if (types.length !== nc || offsets.length !== nc) throw new MeshFormatError('vtu', `types/offsets have ${types.length}/${offsets.length} entries, expected ${nc} cells`);
  const entry = (Object.entries(CELL_INFO) as [CellType, (typeof CELL_INFO)[CellType]][]).find(([, i]) => i.vtkType === types[0]);
  if (!entry) throw new MeshFormatError('vtu', `cell 0 has VTK type ${types[0]}; supported: 12 (hex8), 10 (tet4), 24 (tet10)`);
  const [cellType, info] = entry;
  const npc = info.nodesPerCell;
  for (let c = 0; c < nc; c++) {
    if (types[c] !== info.vtkType) throw new MeshFormatError('vtu', `cell ${c} has VTK type ${types[c]}, mixed with ${info.vtkType}; only one cell type is supported`);
    if (offsets[c] !== (c + 1) * npc) throw new MeshFormatError('vtu', `cell ${c}: offset ${offsets[c]} ≠ ${(c + 1) * npc}`);
  }
  if (conn.length !== nc * npc) throw new MeshFormatError('vtu', `connectivity has ${conn.length} entries, expected ${nc * npc}`);
  const cells = new Uint32Array(conn.length);
  for (let i = 0; i < conn.length; i++) {
    const v = conn[i];
    if (!(v >= 0 && v < np)) throw new MeshFormatError('vtu', `cell ${Math.floor(i / npc)} refers to point ${v} of ${np}`);
    cells[i] = v;
  }
  const fields = (tag: string, count: number): Record<string, VtuField> => {
    const t = section(text, tag);
    const rec: Record<string, VtuField> = {};
    if (t === undefined) return rec;
    for (const a of arraysIn(t, headerBytes, compressed)) {
      if (a.values.length !== count * a.components)
        throw new MeshFormatError('vtu', `${tag} "${a.name}": ${a.values.length} values for ${count} entries × ${a.components} components`);
      rec[a.name] = { values: a.values, components: a.components };
    }
    return rec;
  };
  return { nodes, cells, cellType, pointData: fields('PointData', np), cellData: fields('CellData', nc) };
}

/**
 * Turn {@link readVtu} output back into a {@link Mesh}: the cell field
 * `region` (if any) becomes `materialIds`; node/face sets are empty (VTU
 * has none).
 *
 * @throws MeshFormatError when `region` holds values outside 0..65535.
 * @example
 * ```ts
 * const mesh = vtuToMesh(readVtu(text));
 * ```
 */
export function vtuToMesh(data: VtuData): Mesh {
  const nc = data.cells.length / CELL_INFO[data.cellType].nodesPerCell;
  const materialIds = new Uint16Array(nc);
  const region = data.cellData?.region;
  if (region) {
    if (region.components !== 1 || region.values.length !== nc) throw new MeshFormatError('vtu', 'cell field "region" must have one value per cell');
    for (let c = 0; c < nc; c++) {
      const v = region.values[c];
      if (!(Number.isInteger(v) && v >= 0 && v <= 0xffff)) throw new MeshFormatError('vtu', `cell ${c}: region ${v} is not an integer in 0..65535`);
      materialIds[c] = v;
    }
  }
  return { nodes: data.nodes, cells: data.cells, cellType: data.cellType, materialIds, nodeSets: {}, faceSets: {} };
}
