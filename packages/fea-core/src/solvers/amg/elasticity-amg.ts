/**
 * The SA-AMG preconditioner set up for a constraint-reduced elasticity
 * model: rigid-body modes of the mesh restricted to the free DOFs as the
 * near-null space, nodes (and reference nodes) as DOF blocks.
 */
import type { CsrMatrix } from '../../linalg/types.js';
import type { ConstraintTransform } from '../../model/constraints.js';
import { RIGID_BODY_MODE_COUNT, reducedRigidBodyModes } from './rigid-body-modes.js';
import type { AmgOptions } from './hierarchy.js';
import { smoothedAggregationAmg, type AmgPreconditioner } from './smoothed-aggregation.js';

/** Tuning options of {@link elasticityAmgFactory} (everything but the blocks and the near-null space). */
export type ElasticityAmgOptions = Omit<AmgOptions, 'blockPtr' | 'nearNullSpace' | 'nullSpaceDim'>;

/**
 * A preconditioner factory `(K_r, blockPtr) => SA-AMG` for the reduced
 * system of a model, in the form `prepareModel`'s `preconditioner` option
 * takes. The reduced rigid-body modes are computed once (they depend only on
 * the mesh and the constraints) and reused if the factory is called again
 * (e.g. after tension-only springs switch and K_r is rebuilt).
 *
 * @param coords mesh node coordinates, xyz interleaved (mm)
 * @param transform the model's constraint transform (`buildConstraintTransform(model)`)
 * @param options AMG tuning (strength threshold, smoother, coarse size …)
 * @example
 * ```ts
 * const tr = buildConstraintTransform(model);
 * const prepared = prepareModel(model, { preconditioner: elasticityAmgFactory(model.mesh.nodes, tr) });
 * ```
 */
export function elasticityAmgFactory(
  coords: Float64Array,
  transform: ConstraintTransform,
  options: ElasticityAmgOptions = {},
): (K: CsrMatrix, blockPtr: Uint32Array) => AmgPreconditioner {
  let modes: Float64Array | undefined;
  return (K, blockPtr) => {
    modes ??= reducedRigidBodyModes(coords, transform);
    return smoothedAggregationAmg(K, { ...options, blockPtr, nearNullSpace: modes, nullSpaceDim: RIGID_BODY_MODE_COUNT });
  };
}
