import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import type { Mesh } from '@spinefea/mesh';
import type { CsrMatrix } from '../linalg/types.js';
import { InvalidBoundaryConditionError, NonFiniteInputError, UnconstrainedModelError } from '../errors.js';
import { GROUND, type Component, type FeModel } from './model.js';
import { resolveNodes } from './selection.js';

const COMPONENT_NAMES = ['x', 'y', 'z', 'θx', 'θy', 'θz'];

/**
 * The DOF layout of a model: `3·nodes` solid DOFs (node-major xyz), then six
 * DOFs (ux, uy, uz, θx, θy, θz) per reference node that takes part in a
 * kinematic coupling.
 */
export interface DofLayout {
  solidDofs: number;
  totalDofs: number;
  /** Reference node name → first DOF index (only kinematically coupled references have DOFs). */
  referenceDof: Map<string, number>;
  /** Reference node name → position (mm). */
  referencePosition: Map<string, readonly [number, number, number]>;
}

/**
 * All constraints of a model as one affine map from the free DOFs û to the
 * full DOF vector: `u = T·û + g`. Solving `Tᵀ K T û = Tᵀ (f − K g)` keeps the
 * reduced matrix symmetric positive definite, so CG applies unchanged
 * (symmetric elimination of Dirichlet, coupling and multi-point constraints).
 */
export interface ConstraintTransform {
  layout: DofLayout;
  /** Number of free (independent) DOFs. */
  freeDofs: number;
  /** T as CSR, `totalDofs × freeDofs`. A free DOF's row holds a single 1. */
  T: CsrMatrix;
  /** Tᵀ as CSR, `freeDofs × totalDofs`. */
  Tt: CsrMatrix;
  /** Constant part g (mm / rad), length `totalDofs`. */
  g: Float64Array;
  /** 1 where the DOF is prescribed by a displacement boundary condition (reactions are reported there). */
  prescribed: Uint8Array;
  /** Full DOF index of each free DOF (ascending). */
  freeToFull: Uint32Array;
}

/** Build the DOF layout of a model. */
export function dofLayout(model: FeModel): DofLayout {
  const solidDofs = model.mesh.nodes.length;
  const referenceDof = new Map<string, number>();
  const referencePosition = new Map<string, readonly [number, number, number]>();
  for (const r of model.referenceNodes ?? []) {
    if (referencePosition.has(r.name)) throw new InvalidBoundaryConditionError(`reference node '${r.name}' is defined twice`);
    if (!r.position.every(Number.isFinite)) throw new NonFiniteInputError(`reference node '${r.name}' has a non-finite position`);
    referencePosition.set(r.name, r.position);
  }
  let next = solidDofs;
  for (const c of model.couplings ?? []) {
    if (!referencePosition.has(c.reference))
      throw new InvalidBoundaryConditionError(`coupling refers to unknown reference node '${c.reference}'`);
    if (c.kind === 'kinematic' && !referenceDof.has(c.reference)) {
      referenceDof.set(c.reference, next);
      next += 6;
    }
  }
  return { solidDofs, totalDofs: next, referenceDof, referencePosition };
}

interface DependentDof {
  masters: number[];
  coefficients: number[];
  constant: number;
  origin: string;
}

function valueFor(value: number | readonly number[] | undefined, k: number, what: string): number {
  const v = value === undefined ? 0 : typeof value === 'number' ? value : value[k];
  if (v === undefined || !Number.isFinite(v)) throw new NonFiniteInputError(`${what}: prescribed value ${String(v)} is not a finite number`);
  return v;
}

/**
 * Collect every constraint of the model into a {@link ConstraintTransform}.
 *
 * @throws InvalidBoundaryConditionError for a DOF constrained twice
 *   (e.g. fixed and also a coupling slave), unknown sets or references,
 *   or circular multi-point constraints.
 */
export function buildConstraintTransform(model: FeModel): ConstraintTransform {
  const mesh = model.mesh;
  const layout = dofLayout(model);
  const nTot = layout.totalDofs;
  const dep = new Map<number, DependentDof>();
  const prescribed = new Uint8Array(nTot);
  const add = (dof: number, d: DependentDof): void => {
    const prev = dep.get(dof);
    if (prev) {
      // Two identical prescriptions of the same value are harmless (overlapping node sets).
      if (prev.masters.length === 0 && d.masters.length === 0 && prev.constant === d.constant) return;
      throw new InvalidBoundaryConditionError(`${describeModelDof(layout, dof)} is constrained twice: by ${prev.origin} and by ${d.origin}`);
    }
    dep.set(dof, d);
  };

  for (const [i, bc] of (model.displacementBcs ?? []).entries()) {
    const what = `displacement boundary condition ${i}`;
    const nodes = resolveNodes(mesh, bc.nodes, what);
    const comps = bc.components ?? [0, 1, 2];
    comps.forEach((c, k) => {
      if (!(c === 0 || c === 1 || c === 2)) throw new InvalidBoundaryConditionError(`${what}: component ${c} is not a translation (0, 1, 2)`);
      const v = valueFor(bc.value, k, what);
      for (let j = 0; j < nodes.length; j++) {
        const dof = 3 * nodes[j] + c;
        add(dof, { masters: [], coefficients: [], constant: v, origin: what });
        prescribed[dof] = 1;
      }
    });
  }
  for (const [i, bc] of (model.referenceBcs ?? []).entries()) {
    const what = `reference boundary condition ${i} on '${bc.reference}'`;
    const d0 = layout.referenceDof.get(bc.reference);
    if (d0 === undefined)
      throw new InvalidBoundaryConditionError(`${what}: the reference node has no DOFs (it is not in a kinematic coupling)`);
    bc.components.forEach((c: Component, k) => {
      add(d0 + c, { masters: [], coefficients: [], constant: valueFor(bc.value, k, what), origin: what });
      prescribed[d0 + c] = 1;
    });
  }
  for (const [i, cp] of (model.couplings ?? []).entries()) {
    if (cp.kind !== 'kinematic') continue;
    const what = `kinematic coupling ${i} to '${cp.reference}'`;
    const nodes = resolveNodes(mesh, cp.nodes, what);
    const r0 = layout.referenceDof.get(cp.reference)!;
    const xr = layout.referencePosition.get(cp.reference)!;
    for (let j = 0; j < nodes.length; j++) {
      const p = 3 * nodes[j];
      const dx = mesh.nodes[p] - xr[0];
      const dy = mesh.nodes[p + 1] - xr[1];
      const dz = mesh.nodes[p + 2] - xr[2];
      // u = u_ref + θ × d:  ux = u_rx + θy·dz − θz·dy, uy = u_ry + θz·dx − θx·dz, uz = u_rz + θx·dy − θy·dx
      add(p, { masters: [r0, r0 + 4, r0 + 5], coefficients: [1, dz, -dy], constant: 0, origin: what });
      add(p + 1, { masters: [r0 + 1, r0 + 5, r0 + 3], coefficients: [1, dx, -dz], constant: 0, origin: what });
      add(p + 2, { masters: [r0 + 2, r0 + 3, r0 + 4], coefficients: [1, dy, -dx], constant: 0, origin: what });
    }
  }
  for (const [i, lc] of (model.constraints ?? []).entries()) {
    const what = `linear constraint ${i}`;
    if (lc.masters.length !== lc.coefficients.length) throw new InvalidBoundaryConditionError(`${what}: masters and coefficients differ in length`);
    if (!(lc.slave < nTot)) throw new InvalidBoundaryConditionError(`${what}: slave DOF ${lc.slave} out of range`);
    for (let k = 0; k < lc.masters.length; k++) {
      if (!(lc.masters[k] < nTot)) throw new InvalidBoundaryConditionError(`${what}: master DOF ${lc.masters[k]} out of range`);
      if (!Number.isFinite(lc.coefficients[k])) throw new NonFiniteInputError(`${what}: coefficient ${k} is not finite`);
    }
    add(lc.slave, { masters: Array.from(lc.masters), coefficients: Array.from(lc.coefficients), constant: lc.constant ?? 0, origin: what });
  }

  // Resolve chains (a master that is itself dependent) by substitution, depth-first with cycle detection.
  const state = new Map<number, 0 | 1 | 2>(); // 1 = in progress, 2 = resolved
  const resolve = (dof: number): DependentDof => {
    const d = dep.get(dof)!;
    const s = state.get(dof);
    if (s === 2) return d;
    if (s === 1) throw new InvalidBoundaryConditionError(`circular constraints through ${describeModelDof(layout, dof)} (${d.origin})`);
    state.set(dof, 1);
    const acc = new Map<number, number>();
    let constant = d.constant;
    for (let k = 0; k < d.masters.length; k++) {
      const m = d.masters[k];
      const c = d.coefficients[k];
      if (m === dof) throw new InvalidBoundaryConditionError(`${d.origin}: ${describeModelDof(layout, dof)} depends on itself`);
      if (dep.has(m)) {
        const dm = resolve(m);
        constant += c * dm.constant;
        for (let q = 0; q < dm.masters.length; q++) acc.set(dm.masters[q], (acc.get(dm.masters[q]) ?? 0) + c * dm.coefficients[q]);
      } else acc.set(m, (acc.get(m) ?? 0) + c);
    }
    d.masters = [...acc.keys()];
    d.coefficients = [...acc.values()];
    d.constant = constant;
    state.set(dof, 2);
    return d;
  };
  for (const dof of dep.keys()) resolve(dof);

  // Free DOF numbering (ascending, so rows of the reduced matrix keep column order).
  const freeIndex = new Int32Array(nTot).fill(-1);
  let nFree = 0;
  for (let i = 0; i < nTot; i++) if (!dep.has(i)) freeIndex[i] = nFree++;
  const freeToFull = new Uint32Array(nFree);
  for (let i = 0; i < nTot; i++) if (freeIndex[i] >= 0) freeToFull[freeIndex[i]] = i;
  const g = new Float64Array(nTot);
  const rowPtr = new Uint32Array(nTot + 1);
  for (let i = 0; i < nTot; i++) rowPtr[i + 1] = rowPtr[i] + (dep.has(i) ? dep.get(i)!.masters.length : 1);
  const colIdx = new Uint32Array(rowPtr[nTot]);
  const values = new Float64Array(rowPtr[nTot]);
  for (let i = 0; i < nTot; i++) {
    const d = dep.get(i);
    let p = rowPtr[i];
    if (!d) {
      colIdx[p] = freeIndex[i];
      values[p] = 1;
      continue;
    }
    g[i] = d.constant;
    const order = d.masters.map((m, k) => [freeIndex[m], d.coefficients[k]] as const).sort((a, b) => a[0] - b[0]);
    for (const [col, v] of order) {
      colIdx[p] = col;
      values[p++] = v;
    }
  }
  const T: CsrMatrix = { rows: nTot, cols: nFree, rowPtr, colIdx, values };
  return { layout, freeDofs: nFree, T, Tt: transpose(T), g, prescribed, freeToFull };
}

function transpose(A: CsrMatrix): CsrMatrix {
  const rowPtr = new Uint32Array(A.cols + 1);
  for (let k = 0; k < A.colIdx.length; k++) rowPtr[A.colIdx[k] + 1]++;
  for (let i = 0; i < A.cols; i++) rowPtr[i + 1] += rowPtr[i];
  const fill = rowPtr.slice(0, A.cols);
  const colIdx = new Uint32Array(A.colIdx.length);
  const values = new Float64Array(A.colIdx.length);
  for (let i = 0; i < A.rows; i++) {
    for (let k = A.rowPtr[i]; k < A.rowPtr[i + 1]; k++) {
      const p = fill[A.colIdx[k]]++;
      colIdx[p] = i;
      values[p] = A.values[k];
    }
  }
  return { rows: A.cols, cols: A.rows, rowPtr, colIdx, values };
}

/** Human-readable name of a DOF ("node 12 x", "reference 'top' θz"). */
export function describeModelDof(layout: DofLayout, dof: number): string {
  if (dof < layout.solidDofs) return `node ${Math.floor(dof / 3)} ${COMPONENT_NAMES[dof % 3]}`;
  for (const [name, d0] of layout.referenceDof) if (dof >= d0 && dof < d0 + 6) return `reference '${name}' ${COMPONENT_NAMES[dof - d0]}`;
  return `DOF ${dof}`;
}

/**
 * Symbolic + numeric sparse triple product `K_r = Tᵀ·K·T` (Gustavson, row by
 * row with a dense marker). K is `solidDofs` square; reference DOFs carry no
 * stiffness of their own. For a free DOF the row of T is a unit vector, so
 * most of the work is a relabelled copy of K.
 */
export function reduceStiffness(K: CsrMatrix, tr: ConstraintTransform): CsrMatrix {
  const { T, Tt, freeDofs: nFree } = tr;
  const nSolid = K.rows;
  const marker = new Int32Array(nFree).fill(-1);
  const rowPtr = new Uint32Array(nFree + 1);
  // Symbolic pass: count distinct columns of each reduced row.
  for (let r = 0; r < nFree; r++) {
    let cnt = 0;
    for (let a = Tt.rowPtr[r]; a < Tt.rowPtr[r + 1]; a++) {
      const i = Tt.colIdx[a];
      if (i >= nSolid) continue;
      for (let b = K.rowPtr[i]; b < K.rowPtr[i + 1]; b++) {
        const j = K.colIdx[b];
        for (let c = T.rowPtr[j]; c < T.rowPtr[j + 1]; c++) {
          const col = T.colIdx[c];
          if (marker[col] !== r) {
            marker[col] = r;
            cnt++;
          }
        }
      }
    }
    rowPtr[r + 1] = rowPtr[r] + cnt;
  }
  const nnz = rowPtr[nFree];
  const colIdx = new Uint32Array(nnz);
  marker.fill(-1);
  for (let r = 0; r < nFree; r++) {
    let p = rowPtr[r];
    for (let a = Tt.rowPtr[r]; a < Tt.rowPtr[r + 1]; a++) {
      const i = Tt.colIdx[a];
      if (i >= nSolid) continue;
      for (let b = K.rowPtr[i]; b < K.rowPtr[i + 1]; b++) {
        const j = K.colIdx[b];
        for (let c = T.rowPtr[j]; c < T.rowPtr[j + 1]; c++) {
          const col = T.colIdx[c];
          if (marker[col] !== r) {
            marker[col] = r;
            colIdx[p++] = col;
          }
        }
      }
    }
    const row = colIdx.subarray(rowPtr[r], rowPtr[r + 1]);
    let sorted = true;
    for (let k = 1; k < row.length; k++) if (row[k] < row[k - 1]) {
      sorted = false;
      break;
    }
    if (!sorted) row.sort();
  }
  const matrix: CsrMatrix = { rows: nFree, cols: nFree, rowPtr, colIdx, values: new Float64Array(nnz) };
  reduceStiffnessValues(K, tr, matrix);
  return matrix;
}

/** Recompute the values of `K_r = Tᵀ K T` into an existing reduced structure (same K pattern and T). */
export function reduceStiffnessValues(K: CsrMatrix, tr: ConstraintTransform, Kr: CsrMatrix): void {
  const { T, Tt } = tr;
  const nSolid = K.rows;
  const pos = new Int32Array(Kr.cols).fill(-1);
  const vals = Kr.values;
  vals.fill(0);
  for (let r = 0; r < Kr.rows; r++) {
    for (let p = Kr.rowPtr[r]; p < Kr.rowPtr[r + 1]; p++) pos[Kr.colIdx[p]] = p;
    for (let a = Tt.rowPtr[r]; a < Tt.rowPtr[r + 1]; a++) {
      const i = Tt.colIdx[a];
      if (i >= nSolid) continue;
      const tir = Tt.values[a];
      for (let b = K.rowPtr[i]; b < K.rowPtr[i + 1]; b++) {
        const j = K.colIdx[b];
        const kij = tir * K.values[b];
        for (let c = T.rowPtr[j]; c < T.rowPtr[j + 1]; c++) vals[pos[T.colIdx[c]]] += kij * T.values[c];
      }
    }
  }
}

/** `f_r = Tᵀ (f − K g)`: the reduced load vector. `f` has length `totalDofs`. */
export function reduceLoad(K: CsrMatrix, tr: ConstraintTransform, f: Float64Array): Float64Array {
  const { Tt, g } = tr;
  const nSolid = K.rows;
  const rhs = Float64Array.from(f);
  // rhs ← f − K·g (only solid DOFs carry stiffness)
  for (let i = 0; i < nSolid; i++) {
    let s = 0;
    for (let b = K.rowPtr[i]; b < K.rowPtr[i + 1]; b++) {
      const gj = g[K.colIdx[b]];
      if (gj !== 0) s += K.values[b] * gj;
    }
    rhs[i] -= s;
  }
  const fr = new Float64Array(tr.freeDofs);
  for (let r = 0; r < tr.freeDofs; r++) {
    let s = 0;
    for (let a = Tt.rowPtr[r]; a < Tt.rowPtr[r + 1]; a++) s += Tt.values[a] * rhs[Tt.colIdx[a]];
    fr[r] = s;
  }
  return fr;
}

/** `u = T·û + g`: expand the free solution to every DOF. */
export function expandSolution(tr: ConstraintTransform, uFree: Float64Array): Float64Array {
  const { T, g } = tr;
  const u = new Float64Array(T.rows);
  for (let i = 0; i < T.rows; i++) {
    let s = g[i];
    for (let a = T.rowPtr[i]; a < T.rowPtr[i + 1]; a++) s += T.values[a] * uFree[T.colIdx[a]];
    u[i] = s;
  }
  return u;
}

/**
 * Detect rigid-body motions the constraints leave free, before solving.
 *
 * A rigid motion u = t + ω × x (reference nodes: θ = ω) satisfies every
 * coupling and tie exactly, so only prescribed DOFs, user multi-point
 * constraints and springs to ground can stop it. With R the 6 rigid modes
 * (rotations scaled by the model size L so all six are commensurate) and C
 * the homogeneous constraint residual operator, the free motions are the null
 * space of the 6×6 matrix G = (C R)ᵀ(C R) + Σ_ground k (nᵀR)ᵀ(nᵀR)/k_max.
 *
 * @throws UnconstrainedModelError naming each free motion.
 */
export function checkRigidBodyConstraints(model: FeModel, tr: ConstraintTransform): void {
  const mesh = model.mesh;
  const { layout } = tr;
  const bb = boundingBox(mesh);
  const L = Math.max(bb.diagonal, 1e-12);
  const c = bb.center;
  // Rigid mode values at a DOF: returns row of R (6 numbers) for the DOF.
  const modeRow = (dof: number, out: Float64Array): void => {
    out.fill(0);
    let x: number, y: number, z: number, comp: number;
    if (dof < layout.solidDofs) {
      const n = Math.floor(dof / 3);
      comp = dof % 3;
      x = mesh.nodes[3 * n] - c[0];
      y = mesh.nodes[3 * n + 1] - c[1];
      z = mesh.nodes[3 * n + 2] - c[2];
    } else {
      let found = false;
      comp = 0;
      x = y = z = 0;
      for (const [name, d0] of layout.referenceDof) {
        if (dof >= d0 && dof < d0 + 6) {
          const p = layout.referencePosition.get(name)!;
          x = p[0] - c[0];
          y = p[1] - c[1];
          z = p[2] - c[2];
          comp = dof - d0;
          found = true;
        }
      }
      if (!found) return;
      if (comp >= 3) {
        out[comp] = 1 / L; // θ = ω, with ω scaled by L
        return;
      }
    }
    out[comp] = 1;
    // (ω × r)_comp with ω = α_rot / L
    if (comp === 0) {
      out[4] = z / L;
      out[5] = -y / L;
    } else if (comp === 1) {
      out[5] = x / L;
      out[3] = -z / L;
    } else {
      out[3] = y / L;
      out[4] = -x / L;
    }
  };
  const G = new Float64Array(36);
  const row = new Float64Array(6);
  const tmp = new Float64Array(6);
  const accum = (v: Float64Array, w: number): void => {
    for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) G[6 * a + b] += w * v[a] * v[b];
  };
  // Dependent DOFs: residual of u_i − Σ T_ik u_k on the rigid modes, i.e. (R_i − Σ_m c_m R_m).
  // Row i of T for a dependent DOF lists free masters; for a free DOF it is the DOF itself (residual 0).
  const { T, freeToFull } = tr;
  const isFree = new Uint8Array(T.rows);
  for (let r = 0; r < freeToFull.length; r++) isFree[freeToFull[r]] = 1;
  for (let i = 0; i < T.rows; i++) {
    if (isFree[i]) continue;
    modeRow(i, row);
    for (let a = T.rowPtr[i]; a < T.rowPtr[i + 1]; a++) {
      modeRow(freeToFull[T.colIdx[a]], tmp);
      for (let k = 0; k < 6; k++) row[k] -= T.values[a] * tmp[k];
    }
    accum(row, 1);
  }
  const sp = model.springs;
  if (sp) {
    let kmax = 0;
    for (let i = 0; i < sp.stiffness.length; i++) kmax = Math.max(kmax, sp.stiffness[i]);
    for (let i = 0; i < sp.nodesA.length; i++) {
      if (sp.nodesB[i] !== GROUND || !(sp.stiffness[i] > 0) || sp.tensionOnly?.[i]) continue;
      const n = sp.direction!;
      row.fill(0);
      for (let k = 0; k < 3; k++) {
        modeRow(3 * sp.nodesA[i] + k, tmp);
        for (let q = 0; q < 6; q++) row[q] += n[3 * i + k] * tmp[q];
      }
      accum(row, sp.stiffness[i] / kmax);
    }
  }
  const eig = new EigenvalueDecomposition(new Matrix(Array.from({ length: 6 }, (_, a) => Array.from(G.subarray(6 * a, 6 * a + 6)))), {
    assumeSymmetric: true,
  });
  const lambda = eig.realEigenvalues;
  const V = eig.eigenvectorMatrix;
  const lmax = Math.max(...lambda.map(Math.abs), 1);
  const free: string[] = [];
  const names = ['translation along x', 'translation along y', 'translation along z', 'rotation about x', 'rotation about y', 'rotation about z'];
  for (let k = 0; k < 6; k++) {
    // Exact null vectors give λ at round-off level (~1e-16·λmax); 1e-10 leaves margin for many-DOF sums.
    if (lambda[k] > 1e-10 * lmax) continue;
    const v = V.getColumn(k);
    const parts = v
      .map((x, q) => [Math.abs(x), q] as const)
      .filter(([a]) => a > 0.2)
      .sort((a, b) => b[0] - a[0])
      .map(([, q]) => names[q]);
    free.push(parts.join(' + '));
  }
  if (free.length) {
    throw new UnconstrainedModelError(
      `model is unconstrained: ${free.length} rigid-body motion(s) are free — ${free.join('; ')}. ` +
        'Fix more displacement components (e.g. the bottom surface in x, y and z) or add springs to ground.',
      free,
    );
  }
}

/** Axis-aligned bounding box of the mesh nodes (mm). */
export function boundingBox(mesh: Mesh): { min: number[]; max: number[]; center: number[]; diagonal: number } {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  const x = mesh.nodes;
  for (let i = 0; i < x.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = x[i + k];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  const center = [0, 1, 2].map((k) => 0.5 * (min[k] + max[k]));
  const diagonal = Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  return { min, max, center, diagonal };
}
