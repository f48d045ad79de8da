/**
 * Browser page of the surrogate: sliders and selects for every design input
 * (slider ranges = the model's training bounds), live prediction of the
 * clinical figures with the ensemble SD, the instability probability and the
 * OOD flag. The model document is inlined by build.ts as `window.SPINEFEA_MODEL`.
 * Exposes `window.spinefea = { ready, predict(point) }` for tests and scripting.
 */
import { DESIGN_INPUTS, configurationHas, selectTfBackend, SurrogateModel, type DesignPoint, type SurrogateModelJson, type SurrogatePrediction } from '@spinefea/surrogate/browser';

declare global {
  interface Window {
    SPINEFEA_MODEL: SurrogateModelJson;
    spinefea: { ready: Promise<void>; predict(point: unknown): SurrogatePrediction; model?: SurrogateModel; error?: string };
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

async function main(): Promise<void> {
  await selectTfBackend('cpu'); // works everywhere (no WebGL or wasm files needed)
  const model = await SurrogateModel.fromJson(window.SPINEFEA_MODEL);
  window.spinefea.model = model;
  window.spinefea.predict = (p) => model.predict(p);
  const b = model.json.bounds;
  const form = document.getElementById('inputs')!;
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const start: Record<string, unknown> = {};
  for (const spec of DESIGN_INPUTS) {
    const row = el('div', { class: 'row', id: `row-${spec.name}` });
    row.append(el('label', { for: `in-${spec.name}` }, spec.kind === 'numeric' ? `${spec.name} (${spec.unit})` : spec.name));
    if (spec.kind === 'numeric') {
      const r = b.numeric[spec.name] ?? { min: spec.min, max: spec.max };
      const input = el('input', { type: 'range', id: `in-${spec.name}`, min: String(r.min), max: String(r.max), step: String((r.max - r.min) / 200 || 0.01), value: String((r.min + r.max) / 2) });
      const out = el('output', { id: `val-${spec.name}` }, input.value);
      input.addEventListener('input', () => ((out.textContent = Number(input.value).toPrecision(4)), update()));
      row.append(input, out);
      controls.set(spec.name, input);
      start[spec.name] = Number(input.value);
    } else {
      const sel = el('select', { id: `in-${spec.name}` });
      for (const c of spec.choices) sel.append(el('option', { value: c }, c + ((b.categorical[spec.name] ?? []).includes(c) ? '' : ' (not trained)')));
      sel.addEventListener('change', update);
      row.append(sel);
      controls.set(spec.name, sel);
    }
    form.append(row);
  }
  function current(): Record<string, unknown> {
    const p: Record<string, unknown> = {};
    for (const [k, c] of controls) p[k] = c instanceof HTMLInputElement ? Number(c.value) : c.value;
    return p;
  }
  function update(): void {
    const p = current();
    const has = configurationHas(p.configuration as DesignPoint['configuration']);
    for (const spec of DESIGN_INPUTS) {
      const used = spec.needs === undefined || (spec.needs === 'screws' ? has.screws : has.cage);
      (document.getElementById(`row-${spec.name}`) as HTMLElement).hidden = !used;
    }
    const status = document.getElementById('status')!;
    const tbody = document.querySelector('#prediction tbody')!;
    tbody.innerHTML = '';
    try {
      const r = model.predict(p);
      for (const [name, v] of Object.entries(r.outputs)) {
        const tr = el('tr');
        tr.append(el('th', { scope: 'row' }, name), el('td', { class: 'num' }, v ? v.value.toPrecision(4) : '—'), el('td', { class: 'num' }, v ? `± ${v.sd.toPrecision(2)}` : ''), el('td', {}, v ? v.unit : 'not instrumented'));
        tbody.append(tr);
      }
      const tr = el('tr', { id: 'unstable-row' });
      tr.append(el('th', { scope: 'row' }, 'P(unstable)'), el('td', { class: 'num' }, r.unstable.probability.toFixed(3)), el('td', { class: 'num' }, `± ${r.unstable.sd.toFixed(3)}`), el('td', {}, r.unstable.predicted ? 'UNSTABLE' : 'stable'));
      tbody.append(tr);
      status.textContent = r.ood ? `Out of the training distribution: ${r.oodInputs.map((o) => o.name).join(', ')} — extrapolation, do not trust.` : 'Inside the training bounds.';
      status.className = r.ood ? 'ood' : 'ok';
    } catch (e) {
      status.textContent = (e as Error).message;
      status.className = 'error';
    }
  }
  const t = model.json.trainedOn;
  document.getElementById('about')!.textContent = `${model.ensembleSize}-member ensemble trained on ${t.ok} simulated design points (${t.unstable} unstable; resolution ${t.resolutionMm.join(', ')} mm; ${t.solverVersions.join(', ')}).`;
  update();
}

let resolveReady!: () => void;
window.spinefea = { ready: new Promise<void>((r) => (resolveReady = r)), predict: () => { throw new Error('model not loaded yet'); } };
main().then(resolveReady, (e: Error) => {
  window.spinefea.error = e.message;
  document.getElementById('status')!.textContent = `could not load the model: ${e.message}`;
});
