import { meshToVtu, type Mesh, type VtuField } from '@spinefea/mesh';
import type { ConstitutiveLookup } from '../fem/assemble.js';
import { elementAverage, elementFields, nodalAverage, type ElementFields } from './stress.js';
import { hydrostaticPressure, principalStresses, vonMises } from './invariants.js';

/**
 * The standard result fields of a solve, ready for statistics or a VTU file.
 * Layouts: per node `nodes·k`, per cell `cells·k`, per sampling point `cells·sp·k`.
 */
export interface ResultFields {
  /** Sampling-point strains/stresses/volumes (see {@link elementFields}). */
  samples: ElementFields;
  /** von Mises stress at every sampling point (MPa). */
  vonMisesSamples: Float64Array;
  /** Cell means (volume-weighted): stress (6, MPa), von Mises (MPa), pressure (MPa, + compression). */
  cellStress: Float64Array;
  cellVonMises: Float64Array;
  cellPressure: Float64Array;
  /** Nodal averages: stress (6), von Mises, principal stresses (3, σ1 ≥ σ2 ≥ σ3), MPa. */
  nodalStress: Float64Array;
  nodalVonMises: Float64Array;
  nodalPrincipal: Float64Array;
}

/**
 * Compute the standard stress fields from a displacement solution.
 *
 * @param mesh - the solved mesh.
 * @param dLookup - constitutive matrices by material id (or per cell), MPa.
 * @param displacement - nodal displacements, xyz interleaved (mm).
 * @example
 * ```ts
 * const prepared = prepareModel(model);
 * const sol = prepared.solve(loadCase);
 * const fields = resultFields(model.mesh, prepared.dMatrices, sol.displacement);
 * console.log(Math.max(...fields.cellVonMises));
 * ```
 */
export function resultFields(mesh: Mesh, dLookup: ConstitutiveLookup, displacement: Float64Array): ResultFields {
  const samples = elementFields(mesh, dLookup, displacement);
  const sp = samples.samplingPoints;
  const vonMisesSamples = vonMises(samples.stress);
  const cellStress = elementAverage(samples.stress, samples.weights, 6, sp);
  const cellVonMises = elementAverage(vonMisesSamples, samples.weights, 1, sp);
  const cellPressure = hydrostaticPressure(cellStress);
  // Nodal stresses are averaged within each region: stresses jump at material interfaces.
  const nodalStress = nodalAverage(mesh, samples.stress, 6, sp, { byRegion: true });
  return {
    samples,
    vonMisesSamples,
    cellStress,
    cellVonMises,
    cellPressure,
    nodalStress,
    nodalVonMises: vonMises(nodalStress),
    nodalPrincipal: principalStresses(nodalStress),
  };
}

/**
 * A VTU file (ParaView) of a solution: point fields `displacement` (mm),
 * `stress` (6, Voigt xx,yy,zz,xy,yz,zx, MPa), `vonMises`, `principalStress`;
 * cell fields `region`, `stress`, `vonMises`, `pressure`, plus any extras.
 */
export function resultsToVtu(
  mesh: Mesh,
  displacement: Float64Array,
  fields: ResultFields,
  extra: { pointData?: Record<string, VtuField>; cellData?: Record<string, VtuField>; format?: 'binary' | 'ascii' } = {},
): string {
  return meshToVtu(mesh, {
    format: extra.format,
    pointData: {
      displacement: { values: displacement, components: 3 },
      stress: { values: fields.nodalStress, components: 6 },
      vonMises: { values: fields.nodalVonMises, components: 1 },
      principalStress: { values: fields.nodalPrincipal, components: 3 },
      ...extra.pointData,
    },
    cellData: {
      stress: { values: fields.cellStress, components: 6 },
      vonMises: { values: fields.cellVonMises, components: 1 },
      pressure: { values: fields.cellPressure, components: 1 },
      ...extra.cellData,
    },
  });
}
