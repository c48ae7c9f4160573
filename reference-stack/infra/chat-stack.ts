import { CfnOutput, RemovalPolicy, Stack, type CfnCondition, type StackProps } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage, type WebSocketRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, type TableProps } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CONNECT_AUTHORIZER, DEFAULT_STAGE_THROTTLE, FUNCTION_ENV, FUNCTIONS, ROUTE_SELECTION_EXPRESSION, type FunctionSpec } from '../functions/manifest.ts';
import { BY_CONNECTION_INDEX, TABLE_DEFAULT_NAMES, tableDefinitions } from '../functions/shared/tables.ts';
import { ConnectAuthorizer } from './connect-authorizer.ts';
import { ROUTE_FUNCTION_OUTPUTS, routeFunctionDescription, STACK_OUTPUTS, type ChatRoute, type StackOutputKey } from '../../common/stack-outputs.ts';
import { createNodeFunction } from './node-function.ts';
import { invokedFunction } from './provisioned-alias.ts';
import { grantRouteAccess } from './route-access.ts';
import { PushPath } from './push-path.ts';
import { stackScopedName } from './stack-scoped-name.ts';
import { onlyIf, StackShape, type ShapeDefaults } from './stack-shape.ts';
import { ROUTE_ACCESS, type TableKey } from '../functions/route-access.ts';


/**
 * What the app's context chooses. Memory, architecture, throttling and metrics are written into
 * the template; the stage, broadcast, auth and push settings are the defaults of its parameters
 * (stack-shape.ts), which a deploy or the emulator may set otherwise.
 */
export interface ChatStackProps extends StackProps, ShapeDefaults {
  /** Memory for every function (MB); per-function overrides win. */
  memoryMB?: number;
  memoryByFunction?: Record<string, number>;
  architecture?: 'x86_64' | 'arm64';
  /** Stage-level throttling of inbound messages ($connect included); default DEFAULT_STAGE_THROTTLE (manifest.ts). */
  throttle?: { rateLimit: number; burstLimit: number };
  /**
   * Per-route API Gateway metrics (AWS documents their dimensions as ApiId, Method, Resource,
   * Stage), so the harness pulls each route's latency and errors. On by default; they are billed
   * as custom CloudWatch metrics.
   */
  detailedMetrics?: boolean;
}

/**
 * Same bundling the emulator does: one ESM file per handler, SDK included so the measured INIT
 * matches what runs locally.
 */
const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  bundleAwsSDK: true,
  minify: true,
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
};

/** What every function of the stack gets: the tables, how long a post may take, Powertools' names. */
function sharedEnvironment(tables: Record<TableKey, Table>, shape: StackShape): Record<string, string> {
  return {
    [FUNCTION_ENV.connectionsTable]: tables.connections.tableName,
    [FUNCTION_ENV.roomMembersTable]: tables.roomMembers.tableName,
    [FUNCTION_ENV.messagesTable]: tables.messages.tableName,
    [FUNCTION_ENV.postTimeoutMs]: shape.postTimeoutMs.valueAsString,
    POWERTOOLS_SERVICE_NAME: 'fanout-chat',
    POWERTOOLS_METRICS_NAMESPACE: 'FanoutBench',
  };
}

/** The route kept only on request (see ChatStackProps.broadcast). */
const OPT_IN_ROUTES = new Set(['broadcast']);

/**
 * The reference chat stack: three tables, one function per route, a WebSocket API and stage. The
 * functions, tables and log groups are named after the stack (stack-names.ts), so stacks of other
 * names deploy beside it in one account and region. Its shape (auth, push, broadcast, stage) is
 * the template's parameters (stack-shape.ts): one template for every name and shape.
 */
export class ChatStack extends Stack {
  constructor(scope: Construct, id: string, props: ChatStackProps = {}) {
    super(scope, id, props);
    const shape = new StackShape(this, props);
    const stageName = shape.stageName.valueAsString;

    const tables = this.createTables();
    const api = new WebSocketApi(this, 'ChatApi', { routeSelectionExpression: ROUTE_SELECTION_EXPRESSION });
    const throttle = props.throttle ?? DEFAULT_STAGE_THROTTLE;
    const stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: api,
      stageName,
      autoDeploy: true,
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      detailedMetricsEnabled: props.detailedMetrics ?? true,
    });

    const authMemory = props.memoryByFunction?.[CONNECT_AUTHORIZER.name] ?? props.memoryMB;
    const auth = new ConnectAuthorizer(this, 'Auth', { shape, memoryMB: authMemory, architecture: props.architecture });
    const functionOutputs: Array<[ChatRoute, string, CfnCondition | undefined]> = [];
    for (const spec of FUNCTIONS) {
      const condition = OPT_IN_ROUTES.has(spec.route) ? shape.withBroadcast : undefined;
      const access = ROUTE_ACCESS[spec.route];
      if (!access) throw new Error(`no IAM access declared for route ${spec.route}`);
      const logGroup = new LogGroup(this, `${spec.name}-logs`, {
        logGroupName: `/aws/lambda/${stackScopedName(this, spec.name)}`,
        retention: RetentionDays.ONE_WEEK,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // A role of its own, no managed policy: route-access.ts adds exactly what the handler calls
      // (functions/route-access.ts, which the emulator enforces too).
      const role = new Role(this, `${spec.name}-role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      grantRouteAccess(role, access, { tables, api, stageName, logGroup });
      const fn = createNodeFunction(this, spec, {
        ...props,
        role,
        logGroup,
        environment: { ...sharedEnvironment(tables, shape), [FUNCTION_ENV.callbackUrl]: stage.callbackUrl },
        bundling: BUNDLING,
        shape,
      });

      const integration = new WebSocketLambdaIntegration(`${spec.name}-integration`, invokedFunction(this, fn, spec.route, shape));
      let route: WebSocketRoute;
      if (spec.route === '$connect') auth.guard((route = api.addRoute('$connect', { integration, authorizer: auth.authorizer })));
      else if (spec.route === '$disconnect') route = api.addRoute('$disconnect', { integration });
      else route = api.addRoute(spec.route, { integration, returnResponse: spec.returnResponse });
      if (condition) onlyIf(condition, logGroup, role, fn, route);
      functionOutputs.push([spec.route as ChatRoute, fn.functionName, condition]);
    }

    new PushPath(this, 'Push', {
      shape,
      tables,
      api,
      stageName,
      callbackUrl: stage.callbackUrl,
      environment: sharedEnvironment(tables, shape),
      memoryMB: props.memoryMB,
      memoryByFunction: props.memoryByFunction,
      architecture: props.architecture,
      bundling: BUNDLING,
    });

    // The outputs `--target aws:<stackName>` reads, exactly as the contract lists them.
    const outputs: Record<StackOutputKey, string> = {
      WebSocketUrl: stage.url,
      CallbackUrl: stage.callbackUrl,
      ApiId: api.apiId,
      StageName: stageName,
      Region: this.region,
      ConnectionsTable: tables.connections.tableName,
      RoomMembersTable: tables.roomMembers.tableName,
      MessagesTable: tables.messages.tableName,
    };
    for (const [key, value] of Object.entries(outputs) as Array<[StackOutputKey, string]>) {
      new CfnOutput(this, key, { value, description: STACK_OUTPUTS[key] });
    }
    for (const [route, name, condition] of functionOutputs) {
      const key = ROUTE_FUNCTION_OUTPUTS[route];
      if (!key) throw new Error(`route ${route} has no output in common/stack-outputs.ts`);
      new CfnOutput(this, key, { value: name, description: routeFunctionDescription(route), ...(condition ? { condition } : {}) });
    }
  }

  private createTables(): Record<TableKey, Table> {
    const defs = tableDefinitions();
    const byName = (name: string) => {
      const def = defs.find((d) => d.TableName === name);
      if (!def) throw new Error(`table ${name} is not defined in tables.ts`);
      return def;
    };
    const keyType = (name: string, def: ReturnType<typeof byName>) => {
      const attr = def.AttributeDefinitions?.find((a) => a.AttributeName === name);
      return attr?.AttributeType === 'N' ? AttributeType.NUMBER : AttributeType.STRING;
    };
    const result = {} as Record<TableKey, Table>;
    for (const key of Object.keys(TABLE_DEFAULT_NAMES) as TableKey[]) {
      const def = byName(TABLE_DEFAULT_NAMES[key]);
      const hash = def.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName!;
      const range = def.KeySchema!.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      const tableProps: TableProps = {
        // Named like the emulator's tables of the same stack name (the stack's outputs name them too).
        tableName: stackScopedName(this, TABLE_DEFAULT_NAMES[key]),
        partitionKey: { name: hash, type: keyType(hash, def) },
        sortKey: range ? { name: range, type: keyType(range, def) } : undefined,
        billingMode: BillingMode.PAY_PER_REQUEST,
        // A benchmark stack is disposable: `cdk destroy` must leave nothing billed behind.
        removalPolicy: RemovalPolicy.DESTROY,
      };
      const table = new Table(this, `${key}Table`, tableProps);
      for (const gsi of def.GlobalSecondaryIndexes ?? []) {
        const gHash = gsi.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName!;
        const gRange = gsi.KeySchema!.find((k) => k.KeyType === 'RANGE')?.AttributeName;
        table.addGlobalSecondaryIndex({
          indexName: gsi.IndexName!,
          partitionKey: { name: gHash, type: keyType(gHash, def) },
          sortKey: gRange ? { name: gRange, type: keyType(gRange, def) } : undefined,
          projectionType: gsi.Projection?.ProjectionType === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
        });
      }
      result[key] = table;
    }
    if (!defs.some((d) => d.GlobalSecondaryIndexes?.some((g) => g.IndexName === BY_CONNECTION_INDEX))) {
      throw new Error(`index ${BY_CONNECTION_INDEX} missing from tables.ts`);
    }
    return result;
  }
}
