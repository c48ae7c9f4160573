import { awsSettings, emulatorSettings, type SdkClientSettings } from './sdk-settings.ts';
import type { TargetEndpoints } from '../contracts/target-schema.ts';

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
  /** the period asked for by default, s: the emulator keeps 1 s; AWS (and the emulator with its timing) 60 s */
  periodSec: number;
  /** how far the query window reaches past the run on each side, s */
  marginSec: number;
  /**
   * How the puller waits before it pulls (src/metrics/cloudwatch/await-published.ts,
   * await-settled.ts): `settle`, where metrics are complete once the functions' invocations stop
   * (the emulator, answering at once); `published`, where each minute is published a while after
   * it ends (AWS, or the emulator under --aws-metrics): poll until the run's counts are published.
   */
  wait: MetricsWait;
  /** the emulator's own host metrics (its CPU and memory held back the functions) are asked for and accounted */
  hostMetrics: boolean;
}

/**
 * The two wait rules. `published`: every `pollMs` the run's counts are asked; done when each
 * count the harness can predict is reached and none has changed for `stableMs` (a full period),
 * at most `maxMs` (`--metrics-wait`).
 */
export type MetricsWait = { rule: 'settle' } | { rule: 'published'; maxMs: number; stableMs: number; pollMs: number };

/** AWS publishes a minute 1-3 minutes after it ends: by default wait up to 5 minutes for it. */
export const DEFAULT_METRICS_WAIT_MS = 300_000;

/** AWS's timing: 60 s periods, published late; wait for them, polling every 5 s. */
function publishedWait(periodSec: number): MetricsWait {
  return { rule: 'published', maxMs: DEFAULT_METRICS_WAIT_MS, stableMs: periodSec * 1000, pollMs: 5_000 };
}

/**
 * The local emulator's CloudWatch at `endpoint` (its CloudWatch Logs at `logsEndpoint`, when that
 * differs). With `awsTiming` (`stack up --aws-metrics`) it publishes as AWS does, so it is read
 * as AWS is: 60 s periods, and the wait for publication.
 */
export function emulatorCloudWatch(o: { endpoint: string; logsEndpoint?: string; region?: string; awsTiming?: boolean }): CloudWatchTarget {
  const cloudwatch = emulatorSettings(o.endpoint, o.region);
  return {
    source: 'local',
    clients: { cloudwatch, logs: emulatorSettings(o.logsEndpoint ?? o.endpoint, cloudwatch.region) },
    region: cloudwatch.region,
    endpoint: o.endpoint,
    periodSec: o.awsTiming ? 60 : 1,
    // The emulator shares the harness's clock, and the settle wait ends the window after the
    // stack's last invocation: 2 s either side is slack, and a measurement after another waits 3 s.
    marginSec: o.awsTiming ? 60 : 2,
    wait: o.awsTiming ? publishedWait(60) : { rule: 'settle' },
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
    wait: publishedWait(60),
    hostMetrics: false,
  };
}

/**
 * Where a target with these endpoints publishes its metrics: the emulator's endpoint, AWS in the
 * target's region, or nowhere known (a stack of your own). On AWS the SDK resolves the regional
 * endpoint itself (the same one the endpoints name).
 */
export function cloudWatchFor(endpoints: TargetEndpoints, o: { profile?: string; awsTiming?: boolean } = {}): CloudWatchTarget | null {
  if (endpoints.services === 'local' && endpoints.cloudwatch) {
    const logs = endpoints.logs && endpoints.logs !== endpoints.cloudwatch ? { logsEndpoint: endpoints.logs } : {};
    return emulatorCloudWatch({ endpoint: endpoints.cloudwatch, ...logs, ...(endpoints.region ? { region: endpoints.region } : {}), ...(o.awsTiming ? { awsTiming: true } : {}) });
  }
  if (endpoints.services === 'aws') return awsCloudWatch({ ...(endpoints.region ? { region: endpoints.region } : {}), ...(o.profile ? { profile: o.profile } : {}) });
  return null;
}
