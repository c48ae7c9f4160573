import { requestTime } from './events.ts';

/**
 * A stage's access log format (`AccessLogSettings.Format`, a REST stage's `AccessLogSetting`)
 * compiled once into a renderer, for every API type: a WebSocket API's events and an HTTP or REST
 * API's requests fill the same record, each with the `$context` variables its type has. The
 * text split at each `$context.<variable>`, every variable bound to its getter, so a line costs
 * one pass over a short array, not a search of the format. A variable whose value is absent (a
 * MESSAGE-only one on CONNECT, an integration's on a request that never reached it, one the
 * emulator has no value for) renders `-`, as API Gateway writes it. Values are written as they
 * are, not escaped: a quote in a User-Agent ends up inside a JSON format's string, as on AWS
 * (which is why AWS adds `$context.error.messageString`).
 */

/** What one WebSocket event (CONNECT, MESSAGE, DISCONNECT) or one HTTP or REST request came to, known once it completed. */
export interface AccessLogRecord {
  /** WebSocket APIs only */
  eventType?: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  /** `$context.requestId`, the same as `extendedRequestId` on WebSocket and HTTP APIs */
  requestId: string;
  /** a REST API's `$context.extendedRequestId` (its `x-amz-apigw-id`); absent: requestId */
  extendedRequestId?: string;
  client: AccessLogClient;
  /** the selected route key (a REST API's `METHOD /path`); undefined when none matched */
  routeKey: string | undefined;
  /** MESSAGE only */
  messageId?: string;
  /** an HTTP or REST API's request */
  request?: HttpRequestFacts;
  /** epoch ms the event arrived */
  requestTimeEpoch: number;
  /** the response status API Gateway settled on */
  status: number;
  /** the Lambda call, when the integration was called */
  integration?: IntegrationFacts;
  /** API Gateway's own error, when it answered one */
  error?: { message: string; responseType: string };
}

/** Who called: a WebSocket API's connection, or an HTTP or REST API's caller. */
export interface AccessLogClient {
  sourceIp: string;
  /** '' when the client sent no User-Agent */
  userAgent: string;
  /** WebSocket APIs only */
  connectionId?: string;
  connectedAt?: number;
  /**
   * What the authorizer answered: its principalId and context values by name, a JWT's claims
   * under `claims` (`$context.authorizer.claims.sub`)
   */
  authorizer?: Record<string, unknown>;
  /** an AWS_IAM route's signed caller (execute-api-iam.ts) */
  iam?: { accessKey: string; userArn: string; userId: string };
}

/** What an HTTP or REST API's request and its answer were. */
export interface HttpRequestFacts {
  httpMethod: string;
  /** the path as the caller sent it, the stage's segment included (`/dev/notify`) */
  path: string;
  /** `HTTP/1.1` */
  protocol: string;
  /** a REST API's resource path (`/items/{id}`) and the resource's id */
  resourcePath?: string;
  resourceId?: string;
  /** the answer's body, in bytes */
  responseLength: number;
  /** ms from the request's arrival to the answer */
  responseLatencyMs: number;
  /** an HTTP API's `$context.dataProcessed`: the request's and the answer's bodies, in bytes */
  dataProcessed?: number;
  /** a REST API's key, by id (`$context.identity.apiKeyId`; its value is never written) */
  apiKeyId?: string;
}

export interface IntegrationFacts {
  /** ms from sending the request to the integration to its answer */
  latencyMs: number;
  /** what the proxy function returned as statusCode */
  status?: number;
  /** what Lambda's Invoke returned: 200 (a function error included), or Lambda's error status */
  integrationStatus?: number;
  /** the invocation's request ID, the one its START/END/REPORT lines carry */
  requestId?: string;
  error?: string;
}

/** Where the stage is: the values that do not change per event. */
export interface StagePlace {
  apiId: string;
  /** `$context.accountId`; absent: not written */
  accountId?: string;
  stage: string;
  domainName: string;
}

type Getter = (r: AccessLogRecord) => string | number | undefined;
export type AccessLogRenderer = (r: AccessLogRecord) => string;

const VARIABLE = /\$context\.([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)/g;

export function compileAccessLogFormat(format: string, place: StagePlace): AccessLogRenderer {
  const literals: string[] = [];
  const getters: Getter[] = [];
  let last = 0;
  for (const m of format.matchAll(VARIABLE)) {
    literals.push(format.slice(last, m.index));
    getters.push(getterOf(m[1]!, place));
    last = m.index + m[0].length;
  }
  const tail = format.slice(last);
  const n = getters.length;
  return (r) => {
    let out = '';
    for (let i = 0; i < n; i++) {
      const v = getters[i]!(r);
      out += literals[i]! + (v === undefined || v === '' ? '-' : v);
    }
    return out + tail;
  };
}

/** Whether the format names `$context.requestId` or `$context.extendedRequestId` (what makes each line unique). */
export function namesRequestId(format: string): boolean {
  for (const m of format.matchAll(VARIABLE)) if (m[1] === 'requestId' || m[1] === 'extendedRequestId') return true;
  return false;
}

const ABSENT: Getter = () => undefined;

function getterOf(name: string, place: StagePlace): Getter {
  switch (name) {
    case 'requestId':
      return (r) => r.requestId;
    case 'extendedRequestId':
      return (r) => r.extendedRequestId ?? r.requestId;
    case 'accountId':
      return () => place.accountId;
    case 'apiId':
      return () => place.apiId;
    case 'stage':
      return () => place.stage;
    case 'domainName':
      return () => place.domainName;
    case 'connectionId':
      return (r) => r.client.connectionId;
    case 'connectedAt':
      return (r) => r.client.connectedAt;
    case 'eventType':
      return (r) => r.eventType;
    case 'routeKey':
      return (r) => r.routeKey;
    case 'messageId':
      return (r) => r.messageId;
    case 'messageDirection':
      return (r) => (r.eventType === undefined ? undefined : 'IN');
    case 'httpMethod':
      return (r) => r.request?.httpMethod;
    case 'path':
      return (r) => r.request?.path;
    case 'protocol':
      return (r) => r.request?.protocol;
    case 'resourcePath':
      return (r) => r.request?.resourcePath;
    case 'resourceId':
      return (r) => r.request?.resourceId;
    case 'responseLength':
      return (r) => r.request?.responseLength;
    case 'responseLatency':
      return (r) => (r.request === undefined ? undefined : Math.round(r.request.responseLatencyMs));
    case 'dataProcessed':
      return (r) => r.request?.dataProcessed;
    case 'identity.apiKeyId':
      return (r) => r.request?.apiKeyId;
    case 'identity.accessKey':
      return (r) => r.client.iam?.accessKey;
    case 'identity.userArn':
      return (r) => r.client.iam?.userArn;
    case 'identity.caller':
    case 'identity.user':
      return (r) => r.client.iam?.userId;
    case 'requestTime':
      return (r) => requestTime(r.requestTimeEpoch);
    case 'requestTimeEpoch':
      return (r) => r.requestTimeEpoch;
    case 'status':
      return (r) => r.status;
    case 'identity.sourceIp':
      return (r) => r.client.sourceIp;
    case 'identity.userAgent':
      return (r) => r.client.userAgent;
    case 'integrationLatency':
    case 'integration.latency':
      return (r) => (r.integration === undefined ? undefined : Math.round(r.integration.latencyMs));
    case 'integrationStatus':
    case 'integration.status':
      return (r) => r.integration?.status;
    case 'integration.integrationStatus':
      return (r) => r.integration?.integrationStatus;
    case 'integration.requestId':
    case 'awsEndpointRequestId':
      return (r) => r.integration?.requestId;
    case 'integration.error':
    case 'integrationErrorMessage':
      return (r) => r.integration?.error;
    case 'error.message':
      return (r) => r.error?.message;
    case 'error.messageString':
      return (r) => (r.error === undefined ? undefined : `"${r.error.message}"`);
    case 'error.responseType':
      return (r) => r.error?.responseType;
  }
  // what the authorizer allowed the caller with: principalId, integrationLatency, its context; a JWT's `claims.<name>`
  if (name.startsWith('authorizer.')) {
    const path = name.slice('authorizer.'.length).split('.');
    return (r) => {
      let v: unknown = r.client.authorizer;
      for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return v === undefined || v === null || typeof v === 'object' ? undefined : String(v);
    };
  }
  // `identity.apiKey` (the key's value: no log of this project writes a secret), Cognito identities, WAF: nothing written
  return ABSENT;
}
