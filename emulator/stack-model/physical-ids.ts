import { generatedApiGatewayId, generatedCharacters, generatedName, generatedShortId, generatedSuffix, resourceUuid } from './physical-names.ts';
import { generatedSecretName, secretArn } from './secretsmanager-secret-reader.ts';

/**
 * What `Ref` and `Fn::GetAtt` give for a resource once "deployed": its physical id and its
 * attributes, as each AWS type documents them (a Lambda function's Ref is its name, a table's Arn
 * `arn:aws:dynamodb:{region}:{account}:table/{name}`, a WebSocket API's ApiEndpoint
 * `wss://{apiId}.execute-api.{region}.amazonaws.com`). Types the emulator does not run still get
 * an id and an ARN of the documented shape, so a value that only passes through (a role's ARN in
 * a function's settings) resolves.
 */
export interface PhysicalIdContext {
  stackName: string;
  region: string;
  accountId: string;
  partition: string;
  urlSuffix: string;
  /** the id the emulator gives the stack's WebSocket API */
  apiId: string;
  /** the WebSocket API's logical id (other APIs get ids of their own) */
  apiLogicalId: string | undefined;
  /** a property of the resource, intrinsics resolved; undefined when absent */
  property(name: string): unknown;
  /** an AWS::Lambda::Version's number: its place among its function's versions, in template order */
  versionNumber(): number;
}

/** Name limits of the types CloudFormation names (its documented maxima). */
const NAME_LIMITS: Record<string, number> = {
  'AWS::Lambda::Function': 64,
  'AWS::DynamoDB::Table': 255,
  'AWS::IAM::Role': 64,
  'AWS::IAM::Policy': 128,
  'AWS::Logs::LogGroup': 512,
  'AWS::SQS::Queue': 80,
  'AWS::SNS::Topic': 256,
  'AWS::S3::Bucket': 63,
  'AWS::Lambda::LayerVersion': 140,
  'AWS::Events::Rule': 64,
  'AWS::Events::EventBus': 256,
};

/** The property that names a resource of each type, when the template names it. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::Policy': 'PolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::ApiGatewayV2::Stage': 'StageName',
  'AWS::ApiGateway::Stage': 'StageName',
  'AWS::ApiGateway::RestApi': 'Name',
  'AWS::ApiGateway::ApiKey': 'Name',
  'AWS::ApiGateway::UsagePlan': 'UsagePlanName',
  'AWS::Lambda::LayerVersion': 'LayerName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
};

/** An API's Ref is its 10-character id, whichever kind (SAM's own types are listed untransformed when not run). */
const API_ID_TYPES = new Set(['AWS::ApiGatewayV2::Api', 'AWS::ApiGateway::RestApi', 'AWS::Serverless::HttpApi', 'AWS::Serverless::Api']);

const SHORT_ID_TYPES = new Set([
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Deployment',
  'AWS::ApiGatewayV2::RouteResponse',
  'AWS::ApiGatewayV2::IntegrationResponse',
  'AWS::ApiGatewayV2::Model',
]);

/** A REST API's (API Gateway v1) parts: their Ref is an id of API Gateway's, of this length. */
const REST_ID_LENGTHS: Record<string, number> = {
  'AWS::ApiGateway::Resource': 10,
  'AWS::ApiGateway::ApiKey': 10,
  'AWS::ApiGateway::Authorizer': 6,
  'AWS::ApiGateway::Deployment': 6,
  'AWS::ApiGateway::UsagePlan': 6,
};

/** An API key API Gateway generates is 40 letters and digits. */
export const GENERATED_API_KEY_LENGTH = 40;
const API_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The value API Gateway would generate for an API key the template gives none: alike on every run of the stack. */
export function generatedApiKeyValue(stackName: string, logicalId: string): string {
  // a digest holds 32 characters' worth: two halves
  const half = GENERATED_API_KEY_LENGTH / 2;
  return generatedCharacters(half, API_KEY_ALPHABET, 'api-key-value', stackName, logicalId) + generatedCharacters(half, API_KEY_ALPHABET, 'api-key-value-2', stackName, logicalId);
}

const FIFO_SUFFIX = '.fifo';

/** The resource's name: the template's, or the one CloudFormation would generate. */
export function physicalName(type: string, logicalId: string, ctx: PhysicalIdContext): string {
  const property = NAME_PROPERTIES[type];
  const given = property ? ctx.property(property) : undefined;
  if (typeof given === 'string' && given !== '') return given;
  if (type === 'AWS::SSM::Parameter') return `CFN-${logicalId}-${generatedSuffix(ctx.stackName, logicalId)}`;
  if (type === 'AWS::SecretsManager::Secret') return generatedSecretName(ctx.stackName, logicalId);
  // bucket names are lowercase
  if (type === 'AWS::S3::Bucket') return generatedName(ctx.stackName, logicalId, 63).toLowerCase();
  // a FIFO queue's or topic's name ends in `.fifo`, the generated one too, within the type's limit
  const fifo = type === 'AWS::SQS::Queue' ? ctx.property('FifoQueue') : type === 'AWS::SNS::Topic' ? ctx.property('FifoTopic') : undefined;
  if (fifo === true || fifo === 'true') return `${generatedName(ctx.stackName, logicalId, NAME_LIMITS[type]! - FIFO_SUFFIX.length)}${FIFO_SUFFIX}`;
  return generatedName(ctx.stackName, logicalId, NAME_LIMITS[type] ?? 128);
}

export function physicalRef(type: string, logicalId: string, ctx: PhysicalIdContext): string {
  const arn = arnPrefix(ctx);
  if (API_ID_TYPES.has(type)) return logicalId === ctx.apiLogicalId ? ctx.apiId : generatedShortId(ctx.stackName, logicalId).padEnd(10, '0');
  if (SHORT_ID_TYPES.has(type)) return generatedShortId(ctx.stackName, logicalId);
  const restIdLength = REST_ID_LENGTHS[type];
  if (restIdLength !== undefined) return generatedApiGatewayId(ctx.stackName, logicalId, restIdLength);
  const name = physicalName(type, logicalId, ctx);
  switch (type) {
    case 'AWS::SQS::Queue':
      return `https://sqs.${ctx.region}.${ctx.urlSuffix}/${ctx.accountId}/${name}`;
    case 'AWS::SNS::Topic':
      return `${arn('sns')}:${name}`;
    case 'AWS::SecretsManager::Secret':
      return secretArn(ctx.region, ctx.accountId, name);
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${ctx.partition}:iam::${ctx.accountId}:policy/${name}`;
    case 'AWS::Lambda::LayerVersion':
      // the layer version's ARN; the stack's first deploy makes version 1
      return `${arn('lambda')}:layer:${name}:1`;
    case 'AWS::Events::Rule': {
      // a rule on a custom bus is named with its bus (`bus|rule`), as CloudFormation returns it
      const bus = busNameOf(ctx.property('EventBusName'));
      return bus === 'default' ? name : `${bus}|${name}`;
    }
    case 'AWS::SNS::Subscription':
      return `${String(ctx.property('TopicArn'))}:${resourceUuid(ctx.stackName, logicalId)}`;
    case 'AWS::Lambda::EventSourceMapping':
      return resourceUuid(ctx.stackName, logicalId);
    case 'AWS::Lambda::Version':
      // the version's ARN
      return `${arn('lambda')}:function:${lambdaNameOf(ctx.property('FunctionName'))}:${ctx.versionNumber()}`;
    case 'AWS::Lambda::Alias':
      // the alias's ARN
      return `${arn('lambda')}:function:${lambdaNameOf(ctx.property('FunctionName'))}:${String(ctx.property('Name'))}`;
    case 'AWS::ApplicationAutoScaling::ScalableTarget':
      // the three that identify a scalable target
      return `${String(ctx.property('ResourceId'))}|${String(ctx.property('ScalableDimension'))}|${String(ctx.property('ServiceNamespace'))}`;
    default:
      return name;
  }
}

const LAMBDA_NAME = /(?:^|:function:)([^:]+)(?::([^:]+))?$/;

/** What FunctionName takes (a name, a partial ARN `name:qualifier` or `123:function:name`, an ARN) → the function's name. */
export function lambdaNameOf(value: unknown): string {
  const s = String(value);
  return LAMBDA_NAME.exec(s)?.[1] ?? s;
}

/** The alias or version such a value names, if any (`$LATEST` is none). */
export function lambdaQualifierOf(value: unknown): string | undefined {
  const q = LAMBDA_NAME.exec(String(value))?.[2];
  return q === '$LATEST' ? undefined : q;
}

/** Fn::GetAtt; undefined when the type has no such attribute. */
export function physicalAttribute(type: string, logicalId: string, attribute: string, ctx: PhysicalIdContext): unknown {
  const arn = arnPrefix(ctx);
  const ref = () => physicalRef(type, logicalId, ctx);
  const name = () => physicalName(type, logicalId, ctx);
  switch (type) {
    case 'AWS::Lambda::Function':
      if (attribute === 'Arn') return `${arn('lambda')}:function:${name()}`;
      if (attribute === 'SnapStartResponse.ApplyOn') return (ctx.property('SnapStart') as { ApplyOn?: unknown } | undefined)?.ApplyOn ?? 'None';
      if (attribute === 'SnapStartResponse.OptimizationStatus') return 'Off';
      return undefined;
    case 'AWS::DynamoDB::Table': {
      const tableArn = `${arn('dynamodb')}:table/${name()}`;
      if (attribute === 'Arn') return tableArn;
      // the stream's label is its creation time; the emulator's tables are created at the epoch
      if (attribute === 'StreamArn') return `${tableArn}/stream/1970-01-01T00:00:00.000`;
      return undefined;
    }
    case 'AWS::ApiGatewayV2::Api': {
      const id = ref();
      if (attribute === 'ApiId') return id;
      if (attribute === 'ApiEndpoint') {
        const scheme = ctx.property('ProtocolType') === 'WEBSOCKET' ? 'wss' : 'https';
        return `${scheme}://${id}.execute-api.${ctx.region}.${ctx.urlSuffix}`;
      }
      return undefined;
    }
    case 'AWS::ApiGateway::RestApi':
      if (attribute === 'RestApiId') return ref();
      // the root resource (`/`) API Gateway makes with the API
      if (attribute === 'RootResourceId') return generatedApiGatewayId(ctx.stackName, `${logicalId}/`, 10);
      return undefined;
    case 'AWS::ApiGateway::Resource':
      return attribute === 'ResourceId' ? ref() : undefined;
    case 'AWS::ApiGateway::Authorizer':
      return attribute === 'AuthorizerId' ? ref() : undefined;
    case 'AWS::ApiGateway::Deployment':
      return attribute === 'DeploymentId' ? ref() : undefined;
    case 'AWS::ApiGateway::ApiKey':
      return attribute === 'APIKeyId' ? ref() : undefined;
    case 'AWS::ApiGateway::UsagePlan':
      return attribute === 'Id' ? ref() : undefined;
    case 'AWS::ApiGatewayV2::Route':
      return attribute === 'RouteId' ? ref() : undefined;
    case 'AWS::ApiGatewayV2::Integration':
      return attribute === 'IntegrationId' ? ref() : undefined;
    case 'AWS::ApiGatewayV2::Authorizer':
      return attribute === 'AuthorizerId' ? ref() : undefined;
    case 'AWS::ApiGatewayV2::Deployment':
      return attribute === 'DeploymentId' ? ref() : undefined;
    case 'AWS::ApiGatewayV2::RouteResponse':
      return attribute === 'RouteResponseId' ? ref() : undefined;
    case 'AWS::SSM::Parameter':
      if (attribute === 'Value') return ctx.property('Value');
      if (attribute === 'Type') return ctx.property('Type');
      return undefined;
    case 'AWS::SecretsManager::Secret':
      // Id is the secret's ARN, as Ref
      return attribute === 'Id' ? ref() : undefined;
    case 'AWS::IAM::Role':
      if (attribute === 'Arn') return `arn:${ctx.partition}:iam::${ctx.accountId}:role${pathOf(ctx.property('Path'))}${name()}`;
      if (attribute === 'RoleId') return `AROA${generatedSuffix(ctx.stackName, logicalId)}`;
      return undefined;
    case 'AWS::Logs::LogGroup':
      return attribute === 'Arn' ? `${arn('logs')}:log-group:${name()}:*` : undefined;
    case 'AWS::SQS::Queue':
      if (attribute === 'Arn') return `${arn('sqs')}:${name()}`;
      if (attribute === 'QueueName') return name();
      if (attribute === 'QueueUrl') return ref();
      return undefined;
    case 'AWS::SNS::Topic':
      if (attribute === 'TopicArn') return ref();
      if (attribute === 'TopicName') return name();
      return undefined;
    case 'AWS::Events::Rule': {
      const bus = busNameOf(ctx.property('EventBusName'));
      if (attribute === 'Arn') return `${arn('events')}:rule/${bus === 'default' ? '' : `${bus}/`}${name()}`;
      return undefined;
    }
    case 'AWS::Events::EventBus':
      if (attribute === 'Arn') return `${arn('events')}:event-bus/${name()}`;
      if (attribute === 'Name') return name();
      return undefined;
    case 'AWS::SNS::Subscription':
      return attribute === 'Arn' ? ref() : undefined;
    case 'AWS::Lambda::Version':
      if (attribute === 'Version') return String(ctx.versionNumber());
      if (attribute === 'FunctionArn') return ref();
      return undefined;
    case 'AWS::Lambda::Alias':
      return attribute === 'AliasArn' ? ref() : undefined;
    case 'AWS::Lambda::EventSourceMapping':
      if (attribute === 'Id') return ref();
      if (attribute === 'EventSourceMappingArn') return `${arn('lambda')}:event-source-mapping:${ref()}`;
      return undefined;
    case 'AWS::S3::Bucket':
      if (attribute === 'Arn') return `arn:${ctx.partition}:s3:::${name()}`;
      if (attribute === 'DomainName') return `${name()}.s3.${ctx.urlSuffix}`;
      if (attribute === 'RegionalDomainName') return `${name()}.s3.${ctx.region}.${ctx.urlSuffix}`;
      return undefined;
    default:
      // a type the emulator does not run: an ARN of the usual shape, any other attribute by name
      if (attribute === 'Arn') return `${arn(serviceOf(type))}:${logicalId.toLowerCase()}/${ref()}`;
      if (attribute === 'Name') return name();
      return `${ref()}.${attribute}`;
  }
}

/** EventBusName is a bus's name or ARN; absent, the account's `default` bus. */
export function busNameOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'default';
  return /:event-bus\/(.+)$/.exec(value)?.[1] ?? value;
}

function arnPrefix(ctx: PhysicalIdContext): (service: string) => string {
  return (service) => `arn:${ctx.partition}:${service}:${ctx.region}:${ctx.accountId}`;
}

function serviceOf(type: string): string {
  return (type.split('::')[1] ?? 'unknown').toLowerCase();
}

function pathOf(path: unknown): string {
  return typeof path === 'string' && path.startsWith('/') ? path : '/';
}
