// Loads the core's WebAssembly once, in Node (read from disk: Node's fetch
// cannot read file: URLs) or in a browser / bundler (fetched next to this
// file, which bundlers understand through `new URL(..., import.meta.url)`).
import init, { initSync } from './antonnia_wasm.js';

const wasmUrl = new URL('./antonnia_wasm_bg.wasm', import.meta.url);

const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null
  && wasmUrl.protocol === 'file:';

if (isNode) {
  // A variable specifier keeps bundlers from trying to resolve a Node module.
  const fsName = 'node:fs/promises';
  const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsName);
  initSync({ module: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}

export * from './antonnia_wasm.js';
