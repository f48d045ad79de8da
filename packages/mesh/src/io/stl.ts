/**
 * STL surface files (ASCII and binary), e.g. of {@link boundaryTriangles}.
 */
import { MeshFormatError } from '../errors.js';

/** Triangles to write: vertex positions (mm) and 3 vertex indices per triangle. */
export interface StlTriangles {
  positions: Float64Array | Float32Array;
  indices: Uint32Array;
  /** Optional region id per triangle: binary files store it in the 16-bit attribute; ASCII files write one `solid` per region. */
  regionIds?: Uint16Array;
}

/** Options of {@link writeStl}. */
export interface WriteStlOptions {
  /** Binary STL (default false: ASCII). */
  binary?: boolean;
  /** Solid name (ASCII `solid <name>`, binary header text). Default `spinefea`. */
  name?: string;
}

/** Result of {@link readStl}. Identical vertices (exact float32 match) are merged. */
export interface StlSurface {
  /** Unique vertex positions, xyz interleaved (mm). */
  positions: Float32Array;
  /** 3 vertex indices per triangle, in file order. */
  indices: Uint32Array;
  /** Facet normals as stored in the file, 3 per triangle. */
  normals: Float32Array;
  /** Binary: the attribute word of each triangle; ASCII: the index of its `solid`. */
  regionIds: Uint16Array;
  /** Solid name(s): ASCII names of each solid, or the binary header text. */
  names: string[];
}

function unitNormal(p: Float64Array | Float32Array, a: number, b: number, c: number, out: number[]): void {
  const ux = p[3 * b] - p[3 * a];
  const uy = p[3 * b + 1] - p[3 * a + 1];
  const uz = p[3 * b + 2] - p[3 * a + 2];
  const vx = p[3 * c] - p[3 * a];
  const vy = p[3 * c + 1] - p[3 * a + 1];
  const vz = p[3 * c + 2] - p[3 * a + 2];
  // n = u × v / |u × v| (right-hand rule: counter-clockwise seen from outside)
  const nx = uy * vz - uz * vy;
  const ny = uz * vx - ux * vz;
  const nz = ux * vy - uy * vx;
  const l = Math.hypot(nx, ny, nz);
  out[0] = l > 0 ? nx / l : 0;
  out[1] = l > 0 ? ny / l : 0;
  out[2] = l > 0 ? nz / l : 0;
}

/** Shortest decimal that parses back to the same float32. */
function f32(x: number): string {
  const f = Math.fround(x);
  for (let p = 6; p < 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(Number(f.toPrecision(9)));
}

/**
 * Write triangles as STL. Facet normals are computed from the vertex order
 * (counter-clockwise seen from outside). Coordinates are stored as float32
 * (the STL format); ASCII uses the shortest decimals that round-trip float32.
 *
 * @returns ASCII text, or the bytes of a binary file (`84 + 50·triangles` bytes).
 * @example
 * ```ts
 * const bytes = writeStl(boundaryTriangles(mesh), { binary: true, name: 'L4' });
 * writeFileSync('L4.stl', bytes);
 * ```
 */
export function writeStl(triangles: StlTriangles, options: WriteStlOptions & { binary: true }): Uint8Array;
export function writeStl(triangles: StlTriangles, options?: WriteStlOptions & { binary?: false }): string;
export function writeStl(triangles: StlTriangles, options?: WriteStlOptions): string | Uint8Array;
export function writeStl(triangles: StlTriangles, options: WriteStlOptions = {}): string | Uint8Array {
  const { positions: p, indices } = triangles;
  const nt = indices.length / 3;
  if (!Number.isInteger(nt)) throw new MeshFormatError('stl', `indices.length ${indices.length} is not a multiple of 3`);
  const nv = p.length / 3;
  for (let i = 0; i < indices.length; i++)
    if (indices[i] >= nv) throw new MeshFormatError('stl', `triangle ${Math.floor(i / 3)} refers to vertex ${indices[i]} of ${nv}`);
  const name = (options.name ?? 'spinefea').replace(/\s+/g, '_');
  const n = [0, 0, 0];
  if (options.binary) {
    const bytes = new Uint8Array(84 + 50 * nt);
    const dv = new DataView(bytes.buffer);
    const header = new TextEncoder().encode(`spinefea STL ${name}`.slice(0, 80));
    bytes.set(header, 0);
    dv.setUint32(80, nt, true);
    for (let t = 0; t < nt; t++) {
      const o = 84 + 50 * t;
      const a = indices[3 * t];
      const b = indices[3 * t + 1];
      const c = indices[3 * t + 2];
      unitNormal(p, a, b, c, n);
      for (let k = 0; k < 3; k++) dv.setFloat32(o + 4 * k, n[k], true);
      [a, b, c].forEach((v, j) => {
        for (let k = 0; k < 3; k++) dv.setFloat32(o + 12 + 12 * j + 4 * k, p[3 * v + k], true);
      });
      dv.setUint16(o + 48, triangles.regionIds ? triangles.regionIds[t] : 0, true);
    }
    return bytes;
  }
  // ASCII: one solid per region id (in first-appearance order), or one solid.
  const groups = new Map<number, number[]>();
  for (let t = 0; t < nt; t++) {
    const r = triangles.regionIds ? triangles.regionIds[t] : 0;
    (groups.get(r) ?? groups.set(r, []).get(r)!).push(t);
  }
  if (groups.size === 0) groups.set(0, []);
  const out: string[] = [];
  for (const [r, list] of groups) {
    const solid = groups.size > 1 ? `${name}_region_${r}` : name;
    out.push(`solid ${solid}`);
    for (const t of list) {
      const vs = [indices[3 * t], indices[3 * t + 1], indices[3 * t + 2]];
      unitNormal(p, vs[0], vs[1], vs[2], n);
      out.push(`  facet normal ${f32(n[0])} ${f32(n[1])} ${f32(n[2])}`, '    outer loop');
      for (const v of vs) out.push(`      vertex ${f32(p[3 * v])} ${f32(p[3 * v + 1])} ${f32(p[3 * v + 2])}`);
      out.push('    endloop', '  endfacet');
    }
    out.push(`endsolid ${solid}`);
  }
  return out.join('\n') + '\n';
}

/** Merge identical float32 vertices; returns unique positions and the index of each input vertex. */
function mergeVertices(raw: Float32Array): { positions: Float32Array; indices: Uint32Array } {
  const bits = new Uint32Array(raw.buffer, raw.byteOffset, raw.length);
  const map = new Map<string, number>();
  const indices = new Uint32Array(raw.length / 3);
  const uniq: number[] = [];
  for (let v = 0; v < raw.length / 3; v++) {
    // −0 and +0 compare equal as numbers but not as bits: normalise.
    const key = `${raw[3 * v] === 0 ? 0 : bits[3 * v]},${raw[3 * v + 1] === 0 ? 0 : bits[3 * v + 1]},${raw[3 * v + 2] === 0 ? 0 : bits[3 * v + 2]}`;
    let id = map.get(key);
    if (id === undefined) {
      id = uniq.length / 3;
      map.set(key, id);
      uniq.push(raw[3 * v], raw[3 * v + 1], raw[3 * v + 2]);
    }
    indices[v] = id;
  }
  return { positions: Float32Array.from(uniq), indices };
}

/**
 * Read an ASCII or binary STL. Binary is recognised by its size
 * (`84 + 50·n` bytes with n from the header), so binary files whose header
 * starts with "solid" are handled.
 *
 * @throws MeshFormatError for truncated binary files or malformed ASCII (naming the line).
 * @example
 * ```ts
 * const s = readStl(readFileSync('L4.stl'));
 * console.log(s.indices.length / 3, 'triangles');
 * ```
 */
export function readStl(data: string | Uint8Array | ArrayBuffer): StlSurface {
  const bytes = typeof data === 'string' ? undefined : data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes && bytes.length >= 84) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const nt = dv.getUint32(80, true);
    if (bytes.length === 84 + 50 * nt) {
      const raw = new Float32Array(9 * nt);
      const normals = new Float32Array(3 * nt);
      const regionIds = new Uint16Array(nt);
      for (let t = 0; t < nt; t++) {
        const o = 84 + 50 * t;
        for (let k = 0; k < 3; k++) normals[3 * t + k] = dv.getFloat32(o + 4 * k, true);
        for (let k = 0; k < 9; k++) raw[9 * t + k] = dv.getFloat32(o + 12 + 4 * k, true);
        regionIds[t] = dv.getUint16(o + 48, true);
      }
      const header = new TextDecoder().decode(bytes.subarray(0, 80)).replace(/\0[\s\S]*$/, '').trim();
      return { ...mergeVertices(raw), normals, regionIds, names: [header] };
    }
    const head = new TextDecoder().decode(bytes.subarray(0, 5));
    if (head !== 'solid') throw new MeshFormatError('stl', `binary STL of ${bytes.length} bytes does not hold the ${nt} triangles its header announces`);
  }
  const text = typeof data === 'string' ? data : new TextDecoder().decode(bytes);
  const raw: number[] = [];
  const normals: number[] = [];
  const regions: number[] = [];
  const names: string[] = [];
  let solid = -1;
  let inLoop = 0;
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const bad = (): never => {
      throw new MeshFormatError('stl', `line ${li + 1}: cannot parse "${line}"`);
    };
    switch (parts[0]) {
      case 'solid':
        solid++;
        names.push(parts.slice(1).join(' '));
        break;
      case 'facet': {
        if (parts[1] !== 'normal' || parts.length !== 5) bad();
        const v = parts.slice(2).map(Number);
        if (v.some((x) => !Number.isFinite(x))) bad();
        normals.push(...v);
        regions.push(Math.max(solid, 0));
        inLoop = 0;
        break;
      }
      case 'vertex': {
        if (parts.length !== 4) bad();
        const v = parts.slice(1).map(Number);
        if (v.some((x) => !Number.isFinite(x))) bad();
        raw.push(...v);
        inLoop++;
        break;
      }
      case 'endloop':
        if (inLoop !== 3) throw new MeshFormatError('stl', `line ${li + 1}: facet has ${inLoop} vertices, expected 3`);
        break;
      case 'outer':
      case 'endfacet':
      case 'endsolid':
        break;
      default:
        bad();
    }
  }
  if (solid < 0) throw new MeshFormatError('stl', 'neither a binary STL nor an ASCII one (no "solid" line)');
  if (raw.length !== 9 * regions.length) throw new MeshFormatError('stl', `${raw.length / 3} vertices for ${regions.length} facets`);
  return { ...mergeVertices(Float32Array.from(raw)), normals: Float32Array.from(normals), regionIds: Uint16Array.from(regions), names };
}
