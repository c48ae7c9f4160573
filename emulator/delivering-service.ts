import type { MetricSink } from './cloudwatch/types.ts';
import type { IamGate } from './iam/iam-gate.ts';
import type { ServiceEndpoint } from './local-listener.ts';
import type { ServiceTargets } from './service-targets.ts';

/**
 * What SNS and EventBridge have in common as services that take a message and hand it on to
 * others (through ServiceTargets) after their API answered: how they are started, and what the
 * stack asks of them besides their endpoint (messaging.ts).
 */
export interface DeliveringServiceOptions {
  targets: ServiceTargets;
  host?: string;
  port?: number;
  /** asks a function's call of its role */
  iam?: IamGate;
  metrics: MetricSink;
  region: string;
  accountId: string;
  now?: () => number;
}

export interface DeliveringService<Billing> extends ServiceEndpoint {
  /** whether `arn` names one of this service's resources (a topic, a bus) */
  has(arn: string): boolean;
  /** resolves once every delivery started so far has settled (tests, a run's end) */
  idle(): Promise<void>;
  /** what the service bills and did */
  billing(): Billing;
}
