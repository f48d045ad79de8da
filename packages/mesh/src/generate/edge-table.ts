/**
 * Unique undirected edges of a cell list, found without hashing: edges are
 * bucketed by their smaller node index (counting sort), then each (short)
 * bucket is sorted and deduplicated in place. O(E) memory, no Map, so it
 * stays fast for millions of cells.
 * @internal
 */

/** Unique edges and, for every local edge of every cell, its edge id. */
export interface EdgeTable {
  /** Number of unique edges. */
  count: number;
  /** Edge endpoints, `[a0, b0, a1, b1, …]` with `a < b`, length `2·count`. */
  ends: Uint32Array;
  /** Edge id of local edge `e` of cell `c` at `cellEdges[c·edgesPerCell + e]`. */
  cellEdges: Uint32Array;
}

/**
 * Build the unique edge table of `cells` for the given local edges.
 *
 * @param cells - node indices, `nodesPerCell` per cell.
 * @param nodesPerCell - stride of `cells`.
 * @param nodeCount - number of nodes (every index is `< nodeCount`).
 * @param localEdges - local node pairs of each cell edge, e.g. `[[0,1],[1,2],…]`.
 * @example
 * ```ts
 * const t = buildEdgeTable(new Uint32Array([0, 1, 2, 3]), 4, 4, [[0, 1], [1, 2], [2, 0], [0, 3], [1, 3], [2, 3]]);
 * // t.count === 6
 * ```
 */
export function buildEdgeTable(
  cells: Uint32Array,
  nodesPerCell: number,
  nodeCount: number,
  localEdges: readonly (readonly [number, number])[],
): EdgeTable {
  const nc = cells.length / nodesPerCell;
  const ne = localEdges.length;
  const la = Uint8Array.from(localEdges.map((e) => e[0]));
  const lb = Uint8Array.from(localEdges.map((e) => e[1]));
  // 1. Count edges per smaller endpoint.
  const start = new Uint32Array(nodeCount + 1);
  for (let c = 0; c < nc; c++) {
    const base = c * nodesPerCell;
    for (let e = 0; e < ne; e++) {
      const a = cells[base + la[e]];
      const b = cells[base + lb[e]];
      start[(a < b ? a : b) + 1]++;
    }
  }
  for (let i = 0; i < nodeCount; i++) start[i + 1] += start[i];
  // 2. Fill each bucket with the larger endpoints.
  const other = new Uint32Array(start[nodeCount]);
  const fill = start.slice(0, nodeCount);
  for (let c = 0; c < nc; c++) {
    const base = c * nodesPerCell;
    for (let e = 0; e < ne; e++) {
      const a = cells[base + la[e]];
      const b = cells[base + lb[e]];
      if (a < b) other[fill[a]++] = b;
      else other[fill[b]++] = a;
    }
  }
  // 3. Sort + dedup each bucket in place (buckets hold ~3..30 entries: insertion sort).
  const uniqueCount = new Uint32Array(nodeCount);
  let total = 0;
  for (let a = 0; a < nodeCount; a++) {
    const s = start[a];
    const e = start[a + 1];
    for (let i = s + 1; i < e; i++) {
      const v = other[i];
      let j = i - 1;
      while (j >= s && other[j] > v) {
        other[j + 1] = other[j];
        j--;
      }
      other[j + 1] = v;
    }
    let u = 0;
    for (let i = s; i < e; i++) if (u === 0 || other[s + u - 1] !== other[i]) other[s + u++] = other[i];
    uniqueCount[a] = u;
    total += u;
  }
  // 4. Edge ids: compacted offset of each bucket.
  const edgeStart = new Uint32Array(nodeCount);
  const ends = new Uint32Array(2 * total);
  let id = 0;
  for (let a = 0; a < nodeCount; a++) {
    edgeStart[a] = id;
    const s = start[a];
    for (let i = 0; i < uniqueCount[a]; i++) {
      ends[2 * id] = a;
      ends[2 * id + 1] = other[s + i];
      id++;
    }
  }
  const cellEdges = new Uint32Array(nc * ne);
  for (let c = 0; c < nc; c++) {
    const base = c * nodesPerCell;
    for (let e = 0; e < ne; e++) {
      let a = cells[base + la[e]];
      let b = cells[base + lb[e]];
      if (a > b) {
        const t = a;
        a = b;
        b = t;
      }
      const s = start[a];
      let i = 0;
      while (other[s + i] !== b) i++;
      cellEdges[c * ne + e] = edgeStart[a] + i;
    }
  }
  return { count: total, ends, cellEdges };
}
