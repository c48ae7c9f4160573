import { ApiGatewayV2Client, GetStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { readDataFile } from '../../common/data-file.ts';
import {
  AWS_DOCUMENTED_QUOTAS,
  type QuotaLimit,
  type QuotaSource,
  type QuotaValue,
} from '../contracts/quotas-schema.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';
import { describeStack } from './aws-stack.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import { apiGatewayFromUrl } from '../aws/execute-api.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { awsSettings } from '../aws/sdk-settings.ts';

/**
 * The quotas a target holds a scenario to, as known before anything starts (the plan's and the
 * run's pre-flight): every kind of target says what it knows.
 *
 * - aws:<stackName>: API Gateway's WebSocket quotas as AWS documents them (new connections/s, frame,
 *   message, idle timeout, connection lifetime: not readable from the account), the stage's throttle
 *   from GetStage (its default route settings; none set: the account's 10,000/s, burst 5,000) and the
 *   account's Lambda concurrency from GetAccountSettings.
 * - an execute-api URL: AWS's documented values, all of them (nothing is asked of AWS).
 * - local: the emulator's configured limits (its config file, `target.config`, over AWS's defaults,
 *   which are the emulator's own). The emulator does not refuse frames, only messages over its size.
 * - any other URL: a stack of your own; its limits are not known (null).
 */
export interface TargetQuotas {
  limits: Partial<Record<QuotaLimit, QuotaValue>>;
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

const API_GATEWAY_LIMITS: QuotaLimit[] = ['newConnectionsPerSecond', 'frameBytes', 'messageBytes', 'idleTimeoutSeconds', 'connectionLifetimeSeconds'];
const ALL_LIMITS = Object.keys(AWS_DOCUMENTED_QUOTAS) as QuotaLimit[];

/** An execute-api URL: AWS's documented quotas; any other URL: none known. */
export function urlQuotas(url: string): TargetQuotas | null {
  if (!apiGatewayFromUrl(url)) return null;
  return {
    limits: documented(...ALL_LIMITS),
    frameEnforced: true,
    note: "API Gateway's and Lambda's quotas as AWS documents their defaults (an execute-api URL: the account is not asked)",
    problems: [],
  };
}

/** What `limits:` and `lambda.accountConcurrency` of the emulator's config file may say (the rest is not read here). */
interface EmulatorConfigFile {
  limits?: Partial<Record<'maxMessageBytes' | 'frameBytes' | 'idleTimeoutSeconds' | 'maxConnectionSeconds' | 'newConnectionsPerSecond' | 'accountRps' | 'accountBurst', unknown>>;
  lambda?: { accountConcurrency?: unknown };
}

/** The emulator's keys for each limit (reference-stack/local/config.ts, LimitsSchema and LambdaSchema). */
const EMULATOR_KEYS: Array<[QuotaLimit, (c: EmulatorConfigFile) => unknown]> = [
  ['newConnectionsPerSecond', (c) => c.limits?.newConnectionsPerSecond],
  ['frameBytes', (c) => c.limits?.frameBytes],
  ['messageBytes', (c) => c.limits?.maxMessageBytes],
  ['idleTimeoutSeconds', (c) => c.limits?.idleTimeoutSeconds],
  ['connectionLifetimeSeconds', (c) => c.limits?.maxConnectionSeconds],
  ['requestsPerSecond', (c) => c.limits?.accountRps],
  ['requestBurst', (c) => c.limits?.accountBurst],
  ['lambdaConcurrency', (c) => c.lambda?.accountConcurrency],
];

/** The limits a scenario's `target:` knobs set directly (stack-knobs.ts hands them to the emulator). */
const KNOB_KEYS: Partial<Record<QuotaLimit, (k: StackKnobs) => number | undefined>> = {
  requestsPerSecond: (k) => k.accountRps,
  requestBurst: (k) => k.accountBurst,
  lambdaConcurrency: (k) => k.accountConcurrency,
};

/**
 * The local emulator's limits: its knobs', then its config file's, over AWS's defaults (the emulator's own). The
 * stack checks the file when it starts; a value that is not a positive number is left to it.
 * Reserved concurrency (`target.reserved`) leaves the rest of the account's unreserved.
 */
export function emulatorQuotas(knobs: StackKnobs): TargetQuotas {
  const file = knobs.config === undefined ? {} : ((readDataFile(knobs.config, { what: 'emulator config file' }) ?? {}) as EmulatorConfigFile);
  const limits: Partial<Record<QuotaLimit, QuotaValue>> = {};
  for (const [limit, read] of EMULATOR_KEYS) {
    // a scenario's knob wins over the config file, as the stack applies them
    const v = KNOB_KEYS[limit]?.(knobs) ?? (typeof file === 'object' ? read(file) : undefined);
    limits[limit] = typeof v === 'number' && v > 0 ? { value: v, source: 'emulator-config' } : { value: AWS_DOCUMENTED_QUOTAS[limit], source: 'aws-documented' };
  }
  const reserved = Object.values(knobs.reserved ?? {}).reduce((a, b) => a + b, 0);
  const total = limits.lambdaConcurrency!;
  limits.lambdaUnreservedConcurrency = { value: Math.max(0, total.value - reserved), source: total.source };
  return {
    limits,
    frameEnforced: false,
    note: `the local emulator's limits (${knobs.config === undefined ? "AWS's documented defaults, its own" : `its config file ${knobs.config}, over AWS's documented defaults`}); it refuses messages over its size, not frames`,
    problems: [],
  };
}

/**
 * aws:<stackName>: the stage's throttle (GetStage) and the account's Lambda concurrency
 * (GetAccountSettings), read through the SDK's standard configuration (AWS_ENDPOINT_URL_* reaches
 * the emulator); API Gateway's WebSocket quotas as documented. A missing stack or no credentials is
 * DescribeStacks' one line (exit 2); a value that cannot be read is said, and its documented default used.
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
  const stack = await describeStack(cloudformation, stackName, { region, profile: at.profile }).finally(() => cloudformation.destroy());
  const settings = awsSettings({ region: stack.region, profile: at.profile });
  const limits = documented(...API_GATEWAY_LIMITS);
  const problems: string[] = [];
  const fallback = (what: string, err: unknown, ...keep: QuotaLimit[]) => {
    const line = awsCallError(err, { subject, action: what, service: what.split(':')[0]!, region: stack.region }).message;
    problems.push(`${line}: AWS's documented default used instead`);
    Object.assign(limits, documented(...keep));
  };

  const apigw = new ApiGatewayV2Client(settings);
  try {
    const s = await apigw.send(new GetStageCommand({ ApiId: stack.apiId, StageName: stack.stage }));
    const rate = s.DefaultRouteSettings?.ThrottlingRateLimit;
    const burst = s.DefaultRouteSettings?.ThrottlingBurstLimit;
    // A stage without a throttle of its own is held to the account's (AWS's documented default here).
    limits.requestsPerSecond = rate !== undefined && rate > 0 ? { value: rate, source: 'account' } : documented('requestsPerSecond').requestsPerSecond!;
    limits.requestBurst = burst !== undefined && burst > 0 ? { value: burst, source: 'account' } : documented('requestBurst').requestBurst!;
  } catch (err) {
    fallback('apigateway:GET', err, 'requestsPerSecond', 'requestBurst');
  } finally {
    apigw.destroy();
  }

  const lambda = createLambdaClient(settings);
  try {
    const a = await lambda.send(new GetAccountSettingsCommand({}));
    const total = a.AccountLimit?.ConcurrentExecutions;
    const unreserved = a.AccountLimit?.UnreservedConcurrentExecutions;
    if (total === undefined || unreserved === undefined) throw new Error('GetAccountSettings answered without AccountLimit');
    limits.lambdaConcurrency = { value: total, source: 'account' };
    limits.lambdaUnreservedConcurrency = { value: unreserved, source: 'account' };
  } catch (err) {
    fallback('lambda:GetAccountSettings', err, 'lambdaConcurrency', 'lambdaUnreservedConcurrency');
  } finally {
    lambda.destroy();
  }
  const read = (Object.values(limits) as QuotaValue[]).some((v) => v.source === ('account' satisfies QuotaSource));
  return {
    limits,
    frameEnforced: true,
    note: `${read ? `the stage's throttle (GetStage) and the account's Lambda concurrency (GetAccountSettings) read from ${subject} in ${stack.region}; ` : ''}API Gateway's WebSocket quotas as AWS documents their defaults`,
    problems,
  };
}

/**
 * The quotas a target holds a scenario to, known before it starts: an aws: stack's read from its
 * account, a local stack's from its config, an execute-api URL's as AWS documents them; null for
 * a stack of your own. Starts nothing, opens no WebSocket.
 */
export async function targetQuotas(spec: TargetSpec, o: { knobs: StackKnobs; aws?: { region?: string; profile?: string } }): Promise<TargetQuotas | null> {
  switch (spec.kind) {
    case 'local':
      return emulatorQuotas(o.knobs);
    case 'aws-stack':
      return accountQuotas(spec.stackName, o.aws);
    case 'url':
      return urlQuotas(spec.url);
  }
}
