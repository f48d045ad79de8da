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
import { DimensionMismatchError, InvalidArgumentError, InvalidBoundaryConditionError, NonFiniteInputError } from '../errors.js';
import { validateMaterial, type Material } from '../fem/material.js';
import { distributeReferenceLoad } from '../model/loads.js';
import { GROUND, type FeModel, type LoadCase, type NodeSelection } from '../model/model.js';
import { resolveFaces, resolveNodes } from '../model/selection.js';
import { exportContext, transverseBasis, uniqueNamer } from './export-common.js';

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
  const { mesh, info, family, npc, nNodes, nCells, layout } = exportContext(model, 'febio export');
  const warnings: string[] = [];
  const name = makeNamer();
  const L: string[] = [];

  // ---- Materials --------------------------------------------------------------
  const byMaterial = new Map<number, number[]>();
  for (let c = 0; c < nCells; c++) {
    const id = mesh.materialIds[c];
    if (!(id < model.materials.length))
      throw new DimensionMismatchError(`febio export: cell ${c} uses material id ${id} but only ${model.materials.length} materials are given`);
    let l = byMaterial.get(id);
    if (!l) byMaterial.set(id, (l = []));
    l.push(c);
  }
  const materialLines: string[] = [];
  const domains: { part: string; mat: string; cells: number[] }[] = [];
  let febMatId = 0;
  for (const [id, cells] of [...byMaterial].sort((p, q) => p[0] - q[0])) {
    const m = model.materials[id];
    validateMaterial(m, id);
    const label = mesh.regionNames?.[id] ?? m.name;
    const matName = name(label ? `mat${id}_${label}` : `mat${id}`);
    materialLines.push(...materialXml(m, ++febMatId, matName));
    domains.push({ part: name(`part${id}`), mat: matName, cells });
  }
  const kinematic = new Map<string, Set<number>>();
  for (const [i, c] of (model.couplings ?? []).entries()) {
    if (c.kind !== 'kinematic') continue;
    const nodes = resolveNodes(mesh, c.nodes, `kinematic coupling ${i} to '${c.reference}'`);
    let s = kinematic.get(c.reference);
    if (!s) kinematic.set(c.reference, (s = new Set()));
    for (const n of nodes) s.add(n);
  }
  const rigidName = new Map<string, string>();
  for (const ref of kinematic.keys()) {
    const pos = layout.referencePosition.get(ref)!;
    const rb = name(`rigid_${ref}`);
    rigidName.set(ref, rb);
    materialLines.push(
      `    <material id="${++febMatId}" name="${esc(rb)}" type="rigid body">`,
      `      <density>1</density>`,
      `      <center_of_mass>${vec(pos)}</center_of_mass>`,
      `    </material>`,
    );
  }

  // ---- Extra nodes (spring anchors) ------------------------------------------
  const extra: number[][] = [];
  const anchors: number[] = [];
  const springPairs: { a: number; b: number; k: number }[] = [];
  const springs = model.springs;
  if (springs) {
    const m = springs.nodesA.length;
    if (options.springActiveSet && options.springActiveSet.length !== m)
      throw new DimensionMismatchError(`febio export: springActiveSet has ${options.springActiveSet.length} entries for ${m} springs`);
    for (let i = 0; i < m; i++) {
      if (options.springActiveSet && !options.springActiveSet[i]) continue;
      const a = springs.nodesA[i];
      const k = springs.stiffness[i];
      if (!(a < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${a} out of range`);
      if (!Number.isFinite(k) || k < 0) throw new NonFiniteInputError(`spring ${i}: stiffness ${k} must be finite and ≥ 0`);
      if (k === 0) continue;
      let b: number;
      if (springs.nodesB[i] === GROUND) {
        const d = springs.direction;
        if (!d || d.length < 3 * (i + 1)) throw new InvalidArgumentError(`spring ${i} goes to ground but no direction is given`);
        const l = Math.hypot(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
        if (!(l > 0)) throw new InvalidArgumentError(`spring ${i}: direction has zero length`);
        b = nNodes + extra.length + 1;
        extra.push([0, 1, 2].map((q) => mesh.nodes[3 * a + q] + d[3 * i + q] / l));
        anchors.push(b);
      } else {
        if (!(springs.nodesB[i] < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${springs.nodesB[i]} out of range`);
        b = springs.nodesB[i] + 1;
      }
      springPairs.push({ a: a + 1, b, k });
    }
  }

  // ---- Mesh -------------------------------------------------------------------
  const meshLines: string[] = ['    <Nodes name="all">'];
  for (let i = 0; i < nNodes; i++) meshLines.push(`      <node id="${i + 1}">${vec(mesh.nodes.subarray(3 * i, 3 * i + 3))}</node>`);
  extra.forEach((x, j) => meshLines.push(`      <node id="${nNodes + j + 1}">${vec(x)}</node>`));
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
  const setLines: string[] = [];
  const nodeSetCache = new Map<string, string>();
  /** A NodeSet of 1-based ids. */
  const rawNodeSet = (ids: readonly number[], base: string): string => {
    const set = name(base);
    setLines.push(`    <NodeSet name="${esc(set)}">${ids.join(',')}</NodeSet>`);
    return set;
  };
  /** A NodeSet for a model selection; named mesh sets are written once and keep their name. */
  const nodeSet = (sel: NodeSelection, what: string): string => {
    const key = typeof sel === 'string' ? sel : null;
    if (key !== null && nodeSetCache.has(key)) return nodeSetCache.get(key)!;
    const set = rawNodeSet(Array.from(resolveNodes(mesh, sel, what), (n) => n + 1), key ?? what);
    if (key !== null) nodeSetCache.set(key, set);
    return set;
  };
  const surface = (sel: Parameters<typeof resolveFaces>[1], what: string): string => {
    const fs = resolveFaces(mesh, sel, what);
    const set = name(typeof sel === 'string' ? `surf_${sel}` : what);
    setLines.push(`    <Surface name="${esc(set)}">`);
    for (let k = 0; k < fs.cells.length; k++) {
      const local = info.faces[fs.faces[k]];
      if (!local) throw new InvalidBoundaryConditionError(`${what}: face number ${fs.faces[k]} invalid for ${mesh.cellType}`);
      if (!(fs.cells[k] < nCells)) throw new InvalidBoundaryConditionError(`${what}: cell ${fs.cells[k]} out of range`);
      // Face nodes in CELL_INFO order: outward normal, corners then mid-side nodes (FEBio's facet order).
      const ids = local.map((a) => mesh.cells[fs.cells[k] * npc + a] + 1);
      setLines.push(`      <${FACET[mesh.cellType]} id="${k + 1}">${ids.join(',')}</${FACET[mesh.cellType]}>`);
    }
    setLines.push('    </Surface>');
    return set;
  };

  // ---- Boundary ---------------------------------------------------------------
  const bc: string[] = [];
  const DOF = ['x', 'y', 'z'];
  for (const [i, b] of (model.displacementBcs ?? []).entries()) {
    const what = `displacement boundary condition ${i}`;
    const set = nodeSet(b.nodes, `bc${i}`);
    const comps = b.components ?? [0, 1, 2];
    const zero: number[] = [];
    comps.forEach((c, k) => {
      if (!(c === 0 || c === 1 || c === 2)) throw new InvalidBoundaryConditionError(`${what}: component ${c} is not a translation (0, 1, 2)`);
      const v = b.value === undefined ? 0 : typeof b.value === 'number' ? b.value : b.value[k];
      if (v === undefined || !Number.isFinite(v)) throw new NonFiniteInputError(`${what}: prescribed value ${String(v)} is not a finite number`);
      if (v === 0) zero.push(c);
      else
        bc.push(
          `    <bc name="${esc(name(`prescribed${i}_${DOF[c]}`))}" type="prescribed displacement" node_set="${esc(set)}">`,
          `      <dof>${DOF[c]}</dof>`,
          `      <value lc="1">${num(v)}</value>`,
          `      <relative>0</relative>`,
          `    </bc>`,
        );
    });
    if (zero.length)
      bc.push(
        `    <bc name="${esc(name(`fixed${i}`))}" type="zero displacement" node_set="${esc(set)}">`,
        ...[0, 1, 2].map((c) => `      <${DOF[c]}_dof>${zero.includes(c) ? 1 : 0}</${DOF[c]}_dof>`),
        `    </bc>`,
      );
  }
  if (anchors.length) {
    const set = rawNodeSet(anchors, 'spring_anchors');
    bc.push(`    <bc name="spring_anchors" type="zero displacement" node_set="${esc(set)}">`, '      <x_dof>1</x_dof>', '      <y_dof>1</y_dof>', '      <z_dof>1</z_dof>', '    </bc>');
  }
  for (const [ref, nodes] of kinematic) {
    const set = rawNodeSet([...nodes].sort((p, q) => p - q).map((n) => n + 1), `rigid_nodes_${ref}`);
    bc.push(`    <bc name="${esc(name(`rigid_${ref}_bc`))}" type="rigid" node_set="${esc(set)}">`, `      <rb>${esc(rigidName.get(ref)!)}</rb>`, '    </bc>');
  }

  // ---- Rigid (reference BCs and loads) ----------------------------------------
  const rigid: string[] = [];
  const RDOF = ['Rx', 'Ry', 'Rz', 'Ru', 'Rv', 'Rw'];
  for (const [i, rb] of (model.referenceBcs ?? []).entries()) {
    const what = `reference boundary condition ${i} on '${rb.reference}'`;
    const body = rigidName.get(rb.reference);
    if (!body) throw new InvalidBoundaryConditionError(`${what}: the reference node has no DOFs (it is not in a kinematic coupling)`);
    const fixed = new Set<number>();
    rb.components.forEach((c, k) => {
      const v = rb.value === undefined ? 0 : typeof rb.value === 'number' ? rb.value : rb.value[k];
      if (v === undefined || !Number.isFinite(v)) throw new NonFiniteInputError(`${what}: prescribed value ${String(v)} is not a finite number`);
      if (v === 0) fixed.add(c);
      else
        rigid.push(
          `    <rigid_bc name="${esc(name(`${body}_${RDOF[c]}`))}" type="${c < 3 ? 'rigid_displacement' : 'rigid_rotation'}">`,
          `      <rb>${esc(body)}</rb>`,
          `      <dof>${RDOF[c]}</dof>`,
          `      <value lc="1">${num(v)}</value>`,
          `      <relative>0</relative>`,
          `    </rigid_bc>`,
        );
    });
    if (fixed.size)
      rigid.push(
        `    <rigid_bc name="${esc(name(`${body}_fixed`))}" type="rigid_fixed">`,
        `      <rb>${esc(body)}</rb>`,
        ...RDOF.map((d, c) => `      <${d}_dof>${fixed.has(c) ? 1 : 0}</${d}_dof>`),
        `    </rigid_bc>`,
      );
  }

  // ---- Loads ------------------------------------------------------------------
  const loads: string[] = [];
  const f = new Float64Array(3 * nNodes);
  const label = loadCase.name ? `load case '${loadCase.name}'` : 'load case';
  for (const [i, nf] of (loadCase.nodalForces ?? []).entries()) {
    const what = `${label}, nodal forces ${i}`;
    if (nf.forces.length !== 3 * nf.nodes.length)
      throw new DimensionMismatchError(`${what}: forces has ${nf.forces.length} values, expected 3 × ${nf.nodes.length} nodes`);
    for (let k = 0; k < nf.nodes.length; k++) {
      const n = nf.nodes[k];
      if (!(n < nNodes)) throw new InvalidBoundaryConditionError(`${what}: node ${n} out of range (mesh has ${nNodes} nodes)`);
      for (let d = 0; d < 3; d++) {
        const v = nf.forces[3 * k + d];
        if (!Number.isFinite(v)) throw new NonFiniteInputError(`${what}: value ${v} at index ${3 * k + d} is not finite`);
        f[3 * n + d] += v;
      }
    }
  }
  for (const [i, bf] of (loadCase.bodyForces ?? []).entries()) {
    const what = `${label}, body force ${i}`;
    if (!bf.force.every(Number.isFinite)) throw new NonFiniteInputError(`${what}: body force is not finite`);
    const b = Float64Array.from(bf.force);
    const xe = new Float64Array(3 * npc);
    const fe = new Float64Array(3 * npc);
    const only = bf.materialIds ? new Set(bf.materialIds) : null;
    for (let c = 0; c < nCells; c++) {
      if (only && !only.has(mesh.materialIds[c])) continue;
      for (let a = 0; a < npc; a++) for (let q = 0; q < 3; q++) xe[3 * a + q] = mesh.nodes[3 * mesh.cells[c * npc + a] + q];
      family.bodyForce(xe, b, fe);
      for (let a = 0; a < npc; a++) for (let q = 0; q < 3; q++) f[3 * mesh.cells[c * npc + a] + q] += fe[3 * a + q];
    }
  }
  for (const [i, rl] of (loadCase.referenceLoads ?? []).entries()) {
    const what = `${label}, reference load ${i} on '${rl.reference}'`;
    const F = rl.force ?? [0, 0, 0];
    const M = rl.moment ?? [0, 0, 0];
    if (![...F, ...M].every(Number.isFinite)) throw new NonFiniteInputError(`${what}: force or moment is not finite`);
    const body = rigidName.get(rl.reference);
    if (body) {
      for (let k = 0; k < 6; k++) {
        const v = k < 3 ? F[k] : M[k - 3];
        if (v === 0) continue;
        rigid.push(
          `    <rigid_load name="${esc(name(`${body}_load_${RDOF[k]}`))}" type="${k < 3 ? 'rigid_force' : 'rigid_moment'}">`,
          `      <rb>${esc(body)}</rb>`,
          `      <dof>${RDOF[k]}</dof>`,
          `      <value lc="1">${num(v)}</value>`,
          `      <relative>0</relative>`,
          `    </rigid_load>`,
        );
      }
      continue;
    }
    const cp = (model.couplings ?? []).find((c) => c.reference === rl.reference && c.kind === 'distributing');
    if (!cp) throw new InvalidBoundaryConditionError(`${what}: no coupling uses this reference node, so the load has nowhere to go`);
    distributeReferenceLoad(mesh, resolveNodes(mesh, cp.nodes, what), cp.weights, layout.referencePosition.get(rl.reference)!, F, M, f, what);
  }
  const meshData: string[] = [];
  const loaded: number[] = [];
  for (let n = 0; n < nNodes; n++) if (f[3 * n] !== 0 || f[3 * n + 1] !== 0 || f[3 * n + 2] !== 0) loaded.push(n);
  if (loaded.length) {
    const set = rawNodeSet(loaded.map((n) => n + 1), 'loaded_nodes');
    meshData.push(`    <NodeData name="nodal_forces" node_set="${esc(set)}" data_type="vec3">`);
    loaded.forEach((n, j) => meshData.push(`      <node lid="${j + 1}">${vec(f.subarray(3 * n, 3 * n + 3))}</node>`));
    meshData.push('    </NodeData>');
    loads.push(
      `    <nodal_load name="nodal_forces" type="nodal_force" node_set="${esc(set)}">`,
      `      <value lc="1" type="map">nodal_forces</value>`,
      `    </nodal_load>`,
    );
  }
  for (const [i, t] of (loadCase.tractions ?? []).entries()) {
    const what = `${label}, traction ${i}`;
    if (!t.traction.every(Number.isFinite)) throw new NonFiniteInputError(`${what}: traction is not finite`);
    const s = surface(t.faces, `traction${i}`);
    loads.push(
      `    <surface_load name="${esc(name(`traction${i}`))}" type="traction" surface="${esc(s)}">`,
      `      <scale lc="1">1</scale>`,
      `      <traction>${vec(t.traction)}</traction>`,
      `    </surface_load>`,
    );
  }
  for (const [i, p] of (loadCase.pressures ?? []).entries()) {
    const what = `${label}, pressure ${i}`;
    if (!Number.isFinite(p.pressure)) throw new NonFiniteInputError(`${what}: pressure ${p.pressure} is not finite`);
    const s = surface(p.faces, `pressure${i}`);
    // FEBio: positive pressure acts against the outward facet normal (into the body), as ours.
    loads.push(
      `    <surface_load name="${esc(name(`pressure${i}`))}" type="pressure" surface="${esc(s)}">`,
      `      <pressure lc="1">${num(p.pressure)}</pressure>`,
      `      <linear>1</linear>`,
      `      <symmetric_stiffness>1</symmetric_stiffness>`,
      `    </surface_load>`,
    );
  }

  // ---- Springs ----------------------------------------------------------------
  const discrete: string[] = [];
  if (springPairs.length) {
    const groups = new Map<number, { a: number; b: number }[]>();
    for (const s of springPairs) {
      let g = groups.get(s.k);
      if (!g) groups.set(s.k, (g = []));
      g.push(s);
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
  }

  const constraints = model.constraints ?? [];
  if (constraints.length)
    warnings.push(`${constraints.length} linear multi-point constraint(s) are not exported: FEBio 4 has no verified equivalent here; tie the DOFs in FEBio Studio.`);

  // ---- Assemble ---------------------------------------------------------------
  L.push('<?xml version="1.0" encoding="ISO-8859-1"?>');
  L.push(`<!-- Exported by spinefea${loadCase.name ? ` (load case ${esc(loadCase.name).replace(/--/g, '- -')})` : ''}. Units: mm, N, MPa (consistent in FEBio, no conversion). -->`);
  L.push('<febio_spec version="4.0">');
  L.push('  <Module type="solid"/>');
  L.push(
    '  <Control>',
    '    <analysis>STATIC</analysis>',
    '    <time_steps>1</time_steps>',
    '    <step_size>1</step_size>',
    '    <solver type="solid">',
    '      <symmetric_stiffness>symmetric</symmetric_stiffness>',
    '    </solver>',
    '  </Control>',
  );
  L.push('  <Material>', ...materialLines, '  </Material>');
  L.push('  <Mesh>', ...meshLines, ...setLines, '  </Mesh>');
  L.push('  <MeshDomains>', ...domains.map((d) => `    <SolidDomain name="${esc(d.part)}" mat="${esc(d.mat)}"/>`), '  </MeshDomains>');
  if (meshData.length) L.push('  <MeshData>', ...meshData, '  </MeshData>');
  if (bc.length) L.push('  <Boundary>', ...bc, '  </Boundary>');
  if (rigid.length) L.push('  <Rigid>', ...rigid, '  </Rigid>');
  if (loads.length) L.push('  <Loads>', ...loads, '  </Loads>');
  if (discrete.length) L.push('  <Discrete>', ...discrete, '  </Discrete>');
  for (const w of warnings) L.push(`  <!-- NOT EXPORTED: ${esc(w).replace(/--/g, '- -')} -->`);
  L.push(
    '  <LoadData>',
    '    <load_controller id="1" name="ramp" type="loadcurve">',
    '      <interpolate>LINEAR</interpolate>',
    '      <points>',
    '        <pt>0,0</pt>',
    '        <pt>1,1</pt>',
    '      </points>',
    '    </load_controller>',
    '  </LoadData>',
  );
  L.push(
    '  <Output>',
    '    <plotfile type="febio">',
    '      <var type="displacement"/>',
    '      <var type="stress"/>',
    '      <var type="reaction forces"/>',
    '    </plotfile>',
    '  </Output>',
  );
  L.push('</febio_spec>', '');
  return { xml: L.join('\n'), warnings };
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
