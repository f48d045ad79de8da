/**
 * Export of a model + load case to an Abaqus/CalculiX input deck (`.inp`) and
 * readers for CalculiX's `.dat` (`*NODE PRINT`) and `.frd` results.
 *
 * Units: mm, N, MPa (t/mm³ for densities). CalculiX has no built-in units, so
 * the deck is consistent as written and no conversion is applied.
 *
 * Element mapping (node orders are identical, our `CELL_INFO` = VTK = Abaqus
 * for these types, so connectivity is copied as is, 1-based):
 * - hex8  → C3D8, fully integrated 2×2×2 Gauss. Our hex8 is B-bar (mean
 *   dilatation); ccx's C3D8 is not, so results agree exactly only for
 *   constant-strain states. In bending C3D8 is stiffer (more so as ν → 0.5).
 * - tet4  → C3D4 (same constant-strain element: agreement to solver precision).
 * - tet10 → C3D10 (same quadratic element; corner nodes 1–4, then the
 *   mid-side nodes of edges 12, 23, 31, 14, 24, 34 — our order).
 *
 * Face numbering: our `CELL_INFO[cellType].faces[f]` is Abaqus face S(f+1)
 * for all three types (hex8: S1 = 1-2-3-4, S2 = 5-8-7-6, S3 = 1-5-6-2,
 * S4 = 2-6-7-3, S5 = 3-7-8-4, S6 = 4-8-5-1; tets: S1 = 1-2-3, S2 = 1-4-2,
 * S3 = 2-4-3, S4 = 3-4-1), so a pressure on face f is `*DLOAD elem, P(f+1), p`.
 */
import { InvalidBoundaryConditionError, NonFiniteInputError } from '../errors.js';
import type { Material } from '../fem/material.js';
import type { FeModel, LoadCase } from '../model/model.js';
import { resolveFaces } from '../model/selection.js';
import { transverseBasis, uniqueNamer } from './export-common.js';
import { exportPlan, type ExportPlan } from './export-plan.js';

const CCX_ELEMENT: Record<string, string> = { hex8: 'C3D8', tet4: 'C3D4', tet10: 'C3D10' };

/** Options of {@link toCalculixInp} / {@link calculixExport}. */
export interface CalculixExportOptions {
  /** Heading line (default: the load case name or "spinefea model"). */
  title?: string;
  /**
   * Which springs are active (1) — e.g. `StaticSolution.springActive` after
   * the tension-only active-set iteration. Inactive springs are left out;
   * the rest are exported as linear springs. Default: all active.
   */
  springActiveSet?: Uint8Array;
}

/** CalculiX node numbers of one reference node (1-based). */
export interface CalculixReferenceIds {
  /** Node carrying the translations (kinematic coupling: `REF NODE`). */
  refNode: number;
  /** Node whose translational DOFs 1–3 are the rotations θx, θy, θz (kinematic coupling: `ROT NODE`); absent otherwise. */
  rotNode?: number;
}

/** The deck and how our entities map onto its numbering. */
export interface CalculixExport {
  /** The complete `.inp` text. */
  inp: string;
  /** Mesh node i is CalculiX node i + 1; extra nodes (references, anchors) follow from this number on. */
  firstExtraNode: number;
  /** CalculiX node numbers of each reference node (by name). */
  referenceNodes: Record<string, CalculixReferenceIds>;
  /** Mesh cell c is CalculiX element c + 1; springs follow from this number on. */
  firstSpringElement: number;
}

/** Number formatting that ccx reads: it parses reals from the first 20 characters of a field, so 13 significant digits. */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new NonFiniteInputError(`calculix export: value ${v} is not finite`);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return `${v}.`;
  return v.toExponential(12);
}

/** A set name ccx accepts: letters, digits and underscores, at most 80 characters, unique. */
const makeNamer = (): ((base: string) => string) =>
  uniqueNamer((base) => {
    // Abaqus/ccx names: letters, digits, underscore; start with a letter; ≤ 80 characters
    const s = base.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
    return (/^[A-Z]/.test(s) ? s : `S_${s}`).slice(0, 70);
  });

function listLines(ids: ArrayLike<number>, perLine = 10): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += perLine) {
    const row: string[] = [];
    for (let j = i; j < Math.min(i + perLine, ids.length); j++) row.push(String(ids[j]));
    out.push(row.join(', ') + ',');
  }
  return out.join('\n');
}


function materialCards(m: Material, name: string): string[] {
  const lines = [`*MATERIAL, NAME=${name}`];
  if (m.kind === 'isotropic') {
    lines.push('*ELASTIC, TYPE=ISO', `${num(m.E)}, ${num(m.nu)}`);
    return lines;
  }
  // Abaqus engineering constants: ν_ij is the contraction in j from stress in i
  // (ε_j = −ν_ij σ_i / E_i), so with local 3 = axis: ν12 = νP, ν13 = ν23 = νPz,
  // G12 = Ep/(2(1+νP)), G13 = G23 = Gz.
  const Gp = m.Ep / (2 * (1 + m.nuP));
  lines.push(
    '*ELASTIC, TYPE=ENGINEERING CONSTANTS',
    `${num(m.Ep)}, ${num(m.Ep)}, ${num(m.Ez)}, ${num(m.nuP)}, ${num(m.nuPz)}, ${num(m.nuPz)}, ${num(Gp)}, ${num(m.Gz)},`,
    `${num(m.Gz)}, 0.`,
  );
  return lines;
}

/**
 * Export a model and one load case to a CalculiX/Abaqus static analysis deck,
 * returning the text and the numbering of extra nodes.
 *
 * What is written:
 * - `*NODE` (mesh nodes 1…N, then reference, rotation and anchor nodes),
 *   `*ELEMENT` per material id (`ELSET=M<id>`), `*MATERIAL`/`*ELASTIC`
 *   (ISO, or ENGINEERING CONSTANTS with an `*ORIENTATION` whose local 3 is the
 *   material axis), `*SOLID SECTION`.
 * - Kinematic couplings: `*RIGID BODY, NSET, REF NODE, ROT NODE` (ccx carries
 *   a rigid body's rotations as the translations of a second node). Several
 *   couplings to one reference share one rigid body.
 * - Distributing couplings: their reference loads are written as the
 *   equivalent nodal forces our solver uses ({@link distributeReferenceLoad},
 *   RBE3 weighting), so the deck loads the surface exactly as spinefea does.
 * - Linear constraints: `*EQUATION` (dependent DOF first, coefficient 1); a
 *   non-zero constant goes through an extra node fixed at displacement 1.
 * - Springs: `SPRINGA` elements grouped by stiffness; a spring to ground runs
 *   to an extra fully fixed node 1 mm along its direction. Tension-only
 *   springs are exported linear, with `options.springActiveSet` choosing which.
 * - Loads: nodal forces, tractions (consistent nodal forces from our element
 *   kernels — ccx has no uniform-traction `*DLOAD`), body forces (consistent
 *   nodal forces, so no density is needed) and reference forces/moments as
 *   `*CLOAD`; pressures as `*DLOAD elem, P<face>`.
 * - Output: `*NODE FILE` U, RF; `*EL FILE` S, E; `*NODE PRINT` U and RF for all nodes.
 *
 * @throws InvalidBoundaryConditionError / NonFiniteInputError for the same bad
 *   input `solveStatic` rejects (unknown sets, references, non-finite values).
 * @example
 * ```ts
 * const { inp, referenceNodes } = calculixExport(model, loadCase);
 * writeFileSync('job.inp', inp); // then: ccx -i job
 * ```
 */
export function calculixExport(model: FeModel, loadCase: LoadCase, options: CalculixExportOptions = {}): CalculixExport {
  const plan = exportPlan(model, loadCase, { springActiveSet: options.springActiveSet, tractionsAsNodalForces: true, what: 'calculix export' });
  const w: DeckWriter = { plan, out: [], name: makeNamer(), ...numbering(plan) };
  const title = options.title ?? loadCase.name ?? 'spinefea model';
  w.out.push('*HEADING', title.replace(/\n/g, ' '));
  w.out.push('** Exported by spinefea. Units: mm, N, MPa (consistent in CalculiX, no conversion).');
  w.out.push(`** Elements: ${plan.mesh.cellType} -> ${CCX_ELEMENT[plan.mesh.cellType]}; node i of the mesh is node i+1 here.`);
  const materialSet = writeNodesAndElements(w);
  const firstSpringElement = plan.nCells + 1;
  writeSprings(w, firstSpringElement);
  writeMaterials(w, materialSet);
  writeRigidBodies(w);
  writeEquations(w);
  w.out.push(...stepCards(w), '');
  return { inp: w.out.join('\n'), firstExtraNode: plan.nNodes + 1, referenceNodes: w.referenceNodes, firstSpringElement };
}

/** The deck being written: the plan, the output lines, the set namer and the extra nodes' numbers. */
interface DeckWriter extends Numbering {
  plan: ExportPlan;
  out: string[];
  name: (base: string) => string;
}

/** CalculiX numbers of the nodes the mesh does not have: references, spring anchors, the unit node. */
interface Numbering {
  extraNodes: { id: number; x: readonly number[]; why: string }[];
  referenceNodes: Record<string, CalculixReferenceIds>;
  /** Node id of each ground anchor of the plan. */
  anchorIds: number[];
  /** Node fixed at u = (1, 0, 0) that carries constraint constants (0: none). */
  unitNode: number;
}

function numbering(plan: ExportPlan): Numbering {
  let nextNode = plan.nNodes + 1;
  const extraNodes: Numbering['extraNodes'] = [];
  const referenceNodes: Record<string, CalculixReferenceIds> = {};
  for (const r of plan.model.referenceNodes ?? []) {
    const ids: CalculixReferenceIds = { refNode: nextNode++ };
    extraNodes.push({ id: ids.refNode, x: r.position, why: `reference '${r.name}'` });
    if (plan.rigidBodies.has(r.name)) {
      ids.rotNode = nextNode++;
      extraNodes.push({ id: ids.rotNode, x: r.position, why: `rotations of reference '${r.name}'` });
    }
    referenceNodes[r.name] = ids;
  }
  const anchorIds = plan.anchors.map(({ spring, position }) => {
    const id = nextNode++;
    extraNodes.push({ id, x: position, why: `ground anchor of spring ${spring}` });
    return id;
  });
  // A non-zero constant C of a linear constraint: ccx's *EQUATION is homogeneous,
  // so C multiplies the displacement of an extra node fixed at 1.
  let unitNode = 0;
  if ((plan.model.constraints ?? []).some((c) => (c.constant ?? 0) !== 0)) {
    unitNode = nextNode++;
    extraNodes.push({ id: unitNode, x: [0, 0, 0], why: 'unit node for constraint constants (fixed at u = (1, 0, 0))' });
  }
  return { extraNodes, referenceNodes, anchorIds, unitNode };
}

function writeNodesAndElements(w: DeckWriter): Map<number, string> {
  const { plan, out, name } = w;
  const { mesh, nNodes, npc } = plan;
  out.push('*NODE, NSET=NALL');
  for (let i = 0; i < nNodes; i++) out.push(`${i + 1}, ${num(mesh.nodes[3 * i])}, ${num(mesh.nodes[3 * i + 1])}, ${num(mesh.nodes[3 * i + 2])}`);
  if (w.extraNodes.length) {
    out.push('** extra nodes: ' + w.extraNodes.map((e) => `${e.id} = ${e.why}`).join('; '));
    out.push('*NODE, NSET=NEXTRA');
    for (const e of w.extraNodes) out.push(`${e.id}, ${num(e.x[0])}, ${num(e.x[1])}, ${num(e.x[2])}`);
  }
  const materialSet = new Map<number, string>();
  for (const g of plan.materials) {
    const set = name(g.label ? `M${g.id}_${g.label}` : `M${g.id}`);
    materialSet.set(g.id, set);
    out.push(`*ELEMENT, TYPE=${CCX_ELEMENT[mesh.cellType]}, ELSET=${set}`);
    for (const c of g.cells) {
      const row = [String(c + 1)];
      for (let a = 0; a < npc; a++) row.push(String(mesh.cells[c * npc + a] + 1));
      out.push(row.join(', '));
    }
  }
  out.push('*ELSET, ELSET=EALL');
  out.push([...materialSet.values()].join(', '));
  return materialSet;
}

/** Springs as SPRINGA elements, grouped by stiffness (one *SPRING card per distinct k). */
function writeSprings(w: DeckWriter, firstSpringElement: number): void {
  const groups = new Map<number, { a: number; b: number; e: number }[]>();
  w.plan.springs.forEach((s, j) => {
    let g = groups.get(s.k);
    if (!g) groups.set(s.k, (g = []));
    g.push({ a: s.a + 1, b: s.anchor >= 0 ? w.anchorIds[s.anchor] : s.b + 1, e: firstSpringElement + j });
  });
  let gi = 0;
  for (const [k, rows] of groups) {
    const set = w.name(`SPRINGS_${gi++}`);
    w.out.push(`*ELEMENT, TYPE=SPRINGA, ELSET=${set}`);
    for (const r of rows) w.out.push(`${r.e}, ${r.a}, ${r.b}`);
    // Linear SPRINGA: the line after the keyword is empty (no DOFs), then the stiffness (N/mm).
    w.out.push(`*SPRING, ELSET=${set}`, '', num(k));
  }
}

/** *MATERIAL, *ORIENTATION and *SOLID SECTION cards; per-cell material axes get a section per cell. */
function writeMaterials(w: DeckWriter, materialSet: Map<number, string>): void {
  const { out, name } = w;
  const axes = w.plan.model.materialAxes;
  for (const { id, material: m, cells } of w.plan.materials) {
    const set = materialSet.get(id)!;
    const mname = name(`MAT${id}`);
    let orientation = '';
    if (m.kind === 'transversely-isotropic') {
      orientation = name(`OR${id}`);
      const { e1, e2 } = transverseBasis(m.axis);
      // *ORIENTATION: local x along point a, local y in the plane of a and b → local z = axis.
      out.push(`*ORIENTATION, NAME=${orientation}, SYSTEM=RECTANGULAR`, [...e1, ...e2].map(num).join(', '));
    }
    out.push(...materialCards(m, mname));
    const perCell = m.kind === 'transversely-isotropic' && axes ? cells.filter((c) => axes[3 * c] !== 0 || axes[3 * c + 1] !== 0 || axes[3 * c + 2] !== 0) : [];
    if (perCell.length === 0) {
      out.push(`*SOLID SECTION, ELSET=${set}, MATERIAL=${mname}${orientation ? `, ORIENTATION=${orientation}` : ''}`);
      continue;
    }
    // Per-cell material axes (e.g. annulus fibres): one orientation and section per such cell;
    // the material's own axis for the others.
    const own = new Set(perCell);
    const rest = cells.filter((c) => !own.has(c));
    if (rest.length) {
      const rset = name(`${set}_AXIS`);
      out.push(`*ELSET, ELSET=${rset}`, listLines(rest.map((c) => c + 1)));
      out.push(`*SOLID SECTION, ELSET=${rset}, MATERIAL=${mname}, ORIENTATION=${orientation}`);
    }
    for (const c of perCell) {
      const { e1, e2 } = transverseBasis([axes![3 * c], axes![3 * c + 1], axes![3 * c + 2]]);
      const oc = name(`OR${id}_E${c + 1}`);
      const ec = name(`E${c + 1}`);
      out.push(`*ORIENTATION, NAME=${oc}, SYSTEM=RECTANGULAR`, [...e1, ...e2].map(num).join(', '));
      out.push(`*ELSET, ELSET=${ec}`, String(c + 1));
      out.push(`*SOLID SECTION, ELSET=${ec}, MATERIAL=${mname}, ORIENTATION=${oc}`);
    }
  }
}

/** Kinematic couplings → *RIGID BODY (ccx carries the rotations as the translations of ROT NODE). */
function writeRigidBodies(w: DeckWriter): void {
  for (const [ref, nodes] of w.plan.rigidBodies) {
    const set = w.name(`RIGID_${ref}`);
    w.out.push(`*NSET, NSET=${set}`, listLines(nodes.map((n) => n + 1)));
    const ids = w.referenceNodes[ref];
    w.out.push(`*RIGID BODY, NSET=${set}, REF NODE=${ids.refNode}, ROT NODE=${ids.rotNode}`);
  }
}

/** Linear constraints → *EQUATION: u_s − Σ c_k u_k − C·u_unit = 0, with u_unit fixed at 1. */
function writeEquations(w: DeckWriter): void {
  const { layout } = w.plan;
  const refDofNode = (dof: number): [number, number] => {
    if (dof < layout.solidDofs) return [Math.floor(dof / 3) + 1, (dof % 3) + 1];
    for (const [rname, d0] of layout.referenceDof) {
      if (dof >= d0 && dof < d0 + 6) {
        const ids = w.referenceNodes[rname];
        const k = dof - d0;
        return k < 3 ? [ids.refNode, k + 1] : [ids.rotNode!, k - 2];
      }
    }
    throw new InvalidBoundaryConditionError(`calculix export: DOF ${dof} is out of range`);
  };
  for (const [i, lc] of (w.plan.model.constraints ?? []).entries()) {
    if (lc.masters.length !== lc.coefficients.length)
      throw new InvalidBoundaryConditionError(`linear constraint ${i}: masters and coefficients differ in length`);
    const terms: [number, number, number][] = [[...refDofNode(lc.slave), 1]];
    for (let k = 0; k < lc.masters.length; k++) {
      const c = lc.coefficients[k];
      if (!Number.isFinite(c)) throw new NonFiniteInputError(`linear constraint ${i}: coefficient ${k} is not finite`);
      if (c !== 0) terms.push([...refDofNode(lc.masters[k]), -c]);
    }
    const C = lc.constant ?? 0;
    if (!Number.isFinite(C)) throw new NonFiniteInputError(`linear constraint ${i}: constant is not finite`);
    if (C !== 0) terms.push([w.unitNode, 1, -C]);
    w.out.push(`** linear constraint ${i}`, '*EQUATION', String(terms.length));
    for (let t = 0; t < terms.length; t += 3)
      w.out.push(terms.slice(t, t + 3).map(([n, d, c]) => `${n}, ${d}, ${num(c)}`).join(', ') + ',');
  }
}

/** The *STEP (collected apart so the node sets it needs are written before it). */
function stepCards(w: DeckWriter): string[] {
  const step: string[] = ['*STEP', '*STATIC'];
  const bcLines = boundaryLines(w);
  if (bcLines.length) step.push('*BOUNDARY', ...bcLines);
  step.push(...loadCards(w));
  step.push('*NODE FILE', 'U, RF', '*EL FILE', 'S, E');
  step.push('*NODE PRINT, NSET=NALL', 'U', '*NODE PRINT, NSET=NALL, TOTALS=YES', 'RF');
  if (w.extraNodes.length) step.push('*NODE PRINT, NSET=NEXTRA', 'U', '*NODE PRINT, NSET=NEXTRA', 'RF');
  step.push('*END STEP');
  return step;
}

/** *BOUNDARY lines; the node sets of displacement BCs are written to the deck as met (named mesh sets once). */
function boundaryLines(w: DeckWriter): string[] {
  const nsetCache = new Map<string, string>();
  const bcLines: string[] = [];
  for (const bc of w.plan.displacementBcs) {
    let set = bc.nodes.key !== null ? nsetCache.get(bc.nodes.key) : undefined;
    if (set === undefined) {
      set = w.name(bc.nodes.key ?? `BC${bc.index}`);
      w.out.push(`*NSET, NSET=${set}`, listLines(Array.from(bc.nodes.nodes, (n) => n + 1)));
      if (bc.nodes.key !== null) nsetCache.set(bc.nodes.key, set);
    }
    for (const { component: c, value } of bc.values) bcLines.push(`${set}, ${c + 1}, ${c + 1}, ${num(value)}`);
  }
  for (const bc of w.plan.referenceBcs) {
    const ids = w.referenceNodes[bc.reference];
    for (const { component: c, value } of bc.values) {
      const node = c < 3 ? ids.refNode : ids.rotNode!;
      const dof = c < 3 ? c + 1 : c - 2;
      bcLines.push(`${node}, ${dof}, ${dof}, ${num(value)}`);
    }
  }
  for (const n of w.anchorIds) bcLines.push(`${n}, 1, 3, 0.`);
  if (w.unitNode) bcLines.push(`${w.unitNode}, 1, 1, 1.`, `${w.unitNode}, 2, 3, 0.`);
  // Reference nodes that carry nothing (no kinematic coupling) are fixed so ccx sees no free, stiffness-less DOFs.
  for (const ids of Object.values(w.referenceNodes)) if (ids.rotNode === undefined) bcLines.push(`${ids.refNode}, 1, 3, 0.`);
  return bcLines;
}

/** *CLOAD (nodal forces of the plan, reference loads on the rigid bodies) and *DLOAD (pressures). */
function loadCards(w: DeckWriter): string[] {
  const { plan } = w;
  const { mesh, info, nNodes, nCells, loadCase } = plan;
  const f = plan.nodalForces;
  const refLoadLines: string[] = [];
  for (const rl of plan.rigidLoads) {
    const ids = w.referenceNodes[rl.reference];
    for (let k = 0; k < 3; k++) {
      if (rl.force[k] !== 0) refLoadLines.push(`${ids.refNode}, ${k + 1}, ${num(rl.force[k])}`);
      if (rl.moment[k] !== 0) refLoadLines.push(`${ids.rotNode}, ${k + 1}, ${num(rl.moment[k])}`);
    }
  }
  const cards: string[] = [];
  const cload: string[] = [];
  for (let n = 0; n < nNodes; n++) for (let d = 0; d < 3; d++) if (f[3 * n + d] !== 0) cload.push(`${n + 1}, ${d + 1}, ${num(f[3 * n + d])}`);
  if (cload.length || refLoadLines.length) {
    cards.push('** nodal forces: explicit forces + consistent nodal forces of tractions, body forces and distributing-coupling loads (N)');
    cards.push('*CLOAD', ...cload, ...refLoadLines);
  }
  const label = loadCase.name ? `load case '${loadCase.name}'` : 'load case';
  const dload: string[] = [];
  for (const [i, pr] of (loadCase.pressures ?? []).entries()) {
    const what = `${label}, pressure ${i}`;
    if (!Number.isFinite(pr.pressure)) throw new NonFiniteInputError(`${what}: pressure ${pr.pressure} is not finite`);
    const fs = resolveFaces(mesh, pr.faces, what);
    for (let k = 0; k < fs.cells.length; k++) {
      if (!info.faces[fs.faces[k]]) throw new InvalidBoundaryConditionError(`${what}: face number ${fs.faces[k]} invalid for ${mesh.cellType}`);
      if (!(fs.cells[k] < nCells)) throw new InvalidBoundaryConditionError(`${what}: cell ${fs.cells[k]} out of range`);
      dload.push(`${fs.cells[k] + 1}, P${fs.faces[k] + 1}, ${num(pr.pressure)}`);
    }
  }
  if (dload.length) cards.push('** pressures (MPa, positive into the body); face f of CELL_INFO is P(f+1)', '*DLOAD', ...dload);
  return cards;
}

/**
 * Export a model and one load case to a CalculiX/Abaqus `.inp` static
 * analysis (see {@link calculixExport} for what is written and how).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('job.inp', toCalculixInp(model, { pressures: [{ faces: 'zmax', pressure: 1 }] }));
 * // OMP_NUM_THREADS=1 ccx -i job   → job.dat, job.frd
 * ```
 */
export function toCalculixInp(model: FeModel, loadCase: LoadCase, options: CalculixExportOptions = {}): string {
  return calculixExport(model, loadCase, options).inp;
}
