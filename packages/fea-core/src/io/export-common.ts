import { CELL_INFO, type CellInfo, type Mesh } from '@spinefea/mesh';
import { InvalidArgumentError } from '../errors.js';
import type { ElementFamily } from '../fem/element-family.js';
import { elementFamily } from '../fem/elements/index.js';
import { dofLayout, type DofLayout } from '../model/constraints.js';
import type { FeModel } from '../model/model.js';

/** What every exporter needs of a model: its mesh, cell info, element family, counts and DOF layout. */
export interface ExportContext {
  mesh: Mesh;
  info: CellInfo;
  family: ElementFamily;
  npc: number;
  nNodes: number;
  nCells: number;
  layout: DofLayout;
}

/**
 * The {@link ExportContext} of a model; throws naming the format for a cell type it cannot write.
 *
 * @example
 * ```ts
 * const { mesh, npc, nCells } = exportContext(model, 'calculix export');
 * ```
 */
export function exportContext(model: FeModel, what: string): ExportContext {
  const mesh = model.mesh;
  const info = CELL_INFO[mesh.cellType];
  if (!info) throw new InvalidArgumentError(`${what}: unsupported cell type '${String(mesh.cellType)}'`);
  const npc = info.nodesPerCell;
  return { mesh, info, family: elementFamily(mesh.cellType), npc, nNodes: mesh.nodes.length / 3, nCells: mesh.cells.length / npc, layout: dofLayout(model) };
}

/**
 * A generator of unique set/material names: `sanitize` maps a label to the format's
 * character set, and a repeated name gets `_2`, `_3`, … appended.
 *
 * @example
 * ```ts
 * const name = uniqueNamer((s) => s.toUpperCase());
 * name('a'); name('a'); // 'A', 'A_2'
 * ```
 */
export function uniqueNamer(sanitize: (base: string) => string): (base: string) => string {
  const used = new Set<string>();
  return (base: string) => {
    const s = sanitize(base);
    let name = s;
    for (let k = 2; used.has(name); k++) name = `${s}_${k}`;
    used.add(name);
    return name;
  };
}

/**
 * Orthonormal in-plane basis (e1, e2) of a transversely isotropic material whose
 * symmetry axis is e3 = axis/|axis|: e1 is the projection of the coordinate axis least
 * aligned with e3, e2 = e3 × e1. Any in-plane pair gives the same stiffness, so this one
 * need not match `constitutiveMatrix`'s choice; the exporters write it as the material
 * orientation (CalculiX `*ORIENTATION`, FEBio `mat_axis`).
 *
 * @example
 * ```ts
 * const { e1, e2 } = transverseBasis([0, 0, 1]); // e1 = [1, 0, 0], e2 = [0, 1, 0]
 * ```
 */
export function transverseBasis(axis: readonly number[]): { e1: number[]; e2: number[] } {
  const l = Math.hypot(axis[0], axis[1], axis[2]);
  const z = [axis[0] / l, axis[1] / l, axis[2] / l];
  const a = z.map(Math.abs);
  const h = a[0] <= a[1] && a[0] <= a[2] ? [1, 0, 0] : a[1] <= a[2] ? [0, 1, 0] : [0, 0, 1];
  const hz = h[0] * z[0] + h[1] * z[1] + h[2] * z[2];
  const x = [h[0] - hz * z[0], h[1] - hz * z[1], h[2] - hz * z[2]];
  const xl = Math.hypot(x[0], x[1], x[2]);
  const e1 = x.map((v) => v / xl);
  const e2 = [z[1] * e1[2] - z[2] * e1[1], z[2] * e1[0] - z[0] * e1[2], z[0] * e1[1] - z[1] * e1[0]];
  return { e1, e2 };
}
