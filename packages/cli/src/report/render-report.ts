/**
 * `report.html` of the main job: a single self-contained page (no network,
 * no external files) with a three.js viewer of the model coloured by von
 * Mises stress, the ROM chart against the in-vitro corridors, the clinical
 * figures table and notes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeScale, percentile, type StressStatistics } from './colour-scale.js';
import { escapeHtml, tableHtml } from './html.js';
import { legendMarkup } from './legend.js';
import { isBoneRegion, regionGroups } from './region-groups.js';
import { validateReportData, type ReportData, type ReportSurface } from './report-data.js';
import { romChartSvg } from './rom-chart.js';
import { viewerBundle } from './viewer-bundle.js';
import { PAYLOAD_ELEMENT_ID, type ViewerPayload } from './viewer-payload.js';

function base64(a: Float32Array | Uint32Array | Uint16Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/**
 * Stress statistics of all surfaces together (one colour scale for every
 * configuration): peak, smallest positive value, and the 98th percentile of
 * the vertices on bone triangles (of non-implant triangles when no region is
 * named as bone) that touch no implant triangle, MPa.
 */
function statistics(surfaces: readonly ReportSurface[], bone: Uint8Array, implant: Uint8Array): StressStatistics {
  let max = 0;
  let minPositive = Infinity;
  let refP98 = 0;
  const anyBone = bone.some((b) => b === 1);
  for (const s of surfaces) {
    const nv = s.vonMises.length;
    // Reference vertices: on a bone triangle and on no implant triangle (a
    // vertex shared with an implant carries the implant's stress).
    const ref = new Uint8Array(nv);
    for (let t = 0; t < s.regionIds.length; t++) {
      const r = s.regionIds[t];
      if (anyBone ? bone[r] : !implant[r]) for (let k = 0; k < 3; k++) ref[s.indices[3 * t + k]] = 1;
    }
    for (let t = 0; t < s.regionIds.length; t++)
      if (implant[s.regionIds[t]]) for (let k = 0; k < 3; k++) ref[s.indices[3 * t + k]] = 0;
    for (let i = 0; i < nv; i++) {
      const v = s.vonMises[i];
      if (v > max) max = v;
      if (v > 0 && v < minPositive) minPositive = v;
    }
    const p = percentile(s.vonMises, 98, ref);
    if (p > refP98) refP98 = p;
  }
  return { max, minPositive, referenceP98: refP98 };
}

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
header, main > section { max-width: 1200px; margin: 0 auto; padding: 12px 20px; }
h1 { font-size: 22px; margin: 12px 0 2px; } h2 { font-size: 17px; margin: 18px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.generated { color: var(--muted); margin: 0; }
#viewer { position: relative; height: 600px; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; background: #f3f4f6; }
#viewer-canvas { display: block; width: 100%; height: 100%; }
.panel { position: absolute; top: 8px; left: 8px; width: 270px; max-height: calc(100% - 16px); overflow: auto; background: rgba(255,255,255,0.92); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; font-size: 13px; }
.panel label { display: block; margin: 4px 0; } .panel select { width: 100%; }
.panel fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 6px 0; padding: 2px 8px 6px; }
.panel legend { color: var(--muted); font-size: 12px; }
#regions { display: grid; grid-template-columns: 1fr 1fr; column-gap: 6px; } #regions label { margin: 2px 0; font-size: 12px; }
#load-case { color: var(--muted); font-size: 12px; margin-bottom: 4px; }
.implant-group { color: #a0009f; }
#legend { position: absolute; top: 8px; right: 8px; width: 150px; background: rgba(255,255,255,0.92); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; font-size: 12px; }
.legend-title { font-weight: 600; margin-bottom: 6px; } .legend-unit { font-weight: 400; color: var(--muted); }
.legend-body { position: relative; height: 240px; margin: 8px 0; }
.legend-bar { position: absolute; left: 0; top: 0; bottom: 0; width: 22px; border: 1px solid #999; }
.legend-ticks { position: absolute; left: 30px; top: 0; bottom: 0; right: 0; }
.legend-tick { position: absolute; left: 0; transform: translateY(50%); white-space: nowrap; font-variant-numeric: tabular-nums; }
.legend-tick::before { content: ""; position: absolute; left: -9px; top: 50%; width: 6px; border-top: 1px solid #333; }
.legend-note { color: var(--muted); font-size: 11px; }
.viewer-message { position: absolute; top: 45%; left: 0; right: 0; text-align: center; color: var(--muted); }
.hint { color: var(--muted); font-size: 12px; margin: 4px 0 0; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; }
thead th { background: #f6f8fa; }
#rom-chart { max-width: 820px; display: block; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
`;

/**
 * Render the report as one self-contained HTML page.
 *
 * The viewer script (three.js, OrbitControls and the viewer, bundled by
 * esbuild on first use and cached) and the geometry (base64 of the typed
 * arrays, in a JSON script element) are inline, so the file opens from
 * `file://` with no network. Colours use one scale for every configuration;
 * the default scale is linear, clipped at the 98th percentile of bone
 * von Mises stress (implants reach hundreds of MPa, soft tissue stays
 * below 1 MPa), with log and full-range linear as options.
 *
 * @param data - the report data (positions mm, stresses MPa, ROM deg).
 * @returns the HTML text (UTF-8).
 * @throws InvalidReportDataError on inconsistent or non-finite data.
 * @example
 * ```ts
 * const html = await renderReportHtml(data);
 * ```
 */
export async function renderReportHtml(data: ReportData): Promise<string> {
  validateReportData(data);
  const nr = data.regionNames.length;
  const bone = new Uint8Array(nr);
  const implant = new Uint8Array(nr);
  data.regionNames.forEach((n, i) => (bone[i] = isBoneRegion(n) ? 1 : 0));
  for (const id of data.implantRegionIds) implant[id] = 1;
  const groups = regionGroups(data.regionNames, data.implantRegionIds);
  const stats = statistics(data.surfaces, bone, implant);
  const payload: ViewerPayload = {
    regionNames: data.regionNames,
    implantRegionIds: data.implantRegionIds,
    boneRegionIds: [...bone.keys()].filter((i) => bone[i]),
    groups,
    statistics: { ...stats, minPositive: Number.isFinite(stats.minPositive) ? stats.minPositive : 0 },
    surfaces: data.surfaces.map((s) => ({
      name: s.name,
      loadCase: s.loadCase,
      vertexCount: s.positions.length / 3,
      triangleCount: s.indices.length / 3,
      positions: base64(s.positions),
      indices: base64(s.indices),
      regionIds: base64(s.regionIds),
      vonMises: base64(s.vonMises),
      ...(s.displacement ? { displacement: base64(s.displacement) } : {}),
    })),
  };
  // `<` escaped so no string in the JSON can close the script element.
  const json = JSON.stringify(payload).replace(/</g, '\\u003c');
  const script = await viewerBundle();
  const anyDisplacement = data.surfaces.some((s) => s.displacement);
  const initialLegend = legendMarkup(makeScale('clipped', stats), 'viridis', '');

  const configOptions = data.surfaces.map((s, i) => `<option value="${i}">${escapeHtml(s.name)}</option>`).join('');
  const regionBoxes = groups
    .map(
      (g) =>
        `<label${g.kind === 'implant' ? ' class="implant-group"' : ''}><input type="checkbox" id="region-${escapeHtml(g.key)}" data-region-group="${escapeHtml(g.key)}" checked> ${escapeHtml(g.label)}</label>`,
    )
    .join('\n');
  const configurations = data.surfaces.map((s) => s.name);
  for (const r of data.romTable) for (const k of Object.keys(r.values)) if (!configurations.includes(k)) configurations.push(k);

  const viewer = data.surfaces.length
    ? `<section id="viewer-section">
<h2>Model: von Mises stress</h2>
<div id="viewer">
<canvas id="viewer-canvas"></canvas>
<div id="controls" class="panel">
<label>Configuration <select id="configuration">${configOptions}</select></label>
<div id="load-case">Load case: ${escapeHtml(data.surfaces[0].loadCase)}</div>
<label>Colour scale <select id="scale-mode">
<option value="clipped" selected>linear, clipped at bone 98th percentile</option>
<option value="log">logarithmic</option>
<option value="linear">linear, full range</option>
</select></label>
<label>Colour map <select id="colour-map"><option value="viridis" selected>viridis</option><option value="turbo">turbo</option></select></label>
<label>Deformation <span id="deform-label"></span><input type="range" id="deform" min="0" max="1" step="0.01" value="0"${anyDisplacement ? '' : ' disabled'}></label>
<label><input type="checkbox" id="implant-outline" checked> outline implants</label>
<label><input type="checkbox" id="implant-metal"> implants as metal (no stress colour)</label>
<fieldset id="regions"><legend>Regions</legend>
${regionBoxes}
</fieldset>
<label>View <select id="view">
<option value="oblique" selected>right posterolateral</option>
<option value="right">right lateral</option>
<option value="left">left lateral</option>
<option value="anterior">anterior</option>
<option value="posterior">posterior</option>
</select></label>
<button type="button" id="reset-view">Reset view</button>
</div>
<div id="legend">${initialLegend}</div>
</div>
<p class="hint">Drag to rotate, right-drag to pan, scroll to zoom. Stress values are per surface vertex.</p>
</section>`
    : '';

  const notes = data.notes?.length ? `<section id="notes"><h2>Notes</h2><ul>${data.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul></section>` : '';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(data.title)}</h1><p class="generated">Generated ${escapeHtml(data.generated)} by spinefea</p></header>
<main>
${viewer}
<section id="rom-section"><h2>Range of motion against in-vitro corridors</h2>
${romChartSvg(data.romTable, configurations)}
</section>
<section id="figures-section"><h2>Clinical figures</h2><div class="table-wrap">${tableHtml(data.figuresTable, 'figures')}</div></section>
${notes}
</main>
<script type="application/json" id="${PAYLOAD_ELEMENT_ID}">${json}</script>
<script>${script}</script>
</body>
</html>
`;
}

/**
 * Render the report and write it (creating the folder).
 *
 * @param path - output file, e.g. `out/report.html`.
 * @param data - the report data.
 * @example
 * ```ts
 * await writeReport('out/report.html', data);
 * ```
 */
export async function writeReport(path: string, data: ReportData): Promise<void> {
  const html = await renderReportHtml(data);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html, 'utf8');
}
