import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { openSocket, stackUp, stopStacks } from './stack-up.ts';

/**
 * A stack of your own, offline, through the CLI as a user runs it: `stack up --template` serves
 * the SAM fixture (a protocol unlike ours: the room in the connect URL, raw deliveries, an explicit
 * execute-api endpoint in the function), and a template the emulator cannot run is one line and
 * exit 2 before anything starts. (A CDK assembly runs in every default run: the emulator's
 * default stack is the reference stack's, emulator/stack-model/reference-assembly.ts.)
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
