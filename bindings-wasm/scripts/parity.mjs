// `make parity`: every shared vector × every language, as a table. Each
// column is that language's own replay of tests/fixtures/ (Rust: the core's
// core/tests/vectors.rs; Python: bindings-python/tests/test_vectors.py via
// pytest's JUnit report; JavaScript: bindings-wasm/tests/vectors.test.mjs
// via node's TAP). Exits 1 unless every vector passes in every column.
// Needs the wasm package built and PYTHON pointing at an interpreter with
// antonnia_sdk installed (scripts/parity.sh does both).
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, 'tests', 'fixtures');
const FILES = {
  'requests.json': ['request_vectors', 'test_request_vector'],
  'responses.json': ['response_vectors', 'test_response_vector'],
  'webhooks.json': ['webhook_vectors', 'test_webhook_vector'],
  'retry.json': ['retry_vectors', 'test_retry_vector'],
  'exchange.json': ['exchange_vectors', 'test_exchange_vector'],
  'stream.json': ['stream_vectors', 'test_stream_vector'],
  'channel.json': ['channel_vectors', 'test_channel_vector'],
};
const vectorFiles = readdirSync(fixtures).filter((f) => f.endsWith('.json') && JSON.parse(readFileSync(join(fixtures, f), 'utf8')).vectors);
const unknown = vectorFiles.filter((f) => !(f in FILES));
if (unknown.length) throw new Error(`parity does not know these vector files yet: ${unknown.join(', ')}`);
const vectors = Object.keys(FILES).flatMap((file) =>
  JSON.parse(readFileSync(join(fixtures, file), 'utf8')).vectors.map((v) => [file, v.name]));
const key = (file, name) => `${file}\u0000${name}`;

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.error) throw r.error;
  return `${r.stdout}\n${r.stderr}`;
}

// Rust: a test per file; a failing one lists "name: why" for each failure.
function rust() {
  const out = run('cargo', ['test', '-p', 'antonnia-core', '--test', 'vectors', '--', '--test-threads=1']);
  const result = new Map();
  for (const [file, [fn]] of Object.entries(FILES)) {
    const passed = new RegExp(`^test ${fn} \\.\\.\\. ok$`, 'm').test(out);
    const failed = new RegExp(`^test ${fn} \\.\\.\\. FAILED$`, 'm').test(out);
    const section = out.split(`---- ${fn} stdout ----`)[1]?.split('\n----')[0] ?? '';
    for (const [f, name] of vectors.filter(([f]) => f === file)) {
      let mark = '?';
      if (passed) mark = 'pass';
      else if (failed) mark = section.includes(`\n${name}: `) ? 'FAIL' : 'pass';
      result.set(key(f, name), mark);
    }
  }
  return result;
}

// Python: pytest's JUnit report, one test case per vector.
function python() {
  const py = process.env.PYTHON;
  const result = new Map();
  if (!py) return result;
  const dir = mkdtempSync(join(tmpdir(), 'parity-'));
  try {
    const xml = join(dir, 'report.xml');
    run(py, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${xml}`, 'tests/test_vectors.py'], { cwd: join(repo, 'bindings-python') });
    const report = readFileSync(xml, 'utf8');
    const unescape = (s) => s.replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
    for (const m of report.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const id = /^(test_\w+)\[(.*)\]$/.exec(unescape(m[1]));
      if (!id) continue;
      const file = Object.keys(FILES).find((f) => FILES[f][1] === id[1]);
      if (!file) continue;
      const body = m[3] ?? '';
      result.set(key(file, id[2]), /<(failure|error)/.test(body) ? 'FAIL' : /<skipped/.test(body) ? 'skip' : 'pass');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

// JavaScript: node's TAP, a subtest per vector under a test per file.
function javascript() {
  const out = run(process.execPath, ['--test', '--test-reporter=tap', 'tests/vectors.test.mjs'], { cwd: join(repo, 'bindings-wasm') });
  const result = new Map();
  let file = null;
  for (const line of out.split('\n')) {
    const top = /^# Subtest: (.*)$/.exec(line);
    if (top) file = top[1];
    const sub = /^ {4}(not ok|ok) \d+ - (.*?)( # .*)?$/.exec(line);
    if (sub && file in FILES) result.set(key(file, sub[2].replaceAll('\\#', '#')), sub[1] === 'ok' ? 'pass' : 'FAIL');
  }
  return result;
}

const columns = [['Rust (core)', rust()], ['Python', python()], ['JavaScript', javascript()]];
const mark = (m) => ({ pass: '✓', FAIL: '✗ FAIL', skip: 'skipped' }[m] ?? '– not run');
const lines = [`| vector | ${columns.map(([c]) => c).join(' | ')} |`, `|---|${columns.map(() => '---|').join('')}`];
let bad = 0;
for (const [file, name] of vectors) {
  const marks = columns.map(([, r]) => r.get(key(file, name)));
  if (marks.some((m) => m !== 'pass')) bad++;
  lines.push(`| ${file.replace('.json', '')}: ${name} | ${marks.map(mark).join(' | ')} |`);
}
console.log(lines.join('\n'));
console.log();
for (const [c, r] of columns) {
  const passed = vectors.filter(([f, n]) => r.get(key(f, n)) === 'pass').length;
  console.log(`${c}: ${passed} / ${vectors.length} vectors pass`);
}
if (bad) {
  console.log(`${bad} vectors do not pass in every language`);
  process.exit(1);
}
console.log(`parity: all ${vectors.length} vectors pass in ${columns.length} languages`);
