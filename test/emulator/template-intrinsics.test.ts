import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import { CLOUDFORMATION_YAML_TAGS } from '../../emulator/stack-model/cloudformation-yaml-tags.ts';
import { NO_VALUE } from '../../emulator/stack-model/intrinsics.ts';
import { generatedName } from '../../emulator/stack-model/physical-names.ts';
import { parseTemplate, StackTemplate } from '../../emulator/stack-model/stack-template.ts';

// The intrinsic functions, conditions, parameters and physical ids of the template reader,
// over templates written as a user writes them (YAML short forms, parsed by the real reader).

const dir = mkdtempSync(join(tmpdir(), 'template-intrinsics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function yaml(text: string): unknown {
  const file = join(dir, `t${n++}.yaml`);
  writeFileSync(file, text);
  return readDataFile(file, { what: 'template', yamlTags: CLOUDFORMATION_YAML_TAGS, maxAliasCount: 100 });
}

const BASE_RESOURCES = `
  Fn:
    Type: AWS::Lambda::Function
    Properties: { FunctionName: chat-fn, Runtime: nodejs22.x, Handler: index.handler, Code: { ZipFile: x } }
  Unnamed:
    Type: AWS::Lambda::Function
    Properties: { Runtime: nodejs22.x, Handler: index.handler, Code: { ZipFile: x } }
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: members }
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action }
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref Api, RouteKey: $default }
  Role:
    Type: AWS::IAM::Role
    Properties: { Path: /service/ }
`;

interface Setup {
  parameters?: string;
  conditions?: string;
  mappings?: string;
  resources?: string;
  overrides?: Record<string, string>;
  region?: string;
  stackName?: string;
}

function stack(s: Setup = {}): StackTemplate {
  const text = [
    s.parameters ? `Parameters:\n${s.parameters}` : '',
    s.conditions ? `Conditions:\n${s.conditions}` : '',
    s.mappings ? `Mappings:\n${s.mappings}` : '',
    `Resources:\n${BASE_RESOURCES}${s.resources ?? ''}`,
  ].join('\n');
  const t = new StackTemplate({
    file: 'template.yaml',
    template: parseTemplate('template.yaml', yaml(text)),
    parameters: s.overrides ?? {},
    stackName: s.stackName ?? 'Rooms',
    region: s.region ?? 'eu-west-1',
    accountId: '111122223333',
    apiId: 'k3x9q2w7ab',
  });
  t.setWebSocketApi('Api');
  return t;
}

/** A value written in YAML (short forms and all), resolved in the stack. */
function value(t: StackTemplate, text: string): unknown {
  const doc = yaml(`V: ${text}`) as { V: unknown };
  return t.resolve(doc.V, ['Outputs', 'V', 'Value']);
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a refusal');
}

describe('YAML short forms', () => {
  it('become the long forms, as plain data', () => {
    const doc = yaml(`
A: !Ref Foo
B: !GetAtt Res.Arn
C: !GetAtt [Res, Arn]
D: !GetAtt Stack.Outputs.Url
E: !Sub '\${AWS::Region}-x'
F: !Sub ['\${X}', { X: !Ref Y }]
G: !Join ['', [a, !Select [0, !Split [',', 'b,c']]]]
H: !If [C, !Base64 x, !GetAZs '']
I: !And [!Equals [a, b], !Or [!Not [!Condition C], !Condition D]]
J: !FindInMap [M, a, b]
K: !ImportValue Other
L: !Cidr [10.0.0.0/16, 2, 8]
`);
    expect(doc).toStrictEqual({
      A: { Ref: 'Foo' },
      B: { 'Fn::GetAtt': ['Res', 'Arn'] },
      C: { 'Fn::GetAtt': ['Res', 'Arn'] },
      D: { 'Fn::GetAtt': ['Stack', 'Outputs.Url'] },
      E: { 'Fn::Sub': '${AWS::Region}-x' },
      F: { 'Fn::Sub': ['${X}', { X: { Ref: 'Y' } }] },
      G: { 'Fn::Join': ['', ['a', { 'Fn::Select': [0, { 'Fn::Split': [',', 'b,c'] }] }]] },
      H: { 'Fn::If': ['C', { 'Fn::Base64': 'x' }, { 'Fn::GetAZs': '' }] },
      I: { 'Fn::And': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Or': [{ 'Fn::Not': [{ Condition: 'C' }] }, { Condition: 'D' }] }] },
      J: { 'Fn::FindInMap': ['M', 'a', 'b'] },
      K: { 'Fn::ImportValue': 'Other' },
      L: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] },
    });
  });

  it('bounds aliases: an alias bomb is refused, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const message = refusal(() => yaml(lines.join('\n')));
    expect(message).toMatch(/not valid YAML: .*alias/i);
  });
});

describe('Ref and Fn::GetAtt', () => {
  const t = stack();

  it('gives pseudo parameters', () => {
    expect(value(t, '!Ref AWS::Region')).toBe('eu-west-1');
    expect(value(t, '!Ref AWS::AccountId')).toBe('111122223333');
    expect(value(t, '!Ref AWS::StackName')).toBe('Rooms');
    expect(value(t, '!Ref AWS::StackId')).toMatch(/^arn:aws:cloudformation:eu-west-1:111122223333:stack\/Rooms\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(value(t, '!Ref AWS::URLSuffix')).toBe('amazonaws.com');
    expect(value(t, '!Ref AWS::Partition')).toBe('aws');
    expect(value(t, '!Ref AWS::NotificationARNs')).toEqual([]);
    const china = stack({ region: 'cn-north-1' });
    expect(value(china, '!Ref AWS::Partition')).toBe('aws-cn');
    expect(value(china, '!Ref AWS::URLSuffix')).toBe('amazonaws.com.cn');
  });

  it("gives resources' physical ids", () => {
    expect(value(t, '!Ref Fn')).toBe('chat-fn');
    expect(value(t, '!Ref Unnamed')).toMatch(/^Rooms-Unnamed-[A-Z0-9]{13}$/);
    expect(value(t, '!Ref Table')).toBe('members');
    expect(value(t, '!Ref Api')).toBe('k3x9q2w7ab');
    expect(value(t, '!Ref Route')).toMatch(/^[a-z0-9]{7}$/);
  });

  it('gives attributes, dotted or as a list', () => {
    expect(value(t, '!GetAtt Fn.Arn')).toBe('arn:aws:lambda:eu-west-1:111122223333:function:chat-fn');
    expect(value(t, '!GetAtt [Fn, Arn]')).toBe('arn:aws:lambda:eu-west-1:111122223333:function:chat-fn');
    expect(value(t, '!GetAtt Table.Arn')).toBe('arn:aws:dynamodb:eu-west-1:111122223333:table/members');
    expect(value(t, '!GetAtt Table.StreamArn')).toMatch(/^arn:aws:dynamodb:eu-west-1:111122223333:table\/members\/stream\//);
    expect(value(t, '!GetAtt Api.ApiEndpoint')).toBe('wss://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com');
    expect(value(t, '!GetAtt Api.ApiId')).toBe('k3x9q2w7ab');
    expect(value(t, '!GetAtt Role.Arn')).toMatch(/^arn:aws:iam::111122223333:role\/service\/Rooms-Role-[A-Z0-9]{13}$/);
    expect(refusal(() => value(t, '!GetAtt Fn.Nope'))).toBe('template.yaml: output V Value.Fn::GetAtt: Fn::GetAtt Fn.Nope: AWS::Lambda::Function has no attribute Nope the emulator knows');
    expect(refusal(() => value(t, '!Ref Missing'))).toMatch(/Ref Missing: no parameter or resource of that name$/);
    expect(refusal(() => value(t, '!Ref AWS::Nope'))).toMatch(/AWS::Nope is not a pseudo parameter$/);
  });
});

describe('Fn::Sub', () => {
  const t = stack({ parameters: '  Stage: { Type: String, Default: live }' });

  it('fills ${Param}, ${AWS::…}, ${Res} and ${Res.Attr}, and writes ${!Literal} as ${Literal}', () => {
    expect(value(t, "!Sub 'https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}'")).toBe('https://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com/live');
    expect(value(t, "!Sub '${Fn.Arn}/invocations ${!Literal} ${! Spaced}'")).toBe('arn:aws:lambda:eu-west-1:111122223333:function:chat-fn/invocations ${Literal} ${ Spaced}');
  });

  it('takes its own variables in the list form, before the template\'s names', () => {
    expect(value(t, "!Sub ['${Stage}-${Name}-${AWS::AccountId}', { Stage: mine, Name: !GetAtt Api.ApiId }]")).toBe('mine-k3x9q2w7ab-111122223333');
  });
});

describe('the other functions', () => {
  const t = stack({
    parameters: '  Subnets: { Type: CommaDelimitedList, Default: "a, b,c" }\n  Ports: { Type: List<Number>, Default: "80,443" }',
    mappings: '  Sizes:\n    eu-west-1: { Memory: 512 }\n    us-east-1: { Memory: 1024 }',
    conditions: '  Yes: !Equals [a, a]\n  No: !Not [!Condition Yes]',
  });

  it('Fn::Join, Fn::Select, Fn::Split', () => {
    expect(value(t, "!Join ['/', [a, !Ref Fn, 3]]")).toBe('a/chat-fn/3');
    expect(value(t, "!Join [',', !Ref Subnets]")).toBe('a,b,c');
    expect(value(t, '!Select [1, !Ref Subnets]')).toBe('b');
    expect(value(t, "!Select ['0', !Ref Ports]")).toBe('80');
    expect(value(t, "!Split ['|', 'x|y||z']")).toEqual(['x', 'y', '', 'z']);
    expect(refusal(() => value(t, '!Select [3, [a, b]]'))).toMatch(/index 3 is outside the list of 2$/);
  });

  it('Fn::FindInMap, with the language extensions\' DefaultValue', () => {
    expect(value(t, '!FindInMap [Sizes, !Ref AWS::Region, Memory]')).toBe(512);
    expect(value(t, '!FindInMap [Sizes, ap-south-1, Memory, { DefaultValue: 128 }]')).toBe(128);
    expect(refusal(() => value(t, '!FindInMap [Sizes, ap-south-1, Memory]'))).toMatch(/Mappings has no Sizes\.ap-south-1\.Memory$/);
  });

  it('Fn::Base64, Fn::GetAZs, Fn::Cidr, Fn::Length, Fn::ToJsonString', () => {
    expect(value(t, '!Base64 hello')).toBe('aGVsbG8=');
    expect(value(t, "!GetAZs ''")).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(value(t, '!GetAZs { Ref: AWS::Region }')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(value(t, '!Cidr [10.0.0.0/16, 3, 8]')).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
    expect(value(t, "!Cidr ['192.168.1.0/24', 2, 6]")).toEqual(['192.168.1.0/26', '192.168.1.64/26']);
    expect(value(t, "{ 'Fn::Length': [a, b, c] }")).toBe(3);
    expect(value(t, "{ 'Fn::ToJsonString': { a: !Ref Fn } }")).toBe('{"a":"chat-fn"}');
  });

  it('Fn::If, with AWS::NoValue removing a key or a list element', () => {
    expect(value(t, '!If [Yes, on, off]')).toBe('on');
    expect(value(t, '!If [No, on, off]')).toBe('off');
    expect(value(t, '{ a: !If [No, x, !Ref AWS::NoValue], b: 1 }')).toEqual({ b: 1 });
    expect(value(t, '[1, !If [Yes, !Ref AWS::NoValue, 2], 3]')).toEqual([1, 3]);
    expect(value(t, '!Ref AWS::NoValue')).toBe(NO_VALUE);
    expect(value(t, "!Join ['-', [a, !Ref AWS::NoValue, b]]")).toBe('a-b');
    expect(refusal(() => value(t, "!Sub ['${X}', { X: !Ref AWS::NoValue }]"))).toMatch(/\$\{X\} is AWS::NoValue, which has no string value$/);
  });

  it('the condition functions', () => {
    const c = stack({
      parameters: '  Env: { Type: String, Default: prod }',
      conditions: [
        '  IsProd: !Equals [!Ref Env, prod]',
        '  IsDev: !Equals [dev, !Ref Env]',
        '  Both: !And [!Condition IsProd, !Not [!Condition IsDev]]',
        '  Either: !Or [!Condition IsDev, !Equals [1, "1"]]',
        '  Neither: !Not [!Or [!Condition IsDev, !Equals [a, b]]]',
      ].join('\n'),
    });
    expect(['IsProd', 'IsDev', 'Both', 'Either', 'Neither'].map((name) => c.resolver.condition(name, ['Conditions', name]))).toEqual([true, false, true, true, true]);
    expect(value(c, '!If [Both, yes, no]')).toBe('yes');
  });

  it('refuses Fn::ImportValue, Fn::Transform and functions it does not know, naming where', () => {
    expect(refusal(() => value(t, '!ImportValue SharedTable'))).toBe(
      "template.yaml: output V Value.Fn::ImportValue: Fn::ImportValue reads another stack's export, which the emulator does not have: give the value as a parameter instead",
    );
    expect(refusal(() => value(t, "{ 'Fn::Transform': { Name: Macro } }"))).toMatch(/Fn::Transform runs a CloudFormation macro/);
    expect(refusal(() => value(t, "{ 'Fn::Nope': 1 }"))).toMatch(/Fn::Nope is not an intrinsic function the emulator resolves$/);
  });

  it('bounds nesting', () => {
    let deep = 'x';
    for (let i = 0; i < 80; i++) deep = `{ 'Fn::Base64': ${deep} }`;
    expect(refusal(() => value(t, deep))).toMatch(/nested more than 64 deep$/);
  });
});

describe('conditions and loops', () => {
  it('drops a resource whose Condition is false, and refuses a Ref to it', () => {
    const t = stack({
      conditions: '  Off: !Equals [a, b]',
      resources: '  Extra:\n    Type: AWS::SNS::Topic\n    Condition: Off\n',
    });
    expect(t.resources.Extra).toBeUndefined();
    expect(t.resources.Fn).toBeDefined();
    expect(refusal(() => value(t, '!Ref Extra'))).toMatch(/Ref Extra: the resource's Condition is false, so it is not created$/);
  });

  it('refuses conditions that refer to each other in a loop, naming it', () => {
    const t = stack({ conditions: '  A: !Condition B\n  B: !And [!Condition C, !Equals [x, x]]\n  C: !Not [!Condition A]' });
    expect(refusal(() => t.resolver.condition('A', ['Conditions', 'A']))).toBe('template.yaml: condition A: conditions refer to each other in a loop: A → B → C → A');
  });

  it('refuses resources that refer to each other in a cycle, naming it', () => {
    const message = refusal(() =>
      stack({
        resources: [
          '  A:\n    Type: AWS::SQS::Queue\n    Properties: { Tags: [{ Key: k, Value: !GetAtt B.Arn }] }',
          '  B:\n    Type: AWS::SQS::Queue\n    Properties: { QueueName: !Sub "${C}-b" }',
          '  C:\n    Type: AWS::SQS::Queue\n    DependsOn: A',
        ].join('\n'),
      }),
    );
    expect(message).toBe('template.yaml: resource A: resources refer to each other in a cycle: A → B → C → A (CloudFormation refuses a circular dependency)');
  });
});

describe('parameters', () => {
  const declared = [
    '  Stage: { Type: String, Default: live, AllowedPattern: "[a-z]+", MaxLength: 8, MinLength: 2 }',
    '  Memory: { Type: Number, Default: 512, MinValue: 128, MaxValue: 10240 }',
    '  Env: { Type: String, Default: test, AllowedValues: [test, prod] }',
    '  Secret: { Type: String, NoEcho: true, Default: hunter2, MinLength: 6 }',
    '  Bootstrap: { Type: "AWS::SSM::Parameter::Value<String>", Default: /cdk-bootstrap/version }',
  ].join('\n');

  it('take defaults and overrides; Ref of a Number is a string, as in CloudFormation', () => {
    const t = stack({ parameters: declared, overrides: { Stage: 'beta', Memory: '1024' } });
    expect(value(t, '!Ref Stage')).toBe('beta');
    expect(value(t, '!Ref Memory')).toBe('1024');
    expect(value(t, '!Ref Env')).toBe('test');
  });

  it('check AllowedPattern, lengths, values and types, without echoing a NoEcho value', () => {
    const refused = (overrides: Record<string, string>) => refusal(() => stack({ parameters: declared, overrides }));
    expect(refused({ Stage: 'Beta1' })).toBe('template.yaml: parameter Stage: "Beta1" does not match AllowedPattern [a-z]+');
    expect(refused({ Stage: 'abcdefghij' })).toMatch(/parameter Stage: "abcdefghij" is longer than MaxLength 8$/);
    expect(refused({ Stage: 'a' })).toMatch(/is shorter than MinLength 2$/);
    expect(refused({ Memory: '64' })).toMatch(/parameter Memory: "64" is less than MinValue 128$/);
    expect(refused({ Memory: '20000' })).toMatch(/is more than MaxValue 10240$/);
    expect(refused({ Memory: 'lots' })).toMatch(/parameter Memory: "lots" is not a Number$/);
    expect(refused({ Env: 'staging' })).toMatch(/parameter Env: "staging" is not one of AllowedValues test, prod$/);
    const secret = refused({ Secret: 'short' });
    expect(secret).toBe('template.yaml: parameter Secret: (NoEcho value) is shorter than MinLength 6');
  });

  it('refuse an unknown --parameter, naming the ones there are', () => {
    expect(refusal(() => stack({ parameters: declared, overrides: { Stgae: 'x' } }))).toBe(
      'template.yaml: Parameters: --parameter Stgae: the template has no such parameter (it has Stage, Memory, Env, Secret, Bootstrap)',
    );
  });

  it('refuse a parameter with no default and no value', () => {
    expect(refusal(() => stack({ parameters: '  Token: { Type: String }' }))).toBe('template.yaml: parameter Token: has no Default and no value: give it with --parameter Token=VALUE');
  });

  it('read a Parameter Store parameter only where it is used, and only when given', () => {
    const t = stack({ parameters: declared });
    expect(refusal(() => value(t, '!Ref Bootstrap'))).toMatch(/Ref Bootstrap: a AWS::SSM::Parameter::Value<String> parameter is read from Parameter Store at deploy time; give its value with --parameter Bootstrap=VALUE$/);
    expect(value(stack({ parameters: declared, overrides: { Bootstrap: '21' } }), '!Ref Bootstrap')).toBe('21');
  });

  it('time-bound an AllowedPattern that backtracks without end', () => {
    const started = Date.now();
    const message = refusal(() => stack({ parameters: '  P: { Type: String, Default: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", AllowedPattern: "(a+)+" }' }));
    expect(message).toMatch(/parameter P property AllowedPattern: took longer than 2000 ms to match/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('generated names', () => {
  it('are {stack}-{logicalId}-{13 uppercase}, the same on every run', () => {
    const a = generatedName('Rooms', 'JoinFunction', 64);
    expect(a).toMatch(/^Rooms-JoinFunction-[A-Z0-9]{13}$/);
    expect(generatedName('Rooms', 'JoinFunction', 64)).toBe(a);
    expect(generatedName('Rooms2', 'JoinFunction', 64)).not.toBe(a);
  });

  it("are shortened to the type's limit, as CloudFormation shortens them", () => {
    const long = stack({ stackName: `S${'x'.repeat(100)}`, resources: `  ${'VeryLongFunctionLogicalId'.repeat(3)}:\n    Type: AWS::Lambda::Function\n    Properties: {}\n  LongTable:\n    Type: AWS::DynamoDB::Table\n` });
    const fn = String(value(long, `!Ref ${'VeryLongFunctionLogicalId'.repeat(3)}`));
    expect(fn.length).toBeLessThanOrEqual(64);
    expect(fn).toMatch(/^Sx+-VeryLong[A-Za-z]*-[A-Z0-9]{13}$/);
    const table = String(value(long, '!Ref LongTable'));
    expect(table).toBe(`S${'x'.repeat(100)}-LongTable-${table.slice(-13)}`);
  });
});
