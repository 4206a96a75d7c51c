// tsc --strict over the README's JavaScript Quick Start and the package
// README's relay example, as written, with their free names (the webhook
// request, your channel) declared.
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

  // The package README's relay example, as written.
  const relayBlock = /## Channel relay \(Node\)[\s\S]*?```ts\n([\s\S]*?)```/.exec(readFileSync(join(here, 'README.md'), 'utf8'));
  if (!relayBlock) throw new Error('bindings-wasm/README.md has no relay block');
  const relayCode = relayBlock[1]
    .replace("from 'antonnia-sdk'", `from '${join(here, 'pkg', 'index.js')}'`)
    .replace("from 'antonnia-sdk/relay'", `from '${join(here, 'pkg', 'relay.js')}'`);
  writeFileSync(join(dir, 'relay.ts'), `import type { Message } from '${join(here, 'pkg', 'index.js')}';
declare const process: { env: Record<string, string | undefined> };
declare const rawBody: Uint8Array;
declare const requestHeaders: Record<string, string | string[] | undefined>;
declare const whatsapp: { send(to: string, m: Message, key?: string): Promise<{ id: string; error?: { code: number; message: string } }> };
${relayCode}
export const answer: [number, string, Record<string, string>] = [status, body, headers];
`);
  execFileSync(join(here, 'node_modules', '.bin', 'tsc'), ['--strict', '--noEmit', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', join(dir, 'relay.ts')], { stdio: 'inherit' });
  console.log('the package README relay example type-checks');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
