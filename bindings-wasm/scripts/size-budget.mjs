// The browser payload's size budget (issue 18): what a page downloads for a
// client plus one call, measured the way the peers in BENCHMARKS.md were
// (esbuild, bundled and minified, gzip -9): the main entry's wasm, plus the
// JS a bundler emits for
//   import { Client } from 'antonnia-sdk';
//   await new Client({ token }).sessions.get(id);
// It fails when the payload grows past CEILING_KIB, so that size cannot
// creep back unnoticed; lower the ceiling as the payload shrinks (the target
// is 100 KiB, BENCHMARKS.md). The shipped files' own sizes, unminified, are
// printed too (what a page loads with no bundler). Run after scripts/build.sh:
//   node bindings-wasm/scripts/size-budget.mjs [path/to/pkg]   (default: bindings-wasm/pkg)
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

// 115.6 KiB measured on 2026-12-07 (stop 25's main: 141.5 by this same
// count; BENCHMARKS.md "Stop 26"), plus room for a small feature.
const CEILING_KIB = 120;
const pkg = resolve(process.argv[2] ?? fileURLToPath(new URL('../pkg', import.meta.url)));
const kib = (n) => `${(n / 1024).toFixed(1).padStart(7)} KiB`;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

const wasm = gz(readFileSync(join(pkg, 'antonnia_wasm_bg.wasm')));
const bundled = await build({
  stdin: {
    contents: "import { Client } from './index.js';\n"
      + "console.log(await new Client({ token: 't' }).sessions.get('sess_1'));\n",
    resolveDir: pkg, sourcefile: 'entry.mjs', loader: 'js',
  },
  bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
  write: false, metafile: true, logLevel: 'error',
});
const js = gz(bundled.outputFiles[0].contents);
const inputs = Object.keys(bundled.metafile.inputs).filter((f) => !f.includes('entry.mjs') && !f.startsWith('<')).map((f) => f.replace(/^.*\//, ''));
const unbundled = inputs.reduce((n, f) => n + gz(readFileSync(join(pkg, f))), 0);
const total = wasm + js;

console.log(`${'antonnia_wasm_bg.wasm'.padEnd(34)} ${kib(wasm)} gzip`);
console.log(`${'JS, bundled and minified'.padEnd(34)} ${kib(js)} gzip (${inputs.join(', ')})`);
console.log(`${'  (the same files as shipped'.padEnd(34)} ${kib(unbundled)} gzip, each file on its own)`);
console.log(`${'browser payload'.padEnd(34)} ${kib(total)} gzip (ceiling ${CEILING_KIB} KiB)`);
if (total > CEILING_KIB * 1024) {
  console.error(`the browser payload grew past its ${CEILING_KIB} KiB budget: see BENCHMARKS.md, "Size"`);
  process.exit(1);
}
