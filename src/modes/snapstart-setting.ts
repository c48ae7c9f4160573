import {
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { setTimeout as delay } from 'node:timers/promises';
import { UserError } from '../../common/errors.ts';
import type { PriceTable } from '../contracts/prices.ts';
import type { TargetFunction } from '../contracts/target-schema.ts';
import { PLAN_MONTH_SEC } from '../analyses/plan/monthly-cost.ts';
import { lambdaError } from '../aws/lambda-errors.ts';
import { waitForUpdate } from '../aws/memory-update.ts';
import { sweptFunction } from './swept-function.ts';

/** The function whose SnapStart `compare --snapstart` turns off and on, and the alias its route invokes (moved to each point's version). */
export interface SnapStartSubject {
  function: string;
  alias: string;
  memoryMB: number;
}

/** What the subject was before the comparison: the version its alias named and `$LATEST`'s ApplyOn, put back on a deployed target. */
export interface SnapStartOrigin {
  version: string;
  applyOn: 'PublishedVersions' | 'None';
}

/**
 * Which function: the one named (`--function`, by name or a template's logical id), else the one
 * function of the stack with SnapStart on. Its route must invoke an alias: SnapStart applies to
 * published versions, and each point publishes one and moves the alias to it (a route invoking
 * `$LATEST` or a version number cannot be moved). Anything else is one line naming what to give, exit 2.
 */
export function snapStartSubject(listed: readonly TargetFunction[], named: string | undefined): SnapStartSubject {
  const fn = sweptFunction(listed, named, { what: 'SnapStart', has: (f) => f.snapStart === true, hasText: 'SnapStart on' });
  const how = fn.route ? `its route ${fn.route} invokes` : 'it is invoked as';
  if (fn.qualifier === undefined) {
    throw new UserError(`--function: ${how} ${fn.name} unqualified ($LATEST), where SnapStart never applies (published versions only): invoke an alias of a published version (AutoPublishAlias in SAM), then compare its SnapStart`);
  }
  if (/^\d+$/.test(fn.qualifier)) {
    throw new UserError(`--function: ${how} version ${fn.qualifier} of ${fn.name}: each point publishes a version and moves an alias to it, so the route must invoke an alias (AutoPublishAlias in SAM)`);
  }
  return { function: fn.name, alias: fn.qualifier, memoryMB: fn.memoryMB };
}

/** How long a version may take to be Active (AWS: its INIT and snapshot, up to a few minutes). */
const ACTIVE_WITHIN_MS = 10 * 60_000;

/** What the subject's alias names now, and `$LATEST`'s SnapStart. */
export async function snapStartOrigin(client: LambdaClient, s: SnapStartSubject): Promise<SnapStartOrigin> {
  const [aliased, latest] = await Promise.all([configuration(client, s.function, s.alias), configuration(client, s.function)]);
  return { version: aliased.Version ?? '$LATEST', applyOn: latest.SnapStart?.ApplyOn === 'PublishedVersions' ? 'PublishedVersions' : 'None' };
}

/**
 * The subject's alias pointed at a version with SnapStart on or off, through Lambda's API, the
 * same calls for AWS and the emulator: where the alias's version already has it so, nothing
 * changes; else `$LATEST`'s SnapStart is set (UpdateFunctionConfiguration, waited for), a version
 * published and waited for until Active (a SnapStart version takes its snapshot first), and the
 * alias moved to it. Returns the version measured. Lambda's refusals (SnapStart on a runtime
 * without it, on a version with provisioned concurrency) and a version that fails are one line.
 */
export async function setSnapStart(client: LambdaClient, s: SnapStartSubject, on: boolean, signal?: AbortSignal): Promise<string> {
  const applyOn = on ? 'PublishedVersions' : 'None';
  const current = await configuration(client, s.function, s.alias);
  if ((current.SnapStart?.ApplyOn === 'PublishedVersions') === on && current.State === 'Active' && current.Version) return current.Version;
  try {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.function, SnapStart: { ApplyOn: applyOn } }));
  } catch (err) {
    throw pointError(on, lambdaError(err, s.function, 'lambda:UpdateFunctionConfiguration'));
  }
  await waitForUpdate(client, s.function, signal ? { signal } : {});
  let version: string;
  try {
    version = (await client.send(new PublishVersionCommand({ FunctionName: s.function }))).Version!;
  } catch (err) {
    throw pointError(on, lambdaError(err, s.function, 'lambda:PublishVersion'));
  }
  await whenActive(client, s.function, version, signal);
  await pointAlias(client, s, version);
  return version;
}

/** The alias and `$LATEST`'s SnapStart as they were (a deployed target is left as it was found; the versions published stay). */
export async function restoreSnapStart(client: LambdaClient, s: SnapStartSubject, origin: SnapStartOrigin): Promise<void> {
  await pointAlias(client, s, origin.version);
  const latest = await configuration(client, s.function);
  if ((latest.SnapStart?.ApplyOn ?? 'None') === origin.applyOn) return;
  try {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.function, SnapStart: { ApplyOn: origin.applyOn } }));
  } catch (err) {
    throw lambdaError(err, s.function, 'lambda:UpdateFunctionConfiguration');
  }
  await waitForUpdate(client, s.function);
}

/** What the version's snapshot is cached for over a month (30 days) at list prices; null where the prices have no SnapStart rates; SnapStart off: $0. */
export function monthlyCacheUsd(on: boolean, memoryMB: number, prices: PriceTable | undefined): number | null {
  if (!on) return 0;
  const rate = prices?.lambdaSnapStart?.cacheGbSecond;
  return rate === undefined ? null : (memoryMB / 1024) * PLAN_MONTH_SEC * rate;
}

async function configuration(client: LambdaClient, fn: string, qualifier?: string): Promise<FunctionConfiguration> {
  try {
    return await client.send(new GetFunctionConfigurationCommand({ FunctionName: fn, ...(qualifier ? { Qualifier: qualifier } : {}) }));
  } catch (err) {
    throw lambdaError(err, qualifier ? `${fn}:${qualifier}` : fn, 'lambda:GetFunctionConfiguration');
  }
}

async function pointAlias(client: LambdaClient, s: SnapStartSubject, version: string): Promise<void> {
  try {
    await client.send(new UpdateAliasCommand({ FunctionName: s.function, Name: s.alias, FunctionVersion: version }));
  } catch (err) {
    throw lambdaError(err, `${s.function}:${s.alias}`, 'lambda:UpdateAlias');
  }
}

/** Resolves when the version is Active; a Failed version is Lambda's reason in one line. */
async function whenActive(client: LambdaClient, fn: string, version: string, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + ACTIVE_WITHIN_MS;
  for (;;) {
    const c = await configuration(client, fn, version);
    if (c.State === 'Active') return;
    if (c.State === 'Failed') throw new UserError(`--snapstart: ${fn} version ${version} is Failed: ${c.StateReasonCode ?? 'no code'}: ${c.StateReason ?? 'Lambda gave no reason'}`, 1);
    if (Date.now() > deadline) throw new UserError(`--snapstart: ${fn} version ${version} was still ${c.State ?? 'not Active'} after ${ACTIVE_WITHIN_MS / 60_000} minutes`, 1);
    if (signal?.aborted) throw new UserError(`--snapstart: stopped waiting for ${fn} version ${version} to be Active`, 1);
    await delay(200);
  }
}

function pointError(on: boolean, err: Error): Error {
  return err instanceof UserError ? new UserError(`--snapstart ${on ? 'on' : 'off'}: ${err.message}`, err.exitCode) : err;
}
