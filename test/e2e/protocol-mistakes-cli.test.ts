import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProtocolServer, type ProtocolServer } from '../fixtures/protocols/protocol-server.ts';
import { expectOneLine, runCli } from './cli.ts';

/**
 * A protocol mistake, through the real CLI against a ws:// server of our own: one line naming the
 * field, exit 2, before any load (the server sees no fleet: at most the first probe's connection).
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-protocol-mistakes-'));
let server: ProtocolServer;
beforeAll(async () => {
  server = await startProtocolServer({ shape: 'subscribe', answers: false });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function scenario(name: string, protocol: string, more = ''): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(
    p,
    `name: ${name}
clients: 4
rooms: ${/model: all|sendmessage/.test(protocol) && !more.includes('rooms') ? 1 : 2}
protocol: ${protocol}
phases:
  - connect: { rate: 100 }
${/model: (connect|all)|sendmessage/.test(protocol) ? '' : '  - join: { rate: 100 }\n'}  - send: { duration: 1s, rate: 4 }
timeouts: { ack: 1s, loss: 1s, grace: 500ms }
${more}`,
  );
  return p;
}

const run = (file: string) => runCli(['run', file, '--target', server.url, '--out', dir], { timeoutMs: 60_000 });

describe('protocol mistakes, from the CLI', { timeout: 120_000 }, () => {
  it('a send template without {{probe}}, an unknown variable, a JSON path that is not one', async () => {
    const noProbe = scenario('no-probe', '{ membership: { model: all }, send: { frame: { action: sendmessage, data: hello } } }');
    expectOneLine(await run(noProbe), `${noProbe}: protocol.send.frame: must carry {{probe}} (the harness finds each delivery by it)`);
    const unknown = scenario('unknown-var', '{ membership: { model: all }, send: { frame: "{{probe}} {{channel}}" } }');
    expectOneLine(await run(unknown), `${unknown}: protocol.send.frame: unknown template variable {{channel}} (known here: {{probe}}, {{room}}, {{client}}, {{run}})`);
    const badPath = scenario('bad-path', '{ membership: { model: join, frame: "{{room}}", answer: { json: "result.ok" } }, send: { frame: "{{probe}}" } }');
    expectOneLine(await run(badPath), `${badPath}: protocol.membership.answer.json: "result.ok" is not a JSON path (it starts with $, e.g. $.type)`);
  });

  it('membership the phases contradict: all with several rooms, a join phase with membership connect, connect without {{room}}', async () => {
    // the file has one room; --rooms 3 contradicts membership all (a flag is validated again through the schema)
    const rooms = scenario('all-rooms', '{ membership: { model: all }, send: { frame: "{{probe}}" } }');
    const r = await runCli(['run', rooms, '--target', server.url, '--rooms', '3'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/protocol\.membership\.model: all: every connection receives every message, so the scenario has one room \(rooms: 3\)/);
    const join = join_(dir, 'connect-join.yaml');
    writeFileSync(join, `name: cj
clients: 4
rooms: 2
protocol: { connect: { query: { room: "{{room}}" } }, membership: { model: connect }, send: { frame: "{{probe}}" } }
phases:
  - connect: {}
  - join: {}
  - send: { duration: 1s, rate: 2 }
`);
    expectOneLine(await run(join), `${join}: phases[1].join: protocol membership "connect" has no join step (clients are members once connected): remove the join phase`);
    const noRoom = scenario('connect-no-room', '{ membership: { model: connect }, send: { frame: "{{probe}}" } }');
    expectOneLine(await run(noRoom), `${noRoom}: protocol.membership.model: connect: the room must be set by the connect URL or a header: put {{room}} in connect.query or connect.headers`);
  });

  it('a protocol file with a mistake names the file and its field; an unknown built-in names the choices', async () => {
    writeFileSync(join(dir, 'p.yaml'), 'membership: { model: all }\nsend: { frame: { data: "{{probe}}" }, ack: { json: "$." } }\n');
    const f = scenario('file-ref', '{ file: ./p.yaml }');
    expectOneLine(await run(f), `./p.yaml: send.ack.json: "$." is not a JSON path: cannot read "." (steps are .name, ['name'] or [index])`);
    const unknown = scenario('unknown-builtin', 'chat-v2');
    expectOneLine(await run(unknown), `${unknown}: protocol: unknown protocol "chat-v2" (built-in: chat-v1, sendmessage; or a description, { file: … } or { module: … })`);
  });

  it('an answer matcher that never matches: found by the first probe, before any load', async () => {
    const join = scenario('join-never', '{ membership: { model: join, frame: { op: subscribe, channel: "{{room}}" }, answer: { json: "$.result.subscribed" } }, send: { frame: { op: publish, channel: "{{room}}", data: "{{probe}}" } } }');
    const before = server.urls.length;
    expectOneLine(await run(join), `${join}: protocol.membership.answer: no answer matched the first join within 1s (the first other frame was "{\\"result\\":{\\"ok\\":1}}")`);
    // the target URL check and the probe: no fleet (it would open 4)
    expect(server.urls.length - before).toBeLessThanOrEqual(2);
    const ack = scenario('ack-never', '{ membership: { model: join, frame: { op: subscribe, channel: "{{room}}" } }, send: { frame: { op: publish, channel: "{{room}}", data: "{{probe}}" }, ack: { contains: "published" } } }');
    expectOneLine(await run(ack), `${ack}: protocol.send.ack: no answer matched the first send within 1s (the first other frame was "{\\"result\\":{\\"ok\\":1}}")`);
  });
});

function join_(...parts: string[]): string {
  return join(...parts);
}
