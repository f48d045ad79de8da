/**
 * Export of a model + load case to an FEBio 4 input file (`.feb`,
 * `<febio_spec version="4.0">`, module "solid", one static step).
 *
 * Units: mm, N, MPa. FEBio has no built-in units, so the file is consistent as
 * written and no conversion is applied.
 *
 * Mapping:
 * - hex8 / tet4 / tet10 → FEBio `hex8` / `tet4` / `tet10` (same node order as
 *   ours = VTK; FEBio's hex8 is fully integrated by default, not B-bar).
 * - Isotropic → `isotropic elastic`; transversely isotropic → `orthotropic
 *   elastic` with `mat_axis type="vector"` (local 3 = our axis). Both are
 *   St. Venant–Kirchhoff in FEBio: identical to linear elasticity for small
 *   strains, which is all this exporter claims.
 * - Kinematic coupling → a `rigid body` material (centre of mass = reference
 *   position, no elements of its own) and `<bc type="rigid">` binding the node
 *   set to it; reference BCs → `rigid_fixed` / `rigid_displacement` /
 *   `rigid_rotation`; reference forces/moments → `rigid_force` / `rigid_moment`.
 * - Fixed / prescribed displacements → `zero displacement` / `prescribed displacement`.
 * - Pressures → `surface_load type="pressure"`, tractions → `surface_load type="traction"`.
 * - Nodal forces, body forces and distributing-coupling loads → one
 *   `nodal_load type="nodal_force"` with a per-node `NodeData` map (body
 *   forces as our consistent nodal forces: FEBio's `body_load` is per unit
 *   mass, so this avoids a fake density).
 * - Springs → `DiscreteSet` + `linear spring` discrete materials; a spring to
 *   ground ends on an extra node 1 mm along its direction with zero displacement.
 * - Linear multi-point constraints are NOT exported (listed in `warnings`
 *   and as an XML comment): no FEBio 4 equivalent was verified here.
 */
import { InvalidBoundaryConditionError, NonFiniteInputError } from '../errors.js';
import type { Material } from '../fem/material.js';
import type { FeModel, LoadCase } from '../model/model.js';
import { resolveFaces } from '../model/selection.js';
import { transverseBasis, uniqueNamer } from './export-common.js';
import { exportPlan, type ExportPlan, type PlannedNodeSet } from './export-plan.js';

/** Options of {@link toFebioXml}. */
export interface FebioExportOptions {
  /** Which springs are active (1), e.g. `StaticSolution.springActive`; inactive springs are left out. Default: all. */
  springActiveSet?: Uint8Array;
}

/** The `.feb` text and what could not be expressed in it. */
export interface FebioExport {
  xml: string;
  /** Model features left out, one sentence each (e.g. linear constraints). */
  warnings: string[];
}

const FACET: Record<string, string> = { hex8: 'quad4', tet4: 'tri3', tet10: 'tri6' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function num(v: number): string {
  if (!Number.isFinite(v)) throw new NonFiniteInputError(`febio export: value ${v} is not finite`);
  return String(v);
}

function vec(v: ArrayLike<number>): string {
  return Array.from(v, num).join(',');
}

const makeNamer = (): ((base: string) => string) =>
  uniqueNamer((base) => base.replace(/[^A-Za-z0-9_.-]/g, '_') || 'set');


function materialXml(m: Material, id: number, name: string): string[] {
  if (m.kind === 'isotropic') {
    return [
      `    <material id="${id}" name="${esc(name)}" type="isotropic elastic">`,
      `      <density>1</density>`,
      `      <E>${num(m.E)}</E>`,
      `      <v>${num(m.nu)}</v>`,
      `    </material>`,
    ];
  }
  // FEBio ν_ij: contraction in j under uniaxial stress in i. Local 3 = axis:
  // ν12 = νP, ν23 = νPz (in-plane stress, axial contraction), ν31 = νzP = νPz·Ez/Ep.
  const { e1, e2 } = transverseBasis(m.axis);
  return [
    `    <material id="${id}" name="${esc(name)}" type="orthotropic elastic">`,
    `      <density>1</density>`,
    `      <mat_axis type="vector">`,
    `        <a>${vec(e1)}</a>`,
    `        <d>${vec(e2)}</d>`,
    `      </mat_axis>`,
    `      <E1>${num(m.Ep)}</E1>`,
    `      <E2>${num(m.Ep)}</E2>`,
    `      <E3>${num(m.Ez)}</E3>`,
    `      <G12>${num(m.Ep / (2 * (1 + m.nuP)))}</G12>`,
    `      <G23>${num(m.Gz)}</G23>`,
    `      <G31>${num(m.Gz)}</G31>`,
    `      <v12>${num(m.nuP)}</v12>`,
    `      <v23>${num(m.nuPz)}</v23>`,
    `      <v31>${num((m.nuPz * m.Ez) / m.Ep)}</v31>`,
    `    </material>`,
  ];
}

/**
 * Export a model and one load case to FEBio 4 (see the module notes for the
 * mapping), returning the XML and the list of features left out.
 *
 * @throws InvalidBoundaryConditionError / NonFiniteInputError / DimensionMismatchError
 *   for unknown sets or references, non-finite values and bad array lengths.
 * @example
 * ```ts
 * const { xml, warnings } = febioExport(model, { pressures: [{ faces: 'zmax', pressure: 1 }] });
 * writeFileSync('model.feb', xml); // febio4 -i model.feb
 * ```
 */
export function febioExport(model: FeModel, loadCase: LoadCase, options: FebioExportOptions = {}): FebioExport {
  const plan = exportPlan(model, loadCase, { springActiveSet: options.springActiveSet, tractionsAsNodalForces: false, what: 'febio export' });
  const w: FebWriter = { plan, name: makeNamer(), setLines: [], rigidName: new Map() };
  const { materialLines, domains } = materialSection(w);
  const meshLines = meshSection(w, domains);
  const bc = boundarySection(w);
  const rigid = rigidSection(w);
  const { loads, meshData } = loadSection(w, rigid);
  const springs = springSection(w);
  meshLines.push(...springs.sets);
  const warnings: string[] = [];
  const constraints = model.constraints ?? [];
  if (constraints.length)
    warnings.push(`${constraints.length} linear multi-point constraint(s) are not exported: FEBio 4 has no verified equivalent here; tie the DOFs in FEBio Studio.`);
  const L: string[] = [];
  L.push('<?xml version="1.0" encoding="ISO-8859-1"?>');
  L.push(`<!-- Exported by spinefea${loadCase.name ? ` (load case ${esc(loadCase.name).replace(/--/g, '- -')})` : ''}. Units: mm, N, MPa (consistent in FEBio, no conversion). -->`);
  L.push('<febio_spec version="4.0">');
  L.push('  <Module type="solid"/>');
  L.push(...CONTROL);
  L.push('  <Material>', ...materialLines, '  </Material>');
  L.push('  <Mesh>', ...meshLines, ...w.setLines, '  </Mesh>');
  L.push('  <MeshDomains>', ...domains.map((d) => `    <SolidDomain name="${esc(d.part)}" mat="${esc(d.mat)}"/>`), '  </MeshDomains>');
  if (meshData.length) L.push('  <MeshData>', ...meshData, '  </MeshData>');
  if (bc.length) L.push('  <Boundary>', ...bc, '  </Boundary>');
  if (rigid.length) L.push('  <Rigid>', ...rigid, '  </Rigid>');
  if (loads.length) L.push('  <Loads>', ...loads, '  </Loads>');
  if (springs.discrete.length) L.push('  <Discrete>', ...springs.discrete, '  </Discrete>');
  for (const wn of warnings) L.push(`  <!-- NOT EXPORTED: ${esc(wn).replace(/--/g, '- -')} -->`);
  L.push(...LOAD_DATA_AND_OUTPUT, '</febio_spec>', '');
  return { xml: L.join('\n'), warnings };
}

const CONTROL = [
  '  <Control>',
  '    <analysis>STATIC</analysis>',
  '    <time_steps>1</time_steps>',
  '    <step_size>1</step_size>',
  '    <solver type="solid">',
  '      <symmetric_stiffness>symmetric</symmetric_stiffness>',
  '    </solver>',
  '  </Control>',
];

const LOAD_DATA_AND_OUTPUT = [
  '  <LoadData>',
  '    <load_controller id="1" name="ramp" type="loadcurve">',
  '      <interpolate>LINEAR</interpolate>',
  '      <points>',
  '        <pt>0,0</pt>',
  '        <pt>1,1</pt>',
  '      </points>',
  '    </load_controller>',
  '  </LoadData>',
  '  <Output>',
  '    <plotfile type="febio">',
  '      <var type="displacement"/>',
  '      <var type="stress"/>',
  '      <var type="reaction forces"/>',
  '    </plotfile>',
  '  </Output>',
];

/** The file being written: the plan, the set namer, the node sets and surfaces, the rigid bodies' names. */
interface FebWriter {
  plan: ExportPlan;
  name: (base: string) => string;
  setLines: string[];
  rigidName: Map<string, string>;
  nodeSetCache?: Map<string, string>;
}

/** Materials by id, then one rigid-body material per kinematically coupled reference. */
function materialSection(w: FebWriter): { materialLines: string[]; domains: { part: string; mat: string; cells: number[] }[] } {
  const { plan, name } = w;
  const materialLines: string[] = [];
  const domains: { part: string; mat: string; cells: number[] }[] = [];
  let febMatId = 0;
  for (const g of plan.materials) {
    const matName = name(g.label ? `mat${g.id}_${g.label}` : `mat${g.id}`);
    materialLines.push(...materialXml(g.material, ++febMatId, matName));
    domains.push({ part: name(`part${g.id}`), mat: matName, cells: g.cells });
  }
  for (const ref of plan.rigidBodies.keys()) {
    const pos = plan.layout.referencePosition.get(ref)!;
    const rb = name(`rigid_${ref}`);
    w.rigidName.set(ref, rb);
    materialLines.push(
      `    <material id="${++febMatId}" name="${esc(rb)}" type="rigid body">`,
      `      <density>1</density>`,
      `      <center_of_mass>${vec(pos)}</center_of_mass>`,
      `    </material>`,
    );
  }
  return { materialLines, domains };
}

/** Nodes (mesh, then spring anchors) and elements per material domain. */
function meshSection(w: FebWriter, domains: { part: string; cells: number[] }[]): string[] {
  const { mesh, nNodes, npc } = w.plan;
  const meshLines: string[] = ['    <Nodes name="all">'];
  for (let i = 0; i < nNodes; i++) meshLines.push(`      <node id="${i + 1}">${vec(mesh.nodes.subarray(3 * i, 3 * i + 3))}</node>`);
  w.plan.anchors.forEach((x, j) => meshLines.push(`      <node id="${nNodes + j + 1}">${vec(x.position)}</node>`));
  meshLines.push('    </Nodes>');
  for (const d of domains) {
    meshLines.push(`    <Elements type="${mesh.cellType}" name="${esc(d.part)}">`);
    for (const c of d.cells) {
      const conn: number[] = [];
      for (let a = 0; a < npc; a++) conn.push(mesh.cells[c * npc + a] + 1);
      meshLines.push(`      <elem id="${c + 1}">${conn.join(',')}</elem>`);
    }
    meshLines.push('    </Elements>');
  }
  return meshLines;
}

/** A NodeSet of 1-based ids. */
function rawNodeSet(w: FebWriter, ids: readonly number[], base: string): string {
  const set = w.name(base);
  w.setLines.push(`    <NodeSet name="${esc(set)}">${ids.join(',')}</NodeSet>`);
  return set;
}

/** A NodeSet for a planned node set; named mesh sets are written once and keep their name. */
function nodeSet(w: FebWriter, sel: PlannedNodeSet, what: string): string {
  const cache = (w.nodeSetCache ??= new Map());
  if (sel.key !== null && cache.has(sel.key)) return cache.get(sel.key)!;
  const set = rawNodeSet(w, Array.from(sel.nodes, (n) => n + 1), sel.key ?? what);
  if (sel.key !== null) cache.set(sel.key, set);
  return set;
}

/** A Surface of the faces of a selection (FEBio facets in CELL_INFO order). */
function surface(w: FebWriter, sel: Parameters<typeof resolveFaces>[1], what: string): string {
  const { mesh, info, nCells, npc } = w.plan;
  const fs = resolveFaces(mesh, sel, what);
  const set = w.name(typeof sel === 'string' ? `surf_${sel}` : what);
  w.setLines.push(`    <Surface name="${esc(set)}">`);
  for (let k = 0; k < fs.cells.length; k++) {
    const local = info.faces[fs.faces[k]];
    if (!local) throw new InvalidBoundaryConditionError(`${what}: face number ${fs.faces[k]} invalid for ${mesh.cellType}`);
    if (!(fs.cells[k] < nCells)) throw new InvalidBoundaryConditionError(`${what}: cell ${fs.cells[k]} out of range`);
    // Face nodes in CELL_INFO order: outward normal, corners then mid-side nodes (FEBio's facet order).
    const ids = local.map((a) => mesh.cells[fs.cells[k] * npc + a] + 1);
    w.setLines.push(`      <${FACET[mesh.cellType]} id="${k + 1}">${ids.join(',')}</${FACET[mesh.cellType]}>`);
  }
  w.setLines.push('    </Surface>');
  return set;
}

const DOF = ['x', 'y', 'z'];
const RDOF = ['Rx', 'Ry', 'Rz', 'Ru', 'Rv', 'Rw'];

/** Zero and prescribed displacements, spring anchors fixed, kinematic couplings as rigid bindings. */
function boundarySection(w: FebWriter): string[] {
  const { plan, name } = w;
  const bc: string[] = [];
  for (const b of plan.displacementBcs) {
    const set = nodeSet(w, b.nodes, `bc${b.index}`);
    const zero: number[] = [];
    for (const { component: c, value: v } of b.values) {
      if (v === 0) zero.push(c);
      else
        bc.push(
          `    <bc name="${esc(name(`prescribed${b.index}_${DOF[c]}`))}" type="prescribed displacement" node_set="${esc(set)}">`,
          `      <dof>${DOF[c]}</dof>`,
          `      <value lc="1">${num(v)}</value>`,
          `      <relative>0</relative>`,
          `    </bc>`,
        );
    }
    if (zero.length)
      bc.push(
        `    <bc name="${esc(name(`fixed${b.index}`))}" type="zero displacement" node_set="${esc(set)}">`,
        ...[0, 1, 2].map((c) => `      <${DOF[c]}_dof>${zero.includes(c) ? 1 : 0}</${DOF[c]}_dof>`),
        `    </bc>`,
      );
  }
  if (plan.anchors.length) {
    const set = rawNodeSet(w, plan.anchors.map((_, j) => plan.nNodes + j + 1), 'spring_anchors');
    bc.push(`    <bc name="spring_anchors" type="zero displacement" node_set="${esc(set)}">`, '      <x_dof>1</x_dof>', '      <y_dof>1</y_dof>', '      <z_dof>1</z_dof>', '    </bc>');
  }
  for (const [ref, nodes] of plan.rigidBodies) {
    const set = rawNodeSet(w, nodes.map((n) => n + 1), `rigid_nodes_${ref}`);
    bc.push(`    <bc name="${esc(name(`rigid_${ref}_bc`))}" type="rigid" node_set="${esc(set)}">`, `      <rb>${esc(w.rigidName.get(ref)!)}</rb>`, '    </bc>');
  }
  return bc;
}

/** A prescribed value or load on one DOF of a rigid body (`<rigid_bc>` or `<rigid_load>`). */
function rigidDofXml(tag: string, name: string, type: string, body: string, dof: number, value: number): string[] {
  return [
    `    <${tag} name="${esc(name)}" type="${type}">`,
    `      <rb>${esc(body)}</rb>`,
    `      <dof>${RDOF[dof]}</dof>`,
    `      <value lc="1">${num(value)}</value>`,
    `      <relative>0</relative>`,
    `    </${tag}>`,
  ];
}

/** Reference boundary conditions → rigid_fixed / rigid_displacement / rigid_rotation. */
function rigidSection(w: FebWriter): string[] {
  const rigid: string[] = [];
  for (const rb of w.plan.referenceBcs) {
    const body = w.rigidName.get(rb.reference)!;
    const fixed = new Set<number>();
    for (const { component: c, value: v } of rb.values) {
      if (v === 0) fixed.add(c);
      else
        rigid.push(...rigidDofXml('rigid_bc', w.name(`${body}_${RDOF[c]}`), c < 3 ? 'rigid_displacement' : 'rigid_rotation', body, c, v));
    }
    if (fixed.size)
      rigid.push(
        `    <rigid_bc name="${esc(w.name(`${body}_fixed`))}" type="rigid_fixed">`,
        `      <rb>${esc(body)}</rb>`,
        ...RDOF.map((d, c) => `      <${d}_dof>${fixed.has(c) ? 1 : 0}</${d}_dof>`),
        `    </rigid_bc>`,
      );
  }
  return rigid;
}

/**
 * Loads: reference loads on rigid bodies (appended to `rigid`), the plan's nodal forces as
 * one nodal_load with a NodeData map, tractions and pressures as surface loads.
 */
function loadSection(w: FebWriter, rigid: string[]): { loads: string[]; meshData: string[] } {
  const { plan, name } = w;
  for (const rl of plan.rigidLoads) {
    const body = w.rigidName.get(rl.reference)!;
    for (let k = 0; k < 6; k++) {
      const v = k < 3 ? rl.force[k] : rl.moment[k - 3];
      if (v === 0) continue;
      rigid.push(...rigidDofXml('rigid_load', name(`${body}_load_${RDOF[k]}`), k < 3 ? 'rigid_force' : 'rigid_moment', body, k, v));
    }
  }
  const loads: string[] = [];
  const meshData: string[] = [];
  const f = plan.nodalForces;
  const loaded: number[] = [];
  for (let n = 0; n < plan.nNodes; n++) if (f[3 * n] !== 0 || f[3 * n + 1] !== 0 || f[3 * n + 2] !== 0) loaded.push(n);
  if (loaded.length) {
    const set = rawNodeSet(w, loaded.map((n) => n + 1), 'loaded_nodes');
    meshData.push(`    <NodeData name="nodal_forces" node_set="${esc(set)}" data_type="vec3">`);
    loaded.forEach((n, j) => meshData.push(`      <node lid="${j + 1}">${vec(f.subarray(3 * n, 3 * n + 3))}</node>`));
    meshData.push('    </NodeData>');
    loads.push(
      `    <nodal_load name="nodal_forces" type="nodal_force" node_set="${esc(set)}">`,
      `      <value lc="1" type="map">nodal_forces</value>`,
      `    </nodal_load>`,
    );
  }
  const label = plan.loadCase.name ? `load case '${plan.loadCase.name}'` : 'load case';
  for (const [i, t] of (plan.loadCase.tractions ?? []).entries()) {
    const what = `${label}, traction ${i}`;
    if (!t.traction.every(Number.isFinite)) throw new NonFiniteInputError(`${what}: traction is not finite`);
    const s = surface(w, t.faces, `traction${i}`);
    loads.push(
      `    <surface_load name="${esc(name(`traction${i}`))}" type="traction" surface="${esc(s)}">`,
      `      <scale lc="1">1</scale>`,
      `      <traction>${vec(t.traction)}</traction>`,
      `    </surface_load>`,
    );
  }
  for (const [i, p] of (plan.loadCase.pressures ?? []).entries()) {
    const what = `${label}, pressure ${i}`;
    if (!Number.isFinite(p.pressure)) throw new NonFiniteInputError(`${what}: pressure ${p.pressure} is not finite`);
    const s = surface(w, p.faces, `pressure${i}`);
    // FEBio: positive pressure acts against the outward facet normal (into the body), as ours.
    loads.push(
      `    <surface_load name="${esc(name(`pressure${i}`))}" type="pressure" surface="${esc(s)}">`,
      `      <pressure lc="1">${num(p.pressure)}</pressure>`,
      `      <linear>1</linear>`,
      `      <symmetric_stiffness>1</symmetric_stiffness>`,
      `    </surface_load>`,
    );
  }
  return { loads, meshData };
}

/** Springs grouped by stiffness: the DiscreteSets of the Mesh and the Discrete section. */
function springSection(w: FebWriter): { sets: string[]; discrete: string[] } {
  const { plan, name } = w;
  const meshLines: string[] = [];
  const discrete: string[] = [];
  if (!plan.springs.length) return { sets: meshLines, discrete };
  const groups = new Map<number, { a: number; b: number }[]>();
  for (const s of plan.springs) {
    let g = groups.get(s.k);
    if (!g) groups.set(s.k, (g = []));
    g.push({ a: s.a + 1, b: s.anchor >= 0 ? plan.nNodes + s.anchor + 1 : s.b + 1 });
  }
  let gi = 0;
  const bindings: string[] = [];
  for (const [k, rows] of groups) {
    gi++;
    const set = name(`springs${gi}`);
    meshLines.push(`    <DiscreteSet name="${esc(set)}">`, ...rows.map((r) => `      <delem>${r.a},${r.b}</delem>`), '    </DiscreteSet>');
    // FEBio resolves dmat by list position, so ids run 1…n in order.
    discrete.push(`    <discrete_material id="${gi}" name="${esc(name(`spring_k${gi}`))}" type="linear spring">`, `      <E>${num(k)}</E>`, '    </discrete_material>');
    bindings.push(`    <discrete dmat="${gi}" discrete_set="${esc(set)}"/>`);
  }
  discrete.push(...bindings);
  return { sets: meshLines, discrete };
}

/**
 * Export a model and one load case to an FEBio 4 `.feb` file (text). See
 * {@link febioExport} for the features left out.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('model.feb', toFebioXml(model, { referenceLoads: [{ reference: 'top', moment: [7500, 0, 0] }] }));
 * ```
 */
export function toFebioXml(model: FeModel, loadCase: LoadCase, options: FebioExportOptions = {}): string {
  return febioExport(model, loadCase, options).xml;
}
