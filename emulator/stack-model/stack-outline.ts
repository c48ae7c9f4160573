import { createHash } from 'node:crypto';
import type { ApiKeyDescription, AuthorizerDescription, EventSourceMappingDescription, HttpApiDescription, NotEmulated, RestApiDescription, RouteDescription, StackDescription, UsagePlanDescription } from './stack-description.ts';

/**
 * What the AWS APIs that describe a stack (CloudFormation's DescribeStackResources and
 * ListStackResources, API Gateway v2's GetApi, GetRoutes, GetIntegrations, GetAuthorizers) need of
 * a StackDescription: its names and ids, none of its code.
 */
export interface StackOutline {
  stackName: string;
  api?: { logicalId: string; name: string; routeSelectionExpression: string; stage: { logicalId?: string; name: string } };
  routes: ReadonlyArray<Pick<RouteDescription, 'logicalId' | 'routeKey' | 'functionId' | 'qualifier' | 'integrationId' | 'authorizationType' | 'twoWay'>>;
  authorizer?: Pick<AuthorizerDescription, 'logicalId' | 'name' | 'functionId' | 'qualifier' | 'identitySource'>;
  functions: ReadonlyArray<{ logicalId: string; name: string }>;
  tables: ReadonlyArray<{ logicalId: string; definition: { TableName: string } }>;
  parameters: ReadonlyArray<{ logicalId: string; name: string }>;
  /** the fan-out's resources (queues, topics, buses, rules, event source mappings): what ListStackResources names of a queued path */
  queues?: ReadonlyArray<{ logicalId: string; name: string; arn: string }>;
  topics?: ReadonlyArray<{ logicalId: string; arn: string; outsideStack?: true }>;
  rules?: ReadonlyArray<{ logicalId: string; name: string; busName: string }>;
  eventBuses?: ReadonlyArray<{ logicalId: string; name: string }>;
  eventSourceMappings?: ReadonlyArray<Pick<EventSourceMappingDescription, 'logicalId' | 'functionName' | 'sourceArn'>>;
  /** secrets (the stack's have a logicalId): ListStackResources names them by their ARN */
  secrets?: ReadonlyArray<{ logicalId?: string; arn: string }>;
  logGroups?: ReadonlyArray<{ logicalId: string; name: string }>;
  /** the HTTP APIs served beside the WebSocket API: ListStackResources names each, its stage, routes and integrations */
  httpApis?: ReadonlyArray<Pick<HttpApiDescription, 'logicalId' | 'id' | 'stage' | 'routes' | 'authorizers'>>;
  /** the REST APIs: ListStackResources names each, its resources and stages, and the stack's API keys and usage plans */
  restApis?: ReadonlyArray<Pick<RestApiDescription, 'logicalId' | 'id' | 'stages' | 'resources'>>;
  apiKeys?: ReadonlyArray<Pick<ApiKeyDescription, 'logicalId' | 'id'>>;
  usagePlans?: ReadonlyArray<Pick<UsagePlanDescription, 'logicalId' | 'id'>>;
  inert?: readonly NotEmulated[];
  notEmulated: readonly NotEmulated[];
  outputs: StackDescription['outputs'];
}

/** Where a stack's API is, as the emulator serves it: what GetApi, the ARNs and the URIs name. */
export interface StackPlacement {
  apiId: string;
  region: string;
  accountId: string;
  /** the WebSocket URL clients connect to, stage included (ws://127.0.0.1:P/{stage}) */
  websocketUrl: string;
}

/**
 * API Gateway's ids (routes, integrations, authorizers, deployments) are 7 characters of
 * `[a-z0-9]`. The emulator derives each from the API and the resource's logical id, so the same
 * stack answers the same ids every time it starts, and GetRoutes' `integrations/<id>` matches
 * GetIntegrations'.
 */
export function apiResourceId(apiId: string, logicalId: string): string {
  const digest = createHash('sha256').update(`${apiId}/${logicalId}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 7; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

/** Lambda's ARN of a function of the stack. */
export function functionArn(p: Pick<StackPlacement, 'region' | 'accountId'>, name: string): string {
  return `arn:aws:lambda:${p.region}:${p.accountId}:function:${name}`;
}

/** The invoke URI an AWS_PROXY integration (or a REQUEST authorizer) names its function by. */
export function lambdaInvokeUri(p: Pick<StackPlacement, 'region' | 'accountId'>, name: string): string {
  return `arn:aws:apigateway:${p.region}:lambda:path/2015-03-31/functions/${functionArn(p, name)}/invocations`;
}

/** What an integration names: the function, with the alias or version it names (`name:live`). */
export function qualifiedName(name: string, qualifier: string | undefined): string {
  return qualifier === undefined ? name : `${name}:${qualifier}`;
}

/** The physical name of a function by its logical id (a route's or the authorizer's functionId). */
export function functionNameOf(stack: StackOutline, functionId: string): string {
  return stack.functions.find((f) => f.logicalId === functionId)?.name ?? stack.functions.find((f) => f.name === functionId)?.name ?? functionId;
}

export type { AuthorizerDescription, RouteDescription };
