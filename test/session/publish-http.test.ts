import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now } from '../../src/clock.ts';
import type { PlannedPhase } from '../../src/contracts/scenario-schema.ts';
import { RunRecorder } from '../../src/metrics/measurement/run-recorder.ts';
import { PublishPhases } from '../../src/session/publish-phases.ts';

/**
 * The http publisher (issue 61: "an HTTP POST to a REST/HTTP endpoint the user names") against a
 * real server on 127.0.0.1, through the session's publish phases into a real run recorder: what
 * the endpoint answers decides each call. A 2xx is accepted; a 4xx or 5xx is a failed call named
 * by its status in results.publish[].errors and the run's errors, said once with the phase; an
 * endpoint nobody listens on is `publish:http:unreachable`. Text goes as text/plain, JSON as
 * application/json. (The 2xx path end to end, deliveries and all: test/e2e/publish-phase.test.ts.)
 */
let server: Server;
let base: string;
const seen: Array<{ path: string; contentType: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
      res.writeHead(req.url === '/down' ? 503 : req.url === '/missing' ? 404 : 204).end(req.url === '/down' ? 'try later' : undefined);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** Plays one http publish phase of 2 publishes (20/s for 100 ms) to `to` from a 3-client run; its results.publish entry, the run's errors and the warnings said. */
async function play(to: string, payload: unknown) {
  const phase: Extract<PlannedPhase, { kind: 'publish' }> = { kind: 'publish', name: 'push', durationMs: 100, rate: 20, via: 'http', to, payload, recipients: 'everyone' };
  const recorder = new RunRecorder(1, now(), { graceMs: 1_000, lossMs: 2_000 });
  recorder.beginPhase('push', 'publish', now());
  const warnings: string[] = [];
  const phases = new PublishPhases(recorder, new Map([[phase, { resource: { via: 'http' as const, id: to }, label: `POST ${to}` }]]), {
    shards: 1,
    clients: 3,
    callTimeoutMs: 2_000,
    membership: 'all',
    roomPrefix: 'fb-test-r',
    warn: (w) => warnings.push(w),
  });
  await phases.run(phase, 0, Int32Array.of(3), now());
  return { result: phases.results()[0]!, errors: recorder.errors, phaseErrors: recorder.phases[0]!.errors, warnings };
}

describe('a publish phase via http', () => {
  it('counts a 5xx or 4xx answer as a failed call named by its status, in results.publish and the run\'s errors, said once', async () => {
    const down = await play(`${base}/down`, 'alert {{probe}}');
    expect(down.result).toMatchObject({ via: 'http', resource: `${base}/down`, calls: { intended: 2, sent: 2, acked: 0, failed: 2 }, errors: { 'publish:http:503': 2 } });
    expect(down.result.firstFailure).toBe(`http:503: POST ${base}/down answered 503`);
    expect(down.result.call).toBeUndefined();
    expect(down.errors).toEqual({ 'publish:http:503': 2 });
    expect(down.phaseErrors).toEqual({ 'publish:http:503': 2 });
    // http names no permission: the refusal is said with the endpoint's status alone
    expect(down.warnings).toEqual([`publish phase push: POST ${base}/down refused a publish (http:503: POST ${base}/down answered 503)`]);
    expect((await play(`${base}/missing`, 'alert {{probe}}')).result.errors).toEqual({ 'publish:http:404': 2 });
  });

  it('accepts any 2xx, posting text as text/plain and JSON as application/json, the probe filled in', async () => {
    seen.length = 0;
    const text = await play(`${base}/ok`, 'alert {{probe}}');
    expect(text.result).toMatchObject({ calls: { sent: 2, acked: 2, failed: 0 }, errors: {} });
    expect(text.result.call!.count).toBe(2);
    const json = await play(`${base}/ok`, { goal: '{{probe}}' });
    expect(json.result).toMatchObject({ calls: { acked: 2, failed: 0 }, errors: {} });
    expect(seen.map((s) => s.contentType)).toEqual(['text/plain', 'text/plain', 'application/json', 'application/json']);
    expect(seen[0]!.body).toMatch(/^alert fb1\|[\d|]+$/);
    expect(JSON.parse(seen[2]!.body)).toEqual({ goal: expect.stringMatching(/^fb1\|[\d|]+$/) });
  });

  it('names an endpoint nobody listens on as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const gone = await play(`http://127.0.0.1:${port}/push`, 'alert {{probe}}');
    expect(gone.result).toMatchObject({ calls: { failed: 2 }, errors: { 'publish:http:unreachable': 2 } });
  });
});
