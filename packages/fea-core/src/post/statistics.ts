/**
 * Summary statistics of a scalar field over a region: extremes, the
 * volume-weighted mean and volume-weighted percentiles, so results do not
 * depend on how finely a region happens to be meshed.
 */
import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import { DimensionMismatchError, NonFiniteInputError, SpineFeaError } from '../errors.js';

/**
 * Statistics of one scalar field over a selection, see {@link regionStatistics}.
 * Value fields carry the field's units (MPa for stresses).
 *
 * @example
 * ```ts
 * const { p95, volume } = regionStatistics(vonMises(fields.stress), fields.weights);
 * ```
 */
export interface RegionStatistics {
  /** Number of selected items. */
  count: number;
  /** Largest selected value (field units). */
  max: number;
  /** Smallest selected value (field units). */
  min: number;
  /** Mean: Σ wᵢ fᵢ / Σ wᵢ when weighted, else the arithmetic mean. */
  mean: number;
  /** Median (percentile definition in {@link regionStatistics}). */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Σ wᵢ over the selection (mm³ when the weights are volumes), also when unweighted. */
  volume: number;
}

/**
 * Options of {@link regionStatistics}.
 *
 * @example
 * ```ts
 * regionStatistics(field, weights, undefined, { weighted: false }); // per-item percentiles
 * ```
 */
export interface RegionStatisticsOptions {
  /**
   * `true` (default): mean and percentiles weighted by `weights`.
   * `false`: every selected item counts once (the weights only give `volume`).
   */
  weighted?: boolean;
}

/**
 * Relative slack on the cumulative-weight test of a percentile: a running sum
 * of weights carries rounding of order n·ε·W, which must not move a value that
 * sits exactly on the p% boundary (weights 99:1, p = 99) to the next one.
 */
const CUMULATIVE_SLACK = 1e-12;

/**
 * Statistics of a scalar field over the items selected by `mask`.
 *
 * Percentile definition (volume-weighted): the p-th percentile is the
 * smallest selected value v such that the weight (volume) of the selected
 * items with value ≤ v is at least p% of the selected total,
 * `min { v : Σ_{fᵢ ≤ v} wᵢ ≥ (p/100)·Σ wᵢ }` (up to a relative rounding slack
 * of 1e−12 of the total). With equal weights, or `weighted: false`, this is
 * the nearest-rank percentile: the ⌈p·n/100⌉-th smallest value. Percentiles
 * are always values that occur in the field (no interpolation).
 *
 * Items with zero weight are counted in `count`, `min` and `max` but do not
 * move a weighted mean or percentile.
 *
 * @param field - one value per item (e.g. von Mises stress per sampling point, MPa).
 * @param weights - one non-negative weight per item (volume, mm³), same length.
 * @param mask - selection: a `Uint8Array` (non-zero = selected) or a predicate
 *   on the item index; everything when omitted.
 * @param options - `weighted` (default `true`).
 * @returns `{ count, max, min, mean, p50, p95, p99, volume }`.
 * @throws DimensionMismatchError for lengths that differ; NonFiniteInputError
 *   for a NaN/infinite selected value or weight, or a negative weight;
 *   SpineFeaError `EMPTY_SELECTION` when nothing is selected, or (weighted) the
 *   selection has zero total weight.
 * @example
 * ```ts
 * const vm = vonMises(fields.stress);
 * const s = regionStatistics(vm, fields.weights, expandCellMask(cellMaskForRegions(mesh, ['L4']), fields.samplingPoints));
 * console.log(s.p95, 'MPa over', s.volume, 'mm³');
 * ```
 */
export function regionStatistics(
  field: Float64Array,
  weights: Float64Array,
  mask?: Uint8Array | ((i: number) => boolean),
  options: RegionStatisticsOptions = {},
): RegionStatistics {
  const n = field.length;
  if (weights.length !== n) {
    throw new DimensionMismatchError(`regionStatistics: field has ${n} values but weights has ${weights.length}`);
  }
  if (mask instanceof Uint8Array && mask.length !== n) {
    throw new DimensionMismatchError(`regionStatistics: field has ${n} values but mask has ${mask.length}`);
  }
  const weighted = options.weighted ?? true;
  const selected =
    mask === undefined
      ? null
      : mask instanceof Uint8Array
        ? (i: number) => mask[i] !== 0
        : mask;

  // Pass 1: collect the selected indices, extremes, sums.
  const idx = new Uint32Array(n);
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let volume = 0;
  let sumWF = 0;
  let sumF = 0;
  for (let i = 0; i < n; i++) {
    if (selected !== null && !selected(i)) continue;
    const f = field[i];
    const w = weights[i];
    if (!Number.isFinite(f)) throw new NonFiniteInputError(`regionStatistics: field value ${i} is ${f}`);
    if (!Number.isFinite(w) || w < 0) {
      throw new NonFiniteInputError(`regionStatistics: weight ${i} is ${w}; weights must be finite and ≥ 0`);
    }
    idx[count++] = i;
    if (f < min) min = f;
    if (f > max) max = f;
    volume += w;
    sumWF += w * f;
    sumF += f;
  }
  if (count === 0) throw new SpineFeaError('EMPTY_SELECTION', 'regionStatistics: the mask selects no items');
  if (weighted && !(volume > 0)) {
    throw new SpineFeaError('EMPTY_SELECTION', `regionStatistics: the ${count} selected items have zero total weight`);
  }

  // Pass 2: sort the selection by value, then walk the cumulative weight.
  const order = idx.subarray(0, count);
  order.sort((a, b) => field[a] - field[b]);
  const total = weighted ? volume : count;
  const targets = [0.5 * total, 0.95 * total, 0.99 * total];
  const result = [max, max, max];
  let t = 0;
  let cum = 0;
  const slack = CUMULATIVE_SLACK * total;
  for (let k = 0; k < count && t < 3; k++) {
    cum += weighted ? weights[order[k]] : 1;
    while (t < 3 && cum >= targets[t] - slack) {
      // first value whose cumulative weight reaches p·total (several p may be reached at once)
      result[t++] = field[order[k]];
    }
  }
  return {
    count,
    max,
    min,
    mean: weighted ? sumWF / volume : sumF / count,
    p50: result[0],
    p95: result[1],
    p99: result[2],
    volume,
  };
}

/**
 * Cell mask (1 = selected) of the cells whose material/region id is in
 * `regions`, given as ids or as names looked up in `mesh.regionNames`.
 *
 * @param mesh - the mesh (`materialIds`, `regionNames`).
 * @param regions - region ids (ids with no cells simply select nothing) or region names.
 * @returns `Uint8Array`, one entry per cell.
 * @throws SpineFeaError `UNKNOWN_REGION` for a name not in `mesh.regionNames`.
 * @example
 * ```ts
 * const discs = cellMaskForRegions(mesh, ['L3-L4 annulus', 'L3-L4 nucleus']);
 * ```
 */
export function cellMaskForRegions(mesh: Mesh, regions: readonly number[] | readonly string[]): Uint8Array {
  const cells = mesh.materialIds.length;
  const expected = mesh.cells.length / CELL_INFO[mesh.cellType].nodesPerCell;
  if (cells !== expected) {
    throw new DimensionMismatchError(`cellMaskForRegions: mesh has ${expected} cells but ${cells} material ids`);
  }
  const wanted = new Set<number>();
  for (const r of regions) {
    if (typeof r === 'number') {
      wanted.add(r);
    } else {
      const id = mesh.regionNames?.indexOf(r) ?? -1;
      if (id < 0) {
        const known = mesh.regionNames?.filter((s) => s !== undefined && s !== '').join(', ') ?? '';
        throw new SpineFeaError(
          'UNKNOWN_REGION',
          `cellMaskForRegions: no region named '${r}' (known: ${known === '' ? 'none, the mesh has no regionNames' : known})`,
        );
      }
      wanted.add(id);
    }
  }
  const mask = new Uint8Array(cells);
  for (let c = 0; c < cells; c++) if (wanted.has(mesh.materialIds[c])) mask[c] = 1;
  return mask;
}

/**
 * Expands a per-cell mask to a per-sampling-point mask (each cell's flag
 * repeated `samplingPoints` times), to select sampling-point fields such as
 * `elementFields(...).stress` by cell.
 *
 * @param cellMask - one flag per cell.
 * @param samplingPoints - sampling points per cell.
 * @returns `Uint8Array` of length `cells·samplingPoints`.
 * @example
 * ```ts
 * const spMask = expandCellMask(cellMaskForRegions(mesh, [2]), fields.samplingPoints);
 * ```
 */
export function expandCellMask(cellMask: Uint8Array, samplingPoints: number): Uint8Array {
  if (!Number.isInteger(samplingPoints) || samplingPoints < 1) {
    throw new DimensionMismatchError(`expandCellMask: samplingPoints must be a positive integer, got ${samplingPoints}`);
  }
  const out = new Uint8Array(cellMask.length * samplingPoints);
  for (let c = 0; c < cellMask.length; c++) {
    if (cellMask[c] !== 0) out.fill(1, c * samplingPoints, (c + 1) * samplingPoints);
  }
  return out;
}
