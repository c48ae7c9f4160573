import { awsSettings, emulatorSettings, type SdkClientSettings } from './sdk-settings.ts';
import type { TargetEndpoints } from './target-schema.ts';

/**
 * Where a target publishes its metrics and how they are read: the local emulator's
 * CloudWatch-compatible endpoint (one server answers both the CloudWatch and the CloudWatch Logs
 * protocols, told apart by X-Amz-Target), or AWS. Besides the clients' settings, the two differ
 * in when and how finely their metrics can be read; the puller (src/metrics/cloudwatch-puller.ts)
 * asks these properties, never which of the two it talks to.
 */
export interface CloudWatchTarget {
  /** who answers, as results.cloudwatch.source records it */
  source: 'local' | 'aws';
  /** the SDK client settings for CloudWatch and for CloudWatch Logs */
  clients: { cloudwatch: SdkClientSettings; logs: SdkClientSettings };
  /** the region recorded; absent: the SDK's own resolution (AWS_REGION, the profile) */
  region?: string;
  /** the endpoint recorded (the emulator's; AWS's is the SDK's to resolve) */
  endpoint?: string;
  /** the period asked for by default, s: the emulator keeps 1 s; AWS 60 s (1 s with high resolution) */
  periodSec: number;
  /** how far the query window reaches past the run on each side, s */
  marginSec: number;
  /**
   * Before pulling, wait until the functions' invocation count stops changing: the emulator's
   * metrics are complete once it does (AWS's arrive a minute or more later: see publishDelayMs).
   */
  awaitInvocations: boolean;
  /** how long after the fact the metrics are published, ms: a pull sooner than this is noted as possibly incomplete */
  publishDelayMs: number;
  /** per-route API Gateway metrics (detailed metrics) are published: on AWS; the emulator publishes the stage's alone */
  routeMetrics: boolean;
  /** the emulator's own host metrics (its CPU and memory held back the functions) are asked for and accounted */
  hostMetrics: boolean;
}

/** AWS publishes Lambda metrics a minute or more after the fact. */
const AWS_PUBLISH_DELAY_MS = 180_000;

/** The local emulator's CloudWatch at `endpoint` (its CloudWatch Logs at `logsEndpoint`, when that differs). */
export function emulatorCloudWatch(o: { endpoint: string; logsEndpoint?: string; region?: string }): CloudWatchTarget {
  const cloudwatch = emulatorSettings(o.endpoint, o.region);
  return {
    source: 'local',
    clients: { cloudwatch, logs: emulatorSettings(o.logsEndpoint ?? o.endpoint, cloudwatch.region) },
    region: cloudwatch.region,
    endpoint: o.endpoint,
    periodSec: 1,
    marginSec: 5,
    awaitInvocations: true,
    publishDelayMs: 0,
    routeMetrics: false,
    hostMetrics: true,
  };
}

/** AWS's CloudWatch in `region` (else the SDK's), signed through `profile` (else the standard chain). */
export function awsCloudWatch(o: { region?: string; profile?: string } = {}): CloudWatchTarget {
  const settings = awsSettings(o);
  return {
    source: 'aws',
    clients: { cloudwatch: settings, logs: settings },
    ...(o.region ? { region: o.region } : {}),
    periodSec: 60,
    marginSec: 60,
    awaitInvocations: false,
    publishDelayMs: AWS_PUBLISH_DELAY_MS,
    routeMetrics: true,
    hostMetrics: false,
  };
}

/**
 * Where a target with these endpoints publishes its metrics: the emulator's endpoint, AWS in the
 * target's region, or nowhere known (a stack of your own). On AWS the SDK resolves the regional
 * endpoint itself (the same one the endpoints name).
 */
export function cloudWatchFor(endpoints: TargetEndpoints, o: { profile?: string } = {}): CloudWatchTarget | null {
  if (endpoints.services === 'local' && endpoints.cloudwatch) {
    const logs = endpoints.logs && endpoints.logs !== endpoints.cloudwatch ? { logsEndpoint: endpoints.logs } : {};
    return emulatorCloudWatch({ endpoint: endpoints.cloudwatch, ...logs, ...(endpoints.region ? { region: endpoints.region } : {}) });
  }
  if (endpoints.services === 'aws') return awsCloudWatch({ ...(endpoints.region ? { region: endpoints.region } : {}), ...(o.profile ? { profile: o.profile } : {}) });
  return null;
}
