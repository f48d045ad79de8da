/** Compute backends: the CPU reference, the device PCG and mixed-precision refinement, gpu.js and WebGPU, and `auto` selection. */
export * from './backend.js';
export * from './cpu.js';
export * from '../solvers/mixed-precision.js';
export * from '../solvers/device-pcg.js';
export * from './gpujs.js';
export * from './webgpu.js';
export * from './auto.js';
export { SOLVE_BACKENDS, closeDeviceThreads, type SolveBackend, type BackendReport } from './solve-with-backend.js';
export { DeviceSystemSolver, type DeviceSolveRequest, type DeviceSolveReply } from './device-system-solve.js';
export { InvalidBackendError } from './backend-errors.js';
