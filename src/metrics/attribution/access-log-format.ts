/**
 * API Gateway's WebSocket access log as the run reads it: a stage's `AccessLogSettings.Format`
 * (any format: JSON, CLF, XML, CSV; the `$context` variables AWS documents for WebSocket APIs)
 * compiled once into a reader of its lines. API Gateway writes each variable's value in place of
 * `$context.<name>` as it is, and `-` for a value it does not have (a MESSAGE-only variable on a
 * CONNECT line, an integration's on a request that never reached one).
 */

/** One access-log line, the facts the attribution join reads. */
export interface AccessLine {
  connectionId: string;
  /** CONNECT | MESSAGE | DISCONNECT */
  eventType: string;
  routeKey: string;
  /** epoch ms the event arrived */
  requestTimeEpoch: number;
  status?: number;
  /** the Lambda invocation's request ID (the one its START/END/REPORT lines carry) */
  integrationRequestId?: string;
  userAgent?: string;
  integrationLatencyMs?: number;
}

/**
 * The variables the join needs: the connection and event, the time that orders a connection's
 * MESSAGE lines, the invocation behind each line, and the User-Agent that names the client on
 * CONNECT. `integration.requestId` has a synonym, `awsEndpointRequestId`.
 */
export const NEEDED_ACCESS_LOG_VARIABLES = ['connectionId', 'eventType', 'routeKey', 'requestTimeEpoch', 'integration.requestId', 'identity.userAgent'] as const;

const SYNONYMS: Record<string, readonly string[]> = {
  'integration.requestId': ['integration.requestId', 'awsEndpointRequestId'],
};

/**
 * The format the run sets on a stage when it enables access logging itself: what the join needs,
 * plus what makes a line unique (`requestId`, AWS asks for it) and what says how the request went.
 * Every value quoted, so that a line stays JSON where a value is `-`.
 */
export const HARNESS_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  messageId: '$context.messageId',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  requestTimeEpoch: '$context.requestTimeEpoch',
  status: '$context.status',
  integrationRequestId: '$context.integration.requestId',
  integrationLatency: '$context.integrationLatency',
  userAgent: '$context.identity.userAgent',
});

/**
 * An HTTP or REST API stage's line, the facts the publish join reads: the request ID the publish's
 * answer carried (`apigw-requestid`, `x-amzn-RequestId`) and the invocation behind it.
 */
export interface ApiRequestLine {
  requestId: string;
  /** `POST /notify`: an HTTP API's route key, a REST API's method and resource path */
  route: string;
  integrationRequestId?: string;
  status?: number;
}

/** What an HTTP or REST API stage's format needs for the publish join. */
export const NEEDED_REQUEST_LOG_VARIABLES = ['requestId', 'integration.requestId'] as const;

/**
 * The formats the run sets on the stage of a publish route of the stack's own API: an HTTP API's
 * route key, a REST API's method and resource path (each names only variables its API documents).
 */
export const HARNESS_REQUEST_ACCESS_LOG_FORMAT = {
  'HTTP API': JSON.stringify({
    requestId: '$context.requestId',
    routeKey: '$context.routeKey',
    requestTimeEpoch: '$context.requestTimeEpoch',
    status: '$context.status',
    integrationRequestId: '$context.integration.requestId',
    integrationLatency: '$context.integrationLatency',
  }),
  'REST API': JSON.stringify({
    requestId: '$context.requestId',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    requestTimeEpoch: '$context.requestTimeEpoch',
    status: '$context.status',
    integrationRequestId: '$context.integration.requestId',
    integrationLatency: '$context.integrationLatency',
  }),
} as const;

/** The format to paste where a stage's own lacks what the run needs. */
export function pasteableFormat(): string {
  return HARNESS_ACCESS_LOG_FORMAT;
}

/** The one line a run says when the stage's format lacks variables the join needs. */
export function missingVariablesMessage(missing: readonly string[]): string {
  const names = missing.map((v) => `$context.${v}`).join(', ');
  return `the stage's access-log format lacks ${names}: add them, or set the format to ${pasteableFormat()}, or let the run enable its own (accessLog: enable)`;
}

export interface AccessLogFormat {
  /** needed variables the format lacks (NEEDED_ACCESS_LOG_VARIABLES' names) */
  missing: string[];
  /** as `missing`, of an HTTP or REST API stage (NEEDED_REQUEST_LOG_VARIABLES' names) */
  missingForRequests: string[];
  /** the line's facts; null for a line that is not of this format or names no connection and event */
  parse(message: string): AccessLine | null;
  /** an HTTP or REST API stage's line; null for one that is not of this format or names no request */
  parseRequest(message: string): ApiRequestLine | null;
}

const VARIABLE = /\$context\.([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)/g;

/** Variables whose values never hold a space or a quote: matched tightly, so free text beside them cannot swallow them. */
const TIGHT = new Set([
  'connectionId',
  'eventType',
  'requestId',
  'extendedRequestId',
  'messageId',
  'httpMethod',
  'apiId',
  'stage',
  'domainName',
  'integration.requestId',
  'awsEndpointRequestId',
  'identity.sourceIp',
  'requestTimeEpoch',
  'connectedAt',
  'status',
  'integrationLatency',
  'integration.latency',
  'integrationStatus',
  'integration.status',
  'integration.integrationStatus',
  'responseLength',
]);

/** The variables a line is read for, each in its slot of a line's values; every other variable is passed over. */
const SLOT: Record<string, number> = {
  connectionId: 0,
  eventType: 1,
  routeKey: 2,
  requestTimeEpoch: 3,
  status: 4,
  'integration.requestId': 5,
  awsEndpointRequestId: 6,
  'identity.userAgent': 7,
  integrationLatency: 8,
  'integration.latency': 9,
  requestId: 10,
  httpMethod: 11,
  resourcePath: 12,
};
const SLOTS = 13;

type Values = Array<string | number | undefined>;
type Reader = (message: string) => Values | null;
/** A text template's reader, writing into a line's values (a JSON value with text around its variables shares its line's). */
type TextReader = (message: string, into?: Values) => Values | null;

export function accessLogFormat(format: string): AccessLogFormat {
  const named = new Set([...format.matchAll(VARIABLE)].map((m) => m[1]));
  const lacks = (v: string) => !(SYNONYMS[v] ?? [v]).some((s) => named.has(s));
  const missing = NEEDED_ACCESS_LOG_VARIABLES.filter(lacks);
  const text = textReader(format.trim());
  // a JSON format is read as JSON (spacing and escapes as they come); its text form is the fallback
  const json = format.trim().startsWith('{') ? jsonReader(format) : undefined;
  const read: Reader = json ? (m) => json(m) ?? text(m) : text;
  return {
    missing,
    missingForRequests: NEEDED_REQUEST_LOG_VARIABLES.filter(lacks),
    parse(message) {
      const values = read(message.trim());
      return values ? accessLine(values) : null;
    },
    parseRequest(message) {
      const values = read(message.trim());
      return values ? requestLine(values) : null;
    },
  };
}

function requestLine(v: Values): ApiRequestLine | null {
  const requestId = str(v[10]);
  if (requestId === undefined) return null;
  const method = str(v[11]);
  const resource = str(v[12]);
  const line: ApiRequestLine = { requestId, route: str(v[2]) ?? (method !== undefined && resource !== undefined ? `${method} ${resource}` : '-') };
  const integrationRequestId = str(v[5]) ?? str(v[6]);
  if (integrationRequestId !== undefined) line.integrationRequestId = integrationRequestId;
  const status = num(v[4]);
  if (status !== undefined) line.status = status;
  return line;
}

function accessLine(v: Values): AccessLine | null {
  const connectionId = str(v[0]);
  const eventType = str(v[1]);
  const requestTimeEpoch = num(v[3]);
  if (connectionId === undefined || eventType === undefined || requestTimeEpoch === undefined) return null;
  const line: AccessLine = { connectionId, eventType, routeKey: str(v[2]) ?? '', requestTimeEpoch };
  const status = num(v[4]);
  if (status !== undefined) line.status = status;
  const integrationRequestId = str(v[5]) ?? str(v[6]);
  if (integrationRequestId !== undefined) line.integrationRequestId = integrationRequestId;
  const userAgent = str(v[7]);
  if (userAgent !== undefined) line.userAgent = userAgent;
  const latency = num(v[8]) ?? num(v[9]);
  if (latency !== undefined) line.integrationLatencyMs = latency;
  return line;
}

/** `-` (and an empty value, or JSON's null) is how a line says a value is absent. */
function str(v: string | number | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = typeof v === 'number' ? String(v) : v;
  return s === '-' || s === '' ? undefined : s;
}

function num(v: string | number | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A text format (CLF, CSV, XML, or a JSON format's literal form) as one anchored regex: the
 * literal text between variables as it is (a run of spaces as any run of spaces), one capture per
 * variable. Free-text variables match lazily, so the literal after them decides where they end.
 */
function textReader(format: string): TextReader {
  /** capture group → slot (-1: a variable the line is not read for) */
  const slots: number[] = [];
  let pattern = '^';
  let last = 0;
  for (const m of format.matchAll(VARIABLE)) {
    pattern += literal(format.slice(last, m.index));
    pattern += TIGHT.has(m[1]) ? '([^\\s"<>,]*)' : '(.*?)';
    slots.push(SLOT[m[1]] ?? -1);
    last = m.index + m[0].length;
  }
  pattern += `${literal(format.slice(last))}$`;
  const re = new RegExp(pattern, 's');
  return (message, into = new Array(SLOTS)) => {
    const m = re.exec(message);
    if (!m) return null;
    for (let i = 0; i < slots.length; i++) if (slots[i] >= 0) into[slots[i]] = m[i + 1];
    return into;
  };
}

function literal(text: string): string {
  return text
    .split(/\s+/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\s+');
}

/** Where in a JSON line a variable's value is, and whether the value is the variable alone or text around it. */
interface JsonField {
  path: string[];
  /** the slot of the variable, when the template value is exactly `$context.x` */
  slot: number;
  /** text with variables in it: read by its own text matcher */
  text?: TextReader;
}

/**
 * A JSON format read by key: the template is made JSON (a bare `$context.status`, as SST writes
 * it, quoted) and parsed once; each value naming a variable the line is read for becomes a path
 * into a parsed line.
 */
function jsonReader(format: string): Reader | undefined {
  let template: unknown;
  try {
    template = JSON.parse(quoteBareVariables(format));
  } catch {
    return undefined;
  }
  const fields: JsonField[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string') {
      const vars = [...node.matchAll(VARIABLE)].filter((m) => SLOT[m[1]] !== undefined);
      if (vars.length === 0) return;
      if (vars.length === 1 && vars[0][0] === node) fields.push({ path, slot: SLOT[vars[0][1]] });
      else fields.push({ path, slot: -1, text: textReader(node) });
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    }
  };
  walk(template, []);
  return (message) => {
    if (message.charCodeAt(0) !== 123 /* { */) return null;
    let line: unknown;
    try {
      line = JSON.parse(message);
    } catch {
      // a bare variable with no value renders `-`, which is not JSON
      try {
        line = JSON.parse(message.replace(/:\s*-\s*(?=[,}])/g, ':"-"'));
      } catch {
        return null;
      }
    }
    const values: Values = new Array(SLOTS);
    for (const f of fields) {
      let at: unknown = line;
      for (const k of f.path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[k] : undefined;
      if (typeof at === 'string' || typeof at === 'number') {
        if (f.text === undefined) values[f.slot] = at;
        else f.text(String(at), values);
      }
    }
    return values;
  };
}

const VARIABLE_AT = new RegExp(VARIABLE.source, 'y');

/** The template with every `$context.x` outside a JSON string put in quotes. */
function quoteBareVariables(format: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (inString) {
      out += c;
      if (c === '\\') out += format[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    if (c === '$') {
      VARIABLE_AT.lastIndex = i;
      const m = VARIABLE_AT.exec(format);
      if (m) {
        out += `"${m[0]}"`;
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}
