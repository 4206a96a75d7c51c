// Test helpers: the antonnia-sandbox server and a webhook receiver on
// node:http, both on loopback, both stopped by the test that started them.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const uid = () => randomUUID().replaceAll('-', '').slice(0, 10);

function sandboxBin() {
  if (process.env.ANTONNIA_SANDBOX_BIN) return process.env.ANTONNIA_SANDBOX_BIN;
  execFileSync('cargo', ['build', '-q', '-p', 'antonnia-sandbox'], { cwd: REPO, stdio: 'inherit' });
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: REPO }));
  return `${meta.target_directory}/debug/antonnia-sandbox`;
}

/** Starts antonnia-sandbox on a free port; `stop()` ends it. */
export async function startSandbox(...args) {
  const proc = spawn(sandboxBin(), ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: proc.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => l),
    once(proc, 'exit').then(() => { throw new Error('antonnia-sandbox exited before announcing its address'); }),
    new Promise((_, reject) => setTimeout(() => reject(new Error('antonnia-sandbox did not start in 60 s')), 60_000).unref()),
  ]);
  const match = /listening on (\S+)/.exec(first);
  if (!match) {
    proc.kill();
    throw new Error(`unexpected first line from antonnia-sandbox: ${first}`);
  }
  lines.on('line', () => {});
  return {
    baseUrl: match[1],
    token: 'sk_test_sandbox',
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = once(proc, 'exit');
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** A node:http server recording every POST (headers, raw body). */
export async function startWebhookSink() {
  const received = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    /** The first delivery (in arrival order) whose parsed body matches. */
    async next(where = () => true, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < received.length; seen++) {
          const r = received[seen];
          if (where(JSON.parse(r.body.toString('utf8')))) {
            received.splice(seen, 1);
            return r;
          }
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no matching webhook arrived');
        await new Promise((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(t); resolve(); });
        });
      }
    },
    async stop() {
      server.closeAllConnections?.();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback server answering each request with `handler(req, res)`. */
export async function startServer(handler) {
  const sockets = new Set();
  const server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/conversations/v2/api/v1`,
    async stop() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A free loopback TCP port (bound, read, released). */
export async function freePort() {
  const { createServer: createTcp } = await import('node:net');
  const s = createTcp();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  await once(s, 'close');
  return port;
}

/**
 * A throwaway redis-server (Debian's package, installed by
 * scripts/ci/test-wasm.sh) on a free loopback port without persistence;
 * `stop()` ends it. Null when the binary is missing, unless
 * ANTONNIA_REQUIRE_REDIS is set (then it throws).
 */
export async function startRedis() {
  const { existsSync } = await import('node:fs');
  const binary = process.env.REDIS_SERVER_BIN
    ?? ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (!binary) {
    if (process.env.ANTONNIA_REQUIRE_REDIS) throw new Error('redis-server is missing and ANTONNIA_REQUIRE_REDIS is set');
    return null;
  }
  const { connect } = await import('node:net');
  const port = await freePort();
  const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    }
  };
  const ping = () => new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.on('error', () => resolve(false));
    c.on('connect', () => c.write('PING\r\n'));
    c.on('data', (d) => { c.destroy(); resolve(d.toString().startsWith('+PONG')); });
  });
  const deadline = Date.now() + 20_000;
  while (!(await ping())) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('redis-server did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}/0`, port, stop };
}

/**
 * A throwaway Redis Cluster, three masters and three replicas on free
 * loopback ports without persistence, started by the Python tests' helper
 * (bindings-python/tests/servers.py, standard library only) from Debian's
 * redis-server and redis-cli. `command('failover' | 'kill' | 'wait' | 'nodes')`
 * fails a master over by CLUSTER FAILOVER, SIGKILLs one, waits until the
 * cluster is whole; `stop()` ends every server. Null when redis-server is
 * missing, unless ANTONNIA_REQUIRE_REDIS is set (then it throws).
 */
export async function startRedisCluster() {
  return serversHelper('cluster');
}

/**
 * A throwaway Redis Sentinel deployment, a master, one replica and three
 * sentinels (quorum 2) on free loopback ports, started the same way
 * (servers.py RedisSentinel): `{ sentinels: [{ host, port }], name, master }`.
 * `command('failover' | 'kill' | 'wait' | 'master')` runs SENTINEL FAILOVER
 * and waits until the sentinels name the new master, SIGKILLs the master,
 * waits until the deployment is whole; `stop()` ends every server. Null
 * when redis-server is missing, unless ANTONNIA_REQUIRE_REDIS is set.
 */
export async function startRedisSentinel() {
  const started = await serversHelper('sentinel');
  return started && { ...started, sentinels: started.first.sentinels.map(([host, port]) => ({ host, port })), name: started.first.name };
}

async function serversHelper(kind) {
  const { existsSync } = await import('node:fs');
  const binary = process.env.REDIS_SERVER_BIN
    ?? ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (!binary || !['/usr/bin/redis-cli', '/usr/local/bin/redis-cli'].some((p) => existsSync(p))) {
    if (process.env.ANTONNIA_REQUIRE_REDIS) throw new Error('redis-server or redis-cli is missing and ANTONNIA_REQUIRE_REDIS is set');
    return null;
  }
  const script = fileURLToPath(new URL('../../bindings-python/tests/servers.py', import.meta.url));
  const proc = spawn(process.env.ANTONNIA_PYTHON ?? 'python3', [script, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = async (what) => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the Redis ${kind} helper ended before answering ${what}`);
    return JSON.parse(value);
  };
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      proc.stdin.end(); // the helper stops every server at EOF
      await exited;
    }
  };
  let first;
  try {
    first = await next('its address');
  } catch (e) {
    await stop();
    throw e;
  }
  const command = async (cmd) => {
    proc.stdin.write(`${cmd}\n`);
    const answer = await next(cmd);
    if (!answer.ok) throw new Error(`Redis ${kind} helper: ${cmd} failed: ${JSON.stringify(answer)}`);
    return answer;
  };
  return { url: first.url, ports: first.ports, first, command, stop };
}

/** Awaits `promise` and returns its rejection, which must be a `Cls`. */
export async function rejects(promise, Cls) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Cls, `${e?.name}: ${e?.message} is not a ${Cls.name}`);
    return e;
  }
  assert.fail(`no ${Cls.name}`);
}

/** A shared vector's body as bytes: its text (`body`, `body_json`, `body_repeat`) as UTF-8, or `body_base64` decoded. */
export function bodyOf(v) {
  const text = textOf(v);
  if (text !== undefined) return new TextEncoder().encode(text);
  if ('body_base64' in v) return new Uint8Array(Buffer.from(v.body_base64, 'base64'));
  return new Uint8Array(0);
}

/** A vector's body as the text it was written as, if it was text. */
export function textOf(v) {
  if ('body' in v) return String(v.body);
  if ('body_json' in v) return JSON.stringify(v.body_json);
  if ('body_repeat' in v) return v.body_repeat.text.repeat(v.body_repeat.count);
  return undefined;
}

/**
 * A deterministic `random(below)` (a linear congruential generator): the
 * same sequence on every run, for generated test inputs and benchmark bodies.
 */
export function seededRandom(seed = 0x2545f491) {
  return (below) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % below;
  };
}
