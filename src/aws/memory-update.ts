import {
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdated,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { UserError } from '../../common/errors.ts';
import { lambdaError } from './lambda-errors.ts';

/**
 * Change a function's memory size the way it is done on AWS: UpdateFunctionConfiguration, then
 * wait (bounded, polling with the SDK's backoff) until `LastUpdateStatus` is `Successful`, when
 * the function runs with the new size. The waiter is FunctionUpdated (GetFunctionConfiguration)
 * with FunctionUpdatedV2's 1 s first delay: same polling, and one IAM action fewer to grant than
 * V2's GetFunction (which also hands out the code's download URL).
 */

export interface MemoryUpdateOptions {
  /** Longest wait for the update to take effect, seconds (default 120). */
  maxWaitSeconds?: number;
  /** Stops waiting (the update itself, once sent, is AWS's to finish). */
  signal?: AbortSignal;
}

export const DEFAULT_MAX_WAIT_SECONDS = 120;
const MIN_DELAY_SECONDS = 1;
const MAX_DELAY_SECONDS = 10;

export async function setMemorySize(client: LambdaClient, functionName: string, memoryMB: number, options: MemoryUpdateOptions = {}): Promise<void> {
  const update = () => client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, MemorySize: memoryMB }));
  try {
    await update();
  } catch (err) {
    if ((err as Error)?.name !== 'ResourceConflictException') throw lambdaError(err, functionName, 'lambda:UpdateFunctionConfiguration');
    // Another change is still in progress (a deploy, or an update of ours cut short): wait for it, once.
    await waitForUpdate(client, functionName, options);
    try {
      await update();
    } catch (again) {
      throw lambdaError(again, functionName, 'lambda:UpdateFunctionConfiguration');
    }
  }
  await waitForUpdate(client, functionName, options);
}

/** Resolves when the function's last update is in effect; one line naming it otherwise. */
export async function waitForUpdate(client: LambdaClient, functionName: string, options: MemoryUpdateOptions = {}): Promise<void> {
  const maxWaitTime = options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
  const prefix = `lambda function ${functionName}`;
  try {
    await waitUntilFunctionUpdated(
      {
        client,
        maxWaitTime,
        minDelay: Math.min(MIN_DELAY_SECONDS, maxWaitTime / 2),
        maxDelay: Math.min(MAX_DELAY_SECONDS, maxWaitTime),
        ...(options.signal ? { abortSignal: options.signal } : {}),
      },
      { FunctionName: functionName },
    );
    return;
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw new UserError(`${prefix}: stopped waiting for the configuration update to take effect`, 1);
  }
  // Timed out or Failed (the waiter also retries on errors until it times out): one more look says which.
  let last: FunctionConfiguration;
  try {
    last = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  } catch (err) {
    throw lambdaError(err, functionName, 'lambda:GetFunctionConfiguration');
  }
  if (last.LastUpdateStatus === 'Successful') return;
  if (last.LastUpdateStatus === 'Failed') {
    throw new UserError(`${prefix}: the configuration update failed: ${last.LastUpdateStatusReasonCode ?? 'Failed'}: ${last.LastUpdateStatusReason ?? 'no reason given'}`, 1);
  }
  throw new UserError(`${prefix}: the configuration update was still ${last.LastUpdateStatus ?? 'unconfirmed'} after ${maxWaitTime} s`, 1);
}
