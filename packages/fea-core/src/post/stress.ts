/**
 * Strains, stresses and strain energy from a displacement solution, and their
 * transfer from sampling (integration) points to cells and nodes.
 *
 * Layouts:
 * - sampling-point fields: `cells · samplingPoints · components`, cell-major
 *   (`field[(c·sp + q)·k + j]` is component j at sampling point q of cell c);
 * - strain/stress: 6 components, Voigt `[xx, yy, zz, xy, yz, zx]`; strains
 *   carry engineering shear γ = 2ε, stresses tensor shear τ;
 * - nodal fields: `nodes · components`; cell fields: `cells · components`.
 */
import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import type { ElementFamily } from '../fem/element-family.js';
import { elementFamily } from '../fem/elements/index.js';
import { DimensionMismatchError, InvalidArgumentError, InvalidElementError, InvalidMaterialError, NonFiniteInputError } from '../errors.js';

/**
 * Strains and stresses at the sampling points of every cell, see {@link elementFields}.
 *
 * @example
 * ```ts
 * const { stress, weights, samplingPoints } = elementFields(mesh, prepared.dMatrices, u);
 * const sxxOfCell3AtPoint0 = stress[(3 * samplingPoints + 0) * 6 + 0]; // MPa
 * ```
 */
export interface ElementFields {
  /** Sampling points per cell `sp`. */
  samplingPoints: number;
  /** `cells·sp·6` strains, Voigt, engineering shear (dimensionless). */
  strain: Float64Array;
  /** `cells·sp·6` stresses σ = D·ε, Voigt, tensor shear (MPa). */
  stress: Float64Array;
  /** `cells·sp` volume weights w·det J of the sampling points (mm³); a cell's sum is its volume. */
  weights: Float64Array;
}

/**
 * Options shared by the functions of this module.
 *
 * @example
 * ```ts
 * elementFields(mesh, prepared.dMatrices, u, { family: tet10 });
 * ```
 */
export interface PostOptions {
  /** Element kernels to use; default `elementFamily(mesh.cellType)`. */
  family?: ElementFamily;
}

function familyOf(mesh: Mesh, options: PostOptions | undefined): ElementFamily {
  const family = options?.family ?? elementFamily(mesh.cellType);
  if (family.cellType !== mesh.cellType) {
    throw new DimensionMismatchError(
      `element family is for ${family.cellType} cells but the mesh has ${mesh.cellType} cells`,
    );
  }
  return family;
}

/** Cell count after checking the mesh's arrays fit together. */
function checkMesh(fn: string, mesh: Mesh): number {
  const npc = CELL_INFO[mesh.cellType].nodesPerCell;
  if (mesh.cells.length % npc !== 0) {
    throw new DimensionMismatchError(`${fn}: cells length ${mesh.cells.length} is not a multiple of ${npc} (${mesh.cellType})`);
  }
  const nCells = mesh.cells.length / npc;
  if (mesh.materialIds.length !== nCells) {
    throw new DimensionMismatchError(`${fn}: mesh has ${nCells} cells but ${mesh.materialIds.length} material ids`);
  }
  const nNodes = mesh.nodes.length / 3;
  for (let i = 0; i < mesh.cells.length; i++) {
    if (mesh.cells[i] >= nNodes) {
      throw new DimensionMismatchError(
        `${fn}: cell ${Math.floor(i / npc)} refers to node ${mesh.cells[i]} but the mesh has ${nNodes} nodes`,
      );
    }
  }
  return nCells;
}

/** xe ← coordinates of cell c's nodes (xyz interleaved). */
function gather(src: Float64Array, cells: Uint32Array, c: number, n: number, dst: Float64Array): void {
  const cb = c * n;
  for (let a = 0; a < n; a++) {
    const p = 3 * cells[cb + a];
    dst[3 * a] = src[p];
    dst[3 * a + 1] = src[p + 1];
    dst[3 * a + 2] = src[p + 2];
  }
}

/**
 * Element kernels do not know the cell index and report an invalid Jacobian
 * as element −1; name the cell instead.
 */
function withCellIndex(err: unknown, c: number): unknown {
  if (err instanceof InvalidElementError && err.elementIndex < 0) {
    return new InvalidElementError(c, err.minDetJ, `element ${c}: ${err.message}`);
  }
  return err;
}

function checkD(D: Float64Array | undefined, where: string, materialId: number): Float64Array {
  if (D === undefined || D.length !== 36) {
    throw new InvalidMaterialError(
      `${where}: no 6×6 constitutive matrix (expected a Float64Array of 36 entries, got ${D === undefined ? 'none' : `length ${D.length}`})`,
      materialId,
    );
  }
  return D;
}

/**
 * Strains and stresses at the sampling points of every cell, with the
 * sampling points' volume weights.
 *
 * Per cell: gather node coordinates xe and displacements ue, ε = B·ue at the
 * sampling points (`family.strain`, B-bar for hex8), σ = D·ε, w = weight·det J.
 *
 * @param mesh - the mesh (mm).
 * @param dByMaterial - 6×6 row-major constitutive matrices (MPa): indexed by
 *   material id, or a function of the cell index.
 * @param u - nodal displacements, `3·nodes`, xyz interleaved (mm).
 * @param options - `family` override.
 * @returns {@link ElementFields}.
 * @throws DimensionMismatchError for arrays that do not fit the mesh;
 *   NonFiniteInputError for a NaN/infinite displacement; InvalidMaterialError
 *   for a missing or wrong-sized D; InvalidElementError for a cell with a
 *   non-positive sampling weight (inverted or degenerate).
 * @example
 * ```ts
 * const D = materials.map((m) => constitutiveMatrix(m));
 * const fields = elementFields(mesh, D, u);
 * const vm = vonMises(fields.stress); // one value per sampling point
 * ```
 */
export function elementFields(
  mesh: Mesh,
  dByMaterial: ReadonlyArray<Float64Array> | ((cell: number) => Float64Array),
  u: Float64Array,
  options?: PostOptions,
): ElementFields {
  const nCells = checkMesh('elementFields', mesh);
  const family = familyOf(mesh, options);
  const nNodes = mesh.nodes.length / 3;
  if (u.length !== 3 * nNodes) {
    throw new DimensionMismatchError(`elementFields: u has length ${u.length}, expected 3·${nNodes} = ${3 * nNodes}`);
  }
  for (let i = 0; i < u.length; i++) {
    if (!Number.isFinite(u[i])) {
      throw new NonFiniteInputError(`elementFields: displacement ${'xyz'[i % 3]} of node ${Math.floor(i / 3)} is ${u[i]}`);
    }
  }
  const byCell = typeof dByMaterial === 'function' ? dByMaterial : null;
  const byMat = typeof dByMaterial === 'function' ? null : dByMaterial;
  if (byMat !== null) {
    for (let c = 0; c < nCells; c++) {
      const id = mesh.materialIds[c];
      checkD(byMat[id], `elementFields: material id ${id} (cell ${c})`, id);
    }
  }

  const n = family.nodesPerElement;
  const sp = family.samplingPoints;
  const xe = new Float64Array(3 * n);
  const ue = new Float64Array(3 * n);
  const eps = new Float64Array(6 * sp);
  const w = new Float64Array(sp);
  const strain = new Float64Array(nCells * sp * 6);
  const stress = new Float64Array(nCells * sp * 6);
  const weights = new Float64Array(nCells * sp);
  const cells = mesh.cells;

  for (let c = 0; c < nCells; c++) {
    gather(mesh.nodes, cells, c, n, xe);
    gather(u, cells, c, n, ue);
    const D = byCell !== null
      ? checkD(byCell(c), `elementFields: cell ${c}`, mesh.materialIds[c])
      : byMat![mesh.materialIds[c]];
    try {
      family.strain(xe, ue, eps);
      family.samplingWeights(xe, w);
    } catch (err) {
      throw withCellIndex(err, c);
    }
    const base = c * sp;
    for (let q = 0; q < sp; q++) {
      if (!(w[q] > 0)) throw new InvalidElementError(c, family.scaledJacobian(xe));
      weights[base + q] = w[q];
      const e0 = 6 * q;
      const o = 6 * (base + q);
      // σ_i = Σ_j D_ij·ε_j
      for (let i = 0; i < 6; i++) {
        const r = 6 * i;
        strain[o + i] = eps[e0 + i];
        stress[o + i] =
          D[r] * eps[e0] + D[r + 1] * eps[e0 + 1] + D[r + 2] * eps[e0 + 2] +
          D[r + 3] * eps[e0 + 3] + D[r + 4] * eps[e0 + 4] + D[r + 5] * eps[e0 + 5];
      }
    }
  }
  return { samplingPoints: sp, strain, stress, weights };
}

/**
 * Total strain energy U = ½ Σ_cells Σ_q σ_q·ε_q w_q (N·mm = mJ). With Voigt
 * vectors and engineering shear strains, σ·ε = σxx εxx + … + τxy γxy + … is the
 * full double contraction σ:ε.
 *
 * @param fields - output of {@link elementFields}.
 * @param perCell - optional output, one strain energy per cell (N·mm).
 * @returns the total strain energy (N·mm).
 * @example
 * ```ts
 * const U = strainEnergy(elementFields(mesh, prepared.dMatrices, u)); // = ½ uᵀ·K·u
 * ```
 */
export function strainEnergy(
  fields: Pick<ElementFields, 'samplingPoints' | 'strain' | 'stress' | 'weights'>,
  perCell?: Float64Array,
): number {
  const { samplingPoints: sp, strain, stress, weights } = fields;
  if (strain.length !== 6 * weights.length || stress.length !== strain.length || weights.length % sp !== 0) {
    throw new DimensionMismatchError(
      `strainEnergy: strain (${strain.length}), stress (${stress.length}) and weights (${weights.length}) do not fit ${sp} sampling points per cell`,
    );
  }
  const nCells = weights.length / sp;
  if (perCell !== undefined && perCell.length !== nCells) {
    throw new DimensionMismatchError(`strainEnergy: perCell has length ${perCell.length}, expected ${nCells}`);
  }
  let total = 0;
  for (let c = 0; c < nCells; c++) {
    let ec = 0;
    for (let q = c * sp; q < (c + 1) * sp; q++) {
      const o = 6 * q;
      let dot = 0;
      for (let i = 0; i < 6; i++) dot += stress[o + i] * strain[o + i];
      ec += 0.5 * dot * weights[q];
    }
    if (perCell !== undefined) perCell[c] = ec;
    total += ec;
  }
  return total;
}

/**
 * Volume-weighted mean of a sampling-point field over each cell,
 * `f̄_c = Σ_q w_q f_q / Σ_q w_q`.
 *
 * @param perSample - `cells·sp·components` values.
 * @param weights - `cells·sp` sampling weights (mm³), e.g. `fields.weights`.
 * @param components - values per sampling point (6 for stress).
 * @param samplingPoints - sampling points per cell.
 * @param out - optional output, `cells·components`.
 * @returns `out`, `cells·components`.
 * @throws DimensionMismatchError for lengths that do not fit; InvalidElementError
 *   for a cell whose weights do not sum to a positive volume.
 * @example
 * ```ts
 * const cellStress = elementAverage(fields.stress, fields.weights, 6, fields.samplingPoints);
 * ```
 */
export function elementAverage(
  perSample: Float64Array,
  weights: Float64Array,
  components: number,
  samplingPoints: number,
  out?: Float64Array,
): Float64Array {
  const sp = samplingPoints;
  const k = components;
  if (!(Number.isInteger(k) && k > 0 && Number.isInteger(sp) && sp > 0)) {
    throw new InvalidArgumentError(`elementAverage: components (${k}) and samplingPoints (${sp}) must be positive integers`);
  }
  if (weights.length % sp !== 0 || perSample.length !== weights.length * k) {
    throw new DimensionMismatchError(
      `elementAverage: ${perSample.length} values and ${weights.length} weights do not fit ${sp} sampling points × ${k} components per cell`,
    );
  }
  const nCells = weights.length / sp;
  const res = out ?? new Float64Array(nCells * k);
  if (res.length !== nCells * k) {
    throw new DimensionMismatchError(`elementAverage: out has length ${res.length}, expected ${nCells * k}`);
  }
  for (let c = 0; c < nCells; c++) {
    let vol = 0;
    for (let q = c * sp; q < (c + 1) * sp; q++) vol += weights[q];
    if (!(vol > 0)) throw new InvalidElementError(c, 0, `element ${c} has sampling weights summing to ${vol} mm³ (expected a positive volume)`);
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let q = c * sp; q < (c + 1) * sp; q++) s += weights[q] * perSample[q * k + j];
      res[c * k + j] = s / vol;
    }
  }
  return res;
}

/**
 * Options of {@link nodalAverage} and {@link regionNodalAverage}.
 *
 * @example
 * ```ts
 * nodalAverage(mesh, fields.stress, 6, fields.samplingPoints, { byRegion: true, weights: fields.weights });
 * ```
 */
export interface NodalAverageOptions extends PostOptions {
  /**
   * `nodalAverage` only. `false` (default): one volume-weighted average over
   * every cell sharing the node. `true`: average within each region first,
   * then give the node the plain mean of its region-wise values, so at an
   * interface each region counts once whatever its element sizes.
   */
  byRegion?: boolean;
  /** `cells·sp` sampling weights (e.g. `fields.weights`) to take cell volumes from; computed from the mesh otherwise. */
  weights?: Float64Array;
}

/** Per-cell volumes (mm³) from given sampling weights or the element kernels. */
function cellVolumes(fn: string, mesh: Mesh, family: ElementFamily, nCells: number, weights?: Float64Array): Float64Array {
  const sp = family.samplingPoints;
  const vol = new Float64Array(nCells);
  if (weights !== undefined) {
    if (weights.length !== nCells * sp) {
      throw new DimensionMismatchError(`${fn}: weights has length ${weights.length}, expected ${nCells}·${sp}`);
    }
    for (let c = 0; c < nCells; c++) {
      let v = 0;
      for (let q = c * sp; q < (c + 1) * sp; q++) v += weights[q];
      vol[c] = v;
    }
  } else {
    const n = family.nodesPerElement;
    const xe = new Float64Array(3 * n);
    const w = new Float64Array(sp);
    for (let c = 0; c < nCells; c++) {
      gather(mesh.nodes, mesh.cells, c, n, xe);
      try {
        family.samplingWeights(xe, w);
      } catch (err) {
        throw withCellIndex(err, c);
      }
      let v = 0;
      for (let q = 0; q < sp; q++) v += w[q];
      vol[c] = v;
    }
  }
  for (let c = 0; c < nCells; c++) {
    if (!(vol[c] > 0)) throw new InvalidElementError(c, 0, `${fn}: element ${c} has volume ${vol[c]} mm³ (expected > 0)`);
  }
  return vol;
}

/**
 * sum[node·k + j] += V_c·(E·f_c)[a, j], wsum[node] += V_c over the cells
 * `list[0 .. count−1]`: each cell's sampling values are extrapolated to its
 * nodes (`nodal[a] = Σ_q E[a,q]·sample[q]`) and weighted by its volume.
 */
function accumulate(
  mesh: Mesh, family: ElementFamily, perSample: Float64Array, k: number, vol: Float64Array,
  list: Uint32Array, count: number, sum: Float64Array, wsum: Float64Array,
): void {
  const n = family.nodesPerElement;
  const sp = family.samplingPoints;
  const E = family.extrapolation;
  const cells = mesh.cells;
  for (let t = 0; t < count; t++) {
    const c = list[t];
    const V = vol[c];
    const sb = c * sp * k;
    for (let a = 0; a < n; a++) {
      const node = cells[c * n + a];
      const eb = a * sp;
      for (let j = 0; j < k; j++) {
        let v = 0;
        for (let q = 0; q < sp; q++) v += E[eb + q] * perSample[sb + q * k + j];
        sum[node * k + j] += V * v;
      }
      wsum[node] += V;
    }
  }
}

function checkSampleField(fn: string, perSample: Float64Array, k: number, sp: number, nCells: number, family: ElementFamily): void {
  if (!(Number.isInteger(k) && k > 0)) throw new InvalidArgumentError(`${fn}: components must be a positive integer, got ${k}`);
  if (sp !== family.samplingPoints) {
    throw new DimensionMismatchError(`${fn}: samplingPoints is ${sp} but ${family.cellType} elements have ${family.samplingPoints}`);
  }
  if (perSample.length !== nCells * sp * k) {
    throw new DimensionMismatchError(
      `${fn}: field has length ${perSample.length}, expected cells·sp·components = ${nCells}·${sp}·${k} = ${nCells * sp * k}`,
    );
  }
  const E = family.extrapolation;
  if (E.length !== family.nodesPerElement * sp) {
    throw new DimensionMismatchError(`${fn}: ${family.cellType} extrapolation matrix has ${E.length} entries, expected ${family.nodesPerElement}·${sp}`);
  }
}

/**
 * Nodal field from a sampling-point field: each cell's values are
 * extrapolated to its nodes with `family.extrapolation`, then averaged over
 * the cells sharing the node, weighted by cell volume:
 * `f_node = Σ_c V_c·f_c(node) / Σ_c V_c`.
 *
 * Stresses jump across material interfaces (equal traction, unequal
 * in-plane stress), so an average over bone and disc cells at an interface
 * node mixes two different stresses. `byRegion: true` averages within each
 * region first and gives an interface node the plain mean of its region-wise
 * values (still a mixture, but not dominated by the region with the larger
 * cells). For the values on one side of an interface use
 * {@link regionNodalAverage}. Nodes used by no cell get 0.
 *
 * @param mesh - the mesh.
 * @param perSample - `cells·sp·components` values (e.g. `fields.stress`).
 * @param components - values per sampling point (6 for stress).
 * @param samplingPoints - sampling points per cell (must match the family).
 * @param options - `byRegion`, `weights` (cell volumes from `fields.weights`), `family`.
 * @returns `nodes·components` values.
 * @throws DimensionMismatchError for sizes that do not fit; InvalidElementError
 *   for a cell with non-positive volume.
 * @example
 * ```ts
 * const nodalStress = nodalAverage(mesh, fields.stress, 6, fields.samplingPoints, { weights: fields.weights });
 * const nodalVm = vonMises(nodalStress);
 * ```
 */
export function nodalAverage(
  mesh: Mesh,
  perSample: Float64Array,
  components: number,
  samplingPoints: number,
  options?: NodalAverageOptions,
): Float64Array {
  const nCells = checkMesh('nodalAverage', mesh);
  const family = familyOf(mesh, options);
  checkSampleField('nodalAverage', perSample, components, samplingPoints, nCells, family);
  const vol = cellVolumes('nodalAverage', mesh, family, nCells, options?.weights);
  const k = components;
  const nNodes = mesh.nodes.length / 3;
  const sum = new Float64Array(nNodes * k);
  const wsum = new Float64Array(nNodes);

  if (!options?.byRegion) {
    const all = new Uint32Array(nCells);
    for (let c = 0; c < nCells; c++) all[c] = c;
    accumulate(mesh, family, perSample, k, vol, all, nCells, sum, wsum);
    for (let i = 0; i < nNodes; i++) {
      if (wsum[i] > 0) for (let j = 0; j < k; j++) sum[i * k + j] /= wsum[i];
    }
    return sum;
  }

  // byRegion: f_node = (1/R_node) Σ_r [Σ_{c∈r} V_c f_c(node) / Σ_{c∈r} V_c]
  const groups = cellsByRegion(mesh.materialIds);
  const result = new Float64Array(nNodes * k);
  const regionsAtNode = new Uint16Array(nNodes);
  for (const { list, count } of groups) {
    sum.fill(0);
    wsum.fill(0);
    accumulate(mesh, family, perSample, k, vol, list, count, sum, wsum);
    for (let i = 0; i < nNodes; i++) {
      if (wsum[i] > 0) {
        for (let j = 0; j < k; j++) result[i * k + j] += sum[i * k + j] / wsum[i];
        regionsAtNode[i]++;
      }
    }
  }
  for (let i = 0; i < nNodes; i++) {
    if (regionsAtNode[i] > 1) for (let j = 0; j < k; j++) result[i * k + j] /= regionsAtNode[i];
  }
  return result;
}

/** Cells grouped by material id (counting sort): one index list per distinct id. */
function cellsByRegion(materialIds: Uint16Array): { id: number; list: Uint32Array; count: number }[] {
  const counts = new Map<number, number>();
  for (let c = 0; c < materialIds.length; c++) counts.set(materialIds[c], (counts.get(materialIds[c]) ?? 0) + 1);
  const groups = new Map<number, { id: number; list: Uint32Array; count: number }>();
  for (const [id, count] of counts) groups.set(id, { id, list: new Uint32Array(count), count: 0 });
  for (let c = 0; c < materialIds.length; c++) {
    const g = groups.get(materialIds[c])!;
    g.list[g.count++] = c;
  }
  return [...groups.values()];
}

/**
 * A nodal field restricted to one region, see {@link regionNodalAverage}.
 *
 * @example
 * ```ts
 * const { values, inRegion } = regionNodalAverage(mesh, fields.stress, 6, fields.samplingPoints, 1);
 * if (inRegion[42]) console.log(values[6 * 42 + 2], 'MPa σzz at node 42');
 * ```
 */
export interface RegionNodalField {
  /** `nodes·components` values; 0 at nodes outside the region. */
  values: Float64Array;
  /** One flag per node: 1 if a cell of the region uses the node. */
  inRegion: Uint8Array;
}

/**
 * Nodal field of one region: like {@link nodalAverage}, but only the cells
 * whose material id is `region` contribute, so interface nodes carry that
 * region's side of a stress jump.
 *
 * @param mesh - the mesh.
 * @param perSample - `cells·sp·components` values.
 * @param components - values per sampling point.
 * @param samplingPoints - sampling points per cell.
 * @param region - the material/region id.
 * @param options - `weights`, `family` (`byRegion` is ignored).
 * @returns `{ values, inRegion }`.
 * @example
 * ```ts
 * const { values, inRegion } = regionNodalAverage(mesh, fields.stress, 6, fields.samplingPoints, 3);
 * ```
 */
export function regionNodalAverage(
  mesh: Mesh,
  perSample: Float64Array,
  components: number,
  samplingPoints: number,
  region: number,
  options?: NodalAverageOptions,
): RegionNodalField {
  const nCells = checkMesh('regionNodalAverage', mesh);
  const family = familyOf(mesh, options);
  checkSampleField('regionNodalAverage', perSample, components, samplingPoints, nCells, family);
  const vol = cellVolumes('regionNodalAverage', mesh, family, nCells, options?.weights);
  const k = components;
  const nNodes = mesh.nodes.length / 3;
  const list = new Uint32Array(nCells);
  let count = 0;
  for (let c = 0; c < nCells; c++) if (mesh.materialIds[c] === region) list[count++] = c;
  const values = new Float64Array(nNodes * k);
  const wsum = new Float64Array(nNodes);
  accumulate(mesh, family, perSample, k, vol, list, count, values, wsum);
  const inRegion = new Uint8Array(nNodes);
  for (let i = 0; i < nNodes; i++) {
    if (wsum[i] > 0) {
      inRegion[i] = 1;
      for (let j = 0; j < k; j++) values[i * k + j] /= wsum[i];
    }
  }
  return { values, inRegion };
}
