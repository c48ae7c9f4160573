import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { CfnRoute, WebSocketRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { CONNECT_AUTHORIZER, FUNCTION_ENV, TOKEN_IDENTITY_SOURCES, TOKEN_PARAMETER_PLACEHOLDER } from '../functions/manifest.ts';
import { stackTokenParameter } from '../functions/stack-names.ts';
import { stackScopedName } from './stack-scoped-name.ts';
import { ifThen, onlyIf, type StackShape } from './stack-shape.ts';
import { AUTHORIZER_ACTIONS, LOG_ACTIONS } from '../functions/route-access.ts';
import { AUTHORIZER_FUNCTION_DESCRIPTION, AUTHORIZER_FUNCTION_OUTPUT } from '../../common/stack-outputs.ts';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

export interface ConnectAuthorizerProps {
  /** the template's parameters and conditions: where the token goes, which parameter holds it, whether there is an authorizer at all */
  shape: StackShape;
  memoryMB?: number;
  architecture?: 'x86_64' | 'arm64';
}

/**
 * The $connect authorizer: its function (fanout-authorizer), the Parameter Store parameter it reads
 * (created with a placeholder, or an existing one by name: the AuthParameter parameter), least
 * privilege (ssm:GetParameter on that one parameter, nothing else), and the Lambda REQUEST
 * authorizer with one identity source (AuthIdentity), for the stack to put on its $connect route.
 * All of it exists only where the template's AuthOn condition holds (AuthIdentity is not `none`).
 * WebSocket APIs cannot cache authorizer results: the function runs on every handshake.
 */
export class ConnectAuthorizer extends Construct {
  readonly authorizer: WebSocketLambdaAuthorizer;
  readonly function: NodejsFunction;
  private readonly shape: StackShape;
  private readonly identitySource: string;

  constructor(scope: Construct, id: string, props: ConnectAuthorizerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const shape = (this.shape = props.shape);
    this.identitySource = ifThen(shape.tokenInQuery, TOKEN_IDENTITY_SOURCES.query, TOKEN_IDENTITY_SOURCES.header);

    // CloudFormation cannot create a SecureString, and a template must not carry the secret: unless
    // an existing parameter is named, a placeholder the authorizer refuses everyone with, until the
    // real token is put in. Named per stack (two stacks in one account must not share a token),
    // by its name rather than a Ref, so the function's environment and the output say it plainly.
    const ownName = stackTokenParameter(Aws.STACK_NAME);
    const parameter = new StringParameter(this, 'TokenParameter', {
      parameterName: ownName,
      // a path (`/fanout-bench/…`), which CDK cannot see through the stack name's token
      simpleName: false,
      stringValue: TOKEN_PARAMETER_PLACEHOLDER,
      description: 'The token fanout-authorizer expects on $connect (x-api-key header or token query parameter)',
      tier: ParameterTier.STANDARD,
    });
    const parameterName = ifThen(shape.makesTokenParameter, ownName, shape.tokenParameter.valueAsString);
    // parameter/a/b for /a/b: Parameter Store's ARN of a hierarchical name has no double slash
    const parameterArn = ifThen(shape.makesTokenParameter, parameter.parameterArn, `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${shape.tokenParameter.valueAsString}`);

    const functionName = stackScopedName(this, CONNECT_AUTHORIZER.name);
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own, no managed policy (AWSLambdaBasicExecutionRole would allow every log
    // group): exactly the one call the function makes, on exactly its parameter, and its own logs.
    // A SecureString under the AWS managed key (aws/ssm) needs nothing more; under a key of your
    // own, grant kms:Decrypt on it.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: [...AUTHORIZER_ACTIONS], resources: [parameterArn] }));
    role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...LOG_ACTIONS], resources: [logGroup.logGroupArn] }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(functionsDir, CONNECT_AUTHORIZER.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: props.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: props.memoryMB ?? CONNECT_AUTHORIZER.memoryMB,
      timeout: Duration.seconds(CONNECT_AUTHORIZER.timeoutSeconds),
      functionName,
      role,
      logGroup,
      environment: {
        [FUNCTION_ENV.tokenParameter]: parameterName,
        POWERTOOLS_SERVICE_NAME: 'fanout-chat',
        POWERTOOLS_METRICS_NAMESPACE: 'FanoutBench',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        bundleAwsSDK: true,
        minify: true,
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });

    shape.runsOnNodeRuntime(this.function);

    this.authorizer = new WebSocketLambdaAuthorizer('ConnectAuthorizer', this.function, {
      authorizerName: 'fanout-connect-authorizer',
      identitySource: [this.identitySource],
    });

    onlyIf(shape.authOn, this);
    onlyIf(shape.makesTokenParameter, parameter);

    // AuthorizerFunction is part of the outputs contract (`--target aws:<stackName>` reads it).
    const condition = shape.authOn;
    new CfnOutput(stack, AUTHORIZER_FUNCTION_OUTPUT, { value: this.function.functionName, description: AUTHORIZER_FUNCTION_DESCRIPTION, condition });
    new CfnOutput(stack, 'AuthTokenParameter', { value: parameterName, description: 'Parameter Store parameter holding the $connect token', condition });
    new CfnOutput(stack, 'AuthIdentitySource', { value: this.identitySource, description: 'Where clients put the $connect token', condition });
  }

  /**
   * Puts the authorizer on the $connect route where AuthOn holds, and leaves the route open where
   * it does not: the authorizer and its invoke permission, which the CDK makes in the API when the
   * route is added, are made conditional with it.
   */
  guard(route: WebSocketRoute): void {
    const api = route.webSocketApi as unknown as Construct;
    const made = api.node.children.filter((c) => c.node.id === 'ConnectAuthorizer' || c.node.id.endsWith('-Permission'));
    if (made.length !== 2) throw new Error(`expected the authorizer and its permission in the API, found ${made.map((c) => c.node.id).join(', ')}`);
    onlyIf(this.shape.authOn, ...made);
    const cfn = route.node.defaultChild as CfnRoute;
    cfn.authorizationType = ifThen(this.shape.authOn, 'CUSTOM', 'NONE');
    cfn.authorizerId = ifThen(this.shape.authOn, cfn.authorizerId!, Aws.NO_VALUE);
  }
}
