// The core's WebAssembly for the package's entries: its state and `init()`
// (the constants the SDK reads before it is loaded are in core_constants.js,
// generated from the core). wasm.js (ESM) loads it on import where it can;
// wasm_sync.js does so synchronously for index.cjs (CommonJS). Where neither
// can (an edge runtime, a bundle that left the .wasm file behind), the import
// still succeeds and the first call throws InitError naming init().
import initGlue, * as glue from './antonnia_wasm.js';
import { AntonniaError, InitError, invalid, setUnloaded } from './errors.js';

export * from './antonnia_wasm.js';
export { InitError } from './errors.js';

/** The file name of the core's WebAssembly in the package. */
export const WASM_FILE = 'antonnia_wasm_bg.wasm';

const HOW = `call \`await init(input)\` (exported by antonnia-sdk) with the file's URL, its bytes, a Response, or a compiled WebAssembly.Module (Cloudflare Workers, Vercel Edge: import it from 'antonnia-sdk/${WASM_FILE}'); see the README's "Bundlers and runtimes"`;

let loaded = false;

function describe(e) {
  return e instanceof Error ? e.message : String(e);
}

function loadError(where, e) {
  const err = new InitError(`antonnia-sdk could not load its WebAssembly (${WASM_FILE}) from ${where}: ${describe(e)}; ${HOW}`);
  err.cause = e;
  return err;
}

/** Records why the automatic load failed: every call until init() succeeds throws it (a fresh InitError each time). */
export function unloaded(where, e) {
  setUnloaded(() => loadError(where, e));
}

function done() {
  loaded = true;
  setUnloaded(null);
}

/** Whether the core's WebAssembly is loaded. */
export function isLoaded() {
  return loaded;
}

/** Instantiates from bytes or a compiled module, synchronously (a Module is never compiled here: edge runtimes forbid that). */
export function loadSync(moduleOrBytes) {
  glue.initSync({ module: moduleOrBytes });
  done();
}

const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

// A Node built-in, imported only when running in Node: a variable specifier
// keeps bundlers from trying to resolve it for a browser.
function nodeBuiltin(name) {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name);
}

// Node's fetch cannot read file: URLs: read them from disk.
async function readFileUrl(url) {
  const { readFile } = await nodeBuiltin('node:fs/promises');
  return readFile(url);
}

/** The package's own copy of the file, next to this module (what bundlers rewrite into an asset URL). */
export function defaultUrl() {
  return new URL('./antonnia_wasm_bg.wasm', import.meta.url);
}

async function loadUrl(url) {
  if (isNode && url.protocol === 'file:') loadSync(await readFileUrl(url));
  else {
    await initGlue({ module_or_path: url });
    done();
  }
}

/** wasm.js's load on import: never throws, a failure is kept for the first call. */
export async function autoload() {
  let url = '(no URL: import.meta.url is not available here)';
  try {
    url = defaultUrl();
    await loadUrl(url);
  } catch (e) {
    unloaded(String(url), e);
  }
}

/**
 * Loads the core's WebAssembly from `input` (a compiled `WebAssembly.Module`,
 * its bytes, a `Response`, a URL or a path, or a promise of one), or from the
 * package's own file without one. Does nothing once loaded. A Module is
 * instantiated synchronously, before this returns.
 */
export function init(input) {
  if (loaded) return Promise.resolve();
  if (typeof WebAssembly !== 'undefined' && input instanceof WebAssembly.Module) {
    try {
      loadSync(input);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(loadError('the WebAssembly.Module passed to init()', e));
    }
  }
  return initAsync(input);
}

async function initAsync(input) {
  input = await input;
  if (loaded) return;
  if (typeof WebAssembly !== 'undefined' && input instanceof WebAssembly.Module) return init(input);
  let where;
  try {
    if (input === undefined || input === null) {
      where = 'its default URL';
      const url = defaultUrl();
      where = String(url);
      await loadUrl(url);
    } else if (typeof input === 'string' || input instanceof URL) {
      where = String(input);
      if (isNode && typeof input === 'string' && !/^[a-z][a-z0-9+.-]+:/i.test(input)) {
        // A path (absolute, or relative to the working directory) in Node.
        const { pathToFileURL } = await nodeBuiltin('node:url');
        await loadUrl(pathToFileURL(input));
      } else {
        await loadUrl(typeof input === 'string' ? new URL(input, globalThis.location?.href) : input);
      }
    } else if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
      where = 'the bytes passed to init()';
      await initGlue({ module_or_path: input });
      done();
    } else if (typeof Response !== 'undefined' && input instanceof Response) {
      where = input.url || 'the Response passed to init()';
      if (!input.ok) throw new Error(`HTTP ${input.status}`);
      await initGlue({ module_or_path: input });
      done();
    } else {
      throw invalid('input', 'must be a WebAssembly.Module, bytes (ArrayBuffer, Uint8Array), a Response, a URL or a string');
    }
  } catch (e) {
    if (e instanceof AntonniaError) throw e;
    throw loadError(where, e);
  }
}
