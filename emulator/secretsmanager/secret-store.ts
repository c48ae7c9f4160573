import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AwsApiError, parseRequest } from '../cloudwatch/aws-json.ts';
import type { MetricSink } from '../cloudwatch/types.ts';
import type { SecretDescription } from '../stack-model/stack-description.ts';
import { randomPassword } from './random-password.ts';

/**
 * Secrets Manager's secrets, as the SDK's SecretsManagerClient sees them: each a name, an ARN
 * ending in `-` and 6 random characters, and versions (a VersionId each) marked by staging labels,
 * AWSCURRENT on the newest and AWSPREVIOUS on the one before. A secret is found by its name, its
 * ARN, or its ARN without the suffix (a partial ARN). In memory; values leave only through
 * GetSecretValue and BatchGetSecretValue (never logged, never listed).
 *
 * What AWS records of it: each call's `CallCount` in AWS/Usage (Service "Secrets Manager", Type
 * "API", Resource the operation, Class "None") and the account's secrets as `ResourceCount` in
 * AWS/SecretsManager; it bills each secret-month and each API call.
 */
export interface SecretVersion {
  versionId: string;
  secretString?: string;
  /** base64, as the JSON protocol carries a blob */
  secretBinary?: string;
  stages: Set<string>;
  created: number;
}

interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  tags: Array<{ Key: string; Value: string }>;
  versions: Map<string, SecretVersion>;
  created: number;
  lastChanged: number;
  lastAccessed?: number;
}

/** A secret the stack creates (AWS::SecretsManager::Secret, its value already made) or the account has. */
export type SeededSecret = Pick<SecretDescription, 'name' | 'arn' | 'secretString' | 'description' | 'versionId'>;

export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
/** Secret names: letters, digits and /_+=.@- (at most 512). */
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A value is at most 65,536 bytes. */
const MAX_VALUE_BYTES = 65536;
/** The characters of an ARN's random suffix (and of CloudFormation's generated secret names). */
export const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const notFound = () => new AwsApiError('ResourceNotFoundException', NOT_FOUND);
const validation = (_field: string, _missing: boolean, message: string) => new AwsApiError('ValidationException', message);
const invalid = (message: string) => new AwsApiError('InvalidParameterException', message);

const Token = z.string().min(32).max(64);
const Value = { SecretString: z.string().optional(), SecretBinary: z.string().optional() };
const CreateSecretRequest = z.object({
  Name: z.string().min(1),
  ...Value,
  Description: z.string().optional(),
  KmsKeyId: z.string().optional(),
  ClientRequestToken: Token.optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
});
const PutSecretValueRequest = z.object({ SecretId: z.string().min(1), ...Value, ClientRequestToken: Token.optional(), VersionStages: z.array(z.string()).min(1).optional() });
const GetSecretValueRequest = z.object({ SecretId: z.string().min(1), VersionId: z.string().optional(), VersionStage: z.string().optional() });
const DescribeSecretRequest = z.object({ SecretId: z.string().min(1) });
const Filter = z.object({ Key: z.string(), Values: z.array(z.string()) });
const ListSecretsRequest = z.object({ Filters: z.array(Filter).optional(), MaxResults: z.number().int().min(1).max(100).optional(), NextToken: z.string().optional(), SortOrder: z.enum(['asc', 'desc']).optional() }).loose();
const BatchGetSecretValueRequest = z.object({ SecretIdList: z.array(z.string()).min(1).max(20).optional(), Filters: z.array(Filter).optional(), MaxResults: z.number().int().optional(), NextToken: z.string().optional() });
const GetRandomPasswordRequest = z.object({
  PasswordLength: z.number().int().optional(),
  ExcludeCharacters: z.string().optional(),
  ExcludeNumbers: z.boolean().optional(),
  ExcludePunctuation: z.boolean().optional(),
  ExcludeUppercase: z.boolean().optional(),
  ExcludeLowercase: z.boolean().optional(),
  IncludeSpace: z.boolean().optional(),
  RequireEachIncludedType: z.boolean().optional(),
});

const seconds = (ms: number) => ms / 1000;

export class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private sink: MetricSink | undefined;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** The ARN of a secret of this name: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`. */
  static arn(region: string, accountId: string, name: string, suffix: string): string {
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
  }

  /** Where AWS/Usage and AWS/SecretsManager go; the count of secrets is published now and on every change. */
  publishMetrics(sink: MetricSink): void {
    this.sink = sink;
    this.publishResourceCount();
  }

  /** One API call made (IAM let it through): AWS/Usage CallCount, what the harness reads and prices. */
  called(operation: string): void {
    this.sink?.put({ namespace: 'AWS/Usage', name: 'CallCount', dimensions: { Service: 'Secrets Manager', Type: 'API', Resource: operation, Class: 'None' }, value: 1, unit: 'None', timestamp: Date.now() });
  }

  /** A secret the stack creates, as CloudFormation's CreateSecret would. */
  seed(s: SeededSecret): void {
    const now = Date.now();
    this.secrets.set(s.name, {
      name: s.name,
      arn: s.arn,
      ...(s.description !== undefined ? { description: s.description } : {}),
      tags: [],
      // an empty secret (neither SecretString nor GenerateSecretString) has no version yet
      versions: new Map(s.secretString === undefined ? [] : [[s.versionId, { versionId: s.versionId, secretString: s.secretString, stages: new Set([CURRENT]), created: now }]]),
      created: now,
      lastChanged: now,
    });
    this.publishResourceCount();
  }

  create(body: unknown): { ARN: string; Name: string; VersionId?: string } {
    const req = parseRequest(CreateSecretRequest, body, validation);
    if (!SECRET_NAME.test(req.Name)) throw invalid('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    if (this.secrets.has(req.Name)) throw new AwsApiError('ResourceExistsException', `The operation failed because the secret ${req.Name} already exists.`);
    const now = Date.now();
    const suffix = Array.from({ length: 6 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join('');
    const secret: StoredSecret = {
      name: req.Name,
      arn: SecretStore.arn(this.region, this.accountId, req.Name, suffix),
      ...(req.Description !== undefined ? { description: req.Description } : {}),
      ...(req.KmsKeyId !== undefined ? { kmsKeyId: req.KmsKeyId } : {}),
      tags: req.Tags ?? [],
      versions: new Map(),
      created: now,
      lastChanged: now,
    };
    // a secret created without a value has no version until PutSecretValue gives it one
    const version = valueOf(req) && this.addVersion(secret, req, [CURRENT]);
    this.secrets.set(req.Name, secret);
    this.publishResourceCount();
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
  }

  put(body: unknown): { ARN: string; Name: string; VersionId: string; VersionStages: string[] } {
    const req = parseRequest(PutSecretValueRequest, body, validation);
    const secret = this.find(req.SecretId);
    if (!valueOf(req)) throw invalid('You must provide either SecretString or SecretBinary.');
    const version = this.addVersion(secret, req, req.VersionStages ?? [CURRENT]);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  }

  getValue(body: unknown): Record<string, unknown> {
    const req = parseRequest(GetSecretValueRequest, body, validation);
    return this.valueOf(this.find(req.SecretId), req.VersionId, req.VersionStage);
  }

  /**
   * BatchGetSecretValue by SecretIdList (or every secret a name Filter matches): each found
   * secret's value, each other an entry of Errors, as is each secret IAM refused (`denied`: its id
   * and the refusal, from the server's IAM gate).
   */
  batchGetValue(body: unknown, denied: ReadonlyMap<string, string> = new Map()): { SecretValues: Array<Record<string, unknown>>; Errors: Array<Record<string, string>> } {
    const req = parseRequest(BatchGetSecretValueRequest, body, validation);
    if ((req.SecretIdList === undefined) === (req.Filters === undefined)) throw invalid('Either SecretIdList or Filters must be provided, not both.');
    const ids = req.SecretIdList ?? this.filtered(req.Filters!).map((s) => s.arn);
    const SecretValues: Array<Record<string, unknown>> = [];
    const Errors: Array<Record<string, string>> = [];
    for (const id of ids) {
      const refusal = denied.get(id);
      if (refusal !== undefined) {
        Errors.push({ SecretId: id, ErrorCode: 'AccessDeniedException', Message: refusal });
        continue;
      }
      try {
        SecretValues.push(this.valueOf(this.find(id)));
      } catch (err) {
        if (!(err instanceof AwsApiError)) throw err;
        Errors.push({ SecretId: id, ErrorCode: err.type, Message: err.message });
      }
    }
    return { SecretValues, Errors };
  }

  /** The secrets a BatchGetSecretValue by Filters reads (their ARNs, as its answer names them); none for a body it would refuse. */
  batchTargets(body: unknown): string[] {
    const req = BatchGetSecretValueRequest.safeParse(body);
    return req.success && req.data.Filters ? this.filtered(req.data.Filters).map((s) => s.arn) : [];
  }

  describe(body: unknown): Record<string, unknown> {
    const req = parseRequest(DescribeSecretRequest, body, validation);
    return this.description(this.find(req.SecretId));
  }

  /** ListSecrets: every secret's description (never its value), by name filters; in one page. */
  list(body: unknown): { SecretList: Array<Record<string, unknown>> } {
    const req = parseRequest(ListSecretsRequest, body ?? {}, validation);
    const found = this.filtered(req.Filters ?? []);
    if (req.SortOrder === 'asc') found.reverse();
    // ListSecrets names the versions' labels SecretVersionsToStages (DescribeSecret: VersionIdsToStages)
    return {
      SecretList: found.map((s) => {
        const { VersionIdsToStages, ...rest } = this.description(s);
        return { ...rest, SecretVersionsToStages: VersionIdsToStages };
      }),
    };
  }

  randomPassword(body: unknown): { RandomPassword: string } {
    const req = parseRequest(GetRandomPasswordRequest, body ?? {}, validation);
    const made = randomPassword(req);
    if ('invalid' in made) throw invalid(made.invalid);
    return { RandomPassword: made.password };
  }

  /** The ARN IAM is asked about for a SecretId (the secret's own when it exists; else the id as an ARN). */
  arnFor(secretId: string): string {
    return this.lookup(secretId)?.arn ?? (secretId.startsWith('arn:') ? secretId : `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${secretId}`);
  }

  private find(secretId: string): StoredSecret {
    const secret = this.lookup(secretId);
    if (!secret) throw notFound();
    return secret;
  }

  /** By name; by full ARN; by partial ARN (the ARN without its random suffix, i.e. with the name). */
  private lookup(secretId: string): StoredSecret | undefined {
    if (!secretId.startsWith('arn:')) return this.secrets.get(secretId);
    const marker = ':secret:';
    const at = secretId.indexOf(marker);
    if (at < 0) return undefined;
    for (const s of this.secrets.values()) if (s.arn === secretId) return s;
    const partial = this.secrets.get(secretId.slice(at + marker.length));
    return partial && partial.arn.startsWith(`${secretId}-`) ? partial : undefined;
  }

  private valueOf(secret: StoredSecret, versionId?: string, stage?: string): Record<string, unknown> {
    let version: SecretVersion | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (!version || (stage !== undefined && !version.stages.has(stage))) throw new AwsApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    } else {
      const label = stage ?? CURRENT;
      version = [...secret.versions.values()].find((v) => v.stages.has(label));
      if (!version) throw new AwsApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${label}`);
    }
    secret.lastAccessed = Date.now();
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: [...version.stages],
      CreatedDate: seconds(version.created),
    };
  }

  private description(s: StoredSecret): Record<string, unknown> {
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.description !== undefined ? { Description: s.description } : {}),
      ...(s.kmsKeyId !== undefined ? { KmsKeyId: s.kmsKeyId } : {}),
      RotationEnabled: false,
      LastChangedDate: seconds(s.lastChanged),
      // AWS keeps the day of the last access, not the moment
      ...(s.lastAccessed !== undefined ? { LastAccessedDate: seconds(Math.floor(s.lastAccessed / 86_400_000) * 86_400_000) } : {}),
      Tags: s.tags,
      VersionIdsToStages: versionsToStages(s),
      CreatedDate: seconds(s.created),
    };
  }

  /** Newest first; a `name` filter matches names starting with a value, `all` any of name or description. */
  private filtered(filters: Array<z.infer<typeof Filter>>): StoredSecret[] {
    const all = [...this.secrets.values()].sort((a, b) => b.created - a.created);
    return all.filter((s) =>
      filters.every((f) => {
        if (f.Key === 'name') return f.Values.some((v) => s.name.startsWith(v));
        if (f.Key === 'description') return f.Values.some((v) => (s.description ?? '').startsWith(v));
        if (f.Key === 'all') return f.Values.some((v) => s.name.startsWith(v) || (s.description ?? '').startsWith(v));
        return true;
      }),
    );
  }

  /** A new version with these labels; AWSCURRENT moving to it leaves AWSPREVIOUS on the version that had it. */
  private addVersion(secret: StoredSecret, req: { SecretString?: string | undefined; SecretBinary?: string | undefined; ClientRequestToken?: string | undefined }, stages: string[]): SecretVersion {
    if (req.SecretString !== undefined && req.SecretBinary !== undefined) throw invalid("You can't specify both a binary secret value and a string secret value in the same secret.");
    const bytes = req.SecretString !== undefined ? Buffer.byteLength(req.SecretString) : Buffer.from(req.SecretBinary ?? '', 'base64').length;
    if (bytes > MAX_VALUE_BYTES) throw invalid(`The secret value is larger than the ${MAX_VALUE_BYTES} bytes allowed.`);
    const versionId = req.ClientRequestToken ?? randomUUID();
    const existing = secret.versions.get(versionId);
    if (existing) {
      // the same token again is the same request (idempotent); with another value, AWS refuses it
      if (existing.secretString === req.SecretString && existing.secretBinary === req.SecretBinary) return existing;
      throw new AwsApiError('ResourceExistsException', `You can't modify an existing version, you can only create a new version. VersionId: ${versionId}`);
    }
    const now = Date.now();
    for (const stage of stages) {
      for (const v of secret.versions.values()) {
        if (!v.stages.delete(stage)) continue;
        if (stage === CURRENT) {
          for (const other of secret.versions.values()) other.stages.delete(PREVIOUS);
          v.stages.add(PREVIOUS);
        }
      }
    }
    const version: SecretVersion = {
      versionId,
      ...(req.SecretString !== undefined ? { secretString: req.SecretString } : {}),
      ...(req.SecretBinary !== undefined ? { secretBinary: req.SecretBinary } : {}),
      stages: new Set(stages),
      created: now,
    };
    secret.versions.set(versionId, version);
    // a version no label marks any more is gone (AWS deprecates and later removes it)
    for (const [id, v] of secret.versions) if (v.stages.size === 0) secret.versions.delete(id);
    secret.lastChanged = now;
    return version;
  }

  private publishResourceCount(): void {
    this.sink?.put({ namespace: 'AWS/SecretsManager', name: 'ResourceCount', dimensions: { Service: 'Secrets Manager', Type: 'Resource', Resource: 'SecretCount', Class: 'None' }, value: this.secrets.size, unit: 'None', timestamp: Date.now() });
  }
}

function valueOf(req: { SecretString?: string | undefined; SecretBinary?: string | undefined }): boolean {
  return req.SecretString !== undefined || req.SecretBinary !== undefined;
}

function versionsToStages(s: StoredSecret): Record<string, string[]> {
  return Object.fromEntries([...s.versions.values()].map((v) => [v.versionId, [...v.stages]]));
}
