/**
 * Parsing and checking of user-supplied design points: numbers in the documented
 * unit, or quantities with a unit (`'6.5 mm'`, `{ value: 0.65, unit: 'cm' }`)
 * converted to it; a missing input, a unit of the wrong kind, a value outside
 * the physically valid range or an unknown choice is a {@link SurrogateInputError}
 * naming the input.
 */
import { SurrogateInputError } from './errors.js';
import { configurationHas, DESIGN_INPUTS, type DesignPoint, type Dimension, type InputSpec } from './design-space.js';

/**
 * Physically valid range of each numeric input (hard limits: outside, the
 * solver could not model the case at all). The surrogate's training bounds are
 * narrower; inside these but outside those the prediction is flagged OOD.
 */
export const VALID_RANGES: Readonly<Record<string, { min: number; max: number }>> = {
  globalScale: { min: 0.8, max: 1.2 },
  discHeightScale: { min: 0.5, max: 1.5 },
  lordosisDeg: { min: -5, max: 25 },
  degenerationGrade: { min: 0, max: 3 },
  screwDiameterMm: { min: 4.5, max: 7.5 },
  screwLengthMm: { min: 30, max: 55 },
  screwConvergenceDeg: { min: 0, max: 45 },
  screwSagittalDeg: { min: -30, max: 30 },
  rodDiameterMm: { min: 5, max: 6.35 },
  cageHeightMm: { min: 6, max: 20 },
  momentNm: { min: 0, max: 20 },
  preloadN: { min: 0, max: 2000 },
};

/** Units accepted per dimension, as factors to the canonical unit (first entry). */
const UNITS: Record<Dimension, Record<string, number>> = {
  length: { mm: 1, cm: 10, m: 1000, µm: 1e-3, um: 1e-3 },
  angle: { deg: 1, '°': 1, degree: 1, degrees: 1, rad: 180 / Math.PI },
  moment: { 'N·m': 1, Nm: 1, 'N.m': 1, 'N*m': 1, 'N m': 1, 'N·mm': 1e-3, Nmm: 1e-3, 'N.mm': 1e-3, 'N*mm': 1e-3, 'kN·m': 1e3 },
  force: { N: 1, kN: 1e3 },
  ratio: { '1': 1, '': 1 },
  grade: { grade: 1, '': 1 },
};

function dimensionOfUnit(unit: string): Dimension | undefined {
  for (const [dim, table] of Object.entries(UNITS)) if (unit in table && unit !== '') return dim as Dimension;
  return undefined;
}

/** A number in the input's unit, or a quantity with a unit. */
export type QuantityInput = number | string | { value: number; unit: string };

/**
 * Convert a quantity to the canonical unit of a dimension.
 *
 * @param name - input name, for the error message.
 * @param v - a number (already in the canonical unit), `'6.5 mm'`, or `{ value, unit }`.
 * @example
 * ```ts
 * toCanonical('momentNm', '7500 N·mm', 'moment', 'N·m'); // 7.5
 * ```
 */
export function toCanonical(name: string, v: unknown, dimension: Dimension, unit: string): number {
  let value: number;
  let u: string | undefined;
  if (typeof v === 'number') value = v;
  else if (typeof v === 'string') {
    const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$/.exec(v);
    if (!m) throw new SurrogateInputError(name, `'${v}' is not a number with an optional unit (expected ${unit})`);
    value = Number(m[1]);
    u = m[2];
  } else if (v !== null && typeof v === 'object' && 'value' in v) {
    value = Number((v as { value: unknown }).value);
    u = String((v as { unit?: unknown }).unit ?? '');
  } else {
    throw new SurrogateInputError(name, `must be a number in ${unit} or a quantity like '1.5 ${unit}', got ${JSON.stringify(v)}`);
  }
  if (!Number.isFinite(value)) throw new SurrogateInputError(name, `must be a finite number (${unit}), got ${String(v)}`);
  if (u === undefined || u === '' || u === unit) return value;
  const table = UNITS[dimension];
  if (u in table) return value * table[u];
  const other = dimensionOfUnit(u);
  if (other) throw new SurrogateInputError(name, `unit '${u}' is a${/^[aeiou]/.test(other) ? 'n' : ''} ${other}, but ${name} is a${/^[aeiou]/.test(dimension) ? 'n' : ''} ${dimension} in ${unit}`);
  throw new SurrogateInputError(name, `unknown unit '${u}' (expected ${Object.keys(table).filter(Boolean).join(', ')})`);
}

function describe(spec: InputSpec): string {
  if (spec.kind === 'categorical') return `one of ${spec.choices.map((c) => `'${c}'`).join(', ')}`;
  const r = VALID_RANGES[spec.name];
  return `${spec.unit}, ${r.min}–${r.max}`;
}

/**
 * Parse and check a user's design point. Required: every input of
 * {@link DESIGN_INPUTS}, except implant inputs the configuration lacks (ignored
 * and set to null). Numbers are in the documented unit; strings and
 * `{ value, unit }` are converted.
 *
 * @throws {@link SurrogateInputError} naming the first bad input: missing, wrong unit or type,
 *   outside {@link VALID_RANGES}, unknown choice, or an unknown key (a typo).
 * @example
 * ```ts
 * const p = parseDesignPoint({ ...point, momentNm: '7.5 N·m', screwLengthMm: '4.5 cm' });
 * ```
 */
export function parseDesignPoint(raw: unknown): DesignPoint {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SurrogateInputError('input', 'must be an object of design inputs');
  const r = raw as Record<string, unknown>;
  const known = new Set(DESIGN_INPUTS.map((s) => s.name as string));
  for (const k of Object.keys(r)) {
    if (!known.has(k)) throw new SurrogateInputError(k, `is not a design input (known: ${[...known].join(', ')})`);
  }
  const cfgSpec = DESIGN_INPUTS.find((s) => s.name === 'configuration')!;
  if (r.configuration === undefined) throw new SurrogateInputError('configuration', `is required (${describe(cfgSpec)})`);
  const cfg = r.configuration as DesignPoint['configuration'];
  if (cfgSpec.kind === 'categorical' && !cfgSpec.choices.includes(cfg)) {
    throw new SurrogateInputError('configuration', `'${String(cfg)}' is not ${describe(cfgSpec)}`);
  }
  const has = configurationHas(cfg);
  const out: Record<string, unknown> = {};
  for (const spec of DESIGN_INPUTS) {
    const used = spec.needs === undefined || (spec.needs === 'screws' ? has.screws : has.cage);
    const v = r[spec.name];
    if (!used) {
      out[spec.name] = null;
      continue;
    }
    if (v === undefined || v === null) {
      const why = spec.needs ? ` for configuration '${cfg}'` : '';
      throw new SurrogateInputError(spec.name, `is required${why} (${describe(spec)})`);
    }
    if (spec.kind === 'categorical') {
      if (!spec.choices.includes(v as string)) throw new SurrogateInputError(spec.name, `'${String(v)}' is not ${describe(spec)}`);
      out[spec.name] = v;
    } else {
      const x = toCanonical(spec.name, v, spec.dimension, spec.unit);
      const lim = VALID_RANGES[spec.name];
      if (x < lim.min || x > lim.max) {
        throw new SurrogateInputError(spec.name, `${x} ${spec.unit} is outside the valid range ${lim.min}–${lim.max} ${spec.unit}`);
      }
      out[spec.name] = x;
    }
  }
  return out as unknown as DesignPoint;
}
