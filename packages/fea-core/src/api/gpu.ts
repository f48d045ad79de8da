/**
 * `@spinefea/core/gpu`: compute backends and the device solvers — the CPU reference backend,
 * gpu.js and WebGPU kernels, PCG written once against `DeviceKernels`, the AMG V-cycle on a
 * device, f32-inner / f64-outer mixed-precision refinement, and `autoSolve`, which picks a
 * device by size and falls back to the CPU on a device failure (`DeviceFailureError`, exported
 * from `@spinefea/core` with the other errors). See docs/gpu.md.
 * @packageDocumentation
 */
export type { Backend, BackendMatrix, BackendVector } from '../backend/index.js';
export {
  SOLVE_BACKENDS,
  closeDeviceThreads,
  DeviceSystemSolver,
  type DeviceSolveReply,
  type DeviceSolveRequest,
} from '../backend/index.js';
export { cpuBackend, type CpuMatrix, type CpuVector } from '../backend/index.js';
export { GPU_CROSSOVER_DOFS, autoSolve, selectBackend, type AutoSolution, type AutoSolveOptions, type BackendChoice } from '../backend/index.js';
export {
  createGpujsKernels,
  gpujsInnerSolver,
  type GpujsKernels,
  type GpujsMatrix,
  type GpujsMode,
  type GpujsOptions,
  type GpujsVector,
} from '../backend/index.js';
export {
  createWebgpuKernels,
  webgpuInnerSolver,
  type WebgpuKernels,
  type WebgpuMatrix,
  type WebgpuOptions,
  type WebgpuVector,
} from '../backend/index.js';
export {
  deviceInnerSolver,
  devicePcg,
  devicePcgWork,
  referenceDeviceKernels,
  type DeviceKernels,
  type DeviceMatrix,
  type DevicePcgOptions,
  type DevicePcgWork,
  type DevicePreconditioner,
  type DeviceVector,
  type PcgScalars,
  type ReferenceMatrix,
  type ReferenceVector,
} from '../backend/index.js';
export {
  cpuF32InnerSolver,
  csrToF32,
  f32Pcg,
  inverseDiagonalF32,
  mixedPrecisionSolve,
  mixedPrecisionSolveSync,
  type CsrMatrixF32,
  type F32PcgOptions,
  type InnerSolveOptions,
  type InnerSolveResult,
  type InnerSolver,
  type MixedPrecisionOptions,
  type MixedPrecisionSolution,
  type RefinementStep,
} from '../backend/index.js';
export {
  deviceAmgInnerSolver,
  deviceAmgVcycle,
  type DeviceAmgInnerSolverOptions,
  type DeviceAmgLevel,
  type DeviceAmgVcycle,
} from '../solvers/amg/index.js';
