import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueryApiError, queryError, queryResult, readQueryBody, sendXml, type QueryValue } from '../query-api.ts';
import { serveLocal, type ServiceEndpoint } from '../local-listener.ts';
import type { PolicyStatement } from '../../common/iam/policy-document.ts';
import type { RoleSession } from '../iam/role-sessions.ts';
import { callerIdentity, uniqueId } from './caller-identity.ts';
import type { PolicyGenerations } from './policy-generation.ts';
import { simulatePrincipalPolicy } from './policy-simulation.ts';
import type { RolePolicies } from './role-policies.ts';

/**
 * IAM's read API for the stack's roles and Access Analyzer's policy generation, on one endpoint
 * (the edge tells them apart by signing name, as it does every service):
 * - IAM speaks the AWS Query protocol (API version 2010-05-08), answered in XML: GetRole,
 *   ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies, GetPolicy, GetPolicyVersion;
 *   documents URL-encoded, as IAM returns them; an unknown role or policy is NoSuchEntity (404).
 *   SimulatePrincipalPolicy evaluates a role's statements as the services do (policy-simulation.ts).
 * - STS's GetCallerIdentity (Query, 2011-06-15; the edge sends signing name `sts` here): who the
 *   request's session token says the caller is (caller-identity.ts).
 * - Access Analyzer speaks REST-JSON: `PUT /policy/generation` (StartPolicyGeneration) and
 *   `GET /policy/generation/{jobId}` (GetGeneratedPolicy).
 * Signatures are not checked; nothing here changes a role.
 */

const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const MAX_BODY_BYTES = 64 * 1024;

export interface IamApiFacts {
  roles: readonly RolePolicies[];
  generations: PolicyGenerations;
  /** when the stack started: the roles' and policies' CreateDate */
  created: Date;
  accountId: string;
  /** the functions' sessions (role-sessions.ts): who a session token is; none under iam: off */
  sessions: readonly RoleSession[];
  /** role ARN → its statements, as the services evaluate them (SimulatePrincipalPolicy) */
  statements: ReadonlyMap<string, readonly PolicyStatement[]>;
}

export async function startIamApiServer(facts: IamApiFacts, host = '127.0.0.1', port = 0): Promise<ServiceEndpoint> {
  const sessions = new Map(facts.sessions.map((s) => [s.token, s]));
  return serveLocal((req, res) => {
    const requestId = randomUUID();
    let xmlns = IAM_XMLNS;
    handle(req, res, facts, sessions, requestId, (ns) => (xmlns = ns)).catch((err: unknown) => {
      const error = err instanceof QueryApiError ? err : new QueryApiError('ServiceFailure', String(err), 500, 'Receiver');
      if (isAnalyzer(req)) sendJson(res, error.status, { message: error.message }, requestId, error.code);
      else sendXml(res, error.status, queryError(xmlns, error, requestId), requestId);
    });
  }, host, port);
}

const isAnalyzer = (req: IncomingMessage) => (req.url ?? '').startsWith('/policy/generation');

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  facts: IamApiFacts,
  sessions: ReadonlyMap<string, RoleSession>,
  requestId: string,
  answerIn: (xmlns: string) => void,
): Promise<void> {
  const body = await readQueryBody(req, MAX_BODY_BYTES);
  if (isAnalyzer(req)) return analyzer(req, res, body, facts, requestId);
  const params = req.method === 'POST' ? new URLSearchParams(body) : new URL(req.url ?? '/', 'http://iam.local').searchParams;
  const action = params.get('Action') ?? '';
  if (params.get('Version') === '2011-06-15') {
    answerIn(STS_XMLNS);
    if (action !== 'GetCallerIdentity') throw new QueryApiError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service (the local emulator serves STS's GetCallerIdentity)`);
    const token = req.headers['x-amz-security-token'];
    const caller = callerIdentity(typeof token === 'string' ? token : undefined, sessions, facts.accountId);
    return sendXml(res, 200, queryResult(action, STS_XMLNS, { ...caller }, requestId), requestId);
  }
  const result = iamAction(action, params, facts);
  sendXml(res, 200, queryResult(action, IAM_XMLNS, result, requestId), requestId);
}

function iamAction(action: string, p: URLSearchParams, facts: IamApiFacts): Record<string, QueryValue> {
  const created = facts.created;
  const role = () => {
    const name = p.get('RoleName') ?? '';
    const found = facts.roles.find((r) => r.name === name);
    if (!found) throw new QueryApiError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
    return found;
  };
  const policy = () => {
    const arn = p.get('PolicyArn') ?? '';
    const found = facts.roles.flatMap((r) => r.attached).find((a) => a.arn === arn);
    if (!found) throw new QueryApiError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
    return found;
  };
  const encoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
  switch (action) {
    case 'GetRole': {
      const r = role();
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
      return { Role: { Path: '/', RoleName: r.name, RoleId: roleId(r.arn), Arn: r.arn, CreateDate: created, AssumeRolePolicyDocument: encoded(trust), MaxSessionDuration: 3600 } };
    }
    case 'ListRolePolicies':
      return { PolicyNames: role().inline.map((i) => i.name), IsTruncated: false };
    case 'GetRolePolicy': {
      const r = role();
      const name = p.get('PolicyName') ?? '';
      const found = r.inline.find((i) => i.name === name);
      if (!found) throw new QueryApiError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
      return { RoleName: r.name, PolicyName: found.name, PolicyDocument: encoded(found.document) };
    }
    case 'ListAttachedRolePolicies':
      return { AttachedPolicies: role().attached.map((a) => ({ PolicyName: a.name, PolicyArn: a.arn })), IsTruncated: false };
    case 'GetPolicy': {
      const a = policy();
      const path = a.arn.slice(a.arn.indexOf(':policy') + ':policy'.length, a.arn.lastIndexOf('/') + 1);
      return { Policy: { PolicyName: a.name, PolicyId: roleId(a.arn), Arn: a.arn, Path: path, DefaultVersionId: a.versionId, AttachmentCount: 1, IsAttachable: true, CreateDate: created, UpdateDate: created } };
    }
    case 'SimulatePrincipalPolicy':
      return simulatePrincipalPolicy(p, { accountId: facts.accountId, roles: facts.statements });
    case 'GetPolicyVersion': {
      const a = policy();
      const version = p.get('VersionId') ?? '';
      if (version !== a.versionId) throw new QueryApiError('NoSuchEntity', `Policy ${a.arn} version ${version} does not exist or is not attachable.`, 404);
      return { PolicyVersion: { Document: encoded(a.document), VersionId: a.versionId, IsDefaultVersion: true, CreateDate: created } };
    }
    default:
      throw new QueryApiError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service (the local emulator serves IAM's GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies, GetPolicy, GetPolicyVersion, SimulatePrincipalPolicy)`);
  }
}

async function analyzer(req: IncomingMessage, res: ServerResponse, body: string, facts: IamApiFacts, requestId: string): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://access-analyzer.local').pathname;
  if (req.method === 'PUT' && path === '/policy/generation') {
    const input = parseJson(body) as {
      policyGenerationDetails?: { principalArn?: string };
      cloudTrailDetails?: { trails?: Array<{ cloudTrailArn: string; regions?: string[]; allRegions?: boolean }>; startTime?: string; endTime?: string };
    };
    const principalArn = input.policyGenerationDetails?.principalArn;
    if (typeof principalArn !== 'string') throw new QueryApiError('ValidationException', 'policyGenerationDetails.principalArn is required');
    const job = await facts.generations.start(principalArn, {
      trail: input.cloudTrailDetails?.trails?.[0],
      ...(input.cloudTrailDetails?.startTime ? { startTime: input.cloudTrailDetails.startTime } : {}),
      ...(input.cloudTrailDetails?.endTime ? { endTime: input.cloudTrailDetails.endTime } : {}),
    });
    if (typeof job === 'string') throw new QueryApiError('ValidationException', job);
    return sendJson(res, 200, { jobId: job.jobId }, requestId);
  }
  const id = /^\/policy\/generation\/([^/]+)$/.exec(path)?.[1];
  if (req.method === 'GET' && id !== undefined) {
    const job = facts.generations.get(decodeURIComponent(id));
    if (!job) throw new QueryApiError('ResourceNotFoundException', `Job ${id} not found`, 404);
    return sendJson(
      res,
      200,
      {
        jobDetails: { jobId: job.jobId, status: 'SUCCEEDED', startedOn: job.startedOn.toISOString(), completedOn: job.completedOn.toISOString() },
        generatedPolicyResult: {
          properties: {
            isComplete: true,
            principalArn: job.principalArn,
            ...(job.trail
              ? { cloudTrailProperties: { trailProperties: [{ cloudTrailArn: job.trail.cloudTrailArn, regions: job.trail.regions ?? [], allRegions: job.trail.allRegions ?? false }], startTime: job.startTime, endTime: job.endTime } }
              : {}),
          },
          generatedPolicies: [{ policy: JSON.stringify(job.policy) }],
        },
      },
      requestId,
    );
  }
  throw new QueryApiError('ValidationException', `${req.method} ${path}: the local emulator serves Access Analyzer's StartPolicyGeneration and GetGeneratedPolicy`, 404);
}

/** A role's or policy's unique id (AROA…, ANPA…), the same for the same ARN. */
function roleId(arn: string): string {
  return uniqueId(arn.includes(':role/') ? 'AROA' : 'ANPA', arn);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body || '{}');
  } catch {
    throw new QueryApiError('ValidationException', 'the request body is not JSON');
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown, requestId: string, errorType?: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId, ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  res.end(body);
}
