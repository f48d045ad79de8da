/**
 * The device side of {@link deviceLinearSolve}: a worker thread that owns the
 * GPU (WebGPU through Dawn, or gpu.js in its `webgpu` mode) and answers one
 * linear system at a time with the mixed-precision solve (f32 device PCG,
 * AMG V-cycle on the device where the caller gives rigid-body modes, f64
 * refinement). It exists because the FE solve loop (`prepareModel().solve`,
 * active sets, the spine analysis) is synchronous while every WebGPU
 * read-back is a Promise: the caller blocks on a shared flag (`Atomics.wait`)
 * while this thread awaits the device, then reads the reply with
 * `receiveMessageOnPort`.
 *
 * Protocol: a {@link DeviceSolveRequest} on the port → exactly one
 * {@link DeviceSolveReply} on the port, then flag[0] ← 1 and a notify.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { DeviceSystemSolver, type DeviceSolveReply, type DeviceSolveRequest } from './device-system-solve.js';

const solver = new DeviceSystemSolver();
if (parentPort && workerData?.port) {
  const port = workerData.port as MessagePort;
  const flag = new Int32Array(workerData.flag as SharedArrayBuffer);
  port.on('message', (req: DeviceSolveRequest) => {
    void solver
      .solve(req)
      .catch((e: unknown): DeviceSolveReply => ({ kind: 'error', message: (e as Error)?.stack ?? String(e) }))
      .then((reply) => {
        port.postMessage(reply);
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
      });
  });
}
