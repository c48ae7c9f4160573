import { z } from 'zod';
import { readTemplateRole } from '../iam/execution-role-reader.ts';
import type { ExecutionRole } from '../iam/execution-role.ts';
import { parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { AwsRouteDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * A WebSocket API's `AWS` integration (AWS::ApiGatewayV2::Integration, IntegrationType AWS): API
 * Gateway renders the request from RequestParameters and the RequestTemplates (VTL) chosen by
 * TemplateSelectionExpression, and calls the service the IntegrationUri names with the
 * CredentialsArn role. Emulated for SQS (`sqs:path/{account}/{queue}`, `sqs:action/SendMessage`),
 * SNS (`sns:action/Publish`) and EventBridge (`events:action/PutEvents`); an AWS integration to any
 * other service or action is refused, naming it.
 */
const SERVICE_URI = /^arn:[^:]+:apigateway:[^:]*:([a-z0-9-]+):(path|action)\/(.*)$/;
const EMULATED: Record<string, (kind: string, rest: string) => boolean> = {
  sqs: (kind, rest) => (kind === 'path' ? /^\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(rest) : rest === 'SendMessage' || rest === 'SendMessageBatch'),
  sns: (kind, rest) => kind === 'action' && (rest === 'Publish' || rest === 'PublishBatch'),
  events: (kind, rest) => kind === 'action' && rest === 'PutEvents',
};

const awsIntegrationSchema = z
  .object({
    IntegrationUri: z.string().optional(),
    IntegrationMethod: z.string().optional(),
    CredentialsArn: z.string().optional(),
    RequestParameters: z.record(z.string(), z.string()).optional(),
    RequestTemplates: z.record(z.string(), z.string()).optional(),
    TemplateSelectionExpression: z.string().optional(),
    PassthroughBehavior: z.enum(['WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES']).optional(),
  })
  .loose();

/**
 * The service an `AWS` integration's URI calls (`arn:aws:apigateway:{region}:{service}:path/…` or
 * `:action/…`) and whether the emulator runs that call (SQS, SNS, EventBridge as above); undefined
 * for a URI of another shape.
 */
export function awsIntegrationService(uri: string): { service: string; call: string; emulated: boolean } | undefined {
  const m = SERVICE_URI.exec(uri);
  if (!m) return undefined;
  const [, service, kind, rest] = m as unknown as [string, string, string, string];
  return { service, call: `${kind}/${rest}`, emulated: EMULATED[service]?.(kind, rest) ?? false };
}

export type AwsIntegration = Omit<AwsRouteDescription, 'logicalId' | 'routeKey' | 'integrationId' | 'twoWay' | 'responseTemplates'>;

export function readAwsIntegration(t: StackTemplate, logicalId: string): AwsIntegration {
  const p = parseProperties(t.file, logicalId, awsIntegrationSchema, t.properties(logicalId));
  const at = (key: string) => ['Resources', logicalId, 'Properties', key];
  const uri = p.IntegrationUri;
  const m = uri === undefined ? null : SERVICE_URI.exec(uri);
  if (!m) throw templateError(t.file, at('IntegrationUri'), `${uri ?? '(missing)'} is not an AWS service's integration URI (arn:aws:apigateway:{region}:{service}:path/… or :action/…)`);
  const [, service, kind, rest] = m as unknown as [string, string, string, string];
  if (!EMULATED[service]?.(kind, rest)) {
    throw templateError(t.file, at('IntegrationUri'), `an AWS integration to ${service} (${kind}/${rest}) is not emulated: only SQS (path/{account}/{queue}, action/SendMessage), SNS (action/Publish) and EventBridge (action/PutEvents)`);
  }
  if (p.IntegrationMethod === undefined) throw templateError(t.file, at('IntegrationMethod'), 'missing: an AWS integration calls its service with an HTTP method (POST)');
  const credentials: ExecutionRole | undefined = p.CredentialsArn === undefined ? undefined : readTemplateRole(t, p.CredentialsArn);
  return {
    integrationUri: uri!,
    integrationMethod: p.IntegrationMethod,
    ...(credentials ? { credentials } : {}),
    requestParameters: p.RequestParameters ?? {},
    requestTemplates: p.RequestTemplates ?? {},
    ...(p.TemplateSelectionExpression !== undefined ? { templateSelectionExpression: p.TemplateSelectionExpression } : {}),
    passthroughBehavior: p.PassthroughBehavior ?? 'WHEN_NO_MATCH',
  };
}

const integrationResponseSchema = z
  .object({ IntegrationId: z.string(), IntegrationResponseKey: z.string(), ResponseTemplates: z.record(z.string(), z.string()).optional() })
  .loose();

/** AWS::ApiGatewayV2::IntegrationResponse: each integration's response templates by key (`$default`), and the resources read. */
export function readIntegrationResponses(t: StackTemplate, ids: string[]): { byIntegration: Map<string, Record<string, string>>; read: string[] } {
  const byIntegration = new Map<string, Record<string, string>>();
  for (const id of ids) {
    const p = parseProperties(t.file, id, integrationResponseSchema, t.properties(id));
    byIntegration.set(p.IntegrationId, { ...(byIntegration.get(p.IntegrationId) ?? {}), ...(p.ResponseTemplates ?? {}) });
  }
  return { byIntegration, read: ids };
}
