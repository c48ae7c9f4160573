import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { setTimeout as delay } from 'node:timers/promises';
import { UserError } from '../../common/errors.ts';
import type { PriceTable } from '../contracts/prices.ts';
import type { TargetFunction } from '../contracts/target-schema.ts';
import { PLAN_MONTH_SEC } from '../analyses/plan/monthly-cost.ts';
import { allocatedGbSeconds, provisionedRates } from '../metrics/cost/lambda-rates.ts';
import { sweptFunction } from './swept-function.ts';

/** The function whose provisioned concurrency `compare --provisioned` varies, on the alias or version its requests reach. */
export interface ProvisionedSubject {
  function: string;
  qualifier: string;
  memoryMB: number;
}

/**
 * Which function, and which of its aliases or versions: the one named (`--function`, by name or a
 * template's logical id), else the one function of the stack with provisioned concurrency
 * configured; its configured alias or version, else the one its route invokes. A function the
 * stack does not have, one invoked unqualified with nothing configured, or a stack with several
 * candidates and none named is one line naming what to give, exit 2.
 */
export function provisionedSubject(listed: readonly TargetFunction[], named: string | undefined): ProvisionedSubject {
  const fn = sweptFunction(listed, named, { what: 'provisioned concurrency', has: (f) => (f.provisioned ?? []).length > 0, hasText: 'provisioned concurrency configured' });
  const qualifier = fn.provisioned?.[0]?.qualifier ?? fn.qualifier;
  if (qualifier === undefined) {
    throw new UserError(
      `--function: ${fn.name} is invoked unqualified ($LATEST), and Provisioned Concurrency Configs cannot be applied to unpublished function versions.: publish a version and invoke an alias of it (AutoPublishAlias in SAM), then compare its provisioned concurrency`,
    );
  }
  return { function: fn.name, qualifier, memoryMB: fn.memoryMB };
}

/** How long an allocation may take to be READY (AWS: minutes for hundreds of environments). */
const READY_WITHIN_MS = 10 * 60_000;

/**
 * The subject's provisioned concurrency set to `environments` through Lambda's API (0: its
 * configuration deleted), the same calls for AWS and the emulator, then waited for until READY.
 * A refusal is Lambda's own words (above the reserved concurrency, the account's unreserved pool,
 * SnapStart on the version), one line, exit 2; an allocation that fails says Lambda's reason.
 */
export async function setProvisioned(client: LambdaClient, s: ProvisionedSubject, environments: number, signal?: AbortSignal): Promise<void> {
  const at = { FunctionName: s.function, Qualifier: s.qualifier };
  try {
    if (environments === 0) {
      await client.send(new DeleteProvisionedConcurrencyConfigCommand(at)).catch((err: Error) => {
        if (err.name !== 'ProvisionedConcurrencyConfigNotFoundException') throw err;
      });
      return;
    }
    await client.send(new PutProvisionedConcurrencyConfigCommand({ ...at, ProvisionedConcurrentExecutions: environments }));
  } catch (err) {
    throw new UserError(`--provisioned ${environments}: ${s.function}:${s.qualifier}: ${(err as Error).message}`);
  }
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const c = await client.send(new GetProvisionedConcurrencyConfigCommand(at));
    if (c.Status === 'READY') return;
    if (c.Status === 'FAILED') throw new UserError(`--provisioned ${environments}: ${s.function}:${s.qualifier}: the allocation FAILED: ${c.StatusReason ?? 'Lambda gave no reason'}`);
    if (Date.now() > deadline) throw new UserError(`--provisioned ${environments}: ${s.function}:${s.qualifier}: not READY after ${READY_WITHIN_MS / 60_000} minutes (${c.AllocatedProvisionedConcurrentExecutions ?? 0} of ${environments} allocated)`);
    if (signal?.aborted) return;
    await delay(200);
  }
}

/** What the allocation costs over a month (30 days) at list prices, busy or not; null where the prices have no provisioned rates. */
export function monthlyAllocationUsd(environments: number, memoryMB: number, prices: PriceTable | undefined, architecture: 'x86_64' | 'arm64'): number | null {
  const rates = provisionedRates(prices, architecture);
  return rates ? allocatedGbSeconds(environments, memoryMB, PLAN_MONTH_SEC) * rates.concurrency : null;
}
