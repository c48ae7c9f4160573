import { LambdaClient } from '@aws-sdk/client-lambda';
import type { SdkClientSettings } from './sdk-settings.ts';

/**
 * A client of Lambda's API where a target has it: AWS itself, or the local emulator's Lambda
 * endpoint (its ready line's `lambdaEndpoint`), as the target's `lambdaApi` says. Only the
 * client's settings differ (sdk-settings.ts); every call after this is the same code for both.
 */
export function createLambdaClient(settings: SdkClientSettings): LambdaClient {
  return new LambdaClient(settings);
}
