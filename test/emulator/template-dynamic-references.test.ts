import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import { CLOUDFORMATION_YAML_TAGS } from '../../emulator/stack-model/cloudformation-yaml-tags.ts';
import { parseTemplate, StackTemplate } from '../../emulator/stack-model/stack-template.ts';

// AWS::SecretsManager::Secret as CloudFormation creates it (names, ARNs, values) and the dynamic
// references `{{resolve:secretsmanager:…}}` / `{{resolve:ssm:…}}` resolved in a resource's
// properties, over templates written as a user writes them (YAML short forms, the real reader).

const dir = mkdtempSync(join(tmpdir(), 'template-dynamic-references-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RESOURCES = `
  Named:
    Type: AWS::SecretsManager::Secret
    Properties: { Name: chat/signing, SecretString: '{"keyId":"k1","token":"t0k","n":7}' }
  Generated:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: { SecretStringTemplate: '{"user":"admin"}', GenerateStringKey: password, PasswordLength: 20, ExcludeCharacters: '"@/\\' }
  Empty:
    Type: AWS::SecretsManager::Secret
  Param:
    Type: AWS::SSM::Parameter
    Properties: { Name: /chat/room, Type: String, Value: lobby }
`;

let n = 0;
function stack(fn: string, outside: { secrets?: Record<string, string>; parameters?: Record<string, string> } = {}): StackTemplate {
  const file = join(dir, `t${n++}.yaml`);
  writeFileSync(file, `Resources:\n${RESOURCES}\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          V: ${fn}\n`);
  return new StackTemplate({
    file,
    template: parseTemplate(file, readDataFile(file, { what: 'template', yamlTags: CLOUDFORMATION_YAML_TAGS, maxAliasCount: 100 })),
    parameters: {},
    stackName: 'Rooms',
    region: 'eu-west-1',
    accountId: '111122223333',
    apiId: 'k3x9q2w7ab',
    ...(outside.secrets ? { outsideSecrets: Object.entries(outside.secrets).map(([name, secretString]) => ({ name, arn: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`, secretString, versionId: 'v1' })) } : {}),
    ...(outside.parameters ? { outsideParameters: outside.parameters } : {}),
  });
}

const variable = (t: StackTemplate) => (t.property('Fn', 'Environment') as { Variables: { V: string } }).Variables.V;

function refusal(t: StackTemplate): string {
  try {
    variable(t);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('AWS::SecretsManager::Secret', () => {
  it("is named by Name or by CloudFormation (logical id and 12 characters); Ref and GetAtt Id give the ARN with 6 more; a generated value follows GenerateSecretString's options", () => {
    const t = stack('x');
    expect(t.ref('Named')).toMatch(/^arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat\/signing-[A-Za-z0-9]{6}$/);
    expect(t.name('Generated')).toMatch(/^Generated-[A-Za-z0-9]{12}$/);
    expect(t.attribute('Generated', 'Id')).toBe(t.ref('Generated'));
    const generated = JSON.parse(t.stackSecret('Generated').secretString!) as { user: string; password: string };
    expect(generated.user).toBe('admin');
    expect(generated.password).toHaveLength(20);
    expect(generated.password).not.toMatch(/["@/\\]/);
    expect(t.stackSecret('Empty').secretString).toBeUndefined();
  });
});

describe('dynamic references', () => {
  it('resolve a secret by name, by ARN (Fn::Sub of its Ref) and by partial ARN; the whole SecretString or one JSON key', () => {
    expect(variable(stack("'{{resolve:secretsmanager:chat/signing:SecretString:keyId}}'"))).toBe('k1');
    expect(variable(stack("'{{resolve:secretsmanager:chat/signing}}'"))).toBe('{"keyId":"k1","token":"t0k","n":7}');
    expect(variable(stack("!Sub 'Bearer {{resolve:secretsmanager:${Named}:SecretString:token}}'"))).toBe('Bearer t0k');
    expect(variable(stack("'{{resolve:secretsmanager:chat/signing::n:AWSCURRENT}}'"))).toBe('7');
    const t = stack("!Sub '{{resolve:secretsmanager:${Generated}::password}}'");
    expect(variable(t)).toBe((JSON.parse(t.stackSecret('Generated').secretString!) as { password: string }).password);
    const partial = stack('x').ref('Named').slice(0, -7);
    expect(variable(stack(`'{{resolve:secretsmanager:${partial}:SecretString:keyId}}'`))).toBe('k1');
  });

  it("resolve the account's secrets and parameters the config names, and the stack's own parameters (version 1)", () => {
    expect(variable(stack("'{{resolve:secretsmanager:prod/api:SecretString:key}}'", { secrets: { 'prod/api': '{"key":"ext"}' } }))).toBe('ext');
    expect(variable(stack("'{{resolve:ssm:/chat/room}}-{{resolve:ssm:/chat/room:1}}'"))).toBe('lobby-lobby');
    expect(variable(stack("'{{resolve:ssm:/shared/region}}'", { parameters: { '/shared/region': 'eu' } }))).toBe('eu');
  });

  it('refuse, in one line naming the resource and the reference, what CloudFormation could not resolve', () => {
    expect(refusal(stack("'{{resolve:secretsmanager:nope:SecretString:k}}'"))).toContain(
      "resource Fn property Environment.Variables.V: {{resolve:secretsmanager:nope:SecretString:k}}: no secret nope in the stack, nor in the config's template.secrets",
    );
    expect(refusal(stack("'{{resolve:secretsmanager:chat/signing:SecretString:missing}}'"))).toContain('secret chat/signing has no key missing');
    expect(refusal(stack("'{{resolve:secretsmanager:chat/signing:SecretString::AWSPREVIOUS}}'"))).toContain('has no value at stage AWSPREVIOUS');
    expect(refusal(stack("'{{resolve:secretsmanager:Empty-x}}'"))).toContain('no secret Empty-x');
    expect(refusal(stack("!Sub '{{resolve:secretsmanager:${Empty}}}'"))).toContain('has no value at stage AWSCURRENT');
    expect(refusal(stack("'{{resolve:ssm:/chat/room:2}}'"))).toContain('parameter /chat/room has version 1 here, not 2');
    expect(refusal(stack("'{{resolve:ssm:/missing}}'"))).toContain("no parameter /missing in the stack, nor in the config's template.ssmParameters");
    expect(refusal(stack("'{{resolve:ssm-secure:/chat/room}}'"))).toContain('CloudFormation resolves ssm-secure only in the properties it lists for it');
  });
});
