/**
 * The AWS managed policies WebSocket stacks attach, as the IAM managed policy reference publishes
 * their default versions (docs/aws-facts.md records each version and where it was read). Keyed by
 * the ARN's path and name after `policy/` (`service-role/AWSLambdaBasicExecutionRole`). Where a
 * document also grants services the emulator does not serve, those statements are kept as
 * published: they never match a call made here.
 */
export interface ManagedPolicy {
  version: string;
  document: { Version: string; Statement: unknown[] };
}

const LOGS_WRITE = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

export const AWS_MANAGED_POLICIES: Readonly<Record<string, ManagedPolicy>> = {
  AdministratorAccess: { version: 'v1', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) },
  AmazonAPIGatewayInvokeFullAccess: {
    version: 'v2',
    document: doc({ Effect: 'Allow', Action: ['execute-api:Invoke', 'execute-api:ManageConnections'], Resource: 'arn:aws:execute-api:*:*:*' }),
  },
  AmazonAPIGatewayAdministrator: { version: 'v1', document: doc({ Effect: 'Allow', Action: ['apigateway:*'], Resource: 'arn:aws:apigateway:*::/*' }) },
  // v15 also grants application-autoscaling, cloudwatch, datapipeline, ec2, iam, kms, lambda, sns and
  // resource-groups actions for the console; none is a call a function makes here
  AmazonDynamoDBFullAccess: { version: 'v15', document: doc({ Effect: 'Allow', Action: ['dynamodb:*', 'dax:*'], Resource: '*' }) },
  // v15's GeneralReadOnlyAccess statement, its DynamoDB and DAX actions (the rest are console reads)
  AmazonDynamoDBReadOnlyAccess: {
    version: 'v15',
    document: doc({
      Effect: 'Allow',
      Action: [
        'dynamodb:BatchGetItem', 'dynamodb:Describe*', 'dynamodb:List*', 'dynamodb:GetAbacStatus', 'dynamodb:GetItem', 'dynamodb:GetResourcePolicy',
        'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:PartiQLSelect', 'dax:Describe*', 'dax:List*', 'dax:GetItem', 'dax:BatchGetItem', 'dax:Query', 'dax:Scan',
      ],
      Resource: '*',
    }),
  },
  'service-role/AWSLambdaBasicExecutionRole': { version: 'v1', document: doc({ Effect: 'Allow', Action: LOGS_WRITE, Resource: '*' }) },
  'service-role/AWSLambdaDynamoDBExecutionRole': {
    version: 'v1',
    document: doc({ Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', ...LOGS_WRITE], Resource: '*' }),
  },
  // what SAM attaches for a function's SQS event; the pollers' three reads and the logs (the version was not read from the reference)
  'service-role/AWSLambdaSQSQueueExecutionRole': {
    version: 'unverified',
    document: doc({ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', ...LOGS_WRITE], Resource: '*' }),
  },
  'service-role/AWSLambdaVPCAccessExecutionRole': {
    version: 'v3',
    document: doc({
      Effect: 'Allow',
      Action: [...LOGS_WRITE, 'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    }),
  },
  AWSLambdaExecute: {
    version: 'v1',
    document: doc({ Effect: 'Allow', Action: ['logs:*'], Resource: 'arn:aws:logs:*:*:*' }, { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::*' }),
  },
  // v2: Lambda whole, the reads the console makes, PassRole to Lambda (with its condition) and the functions' own logs
  AWSLambda_FullAccess: {
    version: 'v2',
    document: doc(
      {
        Effect: 'Allow',
        Action: [
          'cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudwatch:ListMetrics', 'cloudwatch:GetMetricData', 'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'kms:ListAliases', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:GetRole', 'iam:GetRolePolicy',
          'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:ListRoles', 'lambda:*', 'logs:DescribeLogGroups', 'states:DescribeStateMachine',
          'states:ListStateMachines', 'tag:GetResources', 'xray:GetTraceSummaries', 'xray:BatchGetTraces',
        ],
        Resource: '*',
      },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } },
      { Effect: 'Allow', Action: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartLiveTail', 'logs:StopLiveTail'], Resource: 'arn:aws:logs:*:*:log-group:/aws/lambda/*' },
    ),
  },
  // the logs actions; the version was not read from the reference (docs/aws-facts.md says so)
  CloudWatchLogsFullAccess: { version: 'unverified', document: doc({ Effect: 'Allow', Action: ['logs:*'], Resource: '*' }) },
  AmazonSSMReadOnlyAccess: { version: 'v1', document: doc({ Effect: 'Allow', Action: ['ssm:Describe*', 'ssm:Get*', 'ssm:List*'], Resource: '*' }) },
};

function doc(...statements: unknown[]): ManagedPolicy['document'] {
  return { Version: '2012-10-17', Statement: statements };
}

/** SAM writes a bare name as `arn:<partition>:iam::aws:policy/<name>`; the service-role ones live under their path. */
export function managedPolicyKey(nameOrArn: string): string {
  const m = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(nameOrArn);
  if (m) return m[1]!;
  if (AWS_MANAGED_POLICIES[nameOrArn]) return nameOrArn;
  return AWS_MANAGED_POLICIES[`service-role/${nameOrArn}`] ? `service-role/${nameOrArn}` : nameOrArn;
}

/** Whether an ARN names an AWS managed policy (account `aws`). */
export function isAwsManagedArn(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}
