import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { readDataFile } from '../../common/data-file.ts';
import { accountThrottleDefault, LOWER_THROTTLE_REGIONS_AS_OF } from '../../common/api-gateway-quotas.ts';
import {
  AWS_DOCUMENTED_QUOTAS,
  DEFAULT_IDLE_RULE,
  IdleRule,
  type QuotaLimit,
  type Quotas,
  type QuotaSource,
  type QuotaValue,
} from '../contracts/quotas-schema.ts';
import { REFERENCE_STAGE_THROTTLE } from '../contracts/reference-functions.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';
import type { StackReady } from '../../common/stack-ready.ts';
import type { OwnLimits } from './target.ts';
import { findDeployedStack } from './aws-stack.ts';
import { findApi } from './aws-api.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import { apiGatewayFromUrl } from '../aws/execute-api.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { awsSettings } from '../aws/sdk-settings.ts';

/**
 * The quotas a target holds a scenario to, as known before anything starts (the plan's and the
 * run's pre-flight): every kind of target says what it knows.
 *
 * - aws:<stackName>: API Gateway's WebSocket quotas as AWS documents them (new connections/s, frame,
 *   message, idle timeout, connection lifetime: not readable from the account); the stage's own
 *   throttle and its routes' from GetStage (its default and route settings; none set: the stage has
 *   none, its messages meet the account's); the account's throttle from API Gateway's GetAccount
 *   (else AWS's documented default for the region); the account's Lambda concurrency from
 *   GetAccountSettings.
 * - an execute-api URL: AWS's documented values for its region (nothing is asked of AWS).
 * - local: the emulator's configured limits (its knobs, its config file, `target.config`, over its
 *   defaults: AWS's, and the stage throttle the CDK app deploys). The emulator does not refuse
 *   frames, only messages over its size.
 * - any other URL: a stack of your own; its limits are not known (null).
 */
export interface TargetQuotas {
  limits: Partial<Record<QuotaLimit, QuotaValue>>;
  /** routes with a throttle of their own, by route key */
  routes?: NonNullable<Quotas['routes']>;
  /** what resets the idle timer, as assumed for this target */
  idleRule: NonNullable<Quotas['idleRule']>;
  frameEnforced: boolean;
  /** one sentence: where the values come from */
  note: string;
  /** lines about values that could not be read (the documented default was used instead) */
  problems: string[];
}

function documented(...limits: QuotaLimit[]): Partial<Record<QuotaLimit, QuotaValue>> {
  const out: Partial<Record<QuotaLimit, QuotaValue>> = {};
  for (const l of limits) out[l] = { value: AWS_DOCUMENTED_QUOTAS[l], source: 'aws-documented' };
  return out;
}

/** The account's throttle as AWS documents the default for a region (the dated table of quotas-schema.ts). */
function regionalAccountThrottle(region: string | undefined): Partial<Record<QuotaLimit, QuotaValue>> {
  const t = accountThrottleDefault(region);
  return { accountRequestsPerSecond: { value: t.rateLimit, source: 'aws-documented-region' }, accountRequestBurst: { value: t.burstLimit, source: 'aws-documented-region' } };
}

const REGIONAL_NOTE = `the account's throttle as AWS documents the default for the region (API Gateway's quotas page, as of ${LOWER_THROTTLE_REGIONS_AS_OF})`;
/** AWS documents the idle timeout, not which traffic resets it. */
const ASSUMED_IDLE: TargetQuotas['idleRule'] = { rule: DEFAULT_IDLE_RULE, source: 'assumed' };

const API_GATEWAY_LIMITS: QuotaLimit[] = ['newConnectionsPerSecond', 'frameBytes', 'messageBytes', 'idleTimeoutSeconds', 'connectionLifetimeSeconds'];
const LAMBDA_LIMITS: QuotaLimit[] = ['lambdaConcurrency', 'lambdaUnreservedConcurrency'];

/** An execute-api URL: AWS's documented quotas for its region (its stage's own throttle is not asked); any other URL: none known. */
export function urlQuotas(url: string): TargetQuotas | null {
  const api = apiGatewayFromUrl(url);
  if (!api) return null;
  return {
    limits: { ...documented(...API_GATEWAY_LIMITS, ...LAMBDA_LIMITS), ...regionalAccountThrottle(api.region) },
    idleRule: ASSUMED_IDLE,
    frameEnforced: true,
    note: `API Gateway's and Lambda's quotas as AWS documents their defaults, ${REGIONAL_NOTE} (an execute-api URL: the account and the stage are not asked)`,
    problems: [],
  };
}

/** What `limits:` and `lambda.accountConcurrency` of the emulator's config file may say (the rest is not read here). */
interface EmulatorConfigFile {
  limits?: Partial<Record<'maxMessageBytes' | 'frameBytes' | 'idleTimeoutSeconds' | 'maxConnectionSeconds' | 'newConnectionsPerSecond' | 'accountRps' | 'accountBurst' | 'stageRps' | 'stageBurst' | 'idleTimeoutRule', unknown>> & {
    routeThrottles?: Record<string, { rps?: unknown; burst?: unknown }>;
  };
  lambda?: { accountConcurrency?: unknown };
  region?: unknown;
}

/** The emulator's keys for each limit (emulator/config.ts, LimitsSchema and LambdaSchema), and its default where it is not AWS's. */
const EMULATOR_KEYS: Array<[QuotaLimit, (c: EmulatorConfigFile) => unknown, number?]> = [
  ['newConnectionsPerSecond', (c) => c.limits?.newConnectionsPerSecond],
  ['frameBytes', (c) => c.limits?.frameBytes],
  ['messageBytes', (c) => c.limits?.maxMessageBytes],
  ['idleTimeoutSeconds', (c) => c.limits?.idleTimeoutSeconds],
  ['connectionLifetimeSeconds', (c) => c.limits?.maxConnectionSeconds],
  // the emulator's stage is throttled as the CDK app deploys the reference stack's
  ['requestsPerSecond', (c) => c.limits?.stageRps, REFERENCE_STAGE_THROTTLE.rateLimit],
  ['requestBurst', (c) => c.limits?.stageBurst, REFERENCE_STAGE_THROTTLE.burstLimit],
  ['accountRequestsPerSecond', (c) => c.limits?.accountRps],
  ['accountRequestBurst', (c) => c.limits?.accountBurst],
  ['lambdaConcurrency', (c) => c.lambda?.accountConcurrency],
];

/** A local stack's stage and route throttles as it runs them (its ready line's), as the limits they are. */
export function stackThrottleLimits(t: NonNullable<StackReady['throttles']>): OwnLimits {
  const value = (v: number): QuotaValue => ({ value: v, source: 'emulator-config' });
  const routes = Object.entries(t.routes).map(([route, r]) => [route, { rate: value(r.rateLimit), burst: value(r.burstLimit) }] as const);
  return {
    limits: { requestsPerSecond: value(t.stage.rateLimit), requestBurst: value(t.stage.burstLimit) },
    ...(routes.length > 0 ? { routes: Object.fromEntries(routes) } : {}),
  };
}

/** The stage's default throttle: a template's own, not the reference stack's. */
const STAGE_LIMITS: readonly QuotaLimit[] = ['requestsPerSecond', 'requestBurst'];

/** The limits a scenario's `target:` knobs set directly (stack-knobs.ts hands them to the emulator). */
const KNOB_KEYS: Partial<Record<QuotaLimit, (k: StackKnobs) => number | undefined>> = {
  requestsPerSecond: (k) => k.stageRps,
  requestBurst: (k) => k.stageBurst,
  accountRequestsPerSecond: (k) => k.accountRps,
  accountRequestBurst: (k) => k.accountBurst,
  lambdaConcurrency: (k) => k.accountConcurrency,
};

const positive = (v: unknown): v is number => typeof v === 'number' && v > 0;

/**
 * The local emulator's limits: its knobs', then its config file's, over its defaults. The stack
 * checks the file when it starts; a value that is not a positive number is left to it. Reserved
 * concurrency (`target.reserved`) leaves the rest of the account's unreserved.
 */
export function emulatorQuotas(knobs: StackKnobs): TargetQuotas {
  const read = knobs.config === undefined ? {} : readDataFile(knobs.config, { what: 'emulator config file' });
  const file = (typeof read === 'object' && read !== null ? read : {}) as EmulatorConfigFile;
  const limits: Partial<Record<QuotaLimit, QuotaValue>> = {};
  // a template's stage throttle is its own (its Stage's settings, else the account's): known once its stack starts (the ready line's)
  const ownStage = knobs.template !== undefined;
  for (const [limit, fromFile, emulatorDefault] of EMULATOR_KEYS) {
    // a scenario's knob wins over the config file, as the stack applies them
    const v = KNOB_KEYS[limit]?.(knobs) ?? fromFile(file);
    if (positive(v)) limits[limit] = { value: v, source: 'emulator-config' };
    else if (ownStage && STAGE_LIMITS.includes(limit)) continue;
    else limits[limit] = emulatorDefault !== undefined ? { value: emulatorDefault, source: 'emulator-config' } : { value: AWS_DOCUMENTED_QUOTAS[limit], source: 'aws-documented' };
  }
  // the emulator's account throttle defaults to AWS's for its region, as the stack sets it
  if (typeof file.region === 'string') {
    const regional = regionalAccountThrottle(file.region);
    if (limits.accountRequestsPerSecond?.source === 'aws-documented') limits.accountRequestsPerSecond = regional.accountRequestsPerSecond!;
    if (limits.accountRequestBurst?.source === 'aws-documented') limits.accountRequestBurst = regional.accountRequestBurst!;
  }
  const reserved = Object.values(knobs.reserved ?? {}).reduce((a, b) => a + b, 0);
  const total = limits.lambdaConcurrency!;
  limits.lambdaUnreservedConcurrency = { value: Math.max(0, total.value - reserved), source: total.source };
  const routes: NonNullable<Quotas['routes']> = {};
  for (const [route, t] of Object.entries(file.limits?.routeThrottles ?? {})) {
    if (positive(t?.rps)) routes[route] = { rate: { value: t.rps, source: 'emulator-config' }, ...(positive(t.burst) ? { burst: { value: t.burst, source: 'emulator-config' } } : {}) };
  }
  const rule = IdleRule.safeParse(knobs.idleTimeoutRule ?? file.limits?.idleTimeoutRule);
  return {
    limits,
    ...(Object.keys(routes).length > 0 ? { routes } : {}),
    idleRule: rule.success ? { rule: rule.data, source: 'emulator-config' } : { rule: DEFAULT_IDLE_RULE, source: 'emulator-config' },
    frameEnforced: false,
    note: `the local emulator's limits (${knobs.config === undefined ? `its defaults: AWS's, and ${ownStage ? "the template's own stage throttle, read from its stack when it starts" : 'the stage throttle the CDK app deploys'}` : `its config file ${knobs.config}, over its defaults`}); it refuses messages over its size, not frames`,
    problems: [],
  };
}

/**
 * aws:<stackName>: the stage's and its routes' throttles (GetStage), the account's throttle
 * (API Gateway's GetAccount) and the account's Lambda concurrency (GetAccountSettings), read
 * through the SDK's standard configuration (AWS_ENDPOINT_URL_* reaches the emulator); API
 * Gateway's WebSocket quotas as documented. A missing stack or no credentials is DescribeStacks'
 * one line (exit 2); a value that cannot be read is said, and its documented default used.
 */
export async function accountQuotas(stackName: string, at: { region?: string; profile?: string } = {}): Promise<TargetQuotas> {
  const subject = `aws:${stackName}`;
  const cloudformation = new CloudFormationClient(awsSettings(at));
  let region: string;
  try {
    region = await cloudformation.config.region().catch((err: unknown) => {
      throw awsCallError(err, { subject, action: 'a region', service: 'CloudFormation' });
    });
  } catch (err) {
    cloudformation.destroy();
    throw err;
  }
  const stack = await findDeployedStack(cloudformation, stackName, { region, profile: at.profile }).finally(() => cloudformation.destroy());
  return deployedQuotas(subject, stack, at.profile);
}

/** aws-api:<apiId>/<stage>: the same, for the API found by id (api-discovery.ts). */
export async function apiQuotas(apiId: string, stage: string, at: { region?: string; profile?: string; tables?: string[] } = {}): Promise<TargetQuotas> {
  const stack = await findApi({ apiId, stage, ...at });
  return deployedQuotas(`aws-api:${apiId}/${stage}`, stack, at.profile);
}

async function deployedQuotas(subject: string, stack: { apiId: string; stage: string; region: string }, profile: string | undefined): Promise<TargetQuotas> {
  const at = { profile };
  const settings = awsSettings({ region: stack.region, profile: at.profile });
  const limits = documented(...API_GATEWAY_LIMITS);
  const routes: NonNullable<Quotas['routes']> = {};
  const problems: string[] = [];
  const read: string[] = [];
  const fallback = (what: string, err: unknown, defaults: Partial<Record<QuotaLimit, QuotaValue>>, instead = "AWS's documented default used instead") => {
    const line = awsCallError(err, { subject, action: what, service: what.split(':')[0]!, region: stack.region }).message;
    problems.push(`${line}: ${instead}`);
    Object.assign(limits, defaults);
  };

  const apigw = new ApiGatewayV2Client(settings);
  try {
    const s = await apigw.send(new GetStageCommand({ ApiId: stack.apiId, StageName: stack.stage }));
    const rate = s.DefaultRouteSettings?.ThrottlingRateLimit;
    const burst = s.DefaultRouteSettings?.ThrottlingBurstLimit;
    // A stage with no throttle of its own holds its messages to the account's alone.
    if (positive(rate)) limits.requestsPerSecond = { value: rate, source: 'account' };
    if (positive(burst)) limits.requestBurst = { value: burst, source: 'account' };
    for (const [route, r] of Object.entries(s.RouteSettings ?? {})) {
      if (positive(r.ThrottlingRateLimit)) {
        routes[route] = { rate: { value: r.ThrottlingRateLimit, source: 'account' }, ...(positive(r.ThrottlingBurstLimit) ? { burst: { value: r.ThrottlingBurstLimit, source: 'account' } } : {}) };
      }
    }
    read.push("the stage's throttles (GetStage)");
  } catch (err) {
    fallback('apigateway:GET', err, {}, 'the stage is taken to have no throttle of its own');
  } finally {
    apigw.destroy();
  }

  const v1 = new APIGatewayClient(settings);
  try {
    const a = await v1.send(new GetAccountCommand({}));
    const rate = a.throttleSettings?.rateLimit;
    const burst = a.throttleSettings?.burstLimit;
    if (!positive(rate) || !positive(burst)) throw new Error('GetAccount answered without throttleSettings');
    limits.accountRequestsPerSecond = { value: rate, source: 'account' };
    limits.accountRequestBurst = { value: burst, source: 'account' };
    read.push("the account's throttle (GetAccount)");
  } catch (err) {
    fallback('apigateway:GET', err, regionalAccountThrottle(stack.region));
  } finally {
    v1.destroy();
  }

  const lambda = createLambdaClient(settings);
  try {
    const a = await lambda.send(new GetAccountSettingsCommand({}));
    const total = a.AccountLimit?.ConcurrentExecutions;
    const unreserved = a.AccountLimit?.UnreservedConcurrentExecutions;
    if (total === undefined || unreserved === undefined) throw new Error('GetAccountSettings answered without AccountLimit');
    limits.lambdaConcurrency = { value: total, source: 'account' };
    limits.lambdaUnreservedConcurrency = { value: unreserved, source: 'account' };
    read.push("the account's Lambda concurrency (GetAccountSettings)");
  } catch (err) {
    fallback('lambda:GetAccountSettings', err, documented(...LAMBDA_LIMITS));
  } finally {
    lambda.destroy();
  }
  const regional = limits.accountRequestsPerSecond?.source === ('aws-documented-region' satisfies QuotaSource);
  return {
    limits,
    ...(Object.keys(routes).length > 0 ? { routes } : {}),
    idleRule: ASSUMED_IDLE,
    frameEnforced: true,
    note: [
      read.length > 0 ? `${joinList(read)} read from ${subject} in ${stack.region}` : undefined,
      regional ? REGIONAL_NOTE : undefined,
      "API Gateway's WebSocket quotas as AWS documents their defaults",
    ]
      .filter(Boolean)
      .join('; '),
    problems,
  };
}

function joinList(xs: string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

/**
 * The quotas a target holds a scenario to, known before it starts: an aws: stack's read from its
 * account, a local stack's from its config, an execute-api URL's as AWS documents them; null for
 * a stack of your own. Starts nothing, opens no WebSocket.
 */
export async function targetQuotas(spec: TargetSpec, o: { knobs: StackKnobs; aws?: { region?: string; profile?: string; tables?: string[] } }): Promise<TargetQuotas | null> {
  switch (spec.kind) {
    case 'local':
      return emulatorQuotas(o.knobs);
    case 'aws-stack':
      return accountQuotas(spec.stackName, o.aws);
    case 'aws-api':
      return apiQuotas(spec.apiId, spec.stage, o.aws);
    case 'url':
      return urlQuotas(spec.url);
  }
}
