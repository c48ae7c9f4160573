import { apiGatewayFromUrl } from './execute-api.ts';
import { awsSettings, emulatorSettings, type SdkClientSettings } from './sdk-settings.ts';

/**
 * Where a target's Lambda API answers (Target.lambdaApi): the emulator's endpoint as its ready
 * line names it, or AWS in the region an execute-api URL names. None for an older local stack
 * (its ready line names no Lambda endpoint) or a URL of a stack of your own.
 */
export function emulatorLambdaApi(ready: { lambdaEndpoint?: unknown; region: string }): SdkClientSettings | null {
  return typeof ready.lambdaEndpoint === 'string' ? emulatorSettings(ready.lambdaEndpoint, ready.region) : null;
}

export function urlLambdaApi(url: string): SdkClientSettings | null {
  const api = apiGatewayFromUrl(url);
  return api ? awsSettings({ region: api.region }) : null;
}
