import { requestTime, type ClientInfo } from './events.ts';

/**
 * A stage's access log format (`AccessLogSettings.Format`) compiled once into a renderer: the
 * text split at each `$context.<variable>`, every variable bound to its getter, so a line costs
 * one pass over a short array, not a search of the format. A variable whose value is absent (a
 * MESSAGE-only one on CONNECT, an integration's on a request that never reached it, one the
 * emulator has no value for) renders `-`, as API Gateway writes it. Values are written as they
 * are, not escaped: a quote in a User-Agent ends up inside a JSON format's string, as on AWS
 * (which is why AWS adds `$context.error.messageString`).
 */

/** What one CONNECT, MESSAGE or DISCONNECT event came to, known once it completed. */
export interface AccessLogRecord {
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  /** `$context.requestId`, the same as `extendedRequestId` on WebSocket APIs */
  requestId: string;
  client: ClientInfo;
  /** the selected route key; undefined when none matched */
  routeKey: string | undefined;
  /** MESSAGE only */
  messageId?: string;
  /** epoch ms the event arrived */
  requestTimeEpoch: number;
  /** the response status API Gateway settled on */
  status: number;
  /** the Lambda call, when the integration was called */
  integration?: IntegrationFacts;
  /** API Gateway's own error, when it answered one */
  error?: { message: string; responseType: string };
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
    case 'extendedRequestId':
      return (r) => r.requestId;
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
      return () => 'IN';
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
  // what the $connect authorizer allowed the connection with: principalId, integrationLatency, its context
  if (name.startsWith('authorizer.')) {
    const key = name.slice('authorizer.'.length);
    return (r) => {
      const v = r.client.authorizer?.[key];
      return v === undefined || v === null ? undefined : String(v);
    };
  }
  // IAM and Cognito identities, API keys, WAF: nothing the emulator's stages have
  return ABSENT;
}
