import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTILLERY_VERSION, buildEngineBundle, ENGINE_BUNDLE, ENGINE_DIR } from '../../src/artillery-interop/engine-bundle.ts';
import { COUNTERS as C, HISTOGRAMS as H } from '../../src/artillery-interop/metric-names.ts';
import { startScriptedChatServer, type ScriptedChatServer } from '../fixtures/scripted-chat-server.ts';
import { startProtocolServer } from '../fixtures/protocols/protocol-server.ts';

// Artillery loads artillery-engine-fanout with Node's own loader (import() of the package's main):
// plain JavaScript, no TypeScript, nothing of the harness installed but what the bundle holds. So
// the bundle is loaded here the same way, by a bare `node` child process, and plays a worker's
// share against a chat server on 127.0.0.1 through Artillery's interface (an engine class, a
// scenario function, events on an emitter).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let server: ScriptedChatServer;
/**
 * The bundle as built, copied beside the checkout's own node_modules (in its .cache/): there it
 * imports ws as it would from a user's install. Not from artillery/engine/: CI installs artillery/'s
 * dependencies (the engine's ws among them) in the background while this suite runs, and a
 * half-written artillery/engine/node_modules/ws failed the import on a loaded host.
 */
let bundleCopy: string;
let copyDir: string;
beforeAll(async () => {
  server = await startScriptedChatServer();
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  copyDir = mkdtempSync(join(ROOT, '.cache', 'engine-bundle-'));
  writeFileSync(join(copyDir, 'package.json'), '{ "type": "module" }\n');
  bundleCopy = join(copyDir, 'index.js');
});
afterAll(async () => {
  await server?.close();
  if (copyDir) rmSync(copyDir, { recursive: true, force: true });
});

interface Played {
  code: number | null;
  stderr: string;
  counters: Record<string, number>;
  histograms: Record<string, number[]>;
  errors: string[];
  failure: string | null;
  exports: string[];
}

/** A bare node imports the bundle (as last built) and runs one virtual user of `script`, as Artillery's runner does. */
function playInNode(script: unknown): Promise<Played> {
  copyFileSync(ENGINE_BUNDLE, bundleCopy);
  const program = `
    const mod = await import(${JSON.stringify(pathToFileURL(bundleCopy).href)});
    const Engine = mod.default;
    const counters = {}, histograms = {}, errors = [];
    const ee = { emit(event, name, value) {
      if (event === 'counter') counters[name] = (counters[name] ?? 0) + value;
      else if (event === 'histogram') (histograms[name] ??= []).push(value);
      else if (event === 'error') errors.push(name);
    } };
    const script = JSON.parse(process.env.SCRIPT);
    const engine = new Engine(script, ee, {});
    engine.createScenario(script.scenarios?.[0] ?? { engine: 'fanout' }, ee)({ vars: {} }, (err) => {
      console.log(JSON.stringify({ counters, histograms, errors, failure: err ? err.message : null, exports: Object.keys(mod) }));
    });
  `;
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SCRIPT: JSON.stringify(script) };
    delete env.FANOUT_BENCH_TOKEN;
    delete env.NODE_OPTIONS; // no loader of the test runner's
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the engine did not finish'));
    }, 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ code, stderr, ...JSON.parse(last) });
      } catch {
        reject(new Error(`no result (exit ${code}): ${stderr || stdout}`));
      }
    });
  });
}

const plan = {
  version: 1,
  workers: 1,
  tokenIn: 'header',
  rooms: [3, 3],
  timeouts: { connectMs: 5_000, ackMs: 5_000, graceMs: 1_000, lossMs: 5_000 },
  phases: [
    { kind: 'connect', name: 'connect', rate: 100, maxInFlight: 10 },
    { kind: 'join', name: 'join', rate: 100, maxInFlight: 10 },
    { kind: 'send', name: 'broadcast', durationMs: 1_000, rate: 10, payloadBytes: 64, senders: [1, 2] },
  ],
};

describe('the engine bundle', () => {
  it('is the package\'s main, one ES module that imports nothing but Node built-ins (the package has no dependencies)', () => {
    expect(buildEngineBundle()).toBe(ENGINE_BUNDLE);
    const pkg = JSON.parse(readFileSync(join(ENGINE_DIR, 'package.json'), 'utf8')) as { main: string; type: string; dependencies?: Record<string, string> };
    expect(join(ENGINE_DIR, pkg.main)).toBe(ENGINE_BUNDLE);
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies).toBeUndefined();
    const code = readFileSync(ENGINE_BUNDLE, 'utf8');
    const imported = [...code.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((m) => m[1]);
    expect(imported.filter((m) => !m.startsWith('node:'))).toEqual([]);
    // built again from the same sources: the same file, left as it was
    const before = readFileSync(ENGINE_BUNDLE);
    buildEngineBundle();
    expect(readFileSync(ENGINE_BUNDLE).equals(before)).toBe(true);
  });

  it('names the Artillery that artillery/package.json pins (an installed export tells the user to install that one)', () => {
    const pinned = JSON.parse(readFileSync(join(ENGINE_DIR, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pinned.dependencies.artillery).toBe(ARTILLERY_VERSION);
  });

  it('loads in a bare node and plays a worker\'s share: every message delivered to every member', { timeout: 90_000 }, async () => {
    buildEngineBundle();
    const r = await playInNode({ config: { target: server.url, phases: [{ arrivalCount: 1, duration: 1 }], engines: { fanout: plan } }, scenarios: [{ engine: 'fanout' }] });
    expect(r.exports).toEqual(['default']);
    expect(r.failure, r.stderr).toBeNull();
    expect(r.errors).toEqual([]);
    const c = r.counters;
    expect(c[C.workers]).toBe(1);
    expect(c[C.connectsAttempted]).toBe(6);
    expect(c[C.connectsOpened]).toBe(6);
    expect(c[C.joined]).toBe(6);
    // 1 s at 10/s; every message reaches the 3 members of its room, its sender included
    expect(c[C.sendsSent]).toBe(10);
    expect(c[C.sendsAcked]).toBe(10);
    expect(c[C.expected]).toBe(30);
    expect(c[C.received]).toBe(30);
    expect(c[C.lost]).toBeUndefined();
    expect(c[C.duplicates]).toBeUndefined();
    expect(c[C.foreign]).toBeUndefined();
    expect(r.histograms[H.broadcast]).toHaveLength(30);
    expect(r.histograms[H.fanoutCompletion]).toHaveLength(10);
    expect(r.histograms[H.connect]).toHaveLength(6);
    expect(r.histograms[H.runLagP99]).toHaveLength(1);
  });

  it('refuses a plan it cannot play in one line naming the field, as an Artillery error', async () => {
    buildEngineBundle();
    const r = await playInNode({ config: { target: server.url, engines: { fanout: { ...plan, version: 2 } } } });
    expect(r.failure).toBe('config.engines.fanout.version: must be 1, got 2');
    expect(r.errors).toEqual(['fanout: config.engines.fanout.version: must be 1, got 2']);
    expect(r.counters).toEqual({});
  });

  // The plan carries the scenario's protocol and the bundle speaks it, as a shard would
  // (described-wire.ts): against real servers of other shapes (test/fixtures/protocols).
  it('speaks a described protocol without acks: room in the connect URL, deliveries to the others; lost = what the server dropped', { timeout: 90_000 }, async () => {
    buildEngineBundle();
    const other = await startProtocolServer({ shape: 'room-in-url', dropEvery: 4 });
    try {
      const protocol = {
        name: 'room-in-url',
        connect: { query: { room: '{{run}}-{{room}}' } },
        membership: { model: 'connect' },
        send: { frame: { type: 'say', body: { text: '{{probe}}' } } },
        recipients: 'others',
      };
      const share = { ...plan, timeouts: { ...plan.timeouts, lossMs: 1_500 }, phases: [plan.phases[0], plan.phases[2]] };
      const r = await playInNode({ config: { target: other.url, engines: { fanout: share } }, scenarios: [{ engine: 'fanout', protocol }] });
      expect(r.failure, r.stderr).toBeNull();
      expect(r.errors).toEqual([]);
      const c = r.counters;
      // every client asked for its room in the URL: one room name per room, unique to the worker
      const rooms = new Set(other.urls.map((u) => new URL(u, 'http://x').searchParams.get('room')));
      expect(rooms.size).toBe(2);
      expect(other.urls).toHaveLength(6);
      expect(c[C.joined]).toBe(6); // members by connecting
      expect(r.histograms[H.join]).toBeUndefined();
      expect(c[C.sendsSent]).toBe(10);
      // each message expects the 2 other members of its room; nothing acknowledges a send
      expect(c[C.expected]).toBe(20);
      expect(r.histograms[H.ack]).toBeUndefined();
      expect(c[C.received]).toBe(other.posted());
      expect(c[C.lost]).toBe(other.dropped());
      expect(other.dropped()).toBe(5);
      expect(c[C.underreported]).toBeUndefined();
      expect(r.histograms[H.broadcast]).toHaveLength(15);
    } finally {
      await other.close();
    }
  });

  it('speaks a described protocol with answers: joins confirmed, sends acknowledged, binary deliveries', { timeout: 90_000 }, async () => {
    buildEngineBundle();
    const other = await startProtocolServer({ shape: 'subscribe' });
    try {
      const protocol = {
        name: 'subscribe',
        membership: { model: 'join', frame: { op: 'subscribe', channel: '{{room}}' }, answer: { json: '$.result.subscribed' } },
        send: { frame: { op: 'publish', channel: '{{room}}', data: '{{probe}}' }, ack: { json: '$.result.published', equals: true } },
      };
      const r = await playInNode({ config: { target: other.url, engines: { fanout: plan } }, scenarios: [{ engine: 'fanout', protocol }] });
      expect(r.failure, r.stderr).toBeNull();
      expect(r.errors).toEqual([]);
      const c = r.counters;
      expect(c[C.joined]).toBe(6);
      expect(r.histograms[H.join]).toHaveLength(6);
      expect(c[C.sendsSent]).toBe(10);
      expect(c[C.sendsAcked]).toBe(10);
      expect(r.histograms[H.ack]).toHaveLength(10);
      expect(c[C.expected]).toBe(30);
      expect(c[C.received]).toBe(30);
      expect(other.posted()).toBe(30);
      expect(c[C.lost]).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('refuses a protocol it cannot speak in one line naming the field', async () => {
    buildEngineBundle();
    const protocol = { membership: { model: 'all' }, send: { frame: { action: 'sendmessage', data: 'no probe' } } };
    const r = await playInNode({ config: { target: server.url, engines: { fanout: plan } }, scenarios: [{ engine: 'fanout', protocol }] });
    expect(r.failure).toBe('scenarios[0].protocol.send.frame: must carry {{probe}} (the harness finds each delivery by it)');
    expect(r.counters).toEqual({});
  });
});
