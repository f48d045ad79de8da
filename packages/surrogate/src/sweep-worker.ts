/**
 * Child process of the sweep pool: receives `{ type: 'task', index, point, settings }`,
 * answers `{ type: 'result', record }`. Exits when the parent disconnects (also when
 * the parent is killed), so no orphan keeps solving.
 */
import { pathToFileURL } from 'node:url';
import { recordKey, type SweepRecord } from './records.js';
import type { DesignPoint } from './design-space.js';
import type { SimulationSettings } from './simulate.js';

type Simulate = (index: number, point: DesignPoint, settings: SimulationSettings) => SweepRecord | Promise<SweepRecord>;

async function loadSimulator(): Promise<Simulate> {
  const custom = process.env.SPINEFEA_SWEEP_SIMULATOR;
  if (custom) return (await import(pathToFileURL(custom).href)).simulate as Simulate;
  return (await import('./simulate.js')).simulateDesignPoint;
}

const simulatorReady = loadSimulator();
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group: the parent decides (finish the current point, then
// stop), so a worker never dies half-way through a point because of it.
process.on('SIGINT', () => {});
process.on('message', async (m: { type: string; index: number; point: DesignPoint; settings: SimulationSettings }) => {
  if (m.type !== 'task') return;
  const simulate = await simulatorReady;
  let record: SweepRecord;
  try {
    record = await simulate(m.index, m.point, m.settings);
  } catch (e) {
    // simulateDesignPoint never throws; a custom simulator might
    record = {
      key: recordKey(m.index, m.point, m.settings.resolution),
      index: m.index,
      status: 'failed',
      inputs: m.point,
      resolution: m.settings.resolution,
      error: { name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e), stage: 'worker' },
      timing: { meshMs: 0, solveMs: 0, totalMs: 0 },
      solverVersion: '?',
      finishedAt: new Date().toISOString(),
    };
  }
  process.send!({ type: 'result', record });
});
