/**
 * Element families (hex8 B-bar, tet4, tet10) and the lookup by cell type.
 */
import type { CellType } from '@spinefea/mesh';
import { InvalidArgumentError } from '../../errors.js';
import type { ElementFamily } from '../element-family.js';
import { hex8 } from './hex8.js';
import { tet4 } from './tet4.js';
import { tet10 } from './tet10.js';

export { hex8 } from './hex8.js';
export { tet4 } from './tet4.js';
export { tet10 } from './tet10.js';
// Reference rules and shape functions, e.g. for placing sampling points in post-processing.
export * from './quadrature.js';
export * from './shape-functions.js';

/**
 * The element family of a cell type.
 *
 * @param cellType - `'hex8' | 'tet4' | 'tet10'`.
 * @returns the family's kernels.
 * @example
 * ```ts
 * const family = elementFamily(mesh.cellType);
 * const ke = new Float64Array((3 * family.nodesPerElement) ** 2);
 * ```
 */
export function elementFamily(cellType: CellType): ElementFamily {
  switch (cellType) {
    case 'hex8':
      return hex8;
    case 'tet4':
      return tet4;
    case 'tet10':
      return tet10;
    default:
      throw new InvalidArgumentError(`unsupported cell type '${String(cellType)}' (expected hex8, tet4 or tet10)`);
  }
}
