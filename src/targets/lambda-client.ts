import { LambdaClient } from '@aws-sdk/client-lambda';
import { apiGatewayFromUrl } from './execute-api.ts';
import { LOCAL_CREDENTIALS } from './local-credentials.ts';

/**
 * Where Lambda's API is: AWS itself, or the local emulator's Lambda endpoint (its ready line's
 * `lambdaEndpoint`). Only the client configuration differs; every call after this is the same
 * code for both.
 */
export type LambdaTarget =
  | { kind: 'local'; endpoint: string; region: string }
  /** without a region (or profile) the SDK's own resolution applies (AWS_REGION, AWS_PROFILE) */
  | { kind: 'aws'; region?: string; profile?: string };

export function createLambdaClient(target: LambdaTarget): LambdaClient {
  // Bounded waits: an unreachable endpoint must end in one clear line, not a hang.
  const requestHandler = { connectionTimeout: 3_000, requestTimeout: 30_000 };
  if (target.kind === 'local') {
    return new LambdaClient({ endpoint: target.endpoint, region: target.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 2, requestHandler });
  }
  // AWS: the standard credential chain (env, profile, SSO, instance role). Adaptive retries ride
  // out the control plane's low request rate (TooManyRequestsException).
  return new LambdaClient({
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
    maxAttempts: 6,
    retryMode: 'adaptive',
    requestHandler,
  });
}

/**
 * The Lambda API of a run's target: the emulator's endpoint for a local target, AWS in the
 * stack's region (and `--profile`) for an aws:<stackName> target or in the API's region for an
 * execute-api URL, none known for any other URL (a stack of your own).
 */
export function lambdaTargetFor(target: {
  url: string;
  local?: { region: string; [key: string]: unknown } | undefined;
  endpoints?: { services: string; region?: string; stackName?: string };
  awsProfile?: string;
}): LambdaTarget | null {
  if (target.local) {
    const endpoint = target.local.lambdaEndpoint;
    return typeof endpoint === 'string' ? { kind: 'local', endpoint, region: target.local.region } : null;
  }
  if (target.endpoints?.services === 'aws' && target.endpoints.stackName !== undefined) {
    return { kind: 'aws', region: target.endpoints.region, ...(target.awsProfile ? { profile: target.awsProfile } : {}) };
  }
  const api = apiGatewayFromUrl(target.url);
  return api ? { kind: 'aws', region: api.region } : null;
}
