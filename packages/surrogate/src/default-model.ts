/**
 * The model shipped inside the package (`models/default.json`), read from disk
 * in Node. In a browser, import the JSON with your bundler and call
 * `SurrogateModel.fromJson` (see examples/surrogate-web).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SurrogateModelFormatError } from './errors.js';
import { SurrogateModel, type SurrogateModelJson } from './model.js';
import { useSurrogateBackend } from './backend.js';

/** Absolute path of the shipped model file. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../models/default.json', import.meta.url));

/**
 * Load a model file (default: the shipped one) after selecting the tfjs backend.
 * @throws {@link SurrogateModelFormatError} when the file is missing or not a model.
 * @example
 * ```ts
 * const model = await loadSurrogate();
 * console.log(model.predict(point).outputs.romDeg);
 * ```
 */
export async function loadSurrogate(file: string = DEFAULT_MODEL_PATH): Promise<SurrogateModel> {
  if (!existsSync(file)) throw new SurrogateModelFormatError(`model file '${file}' does not exist (train one with 'spinefea train --data <sweep.jsonl> --out ${file}')`);
  let json: SurrogateModelJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SurrogateModelFormatError(`model file '${file}' is not JSON: ${(e as Error).message}`);
  }
  await useSurrogateBackend();
  return SurrogateModel.fromJson(json);
}
