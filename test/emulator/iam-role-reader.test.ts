import { describe, expect, it } from 'vitest';
import { readExecutionRole } from '../../emulator/iam/execution-role-reader.ts';
import { evaluate } from '../../common/iam/policy-evaluation.ts';
import { expandSam, isSamTemplate } from '../../emulator/stack-model/sam-transform.ts';
import { parseTemplate, StackTemplate } from '../../emulator/stack-model/stack-template.ts';

const ACCOUNT = '123456789012';
const arnOf = (table: string) => `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/${table}`;

function template(raw: Record<string, unknown>): StackTemplate {
  let t = parseTemplate('stack.yaml', raw);
  if (isSamTemplate(t)) t = expandSam('stack.yaml', t).template;
  return new StackTemplate({ file: 'stack.yaml', template: t, parameters: {}, stackName: 'chat', region: 'eu-west-1', accountId: ACCOUNT, apiId: 'abcdefghij' });
}

const code = { CodeUri: 'src/', Handler: 'app.handler', Runtime: 'nodejs22.x' };

describe('execution role reader', () => {
  it("SAM Policies: a policy template on another table, managed names and ARNs, and SAM's basic execution role", () => {
    const t = template({
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Members: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'members' } },
        Other: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        SendFn: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            ...code,
            Policies: [
              { DynamoDBCrudPolicy: { TableName: { Ref: 'Other' } } },
              'AmazonAPIGatewayInvokeFullAccess',
              'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess',
              'AmazonKinesisFullAccess',
              { SESCrudPolicy: { IdentityName: 'x' } },
              { Statement: [{ Effect: 'Deny', Action: 'dynamodb:Scan', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*' } }] },
            ],
          },
        },
      },
    });
    const role = readExecutionRole(t, 'SendFn')!;
    expect(role.name).toMatch(/^chat-SendFnRole-[A-Z0-9]{13}$/);
    expect(role.arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${role.name}`);
    const other = t.name('Other');
    expect(evaluate(role.statements, 'dynamodb:PutItem', arnOf(other)).allowed).toBe(true);
    expect(evaluate(role.statements, 'dynamodb:Query', `${arnOf(other)}/index/byRoom`).allowed).toBe(true);
    expect(evaluate(role.statements, 'dynamodb:PutItem', arnOf('members'))).toMatchObject({ allowed: false, reason: 'no-allow' });
    expect(evaluate(role.statements, 'dynamodb:Scan', arnOf(other))).toMatchObject({ allowed: false, reason: 'explicit-deny' });
    expect(evaluate(role.statements, 'execute-api:ManageConnections', 'arn:aws:execute-api:eu-west-1:123456789012:abcdefghij/prod/POST/@connections/abc=').allowed).toBe(true);
    expect(evaluate(role.statements, 'logs:PutLogEvents', 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x:*').allowed).toBe(true);
    expect(evaluate(role.statements, 'ssm:GetParameter', 'arn:aws:ssm:eu-west-1:123456789012:parameter/x').allowed).toBe(true);
    expect(role.notes).toEqual([
      'resource SendFn property Policies[3]: AWS managed policy AmazonKinesisFullAccess is not one the emulator knows: it grants nothing here',
      'resource SendFn property Policies[4]: SAM policy template SESCrudPolicy is not one the emulator knows: it grants nothing here',
    ]);
  });

  it("a CDK-style role: AWS::IAM::Policy attached by Roles, ManagedPolicyArns built with Fn::Join, GetAtt … Arn resources", () => {
    const t = template({
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        SendRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
            ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] }],
          },
        },
        SendRoleDefaultPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'SendRoleDefaultPolicy',
            Roles: [{ Ref: 'SendRole' }],
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['dynamodb:Query', 'dynamodb:PutItem'],
                  Resource: [{ 'Fn::GetAtt': ['Table', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] }],
                },
              ],
            },
          },
        },
        SendFn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['SendRole', 'Arn'] }, Handler: 'index.handler', Runtime: 'nodejs22.x', Code: { ZipFile: 'x' } } },
      },
    });
    const role = readExecutionRole(t, 'SendFn')!;
    const table = arnOf(t.name('Table'));
    expect(evaluate(role.statements, 'dynamodb:Query', `${table}/index/byConnection`)).toMatchObject({ allowed: true, statement: { source: 'policy SendRoleDefaultPolicy' } });
    expect(evaluate(role.statements, 'dynamodb:DeleteItem', table).allowed).toBe(false);
    expect(evaluate(role.statements, 'logs:CreateLogStream', '*')).toMatchObject({ allowed: true, statement: { source: 'AWS managed policy service-role/AWSLambdaBasicExecutionRole (v1)' } });
    expect(role.notes).toEqual([]);
  });

  it('a Role that is no role of the template is external; a policy IAM refuses is one line naming the resource and field', () => {
    const external = template({
      Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::123456789012:role/shared-lambda', Handler: 'i.h', Runtime: 'nodejs22.x', Code: { ZipFile: 'x' } } } },
    });
    expect(readExecutionRole(external, 'Fn')).toEqual({ name: 'shared-lambda', arn: 'arn:aws:iam::123456789012:role/shared-lambda', statements: [], notes: [], external: true });

    const bad = template({
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: { Fn: { Type: 'AWS::Serverless::Function', Properties: { ...code, Policies: [{ Statement: [{ Effect: 'Allow', Action: 'PutItem', Resource: '*' }] }] } } },
    });
    expect(() => readExecutionRole(bad, 'Fn')).toThrow('stack.yaml: resource Fn property Policies[0].Statement[0].Action[0]: "PutItem": an action is service:Action');
    const noEffect = template({
      Resources: {
        R: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: { Effect: 'Allowed', Action: 'dynamodb:*', Resource: '*' } } }] } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['R', 'Arn'] }, Handler: 'i.h', Runtime: 'nodejs22.x', Code: { ZipFile: 'x' } } },
      },
    });
    expect(() => readExecutionRole(noEffect, 'Fn')).toThrow('stack.yaml: resource R property Policies[0].PolicyDocument.Statement.Effect: "Allowed": must be Allow or Deny');
  });
});
