// How the package is consumed beyond a plain ESM import: require() from
// CommonJS, an esbuild bundle for Node and for the browser (esbuild does not
// follow `new URL(..., import.meta.url)`, so the .wasm is handed to init()),
// each making a real call against antonnia-sandbox; the browser bundle runs
// in a real headless Chromium, and a Cloudflare Worker in workerd (npm). The package is reached the way an app reaches
// it: node_modules/antonnia-sdk, through package.json `exports`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

import { freePort, startSandbox, startServer } from './helpers.mjs';

const run = promisify(execFile);
const PKG = fileURLToPath(new URL('../pkg/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const noBrowser = !existsSync(CHROMIUM) && !process.env.ANTONNIA_REQUIRE_BROWSER
  ? `no Chromium at ${CHROMIUM} (scripts/ci/test-wasm.sh installs it)` : false;

let sandbox;
let app;

before(async () => {
  sandbox = await startSandbox();
  // An app folder with the built package installed under node_modules.
  app = await mkdtemp(join(tmpdir(), 'antonnia-bundlers-'));
  await mkdir(join(app, 'node_modules'));
  await symlink(PKG, join(app, 'node_modules', 'antonnia-sdk'), 'dir');
  await writeFile(join(app, 'package.json'), '{"name":"app","private":true}');
});

after(async () => {
  await sandbox?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

// Runs a script with Node in the app folder; resolves to its parsed stdout.
async function node(file) {
  const { stdout } = await run(process.execPath, [file], {
    cwd: app, env: { ...process.env, BASE_URL: sandbox.baseUrl, TOKEN: sandbox.token }, timeout: 60_000,
  });
  return JSON.parse(stdout);
}

const ROUND_TRIP = `
  const client = new Client({ token: process.env.TOKEN, baseUrl: process.env.BASE_URL, maxRetries: 0 });
  const s = await client.sessions.create({ contact_id: 'bundled', contact_name: 'Ana' });
  const got = await client.sessions.get(s.id);
  let notFound;
  try { await client.sessions.get('sess_missing'); } catch (e) { notFound = [e.name, e instanceof NotFoundError, e.status]; }`;

test('require() from CommonJS: the whole API, a real call, and the types of a .cts file', async () => {
  await writeFile(join(app, 'main.cjs'), `
const { Client, NotFoundError, AntonniaError, VERSION, whatsappErrorDescription, init } = require('antonnia-sdk');
(async () => {
  ${ROUND_TRIP}
  await init(); // already loaded: nothing to do
  console.log(JSON.stringify({ version: VERSION, same: got.id === s.id, notFound, root: new NotFoundError('x') instanceof AntonniaError, described: whatsappErrorDescription(131047) !== null }));
})().catch((e) => { console.error(e); process.exit(1); });
`);
  const out = await node('main.cjs');
  const { VERSION } = await import('../pkg/index.js');
  assert.deepEqual(out, { version: VERSION, same: true, notFound: ['NotFoundError', true, 404], root: true, described: true });

  await writeFile(join(app, 'main.cts'), `
import sdk = require('antonnia-sdk');
const client: sdk.Client = new sdk.Client({ token: 'sk_test_x' });
const loaded: Promise<void> = sdk.init();
void client; void loaded;
`);
  const tsc = fileURLToPath(new URL('../node_modules/.bin/tsc', import.meta.url));
  await run(tsc, ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--lib', 'es2022,dom', 'main.cts'], { cwd: app });
});

test('an esbuild bundle for Node: without the .wasm a call throws InitError naming init(); with it passed to init() it works', async () => {
  await writeFile(join(app, 'bare.mjs'), `
import { Client, InitError, AntonniaError, VERSION } from 'antonnia-sdk';
let error;
try { new Client({ token: 'sk_test_x', baseUrl: 'http://127.0.0.1:9/v1' }); } catch (e) { error = [e.name, e instanceof InitError, e instanceof AntonniaError, e.kind, e.message]; }
console.log(JSON.stringify({ version: VERSION, error }));
`);
  await writeFile(join(app, 'inited.mjs'), `
import wasm from 'antonnia-sdk/antonnia_wasm_bg.wasm';
import { Client, NotFoundError, init } from 'antonnia-sdk';
await init(wasm);
${ROUND_TRIP}
console.log(JSON.stringify({ same: got.id === s.id, notFound }));
`);
  await build({ entryPoints: [join(app, 'bare.mjs'), join(app, 'inited.mjs')], outdir: join(app, 'dist-node'), outExtension: { '.js': '.mjs' },
    bundle: true, platform: 'node', target: 'node18', format: 'esm', loader: { '.wasm': 'binary' }, logLevel: 'error' });

  const bare = await node(join(app, 'dist-node', 'bare.mjs'));
  assert.ok(bare.version, 'the constants are there before the wasm is');
  const [name, isInit, isRoot, kind, message] = bare.error;
  assert.deepEqual([name, isInit, isRoot, kind], ['InitError', true, true, 'init']);
  assert.match(message, /antonnia_wasm_bg\.wasm/);
  assert.match(message, /dist-node/, 'names where it looked');
  assert.match(message, /init\(/);

  assert.deepEqual(await node(join(app, 'dist-node', 'inited.mjs')), { same: true, notFound: ['NotFoundError', true, 404] });
});

test('init() refuses what is not a module, bytes, a Response or a URL, and names a missing file', async () => {
  await writeFile(join(app, 'bad-init.mjs'), `
import { init } from 'antonnia-sdk';
const out = {};
try { await init(42); } catch (e) { out.number = [e.name, e.field]; }
console.log(JSON.stringify(out));
`);
  await writeFile(join(app, 'missing.mjs'), `
import { Client, init } from 'antonnia-sdk';
const out = {};
try { await init('/nonexistent/x.wasm'); } catch (e) { out.missing = [e.name, e.message.includes('/nonexistent/x.wasm')]; }
try { await init(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])); } catch (e) { out.garbage = e.name; }
try { await init(new Response('nope', { status: 404 })); } catch (e) { out.notFound = [e.name, e.message.includes('404')]; }
try { new Client({ token: 't', baseUrl: 'http://127.0.0.1:9/v1' }); out.after = 'usable'; } catch (e) { out.after = e.name; }
console.log(JSON.stringify(out));
`);
  await build({ entryPoints: [join(app, 'bad-init.mjs'), join(app, 'missing.mjs')], outdir: join(app, 'dist-bad'), outExtension: { '.js': '.mjs' },
    bundle: true, platform: 'node', format: 'esm', logLevel: 'error' });
  // The package as installed loads itself on import: init() then does nothing, whatever it is given.
  assert.deepEqual(await node(join(app, 'bad-init.mjs')), {});
  // A bundle without the .wasm: each bad input is a typed error naming it, and calls keep throwing InitError.
  assert.deepEqual(await node(join(app, 'dist-bad', 'bad-init.mjs')), { number: ['InvalidRequestError', 'input'] });
  assert.deepEqual(await node(join(app, 'dist-bad', 'missing.mjs')), {
    missing: ['InitError', true], garbage: 'InitError', notFound: ['InitError', true], after: 'InitError',
  });
});

test('an esbuild bundle in a real browser: the .wasm as a file asset handed to init(), a real call across origins', { skip: noBrowser }, async () => {
  await writeFile(join(app, 'page.js'), `
import wasmUrl from 'antonnia-sdk/antonnia_wasm_bg.wasm';
import { Client, InitError, NotFoundError, init, parseWebhook } from 'antonnia-sdk';
window.run = async (baseUrl, token) => {
  const out = {};
  try { new Client({ token, baseUrl }); } catch (e) { out.before = [e.name, e instanceof InitError, /init\\(/.test(e.message)]; }
  await init(new URL(wasmUrl, import.meta.url));
  const client = new Client({ token, baseUrl, maxRetries: 0 });
  const s = await client.sessions.create({ contact_id: 'browser-bundle', contact_name: 'Ana' });
  out.roundTrip = (await client.sessions.get(s.id)).id === s.id;
  try { await client.sessions.get('sess_missing'); } catch (e) { out.notFound = [e.name, e instanceof NotFoundError]; }
  const body = JSON.stringify({ id: 'evt_1', type: 'message.created', created_at: '2025-01-15T10:30:00Z',
    data: { object: { id: 'msg_1', session_id: 'sess_1', role: 'assistant', content: { type: 'text', text: 'Hi' } } } });
  out.webhook = parseWebhook(body, { verify: false }).type;
  try { parseWebhook(body, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }); } catch (e) { out.verify = [e.name, e.field, /browser build/.test(e.message)]; }
  return out;
};
`);
  const dist = join(app, 'dist-web');
  await build({ entryPoints: [join(app, 'page.js')], outdir: dist, bundle: true, platform: 'browser', format: 'esm',
    loader: { '.wasm': 'file' }, logLevel: 'error' });
  await writeFile(join(dist, 'index.html'), '<!doctype html><script type="module" src="./page.js"></script>');
  assert.deepEqual(await emittedWasm(dist), ['antonnia_web_bg.wasm']);
  const got = await inChromium(dist, '/index.html');
  assert.deepEqual(got.result, {
    before: ['InitError', true, true], roundTrip: true, notFound: ['NotFoundError', true], webhook: 'message.created',
    verify: ['InvalidRequestError', 'verify', true],
  });
  assert.deepEqual(got.errors, []);
});

test('export conditions: browsers get the browser build, servers, workers and edge runtimes the full one', async () => {
  await writeFile(join(app, 'resolve.js'), "import wasm from 'antonnia-sdk/antonnia_wasm_bg.wasm';\nimport { Client } from 'antonnia-sdk';\nconsole.log(wasm, Client);\n");
  const resolved = async (platform, conditions) => {
    const r = await build({ entryPoints: [join(app, 'resolve.js')], bundle: true, write: false, metafile: true, platform, conditions,
      format: 'esm', loader: { '.wasm': 'file' }, outdir: join(app, 'dist-resolve'), logLevel: 'error' });
    return Object.keys(r.metafile.inputs).filter((f) => /\/(index[.a-z]*\.js|antonnia_[a-z]+(_bg\.wasm|\.js))$/.test(f))
      .map((f) => f.replace(/^.*\//, '')).sort();
  };
  const browser = ['antonnia_web.js', 'antonnia_web_bg.wasm', 'index.browser.js'];
  const full = ['antonnia_wasm.js', 'antonnia_wasm_bg.wasm', 'index.js'];
  assert.deepEqual(await resolved('browser', []), browser, 'a browser bundle (esbuild, Vite, webpack: browser)');
  assert.deepEqual(await resolved('node', []), full, 'Node, Bun');
  assert.deepEqual(await resolved('neutral', ['deno']), full, 'Deno');
  assert.deepEqual(await resolved('neutral', ['workerd', 'worker', 'browser']), full, 'Cloudflare Workers (wrangler)');
  assert.deepEqual(await resolved('neutral', ['edge-light', 'worker', 'browser']), full, 'Vercel Edge');
  assert.deepEqual(await resolved('browser', ['worker']), full, 'a web worker bundle');
});

// Which of the package's wasm files a bundle under `dist` carries (by
// content: bundlers rename their assets). Browser bundlers must resolve the
// `browser` export condition to the browser build.
async function emittedWasm(dist) {
  const builds = {};
  for (const name of ['antonnia_wasm_bg.wasm', 'antonnia_web_bg.wasm']) builds[(await readFile(join(PKG, name))).toString('base64')] = name;
  const found = [];
  for (const f of await readdir(dist, { recursive: true })) {
    if (f.endsWith('.wasm')) found.push(builds[(await readFile(join(dist, f))).toString('base64')] ?? `unknown ${f}`);
  }
  return found;
}

test('Vite and webpack browser bundles: the .wasm found through new URL(..., import.meta.url) as an asset, no configuration, a real call', { skip: noBrowser }, async () => {
  await mkdir(join(app, 'src'), { recursive: true });
  await writeFile(join(app, 'src', 'main.js'), `
import { Client, NotFoundError } from 'antonnia-sdk';
window.run = async (baseUrl, token) => {
  const client = new Client({ token, baseUrl, maxRetries: 0 });
  const s = await client.sessions.create({ contact_id: 'bundler', contact_name: 'Ana' });
  const out = { roundTrip: (await client.sessions.get(s.id)).id === s.id };
  try { await client.sessions.get('sess_missing'); } catch (e) { out.notFound = [e.name, e instanceof NotFoundError]; }
  return out;
};
`);
  await writeFile(join(app, 'index.html'), '<!doctype html><script type="module" src="/src/main.js"></script>');
  const { build: vite } = await import('vite');
  await vite({ root: app, logLevel: 'error', configFile: false, build: { outDir: join(app, 'dist-vite'), emptyOutDir: true } });

  const { default: webpack } = await import('webpack');
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', context: app, entry: './src/main.js', output: { path: join(app, 'dist-webpack'), filename: 'main.js' },
    performance: { hints: false },
  }, (e, st) => (e ? reject(e) : resolve(st))));
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  await writeFile(join(app, 'dist-webpack', 'index.html'), '<!doctype html><script src="./main.js"></script>');

  for (const [name, dist] of [['vite', 'dist-vite'], ['webpack', 'dist-webpack']]) {
    assert.deepEqual(await emittedWasm(join(app, dist)), ['antonnia_web_bg.wasm'], name);
    const got = await inChromium(join(app, dist), '/index.html');
    assert.deepEqual(got.result, { roundTrip: true, notFound: ['NotFoundError', true] }, name);
    assert.deepEqual(got.errors, [], name);
  }
});

// Serves `dist` on loopback, opens `path` in headless Chromium (another
// origin than the sandbox's), waits for window.run and calls it.
async function inChromium(dist, path) {
  const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const site = await startServer(async (req, res) => {
    const file = join(dist, normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!file.startsWith(dist)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${new URL(site.url).origin.replace('127.0.0.1', 'localhost')}${path}`);
    await page.waitForFunction(() => typeof window.run === 'function', null, { timeout: 30_000 });
    const result = await page.evaluate(([b, t]) => window.run(b, t), [sandbox.baseUrl, sandbox.token]);
    return { result, errors };
  } finally {
    await browser.close();
    await site.stop();
  }
}

test('Cloudflare Workers (workerd from npm): the .wasm imported as a WebAssembly.Module and handed to init(), a real call from the worker', async () => {
  const workerd = fileURLToPath(new URL('../node_modules/.bin/workerd', import.meta.url));
  if (!existsSync(workerd)) assert.fail('workerd is not installed: run npm ci in bindings-wasm');
  await writeFile(join(app, 'worker.mjs'), `
import wasm from 'antonnia-sdk/antonnia_wasm_bg.wasm';
import { init, Client, InitError, NotFoundError } from 'antonnia-sdk';
let before;
try { new Client({ token: 't', baseUrl: 'http://127.0.0.1:9/v1' }); before = 'usable'; } catch (e) { before = [e.name, e instanceof InitError, /init\\(/.test(e.message)]; }
export default {
  async fetch(request) {
    const q = new URL(request.url).searchParams;
    await init(wasm);
    const client = new Client({ token: q.get('token'), baseUrl: q.get('baseUrl'), maxRetries: 0 });
    const s = await client.sessions.create({ contact_id: 'worker', contact_name: 'Ana' });
    const out = { before, roundTrip: (await client.sessions.get(s.id)).id === s.id };
    try { await client.sessions.get('sess_missing'); } catch (e) { out.notFound = [e.name, e instanceof NotFoundError]; }
    return Response.json(out);
  },
};
`);
  // As wrangler bundles a worker: esbuild with the workerd conditions, .wasm left as a module of its own.
  const dist = join(app, 'dist-worker');
  await build({ entryPoints: [join(app, 'worker.mjs')], outfile: join(dist, 'worker.js'), bundle: true, format: 'esm',
    platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], logLevel: 'error',
    plugins: [{ name: 'wasm-module', setup(b) { b.onResolve({ filter: /\.wasm$/ }, () => ({ path: './antonnia_wasm_bg.wasm', external: true })); } }] });
  await writeFile(join(dist, 'antonnia_wasm_bg.wasm'), await readFile(join(PKG, 'antonnia_wasm_bg.wasm')));
  const port = await freePort();
  await writeFile(join(dist, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "net", network = (allow = ["local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js"), (name = "antonnia_wasm_bg.wasm", wasm = embed "antonnia_wasm_bg.wasm") ],
  compatibilityDate = "2024-09-23",
  globalOutbound = "net",
);
`);
  const proc = spawn(workerd, ['serve', join(dist, 'config.capnp')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  try {
    const q = new URLSearchParams({ baseUrl: sandbox.baseUrl, token: sandbox.token });
    let res;
    for (const deadline = Date.now() + 30_000; !res; await new Promise((r) => setTimeout(r, 100))) {
      if (proc.exitCode !== null) assert.fail(`workerd exited: ${stderr}`);
      if (Date.now() > deadline) assert.fail(`workerd did not answer in 30 s: ${stderr}`);
      res = await fetch(`http://127.0.0.1:${port}/?${q}`).catch(() => undefined);
    }
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { before: ['InitError', true, true], roundTrip: true, notFound: ['NotFoundError', true] });
  } finally {
    if (proc.exitCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    }
  }
});
