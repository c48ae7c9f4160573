import { z } from 'zod';
import { invokedFunction, type InvokedFunction } from './invoked-function.ts';
import { accessLogOf, accessLogSettingsSchema, cfnNumber, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { ApiDescription, AuthorizerDescription, AwsRouteDescription, RouteDescription, Throttle } from './stack-description.ts';
import { readAwsIntegration, readIntegrationResponses, type AwsIntegration } from './aws-integration-reader.ts';
import { templateError } from './template-errors.ts';
import { readTemplateRole } from '../iam/execution-role-reader.ts';
import type { ExecutionRole } from '../iam/execution-role.ts';

/**
 * The WebSocket API of a template: AWS::ApiGatewayV2::Api (WEBSOCKET), its Stage, Routes,
 * Integrations (AWS_PROXY to a function of the stack), RouteResponses, Authorizer and
 * Deployment; the stage's AccessLogSettings and the account's CloudWatch role
 * (AWS::ApiGateway::Account), which access logging needs. A route whose integration is `AWS` (to
 * SQS, SNS or EventBridge: aws-integration-reader.ts) becomes an AwsRouteDescription, with its
 * IntegrationResponses' templates. A stack runs one WebSocket API with one stage (its HTTP APIs
 * are http-api-reader.ts's); an HTTP/HTTP_PROXY/MOCK integration, an AWS one to another
 * service, a route without an integration, an integration with a function outside the stack are
 * refused, each naming the resource and the property.
 */
export const API_TYPES = {
  api: 'AWS::ApiGatewayV2::Api',
  stage: 'AWS::ApiGatewayV2::Stage',
  route: 'AWS::ApiGatewayV2::Route',
  integration: 'AWS::ApiGatewayV2::Integration',
  routeResponse: 'AWS::ApiGatewayV2::RouteResponse',
  integrationResponse: 'AWS::ApiGatewayV2::IntegrationResponse',
  authorizer: 'AWS::ApiGatewayV2::Authorizer',
  deployment: 'AWS::ApiGatewayV2::Deployment',
} as const;

/** API Gateway's account-level throttle, what a stage setting left out falls back to. */
const ACCOUNT_THROTTLE: Throttle = { rateLimit: 10_000, burstLimit: 5_000 };

export interface WebSocketApi {
  api: ApiDescription;
  routes: RouteDescription[];
  /** routes whose integration is `AWS` (to SQS, SNS or EventBridge) */
  awsRoutes: AwsRouteDescription[];
  authorizer?: AuthorizerDescription;
  /** AWS::ApiGateway::Account's CloudWatch role, when the template sets one */
  account?: { logicalId: string; cloudWatchRoleArn: string };
  /** the resources read here (everything else of API Gateway goes to "not emulated") */
  read: Set<string>;
}

/**
 * Picks the stack's one WebSocket API (refusing a second one) and gives it the emulator's id. The
 * HTTP and REST APIs beside it are http-api-reader.ts's and rest-api-reader.ts's; a stack of those
 * alone has none (undefined), and one with no API at all is refused.
 */
export function chooseWebSocketApi(t: StackTemplate): string | undefined {
  const all = t.ofType(API_TYPES.api);
  const apis = all.filter((id) => t.property(id, 'ProtocolType') === 'WEBSOCKET');
  // HTTP or REST APIs alone: they run without one (the template reader refuses a stack none of whose APIs is served)
  const others = all.filter((id) => t.property(id, 'ProtocolType') !== 'WEBSOCKET').length + t.ofType('AWS::ApiGateway::RestApi').length;
  if (apis.length === 0 && others > 0) return undefined;
  if (apis.length === 0) throw templateError(t.file, ['Resources'], `no API: no ${API_TYPES.api} (WebSocket or HTTP) and no AWS::ApiGateway::RestApi: the emulator runs a stack's APIs and what they invoke`);
  if (apis.length > 1) throw templateError(t.file, ['Resources', apis[1]!], `a second WebSocket API (the stack has ${apis.join(', ')}): the emulator runs one`);
  t.setWebSocketApi(apis[0]!);
  return apis[0]!;
}

const apiSchema = z.object({ Name: z.string().optional(), RouteSelectionExpression: z.string() }).loose();
export const routeThrottle = z.object({ ThrottlingRateLimit: cfnNumber.optional(), ThrottlingBurstLimit: cfnNumber.optional() }).loose();
const stageSchema = z
  .object({
    StageName: z.string().min(1),
    DefaultRouteSettings: routeThrottle.optional(),
    RouteSettings: z.record(z.string(), routeThrottle).optional(),
    // both required in CloudFormation's schema when AccessLogSettings is given; checked as API Gateway checks them when the stack starts
    AccessLogSettings: accessLogSettingsSchema.optional(),
  })
  .loose();
const integrationSchema = z.object({ IntegrationType: z.string(), IntegrationUri: z.string().optional(), CredentialsArn: z.string().optional() }).loose();
const routeSchema = z
  .object({
    RouteKey: z.string(),
    Target: z.string().optional(),
    AuthorizationType: z.enum(['NONE', 'CUSTOM', 'AWS_IAM']).optional(),
    AuthorizerId: z.string().optional(),
  })
  .loose();
const routeResponseSchema = z.object({ RouteId: z.string(), RouteResponseKey: z.string() }).loose();
const authorizerSchema = z
  .object({
    AuthorizerType: z.string(),
    AuthorizerUri: z.string().optional(),
    AuthorizerCredentialsArn: z.string().optional(),
    // a list in CloudFormation's schema; older templates give one source as a string
    IdentitySource: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional(),
    Name: z.string().optional(),
  })
  .loose();

export function readWebSocketApi(t: StackTemplate, apiLogicalId: string, functionIdsByName: Map<string, string>): WebSocketApi {
  const apiId = t.ref(apiLogicalId);
  const read = new Set<string>([apiLogicalId]);
  const mine = (type: string) => t.ofType(type).filter((id) => t.property(id, 'ApiId') === apiId);
  const at = (id: string, ...path: (string | number)[]) => ['Resources', id, 'Properties', ...path];
  const api = parseProperties(t.file, apiLogicalId, apiSchema, t.properties(apiLogicalId));

  const stages = mine(API_TYPES.stage);
  if (stages.length === 0) throw templateError(t.file, ['Resources', apiLogicalId], `no ${API_TYPES.stage} for this API: a WebSocket API is reached through a stage`);
  if (stages.length > 1) throw templateError(t.file, ['Resources', stages[1]!], `a second stage of ${apiLogicalId} (it has ${stages.join(', ')}): the emulator serves one`);
  const stageId = stages[0]!;
  const stage = parseProperties(t.file, stageId, stageSchema, t.properties(stageId));
  read.add(stageId);

  // integration physical id → the function behind it, and the alias or version the URI names
  const functionOf = (id: string, property: string, uri: string | undefined): InvokedFunction => invokedFunction(t.file, at(id, property), uri, functionIdsByName);
  const integrations = new Map<string, ({ logicalId: string; credentials?: ExecutionRole } & InvokedFunction) | { logicalId: string; aws: AwsIntegration }>();
  for (const id of mine(API_TYPES.integration)) {
    const p = parseProperties(t.file, id, integrationSchema, t.properties(id));
    if (p.IntegrationType === 'AWS') {
      integrations.set(t.ref(id), { logicalId: id, aws: readAwsIntegration(t, id) });
      read.add(id);
      continue;
    }
    if (p.IntegrationType !== 'AWS_PROXY') {
      throw templateError(t.file, at(id, 'IntegrationType'), `${p.IntegrationType} integrations are not emulated: only AWS_PROXY to a Lambda function, and AWS to SQS, SNS or EventBridge`);
    }
    // the role API Gateway assumes to invoke the function, in place of the function's own AWS::Lambda::Permission
    const credentials = p.CredentialsArn === undefined ? undefined : readTemplateRole(t, p.CredentialsArn);
    integrations.set(t.ref(id), { logicalId: id, ...functionOf(id, 'IntegrationUri', p.IntegrationUri), ...(credentials ? { credentials } : {}) });
    read.add(id);
  }

  const twoWayRoutes = new Set<string>();
  for (const id of mine(API_TYPES.routeResponse)) {
    const p = parseProperties(t.file, id, routeResponseSchema, t.properties(id));
    if (p.RouteResponseKey === '$default') twoWayRoutes.add(p.RouteId);
    read.add(id);
  }

  const responses = readIntegrationResponses(t, mine(API_TYPES.integrationResponse));
  for (const id of responses.read) read.add(id);

  const authorizers = new Map<string, string>(mine(API_TYPES.authorizer).map((id) => [t.ref(id), id]));
  let authorizer: AuthorizerDescription | undefined;
  const routes: RouteDescription[] = [];
  const awsRoutes: AwsRouteDescription[] = [];
  for (const id of mine(API_TYPES.route)) {
    const p = parseProperties(t.file, id, routeSchema, t.properties(id));
    if (p.Target === undefined) throw templateError(t.file, at(id, 'Target'), `route ${p.RouteKey} has no integration (Target: integrations/<id>)`);
    const target = /^integrations\/(.+)$/.exec(p.Target)?.[1];
    const integration = target === undefined ? undefined : integrations.get(target);
    if (!integration) throw templateError(t.file, at(id, 'Target'), `${p.Target} is not an integration of this API (integrations/<id>)`);
    const authorizationType = p.AuthorizationType ?? 'NONE';
    if (authorizationType === 'CUSTOM') {
      if (p.RouteKey !== '$connect') throw templateError(t.file, at(id, 'AuthorizationType'), 'CUSTOM on a route other than $connect: a WebSocket API authorizes $connect only');
      const authorizerId = p.AuthorizerId === undefined ? undefined : authorizers.get(p.AuthorizerId);
      if (!authorizerId) throw templateError(t.file, at(id, 'AuthorizerId'), `${p.AuthorizerId ?? '(missing)'} is not an authorizer of this API`);
      authorizer = readAuthorizer(t, authorizerId, functionOf);
      read.add(authorizerId);
    }
    read.add(id);
    if ('aws' in integration) {
      const responseTemplates = responses.byIntegration.get(target!);
      awsRoutes.push({
        logicalId: id,
        routeKey: p.RouteKey,
        integrationId: integration.logicalId,
        ...integration.aws,
        twoWay: twoWayRoutes.has(t.ref(id)),
        ...(responseTemplates && Object.keys(responseTemplates).length ? { responseTemplates } : {}),
      });
      continue;
    }
    routes.push({
      logicalId: id,
      routeKey: p.RouteKey,
      functionId: integration.functionId,
      ...(integration.qualifier !== undefined ? { qualifier: integration.qualifier } : {}),
      integrationId: integration.logicalId,
      authorizationType,
      twoWay: twoWayRoutes.has(t.ref(id)),
      ...(integration.credentials ? { credentials: integration.credentials } : {}),
    });
  }
  for (const id of mine(API_TYPES.deployment)) read.add(id);
  const account = readApiGatewayAccount(t);
  if (account) read.add(account.logicalId);

  return {
    api: {
      logicalId: apiLogicalId,
      name: api.Name ?? apiLogicalId,
      routeSelectionExpression: api.RouteSelectionExpression,
      stage: {
        logicalId: stageId,
        name: stage.StageName,
        ...(throttleOf(stage.DefaultRouteSettings) ? { throttle: throttleOf(stage.DefaultRouteSettings) } : {}),
        routeThrottles: Object.fromEntries(
          Object.entries(stage.RouteSettings ?? {}).flatMap(([key, s]) => {
            const th = throttleOf(s);
            return th ? [[key, th]] : [];
          }),
        ),
        ...(stage.AccessLogSettings ? { accessLog: accessLogOf(stage.AccessLogSettings)! } : {}),
      },
    },
    routes,
    awsRoutes,
    ...(authorizer ? { authorizer } : {}),
    ...(account ? { account } : {}),
    read,
  };
}

const accountSchema = z.object({ CloudWatchRoleArn: z.string().min(1).optional() }).loose();

/** The account's API Gateway settings the template sets (AWS::ApiGateway::Account, one per region): the CloudWatch role. */
function readApiGatewayAccount(t: StackTemplate): { logicalId: string; cloudWatchRoleArn: string } | undefined {
  const ids = t.ofType('AWS::ApiGateway::Account');
  for (const id of ids) {
    const p = parseProperties(t.file, id, accountSchema, t.properties(id));
    if (p.CloudWatchRoleArn !== undefined) return { logicalId: id, cloudWatchRoleArn: p.CloudWatchRoleArn };
  }
  return undefined;
}

/** A stage's or route's throttle settings, a missing half the account's. */
export function throttleOf(s: z.infer<typeof routeThrottle> | undefined): Throttle | undefined {
  if (!s || (s.ThrottlingRateLimit === undefined && s.ThrottlingBurstLimit === undefined)) return undefined;
  return { rateLimit: s.ThrottlingRateLimit ?? ACCOUNT_THROTTLE.rateLimit, burstLimit: s.ThrottlingBurstLimit ?? ACCOUNT_THROTTLE.burstLimit };
}

function readAuthorizer(t: StackTemplate, id: string, functionOf: (id: string, property: string, uri: string | undefined) => InvokedFunction): AuthorizerDescription {
  const p = parseProperties(t.file, id, authorizerSchema, t.properties(id));
  if (p.AuthorizerType !== 'REQUEST') throw templateError(t.file, ['Resources', id, 'Properties', 'AuthorizerType'], `${p.AuthorizerType}: a WebSocket API's authorizer is a REQUEST Lambda authorizer`);
  // the role API Gateway assumes to invoke the authorizer, in place of its function's own AWS::Lambda::Permission
  const credentials = p.AuthorizerCredentialsArn === undefined ? undefined : readTemplateRole(t, p.AuthorizerCredentialsArn);
  return { logicalId: id, id: t.ref(id), name: p.Name ?? id, ...functionOf(id, 'AuthorizerUri', p.AuthorizerUri), identitySource: p.IdentitySource ?? [], ...(credentials ? { credentials } : {}) };
}
