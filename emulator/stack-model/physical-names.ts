import { createHash } from 'node:crypto';

/**
 * The names CloudFormation gives resources the template leaves unnamed:
 * `{stackName}-{logicalId}-{SUFFIX}`, the suffix 13 uppercase letters and digits, the stack and
 * logical id shortened to fit the type's limit (Lambda 64, DynamoDB 255) as CloudFormation
 * shortens them. CloudFormation's suffix is random; ours is a hash of the stack name and logical
 * id, so two runs of one template name everything alike (a report compares like with like).
 */
export const GENERATED_SUFFIX_LENGTH = 13;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

function encode(bytes: Buffer, length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/** `length` characters of `alphabet` from a hash of `parts` (a type's own generated characters: a secret's mixed-case ones). */
export function generatedCharacters(length: number, alphabet: string, ...parts: string[]): string {
  return encode(digest(...parts), length, alphabet);
}

export function generatedSuffix(stackName: string, logicalId: string): string {
  return encode(digest(stackName, logicalId), GENERATED_SUFFIX_LENGTH, ALPHABET);
}

export function generatedName(stackName: string, logicalId: string, maxLength: number): string {
  const suffix = generatedSuffix(stackName, logicalId);
  const budget = maxLength - suffix.length - 2;
  let stack = stackName;
  let logical = logicalId;
  // the longer part gives way first, one character at a time (bounded by the two lengths)
  while (stack.length + logical.length > budget && stack.length + logical.length > 0) {
    if (stack.length >= logical.length) stack = stack.slice(0, -1);
    else logical = logical.slice(0, -1);
  }
  return `${stack}-${logical}-${suffix}`;
}

/** API Gateway's ids (routes, integrations, authorizers, deployments): 7 lowercase letters and digits. */
export function generatedShortId(stackName: string, logicalId: string): string {
  return encode(digest('short-id', stackName, logicalId), 7, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

/**
 * A REST API's (API Gateway v1) ids, lowercase letters and digits of the length API Gateway gives
 * each kind: a resource's and an API key's 10, an authorizer's, a deployment's and a usage plan's 6.
 */
export function generatedApiGatewayId(stackName: string, logicalId: string, length: number): string {
  return encode(digest('apigateway-id', stackName, logicalId), length, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

/** The UUID in a stack id (`arn:aws:cloudformation:…:stack/{name}/{uuid}`), from the stack's name. */
export function stackUuid(stackName: string, region: string, accountId: string): string {
  const h = digest('stack', stackName, region, accountId).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A resource's UUID (an event source mapping's id, a subscription's ARN suffix), from the stack and logical id: alike on every run. */
export function resourceUuid(stackName: string, logicalId: string): string {
  const h = digest('uuid', stackName, logicalId).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
