/**
 * The colour legend's markup (pure string building, shared by the page
 * generator, which writes the initial legend, and the viewer, which redraws
 * it when the scale or colour map changes).
 */
import { colourAt, formatMPa, hexColour, scalePosition, scaleTicks, type ColourMapName, type StressScale } from './colour-scale.js';
import { escapeHtml } from './html.js';

/** Colour stops in the legend's CSS gradient (enough that the polynomial map looks smooth). */
const GRADIENT_STOPS = 24;

/**
 * Inner HTML of the `#legend` element: title, vertical colour bar, tick
 * labels in MPa (`.legend-tick`, positioned from the bottom by their place on
 * the scale) and a note line.
 *
 * @param scale - the stress scale, MPa.
 * @param map - colour map.
 * @param note - plain text under the bar (e.g. how the clip value was chosen).
 * @example
 * ```ts
 * el.innerHTML = legendMarkup({ mode: 'linear', min: 0, max: 10, clipped: false }, 'viridis', '');
 * ```
 */
export function legendMarkup(scale: StressScale, map: ColourMapName, note: string): string {
  const stops: string[] = [];
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i <= GRADIENT_STOPS; i++) {
    const t = i / GRADIENT_STOPS;
    stops.push(`${hexColour(colourAt(map, t, c))} ${(t * 100).toFixed(1)}%`);
  }
  const ticks = scaleTicks(scale)
    .map((v, i, all) => {
      const label = (i === all.length - 1 && scale.clipped ? '≥ ' : '') + formatMPa(v);
      return `<span class="legend-tick" style="bottom:${(scalePosition(scale, v) * 100).toFixed(2)}%">${escapeHtml(label)}</span>`;
    })
    .join('');
  const mode = scale.mode === 'log' ? 'log scale' : scale.mode === 'clipped' ? 'linear, clipped' : 'linear';
  return (
    `<div class="legend-title">von Mises stress<br><span class="legend-unit">MPa, ${mode}</span></div>` +
    `<div class="legend-body"><div class="legend-bar" style="background:linear-gradient(to top, ${stops.join(', ')})"></div>` +
    `<div class="legend-ticks">${ticks}</div></div>` +
    (note ? `<div class="legend-note">${escapeHtml(note)}</div>` : '')
  );
}
