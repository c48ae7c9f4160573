import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveLocal, type ServiceEndpoint } from '../local-listener.ts';
import { readJsonBody } from '../request-body.ts';
import type { AccessLog } from '../gateway/access-log.ts';
import { AccessLogRefused, accessLogSettingsOf, checkAccessLogSettings } from './access-log-settings.ts';
import { AccountUpdateRefused, type ApiGatewayAccount } from './account.ts';
import { BadPageRequest, getApi, getAuthorizers, getIntegrations, getRoutes, page, type ApiFacts } from './api-resources.ts';
import { getHttpApi, getHttpIntegrations, getHttpRoutes, getHttpStage, getHttpStages, type ServedHttpApi } from './http-api-resources.ts';
import { getApiKey, getRestApi, getRestApis, getRestResources, getRestStage, getRestStages, type RestApiFacts } from './rest-api-resources.ts';
import type { LocalStage } from './stage.ts';

/**
 * The emulator's API Gateway management endpoint, the REST-JSON protocol the SDK speaks: for
 * ApiGatewayV2Client GetApi, GetStage (`GET /v2/apis/{apiId}/stages/{stageName}`), GetStages, GetRoutes,
 * GetIntegrations and GetAuthorizers of the stack's WebSocket API and stage (api-resources.ts)
 * and of its HTTP APIs (http-api-resources.ts),
 * UpdateStage (`PATCH` of the WebSocket or an HTTP API's stage: its `accessLogSettings`, what
 * the API writes from the next request on) and DeleteAccessLogSettings (`DELETE
 * …/stages/{stageName}/accesslogsettings`, 204); for APIGatewayClient (v1) GetAccount (`GET
 * /account`: the account's throttle and CloudWatch role) and UpdateAccount (`PATCH /account`: the
 * role), and of the stack's REST APIs GetRestApis, GetRestApi, GetResources, GetStages, GetStage,
 * UpdateStage (its `patchOperations` on `/accessLogSettings`) and GetApiKey
 * (rest-api-resources.ts), and a request to one of them at `/restapis/{id}/{stage}/_user_request_/…`
 * (LocalStack's form of the URL), served by the API in-process. The two services' paths do
 * not overlap, so one endpoint serves both (AWS_ENDPOINT_URL_APIGATEWAYV2 and
 * AWS_ENDPOINT_URL_API_GATEWAY name the same URL). An unknown API or stage is API Gateway's
 * NotFoundException (404, `x-amzn-ErrorType`, `{"message":…}`), as is any other request; a
 * refused change BadRequestException (400). Signatures are not checked.
 */

const GET_STAGE = /^\/v2\/apis\/([^/]+)\/stages\/([^/]+)\/?$/;
const ACCESS_LOG_SETTINGS = /^\/v2\/apis\/([^/]+)\/stages\/([^/]+)\/accesslogsettings\/?$/;
const GET_API = /^\/v2\/apis\/([^/]+)(?:\/(routes|integrations|authorizers|stages))?\/?$/;
const REST_STAGE = /^\/restapis\/([^/]+)\/stages\/([^/]+)\/?$/;
const REST_API = /^\/restapis(?:\/([^/]+)(?:\/(resources|stages)(?:\/([^/]+))?)?)?\/?$/;
const USER_REQUEST = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/;
const API_KEY = /^\/apikeys\/([^/]+)\/?$/;
/** UpdateStage's and UpdateAccount's bodies are small; AWS's own limit is larger */
const MAX_BODY_BYTES = 64 * 1024;

export interface ApiGatewayFacts {
  stage: LocalStage;
  /** GetAccount's account (account.ts) */
  account: ApiGatewayAccount;
  accountId: string;
  region: string;
  /** the API, its routes, integrations and authorizer */
  api: ApiFacts;
  /** the stack's HTTP APIs, served beside it (http-api-resources.ts) */
  httpApis?: readonly ServedHttpApi[];
  /** the stack's REST APIs, their keys and usage plans (rest-api-resources.ts) */
  rest?: Omit<RestApiFacts, 'created'>;
  /** the gateway's access logging, which UpdateStage and DeleteAccessLogSettings change */
  accessLog: AccessLog;
  /** whether the emulator's CloudWatch Logs has a log group of this name */
  logGroupExists(name: string): boolean;
}

export async function startApiGatewayV2Server(facts: ApiGatewayFacts, host = '127.0.0.1', port = 0): Promise<ServiceEndpoint> {
  return serveLocal((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const user = USER_REQUEST.exec(q === -1 ? raw : raw.slice(0, q));
    const restApi = user && facts.rest?.restApis.find((s) => s.api.id === decodeURIComponent(user[1]!));
    if (user && restApi) {
      // the API's own server answers it, as at `/{stage}/…` on its port
      req.url = `/${user[2]}${user[3] ?? '/'}${q === -1 ? '' : raw.slice(q)}`;
      restApi.handle(req, res);
      return;
    }
    answer(req, facts).then(
      (out) => (out === NO_CONTENT ? send(res, 204, undefined) : send(res, 200, out)),
      (err: unknown) => {
        const [status, type] =
          err instanceof NotFound
            ? [404, 'NotFoundException']
            : err instanceof BadPageRequest || err instanceof AccessLogRefused || err instanceof AccountUpdateRefused || err instanceof BadRequest
              ? [400, 'BadRequestException']
              : [500, 'InternalServerException'];
        send(res, status, { message: err instanceof Error ? err.message : String(err) }, type);
      },
    );
  }, host, port);
}

class NotFound extends Error {}
class BadRequest extends Error {}
const NO_CONTENT = Symbol('204');

async function answer(req: IncomingMessage, facts: ApiGatewayFacts): Promise<Record<string, unknown> | typeof NO_CONTENT> {
  const url = new URL(req.url ?? '/', 'http://apigateway.local');
  const path = url.pathname;
  const { stage, accountId } = facts;
  if (path === '/account' || path === '/account/') {
    if (req.method === 'PATCH') facts.account.update(await body(req));
    else req.resume();
    if (req.method === 'GET' || req.method === 'PATCH') return facts.account.body();
  }
  if (req.method === 'PATCH' || req.method === 'DELETE') {
    const m = (req.method === 'PATCH' ? GET_STAGE : ACCESS_LOG_SETTINGS).exec(path);
    if (m) {
      const input = req.method === 'PATCH' ? await body(req) : (req.resume(), {});
      const logged = v2Stage(facts, m[1]!, m[2]!);
      if (req.method === 'DELETE') {
        logged.log.configure(undefined);
        logged.updated();
        return NO_CONTENT;
      }
      updateStage(facts, logged, input);
      return logged.body();
    }
    const r = req.method === 'PATCH' ? REST_STAGE.exec(path) : null;
    if (r) return patchRestStage(facts, decodeURIComponent(r[1]!), decodeURIComponent(r[2]!), await body(req));
  }
  req.resume();
  const rest = req.method === 'GET' ? restAnswer(facts, path, url.searchParams) : undefined;
  if (rest) return rest;
  const api = req.method === 'GET' ? GET_API.exec(path) : null;
  const stageOf = req.method === 'GET' ? GET_STAGE.exec(path) : null;
  // an HTTP API of the stack's: its own API, routes, integrations and stage
  const http = facts.httpApis?.find((h) => h.api.id === decodeURIComponent((api ?? stageOf)?.[1] ?? ''));
  if (http) return httpApiAnswer(facts, http, api?.[2], stageOf ? decodeURIComponent(stageOf[2]!) : undefined, url.searchParams);
  if (api) {
    const apiId = decodeURIComponent(api[1]);
    if (apiId !== stage.apiId || !facts.api.stack.api) throw new NotFound(`Invalid API identifier specified ${accountId}:${apiId}`);
    if (api[2] === 'stages') return page([stageBody(facts)], url.searchParams);
    if (api[2] === 'routes') return getRoutes(facts.api, url.searchParams);
    if (api[2] === 'integrations') return getIntegrations(facts.api, url.searchParams);
    if (api[2] === 'authorizers') return getAuthorizers(facts.api, url.searchParams);
    return getApi(facts.api);
  }
  const m = stageOf;
  if (!m) {
    throw new NotFound(
      `The local API Gateway endpoint does not serve ${req.method} ${path} (it serves GetApi, GetStage, GetStages, UpdateStage, DeleteAccessLogSettings, GetRoutes, GetIntegrations, GetAuthorizers, GetAccount and UpdateAccount; GetRestApis, GetRestApi, GetResources, GetStages, GetStage, UpdateStage, GetApiKey)`,
    );
  }
  theStage(facts, m[1], m[2]);
  return stageBody(facts);
}

/** GetRestApis, GetRestApi, GetResources, GetStages, GetStage or GetApiKey; undefined for another path. */
function restAnswer(facts: ApiGatewayFacts, path: string, query: URLSearchParams): Record<string, unknown> | undefined {
  const f: RestApiFacts = { restApis: [], apiKeys: [], usagePlans: [], ...facts.rest, created: facts.api.created };
  const key = API_KEY.exec(path);
  if (key) {
    const found = getApiKey(f, decodeURIComponent(key[1]!), query);
    if (!found) throw new NotFound('Invalid API Key identifier specified');
    return found;
  }
  const m = REST_API.exec(path);
  if (!m) return undefined;
  if (m[1] === undefined) return getRestApis(f, query);
  const served = f.restApis.find((s) => s.api.id === decodeURIComponent(m[1]!));
  if (!served) throw new NotFound(`Invalid API identifier specified ${facts.accountId}:${m[1]}`);
  if (m[2] === 'resources' && m[3] === undefined) return getRestResources(served, query);
  if (m[2] === 'stages' && m[3] === undefined) return getRestStages(served, f.created);
  if (m[2] === 'stages') {
    const stage = getRestStage(served, decodeURIComponent(m[3]!), f.created);
    if (!stage) throw new NotFound('Invalid Stage identifier specified');
    return stage;
  }
  if (m[2] === undefined) return getRestApi(served, f.created);
  return undefined;
}

/** GetApi, GetRoutes, GetIntegrations, GetStages or GetStage of an HTTP API. */
function httpApiAnswer(facts: ApiGatewayFacts, http: ServedHttpApi, list: string | undefined, stageName: string | undefined, query: URLSearchParams): Record<string, unknown> {
  const created = facts.api.created;
  if (stageName !== undefined) {
    if (stageName !== http.api.stage.name) throw new NotFound('Invalid stage identifier specified');
    return getHttpStage(http, created);
  }
  if (list === 'routes') return getHttpRoutes(http, query);
  if (list === 'integrations') return getHttpIntegrations(http, { region: facts.region, accountId: facts.accountId }, query);
  if (list === 'stages') return getHttpStages(http, created, query);
  if (list === 'authorizers') return page([], query);
  return getHttpApi(http, created);
}

/** A stage whose access logging UpdateStage changes: the WebSocket API's, an HTTP API's or a REST API's. */
interface LoggedStage {
  log: AccessLog;
  /** an HTTP API's stage logs without the account's CloudWatch role */
  roleRequired: boolean;
  updated(): void;
  body(): Record<string, unknown>;
}

/** The v2 stage a path names: an HTTP API's, or the WebSocket API's; NotFoundException for another. */
function v2Stage(facts: ApiGatewayFacts, apiIdInPath: string, stageInPath: string): LoggedStage {
  const http = facts.httpApis?.find((h) => h.api.id === decodeURIComponent(apiIdInPath));
  if (http) {
    if (decodeURIComponent(stageInPath) !== http.api.stage.name) throw new NotFound('Invalid stage identifier specified');
    if (!http.accessLog) throw new Error(`HTTP API ${http.api.logicalId} was started without a log sink`);
    return { log: http.accessLog, roleRequired: false, updated: () => {}, body: () => getHttpStage(http, facts.api.created) };
  }
  theStage(facts, apiIdInPath, stageInPath);
  return { log: facts.accessLog, roleRequired: true, updated: () => facts.stage.updated(), body: () => stageBody(facts) };
}

/**
 * v1 UpdateStage of a REST API's stage: its `patchOperations` replace
 * `/accessLogSettings/destinationArn` or `/accessLogSettings/format`, or remove
 * `/accessLogSettings`; the stage's other settings come from the template.
 */
function patchRestStage(facts: ApiGatewayFacts, restApiId: string, stageName: string, input: unknown): Record<string, unknown> {
  const served = facts.rest?.restApis.find((s) => s.api.id === restApiId);
  if (!served) throw new NotFound(`Invalid API identifier specified ${facts.accountId}:${restApiId}`);
  const log = served.accessLogOf(stageName);
  if (!log) throw new NotFound('Invalid Stage identifier specified');
  const ops = (input as { patchOperations?: unknown } | null)?.patchOperations;
  if (!Array.isArray(ops)) throw new BadRequest('Invalid request body: patchOperations, a list, is expected');
  const given: { destinationArn?: unknown; format?: unknown } = {};
  let removed = false;
  for (const op of ops as Array<{ op?: unknown; path?: unknown; value?: unknown }>) {
    if (op?.op === 'remove' && op.path === '/accessLogSettings') removed = true;
    else if (op?.op === 'replace' && (op.path === '/accessLogSettings/destinationArn' || op.path === '/accessLogSettings/format')) given[op.path === '/accessLogSettings/format' ? 'format' : 'destinationArn'] = op.value;
    else throw new BadRequest(`The local stage changes /accessLogSettings only (replace its destinationArn or format, or remove it), not ${String(op?.op)} ${String(op?.path)}`);
  }
  const logged: LoggedStage = { log, roleRequired: true, updated: () => {}, body: () => getRestStage(served, stageName, facts.api.created)! };
  if (removed && given.destinationArn === undefined && given.format === undefined) log.configure(undefined);
  else setAccessLog(facts, logged, given);
  return logged.body();
}

/** The stack's one stage, or API Gateway's NotFoundException for another API or stage. */
function theStage(facts: ApiGatewayFacts, apiIdInPath: string, stageInPath: string): void {
  const [apiId, stageName] = [decodeURIComponent(apiIdInPath), decodeURIComponent(stageInPath)];
  if (apiId !== facts.stage.apiId || !facts.api.stack.api) throw new NotFound(`Invalid API identifier specified ${facts.accountId}:${apiId}`);
  if (stageName !== facts.stage.stageName) throw new NotFound('Invalid stage identifier specified');
}

/** GetStage's answer: the stage, with its access log settings when it has them. */
function stageBody(facts: ApiGatewayFacts): Record<string, unknown> {
  return { ...facts.stage.body, ...accessLogSettingsOf(facts.accessLog) };
}

/**
 * UpdateStage: `accessLogSettings` replaces what it names (a field left out keeps its value), is
 * checked as API Gateway checks it (access-log-settings.ts), and takes effect from the gateway's
 * next event. The stage's other settings the emulator takes from its config, not from here.
 */
function updateStage(facts: ApiGatewayFacts, stage: LoggedStage, input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new BadRequest('Invalid request body: a JSON object is expected');
  const { accessLogSettings, ...rest } = input as { accessLogSettings?: unknown };
  const other = Object.keys(rest).filter((k) => (rest as Record<string, unknown>)[k] !== undefined);
  if (other.length > 0) throw new BadRequest(`The local stage changes accessLogSettings only, not ${other.join(', ')} (its throttles and settings come from the emulator's config)`);
  if (accessLogSettings === undefined) return;
  if (typeof accessLogSettings !== 'object' || accessLogSettings === null) throw new BadRequest('accessLogSettings: an object with destinationArn and format is expected');
  setAccessLog(facts, stage, accessLogSettings as { destinationArn?: unknown; format?: unknown });
}

/** The settings given replace what they name (a field left out keeps its value), checked as API Gateway checks them. */
function setAccessLog(facts: ApiGatewayFacts, stage: LoggedStage, given: { destinationArn?: unknown; format?: unknown }): void {
  for (const field of ['destinationArn', 'format'] as const) {
    if (given[field] !== undefined && typeof given[field] !== 'string') throw new BadRequest(`accessLogSettings.${field}: a string is expected`);
  }
  const current = stage.log.settings;
  const merged = {
    destinationArn: (given.destinationArn as string | undefined) ?? current?.destinationArn,
    format: (given.format as string | undefined) ?? current?.format,
  };
  const settings = checkAccessLogSettings(merged, {
    region: facts.region,
    accountId: facts.accountId,
    cloudWatchRoleArn: facts.account.cloudWatchRoleArn,
    roleRequired: stage.roleRequired,
    logGroupExists: facts.logGroupExists,
  });
  stage.log.configure(settings);
  stage.updated();
}

function body(req: IncomingMessage): Promise<unknown> {
  return readJsonBody(req, MAX_BODY_BYTES, {
    tooLarge: () => new BadRequest(`Request body larger than ${MAX_BODY_BYTES} bytes`),
    notJson: () => new BadRequest('Invalid request body: not JSON'),
  });
}

function send(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(body);
}
