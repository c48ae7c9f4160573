/**
 * SAM's policy templates that WebSocket stacks use (`Policies: [{DynamoDBCrudPolicy: {TableName:
 * …}}]`), as the SAM translator's published policy_templates.json defines them: each the
 * statements it expands to, given its parameters (intrinsics already resolved) and where the stack
 * runs. A template not here is named once at start and grants nothing offline.
 */
export interface TemplateContext {
  partition: string;
  region: string;
  accountId: string;
}

type Params = Record<string, string>;

interface PolicyTemplate {
  parameters: readonly string[];
  statements(p: Params, c: TemplateContext): unknown[];
}

const arn = (c: TemplateContext, service: string, rest: string) => `arn:${c.partition}:${service}:${c.region}:${c.accountId}:${rest}`;
const allow = (Action: string[], Resource: string | string[]) => ({ Effect: 'Allow', Action, Resource });
const tableAndIndexes = (p: Params, c: TemplateContext) => [arn(c, 'dynamodb', `table/${p.TableName}`), arn(c, 'dynamodb', `table/${p.TableName}/index/*`)];
const bucketAndObjects = (p: Params, c: TemplateContext) => [`arn:${c.partition}:s3:::${p.BucketName}`, `arn:${c.partition}:s3:::${p.BucketName}/*`];

export const SAM_POLICY_TEMPLATES: Readonly<Record<string, PolicyTemplate>> = {
  DynamoDBCrudPolicy: {
    parameters: ['TableName'],
    statements: (p, c) => [
      allow(
        ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:ConditionCheckItem'],
        tableAndIndexes(p, c),
      ),
    ],
  },
  DynamoDBReadPolicy: {
    parameters: ['TableName'],
    statements: (p, c) => [allow(['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable'], tableAndIndexes(p, c))],
  },
  DynamoDBWritePolicy: {
    parameters: ['TableName'],
    statements: (p, c) => [allow(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], tableAndIndexes(p, c))],
  },
  DynamoDBStreamReadPolicy: {
    parameters: ['TableName', 'StreamName'],
    statements: (p, c) => [
      allow(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], arn(c, 'dynamodb', `table/${p.TableName}/stream/${p.StreamName}`)),
      allow(['dynamodb:ListStreams'], arn(c, 'dynamodb', `table/${p.TableName}/stream/*`)),
    ],
  },
  LambdaInvokePolicy: { parameters: ['FunctionName'], statements: (p, c) => [allow(['lambda:InvokeFunction'], arn(c, 'lambda', `function:${p.FunctionName}*`))] },
  SSMParameterReadPolicy: {
    parameters: ['ParameterName'],
    statements: (p, c) => [
      allow(['ssm:DescribeParameters'], '*'),
      allow(['ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParametersByPath'], arn(c, 'ssm', `parameter/${p.ParameterName}`)),
    ],
  },
  CloudWatchPutMetricPolicy: { parameters: [], statements: () => [allow(['cloudwatch:PutMetricData'], '*')] },
  AWSSecretsManagerGetSecretValuePolicy: { parameters: ['SecretArn'], statements: (p) => [allow(['secretsmanager:GetSecretValue'], p.SecretArn!)] },
  SQSSendMessagePolicy: { parameters: ['QueueName'], statements: (p, c) => [allow(['sqs:SendMessage*'], arn(c, 'sqs', p.QueueName!))] },
  SNSPublishMessagePolicy: { parameters: ['TopicName'], statements: (p, c) => [allow(['sns:Publish'], arn(c, 'sns', p.TopicName!))] },
  S3ReadPolicy: {
    parameters: ['BucketName'],
    statements: (p, c) => [allow(['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:GetObjectVersion', 's3:GetLifecycleConfiguration'], bucketAndObjects(p, c))],
  },
  S3CrudPolicy: {
    parameters: ['BucketName'],
    statements: (p, c) => [
      allow(
        ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:GetObjectVersion', 's3:PutObject', 's3:PutObjectAcl', 's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration', 's3:DeleteObject'],
        bucketAndObjects(p, c),
      ),
    ],
  },
};
