/**
 * The device-kernel backends every device test runs against: CPU references in
 * f64 and f32, gpu.js (cpu mode, optionally webasm) and WebGPU on whatever
 * adapter Dawn finds — a GPU, or Mesa 25's lavapipe (software Vulkan) that
 * `.ci/setup-lavapipe.sh` unpacks and `.ci/run` selects. A factory resolves to
 * the kernels, or to the reason the backend is unavailable (the test skips with
 * it on a user's machine; under CI=true a missing adapter throws).
 */
import { referenceDeviceKernels, type DeviceKernels, type DeviceMatrix, type DeviceVector } from '../../src/solvers/device-pcg.js';
import { createGpujsKernels } from '../../src/backend/gpujs.js';
import { createWebgpuKernels } from '../../src/backend/webgpu.js';

export type AnyKernels = DeviceKernels<DeviceVector, DeviceMatrix>;

/** `[label, factory]` pairs; `webasm` adds gpu.js' WebAssembly mode. */
export function deviceKernelFactories(o: { webasm?: boolean } = {}): [string, () => Promise<AnyKernels | string>][] {
  return [
    ['reference-f64', async () => referenceDeviceKernels('f64') as unknown as AnyKernels],
    ['reference-f32', async () => referenceDeviceKernels('f32') as unknown as AnyKernels],
    ['gpujs:cpu', async () => ((await createGpujsKernels({ mode: 'cpu' })) as unknown as AnyKernels) ?? 'gpu.js did not load'],
    ...(o.webasm
      ? ([['gpujs:webasm', async () => ((await createGpujsKernels({ mode: 'webasm' })) as unknown as AnyKernels) ?? 'gpu.js webasm mode unavailable']] as [string, () => Promise<AnyKernels | string>][])
      : []),
    ['webgpu', webgpuTestKernels],
  ];
}

/** What to do on a machine without an adapter (named in the skip message and the CI failure). */
export const NO_WEBGPU_HINT =
  'WebGPU: no adapter (requestAdapter() returned null); on Debian bookworm run `bash .ci/setup-lavapipe.sh` and `source /opt/lavapipe/env.sh` for software Vulkan (Mesa 25 lavapipe)';

/**
 * The WebGPU kernels on the default adapter (software adapters allowed), or the
 * reason there are none; throws under CI=true, where `.ci/run` provides lavapipe.
 */
export async function webgpuTestKernels(options: Parameters<typeof createWebgpuKernels>[0] = {}): Promise<AnyKernels | string> {
  const k = await createWebgpuKernels(options);
  if (k) return k as unknown as AnyKernels;
  if (process.env.CI === 'true') throw new Error(`${NO_WEBGPU_HINT} — required under CI=true`);
  return NO_WEBGPU_HINT;
}
