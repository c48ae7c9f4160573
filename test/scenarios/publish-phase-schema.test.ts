import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { messageOf } from './scenario-refusal.ts';
import { fillProbe, fillRoom } from '../../src/fleet/publish-payload.ts';
import { publishProbe } from '../../src/fleet/publish-probe.ts';
import { decodeProbe, newProbe } from '../../src/fleet/protocols/chat-v1.ts';

/** The publish phase (issue 61): its shape per `via`, and a bad one refused in one line naming the field, exit 2. */
const dir = mkdtempSync(join(tmpdir(), 'fb-publish-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function scenario(publish: string, extra = ''): string {
  const p = join(dir, `s${n++}.yaml`);
  writeFileSync(
    p,
    ['name: pub', 'clients: 4', 'rooms: 2', extra, 'phases:', '  - connect: { rate: 100 }', '  - join: {}', `  - publish: ${publish}`, ''].join('\n'),
  );
  return p;
}

describe('a publish phase', () => {
  it('is read with its via, resource, schedule, payload and recipients', () => {
    const s = loadScenario(scenario('{ via: sns, to: Alerts, rate: 2, duration: 3s, payload: { message: "{{probe}}", attributes: { kind: alert, level: 3 } } }'));
    expect(s.phases[2]).toEqual({
      kind: 'publish',
      name: 'publish',
      durationMs: 3000,
      rate: 2,
      via: 'sns',
      to: 'Alerts',
      payload: { message: '{{probe}}', attributes: { kind: 'alert', level: 3 } },
      recipients: 'everyone',
    });
  });

  it('takes each via its own payload', () => {
    const ok = [
      '{ via: sns, to: Alerts, rate: 1, duration: 1s, payload: "{{probe}}" }',
      '{ via: eventbridge, to: scores, rate: 1, duration: 1s, payload: { source: app, detailType: goal, detail: { probe: "{{probe}}" } }, recipients: { room: 1 } }',
      '{ via: sqs, to: Queue, rate: 1, duration: 1s, payload: { body: { p: "{{probe}}" }, groupId: g } }',
      '{ via: dynamodb, to: Messages, rate: 1, duration: 1s, payload: { pk: room, text: "{{probe}}" } }',
      '{ via: lambda, to: Fanout, rate: 1, duration: 1s, payload: ["{{probe}}"] }',
      '{ via: http, to: "http://127.0.0.1:9/push", rate: 1, duration: 1s, payload: "{{probe}}" }',
    ];
    for (const p of ok) expect(messageOf(scenario(p)), p).toBeUndefined();
  });

  it('refuses a payload without {{probe}}, naming the field', () => {
    expect(messageOf(scenario('{ via: sns, to: Alerts, rate: 1, duration: 1s, payload: { message: hello } }'))).toMatch(
      /phases\[2\]\.publish\.payload\.message: must carry \{\{probe\}\} where the recipients receive it/,
    );
    // the probe outside what reaches the recipients does not count
    expect(messageOf(scenario('{ via: eventbridge, to: b, rate: 1, duration: 1s, payload: { source: "{{probe}}", detailType: t, detail: {} } }'))).toMatch(/phases\[2\]\.publish\.payload\.detail: must carry \{\{probe\}\}/);
    expect(messageOf(scenario('{ via: lambda, to: F, rate: 1, duration: 1s, payload: { a: "{{probe}}", b: "{{probe}}" } }'))).toMatch(/phases\[2\]\.publish\.payload: must carry \{\{probe\}\} once/);
    expect(messageOf(scenario('{ via: sns, to: Alerts, rate: 1, duration: 1s }'))).toMatch(/phases\[2\]\.publish\.payload: missing/);
  });

  it('refuses a payload of the wrong shape, an unknown via, a room out of range and a bad URL, one line each', () => {
    const cases: Array<[string, RegExp]> = [
      ['{ via: eventbridge, to: b, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.payload: via eventbridge takes \{ source, detailType, detail \}/],
      ['{ via: sns, to: A, rate: 1, duration: 1s, payload: { message: "{{probe}}", colour: red } }', /phases\[2\]\.publish\.payload\.colour: unknown key/],
      ['{ via: kinesis, to: A, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.via: must be one of sns, eventbridge, sqs, dynamodb, lambda, http/],
      ['{ via: sns, to: A, rate: 1, duration: 1s, payload: "{{probe}}", recipients: { room: 2 } }', /phases\[2\]\.publish\.recipients\.room: must be a room of the scenario's, 0 to 1/],
      ['{ via: http, to: "the alerts route", rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.to: must be a route of the stack's HTTP or REST API \(POST \/notify; POST, PUT or PATCH\), an HTTP API route's logical id, or an http:\/\/ or https:\/\/ URL/],
      ['{ via: http, to: "GET /notify", rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.to: must be a route of the stack's HTTP or REST API/],
      ['{ via: sns, to: A, apiKey: Key, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.apiKey: is for via http to a route of the stack's own API/],
      ['{ via: http, to: "http://127.0.0.1:9/x", apiKey: Key, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.apiKey: is for via http to a route of the stack's own API/],
      ['{ via: http, to: "http://[::1/push", rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.to: must be a route .* or an http:\/\/ or https:\/\/ URL/],
      ['{ via: sqs, to: Q, headers: { Authorization: x }, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.headers: is for via http: the headers of each request$/],
      ['{ via: http, to: "POST /notify", headers: { "Content-Type": text/xml }, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.headers\.Content-Type: is set by the publish itself$/],
      ['{ via: http, to: "POST /notify", headers: { "bad header": x }, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.headers\.bad header: is not a header name/],
      ['{ via: http, to: "POST /notify", apiKey: Key, headers: { X-Api-Key: x }, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.headers\.X-Api-Key: is what apiKey sends: give one or the other$/],
      ['{ via: http, to: "POST /notify", headers: { Authorization: { env: "1BAD" } }, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.headers\.Authorization\.env: must be an environment variable's name/],
      ['{ via: http, to: "POST /notify", headers: { Authorization: { vault: x } }, rate: 1, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.headers\.Authorization: must be a value/],
      ['{ via: sns, to: A, rate: 0, duration: 1s, payload: "{{probe}}" }', /phases\[2\]\.publish\.rate: must be a number > 0/],
    ];
    for (const [p, re] of cases) {
      const m = messageOf(scenario(p));
      expect(m, p).toMatch(re);
      expect(m!.split('\n')).toHaveLength(1);
    }
  });

  it("takes an HTTP API route's logical id as what to publish to, with an API key", () => {
    const s = loadScenario(scenario('{ via: http, to: NotifyRoute, apiKey: NotifyKey, rate: 1, duration: 1s, payload: "{{probe}}" }'));
    expect(s.phases[2]).toMatchObject({ kind: 'publish', via: 'http', to: 'NotifyRoute', apiKey: 'NotifyKey' });
  });

  it("keeps a header's source, not its value, with a file's path made relative to the scenario file", () => {
    const s = loadScenario(scenario('{ via: http, to: "POST /notify", headers: { Authorization: { file: secrets/token, prefix: "Bearer " }, X-Team: { env: TEAM }, X-Client: bench }, rate: 1, duration: 1s, payload: "{{probe}}" }'));
    expect(s.phases[2]).toMatchObject({ kind: 'publish', headers: { Authorization: { file: join(dir, 'secrets/token'), prefix: 'Bearer ' }, 'X-Team': { env: 'TEAM' }, 'X-Client': 'bench' } });
  });

  it('takes {{room}} for recipients of one room only', () => {
    expect(messageOf(scenario('{ via: sqs, to: Q, rate: 1, duration: 1s, payload: { body: { room: "{{room}}", p: "{{probe}}" }, groupId: "{{room}}" }, recipients: { room: 1 } }'))).toBeUndefined();
    const m = messageOf(scenario('{ via: sqs, to: Q, rate: 1, duration: 1s, payload: { body: { room: "{{room}}", p: "{{probe}}" } } }'));
    expect(m).toMatch(/phases\[2\]\.publish\.payload: carries \{\{room\}\}, which names the recipients' room: give recipients: \{ room: <n> \}$/);
    expect(m!.split('\n')).toHaveLength(1);
  });

  it('needs open clients before it', () => {
    const p = join(dir, 'first.yaml');
    writeFileSync(p, ['name: pub', 'clients: 2', 'rooms: 1', 'phases:', '  - publish: { via: sns, to: A, rate: 1, duration: 1s, payload: "{{probe}}" }', ''].join('\n'));
    expect(messageOf(p)).toMatch(/phases\[0\]\.publish: needs a connect phase before it/);
  });
});

describe("a publish's probe", () => {
  it('is put wherever the template says, and read back as a message of the publisher (one past the last shard and client)', () => {
    const probe = publishProbe(7, 1_700_000_000_123.456, 2, 30);
    const filled = fillProbe({ message: 'score {{probe}}', attributes: { k: 'v' }, list: ['{{probe}}'] }, probe);
    expect(filled).toEqual({ message: `score ${probe}`, attributes: { k: 'v' }, list: [probe] });
    const out = newProbe();
    expect(decodeProbe(probe, false, out)).toBe(true);
    expect(out).toMatchObject({ origin: 2, slot: 7, sender: 30, seq: 7 });
    expect(out.intended).toBeCloseTo(1_700_000_000_123.456, 2);
  });

  it("names the recipients' room where {{room}} is, keys and values, the probe's place kept", () => {
    expect(fillRoom({ body: { room: '{{room}}', data: '{{probe}}' }, groupId: '{{room}}', '{{room}}-k': 1 }, 'fb-run-r1')).toEqual({ body: { room: 'fb-run-r1', data: '{{probe}}' }, groupId: 'fb-run-r1', 'fb-run-r1-k': 1 });
    expect(fillRoom('to {{room}}: {{probe}}', 'fb-run-r0')).toBe('to fb-run-r0: {{probe}}');
  });
});
