/**
 * Colour maps and stress scales of the report viewer. Pure functions with no
 * Node or DOM imports: the same module runs in Node (tests, report
 * generation) and in the page (bundled into the viewer script).
 */

/** Name of a colour map: `viridis` (perceptually uniform, colour-blind safe) or `turbo` (rainbow-like, higher contrast). */
export type ColourMapName = 'viridis' | 'turbo';

/**
 * How stress values map to the colour range.
 * - `clipped`: linear from 0 to the clip value (98th percentile of bone); higher values get the top colour.
 * - `linear`: linear from 0 to the largest value.
 * - `log`: log10 from `max(smallest positive, max·10⁻⁴)` to the largest value.
 */
export type ScaleMode = 'clipped' | 'linear' | 'log';

/** A resolved stress scale: the mode and its end values, MPa. */
export interface StressScale {
  mode: ScaleMode;
  /** Value drawn with the bottom colour, MPa (> 0 for `log`). */
  min: number;
  /** Value drawn with the top colour, MPa; values above it are clipped. */
  max: number;
  /** True when values above `max` exist (the legend's top label reads `≥ max`). */
  clipped: boolean;
}

// Polynomial fits of matplotlib's viridis (6th degree, per channel, sRGB in
// [0,1]; fit by Matt Zucker, CC0) — evaluated by Horner's rule:
// c(t) = c0 + t·(c1 + t·(c2 + … + t·c6)).
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

// Polynomial fit of Google's turbo (5th degree, Anton Mikhailov, Apache-2.0).
const TURBO: readonly (readonly [number, number, number])[] = [
  [0.13572138, 0.09140261, 0.1066733],
  [4.6153926, 2.19418839, 12.64194608],
  [-42.66032258, 4.84296658, -60.58204836],
  [132.13108234, -14.18503333, 110.36276771],
  [-152.94239396, 4.27729857, -89.90310912],
  [59.28637943, 2.82956604, 27.34824973],
];

/**
 * Colour of a normalised value in a colour map.
 *
 * @param map - colour map name.
 * @param t - position in [0, 1] (clamped; NaN gives the bottom colour).
 * @param out - optional 3-array to write into (no allocation in loops).
 * @returns sRGB `[r, g, b]`, each in [0, 1].
 * @example
 * ```ts
 * colourAt('viridis', 0); // ≈ [0.267, 0.005, 0.329] (dark purple)
 * ```
 */
export function colourAt(map: ColourMapName, t: number, out: [number, number, number] = [0, 0, 0]): [number, number, number] {
  const x = t > 0 ? (t < 1 ? t : 1) : 0;
  const c = map === 'turbo' ? TURBO : VIRIDIS;
  for (let k = 0; k < 3; k++) {
    let v = c[c.length - 1][k];
    for (let i = c.length - 2; i >= 0; i--) v = c[i][k] + x * v;
    out[k] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

/** `#rrggbb` of an sRGB triple in [0, 1]. @example `hexColour([1, 0, 0]) === '#ff0000'` */
export function hexColour(c: readonly [number, number, number]): string {
  let s = '#';
  for (let k = 0; k < 3; k++) s += Math.round(c[k] * 255).toString(16).padStart(2, '0');
  return s;
}

/**
 * sRGB → linear-light channel value (IEC 61966-2-1): c ≤ 0.04045 ? c/12.92 :
 * ((c+0.055)/1.055)^2.4. WebGL vertex colours are linear; the legend is sRGB.
 *
 * @example `srgbToLinear(1) === 1`
 */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/**
 * The q-th percentile (nearest rank on a sorted copy) of the selected values.
 *
 * @param values - values (e.g. von Mises per vertex, MPa).
 * @param q - percentile in [0, 100].
 * @param select - optional mask: only `values[i]` with `select[i] !== 0` count.
 * @returns the percentile, or NaN when no value is selected.
 * @example
 * ```ts
 * percentile(new Float32Array([1, 2, 3, 4]), 50); // 2
 * ```
 */
export function percentile(values: ArrayLike<number>, q: number, select?: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!select || select[i]) n++;
  if (n === 0) return NaN;
  const v = new Float64Array(n);
  n = 0;
  for (let i = 0; i < values.length; i++) if (!select || select[i]) v[n++] = values[i];
  v.sort();
  // Nearest rank: the smallest value with at least q% of the values ≤ it.
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((q / 100) * n) - 1));
  return v[rank];
}

/** Statistics of a stress field that the scales are built from, MPa. */
export interface StressStatistics {
  /** Largest value. */
  max: number;
  /** Smallest positive value (Infinity when none). */
  minPositive: number;
  /** 98th percentile of the reference (bone) vertices. */
  referenceP98: number;
}

/**
 * Build a scale from field statistics.
 *
 * @param mode - scale mode.
 * @param s - statistics (MPa), e.g. merged over every configuration so all share one scale.
 * @returns the scale; degenerate fields (all zero) get `[0, 1]` MPa so the colour map stays defined.
 * @example
 * ```ts
 * makeScale('clipped', { max: 300, minPositive: 0.01, referenceP98: 12 }); // { min: 0, max: 12, clipped: true }
 * ```
 */
export function makeScale(mode: ScaleMode, s: StressStatistics): StressScale {
  const max = s.max > 0 ? s.max : 1;
  if (mode === 'log') {
    // Four decades are enough to separate disc (~0.1 MPa) from implants (~100 MPa).
    const lo = Math.max(Number.isFinite(s.minPositive) ? s.minPositive : max * 1e-4, max * 1e-4);
    return { mode, min: lo < max ? lo : max / 10, max, clipped: false };
  }
  if (mode === 'clipped' && s.referenceP98 > 0 && s.referenceP98 < max) return { mode, min: 0, max: s.referenceP98, clipped: true };
  return { mode: mode === 'clipped' ? 'clipped' : 'linear', min: 0, max, clipped: false };
}

/**
 * Position of a value on a scale, in [0, 1] (clamped).
 *
 * @example `scalePosition({ mode: 'linear', min: 0, max: 10, clipped: false }, 5) === 0.5`
 */
export function scalePosition(scale: StressScale, value: number): number {
  let t: number;
  if (scale.mode === 'log') {
    const v = value > scale.min ? value : scale.min;
    t = Math.log10(v / scale.min) / Math.log10(scale.max / scale.min);
  } else t = (value - scale.min) / (scale.max - scale.min);
  return t > 0 ? (t < 1 ? t : 1) : 0;
}

/**
 * "Nice" round ticks (1, 2, 2.5 or 5 × 10^k steps) covering [min, max].
 *
 * @param min - lower end.
 * @param max - upper end (> min).
 * @param target - about how many intervals are wanted (default 5).
 * @returns ascending tick values inside [min, max] (ends included when they are round).
 * @example
 * ```ts
 * niceTicks(0, 12.3); // [0, 2, 4, 6, 8, 10, 12]
 * ```
 */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / target;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
  const out: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  for (let i = first; i * step <= max + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/**
 * Ticks of a log scale: every decade inside [min, max]; when the range spans
 * fewer than 2.5 decades also the 2× and 5× values.
 *
 * @example `logTicks(0.01, 100)` → `[0.01, 0.1, 1, 10, 100]`
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [min];
  const d0 = Math.floor(Math.log10(min) + 1e-9);
  const d1 = Math.ceil(Math.log10(max) - 1e-9);
  const mult = Math.log10(max / min) < 2.5 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let d = d0; d <= d1; d++)
    for (const m of mult) {
      const v = Number((m * Math.pow(10, d)).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  return out;
}

/**
 * Tick values of a scale, including both ends (so the legend always states
 * its range).
 *
 * @returns ascending values, MPa.
 * @example `scaleTicks({ mode: 'linear', min: 0, max: 9.7, clipped: false })` → `[0, 2, 4, 6, 8, 9.7]`
 */
export function scaleTicks(scale: StressScale): number[] {
  const t = scale.mode === 'log' ? logTicks(scale.min, scale.max) : niceTicks(scale.min, scale.max);
  const span = scale.mode === 'log' ? Math.log10(scale.max / scale.min) : scale.max - scale.min;
  const pos = (v: number): number => (scale.mode === 'log' ? Math.log10(v / scale.min) : v - scale.min) / span;
  // Drop round ticks that would print on top of an end label (closer than 6 % of the bar).
  const inner = t.filter((v) => pos(v) > 0.06 && pos(v) < 0.94);
  return [scale.min, ...inner, scale.max];
}

/**
 * Short label of a stress value in MPa: 3 significant digits, no trailing zeros.
 *
 * @example `formatMPa(0.012345) === '0.0123'`, `formatMPa(245.6) === '246'`
 */
export function formatMPa(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  const s = v.toPrecision(3);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
