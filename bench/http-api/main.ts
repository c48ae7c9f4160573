import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack } from '../../emulator/stack.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';

/**
 * Requests per second through an HTTP API route to a Lambda function on this host, against
 * messages per second through the WebSocket API's two-way route to the same function: one stack,
 * one inline Node function answering what it is sent, `--concurrency` clients each sending its
 * next request or frame when the last is answered (closed loop), for `--seconds` each, the HTTP
 * API first. Keep-alive HTTP/1.1 on one agent; one WebSocket per client. Latency is a request's
 * or frame's round trip as the client sees it.
 *
 *   npx tsx bench/http-api/main.ts [--concurrency 16] [--seconds 10] [--write]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CONCURRENCY = arg('concurrency', 16);
const SECONDS = arg('seconds', 10);
const WRITE = args.includes('--write');

const ECHO = `exports.handler = async (event) => ({ statusCode: 200, body: event.body ?? '' });`;
const lambdaUri = { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations' };
const permission = (api: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Echo' }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/*` } },
});
const TEMPLATE = {
  Resources: {
    Echo: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', MemorySize: 1024, Code: { ZipFile: ECHO } } },
    Ws: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' } },
    WsRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Ws' }, RouteKey: '$default', Target: { 'Fn::Sub': 'integrations/${WsIntegration}' } } },
    WsIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Ws' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri } },
    WsResponse: { Type: 'AWS::ApiGatewayV2::RouteResponse', Properties: { ApiId: { Ref: 'Ws' }, RouteId: { Ref: 'WsRoute' }, RouteResponseKey: '$default' } },
    WsStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Ws' }, StageName: 'bench' } },
    Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'http', ProtocolType: 'HTTP' } },
    HttpRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: 'POST /echo', Target: { 'Fn::Sub': 'integrations/${HttpIntegration}' } } },
    HttpIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri, PayloadFormatVersion: '2.0' } },
    HttpStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: '$default', AutoDeploy: true } },
    WsPermission: permission('Ws'),
    HttpPermission: permission('Http'),
  },
};

interface Measured {
  completed: number;
  failed: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function summary(latencies: number[], failed: number, ms: number): Measured {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { completed: latencies.length, failed, perSecond: (latencies.length * 1000) / ms, p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function httpLoad(url: string): Promise<Measured> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  const body = JSON.stringify({ text: 'x'.repeat(200) });
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const one = () =>
    new Promise<boolean>((done) => {
      const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200));
      });
      req.on('error', () => done(false));
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        if (await one()) latencies.push(performance.now() - t);
        else failed++;
      }
    }),
  );
  agent.destroy();
  return summary(latencies, failed, performance.now() - start);
}

async function wsLoad(url: string): Promise<Measured> {
  const sockets = await Promise.all(
    Array.from({ length: CONCURRENCY }, () => new Promise<WebSocket>((ok, fail) => {
      const ws = new WebSocket(url);
      ws.once('open', () => ok(ws));
      ws.once('error', fail);
    })),
  );
  const frame = JSON.stringify({ action: 'echo', text: 'x'.repeat(200) });
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    sockets.map(async (ws) => {
      while (performance.now() < end) {
        const t = performance.now();
        const answered = await new Promise<boolean>((done) => {
          const timer = setTimeout(() => done(false), 5_000);
          ws.once('message', () => {
            clearTimeout(timer);
            done(true);
          });
          ws.send(frame);
        });
        if (answered) latencies.push(performance.now() - t);
        else failed++;
      }
    }),
  );
  for (const ws of sockets) ws.close();
  return summary(latencies, failed, performance.now() - start);
}

const dir = mkdtempSync(join(tmpdir(), 'fb-bench-http-api-'));
try {
  const file = join(dir, 'stack.json');
  writeFileSync(file, JSON.stringify(TEMPLATE));
  const config = defaultStackConfig({ lambda: { preparedPerFunction: Math.min(CONCURRENCY, 16) } });
  const described = await readTemplateStack({ path: file, parameters: {}, stackName: 'bench-http-api', region: config.region, accountId: config.accountId, apiId: config.apiId, workDir: join(dir, 'work') });
  const stack = await startStack({ config, stack: described, log: () => {} });
  try {
    const http = await httpLoad(`${stack.ready.httpApis![0]!.url}/echo`);
    const ws = await wsLoad(stack.ready.websocketUrl);
    const row = (what: string, m: Measured, unit: string) =>
      `| ${what} | ${m.perSecond.toFixed(0)} ${unit}/s | ${m.p50Ms.toFixed(2)} ms | ${m.p99Ms.toFixed(2)} ms | ${m.completed} | ${m.failed} |`;
    const lines = [
      '## HTTP API requests against WebSocket messages',
      '',
      `One inline Node function (1,024 MB) behind an HTTP API route (\`POST /echo\`, payload 2.0) and the WebSocket API's two-way \`$default\` route, ${CONCURRENCY} closed-loop clients, ${SECONDS} s each, a 200-byte body; round trips as the client sees them.`,
      '',
      `- command: \`${tsxCommand()} bench/http-api/main.ts --concurrency ${CONCURRENCY} --seconds ${SECONDS} --write\``,
      `- measured: ${new Date().toISOString()}, Node ${process.versions.node}`,
      '',
      '| path | throughput | p50 | p99 | completed | failed |',
      '|---|---|---|---|---|---|',
      row('HTTP API `POST /echo` → Lambda', http, 'requests'),
      row('WebSocket `$default` (two-way) → Lambda', ws, 'messages'),
    ];
    console.log(lines.join('\n'));
    if (WRITE) writeResultsBlock(resolve(import.meta.dirname, '../RESULTS.md'), blockMarkers('http-api', 'bench/http-api/main.ts'), lines);
  } finally {
    await stack.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
