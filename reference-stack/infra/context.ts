import type { ChatStackProps } from './chat-stack.ts';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { DEFAULT_STAGE_THROTTLE, PUSH_FANOUTS, TOKEN_IDENTITIES, type PushFanout, type TokenIdentity } from '../functions/manifest.ts';
import { DEFAULT_STACK_NAME, stackNameIssue } from '../functions/stack-names.ts';

/**
 * The CDK app's context (`-c key=value`), read and checked in one place: a mistake is one line
 * naming the key, before anything is synthesized.
 */

export class ContextError extends Error {}

type Lookup = (key: string) => unknown;

/**
 * The stack's name (`-c name=FanoutBenchChatArm`, default FanoutBenchChat): the CloudFormation
 * stack, and what its functions, tables and token parameter are named after (stack-names.ts).
 */
export function stackNameFromContext(get: Lookup): string {
  const name = raw(get, 'name');
  if (name === undefined) return DEFAULT_STACK_NAME;
  const issue = stackNameIssue(name);
  if (issue) throw new ContextError(`context name: ${issue}, got ${name}`);
  return name;
}

export function chatStackPropsFromContext(get: Lookup): ChatStackProps {
  const memoryMB = integer(get, 'memory', LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max, 'MB');
  const arch = get('arch');
  if (arch !== undefined && arch !== 'x86_64' && arch !== 'arm64') {
    throw new ContextError(`context arch: must be x86_64 or arm64, got ${String(arch)}`);
  }
  const stage = get('stage');
  if (stage !== undefined && (typeof stage !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(stage))) {
    throw new ContextError(`context stage: must be 1-128 letters, digits, "-" or "_", got ${String(stage)}`);
  }
  const rateLimit = number(get, 'throttleRate') ?? DEFAULT_STAGE_THROTTLE.rateLimit;
  const burstLimit = integer(get, 'throttleBurst', 0, 5_000_000, 'requests') ?? DEFAULT_STAGE_THROTTLE.burstLimit;
  const pushFanout = raw(get, 'pushFanout');
  if (pushFanout !== undefined && !PUSH_FANOUTS.includes(pushFanout as PushFanout)) {
    throw new ContextError(`context pushFanout: must be ${PUSH_FANOUTS.join(' or ')}, got ${pushFanout}`);
  }
  return {
    memoryMB,
    architecture: arch,
    stageName: stage as string | undefined,
    throttle: { rateLimit, burstLimit },
    broadcast: flag(get, 'broadcast'),
    detailedMetrics: flag(get, 'detailedMetrics', true),
    auth: authFromContext(get),
    pushFanout: pushFanout as PushFanout | undefined,
    provisioned: definedOnly({
      $connect: integer(get, 'connectProvisioned', 0, MAX_PROVISIONED, 'environments'),
      sendMessage: integer(get, 'sendProvisioned', 0, MAX_PROVISIONED, 'environments'),
    }),
  };
}

/**
 * The $connect authorizer is on unless `-c auth=false`: an open endpoint lets anyone multiply the
 * bill. `authIdentity` header|query says where clients put the token; `authParameter` names an
 * existing parameter (e.g. a SecureString) instead of the placeholder String parameter the stack creates.
 */
function authFromContext(get: Lookup): ChatStackProps['auth'] {
  const on = flag(get, 'auth', true);
  const identity = raw(get, 'authIdentity');
  if (identity !== undefined && !TOKEN_IDENTITIES.includes(identity as TokenIdentity)) {
    throw new ContextError(`context authIdentity: must be ${TOKEN_IDENTITIES.join(' or ')}, got ${identity}`);
  }
  const parameterName = raw(get, 'authParameter');
  if (parameterName !== undefined && !/^\/[a-zA-Z0-9_.\-/]{1,1000}$/.test(parameterName)) {
    throw new ContextError(`context authParameter: must be a Parameter Store path such as /my/token, got ${parameterName}`);
  }
  if (!on) {
    if (identity !== undefined || parameterName !== undefined) throw new ContextError('context authIdentity / authParameter: need auth=true');
    return undefined;
  }
  return { identity: identity as TokenIdentity | undefined, parameterName };
}

/** Context values arrive as strings from `-c`, or as JSON values from cdk.json. */
function raw(get: Lookup, key: string): string | undefined {
  const value = get(key);
  if (value === undefined) return undefined;
  return String(value).trim();
}

function number(get: Lookup, key: string): number | undefined {
  const text = raw(get, key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value <= 0) {
    throw new ContextError(`context ${key}: must be a number above 0 (requests per second), got ${text}`);
  }
  return value;
}

function integer(get: Lookup, key: string, min: number, max: number, unit: string): number | undefined {
  const text = raw(get, key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new ContextError(`context ${key}: must be an integer from ${min} to ${max} ${unit}, got ${text}`);
  }
  return value;
}

function flag(get: Lookup, key: string, byDefault = false): boolean {
  const text = raw(get, key);
  if (text === undefined) return byDefault;
  if (text === 'false') return false;
  if (text === 'true') return true;
  throw new ContextError(`context ${key}: must be true or false, got ${text}`);
}

/** The most provisioned environments the context may ask of one function (Lambda's default account concurrency is 1,000; a raised one goes further). */
const MAX_PROVISIONED = 100_000;

function definedOnly<T extends Record<string, number | undefined>>(o: T): Partial<Record<keyof T, number>> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<Record<keyof T, number>>;
}
