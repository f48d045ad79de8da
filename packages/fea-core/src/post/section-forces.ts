/**
 * Section forces of a bar-like set of cells (a rod, a screw shaft) by free-body
 * cuts through its element nodal forces, and the beam-theory von Mises stress
 * of a solid circular section carrying them.
 *
 * Why: a 5–6.35 mm rod meshed with 2 mm voxels is 2–4 voxels across, so its
 * integration-point stresses sample a staircase, not the rod — the peak moves
 * by 10–20 % when the voxel grid is shifted by a fraction of a voxel, and the
 * rod's nominal diameter barely changes it. The force a cut transmits is fixed
 * by equilibrium instead (exactly, for the FE nodal forces), and beam theory
 * turns it into the stress of the nominal cross-section.
 */
import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import { DimensionMismatchError, NonFiniteInputError } from '../errors.js';
import { elementFamily } from '../fem/elements/index.js';
import { principalDirections } from './invariants.js';

/**
 * Element nodal forces f_e = K_e·u_e of selected cells (N): the forces the rest
 * of the model exerts on each cell at its nodes.
 *
 * @param mesh - the solved mesh.
 * @param dLookup - constitutive matrix of a cell (the prepared model's `dLookup`).
 * @param displacement - nodal displacements, 3 per node (mm).
 * @param cells - the cells (indices).
 * @returns `cells.length · 3·nodesPerCell` forces, cell-major, node order of the cell, xyz.
 * @example
 * ```ts
 * const f = cellNodalForces(mesh, prepared.dLookup, sol.displacement, rodCells);
 * ```
 */
export function cellNodalForces(mesh: Mesh, dLookup: (cell: number) => Float64Array, displacement: Float64Array, cells: ArrayLike<number>): Float64Array {
  const npc = CELL_INFO[mesh.cellType].nodesPerCell;
  const family = elementFamily(mesh.cellType);
  const nd = 3 * npc;
  const xe = new Float64Array(nd), ue = new Float64Array(nd), ke = new Float64Array(nd * nd);
  const out = new Float64Array(cells.length * nd);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    for (let a = 0; a < npc; a++) {
      const p = 3 * mesh.cells[c * npc + a];
      for (let k = 0; k < 3; k++) {
        xe[3 * a + k] = mesh.nodes[p + k];
        ue[3 * a + k] = displacement[p + k];
      }
    }
    family.stiffness(xe, dLookup(c), ke);
    // f ← K_e·u_e
    for (let r = 0; r < nd; r++) {
      let f = 0;
      for (let q = 0; q < nd; q++) f += ke[r * nd + q] * ue[q];
      out[i * nd + r] = f;
    }
  }
  return out;
}

/** Section forces along a bar, per cut (see {@link barSectionForces}). */
export interface BarSectionForces {
  /** Unit bar axis (the frame's, or the largest principal direction of the cells' centroids with its largest component positive). */
  axis: [number, number, number];
  /** Point on the axis (the frame's origin, or the cells' mean centroid), mm. */
  origin: [number, number, number];
  /** Cut position along `axis` from `origin`, mm. */
  station: Float64Array;
  /** Normal force N = F·a transmitted by the cut, N (+ tension). */
  normalN: Float64Array;
  /** Magnitude of the shear force |F − N a|, N. */
  shearN: Float64Array;
  /** Torque T = M·a, N·mm. */
  torqueNmm: Float64Array;
  /** Magnitude of the bending moment |M − T a| about the axis point of the cut, N·mm. */
  bendingNmm: Float64Array;
  /** Nodes on each cut. */
  cutNodes: Int32Array;
}

/**
 * Section forces of a bar by free-body cuts. A cut at station s₀ splits the
 * cells by their centroids into A (s < s₀) and B; the nodes that A and B share
 * are the cut. The force and moment B exerts on A through the cut are
 *
 *   F = Σ_{e∈A} Σ_{n∈cut} f_{e,n},   M = Σ_{e∈A} Σ_{n∈cut} (xₙ − p₀) × f_{e,n},   p₀ = origin + s₀·a,
 *
 * with f_e the element nodal forces ({@link cellNodalForces}). For a free bar
 * this is exactly the equilibrium of A; where the bar is bonded to other cells
 * (a screw in bone), the forces of the bar's own cells at the cut nodes are the
 * ones it transmits, as in a free-body section print of a commercial code.
 * Cuts are `spacing` apart, from half a spacing inside the first centroid.
 *
 * @param mesh - the mesh (nodes, cells).
 * @param cells - the bar's cells.
 * @param nodalForces - their nodal forces, layout of {@link cellNodalForces} (N).
 * @param spacing - distance between cuts along the axis (mm).
 * @param frame - a known bar axis (unit) and origin on it (mm), e.g. a screw's entry point
 *   and direction; default: the cells' mean centroid and largest principal direction.
 * @returns per-cut resultants, layout in {@link BarSectionForces} (empty when the bar is shorter than one spacing).
 * @throws DimensionMismatchError for fewer than 2 cells or a force array of the wrong length;
 *   NonFiniteInputError for a NaN force or a spacing ≤ 0.
 * @example
 * ```ts
 * const s = barSectionForces(mesh, rodCells, cellNodalForces(mesh, dLookup, u, rodCells), 2);
 * const worst = Math.max(...s.bendingNmm); // N·mm
 * ```
 */
export function barSectionForces(
  mesh: Pick<Mesh, 'nodes' | 'cells' | 'cellType'>,
  cells: ArrayLike<number>,
  nodalForces: Float64Array,
  spacing: number,
  frame?: { origin: readonly [number, number, number]; axis: readonly [number, number, number] },
): BarSectionForces {
  const npc = CELL_INFO[mesh.cellType].nodesPerCell;
  const n = cells.length;
  if (n < 2) throw new DimensionMismatchError(`barSectionForces: a bar needs at least 2 cells, got ${n}`);
  if (nodalForces.length !== 3 * npc * n) throw new DimensionMismatchError(`barSectionForces: ${nodalForces.length} nodal force components for ${n} cells of ${npc} nodes (need ${3 * npc * n})`);
  if (!(spacing > 0) || !Number.isFinite(spacing)) throw new NonFiniteInputError(`barSectionForces: the cut spacing must be a positive finite length, got ${spacing} mm`);
  for (let i = 0; i < nodalForces.length; i++) if (!Number.isFinite(nodalForces[i])) throw new NonFiniteInputError(`barSectionForces: cell ${cells[Math.floor(i / (3 * npc))]} has a non-finite nodal force`);
  // Cell centroids; without a frame, their mean and covariance → axis = largest principal direction.
  const cen = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const c = cells[i];
    for (let a = 0; a < npc; a++) for (let k = 0; k < 3; k++) cen[3 * i + k] += mesh.nodes[3 * mesh.cells[c * npc + a] + k] / npc;
  }
  const o = [0, 0, 0];
  const a: [number, number, number] = [0, 0, 0];
  if (frame) {
    const na = Math.hypot(frame.axis[0], frame.axis[1], frame.axis[2]);
    if (!(na > 0) || !Number.isFinite(na)) throw new NonFiniteInputError(`barSectionForces: the frame's axis must be a finite non-zero vector, got [${frame.axis.join(', ')}]`);
    for (let k = 0; k < 3; k++) {
      a[k] = frame.axis[k] / na;
      o[k] = frame.origin[k];
    }
  } else {
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) o[k] += cen[3 * i + k] / n;
    const C = new Float64Array(6); // Voigt [xx,yy,zz,xy,yz,zx]
    for (let i = 0; i < n; i++) {
      const d0 = cen[3 * i] - o[0], d1 = cen[3 * i + 1] - o[1], d2 = cen[3 * i + 2] - o[2];
      C[0] += d0 * d0;
      C[1] += d1 * d1;
      C[2] += d2 * d2;
      C[3] += d0 * d1;
      C[4] += d1 * d2;
      C[5] += d2 * d0;
    }
    const { vectors } = principalDirections(C);
    a.splice(0, 3, vectors[0], vectors[1], vectors[2]);
    const big = Math.abs(a[0]) >= Math.abs(a[1]) && Math.abs(a[0]) >= Math.abs(a[2]) ? 0 : Math.abs(a[1]) >= Math.abs(a[2]) ? 1 : 2;
    if (a[big] < 0) for (let k = 0; k < 3; k++) a[k] = -a[k];
  }
  const s = new Float64Array(n);
  let sMin = Infinity, sMax = -Infinity;
  for (let i = 0; i < n; i++) {
    s[i] = (cen[3 * i] - o[0]) * a[0] + (cen[3 * i + 1] - o[1]) * a[1] + (cen[3 * i + 2] - o[2]) * a[2];
    sMin = Math.min(sMin, s[i]);
    sMax = Math.max(sMax, s[i]);
  }
  // (a relative 1e-9 keeps a span of exactly k spacings at k cuts under round-off)
  const m = Math.max(0, Math.floor((sMax - sMin) / spacing + 1e-9));
  const station = new Float64Array(m), normalN = new Float64Array(m), shearN = new Float64Array(m), torqueNmm = new Float64Array(m), bendingNmm = new Float64Array(m), cutNodes = new Int32Array(m);
  // stamp[node] = j + 1 when a cell of B (s ≥ s₀ of cut j) uses the node
  const stamp = new Int32Array(mesh.nodes.length / 3);
  const counted = new Int32Array(mesh.nodes.length / 3);
  for (let j = 0; j < m; j++) {
    const s0 = sMin + (j + 0.5) * spacing;
    station[j] = s0;
    for (let i = 0; i < n; i++) if (s[i] >= s0) for (let q = 0; q < npc; q++) stamp[mesh.cells[cells[i] * npc + q]] = j + 1;
    const p0 = [o[0] + s0 * a[0], o[1] + s0 * a[1], o[2] + s0 * a[2]];
    const F = [0, 0, 0], M = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      if (s[i] >= s0) continue;
      for (let q = 0; q < npc; q++) {
        const node = mesh.cells[cells[i] * npc + q];
        if (stamp[node] !== j + 1) continue;
        if (counted[node] !== j + 1) {
          counted[node] = j + 1;
          cutNodes[j]++;
        }
        const f = 3 * (i * npc + q);
        const fx = nodalForces[f], fy = nodalForces[f + 1], fz = nodalForces[f + 2];
        const rx = mesh.nodes[3 * node] - p0[0], ry = mesh.nodes[3 * node + 1] - p0[1], rz = mesh.nodes[3 * node + 2] - p0[2];
        F[0] += fx;
        F[1] += fy;
        F[2] += fz;
        // M += r × f
        M[0] += ry * fz - rz * fy;
        M[1] += rz * fx - rx * fz;
        M[2] += rx * fy - ry * fx;
      }
    }
    const N = F[0] * a[0] + F[1] * a[1] + F[2] * a[2];
    const T = M[0] * a[0] + M[1] * a[1] + M[2] * a[2];
    normalN[j] = N;
    shearN[j] = Math.hypot(F[0] - N * a[0], F[1] - N * a[1], F[2] - N * a[2]);
    torqueNmm[j] = T;
    bendingNmm[j] = Math.hypot(M[0] - T * a[0], M[1] - T * a[1], M[2] - T * a[2]);
  }
  return { axis: a, origin: [o[0], o[1], o[2]], station, normalN, shearN, torqueNmm, bendingNmm, cutNodes };
}

/**
 * Peak von Mises stress of a solid circular section of diameter d under a
 * normal force N, a bending moment M and a torque T (beam theory, outer fibre,
 * transverse shear neglected — it vanishes there):
 *
 *   σ = |N|/A + M/W,  τ = T/Wₚ,  σ_vm = √(σ² + 3τ²),
 *   A = πd²/4,  W = πd³/32,  Wₚ = πd³/16.
 *
 * @param normalN - N (N); @param bendingNmm - |M| (N·mm); @param torqueNmm - T (N·mm);
 * @param diameterMm - d (mm).
 * @returns MPa.
 * @example
 * ```ts
 * beamVonMises(0, 10_000, 0, 5.5); // 32·10⁴/(π·5.5³) ≈ 612 MPa
 * ```
 */
export function beamVonMises(normalN: number, bendingNmm: number, torqueNmm: number, diameterMm: number): number {
  const d = diameterMm;
  const sigma = (4 * Math.abs(normalN)) / (Math.PI * d * d) + (32 * Math.abs(bendingNmm)) / (Math.PI * d ** 3);
  const tau = (16 * Math.abs(torqueNmm)) / (Math.PI * d ** 3);
  return Math.sqrt(sigma * sigma + 3 * tau * tau);
}
