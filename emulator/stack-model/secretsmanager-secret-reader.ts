import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { randomPassword } from '../secretsmanager/random-password.ts';
import { SecretStore, SUFFIX_ALPHABET } from '../secretsmanager/secret-store.ts';
import { generatedCharacters } from './physical-names.ts';
import { cfnBoolean, cfnInteger, cfnString, parseProperties } from './resource-properties.ts';
import type { SecretDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::SecretsManager::Secret: the secret Secrets Manager holds once the stack is up. Its value is
 * SecretString, or a password GenerateSecretString makes (made once per stack start, as
 * CloudFormation makes it once per create: GetRandomPassword's options and defaults; with
 * SecretStringTemplate and GenerateStringKey, the template's JSON with the password under that
 * key), or none (an empty secret: neither property). Its name is Name, else the logical id and 12
 * generated characters; its ARN (Ref, GetAtt Id) the name and 6 more. The generated characters
 * are random on AWS; here a hash of the stack and the logical id, so a run names them alike.
 */
const generateSchema = z
  .object({
    PasswordLength: cfnInteger.optional(),
    ExcludeCharacters: cfnString.optional(),
    ExcludeNumbers: cfnBoolean.optional(),
    ExcludePunctuation: cfnBoolean.optional(),
    ExcludeUppercase: cfnBoolean.optional(),
    ExcludeLowercase: cfnBoolean.optional(),
    IncludeSpace: cfnBoolean.optional(),
    RequireEachIncludedType: cfnBoolean.optional(),
    GenerateStringKey: cfnString.optional(),
    SecretStringTemplate: cfnString.optional(),
  })
  .strict();
const secretSchema = z
  .object({
    Name: cfnString.optional(),
    Description: cfnString.optional(),
    SecretString: cfnString.optional(),
    GenerateSecretString: generateSchema.optional(),
  })
  .loose();

/** CloudFormation's generated secret names: `<logicalId>-<12 characters>`. */
const GENERATED_NAME_CHARACTERS = 12;
const ARN_SUFFIX_CHARACTERS = 6;

/** The name CloudFormation gives a secret the template does not name. */
export function generatedSecretName(stackName: string, logicalId: string): string {
  return `${logicalId}-${generatedCharacters(GENERATED_NAME_CHARACTERS, SUFFIX_ALPHABET, 'secret-name', stackName, logicalId)}`;
}

/** A secret's ARN: its name and a 6-character suffix (random on AWS; here from the name, alike on every run). */
export function secretArn(region: string, accountId: string, name: string): string {
  return SecretStore.arn(region, accountId, name, generatedCharacters(ARN_SUFFIX_CHARACTERS, SUFFIX_ALPHABET, 'secret-arn', region, accountId, name));
}

/** What the reader needs of the template (StackTemplate, which asks it for a secret's value: named here, not imported). */
export interface SecretTemplate {
  file: string;
  properties(logicalId: string): Record<string, unknown>;
  name(logicalId: string): string;
  ref(logicalId: string): string;
}

export function readSecretsManagerSecret(t: SecretTemplate, logicalId: string): SecretDescription {
  const p = parseProperties(t.file, logicalId, secretSchema, t.properties(logicalId));
  const at = (property: string) => ['Resources', logicalId, 'Properties', property];
  if (p.SecretString !== undefined && p.GenerateSecretString !== undefined) {
    throw templateError(t.file, at('GenerateSecretString'), 'a secret takes SecretString or GenerateSecretString, not both');
  }
  const name = t.name(logicalId);
  const description: SecretDescription = {
    logicalId,
    name,
    arn: t.ref(logicalId),
    // a UUID, as CloudFormation's CreateSecret gets one
    versionId: randomUUID(),
    ...(p.Description !== undefined ? { description: p.Description } : {}),
  };
  if (p.SecretString !== undefined) return { ...description, secretString: p.SecretString };
  if (p.GenerateSecretString === undefined) return description;
  const g = p.GenerateSecretString;
  const made = randomPassword(g);
  if ('invalid' in made) throw templateError(t.file, at('GenerateSecretString'), made.invalid);
  if ((g.GenerateStringKey === undefined) !== (g.SecretStringTemplate === undefined)) {
    throw templateError(t.file, at('GenerateSecretString'), 'GenerateStringKey and SecretStringTemplate go together: the password is put under that key of that JSON');
  }
  if (g.SecretStringTemplate === undefined) return { ...description, secretString: made.password };
  let template: unknown;
  try {
    template = JSON.parse(g.SecretStringTemplate);
  } catch {
    template = undefined;
  }
  if (template === null || typeof template !== 'object' || Array.isArray(template)) {
    throw templateError(t.file, [...at('GenerateSecretString'), 'SecretStringTemplate'], 'must be a JSON object as text, e.g. {"username":"admin"}');
  }
  return { ...description, secretString: JSON.stringify({ ...template, [g.GenerateStringKey!]: made.password }) };
}
