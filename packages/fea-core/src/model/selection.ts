import type { FaceSet, Mesh } from '@spinefea/mesh';
import { InvalidBoundaryConditionError } from '../errors.js';
import type { FaceSelection, NodeSelection } from './model.js';

/**
 * Resolve a node selection (set name or explicit indices) to node indices,
 * checking that the set exists and every index is in range.
 */
export function resolveNodes(mesh: Mesh, sel: NodeSelection, what: string): Uint32Array {
  const nNodes = mesh.nodes.length / 3;
  let nodes: Uint32Array;
  if (typeof sel === 'string') {
    const set = mesh.nodeSets[sel];
    if (!set) {
      const known = Object.keys(mesh.nodeSets);
      throw new InvalidBoundaryConditionError(
        `${what}: unknown node set '${sel}' (the mesh has ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'no node sets'})`,
      );
    }
    nodes = set;
  } else nodes = sel instanceof Uint32Array ? sel : Uint32Array.from(sel);
  if (nodes.length === 0) throw new InvalidBoundaryConditionError(`${what}: the node selection is empty`);
  for (let i = 0; i < nodes.length; i++) {
    if (!(nodes[i] < nNodes)) throw new InvalidBoundaryConditionError(`${what}: node index ${nodes[i]} out of range (mesh has ${nNodes} nodes)`);
  }
  return nodes;
}

/** Resolve a face selection (set name or explicit set) to a face set. */
export function resolveFaces(mesh: Mesh, sel: FaceSelection, what: string): FaceSet {
  let fs: FaceSet;
  if (typeof sel === 'string') {
    const set = mesh.faceSets[sel];
    if (!set) throw new InvalidBoundaryConditionError(`${what}: unknown face set '${sel}'`);
    fs = set;
  } else fs = sel;
  if (fs.cells.length !== fs.faces.length) throw new InvalidBoundaryConditionError(`${what}: face set cells/faces lengths differ`);
  return fs;
}
