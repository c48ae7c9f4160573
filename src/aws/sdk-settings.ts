import { LOCAL_CREDENTIALS } from './local-credentials.ts';

/**
 * How the harness's AWS SDK clients (CloudWatch, CloudWatch Logs, Lambda, CloudFormation) reach
 * a target's APIs: the emulator at its endpoint, or AWS through the SDK's standard chain. Only
 * these settings differ between the two; every call made with a client is the same code. Passed
 * as they are to a client's constructor.
 */
export interface SdkClientSettings {
  /** the emulator's endpoint; absent: the SDK resolves AWS's regional one */
  endpoint?: string;
  /** absent: the SDK's own resolution (AWS_REGION, the profile's region) */
  region?: string;
  /** a named profile (`--profile`); absent: the SDK's standard chain */
  profile?: string;
  /** the emulator's dummies; absent: the SDK's standard chain (env, profile, SSO, instance role) */
  credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  maxAttempts: number;
  retryMode?: 'adaptive';
  requestHandler: { connectionTimeout: number; requestTimeout: number };
}

/** Bounded waits: an unreachable endpoint must end in one clear line or a noted problem, not a hang. */
const REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 30_000 };

/** The region the emulator answers in when nobody said (its own default). */
export const EMULATOR_DEFAULT_REGION = 'us-east-1';

/**
 * The local emulator at `endpoint`: its dummy credentials (no real keys are ever sent to it), two
 * attempts. Fresh objects each time: a client's constructor marks the credentials it is given
 * (`$source`), which must not reach every later client's settings.
 */
export function emulatorSettings(endpoint: string, region: string = EMULATOR_DEFAULT_REGION): SdkClientSettings {
  return { endpoint, region, credentials: { ...LOCAL_CREDENTIALS }, maxAttempts: 2, requestHandler: { ...REQUEST_HANDLER } };
}

/**
 * AWS: the standard credential chain, or `profile`. Adaptive retries ride out the control planes'
 * low request rates (Lambda's TooManyRequestsException, FilterLogEvents' per-account rate).
 */
export function awsSettings(o: { region?: string; profile?: string } = {}): SdkClientSettings {
  return {
    ...(o.region ? { region: o.region } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    maxAttempts: 6,
    retryMode: 'adaptive',
    requestHandler: { ...REQUEST_HANDLER },
  };
}

/**
 * A client's own copy of `settings`: an SDK client's constructor marks the credentials object it
 * is given, so clients made from one settings object each take a copy.
 */
export function ownSettings(settings: SdkClientSettings): SdkClientSettings {
  return { ...settings, ...(settings.credentials ? { credentials: { ...settings.credentials } } : {}) };
}
