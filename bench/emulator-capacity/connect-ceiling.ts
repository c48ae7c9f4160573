import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseReadyLine, type StackReady } from '../../common/stack-ready.ts';
import { openFilesLimit } from '../../src/fleet/host-facts.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';
import { runCli } from './cli-run.ts';

/**
 * `npx tsx bench/emulator-capacity/connect-ceiling.ts [--clients 24000] [--rate 500] [--hold 10] [--write]`
 *
 * The largest connection count the reference stack holds on this host at AWS's default connect
 * rate (500 new connections a second): `fanout-bench stack up` (the reference stack, as a user
 * starts it) in the background, then `fanout-bench run` against its WebSocket URL connecting
 * `--clients` at `--rate` and holding them `--hold` seconds. It reports the most held open at
 * once, the most still open after the hold, when connects began to fail, and what stopped them
 * (the errors' kinds, the stack's own complaints); the run is bounded to 5 minutes in all. With
 * `--write` the result goes into bench/RESULTS.md. Exit 0 once measured, 1 when nothing could be
 * measured, 2 for a bad flag.
 */
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '24000' },
    rate: { type: 'string', default: '500' },
    hold: { type: 'string', default: '10' },
    write: { type: 'boolean', default: false },
  },
});
const int = (flag: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`connect-ceiling: --${flag}: a whole number >= ${min}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const clients = int('clients', values.clients!, 100);
const rate = int('rate', values.rate!, 1);
const holdS = int('hold', values.hold!, 1);

const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
/** the whole benchmark's bound: stack start, connects, hold, drain */
const BOUND_MS = 5 * 60_000;
const dir = mkdtempSync(join(tmpdir(), 'fb-connect-ceiling-'));
const loadBefore = loadavg();
const started = performance.now();

/** `stack up` in the background until its ready line; it ends with our stdin (--exit-with-stdin). */
function stackUp(): Promise<{ ready: StackReady; stderr: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'stack', 'up', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stop = async () => {
    child.stdin.end();
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(kill);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`stack up: no ready line in 120 s: ${err.slice(-500)}`))), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        const ready = parseReadyLine(line);
        if (ready) {
          clearTimeout(timer);
          resolve({ ready, stderr: () => err, stop });
          return;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`stack up exited (${code}) before its ready line: ${err.slice(-500)}`)));
  });
}

const stack = await stackUp();
const stackStartS = (performance.now() - started) / 1000;
const scenario = join(dir, 'connect-ceiling.yaml');
// no rooms are joined: the count is what $connect (and the gateway's sockets) hold
writeFileSync(
  scenario,
  `name: connect-ceiling\nclients: ${clients}\nrooms: ${Math.max(1, Math.floor(clients / 100))}\ntimeouts: { connect: 30s }\nphases:\n  - connect: { name: ramp, rate: ${rate}, maxInFlight: ${Math.max(100, rate * 4)} }\n  - idle: { name: hold, duration: ${holdS}s }\n`,
);
let run;
try {
  run = await runCli({ args: [scenario, '--target', stack.ready.websocketUrl], outDir: dir, timeoutMs: BOUND_MS - (performance.now() - started) - 30_000 });
} finally {
  await stack.stop();
}
const r = run.results;
const iv = r.intervals;
const maxOpen = Math.max(0, ...iv.map((i) => i.openClients));
const holdIv = iv.filter((i) => i.phase === 'hold');
const heldAfter = holdIv.at(-1)?.openClients ?? iv.at(-1)?.openClients ?? 0;
const c = r.connections!;
const firstFail = iv.find((i) => i.errors > 0);
const errors = Object.entries(r.errors).sort((a, b) => b[1] - a[1]);
const complaints = [...new Set(stack.stderr().split('\n').filter((l) => /EMFILE|too many open files|ENOMEM|heap out of memory|ECONNRESET|throttl/i.test(l)).map((l) => l.trim().slice(0, 200)))].slice(0, 5);
const ramp = r.phases?.find((p) => p.name === 'ramp');
const connectsPerS = ramp ? c.opened / (ramp.durationMs / 1000) : 0;
const stopped =
  c.failed === 0 && c.opened === clients
    ? `nothing: all ${fmt(clients)} connected at ${fmt(Math.round(connectsPerS))}/s; the ceiling lies above`
    : `${fmt(c.failed)} connects failed (${errors.slice(0, 4).map(([k, n]) => `${k} ×${fmt(n)}`).join(', ') || 'no error kind'})${firstFail ? `, the first ${Math.round(firstFail.elapsedSec)} s in with ${fmt(firstFail.openClients)} open` : ''}${complaints.length ? `; the stack said: ${complaints.join(' | ')}` : ''}`;

const lines = [
  `- stack: \`node bin/fanout-bench.js stack up --exit-with-stdin\` (the reference stack, default settings), ready in ${stackStartS.toFixed(1)} s`,
  `- harness: \`${run.command.replaceAll(dir, '/tmp/…')}\` (exit ${run.exitCode}, ${run.wallSeconds.toFixed(0)} s)`,
  `- offered ${fmt(clients)} connects at ${rate}/s${rate === 500 ? " (AWS's default new-connection rate)" : ''}, then held ${holdS} s`,
  `- opened ${fmt(c.opened)}, failed ${fmt(c.failed)}; connects/s over the ramp ${fmt(Math.round(connectsPerS))}; connect p50 ${r.metrics.connect.p50.toFixed(1)} ms, p99 ${r.metrics.connect.p99.toFixed(1)} ms`,
  `- **largest count held: ${fmt(maxOpen)} open at once; ${fmt(heldAfter)} still open after the hold**`,
  `- what stopped it: ${stopped}`,
  `- open files per process here: ${openFilesLimit() ?? 'unknown'} (the stack is one process: one socket per connection)`,
];
const elapsedS = (performance.now() - started) / 1000;
process.stdout.write(`${lines.join('\n')}\n`);
if (values.write) {
  const body = [
    `## Emulator: the connections the reference stack holds at 500 connects/s (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}. Load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${elapsedS.toFixed(0)} s in all.`,
    '',
    `    ${tsxCommand()} bench/emulator-capacity/connect-ceiling.ts --clients ${clients} --rate ${rate} --hold ${holdS} --write`,
    '',
    ...lines,
  ];
  writeResultsBlock(fileURLToPath(new URL('../RESULTS.md', import.meta.url)), blockMarkers('emulator-connect-ceiling', 'bench/emulator-capacity/connect-ceiling.ts'), body);
}
rmSync(dir, { recursive: true, force: true });
process.exit(maxOpen > 0 ? 0 : 1);

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
