// The browser payload's size budget (issue 18): what a page downloads for a
// client plus one call, measured the way the peers in BENCHMARKS.md were
// (esbuild, bundled and minified, gzip -9). The package is resolved as a
// browser bundler resolves it (its `browser` export condition), so the
// figure is the wasm and the JS a bundler emits for
//   import { Client } from 'antonnia-sdk';
//   await new Client({ token }).sessions.get(id);
// It fails when the payload grows past CEILING_KIB (issue 18's target, 100
// KiB). The same count for the server build (what Node, Deno and edge
// workers load) is printed too. Run after scripts/build.sh:
//   node bindings-wasm/scripts/size-budget.mjs [path/to/pkg]   (default: bindings-wasm/pkg)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

// 96.1 KiB measured on 2026-12-07 (stop 26's package: 115.6 by this same
// count; BENCHMARKS.md "Stop 27", and "Stop 28" for the 0.5 KiB the faster
// transcoder costs). The ceiling is the target itself, so the payload
// cannot grow past it unnoticed.
const CEILING_KIB = 100;
const pkg = resolve(process.argv[2] ?? fileURLToPath(new URL('../pkg', import.meta.url)));
const kib = (n) => `${(n / 1024).toFixed(1).padStart(7)} KiB`;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

// An app directory whose node_modules/antonnia-sdk is the package.
const app = mkdtempSync(join(tmpdir(), 'antonnia-size-'));
mkdirSync(join(app, 'node_modules'));
symlinkSync(pkg, join(app, 'node_modules', 'antonnia-sdk'), 'dir');

async function payload(platform, conditions) {
  const bundled = await build({
    stdin: {
      contents: "import { Client } from 'antonnia-sdk';\n"
        + "console.log(await new Client({ token: 't' }).sessions.get('sess_1'));\n",
      resolveDir: app, sourcefile: 'entry.mjs', loader: 'js',
    },
    absWorkingDir: app, bundle: true, minify: true, format: 'esm', platform, conditions, target: 'es2022',
    write: false, metafile: true, logLevel: 'error',
  });
  const inputs = Object.keys(bundled.metafile.inputs).filter((f) => !f.includes('entry.mjs') && !f.startsWith('<'));
  const jsFiles = inputs.filter((f) => f.endsWith('.js'));
  // The wasm is fetched at run time by the glue bundled (X.js loads X_bg.wasm).
  const glue = jsFiles.find((f) => /\/antonnia_[a-z]+\.js$/.test(f));
  const wasmFile = glue.replace(/\.js$/, '_bg.wasm');
  const js = bundled.outputFiles[0];
  const name = (f) => f.replace(/^.*\//, '');
  return {
    wasmName: name(wasmFile),
    wasm: gz(readFileSync(resolve(app, wasmFile))),
    js: gz(js.contents),
    jsNames: jsFiles.map(name),
    unbundled: jsFiles.reduce((n, f) => n + gz(readFileSync(resolve(app, f))), 0),
  };
}

try {
  const browser = await payload('browser', []);
  const server = await payload('neutral', ['node']);
  const total = browser.wasm + browser.js;
  console.log(`${browser.wasmName.padEnd(34)} ${kib(browser.wasm)} gzip`);
  console.log(`${'JS, bundled and minified'.padEnd(34)} ${kib(browser.js)} gzip (${browser.jsNames.join(', ')})`);
  console.log(`${'  (the same files as shipped'.padEnd(34)} ${kib(browser.unbundled)} gzip, each file on its own)`);
  console.log(`${'browser payload'.padEnd(34)} ${kib(total)} gzip (ceiling ${CEILING_KIB} KiB)`);
  console.log(`${`server build (${server.wasmName} + JS)`.padEnd(34)} ${kib(server.wasm + server.js)} gzip (${kib(server.wasm).trim()} + ${kib(server.js).trim()})`);
  if (browser.wasmName !== 'antonnia_web_bg.wasm' || server.wasmName !== 'antonnia_wasm_bg.wasm') {
    console.error(`the browser condition resolved ${browser.wasmName}, the server's ${server.wasmName}: see package.json's exports`);
    process.exitCode = 1;
  }
  if (total > CEILING_KIB * 1024) {
    console.error(`the browser payload grew past its ${CEILING_KIB} KiB budget (issue 18): see BENCHMARKS.md, "Stop 27", for what it is made of and how it was cut`);
    process.exitCode = 1;
  }
} finally {
  rmSync(app, { recursive: true, force: true });
}
