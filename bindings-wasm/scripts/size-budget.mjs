// The browser payload's size budget (issue 18): what a page loads for the
// main entry (its wasm and the JS it imports), each file gzip -9, against a
// ceiling. It fails when the payload grows past it, so that size cannot
// creep back unnoticed; lower CEILING_KIB as the payload shrinks (the
// target is 100 KiB, BENCHMARKS.md). Run after scripts/build.sh:
//   node bindings-wasm/scripts/size-budget.mjs
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// 182.7 KiB measured on 2026-12-06 (every JSON read in the web build on the
// core's own reader, no serde_json deserializer), plus room for a small
// feature; the target is 100 KiB.
const CEILING_KIB = 190;
const pkg = fileURLToPath(new URL('../pkg', import.meta.url));
const files = ['antonnia_wasm_bg.wasm', 'index.js', 'errors.js', 'wasm.js', 'antonnia_wasm.js'];
let total = 0;
for (const file of files) {
  const gz = gzipSync(readFileSync(join(pkg, file)), { level: 9 }).length;
  total += gz;
  console.log(`${file.padEnd(24)} ${(gz / 1024).toFixed(1).padStart(7)} KiB gzip`);
}
console.log(`${'browser payload'.padEnd(24)} ${(total / 1024).toFixed(1).padStart(7)} KiB gzip (ceiling ${CEILING_KIB} KiB)`);
if (total > CEILING_KIB * 1024) {
  console.error(`the browser payload grew past its ${CEILING_KIB} KiB budget: see BENCHMARKS.md, "Size"`);
  process.exit(1);
}
