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
import { DimensionMismatchError, InvalidArgumentError, InvalidBoundaryConditionError, NonFiniteInputError } from '../errors.js';
import { validateMaterial, type Material } from '../fem/material.js';
import { assembleLoadVector, distributeReferenceLoad } from '../model/loads.js';
import { GROUND, type FeModel, type LoadCase, type NodeSelection } from '../model/model.js';
import { resolveFaces, resolveNodes } from '../model/selection.js';
import { exportContext, transverseBasis, uniqueNamer } from './export-common.js';

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

function selectionKey(sel: NodeSelection): string | null {
  return typeof sel === 'string' ? sel : null;
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
  const { mesh, info, family, npc, nNodes, nCells, layout } = exportContext(model, 'calculix export');
  const name = makeNamer();
  const out: string[] = [];
  const title = options.title ?? loadCase.name ?? 'spinefea model';
  out.push('*HEADING', title.replace(/\n/g, ' '));
  out.push('** Exported by spinefea. Units: mm, N, MPa (consistent in CalculiX, no conversion).');
  out.push(`** Elements: ${mesh.cellType} -> ${CCX_ELEMENT[mesh.cellType]}; node i of the mesh is node i+1 here.`);

  // ---- Extra nodes --------------------------------------------------------
  let nextNode = nNodes + 1;
  const extraNodes: { id: number; x: readonly number[]; why: string }[] = [];
  const referenceNodes: Record<string, CalculixReferenceIds> = {};
  const kinematicRefs = new Set<string>();
  for (const c of model.couplings ?? []) if (c.kind === 'kinematic') kinematicRefs.add(c.reference);
  for (const r of model.referenceNodes ?? []) {
    const ids: CalculixReferenceIds = { refNode: nextNode++ };
    extraNodes.push({ id: ids.refNode, x: r.position, why: `reference '${r.name}'` });
    if (kinematicRefs.has(r.name)) {
      ids.rotNode = nextNode++;
      extraNodes.push({ id: ids.rotNode, x: r.position, why: `rotations of reference '${r.name}'` });
    }
    referenceNodes[r.name] = ids;
  }
  const refDofNode = (dof: number): [number, number] => {
    if (dof < layout.solidDofs) return [Math.floor(dof / 3) + 1, (dof % 3) + 1];
    for (const [rname, d0] of layout.referenceDof) {
      if (dof >= d0 && dof < d0 + 6) {
        const ids = referenceNodes[rname];
        const k = dof - d0;
        return k < 3 ? [ids.refNode, k + 1] : [ids.rotNode!, k - 2];
      }
    }
    throw new InvalidBoundaryConditionError(`calculix export: DOF ${dof} is out of range`);
  };

  // Springs: active subset, anchors for springs to ground.
  const springs = model.springs;
  const springRows: { a: number; b: number; k: number }[] = [];
  const anchorNodes: number[] = [];
  if (springs) {
    const m = springs.nodesA.length;
    if (options.springActiveSet && options.springActiveSet.length !== m)
      throw new DimensionMismatchError(`calculix export: springActiveSet has ${options.springActiveSet.length} entries for ${m} springs`);
    for (let i = 0; i < m; i++) {
      if (options.springActiveSet && !options.springActiveSet[i]) continue;
      const a = springs.nodesA[i];
      if (!(a < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${a} out of range`);
      const k = springs.stiffness[i];
      if (!Number.isFinite(k) || k < 0) throw new NonFiniteInputError(`spring ${i}: stiffness ${k} must be finite and ≥ 0`);
      if (k === 0) continue;
      let b: number;
      if (springs.nodesB[i] === GROUND) {
        const d = springs.direction;
        if (!d || d.length < 3 * (i + 1)) throw new InvalidArgumentError(`spring ${i} goes to ground but no direction is given`);
        const l = Math.hypot(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
        if (!(l > 0)) throw new InvalidArgumentError(`spring ${i}: direction has zero length`);
        // SPRINGA takes its axis from the node positions: anchor 1 mm along n, fixed.
        b = nextNode++;
        const xa = [mesh.nodes[3 * a], mesh.nodes[3 * a + 1], mesh.nodes[3 * a + 2]];
        extraNodes.push({ id: b, x: [xa[0] + d[3 * i] / l, xa[1] + d[3 * i + 1] / l, xa[2] + d[3 * i + 2] / l], why: `ground anchor of spring ${i}` });
        anchorNodes.push(b);
      } else {
        if (!(springs.nodesB[i] < nNodes)) throw new DimensionMismatchError(`spring ${i}: node ${springs.nodesB[i]} out of range`);
        b = springs.nodesB[i] + 1;
      }
      springRows.push({ a: a + 1, b, k });
    }
  }
  // Constant terms of linear constraints go through a node fixed at displacement 1.
  // A non-zero constant C of a linear constraint: ccx's *EQUATION is homogeneous,
  // so C multiplies the displacement of an extra node fixed at 1.
  let unitNode = 0;
  if ((model.constraints ?? []).some((c) => (c.constant ?? 0) !== 0)) {
    unitNode = nextNode++;
    extraNodes.push({ id: unitNode, x: [0, 0, 0], why: 'unit node for constraint constants (fixed at u = (1, 0, 0))' });
  }

  // ---- Nodes and elements -------------------------------------------------
  out.push('*NODE, NSET=NALL');
  for (let i = 0; i < nNodes; i++) out.push(`${i + 1}, ${num(mesh.nodes[3 * i])}, ${num(mesh.nodes[3 * i + 1])}, ${num(mesh.nodes[3 * i + 2])}`);
  if (extraNodes.length) {
    out.push('** extra nodes: ' + extraNodes.map((e) => `${e.id} = ${e.why}`).join('; '));
    out.push('*NODE, NSET=NEXTRA');
    for (const e of extraNodes) out.push(`${e.id}, ${num(e.x[0])}, ${num(e.x[1])}, ${num(e.x[2])}`);
  }
  const byMaterial = new Map<number, number[]>();
  for (let c = 0; c < nCells; c++) {
    const id = mesh.materialIds[c];
    if (!(id < model.materials.length))
      throw new DimensionMismatchError(`calculix export: cell ${c} uses material id ${id} but only ${model.materials.length} materials are given`);
    let l = byMaterial.get(id);
    if (!l) byMaterial.set(id, (l = []));
    l.push(c);
  }
  const materialSet = new Map<number, string>();
  for (const [id, cells] of [...byMaterial].sort((p, q) => p[0] - q[0])) {
    const label = mesh.regionNames?.[id] ?? model.materials[id].name;
    const set = name(label ? `M${id}_${label}` : `M${id}`);
    materialSet.set(id, set);
    out.push(`*ELEMENT, TYPE=${CCX_ELEMENT[mesh.cellType]}, ELSET=${set}`);
    for (const c of cells) {
      const row = [String(c + 1)];
      for (let a = 0; a < npc; a++) row.push(String(mesh.cells[c * npc + a] + 1));
      out.push(row.join(', '));
    }
  }
  out.push('*ELSET, ELSET=EALL');
  out.push([...materialSet.values()].join(', '));

  // Springs grouped by stiffness (one *SPRING card per distinct k).
  const firstSpringElement = nCells + 1;
  if (springRows.length) {
    const groups = new Map<number, { a: number; b: number; e: number }[]>();
    springRows.forEach((s, j) => {
      let g = groups.get(s.k);
      if (!g) groups.set(s.k, (g = []));
      g.push({ a: s.a, b: s.b, e: firstSpringElement + j });
    });
    let gi = 0;
    for (const [k, rows] of groups) {
      const set = name(`SPRINGS_${gi++}`);
      out.push(`*ELEMENT, TYPE=SPRINGA, ELSET=${set}`);
      for (const r of rows) out.push(`${r.e}, ${r.a}, ${r.b}`);
      // Linear SPRINGA: the line after the keyword is empty (no DOFs), then the stiffness (N/mm).
      out.push(`*SPRING, ELSET=${set}`, '', num(k));
    }
  }

  // ---- Materials and sections ---------------------------------------------
  for (const [id, set] of materialSet) {
    const m = model.materials[id];
    validateMaterial(m, id);
    const mname = name(`MAT${id}`);
    let orientation = '';
    if (m.kind === 'transversely-isotropic') {
      orientation = name(`OR${id}`);
      const { e1, e2 } = transverseBasis(m.axis);
      // *ORIENTATION: local x along point a, local y in the plane of a and b → local z = axis.
      out.push(`*ORIENTATION, NAME=${orientation}, SYSTEM=RECTANGULAR`, [...e1, ...e2].map(num).join(', '));
    }
    out.push(...materialCards(m, mname));
    const axes = model.materialAxes;
    const perCell = m.kind === 'transversely-isotropic' && axes ? (byMaterial.get(id) ?? []).filter((c) => axes[3 * c] !== 0 || axes[3 * c + 1] !== 0 || axes[3 * c + 2] !== 0) : [];
    if (perCell.length === 0) {
      out.push(`*SOLID SECTION, ELSET=${set}, MATERIAL=${mname}${orientation ? `, ORIENTATION=${orientation}` : ''}`);
      continue;
    }
    // Per-cell material axes (e.g. annulus fibres): one orientation and section per such cell;
    // the material's own axis for the others.
    const own = new Set(perCell);
    const rest = (byMaterial.get(id) ?? []).filter((c) => !own.has(c));
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

  // ---- Node sets -----------------------------------------------------------
  const nsetCache = new Map<string, string>();
  const nset = (sel: NodeSelection, what: string): string => {
    const key = selectionKey(sel);
    if (key !== null && nsetCache.has(key)) return nsetCache.get(key)!;
    const nodes = resolveNodes(mesh, sel, what);
    const set = name(key ?? what);
    out.push(`*NSET, NSET=${set}`, listLines(Array.from(nodes, (n) => n + 1)));
    if (key !== null) nsetCache.set(key, set);
    return set;
  };

  // ---- Kinematic couplings → rigid bodies ----------------------------------
  const rigidNodes = new Map<string, Set<number>>();
  for (const [i, c] of (model.couplings ?? []).entries()) {
    if (c.kind !== 'kinematic') continue;
    const nodes = resolveNodes(mesh, c.nodes, `kinematic coupling ${i} to '${c.reference}'`);
    let s = rigidNodes.get(c.reference);
    if (!s) rigidNodes.set(c.reference, (s = new Set()));
    for (const n of nodes) s.add(n + 1);
  }
  for (const [ref, nodes] of rigidNodes) {
    const set = name(`RIGID_${ref}`);
    out.push(`*NSET, NSET=${set}`, listLines([...nodes].sort((p, q) => p - q)));
    const ids = referenceNodes[ref];
    out.push(`*RIGID BODY, NSET=${set}, REF NODE=${ids.refNode}, ROT NODE=${ids.rotNode}`);
  }

  // ---- Linear constraints → *EQUATION --------------------------------------
  for (const [i, lc] of (model.constraints ?? []).entries()) {
    if (lc.masters.length !== lc.coefficients.length)
      throw new InvalidBoundaryConditionError(`linear constraint ${i}: masters and coefficients differ in length`);
    // u_s − Σ c_k u_k − C·u_unit = 0, with u_unit fixed at 1.
    const terms: [number, number, number][] = [[...refDofNode(lc.slave), 1]];
    for (let k = 0; k < lc.masters.length; k++) {
      const c = lc.coefficients[k];
      if (!Number.isFinite(c)) throw new NonFiniteInputError(`linear constraint ${i}: coefficient ${k} is not finite`);
      if (c !== 0) terms.push([...refDofNode(lc.masters[k]), -c]);
    }
    const C = lc.constant ?? 0;
    if (!Number.isFinite(C)) throw new NonFiniteInputError(`linear constraint ${i}: constant is not finite`);
    if (C !== 0) terms.push([unitNode, 1, -C]);
    out.push(`** linear constraint ${i}`, '*EQUATION', String(terms.length));
    for (let t = 0; t < terms.length; t += 3)
      out.push(terms.slice(t, t + 3).map(([n, d, c]) => `${n}, ${d}, ${num(c)}`).join(', ') + ',');
  }

  // ---- Step (collected apart so the node sets it needs are written before *STEP) ----
  const step: string[] = ['*STEP', '*STATIC'];
  const bcLines: string[] = [];
  for (const [i, bc] of (model.displacementBcs ?? []).entries()) {
    const what = `displacement boundary condition ${i}`;
    const set = nset(bc.nodes, `BC${i}`);
    const comps = bc.components ?? [0, 1, 2];
    comps.forEach((c, k) => {
      if (!(c === 0 || c === 1 || c === 2)) throw new InvalidBoundaryConditionError(`${what}: component ${c} is not a translation (0, 1, 2)`);
      const v = bc.value === undefined ? 0 : typeof bc.value === 'number' ? bc.value : bc.value[k];
      if (v === undefined || !Number.isFinite(v)) throw new NonFiniteInputError(`${what}: prescribed value ${String(v)} is not a finite number`);
      bcLines.push(`${set}, ${c + 1}, ${c + 1}, ${num(v)}`);
    });
  }
  for (const [i, bc] of (model.referenceBcs ?? []).entries()) {
    const what = `reference boundary condition ${i} on '${bc.reference}'`;
    const ids = referenceNodes[bc.reference];
    if (!ids || ids.rotNode === undefined)
      throw new InvalidBoundaryConditionError(`${what}: the reference node has no DOFs (it is not in a kinematic coupling)`);
    bc.components.forEach((c, k) => {
      const v = bc.value === undefined ? 0 : typeof bc.value === 'number' ? bc.value : bc.value[k];
      if (v === undefined || !Number.isFinite(v)) throw new NonFiniteInputError(`${what}: prescribed value ${String(v)} is not a finite number`);
      const node = c < 3 ? ids.refNode : ids.rotNode!;
      const dof = c < 3 ? c + 1 : c - 2;
      bcLines.push(`${node}, ${dof}, ${dof}, ${num(v)}`);
    });
  }
  for (const n of anchorNodes) bcLines.push(`${n}, 1, 3, 0.`);
  if (unitNode) bcLines.push(`${unitNode}, 1, 1, 1.`, `${unitNode}, 2, 3, 0.`);
  // Reference nodes that carry nothing (no kinematic coupling) are fixed so ccx sees no free, stiffness-less DOFs.
  for (const ids of Object.values(referenceNodes)) if (ids.rotNode === undefined) bcLines.push(`${ids.refNode}, 1, 3, 0.`);
  if (bcLines.length) step.push('*BOUNDARY', ...bcLines);

  // Nodal loads: explicit forces, tractions, body forces, distributing-coupling loads.
  const label = loadCase.name ? `load case '${loadCase.name}'` : 'load case';
  // Nodal forces, tractions and body forces become the same consistent nodal forces our
  // solver applies (ccx has no uniform traction load; no density needed for body forces).
  const f = assembleLoadVector(model, family, layout, {
    name: loadCase.name,
    nodalForces: loadCase.nodalForces,
    tractions: loadCase.tractions,
    bodyForces: loadCase.bodyForces,
  }).subarray(0, 3 * nNodes);
  const refLoadLines: string[] = [];
  for (const [i, rl] of (loadCase.referenceLoads ?? []).entries()) {
    const what = `${label}, reference load ${i} on '${rl.reference}'`;
    const F = rl.force ?? [0, 0, 0];
    const M = rl.moment ?? [0, 0, 0];
    if (![...F, ...M].every(Number.isFinite)) throw new NonFiniteInputError(`${what}: force or moment is not finite`);
    const ids = referenceNodes[rl.reference];
    if (ids?.rotNode !== undefined) {
      for (let k = 0; k < 3; k++) {
        if (F[k] !== 0) refLoadLines.push(`${ids.refNode}, ${k + 1}, ${num(F[k])}`);
        if (M[k] !== 0) refLoadLines.push(`${ids.rotNode}, ${k + 1}, ${num(M[k])}`);
      }
      continue;
    }
    const cp = (model.couplings ?? []).find((c) => c.reference === rl.reference && c.kind === 'distributing');
    if (!cp) throw new InvalidBoundaryConditionError(`${what}: no coupling uses this reference node, so the load has nowhere to go`);
    const nodes = resolveNodes(mesh, cp.nodes, what);
    const pos = layout.referencePosition.get(rl.reference)!;
    distributeReferenceLoad(mesh, nodes, cp.weights, pos, F, M, f, what);
  }
  const cload: string[] = [];
  for (let n = 0; n < nNodes; n++) for (let d = 0; d < 3; d++) if (f[3 * n + d] !== 0) cload.push(`${n + 1}, ${d + 1}, ${num(f[3 * n + d])}`);
  if (cload.length || refLoadLines.length) {
    step.push('** nodal forces: explicit forces + consistent nodal forces of tractions, body forces and distributing-coupling loads (N)');
    step.push('*CLOAD', ...cload, ...refLoadLines);
  }
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
  if (dload.length) step.push('** pressures (MPa, positive into the body); face f of CELL_INFO is P(f+1)', '*DLOAD', ...dload);

  step.push('*NODE FILE', 'U, RF', '*EL FILE', 'S, E');
  step.push('*NODE PRINT, NSET=NALL', 'U', '*NODE PRINT, NSET=NALL, TOTALS=YES', 'RF');
  if (extraNodes.length) step.push('*NODE PRINT, NSET=NEXTRA', 'U', '*NODE PRINT, NSET=NEXTRA', 'RF');
  step.push('*END STEP');
  out.push(...step, '');
  return { inp: out.join('\n'), firstExtraNode: nNodes + 1, referenceNodes, firstSpringElement };
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
