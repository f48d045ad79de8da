/**
 * tfjs backend selection for Node: the WebAssembly backend (no native
 * bindings; about 4× the pure-JS 'cpu' backend here) when it loads, else 'cpu'.
 */
import * as tf from '@tensorflow/tfjs';

let chosen: Promise<string> | undefined;

/**
 * Select the tfjs backend once per process: `preferred` (default 'wasm'), falling
 * back to 'cpu'. Returns the backend in use.
 * @example
 * ```ts
 * await useSurrogateBackend(); // 'wasm'
 * ```
 */
export function useSurrogateBackend(preferred: 'wasm' | 'cpu' = (process.env.SPINEFEA_TFJS_BACKEND as 'wasm' | 'cpu') || 'wasm'): Promise<string> {
  if (!chosen) {
    chosen = (async () => {
      if (preferred === 'wasm') {
        try {
          await import('@tensorflow/tfjs-backend-wasm');
          if (await tf.setBackend('wasm')) {
            await tf.ready();
            return tf.getBackend();
          }
        } catch {
          // fall through to cpu
        }
      }
      await tf.setBackend('cpu');
      await tf.ready();
      return tf.getBackend();
    })();
  }
  return chosen;
}
