/**
 * The data of the main job's HTML report and its validation.
 */

/**
 * One configuration's outer surface, coloured by one load case's von Mises
 * stress. Built from `boundaryTriangles(mesh, { byRegion: true })` of
 * `@spinefea/mesh`.
 *
 * Layout (V vertices, T triangles):
 * - `positions`: xyz interleaved, length 3·V, mm.
 * - `indices`: 3 vertex indices per triangle, length 3·T, counter-clockwise seen from outside.
 * - `regionIds`: region id (index into {@link ReportData.regionNames}) per TRIANGLE, length T.
 * - `vonMises`: von Mises stress per vertex, length V, MPa (≥ 0).
 * - `displacement`: optional xyz per vertex, length 3·V, mm (enables the deformed view).
 *
 * @example
 * ```ts
 * const s = boundaryTriangles(mesh, { byRegion: true, float32: true });
 * const surface: ReportSurface = {
 *   name: 'intact', loadCase: 'flexion 7.5 Nm',
 *   positions: s.positions as Float32Array, indices: s.indices, regionIds: s.regionIds,
 *   vonMises: new Float32Array(s.positions.length / 3),
 * };
 * ```
 */
export interface ReportSurface {
  /** Configuration name, e.g. 'intact', 'instrumented'. */
  name: string;
  /** Load case the colours show, e.g. 'flexion 7.5 Nm'. */
  loadCase: string;
  positions: Float32Array;
  indices: Uint32Array;
  regionIds: Uint16Array;
  vonMises: Float32Array;
  displacement?: Float32Array;
}

/** One motion of the range-of-motion chart. */
export interface RomRow {
  /** Motion name as printed, e.g. 'flexion'. */
  motion: string;
  /** In-vitro corridor `[low, high]`, deg (drawn as a band). */
  corridor?: [number, number];
  /** Where the corridor comes from, e.g. 'Heuer et al. 2007'. */
  corridorSource?: string;
  /** Range of motion by configuration name, deg. */
  values: Record<string, number>;
}

/**
 * Everything the report shows.
 *
 * @example
 * ```ts
 * const data: ReportData = {
 *   title: 'L4-L5, 7.5 Nm', generated: new Date().toISOString(),
 *   regionNames: mesh.regionNames!, implantRegionIds: [],
 *   surfaces: [surface],
 *   romTable: [{ motion: 'flexion', corridor: [5, 6], corridorSource: 'Heuer 2007', values: { intact: 5.4 } }],
 *   figuresTable: { header: ['figure', 'intact'], rows: [['ROM flexion (deg)', '5.40']] },
 * };
 * ```
 */
export interface ReportData {
  title: string;
  /** Generation time, ISO 8601. */
  generated: string;
  /** Region name by region id. */
  regionNames: string[];
  /** Region ids of implants (highlighted in the viewer). */
  implantRegionIds: number[];
  surfaces: ReportSurface[];
  /** ROM by motion, deg. */
  romTable: RomRow[];
  /** The clinical-figures table as printed (cells are plain text). */
  figuresTable: { header: string[]; rows: string[][] };
  /** Free-text notes shown at the end (plain text). */
  notes?: string[];
}

/** Report data that cannot be drawn: says which field is wrong and how. */
export class InvalidReportDataError extends Error {
  readonly code = 'INVALID_REPORT_DATA';
  constructor(
    message: string,
    /** Path of the offending field, e.g. `surfaces[1].vonMises`. */
    readonly field: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvalidReportDataError';
  }
}

function checkFinite(a: ArrayLike<number>, field: string, unit: string): void {
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i])) throw new InvalidReportDataError(`entry ${i} is ${a[i]} (${unit} must be finite)`, field);
}

/**
 * Check the report data: array lengths agree, indices are in range, values
 * are finite.
 *
 * @throws InvalidReportDataError naming the field and the first bad entry.
 * @example
 * ```ts
 * validateReportData(data); // throws on e.g. a NaN von Mises value
 * ```
 */
export function validateReportData(data: ReportData): void {
  if (!Array.isArray(data.regionNames)) throw new InvalidReportDataError('must be an array of strings', 'regionNames');
  const nr = data.regionNames.length;
  data.implantRegionIds.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= nr)
      throw new InvalidReportDataError(`id ${id} is not a region id (0..${nr - 1})`, `implantRegionIds[${i}]`);
  });
  const names = new Set<string>();
  data.surfaces.forEach((s, k) => {
    const f = `surfaces[${k}]`;
    if (names.has(s.name)) throw new InvalidReportDataError(`configuration name '${s.name}' is used twice`, `${f}.name`);
    names.add(s.name);
    if (s.positions.length % 3 !== 0 || s.positions.length === 0)
      throw new InvalidReportDataError(`length ${s.positions.length} is not a positive multiple of 3`, `${f}.positions`);
    const nv = s.positions.length / 3;
    checkFinite(s.positions, `${f}.positions`, 'mm');
    if (s.indices.length % 3 !== 0) throw new InvalidReportDataError(`length ${s.indices.length} is not a multiple of 3`, `${f}.indices`);
    for (let i = 0; i < s.indices.length; i++)
      if (s.indices[i] >= nv) throw new InvalidReportDataError(`entry ${i} = ${s.indices[i]} ≥ vertex count ${nv}`, `${f}.indices`);
    const nt = s.indices.length / 3;
    if (s.regionIds.length !== nt)
      throw new InvalidReportDataError(`length ${s.regionIds.length} ≠ triangle count ${nt} (one region id per triangle)`, `${f}.regionIds`);
    for (let i = 0; i < nt; i++)
      if (s.regionIds[i] >= nr)
        throw new InvalidReportDataError(`triangle ${i} has region id ${s.regionIds[i]} but there are ${nr} region names`, `${f}.regionIds`);
    if (s.vonMises.length !== nv)
      throw new InvalidReportDataError(`length ${s.vonMises.length} ≠ vertex count ${nv} (one value per vertex)`, `${f}.vonMises`);
    checkFinite(s.vonMises, `${f}.vonMises`, 'MPa');
    if (s.displacement) {
      if (s.displacement.length !== 3 * nv)
        throw new InvalidReportDataError(`length ${s.displacement.length} ≠ 3 × vertex count ${nv}`, `${f}.displacement`);
      checkFinite(s.displacement, `${f}.displacement`, 'mm');
    }
  });
  data.romTable.forEach((r, i) => {
    const f = `romTable[${i}]`;
    if (r.corridor && !(Number.isFinite(r.corridor[0]) && Number.isFinite(r.corridor[1]) && r.corridor[0] <= r.corridor[1]))
      throw new InvalidReportDataError(`[${r.corridor.join(', ')}] is not a finite interval low ≤ high (deg)`, `${f}.corridor`);
    for (const [k, v] of Object.entries(r.values))
      if (!Number.isFinite(v)) throw new InvalidReportDataError(`${v} is not a finite angle (deg)`, `${f}.values.${k}`);
  });
  const h = data.figuresTable.header.length;
  data.figuresTable.rows.forEach((r, i) => {
    if (r.length !== h) throw new InvalidReportDataError(`has ${r.length} cells but the header has ${h}`, `figuresTable.rows[${i}]`);
  });
}
