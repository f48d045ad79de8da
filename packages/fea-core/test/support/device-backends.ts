/**
 * The device-kernel backends every device test runs against: CPU references in
 * f64 and f32, gpu.js (cpu mode, optionally webasm) and WebGPU — the last one
 * on a hardware adapter, or on Dawn's OpenGL ES backend over llvmpipe when
 * SPINEFEA_WEBGPU_SOFTWARE=1 (opt-in: that software adapter aborts the process at
 * random). A factory resolves to the kernels, or to the reason the backend is
 * unavailable (the test skips with it).
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
    [
      'webgpu',
      async () => {
        const hw = await createWebgpuKernels({ allowSoftwareAdapter: false });
        if (hw) return hw as unknown as AnyKernels;
        if (process.env.SPINEFEA_WEBGPU_SOFTWARE === '1') {
          process.env.EGL_PLATFORM ??= 'surfaceless';
          process.env.XDG_RUNTIME_DIR ??= '/tmp';
          const sw = await createWebgpuKernels({ dawnFlags: ['backend=opengles'], adapterOptions: { featureLevel: 'compatibility' } });
          if (sw) return sw as unknown as AnyKernels;
        }
        return 'WebGPU: no adapter (requestAdapter() returned null)';
      },
    ],
  ];
}
