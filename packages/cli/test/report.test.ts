import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { boundaryTriangles, buildLumbarSegment, defaultImplants, defaultParameters, type LumbarSegmentModel } from '@spinefea/mesh';
import {
  colourAt,
  formatMPa,
  InvalidReportDataError,
  logTicks,
  makeScale,
  niceTicks,
  percentile,
  regionGroups,
  regionNodalAverage,
  renderReportHtml,
  romChartSvg,
  scaleTicks,
  splitSurfaceByRegion,
  validateReportData,
  writeReport,
  type ReportData,
  type ReportSurface,
  type RomRow,
} from '../src/report/index.js';
import { chromiumAvailability, launchChromium } from './headless-chromium.js';

const OUTPUT_DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));

/** Relative luminance of an sRGB colour (Rec. 709 weights on linear light). */
function luminance(c: readonly number[]): number {
  const lin = (v: number): number => (v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

describe('colour scales', () => {
  it('viridis matches matplotlib at its ends and middle', () => {
    // matplotlib _viridis_data[0], [128], [255]; 0.015: the 6th-degree polynomial fit is off by up to ≈ 0.013 per channel at the ends.
    const ref: [number, [number, number, number]][] = [
      [0, [0.267004, 0.004874, 0.329415]],
      [128 / 255, [0.127568, 0.566949, 0.550556]],
      [1, [0.993248, 0.906157, 0.143936]],
    ];
    for (const [t, c] of ref) colourAt('viridis', t).forEach((v, k) => expect(Math.abs(v - c[k])).toBeLessThan(0.015));
  });

  it('viridis gets lighter monotonically (so stress order reads as lightness order)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        // 1e-6: equal inputs may differ by rounding only.
        expect(luminance(colourAt('viridis', hi))).toBeGreaterThanOrEqual(luminance(colourAt('viridis', lo)) - 1e-6);
      }),
    );
  });

  it('turbo runs from blue through green to red', () => {
    const dominant = (t: number): number => {
      const c = colourAt('turbo', t);
      return c.indexOf(Math.max(...c));
    };
    expect([dominant(0.1), dominant(0.5), dominant(0.9)]).toEqual([2, 1, 0]);
  });

  it('nice ticks lie in range, are evenly spaced round numbers', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (lo, span) => {
        const t = niceTicks(lo, lo + span);
        // span·1e-9: the tick loop's own tolerance for the last tick.
        for (const v of t) expect(v >= lo - span * 1e-9 && v <= lo + span * (1 + 1e-9)).toBe(true);
        expect(t.length).toBeGreaterThanOrEqual(2);
        expect(t.length).toBeLessThanOrEqual(11);
        const step = t[1] - t[0];
        const mant = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
        // 1e-6: steps are rounded to 12 significant digits.
        expect([1, 2, 2.5, 5, 10].some((m) => Math.abs(mant - m) < 1e-6)).toBe(true);
        for (let i = 1; i < t.length; i++) expect(Math.abs(t[i] - t[i - 1] - step)).toBeLessThan(step * 1e-6);
      }),
    );
  });

  it('log ticks are the decades inside the range', () => {
    expect(logTicks(0.01, 100)).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(logTicks(0.3, 40)).toEqual([0.5, 1, 2, 5, 10, 20]); // 2.1 decades: 2× and 5× too
  });

  it('scale ticks always include both ends', () => {
    const s = makeScale('clipped', { max: 300, minPositive: 0.01, referenceP98: 9.7 });
    expect(s).toEqual({ mode: 'clipped', min: 0, max: 9.7, clipped: true });
    const t = scaleTicks(s);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBe(9.7);
    const log = makeScale('log', { max: 300, minPositive: 1e-9, referenceP98: 9.7 });
    // Four decades below the peak at most.
    expect(log.min).toBeCloseTo(0.03, 12);
  });

  it('percentile is the nearest rank of the selected values', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 100 }), (a, q) => {
        const v = Float32Array.from(a);
        const sorted = Array.from(v).sort((x, y) => x - y);
        const p = percentile(v, q);
        const below = sorted.filter((x) => x <= p).length;
        expect(below / sorted.length).toBeGreaterThanOrEqual(q / 100);
        expect(sorted.filter((x) => x < p).length / sorted.length).toBeLessThan(Math.max(q / 100, 1e-12) + 1e-12);
      }),
    );
    expect(percentile(new Float32Array([5, 1, 9]), 50, new Uint8Array([1, 0, 1]))).toBe(5);
  });

  it('formats MPa labels with three significant digits', () => {
    expect(formatMPa(245.6)).toBe('246');
    expect(formatMPa(0.012345)).toBe('0.0123');
    expect(formatMPa(2)).toBe('2');
    expect(formatMPa(2.5)).toBe('2.5');
  });
});

describe('region groups', () => {
  it('groups the segment regions into vertebrae, disc, facets and one group per implant', () => {
    const p = { ...defaultParameters('L4') };
    p.implants = defaultImplants(p);
    const names = [
      ...['L4', 'L5'].flatMap((l) => ['cortical', 'cancellous', 'endplate', 'posterior'].map((k) => `${l}.${k}`)),
      'L4-L5.annulus',
      'L4-L5.nucleus',
      'L4-L5.facetCartilage',
      'implant.screw.L4.left',
      'implant.rod.right',
      'implant.cage.L4-L5',
    ];
    const g = regionGroups(names, [11, 12, 13]);
    expect(g.map((x) => x.label)).toEqual(['vertebra L4', 'vertebra L5', 'disc L4-L5', 'facets L4-L5', 'screw L4 left', 'rod right', 'cage L4-L5']);
    expect(g[0].regionIds).toEqual([0, 1, 2, 3]);
    // Every region in exactly one group.
    expect(g.flatMap((x) => x.regionIds).sort((a, b) => a - b)).toEqual(names.map((_, i) => i));
  });
});

function tinySurface(): ReportSurface {
  return {
    name: 'intact',
    loadCase: 'flexion 7.5 Nm',
    positions: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]),
    indices: new Uint32Array([0, 1, 2]),
    regionIds: new Uint16Array([0]),
    vonMises: new Float32Array([0, 1, 2]),
  };
}

function tinyData(surface = tinySurface()): ReportData {
  return {
    title: 'tiny',
    generated: '2025-01-01T00:00:00Z',
    regionNames: ['L4.cortical'],
    implantRegionIds: [],
    surfaces: [surface],
    romTable: [{ motion: 'flexion', corridor: [5, 6], corridorSource: 'Heuer 2007', values: { intact: 5.5 } }],
    figuresTable: { header: ['figure', 'intact'], rows: [['ROM flexion (deg)', '5.50']] },
  };
}

describe('report data validation', () => {
  it('accepts consistent data', () => {
    expect(() => validateReportData(tinyData())).not.toThrow();
  });
  it('names the field of a NaN stress, an out-of-range index, a bad region id, a wrong row length', () => {
    const bad: [Partial<ReportSurface> | ((d: ReportData) => void), string][] = [
      [{ vonMises: new Float32Array([0, NaN, 2]) }, 'surfaces[0].vonMises'],
      [{ indices: new Uint32Array([0, 1, 3]) }, 'surfaces[0].indices'],
      [{ regionIds: new Uint16Array([4]) }, 'surfaces[0].regionIds'],
      [{ displacement: new Float32Array(6) }, 'surfaces[0].displacement'],
      [(d) => d.figuresTable.rows.push(['only one cell']), 'figuresTable.rows[1]'],
      [(d) => (d.romTable[0].corridor = [6, 5]), 'romTable[0].corridor'],
    ];
    for (const [change, field] of bad) {
      const d = typeof change === 'function' ? tinyData() : tinyData({ ...tinySurface(), ...change });
      if (typeof change === 'function') change(d);
      let err: unknown;
      try {
        validateReportData(d);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidReportDataError);
      expect((err as InvalidReportDataError).field).toBe(field);
    }
  });
});

describe('ROM chart', () => {
  it('draws one bar per configuration and motion, and the corridor band at its angles', () => {
    const rows: RomRow[] = [
      { motion: 'flexion', corridor: [5, 6], corridorSource: 'Heuer 2007', values: { intact: 5.4, instrumented: 1.2 } },
      { motion: 'axial rotation left', corridor: [1.5, 2], values: { intact: 1.7 } },
    ];
    const svg = romChartSvg(rows, ['intact', 'instrumented']);
    expect(svg.match(/<g class="bar">/g)?.length).toBe(3);
    expect(svg.match(/<g class="corridor">/g)?.length).toBe(2);
    // Bar heights are proportional to ROM: flexion intact / instrumented = 5.4 / 1.2.
    const heights = [...svg.matchAll(/<g class="bar">.*?height="([\d.]+)"/g)].map((m) => Number(m[1]));
    // 0.02: heights are printed to 0.1 px on a ~100 px bar.
    expect(heights[0] / heights[1]).toBeCloseTo(5.4 / 1.2, 1);
    // The corridor band is 1° tall for flexion and 0.5° for rotation.
    const bands = [...svg.matchAll(/<g class="corridor">.*?height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(bands[0] / bands[1]).toBeCloseTo(2, 1);
    expect(svg).toContain('Heuer 2007');
  });
});

// ---------------------------------------------------------------------------
// The whole page in headless Chromium, from a real segment mesh.

/** Centroid z of every cell, mm. */
function cellCentroidZ(model: LumbarSegmentModel): Float64Array {
  const { nodes, cells } = model.mesh;
  const nc = cells.length / 8;
  const z = new Float64Array(nc);
  for (let c = 0; c < nc; c++) {
    let s = 0;
    for (let j = 0; j < 8; j++) s += nodes[3 * cells[8 * c + j] + 2];
    z[c] = s / 8;
  }
  return z;
}

/**
 * Report surface of a model with fake fields: element stress grows with
 * height in tissue (0.05 … ~20 MPa) and is two decades higher in implants (as
 * in a solved model); displacement is a flexion-like rotation about the
 * lateral axis growing with height.
 */
function surfaceOf(model: LumbarSegmentModel, name: string, implantIds: Set<number>): ReportSurface {
  const split = splitSurfaceByRegion(boundaryTriangles(model.mesh, { byRegion: true }));
  const zc = cellCentroidZ(model);
  const cellVm = new Float64Array(zc.length);
  for (let c = 0; c < zc.length; c++) cellVm[c] = implantIds.has(model.mesh.materialIds[c]) ? 100 + 4 * zc[c] : 0.05 + 0.3 * zc[c];
  const vonMises = regionNodalAverage(model.mesh, split, cellVm);
  const positions = split.positions;
  const nv = positions.length / 3;
  const displacement = new Float32Array(3 * nv);
  for (let v = 0; v < nv; v++) {
    const z = positions[3 * v + 2];
    displacement[3 * v + 1] = 0.002 * z * z;
    displacement[3 * v + 2] = -0.02 * positions[3 * v + 1] * (z / 70);
  }
  return { name, loadCase: 'flexion 7.5 Nm', positions, indices: split.indices, regionIds: split.regionIds, vonMises, displacement };
}

let modelsCache: { intact: LumbarSegmentModel; instrumented: LumbarSegmentModel } | undefined;
/** The intact and instrumented L4-L5 segments, body-fitted at refinement 2 (built once, ~1 s each): the screenshot shows the smooth model. */
function segmentModels(): { intact: LumbarSegmentModel; instrumented: LumbarSegmentModel } {
  if (!modelsCache) {
    const intactP = { ...defaultParameters('L4'), mesher: 'body-fitted' as const, refinement: 2 };
    const instrP = { ...defaultParameters('L4'), mesher: 'body-fitted' as const, refinement: 2 };
    instrP.implants = defaultImplants(instrP);
    modelsCache = { intact: buildLumbarSegment(intactP), instrumented: buildLumbarSegment(instrP) };
  }
  return modelsCache;
}

describe('per-region surface fields', () => {
  it('splits vertices so each belongs to one region, keeping positions and triangle order', () => {
    const { instrumented } = segmentModels();
    const s = boundaryTriangles(instrumented.mesh, { byRegion: true });
    const split = splitSurfaceByRegion(s);
    expect(split.indices.length).toBe(s.indices.length);
    expect(split.positions.length).toBeGreaterThan(s.positions.length); // interfaces exist, so vertices were duplicated
    const bad: string[] = [];
    for (let t = 0; t < split.regionIds.length; t++)
      for (let k = 0; k < 3; k++) {
        const w = split.indices[3 * t + k];
        const v = s.indices[3 * t + k];
        if (split.vertexRegions[w] !== split.regionIds[t]) bad.push(`triangle ${t}: vertex region ${split.vertexRegions[w]} ≠ ${split.regionIds[t]}`);
        if (split.nodeIds[w] !== s.nodeIds[v]) bad.push(`triangle ${t}: node ${split.nodeIds[w]} ≠ ${s.nodeIds[v]}`);
        for (let d = 0; d < 3; d++) if (split.positions[3 * w + d] !== Math.fround(s.positions[3 * v + d])) bad.push(`triangle ${t}: position moved`);
      }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('averages only the cells of the vertex region: implant stress does not smear onto bone', () => {
    const { instrumented } = segmentModels();
    const mesh = instrumented.mesh;
    const implant = new Set(mesh.regionNames!.map((n, i) => (n.startsWith('implant.') ? i : -1)).filter((i) => i >= 0));
    const split = splitSurfaceByRegion(boundaryTriangles(mesh, { byRegion: true }));
    const cellVm = Float64Array.from(mesh.materialIds, (r) => (implant.has(r) ? 300 : 1 + r));
    const vm = regionNodalAverage(mesh, split, cellVm);
    // Region-constant cell values must come back exactly (float32 of small integers is exact).
    const wrong: number[] = [];
    for (let w = 0; w < vm.length; w++) if (vm[w] !== (implant.has(split.vertexRegions[w]) ? 300 : 1 + split.vertexRegions[w])) wrong.push(w);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(() => regionNodalAverage(mesh, split, new Float64Array(3))).toThrow(InvalidReportDataError);
  });
});

const chromiumState = chromiumAvailability();
if (!chromiumState.run) console.warn(`report.test.ts: skipping the browser test — ${chromiumState.message}`);

describe.skipIf(!chromiumState.run)(`report.html in headless Chromium${chromiumState.run ? '' : ` (skipped: ${chromiumState.message})`}`, () => {
  let dir = '';
  let data: ReportData;
  let html = '';

  beforeAll(async () => {
    const { intact, instrumented } = segmentModels();
    const regionNames = instrumented.mesh.regionNames!;
    // The intact mesh's region ids are a prefix of the instrumented ones (implants come last).
    expect(intact.mesh.regionNames).toEqual(regionNames.slice(0, intact.mesh.regionNames!.length));
    const implantIds = regionNames.map((n, i) => (n.startsWith('implant.') ? i : -1)).filter((i) => i >= 0);
    const ids = new Set(implantIds);
    data = {
      title: 'L4-L5 test report <script>alert(1)</script>',
      generated: new Date().toISOString(),
      regionNames,
      implantRegionIds: implantIds,
      surfaces: [surfaceOf(instrumented, 'instrumented', ids), surfaceOf(intact, 'intact', ids)],
      romTable: [
        { motion: 'flexion', corridor: [5, 6], corridorSource: 'Heuer et al. 2007', values: { intact: 5.6, instrumented: 1.1 } },
        { motion: 'extension', corridor: [3, 4], corridorSource: 'Heuer et al. 2007', values: { intact: 3.2, instrumented: 0.8 } },
        { motion: 'lateral bending left', corridor: [4, 5], corridorSource: 'Heuer et al. 2007', values: { intact: 4.4, instrumented: 0.9 } },
        { motion: 'axial rotation left', corridor: [1.5, 2], corridorSource: 'Heuer et al. 2007', values: { intact: 1.8, instrumented: 0.7 } },
      ],
      figuresTable: { header: ['figure', 'intact', 'instrumented'], rows: [['ROM flexion (deg)', '5.60', '1.10'], ['IDP (MPa)', '0.52', '0.31']] },
      notes: ['Synthetic stresses for the test.'],
    };
    dir = mkdtempSync(join(tmpdir(), 'spinefea-report-'));
    await writeReport(join(dir, 'report.html'), data);
    html = readFileSync(join(dir, 'report.html'), 'utf8');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is self-contained: no external scripts, styles, images or URLs to fetch', () => {
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    // The title is escaped, not injected.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('renders the model, legend and toggles with no console errors, and region toggles change the image', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`);
      });
      await page.goto(pathToFileURL(join(dir, 'report.html')).href);
      await page.waitForFunction(() => document.documentElement.dataset.viewer !== undefined, undefined, { timeout: 20_000 });
      expect(await page.evaluate(() => document.documentElement.dataset.viewer)).toBe('ready');

      // Legend: a bar and at least 3 numeric tick labels in MPa, ascending; the top one is the clip (≥).
      const ticks = await page.locator('#legend .legend-tick').allTextContents();
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      const values = ticks.map((t) => Number(t.replace('≥', '').trim()));
      for (const v of values) expect(Number.isFinite(v)).toBe(true);
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
      expect(ticks[ticks.length - 1]).toContain('≥');
      expect(await page.locator('#legend').textContent()).toContain('MPa');

      // Region toggles: one per group, implants included.
      const labels = (await page.locator('#regions label').allTextContents()).map((s) => s.trim());
      expect(labels).toEqual(regionGroups(data.regionNames, data.implantRegionIds).map((g) => g.label));
      expect(labels).toContain('vertebra L4');
      expect(labels).toContain('disc L4-L5');
      expect(labels.some((l) => l.startsWith('screw'))).toBe(true);
      expect(await page.locator('#configuration option').allTextContents()).toEqual(['instrumented', 'intact']);

      // Pixels of the WebGL canvas (preserveDrawingBuffer) through a 2-D copy.
      const sample = (): Promise<{ colours: number; covered: number; hash: number }> =>
        page.evaluate(() => {
          const src = document.getElementById('viewer-canvas') as HTMLCanvasElement;
          const c = document.createElement('canvas');
          c.width = src.width;
          c.height = src.height;
          const ctx = c.getContext('2d')!;
          ctx.drawImage(src, 0, 0);
          const d = ctx.getImageData(0, 0, c.width, c.height).data;
          const bg = [d[0], d[1], d[2]]; // the corner is background
          const seen = new Set<number>();
          let covered = 0;
          let hash = 0;
          for (let i = 0; i < d.length; i += 4) {
            const q = ((d[i] >> 3) << 10) | ((d[i + 1] >> 3) << 5) | (d[i + 2] >> 3);
            seen.add(q);
            if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 12) covered++;
            hash = (hash * 31 + q) | 0;
          }
          return { colours: seen.size, covered: covered / (d.length / 4), hash };
        });
      const before = await sample();
      // A coloured model, not a blank or single-colour canvas: many colours, a good part of the view covered.
      expect(before.colours).toBeGreaterThan(50);
      expect(before.covered).toBeGreaterThan(0.05);

      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: join(OUTPUT_DIR, 'report-screenshot.png') });

      // Hiding vertebra L4 changes the image and uncovers background.
      await page.locator('input[data-region-group="vertebra-L4"]').uncheck();
      const hidden = await sample();
      expect(hidden.hash).not.toBe(before.hash);
      expect(hidden.covered).toBeLessThan(before.covered);
      await page.locator('input[data-region-group="vertebra-L4"]').check();
      expect((await sample()).hash).toBe(before.hash);

      // Log scale: the legend is redrawn with decade ticks.
      await page.locator('#scale-mode').selectOption('log');
      const logTickText = await page.locator('#legend .legend-tick').allTextContents();
      expect(logTickText).not.toEqual(ticks);
      expect(logTickText).toContain('1');
      // Deformed view and the other configuration render without errors.
      await page.locator('#deform').fill('1');
      expect((await sample()).hash).not.toBe(before.hash);
      await page.locator('#configuration').selectOption({ label: 'intact' });
      expect(await page.locator('#load-case').textContent()).toContain('flexion');
      const intact = await sample();
      expect(intact.covered).toBeGreaterThan(0.05);
      await page.screenshot({ path: join(OUTPUT_DIR, 'report-screenshot-full.png'), fullPage: true });

      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('renderReportHtml', () => {
  it('embeds the geometry and the viewer bundle in one page and rejects bad data', async () => {
    const page = await renderReportHtml(tinyData());
    expect(page).toContain('id="spinefea-report-data"');
    expect(page.length).toBeGreaterThan(200_000); // three.js is inlined
    await expect(renderReportHtml(tinyData({ ...tinySurface(), vonMises: new Float32Array([NaN, 0, 0]) }))).rejects.toThrow(InvalidReportDataError);
    writeFileSync(join(tmpdir(), 'spinefea-tiny-report.html'), page);
  });
});
