/**
 * What an `AWS` integration's IntegrationUri names, as API Gateway reads it:
 * `arn:aws:apigateway:<region>:<service>:path/<path>` (a request to that path of the service's
 * endpoint: `sqs:path/<account>/<queue>`) or `…:<service>:action/<Action>` (the service's API
 * action at its root: `sns:action/Publish`, `events:action/PutEvents`). The services the emulator
 * runs are the fan-out ones; the protocol is the one API Gateway speaks to each: AWS Query (form
 * body, XML answer) to SQS and SNS, AWS JSON 1.1 to EventBridge.
 */

export const AWS_INTEGRATION_SERVICES = ['sqs', 'sns', 'events'] as const;
export type AwsIntegrationService = (typeof AWS_INTEGRATION_SERVICES)[number];

export type AwsIntegrationTarget =
  | { service: AwsIntegrationService; region: string; kind: 'path'; path: string }
  | { service: AwsIntegrationService; region: string; kind: 'action'; action: string };

const URI = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):([A-Za-z0-9.-]+):(path|action)\/(.+)$/;

/** The target of an IntegrationUri, or a one-line reason why the emulator cannot call it. */
export function integrationTarget(uri: string): AwsIntegrationTarget | { refused: string } {
  const m = URI.exec(uri);
  if (!m) return { refused: `IntegrationUri ${uri} is not arn:aws:apigateway:<region>:<service>:path/… or …:action/…` };
  const [, region, serviceName, kind, rest] = m as unknown as [string, string, string, 'path' | 'action', string];
  // `<subdomain>.<service>` names the service's host; the service is its last part
  const service = serviceName.split('.').pop()!;
  if (!(AWS_INTEGRATION_SERVICES as readonly string[]).includes(service)) {
    return { refused: `IntegrationUri ${uri}: the emulator calls ${AWS_INTEGRATION_SERVICES.join(', ')} from a route, not ${service}` };
  }
  const s = service as AwsIntegrationService;
  if (kind === 'path') return { service: s, region, kind, path: `/${rest.replace(/^\/+/, '')}` };
  if (!/^[A-Za-z]+$/.test(rest)) return { refused: `IntegrationUri ${uri}: action/${rest} is no API action name` };
  return { service: s, region, kind, action: rest };
}

/** How API Gateway speaks to the service. */
export function serviceProtocol(service: AwsIntegrationService): 'query' | 'json-1.1' {
  return service === 'events' ? 'json-1.1' : 'query';
}

/** The X-Amz-Target of an action on a JSON service (EventBridge's `AWSEvents.PutEvents`). */
export function jsonTarget(service: AwsIntegrationService, action: string): string | undefined {
  return service === 'events' ? `AWSEvents.${action}` : undefined;
}
