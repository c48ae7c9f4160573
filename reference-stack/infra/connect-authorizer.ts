import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  CONNECT_AUTHORIZER,
  DEFAULT_TOKEN_IDENTITY,
  FUNCTION_ENV,
  TOKEN_IDENTITY_SOURCES,
  TOKEN_PARAMETER_PLACEHOLDER,
  type TokenIdentity,
} from '../functions/manifest.ts';
import { stackTokenParameter } from '../functions/stack-names.ts';
import { stackScopedName } from './stack-scoped-name.ts';
import { AUTHORIZER_ACTIONS, LOG_ACTIONS } from '../functions/route-access.ts';
import { AUTHORIZER_FUNCTION_DESCRIPTION, AUTHORIZER_FUNCTION_OUTPUT } from '../../common/stack-outputs.ts';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

export interface ConnectAuthorizerProps {
  /** Where clients put the token: the `x-api-key` header (default) or the `token` query parameter. */
  identity?: TokenIdentity;
  /**
   * An existing Parameter Store parameter holding the token (a SecureString you created: the
   * stack only reads it). Without one the stack creates a String parameter holding a placeholder,
   * which denies every connection until the real token is put in it.
   */
  parameterName?: string;
  memoryMB?: number;
  architecture?: 'x86_64' | 'arm64';
}

/**
 * The $connect authorizer: its function (fanout-authorizer), the Parameter Store parameter it reads
 * (created with a placeholder, or an existing one by name), least privilege (ssm:GetParameter on
 * that one parameter, nothing else), and the Lambda REQUEST authorizer with one identity source,
 * for the stack to put on its $connect route. WebSocket APIs cannot cache authorizer results: the
 * function runs on every handshake.
 */
export class ConnectAuthorizer extends Construct {
  readonly authorizer: WebSocketLambdaAuthorizer;
  readonly function: NodejsFunction;
  readonly parameterName: string;
  readonly identitySource: string;

  constructor(scope: Construct, id: string, props: ConnectAuthorizerProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.identitySource = TOKEN_IDENTITY_SOURCES[props.identity ?? DEFAULT_TOKEN_IDENTITY];

    let parameterArn: string;
    if (props.parameterName) {
      this.parameterName = props.parameterName;
      // parameter/a/b for /a/b: Parameter Store's ARN of a hierarchical name has no double slash
      parameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: props.parameterName.replace(/^\//, '') });
    } else {
      // CloudFormation cannot create a SecureString, and a template must not carry the secret:
      // a placeholder the authorizer refuses everyone with, until the real token is put in.
      // Named per stack (two stacks in one account must not share a token), as a literal so the
      // function's environment and the stack output say it plainly.
      const name = stackTokenParameter(Aws.STACK_NAME);
      const parameter = new StringParameter(this, 'TokenParameter', {
        parameterName: name,
        // a path (`/fanout-bench/…`), which CDK cannot see through the stack name's token
        simpleName: false,
        stringValue: TOKEN_PARAMETER_PLACEHOLDER,
        description: 'The token fanout-authorizer expects on $connect (x-api-key header or token query parameter)',
        tier: ParameterTier.STANDARD,
      });
      this.parameterName = name;
      parameterArn = parameter.parameterArn;
    }

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
        [FUNCTION_ENV.tokenParameter]: this.parameterName,
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

    this.authorizer = new WebSocketLambdaAuthorizer('ConnectAuthorizer', this.function, {
      authorizerName: 'fanout-connect-authorizer',
      identitySource: [this.identitySource],
    });

    // AuthorizerFunction is part of the outputs contract (`--target aws:<stackName>` reads it).
    new CfnOutput(stack, AUTHORIZER_FUNCTION_OUTPUT, { value: this.function.functionName, description: AUTHORIZER_FUNCTION_DESCRIPTION });
    new CfnOutput(stack, 'AuthTokenParameter', { value: this.parameterName, description: 'Parameter Store parameter holding the $connect token' });
    new CfnOutput(stack, 'AuthIdentitySource', { value: this.identitySource, description: 'Where clients put the $connect token' });
  }
}
