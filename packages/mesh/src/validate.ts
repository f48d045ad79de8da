/**
 * Structural validation of a {@link Mesh}: array lengths, finite
 * coordinates and index ranges. Geometric validity (inverted cells) is a
 * quality question, see `meshQuality`.
 */
import { CELL_INFO, type Mesh } from './mesh.js';
import { InvalidMeshError } from './errors.js';

const AXES = ['x', 'y', 'z'] as const;

/**
 * Check that the arrays of `mesh` fit together. O(nodes + cells + sets).
 *
 * @throws InvalidMeshError naming the first problem found:
 * unknown cell type; `nodes.length` not a multiple of 3; a non-finite
 * coordinate (node index and axis); `cells.length` not a multiple of
 * `nodesPerCell`; a node index out of range (cell index and local node);
 * `materialIds.length` ≠ cell count; a node-set or face-set index out of
 * range (set name and position); face-set `cells`/`faces` length mismatch or
 * a local face number out of range; region names that are not strings.
 * @example
 * ```ts
 * validateMesh(boxMesh({ size: [1, 1, 1], divisions: [2, 2, 2], cellType: 'hex8' })); // passes
 * ```
 */
export function validateMesh(mesh: Mesh): void {
  const info = CELL_INFO[mesh.cellType];
  if (!info) throw new InvalidMeshError(`unknown cellType ${String(mesh.cellType)}; expected hex8, tet4 or tet10`);
  const { nodes, cells, materialIds } = mesh;
  if (!(nodes instanceof Float64Array)) throw new InvalidMeshError('nodes must be a Float64Array');
  if (!(cells instanceof Uint32Array)) throw new InvalidMeshError('cells must be a Uint32Array');
  if (!(materialIds instanceof Uint16Array)) throw new InvalidMeshError('materialIds must be a Uint16Array');
  if (nodes.length % 3 !== 0) throw new InvalidMeshError(`nodes.length ${nodes.length} is not a multiple of 3 (xyz interleaved)`);
  for (let i = 0; i < nodes.length; i++)
    if (!Number.isFinite(nodes[i]))
      throw new InvalidMeshError(`node ${Math.floor(i / 3)} has a non-finite ${AXES[i % 3]} coordinate (${nodes[i]})`);
  const nn = nodes.length / 3;
  const npc = info.nodesPerCell;
  if (cells.length % npc !== 0)
    throw new InvalidMeshError(`cells.length ${cells.length} is not a multiple of ${npc} (nodes per ${mesh.cellType} cell)`);
  const nc = cells.length / npc;
  for (let i = 0; i < cells.length; i++)
    if (cells[i] >= nn) {
      const c = Math.floor(i / npc);
      throw new InvalidMeshError(`cell ${c} local node ${i % npc} refers to node ${cells[i]}, but there are only ${nn} nodes`, c);
    }
  if (materialIds.length !== nc) throw new InvalidMeshError(`materialIds.length ${materialIds.length} ≠ cell count ${nc}`);
  if (mesh.regionNames !== undefined) {
    if (!Array.isArray(mesh.regionNames)) throw new InvalidMeshError('regionNames must be an array of strings');
    mesh.regionNames.forEach((n, i) => {
      if (n !== undefined && typeof n !== 'string') throw new InvalidMeshError(`regionNames[${i}] is not a string`);
    });
  }
  for (const [name, set] of Object.entries(mesh.nodeSets ?? {})) {
    if (!(set instanceof Uint32Array)) throw new InvalidMeshError(`node set "${name}" must be a Uint32Array`);
    for (let i = 0; i < set.length; i++)
      if (set[i] >= nn) throw new InvalidMeshError(`node set "${name}" entry ${i} is node ${set[i]}, but there are only ${nn} nodes`);
  }
  const nf = info.faces.length;
  for (const [name, fs] of Object.entries(mesh.faceSets ?? {})) {
    if (!(fs.cells instanceof Uint32Array) || !(fs.faces instanceof Uint8Array))
      throw new InvalidMeshError(`face set "${name}" needs cells: Uint32Array and faces: Uint8Array`);
    if (fs.cells.length !== fs.faces.length)
      throw new InvalidMeshError(`face set "${name}" has ${fs.cells.length} cells but ${fs.faces.length} faces`);
    for (let i = 0; i < fs.cells.length; i++) {
      if (fs.cells[i] >= nc) throw new InvalidMeshError(`face set "${name}" entry ${i} is cell ${fs.cells[i]}, but there are only ${nc} cells`);
      if (fs.faces[i] >= nf)
        throw new InvalidMeshError(`face set "${name}" entry ${i} is local face ${fs.faces[i]}, but a ${mesh.cellType} has ${nf} faces`, fs.cells[i]);
    }
  }
}
