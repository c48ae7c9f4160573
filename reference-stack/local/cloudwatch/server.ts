import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AwsApiError } from './aws-json.ts';
import { describeLogGroups, filterLogEvents } from './logs-api.ts';
import { getMetricData, listMetrics } from './metrics-api.ts';
import type { LogStore } from './log-store.ts';
import type { MetricStore } from './metric-store.ts';

export interface CloudWatchServerOptions {
  store: MetricStore;
  logs: LogStore;
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** Used in log group ARNs. */
  region?: string;
  accountId?: string;
}

export interface CloudWatchServer {
  /** e.g. http://127.0.0.1:41234 — the endpoint for both CloudWatch and CloudWatch Logs clients. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Service {
  contentType: string;
  /** Answer the CloudWatch query-era code next to __type (awsQueryCompatible services only). */
  queryCompatible: boolean;
  operations: Record<string, (body: unknown) => unknown>;
}

/**
 * One HTTP port speaking both protocols the SDK's clients use: AWS JSON 1.0 for CloudWatch
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`) and AWS JSON 1.1 for CloudWatch Logs
 * (`X-Amz-Target: Logs_20140328.<Op>`). Signatures are not checked.
 */
export async function startCloudWatchServer(options: CloudWatchServerOptions): Promise<CloudWatchServer> {
  const { store, logs, host = '127.0.0.1', port = 0, region = 'us-east-1', accountId = '000000000000' } = options;
  const services: Record<string, Service> = {
    GraniteServiceVersion20100801: {
      contentType: 'application/x-amz-json-1.0',
      queryCompatible: true,
      operations: {
        GetMetricData: (body) => getMetricData(store, body),
        ListMetrics: (body) => listMetrics(store, body),
      },
    },
    Logs_20140328: {
      contentType: 'application/x-amz-json-1.1',
      queryCompatible: false,
      operations: {
        FilterLogEvents: (body) => filterLogEvents(logs, body),
        DescribeLogGroups: (body) => describeLogGroups(logs, body, region, accountId),
      },
    },
  };

  const server = createServer((req, res) => {
    handle(req, res, services).catch((err: unknown) => {
      send(res, 500, 'application/x-amz-json-1.1', { __type: 'InternalFailure', message: String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, services: Record<string, Service>): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const dot = target.indexOf('.');
  const service = dot > 0 ? services[target.slice(0, dot)] : undefined;
  const contentType = service?.contentType ?? 'application/x-amz-json-1.1';
  const operation = service?.operations[target.slice(dot + 1)];
  if (req.method !== 'POST' || !service || !operation) {
    req.resume();
    sendError(res, contentType, false, new AwsApiError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`));
    return;
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    sendError(res, contentType, false, err instanceof AwsApiError ? err : new AwsApiError('SerializationException', String(err)));
    return;
  }
  try {
    send(res, 200, contentType, operation(body));
  } catch (err) {
    if (err instanceof AwsApiError) sendError(res, contentType, service.queryCompatible, err);
    else throw err;
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsApiError('SerializationException', `Request body larger than ${MAX_BODY_BYTES} bytes`, 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new AwsApiError('SerializationException', 'Request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, payload: unknown, extra: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  res.end(body);
}

function sendError(res: ServerResponse, contentType: string, queryCompatible: boolean, err: AwsApiError): void {
  const extra: Record<string, string> = queryCompatible && err.queryCode ? { 'x-amzn-query-error': err.queryCode } : {};
  send(res, err.status, contentType, { __type: err.type, message: err.message }, extra);
}
