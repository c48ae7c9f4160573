import { AwsApiError } from '../../emulator/cloudwatch/aws-json.ts';
import type { DeliverySource, ServiceTargets, TargetMessage } from '../../emulator/service-targets.ts';

/**
 * The receiving side of SNS's and EventBridge's deliveries in their tests: a ServiceTargets that
 * records each delivery. The real receivers (SQS's SendMessage, Lambda's asynchronous invocation)
 * are other parts of issue 60, wired to these services by the stack; here the test sees exactly
 * what SNS and EventBridge hand over. An ARN in `refusing` is refused as its owner would (no such
 * resource).
 */
export class RecordingTargets implements ServiceTargets {
  readonly delivered: Array<{ arn: string; message: TargetMessage; from: DeliverySource }> = [];
  readonly refusing = new Set<string>();
  /** another service's own side, for ARNs it owns (a topic, a bus) */
  readonly owners = new Map<string, (message: TargetMessage) => Promise<void>>();

  async deliver(arn: string, message: TargetMessage, from: DeliverySource): Promise<void> {
    if (this.refusing.has(arn)) throw new AwsApiError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
    const owner = [...this.owners].find(([prefix]) => arn.startsWith(prefix))?.[1];
    this.delivered.push({ arn, message, from });
    if (owner) await owner(message);
  }

  has(): boolean {
    return true;
  }

  to(arn: string): TargetMessage[] {
    return this.delivered.filter((d) => d.arn === arn).map((d) => d.message);
  }
}
