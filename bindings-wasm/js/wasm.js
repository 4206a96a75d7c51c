// Loads the core's WebAssembly on import, in Node (read from disk: Node's
// fetch cannot read file: URLs) or in a browser / bundler (fetched next to
// this file, which Vite and webpack understand through
// `new URL(..., import.meta.url)`: loader.js). Where that fails (an edge
// runtime, esbuild leaving the .wasm file behind) the import still succeeds:
// the caller passes the module to init(), and a call before that throws
// InitError saying so.
import { autoload } from './loader.js';

export * from './loader.js';

await autoload();
