/**
 * The range-of-motion chart: an inline SVG bar chart, one group of bars per
 * motion (one bar per configuration) over the in-vitro corridor drawn as a band.
 */
import { niceTicks } from './colour-scale.js';
import { escapeHtml } from './html.js';
import type { RomRow } from './report-data.js';

/** Bar colours by configuration (Tableau 10: distinguishable, colour-blind tolerant). */
export const CONFIGURATION_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];

const W = 760;
const H = 340;
const M = { left: 56, right: 16, top: 40, bottom: 64 };

function fmtDeg(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Split a motion label into at most two lines at the space nearest the middle. */
function labelLines(s: string): string[] {
  if (s.length <= 14 || !s.includes(' ')) return [s];
  let best = -1;
  for (let i = 0; i < s.length; i++) if (s[i] === ' ' && (best < 0 || Math.abs(i - s.length / 2) < Math.abs(best - s.length / 2))) best = i;
  return [s.slice(0, best), s.slice(best + 1)];
}

/**
 * The ROM chart as an `<svg id="rom-chart">` string.
 *
 * @param rows - one per motion: corridor (deg) and ROM per configuration (deg).
 * @param configurations - configuration names in bar order (missing values leave a gap).
 * @returns SVG markup (self-contained, no scripts); each bar and band has a `<title>` tooltip.
 * @example
 * ```ts
 * romChartSvg([{ motion: 'flexion', corridor: [5, 6], values: { intact: 5.4, instrumented: 1.1 } }], ['intact', 'instrumented']);
 * ```
 */
export function romChartSvg(rows: readonly RomRow[], configurations: readonly string[]): string {
  let lo = 0;
  let hi = 0;
  for (const r of rows) {
    for (const c of configurations) {
      const v = r.values[c];
      if (v !== undefined) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (r.corridor) {
      lo = Math.min(lo, r.corridor[0]);
      hi = Math.max(hi, r.corridor[1]);
    }
  }
  if (hi <= lo) hi = lo + 1;
  const ticks = niceTicks(lo, hi * 1.08, 5);
  const y0 = Math.min(lo, ticks[0]);
  const y1 = Math.max(ticks[ticks.length - 1], hi);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const y = (v: number): number => M.top + plotH * (1 - (v - y0) / (y1 - y0));
  const out: string[] = [];
  out.push(
    `<svg id="rom-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Range of motion by motion and configuration, degrees, with in-vitro corridors" font-family="system-ui, sans-serif" font-size="12">`,
  );
  // Grid and axis.
  for (const t of ticks) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="${t === 0 ? '#555' : '#ddd'}" stroke-width="1"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#333">${Number(t.toPrecision(6))}</text>`);
  }
  out.push(`<text transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">ROM (°)</text>`);
  const n = Math.max(1, rows.length);
  const groupW = plotW / n;
  const nc = Math.max(1, configurations.length);
  const barW = Math.min(36, (groupW * 0.7) / nc);
  rows.forEach((r, i) => {
    const gx = M.left + i * groupW;
    if (r.corridor) {
      const [a, b] = r.corridor;
      const bx = gx + groupW * 0.08;
      const bw = groupW * 0.84;
      const tip = `${r.motion}: in-vitro corridor ${fmtDeg(a)}–${fmtDeg(b)}°${r.corridorSource ? ` (${r.corridorSource})` : ''}`;
      // A zero-width corridor still shows as a 2 px band.
      const top = y(b);
      const hgt = Math.max(2, y(a) - y(b));
      out.push(
        `<g class="corridor"><title>${escapeHtml(tip)}</title><rect x="${bx.toFixed(1)}" y="${top.toFixed(1)}" width="${bw.toFixed(1)}" height="${hgt.toFixed(1)}" fill="#9ca3af" fill-opacity="0.35" stroke="#6b7280" stroke-dasharray="4 3"/></g>`,
      );
    }
    const x0 = gx + (groupW - barW * nc) / 2;
    configurations.forEach((c, k) => {
      const v = r.values[c];
      if (v === undefined) return;
      const bx = x0 + k * barW;
      const top = Math.min(y(v), y(0));
      const hgt = Math.max(0.5, Math.abs(y(0) - y(v)));
      const colour = CONFIGURATION_COLOURS[k % CONFIGURATION_COLOURS.length];
      out.push(
        `<g class="bar"><title>${escapeHtml(`${r.motion}, ${c}: ${fmtDeg(v)}°`)}</title><rect x="${(bx + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${hgt.toFixed(1)}" fill="${colour}"/>` +
          `<text x="${(bx + barW / 2).toFixed(1)}" y="${(v >= 0 ? top - 3 : top + hgt + 11).toFixed(1)}" text-anchor="middle" font-size="10" fill="#222">${fmtDeg(v)}</text></g>`,
      );
    });
    labelLines(r.motion).forEach((line, j) =>
      out.push(`<text x="${(gx + groupW / 2).toFixed(1)}" y="${H - M.bottom + 18 + 14 * j}" text-anchor="middle" fill="#222">${escapeHtml(line)}</text>`),
    );
  });
  // Legend along the top.
  let lx = M.left;
  const item = (swatch: string, label: string): void => {
    out.push(`<g class="legend-item">${swatch.replace('X', String(lx))}<text x="${lx + 18}" y="${M.top - 18}" fill="#222">${escapeHtml(label)}</text></g>`);
    lx += 30 + label.length * 6.5;
  };
  configurations.forEach((c, k) => item(`<rect x="X" y="${M.top - 28}" width="12" height="12" fill="${CONFIGURATION_COLOURS[k % CONFIGURATION_COLOURS.length]}"/>`, c));
  const sources = [...new Set(rows.filter((r) => r.corridor).map((r) => r.corridorSource ?? ''))].filter((s) => s);
  if (rows.some((r) => r.corridor))
    item(
      `<rect x="X" y="${M.top - 28}" width="12" height="12" fill="#9ca3af" fill-opacity="0.35" stroke="#6b7280" stroke-dasharray="3 2"/>`,
      `in-vitro corridor${sources.length ? ` (${sources.join('; ')})` : ''}`,
    );
  out.push('</svg>');
  return out.join('\n');
}
