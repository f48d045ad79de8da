/**
 * Growing arrays for the body-fitted segment: nodes, hex8 cells with their
 * region ids, and embedded-node ties. Blocks add their nodes once and share
 * node ids across conforming interfaces by passing id arrays around.
 */
import { InvalidMeshError } from '../../errors.js';
import type { OGridSection } from './o-grid.js';

/** Hex8 local faces (VTK order): 0 bottom (nodes 0–3), 1 top (4–7). */
export const HEX_BOTTOM_FACE = 0;
/** Hex8 local face number of the top face (nodes 4, 5, 6, 7). */
export const HEX_TOP_FACE = 1;

/**
 * Nodes tied into host cells (the embedded-element technique):
 * `u(slave) = Σ_a weights[8s + a] · u(hostNodes[8s + a])` (hex8 shape
 * functions at the slave's natural coordinates in its host cell).
 */
export interface EmbeddedTies {
  /** What is tied into what, e.g. `L4.pedicle.left→L4.body`. */
  names: string[];
  /** Tie group of each slave (index into `names`). */
  groupOf: Uint16Array;
  slaves: Uint32Array;
  /** Host cell of each slave. */
  hostCells: Uint32Array;
  /** 8 host nodes per slave. */
  hostNodes: Uint32Array;
  /** 8 weights per slave (they sum to 1). */
  weights: Float64Array;
  /** Distance (mm) from each slave to the point of the host it is tied to (0 inside the host). */
  gap: Float64Array;
}

/** Accumulates the mesh of the body-fitted segment. */
export class FittedMeshBuilder {
  private xyz: number[] = [];
  private cellNodes: number[] = [];
  private cellRegion: number[] = [];

  /** Node count so far. */
  get nodeCount(): number {
    return this.xyz.length / 3;
  }

  /** Cell count so far. */
  get cellCount(): number {
    return this.cellRegion.length;
  }

  /** Adds a node (mm) and returns its id. */
  addNode(x: number, y: number, z: number): number {
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) {
      throw new InvalidMeshError(`body-fitted segment: node ${this.nodeCount} has a non-finite coordinate (${x}, ${y}, ${z})`);
    }
    this.xyz.push(x, y, z);
    return this.nodeCount - 1;
  }

  /** Coordinates of node `id`. */
  node(id: number): [number, number, number] {
    return [this.xyz[3 * id], this.xyz[3 * id + 1], this.xyz[3 * id + 2]];
  }

  /** Adds a hex8 cell (VTK order) of region `region`; returns its id. */
  addHex(nodes: ArrayLike<number>, region: number): number {
    for (let a = 0; a < 8; a++) this.cellNodes.push(nodes[a]);
    this.cellRegion.push(region);
    return this.cellCount - 1;
  }

  /** Node ids of cell `c`. */
  cell(c: number): number[] {
    return this.cellNodes.slice(8 * c, 8 * c + 8);
  }

  /** Region of cell `c`. */
  region(c: number): number {
    return this.cellRegion[c];
  }

  /** Re-assigns the region of cell `c`. */
  setRegion(c: number, region: number): void {
    this.cellRegion[c] = region;
  }

  /** The arrays (copied into typed arrays). */
  arrays(): { nodes: Float64Array; cells: Uint32Array; materialIds: Uint16Array } {
    return { nodes: Float64Array.from(this.xyz), cells: Uint32Array.from(this.cellNodes), materialIds: Uint16Array.from(this.cellRegion) };
  }

  /** The current node coordinates (a live view for searches while building). */
  coordinates(): readonly number[] {
    return this.xyz;
  }

  /** The current cell connectivity (live). */
  connectivity(): readonly number[] {
    return this.cellNodes;
  }
}

/** A swept/extruded O-grid block: node ids per (level, section node) and its cells. */
export interface SectionStack {
  /** `ids[k·nodeCount + i]`: node of section node `i` on level `k`. */
  ids: Uint32Array;
  levels: number;
  /** First cell id and count per layer (cells of layer k lie between levels k and k+1). */
  layerCells: { first: number; count: number }[];
}

/**
 * Emits hexes between consecutive levels of an O-grid stack whose node ids
 * are already known. The region of each cell comes from `regionOf(layer, quadRing)`.
 * Cells are oriented so the bottom face (local face 0) faces level k.
 */
export function emitStackCells(
  b: FittedMeshBuilder,
  section: OGridSection,
  ids: Uint32Array,
  levels: number,
  regionOf: (layer: number, quadRing: number, quad: number) => number,
): SectionStack {
  const nn = section.nodeCount;
  const nq = section.quadRing.length;
  const layerCells: { first: number; count: number }[] = [];
  const hex = new Array<number>(8);
  for (let k = 0; k + 1 < levels; k++) {
    const first = b.cellCount;
    for (let c = 0; c < nq; c++) {
      for (let a = 0; a < 4; a++) {
        const s = section.quads[4 * c + a];
        hex[a] = ids[k * nn + s];
        hex[4 + a] = ids[(k + 1) * nn + s];
      }
      b.addHex(hex, regionOf(k, section.quadRing[c], c));
    }
    layerCells.push({ first, count: nq });
  }
  return { ids, levels, layerCells };
}
