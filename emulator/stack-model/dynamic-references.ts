import { NO_VALUE } from './intrinsics.ts';
import type { SecretDescription } from './stack-description.ts';
import { templateError, type TemplatePath } from './template-errors.ts';

/**
 * CloudFormation's dynamic references, resolved where CloudFormation resolves them: inside any
 * string of a resource's properties, once its intrinsic functions have given their values (so
 * `!Sub '{{resolve:secretsmanager:${Secret}::password}}'` names the secret by its ARN):
 * - `{{resolve:secretsmanager:<secret-id>:SecretString:<json-key>:<version-stage>:<version-id>}}`:
 *   the secret by name, ARN or partial ARN; the whole SecretString, or one key of its JSON; the
 *   AWSCURRENT version unless a stage or a version id (not both) says otherwise;
 * - `{{resolve:ssm:<name>[:<version>]}}`: a String or StringList parameter's value;
 * - `{{resolve:ssm-secure:…}}`: CloudFormation takes it only in the properties it lists for it
 *   (a database's master password, an IAM user's password, …), none of which the emulator reads:
 *   refused as CloudFormation refuses it elsewhere.
 * Against the stack's own secrets and parameters and those the config says the account has. One
 * that cannot be resolved is one line naming the resource, the property and the reference, never
 * the value of anything.
 */
export interface DynamicReferenceHost {
  file: string;
  /** a secret of the stack or the account by name, ARN or partial ARN */
  secret(id: string): SecretDescription | undefined;
  /** a parameter of the stack or the account by name: its value and version */
  parameter(name: string): { value: string; version: number } | undefined;
}

const REFERENCE = /\{\{resolve:([a-z-]+):([^{}]*)\}\}/g;

/** The value with every dynamic reference in its strings replaced. */
export function resolveDynamicReferences(value: unknown, at: TemplatePath, host: DynamicReferenceHost): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{resolve:')) return value;
    return value.replace(REFERENCE, (whole, service: string, body: string) => resolveOne(service, body, whole, at, host));
  }
  if (value === NO_VALUE || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => resolveDynamicReferences(v, [...at, i], host));
  // a plain mapping only (a YAML timestamp's Date, say, passes as it is)
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDynamicReferences(v, [...at, k], host)]));
}

function resolveOne(service: string, body: string, whole: string, at: TemplatePath, host: DynamicReferenceHost): string {
  const fail = (why: string) => templateError(host.file, at, `${whole}: ${why}`);
  if (service === 'secretsmanager') return secretValue(body, host, fail);
  if (service === 'ssm') return parameterValue(body, host, fail);
  if (service === 'ssm-secure') {
    throw fail('CloudFormation resolves ssm-secure only in the properties it lists for it (a database master password, an IAM user password, …), not here: read the parameter at run time with GetParameter WithDecryption, or use a secretsmanager reference');
  }
  throw fail(`${service} is not a dynamic reference CloudFormation has (ssm, ssm-secure, secretsmanager)`);
}

function secretValue(body: string, host: DynamicReferenceHost, fail: (why: string) => Error): string {
  const parts = body.split(':');
  // an ARN holds colons of its own: arn:aws:secretsmanager:<region>:<account>:secret:<name>
  const idLength = parts[0] === 'arn' ? 7 : 1;
  const id = parts.slice(0, idLength).join(':');
  const [field = '', jsonKey = '', stage = '', versionId = ''] = parts.slice(idLength);
  if (id === '') throw fail('names no secret');
  if (field !== '' && field !== 'SecretString') throw fail(`the segment after the secret id is SecretString (or empty), not ${field}`);
  if (stage !== '' && versionId !== '') throw fail('give a version stage or a version id, not both');
  const secret = host.secret(id);
  if (!secret) throw fail(`no secret ${id} in the stack, nor in the config's template.secrets (the secrets the account already has)`);
  const wanted = versionId !== '' ? `version ${versionId}` : `stage ${stage || 'AWSCURRENT'}`;
  // the stack's and the account's secrets have one version, AWSCURRENT, made when the stack starts
  const found = versionId !== '' ? versionId === secret.versionId : stage === '' || stage === 'AWSCURRENT';
  if (!found || secret.secretString === undefined) throw fail(`secret ${secret.name} has no value at ${wanted}`);
  if (jsonKey === '') return secret.secretString;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret.secretString);
  } catch {
    throw fail(`secret ${secret.name} is not JSON, so it has no key ${jsonKey}`);
  }
  const v = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[jsonKey] : undefined;
  if (v === undefined) throw fail(`secret ${secret.name} has no key ${jsonKey}`);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function parameterValue(body: string, host: DynamicReferenceHost, fail: (why: string) => Error): string {
  const m = /^(.*?)(?::(\d+))?$/.exec(body)!;
  const name = m[1]!;
  const version = m[2] === undefined ? undefined : Number(m[2]);
  if (name === '') throw fail('names no parameter');
  const p = host.parameter(name);
  if (!p) throw fail(`no parameter ${name} in the stack, nor in the config's template.ssmParameters (the parameters the account already has)`);
  if (version !== undefined && version !== p.version) throw fail(`parameter ${name} has version ${p.version} here, not ${version}`);
  return p.value;
}
