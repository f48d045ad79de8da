/**
 * `@spinefea/core/io`: interoperability — export a model and a load case to CalculiX/Abaqus
 * `.inp` and FEBio 4 `.feb` (both written from one format-neutral export plan), and read
 * CalculiX results (`.dat`, `.frd`) back. See docs/interop.md. Units: mm, N, MPa.
 * @packageDocumentation
 */
export { calculixExport, toCalculixInp, type CalculixExport, type CalculixExportOptions, type CalculixReferenceIds } from '../io/calculix.js';
export { febioExport, toFebioXml, type FebioExport, type FebioExportOptions } from '../io/febio.js';
export {
  exportPlan,
  type ExportPlan,
  type ExportPlanOptions,
  type MaterialGroup,
  type PlannedDisplacementBc,
  type PlannedNodeSet,
  type PlannedReferenceBc,
  type PlannedRigidLoad,
  type PlannedSpring,
} from '../io/export-plan.js';
export type { ExportContext } from '../io/export-common.js';
export {
  calculixNodalArray,
  calculixNodeValues,
  parseCalculixDat,
  parseFrd,
  type CalculixDatResult,
  type CalculixTable,
  type FrdResult,
} from '../io/calculix-results.js';
