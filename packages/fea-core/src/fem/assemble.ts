import { CELL_INFO, type Mesh } from '@spinefea/mesh';
import type { CsrMatrix } from '../linalg/types.js';
import type { ElementFamily } from './element-family.js';
import { DimensionMismatchError, InvalidElementError } from '../errors.js';

/**
 * The sparsity of a 3-DOF-per-node stiffness matrix, computed once from the
 * mesh connectivity (and any extra node pairs such as springs) and reused
 * whenever only values change (new materials, active-set iterations).
 *
 * The scalar CSR is derived from a node graph: node row `a` with sorted
 * neighbours `b₀ … b_{d−1}` (itself included) owns scalar rows `3a+i`, each
 * holding the `3d` columns `3b_k + j`. The value of entry
 * `(3a+i, 3b_k+j)` therefore sits at `9·nodeRowPtr[a] + 3d·i + 3k + j`, so a
 * node-graph slot `s = nodeRowPtr[a] + k` locates a whole 3×3 block.
 */
export interface StiffnessPattern {
  /** Number of mesh nodes. */
  nodes: number;
  /** Node graph (CSR): neighbours of node a are `nodeCols[nodeRowPtr[a] .. nodeRowPtr[a+1]-1]`, sorted. */
  nodeRowPtr: Uint32Array;
  nodeCols: Uint32Array;
  /** Scalar CSR structure, `3·nodes` square. `values` is zero-filled storage. */
  matrix: CsrMatrix;
  /**
   * For each cell, the node-graph slot of each (local a, local b) node pair:
   * `cellSlots[c·n² + a·n + b]`, n = nodes per cell.
   */
  cellSlots: Uint32Array;
}

/**
 * Build the stiffness sparsity pattern of a mesh.
 *
 * @param mesh - the solid mesh (any cell type).
 * @param extraPairs - additional coupled node pairs, `[a0,b0,a1,b1,…]` (springs).
 * @example
 * ```ts
 * const pattern = buildStiffnessPattern(boxMesh({ size: [1, 1, 1], divisions: [4, 4, 4], cellType: 'hex8' }));
 * console.log(pattern.matrix.rows, pattern.matrix.colIdx.length);
 * ```
 */
export function buildStiffnessPattern(mesh: Mesh, extraPairs?: Uint32Array): StiffnessPattern {
  const n = CELL_INFO[mesh.cellType].nodesPerCell;
  const nNodes = mesh.nodes.length / 3;
  const nCells = mesh.cells.length / n;
  const cells = mesh.cells;
  const pairs = extraPairs ?? new Uint32Array(0);

  // node → cells incidence (CSR), used to enumerate each node's neighbours once.
  const incPtr = new Uint32Array(nNodes + 1);
  for (let i = 0; i < cells.length; i++) incPtr[cells[i] + 1]++;
  for (let i = 0; i < nNodes; i++) incPtr[i + 1] += incPtr[i];
  const inc = new Uint32Array(cells.length);
  const fill = incPtr.slice(0, nNodes);
  for (let c = 0; c < nCells; c++) for (let a = 0; a < n; a++) inc[fill[cells[c * n + a]]++] = c;

  // extra pairs incidence (symmetric)
  const pairPtr = new Uint32Array(nNodes + 1);
  for (let i = 0; i < pairs.length; i++) pairPtr[pairs[i] + 1]++;
  for (let i = 0; i < nNodes; i++) pairPtr[i + 1] += pairPtr[i];
  const pairNbr = new Uint32Array(pairs.length);
  const pfill = pairPtr.slice(0, nNodes);
  for (let i = 0; i < pairs.length; i += 2) {
    pairNbr[pfill[pairs[i]]++] = pairs[i + 1];
    pairNbr[pfill[pairs[i + 1]]++] = pairs[i];
  }

  // Pass 1: count unique neighbours per node with a marker array; pass 2: fill and sort.
  const marker = new Int32Array(nNodes).fill(-1);
  const nodeRowPtr = new Uint32Array(nNodes + 1);
  const collect = (a: number, emit: (b: number) => void): void => {
    marker[a] = a;
    emit(a);
    for (let k = incPtr[a]; k < incPtr[a + 1]; k++) {
      const base = inc[k] * n;
      for (let j = 0; j < n; j++) {
        const b = cells[base + j];
        if (marker[b] !== a) {
          marker[b] = a;
          emit(b);
        }
      }
    }
    for (let k = pairPtr[a]; k < pairPtr[a + 1]; k++) {
      const b = pairNbr[k];
      if (marker[b] !== a) {
        marker[b] = a;
        emit(b);
      }
    }
  };
  let count = 0;
  const counter = (): void => {
    count++;
  };
  for (let a = 0; a < nNodes; a++) {
    count = 0;
    collect(a, counter);
    nodeRowPtr[a + 1] = nodeRowPtr[a] + count;
  }
  const nodeCols = new Uint32Array(nodeRowPtr[nNodes]);
  marker.fill(-1);
  let pos = 0;
  const writer = (b: number): void => {
    nodeCols[pos++] = b;
  };
  for (let a = 0; a < nNodes; a++) {
    pos = nodeRowPtr[a];
    collect(a, writer);
    nodeCols.subarray(nodeRowPtr[a], nodeRowPtr[a + 1]).sort();
  }

  // Scalar CSR derived from the node graph.
  const rows = 3 * nNodes;
  const rowPtr = new Uint32Array(rows + 1);
  for (let a = 0; a < nNodes; a++) {
    const d = nodeRowPtr[a + 1] - nodeRowPtr[a];
    const base = 9 * nodeRowPtr[a];
    rowPtr[3 * a] = base;
    rowPtr[3 * a + 1] = base + 3 * d;
    rowPtr[3 * a + 2] = base + 6 * d;
  }
  rowPtr[rows] = 9 * nodeRowPtr[nNodes];
  const nnz = rowPtr[rows];
  const colIdx = new Uint32Array(nnz);
  for (let a = 0; a < nNodes; a++) {
    const s0 = nodeRowPtr[a];
    const d = nodeRowPtr[a + 1] - s0;
    for (let i = 0; i < 3; i++) {
      let p = 9 * s0 + 3 * d * i;
      for (let k = 0; k < d; k++) {
        const b3 = 3 * nodeCols[s0 + k];
        colIdx[p++] = b3;
        colIdx[p++] = b3 + 1;
        colIdx[p++] = b3 + 2;
      }
    }
  }

  // Slots of every (a, b) node pair of every cell, found by binary search in row a.
  const cellSlots = new Uint32Array(nCells * n * n);
  for (let c = 0; c < nCells; c++) {
    const base = c * n;
    for (let a = 0; a < n; a++) {
      const na = cells[base + a];
      for (let b = 0; b < n; b++) {
        cellSlots[c * n * n + a * n + b] = findSlot(nodeRowPtr, nodeCols, na, cells[base + b]);
      }
    }
  }
  return {
    nodes: nNodes,
    nodeRowPtr,
    nodeCols,
    matrix: { rows, cols: rows, rowPtr, colIdx, values: new Float64Array(nnz) },
    cellSlots,
  };
}

/** Node-graph slot of node pair (a, b); throws if b is not a neighbour of a. */
export function findSlot(nodeRowPtr: Uint32Array, nodeCols: Uint32Array, a: number, b: number): number {
  let lo = nodeRowPtr[a];
  let hi = nodeRowPtr[a + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = nodeCols[mid];
    if (v === b) return mid;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new DimensionMismatchError(`node ${b} is not in the sparsity pattern of node ${a}`);
}

/**
 * Add a 3×3 block `blk` (row-major, scaled by `s`) into the values of a
 * pattern's matrix at node-graph slot `slot` of node row `a`.
 */
export function addBlock(pattern: StiffnessPattern, values: Float64Array, a: number, slot: number, blk: ArrayLike<number>, s = 1): void {
  const s0 = pattern.nodeRowPtr[a];
  const d = pattern.nodeRowPtr[a + 1] - s0;
  const k = slot - s0;
  const base = 9 * s0 + 3 * k;
  for (let i = 0; i < 3; i++) {
    const p = base + 3 * d * i;
    values[p] += s * blk[3 * i];
    values[p + 1] += s * blk[3 * i + 1];
    values[p + 2] += s * blk[3 * i + 2];
  }
}

/** Per-cell constitutive matrix lookup: by material id (array) or by cell (function). */
export type ConstitutiveLookup = ReadonlyArray<Float64Array> | ((cell: number) => Float64Array);

/**
 * Assemble the global stiffness `K = Σ_e Lₑᵀ Kₑ Lₑ` of the solid cells into
 * `values` (zeroed first), using a pattern from {@link buildStiffnessPattern}.
 *
 * @param pattern - sparsity computed once for this mesh.
 * @param mesh - the mesh the pattern was built for.
 * @param family - element kernels for `mesh.cellType`.
 * @param dLookup - 6×6 constitutive matrices (MPa), by material id or per cell.
 * @param values - output, length `pattern.matrix.colIdx.length` (defaults to the pattern's own storage).
 * @returns the values array (N/mm).
 * @throws InvalidElementError if an element has a non-positive Jacobian (it names the element).
 */
export function assembleStiffness(
  pattern: StiffnessPattern,
  mesh: Mesh,
  family: ElementFamily,
  dLookup: ConstitutiveLookup,
  values: Float64Array = pattern.matrix.values,
): Float64Array {
  const n = family.nodesPerElement;
  const nd = 3 * n;
  const cells = mesh.cells;
  const nodes = mesh.nodes;
  const nCells = cells.length / n;
  const xe = new Float64Array(3 * n);
  const ke = new Float64Array(nd * nd);
  const { nodeRowPtr, cellSlots } = pattern;
  const byCell = typeof dLookup === 'function' ? dLookup : null;
  const byMat = typeof dLookup === 'function' ? null : dLookup;
  values.fill(0);
  for (let c = 0; c < nCells; c++) {
    const cb = c * n;
    for (let a = 0; a < n; a++) {
      const p = 3 * cells[cb + a];
      xe[3 * a] = nodes[p];
      xe[3 * a + 1] = nodes[p + 1];
      xe[3 * a + 2] = nodes[p + 2];
    }
    const D = byCell ? byCell(c) : byMat![mesh.materialIds[c]];
    try {
      family.stiffness(xe, D, ke);
    } catch (e) {
      // the kernel does not know the element's index: name it here
      if (e instanceof InvalidElementError) throw new InvalidElementError(c, e.minDetJ);
      throw e;
    }
    // Scatter: block (a, b) of Kₑ goes to node row cells[a], slot cellSlots[c, a, b].
    const sb = c * n * n;
    for (let a = 0; a < n; a++) {
      const na = cells[cb + a];
      const s0 = nodeRowPtr[na];
      const d3 = 3 * (nodeRowPtr[na + 1] - s0);
      for (let b = 0; b < n; b++) {
        const base = 9 * s0 + 3 * (cellSlots[sb + a * n + b] - s0);
        const r0 = 3 * a * nd + 3 * b;
        for (let i = 0; i < 3; i++) {
          const p = base + d3 * i;
          const r = r0 + i * nd;
          values[p] += ke[r];
          values[p + 1] += ke[r + 1];
          values[p + 2] += ke[r + 2];
        }
      }
    }
  }
  return values;
}

/**
 * Check every element's scaled Jacobian; throws {@link InvalidElementError}
 * naming the first inverted or degenerate element.
 *
 * @param minScaledJacobian - elements at or below this value are refused (default 0).
 */
export function checkElementJacobians(mesh: Mesh, family: ElementFamily, minScaledJacobian = 0): void {
  const n = family.nodesPerElement;
  const xe = new Float64Array(3 * n);
  const nCells = mesh.cells.length / n;
  for (let c = 0; c < nCells; c++) {
    for (let a = 0; a < n; a++) {
      const p = 3 * mesh.cells[c * n + a];
      xe[3 * a] = mesh.nodes[p];
      xe[3 * a + 1] = mesh.nodes[p + 1];
      xe[3 * a + 2] = mesh.nodes[p + 2];
    }
    const sj = family.scaledJacobian(xe);
    if (!(sj > minScaledJacobian)) throw new InvalidElementError(c, sj);
  }
}
