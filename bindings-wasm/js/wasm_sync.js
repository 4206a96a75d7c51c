// The loader of index.cjs, the package's CommonJS build (bundled from
// index.js by scripts/build.sh with this file in wasm.js's place): require()
// cannot wait, so the core's WebAssembly is read and instantiated
// synchronously, from the file next to index.cjs (`__dirname`: this file is
// only ever run inside that CommonJS bundle).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSync, unloaded, WASM_FILE } from './loader.js';

export * from './loader.js';

const file = join(__dirname, WASM_FILE);
try {
  loadSync(readFileSync(file));
} catch (e) {
  unloaded(file, e);
}
