/**
 * The report page's 3-D viewer (browser code; bundled with esbuild into an
 * IIFE and inlined into report.html). Reads the JSON payload, draws each
 * configuration's surface coloured by von Mises stress with three.js, and
 * wires the controls: configuration, scale, colour map, deformation, implant
 * highlighting and region toggles. Renders on demand (no animation loop), so
 * an idle page costs nothing.
 *
 * Sets `document.documentElement.dataset.viewer` to 'ready' after the first
 * frame, or 'no-webgl' when WebGL is unavailable (the rest of the page still works).
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { colourAt, formatMPa, makeScale, scalePosition, srgbToLinear, type ColourMapName, type ScaleMode, type StressScale } from '../colour-scale.js';
import { legendMarkup } from '../legend.js';
import { PAYLOAD_ELEMENT_ID, type ViewerPayload, type ViewerSurfacePayload } from '../viewer-payload.js';

/** Highlight colour of implant outlines (magenta: in neither viridis nor turbo). */
const OUTLINE_COLOUR = 0xff00ff;
/** Implants drawn as metal (no stress colours). */
const METAL_COLOUR = 0xb8bcc4;
/** Full deformation slider = largest displacement drawn as this fraction of the model's diagonal. */
const DEFORM_FRACTION = 0.1;
/** Implant outline: edges whose faces meet at more than this angle, deg. */
const OUTLINE_ANGLE_DEG = 35;

/**
 * Camera directions from the target (x lateral to the right, y anterior, z
 * superior). The default, right posterolateral and slightly cranial, shows
 * the vertebral bodies, posterior elements and the rods/screws at once.
 */
const VIEW_DIRECTIONS: Record<string, THREE.Vector3> = {
  oblique: new THREE.Vector3(0.9, -0.55, 0.3).normalize(),
  right: new THREE.Vector3(1, 0, 0.08).normalize(),
  left: new THREE.Vector3(-1, 0, 0.08).normalize(),
  anterior: new THREE.Vector3(0, 1, 0.08).normalize(),
  posterior: new THREE.Vector3(0, -1, 0.08).normalize(),
};

function bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

interface Surface {
  name: string;
  loadCase: string;
  rest: Float32Array;
  indices: Uint32Array;
  regionIds: Uint16Array;
  vonMises: Float32Array;
  displacement: Float32Array | null;
  maxDisplacement: number;
  centre: THREE.Vector3;
  diagonal: number;
  position: THREE.BufferAttribute;
  colour: THREE.BufferAttribute;
  tissue: THREE.BufferGeometry;
  implant: THREE.BufferGeometry;
}

function decodeSurface(p: ViewerSurfacePayload): Surface {
  const rest = new Float32Array(bytes(p.positions).buffer);
  const indices = new Uint32Array(bytes(p.indices).buffer);
  const regionIds = new Uint16Array(bytes(p.regionIds).buffer);
  const vonMises = new Float32Array(bytes(p.vonMises).buffer);
  const displacement = p.displacement ? new Float32Array(bytes(p.displacement).buffer) : null;
  let maxDisplacement = 0;
  if (displacement)
    for (let i = 0; i < displacement.length; i += 3)
      maxDisplacement = Math.max(maxDisplacement, Math.hypot(displacement[i], displacement[i + 1], displacement[i + 2]));
  const box = new THREE.Box3();
  const v = new THREE.Vector3();
  for (let i = 0; i < rest.length; i += 3) box.expandByPoint(v.set(rest[i], rest[i + 1], rest[i + 2]));
  const position = new THREE.BufferAttribute(new Float32Array(rest), 3);
  const colour = new THREE.BufferAttribute(new Float32Array(rest.length), 3);
  const make = (): THREE.BufferGeometry => {
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', position);
    g.setAttribute('color', colour);
    return g;
  };
  return {
    name: p.name,
    loadCase: p.loadCase,
    rest,
    indices,
    regionIds,
    vonMises,
    displacement,
    maxDisplacement,
    centre: box.getCenter(new THREE.Vector3()),
    diagonal: box.getSize(new THREE.Vector3()).length(),
    position,
    colour,
    tissue: make(),
    implant: make(),
  };
}

function byId<T extends HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

function main(): void {
  const payloadEl = byId<HTMLScriptElement>(PAYLOAD_ELEMENT_ID);
  const canvas = byId<HTMLCanvasElement>('viewer-canvas');
  const host = byId<HTMLDivElement>('viewer');
  if (!payloadEl || !canvas || !host) return;
  const payload = JSON.parse(payloadEl.textContent ?? '{}') as ViewerPayload;
  const surfaces = payload.surfaces.map(decodeSurface);
  if (surfaces.length === 0) return;

  let renderer: THREE.WebGLRenderer;
  try {
    // preserveDrawingBuffer: the canvas can be copied (screenshots, tests) after a frame.
    renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
  } catch {
    document.documentElement.dataset.viewer = 'no-webgl';
    const msg = document.createElement('p');
    msg.className = 'viewer-message';
    msg.textContent = 'WebGL is not available in this browser: the 3-D view is off. The charts and tables below are unaffected.';
    host.appendChild(msg);
    return;
  }
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.setClearColor(0xf3f4f6, 1);

  const implantIds = new Set(payload.implantRegionIds);
  const isImplantRegion = new Uint8Array(payload.regionNames.length);
  for (const id of implantIds) isImplantRegion[id] = 1;
  const groupOfRegion = new Int32Array(payload.regionNames.length).fill(-1);
  payload.groups.forEach((g, k) => g.regionIds.forEach((id) => (groupOfRegion[id] = k)));
  const groupVisible = payload.groups.map(() => true);

  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(35, 1, 1, 1e5);
  camera.up.set(0, 0, 1); // z superior
  scene.add(camera);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x606060, 1.6));
  const headlight = new THREE.DirectionalLight(0xffffff, 1.6);
  headlight.position.set(0.3, 0.6, 1); // relative to the camera: slightly above and to the side
  camera.add(headlight);

  const stressMaterial = new THREE.MeshLambertMaterial({ vertexColors: true, side: THREE.DoubleSide, flatShading: true });
  const metalMaterial = new THREE.MeshLambertMaterial({ color: METAL_COLOUR, side: THREE.DoubleSide, flatShading: true });
  const tissueMesh = new THREE.Mesh(surfaces[0].tissue, stressMaterial);
  const implantMesh = new THREE.Mesh(surfaces[0].implant, stressMaterial);
  const outline = new THREE.LineSegments(new THREE.BufferGeometry(), new THREE.LineBasicMaterial({ color: OUTLINE_COLOUR }));
  scene.add(tissueMesh, implantMesh, outline);

  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;

  const configSel = byId<HTMLSelectElement>('configuration');
  const scaleSel = byId<HTMLSelectElement>('scale-mode');
  const mapSel = byId<HTMLSelectElement>('colour-map');
  const deform = byId<HTMLInputElement>('deform');
  const deformLabel = byId<HTMLSpanElement>('deform-label');
  const outlineBox = byId<HTMLInputElement>('implant-outline');
  const metalBox = byId<HTMLInputElement>('implant-metal');
  const loadCaseEl = byId<HTMLElement>('load-case');
  const legend = byId<HTMLDivElement>('legend');
  const resetBtn = byId<HTMLButtonElement>('reset-view');
  const viewSel = byId<HTMLSelectElement>('view');

  let current = 0;
  let mode: ScaleMode = (scaleSel?.value as ScaleMode) || 'clipped';
  let map: ColourMapName = (mapSel?.value as ColourMapName) || 'viridis';
  let scale: StressScale = makeScale(mode, payload.statistics);

  const render = (): void => {
    renderer.render(scene, camera);
    document.documentElement.dataset.viewer = 'ready';
  };

  const resize = (): void => {
    const w = Math.max(1, host.clientWidth);
    const h = Math.max(1, host.clientHeight);
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
  };

  const resetView = (): void => {
    const s = surfaces[current];
    const dir = VIEW_DIRECTIONS[viewSel?.value ?? 'oblique'] ?? VIEW_DIRECTIONS.oblique;
    // Distance at which the bounding sphere just fits the vertical field of view, a little closer.
    const dist = ((0.5 * s.diagonal) / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2))) * 0.8;
    camera.near = s.diagonal / 100;
    camera.far = s.diagonal * 20;
    camera.position.copy(s.centre).addScaledVector(dir, dist);
    controls.target.copy(s.centre);
    camera.updateProjectionMatrix();
    controls.update();
  };

  const applyColours = (): void => {
    const s = surfaces[current];
    const col = s.colour.array as Float32Array;
    const c: [number, number, number] = [0, 0, 0];
    for (let i = 0; i < s.vonMises.length; i++) {
      colourAt(map, scalePosition(scale, s.vonMises[i]), c);
      col[3 * i] = srgbToLinear(c[0]);
      col[3 * i + 1] = srgbToLinear(c[1]);
      col[3 * i + 2] = srgbToLinear(c[2]);
    }
    s.colour.needsUpdate = true;
    if (legend) {
      const note =
        scale.clipped
          ? `Clipped at the 98th percentile of bone (${formatMPa(scale.max)} MPa); peak ${formatMPa(payload.statistics.max)} MPa. Same scale for every configuration.`
          : `Peak ${formatMPa(payload.statistics.max)} MPa. Same scale for every configuration.`;
      legend.innerHTML = legendMarkup(scale, map, note);
    }
  };

  const applyDeformation = (): void => {
    const s = surfaces[current];
    const pos = s.position.array as Float32Array;
    const t = deform ? Number(deform.value) : 0;
    const factor = s.displacement && s.maxDisplacement > 0 ? (t * DEFORM_FRACTION * s.diagonal) / s.maxDisplacement : 0;
    // x ← X + factor·u
    for (let i = 0; i < pos.length; i++) pos[i] = s.rest[i] + (s.displacement ? factor * s.displacement[i] : 0);
    s.position.needsUpdate = true;
    if (deformLabel) deformLabel.textContent = s.displacement ? `×${factor >= 10 ? factor.toFixed(0) : factor.toFixed(1)}` : 'no displacements';
    if (deform) deform.disabled = !s.displacement;
  };

  const applyVisibility = (): void => {
    const s = surfaces[current];
    const nt = s.regionIds.length;
    const tissue: number[] = [];
    const implant: number[] = [];
    for (let t = 0; t < nt; t++) {
      const r = s.regionIds[t];
      const g = groupOfRegion[r];
      if (g >= 0 && !groupVisible[g]) continue;
      const into = isImplantRegion[r] ? implant : tissue;
      into.push(s.indices[3 * t], s.indices[3 * t + 1], s.indices[3 * t + 2]);
    }
    s.tissue.setIndex(tissue);
    s.implant.setIndex(implant);
  };

  // Normals and the implant outline follow the deformed, visible surface.
  const rebuildShape = (): void => {
    const s = surfaces[current];
    s.tissue.computeVertexNormals();
    s.implant.computeVertexNormals();
    s.tissue.computeBoundingSphere();
    s.implant.computeBoundingSphere();
    outline.geometry.dispose();
    outline.geometry = s.implant.index && s.implant.index.count > 0 ? new THREE.EdgesGeometry(s.implant, OUTLINE_ANGLE_DEG) : new THREE.BufferGeometry();
    outline.visible = outlineBox ? outlineBox.checked : true;
  };

  const showSurface = (k: number): void => {
    current = k;
    const s = surfaces[k];
    tissueMesh.geometry = s.tissue;
    implantMesh.geometry = s.implant;
    if (loadCaseEl) loadCaseEl.textContent = `Load case: ${s.loadCase}`;
    applyColours();
    applyDeformation();
    applyVisibility();
    rebuildShape();
  };

  configSel?.addEventListener('change', () => {
    showSurface(Math.max(0, configSel.selectedIndex));
    render();
  });
  scaleSel?.addEventListener('change', () => {
    mode = scaleSel.value as ScaleMode;
    scale = makeScale(mode, payload.statistics);
    applyColours();
    render();
  });
  mapSel?.addEventListener('change', () => {
    map = mapSel.value as ColourMapName;
    applyColours();
    render();
  });
  deform?.addEventListener('input', () => {
    applyDeformation();
    rebuildShape();
    render();
  });
  outlineBox?.addEventListener('change', () => {
    outline.visible = outlineBox.checked;
    render();
  });
  metalBox?.addEventListener('change', () => {
    implantMesh.material = metalBox.checked ? metalMaterial : stressMaterial;
    render();
  });
  document.querySelectorAll<HTMLInputElement>('input[data-region-group]').forEach((box) => {
    const k = payload.groups.findIndex((g) => g.key === box.dataset.regionGroup);
    if (k < 0) return;
    groupVisible[k] = box.checked;
    box.addEventListener('change', () => {
      groupVisible[k] = box.checked;
      applyVisibility();
      rebuildShape();
      render();
    });
  });
  viewSel?.addEventListener('change', () => {
    resetView();
    render();
  });
  resetBtn?.addEventListener('click', () => {
    resetView();
    render();
  });
  controls.addEventListener('change', render);
  new ResizeObserver(() => {
    resize();
    render();
  }).observe(host);

  implantMesh.material = metalBox?.checked ? metalMaterial : stressMaterial;
  showSurface(Math.max(0, configSel?.selectedIndex ?? 0));
  resize();
  resetView();
  render();
}

main();
