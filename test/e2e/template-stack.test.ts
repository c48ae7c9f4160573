import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReadyLine, type StackReady } from '../../common/stack-ready.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { synthesizeReferenceStack } from '../../reference-stack/infra/synthesize.ts';
import { runCli } from './cli.ts';
import { openSocket, stackUp, stopStacks } from './stack-up.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * A stack of your own, offline, through the CLI as a user runs it: `stack up --template` serves
 * the SAM fixture (a protocol unlike ours: the room in the connect URL, raw deliveries, an explicit
 * execute-api endpoint in the function), `run --template cdk.out` of the reference stack's own
 * synthesized assembly does exactly the work of the built-in path, and a template the emulator
 * cannot run is one line and exit 2 before anything starts.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SAM = join(ROOT, 'test/fixtures/stacks/sam-rooms/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-template-e2e-'));
afterAll(() => {
  stopStacks();
  rmSync(work, { recursive: true, force: true });
});


describe('stack up --template: the SAM fixture, served', () => {
  it('connects into a room by the URL, publishes, and every member of that room (only) receives the raw text', { timeout: 180_000 }, async () => {
    // no prepared environments: this serves the template, it does not time cold starts
    const ready = await stackUp(['--template', SAM, '--prepared', '0']);
    expect(ready.stackName).toBe('sam-rooms');
    expect(ready.stage).toBe('live');
    expect(ready.functions.map((f) => f.route).sort()).toEqual(['$connect', '$disconnect', 'publish']);
    // the template's own throttles (its Stage's DefaultRouteSettings for the test environment, its publish RouteSettings), as the stack runs them
    expect(ready.throttles).toEqual({ stage: { rateLimit: 200, burstLimit: 400 }, routes: { publish: { rateLimit: 100, burstLimit: 50 } } });
    const [alice, bob, carol] = await Promise.all([openSocket(`${ready.websocketUrl}?room=lobby`), openSocket(`${ready.websocketUrl}?room=lobby`), openSocket(`${ready.websocketUrl}?room=attic`)]);
    const received = new Map<WebSocket, string[]>([
      [alice, []],
      [bob, []],
      [carol, []],
    ]);
    for (const [ws, list] of received) ws.on('message', (data: Buffer) => list.push(data.toString('utf8')));
    alice.send(JSON.stringify({ action: 'publish', text: 'hello lobby' }));
    const deadline = Date.now() + 20_000;
    while ((received.get(alice)!.length < 1 || received.get(bob)!.length < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // a moment more for anything that should not arrive
    await new Promise((r) => setTimeout(r, 500));
    expect(received.get(alice)).toEqual(['hello lobby']);
    expect(received.get(bob)).toEqual(['hello lobby']);
    expect(received.get(carol)).toEqual([]);
    for (const ws of received.keys()) ws.close();
  });
});

describe('run --template cdk.out: the reference stack synthesized does the work of the built-in path', () => {
  const out = join(work, 'cdk.out');
  beforeAll(async () => {
    // as the built-in path runs it: every route, no authorizer (the default run has none)
    await synthesizeReferenceStack(out, { broadcast: 'true', auth: 'false' });
  }, 300_000);

  it('counts the same invocations per function, posts and DynamoDB units per table', { timeout: 420_000 }, async () => {
    const scenario = join(work, 'small.yaml');
    // 4 clients in two rooms, 0.1 s apart: the same work both ways is the subject, not its size
    // (fewer clients, and fewer at once, boot fewer environments)
    const clients = 4;
    writeFileSync(
      scenario,
      ['name: small', `clients: ${clients}`, 'rooms: 2', 'seed: 7', 'phases:', '  - connect: { rate: 10 }', '  - join: { rate: 10 }', '  - send: { rate: 4, duration: 3s }', ''].join('\n'),
    );
    const stderr: Record<string, string> = {};
    const measure = async (name: string, extra: string[]): Promise<Results> => {
      const dir = join(work, name);
      // --prepared 0 both ways: the two paths' work is compared, not their cold starts
      const r = await runCli(['run', scenario, '--out', dir, '--shards', '1', '--no-progress', '--prepared', '0', ...extra], { timeoutMs: 300_000 });
      const [run] = readdirSync(dir);
      const results = Results.parse(JSON.parse(readFileSync(join(dir, run!, 'results.json'), 'utf8')));
      expectPassedButForHost(r.code, results, `${r.stdout}\n${r.stderr}`);
      stderr[name] = r.stderr;
      return results;
    };
    const builtIn = await measure('built-in', []);
    const template = await measure('template', ['--template', out]);
    // every resource of the assembly runs here (its log groups are created with it, its CDK metadata does nothing): nothing said not emulated
    expect(template.config.target.notEmulatedResources).toBeUndefined();
    expect(stderr.template).not.toContain('not emulated');
    expect(stderr['built-in']).not.toContain('not emulated');
    // the same load (a missed pacing slot is the host's, not the stack's)
    expect([template.sends.sent, template.sends.acked]).toEqual([builtIn.sends.sent, builtIn.sends.acked]);
    expect(template.deliveries.received).toBe(builtIn.deliveries.received);
    const cw = (r: Results) => r.cloudwatch!;
    const invocations = (r: Results) => Object.fromEntries(Object.entries(cw(r).lambda).map(([fn, t]) => [fn, t.invocations]));
    expect(invocations(template)).toEqual(invocations(builtIn));
    // more than each client's connect, join and disconnect: the sends were counted too
    expect(Object.values(invocations(builtIn)).reduce((a, b) => a + b, 0)).toBeGreaterThan(clients * 3);
    // the functions' own counts of their work (cold starts and durations are the host's timing, not work)
    const counted = ['FanoutDeliveries', 'FanoutPostErrors', 'FanoutPostTimeouts', 'StaleConnectionsRemoved'];
    const emf = (r: Results) => Object.fromEntries(counted.map((name) => [name, cw(r).emf[name]?.sum]));
    expect(emf(builtIn).FanoutDeliveries).toBe(builtIn.deliveries.received);
    expect(emf(template)).toEqual(emf(builtIn));
    const units = (r: Results) => Object.fromEntries(Object.entries(cw(r).dynamodb ?? {}).map(([table, t]) => [table, { read: t.readUnits, write: t.writeUnits }]));
    expect(Object.keys(units(builtIn)).length).toBe(3);
    // Exactly the same units, but for one read the reference functions skip by design: joinRoom
    // reads a room's metadata once per execution environment (rooms.ts, roomExists), so those reads
    // follow how many environments the host started, not the stack; they lie between one per room
    // and one per join on either path.
    const withoutRoomReads = (r: Results) => ({ ...units(r), 'fanout-messages': { write: units(r)['fanout-messages']!.write } });
    expect(withoutRoomReads(template)).toEqual(withoutRoomReads(builtIn));
    for (const r of [builtIn, template]) {
      const roomReads = units(r)['fanout-messages']!.read;
      expect(roomReads).toBeGreaterThanOrEqual(2);
      expect(roomReads).toBeLessThanOrEqual(clients);
    }
  });
});

describe('a template the emulator cannot run', () => {
  // One refusal through the CLI: every refusal of the reader takes this path (its UserError,
  // before anything starts). Code only in S3 is held to at the reader's level, with the other
  // integration types: test/emulator/template-refusals.test.ts ("code only in S3", "an HTTP,
  // HTTP_PROXY, MOCK or AWS integration").
  it('an HTTP integration: one line naming the resource and property, exit 2, before anything starts', { timeout: 120_000 }, async () => {
    const file = join(work, 'HttpIntegration.yaml');
    const template = [
      'Resources:',
      '  Api:',
      '    Type: AWS::ApiGatewayV2::Api',
      '    Properties: { Name: x, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action }',
      '  Stage:',
      '    Type: AWS::ApiGatewayV2::Stage',
      '    Properties: { ApiId: !Ref Api, StageName: prod }',
      '  Integration:',
      '    Type: AWS::ApiGatewayV2::Integration',
      '    Properties: { ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: "https://example.com", IntegrationMethod: POST }',
      '  Route:',
      '    Type: AWS::ApiGatewayV2::Route',
      '    Properties: { ApiId: !Ref Api, RouteKey: $default, Target: !Sub "integrations/${Integration}" }',
      '',
    ].join('\n');
    writeFileSync(file, template);
    const r = await runCli(['stack', 'up', '--template', file], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('fanout-bench:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Integration');
    expect(lines[0]).toContain('IntegrationType');
    expect(r.stdout).toBe('');
  });
});
