// tsc --strict over the README's JavaScript Quick Start, as written, with
// its free names (the webhook request, your channel) declared.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
const block = /## JavaScript \/ TypeScript Quick Start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
if (!block) throw new Error('README.md has no JavaScript Quick Start block');
const dir = mkdtempSync(join(tmpdir(), 'readme-ts-'));
try {
  const code = block[1].replace("from 'antonnia-sdk'", `from '${join(here, 'pkg', 'index.js')}'`);
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
  writeFileSync(join(dir, 'readme.ts'), `import type { Deliverable } from '${join(here, 'pkg', 'index.js')}';
declare const process: { env: Record<string, string | undefined> };
declare const body: Uint8Array;
declare const headers: Record<string, string>;
declare const myChannel: { send(what: Deliverable): Promise<string> };
${code}
export {};
`);
  execFileSync(join(here, 'node_modules', '.bin', 'tsc'), ['--strict', '--noEmit', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', join(dir, 'readme.ts')], { stdio: 'inherit' });
  console.log('the README Quick Start type-checks');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
