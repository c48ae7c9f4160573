import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReadyLine } from '../../common/stack-ready.ts';
import { allGone, cmdline, descendants } from '../process-tree.ts';
import { BIN } from './cli.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * A stack's runtime processes (Python on the emulator's bootstrap, a custom runtime's sh bootstrap
 * and the curl it waits in) never outlive it, however it ends: `stack up` stopped with SIGTERM,
 * `stack up` killed with SIGKILL (the stack notices its launcher is gone), and the stack process
 * itself killed with SIGKILL, which runs no code of ours (the kernel ends them: setpriv's
 * parent-death signal, and the hang-up of the stack's orphaned process group). Every environment
 * is prepared, so each is frozen (stopped) when the stack dies.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const { dir } = scenarioFiles('fb-runtime-processes-');
const launched: ChildProcess[] = [];
afterEach(() => {
  for (const c of launched.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** One Python function and one provided.al2023 one (the provided-echo fixture's sh + curl bootstrap). */
function template(): string {
  mkdirSync(join(dir, 'py'), { recursive: true });
  writeFileSync(join(dir, 'py', 'app.py'), 'def handler(event, context):\n    return {"statusCode": 200}\n');
  const file = join(dir, 'template.yaml');
  const integration = (id: string, fn: string) =>
    `  ${id}:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: { ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !Sub 'arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fn}.Arn}/invocations' }`;
  writeFileSync(
    file,
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Api:',
      '    Type: AWS::ApiGatewayV2::Api',
      "    Properties: { Name: mixed, ProtocolType: WEBSOCKET, RouteSelectionExpression: '$request.body.action' }",
      '  Stage:',
      '    Type: AWS::ApiGatewayV2::Stage',
      '    Properties: { ApiId: !Ref Api, StageName: mixed }',
      '  ConnectRoute:',
      '    Type: AWS::ApiGatewayV2::Route',
      "    Properties: { ApiId: !Ref Api, RouteKey: '$connect', Target: !Sub 'integrations/${ConnectIntegration}' }",
      integration('ConnectIntegration', 'PythonFunction'),
      '  DefaultRoute:',
      '    Type: AWS::ApiGatewayV2::Route',
      "    Properties: { ApiId: !Ref Api, RouteKey: '$default', Target: !Sub 'integrations/${DefaultIntegration}' }",
      integration('DefaultIntegration', 'ShellFunction'),
      '  PythonFunction:',
      '    Type: AWS::Serverless::Function',
      `    Properties: { Runtime: python3.12, Handler: app.handler, CodeUri: ${join(dir, 'py')} }`,
      '  ShellFunction:',
      '    Type: AWS::Serverless::Function',
      `    Properties: { Runtime: provided.al2023, CodeUri: ${join(ROOT, 'test/fixtures/stacks/provided-echo/src')} }`,
    ].join('\n'),
  );
  return file;
}

/** `stack up` on the mixed template, two prepared environments per function; its ready line's arrival. */
async function stackUp(): Promise<{ launcher: ChildProcess; stackPid: number; runtimePids: number[] }> {
  const launcher = spawn(process.execPath, [BIN, 'stack', 'up', '--template', template(), '--prepared', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  launched.push(launcher);
  let err = '';
  launcher.stderr!.on('data', (d: Buffer) => (err += d));
  await new Promise<void>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`no ready line in 50 s: ${err.slice(-800)}`)), 50_000);
    launcher.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (out.split('\n').some((l) => parseReadyLine(l))) {
        clearTimeout(timer);
        done();
      }
    });
    launcher.once('exit', (code) => fail(new Error(`stack up exited ${code}: ${err.slice(-800)}`)));
  });
  const tree = descendants(launcher.pid!);
  const stackPid = tree.find((p) => cmdline(p).includes('emulator/bootstrap.js'))!;
  const isRuntime = (c: string) => c.includes('python-bootstrap.py') || c.endsWith('provided-echo/src/bootstrap') || c.startsWith('curl ');
  const runtimePids = tree.filter((p) => isRuntime(cmdline(p)));
  const commands = runtimePids.map(cmdline);
  // two Python bootstraps, two sh bootstraps and the curl each waits in for its next invocation
  expect(commands.filter((c) => c.includes('python-bootstrap.py')), commands.join('\n')).toHaveLength(2);
  expect(commands.filter((c) => c.endsWith('provided-echo/src/bootstrap')), commands.join('\n')).toHaveLength(2);
  expect(commands.filter((c) => c.startsWith('curl ')), commands.join('\n')).toHaveLength(2);
  // frozen: stopped between invocations (and after INIT)
  // (the stop follows the ready line by the runtime's own timing: on a busy host, a moment later)
  for (const pid of runtimePids) {
    const until = Date.now() + 10_000;
    while (stateOf(pid) !== 'T' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(stateOf(pid), cmdline(pid)).toBe('T');
  }
  return { launcher, stackPid, runtimePids };
}

function stateOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

describe('no runtime process outlives its stack', () => {
  it('stack up stopped with SIGTERM: the stack closes and ends every runtime process', { timeout: 60_000 }, async () => {
    const { launcher, stackPid, runtimePids } = await stackUp();
    launcher.kill('SIGTERM');
    await allGone([stackPid, ...runtimePids], 10_000);
    await allGone([launcher.pid!], 5_000);
  });

  it('stack up killed with SIGKILL: the stack and every runtime process are gone within seconds', { timeout: 60_000 }, async () => {
    const { launcher, stackPid, runtimePids } = await stackUp();
    launcher.kill('SIGKILL');
    await allGone([stackPid, ...runtimePids], 5_000);
  });

  it('the stack process itself killed with SIGKILL: the kernel ends its runtime processes', { timeout: 60_000 }, async () => {
    const { launcher, stackPid, runtimePids } = await stackUp();
    process.kill(stackPid, 'SIGKILL');
    await allGone([stackPid, ...runtimePids], 5_000);
    await new Promise<void>((r) => (launcher.exitCode !== null || launcher.signalCode !== null ? r() : launcher.once('exit', () => r())));
  });
});
