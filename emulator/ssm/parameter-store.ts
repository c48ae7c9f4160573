import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AwsApiError, parseRequest } from '../cloudwatch/aws-json.ts';

/**
 * Parameter Store's GetParameter and PutParameter, as the SDK's SSMClient sees them: what the
 * reference authorizer reads its expected token from. In memory, one version history per name.
 * Values never leave through anything but GetParameter (no logging, no listing).
 */
export type ParameterType = 'String' | 'StringList' | 'SecureString';

interface StoredParameter {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModified: number;
  /** What GetParameter answers for a SecureString without WithDecryption: stands in for KMS ciphertext. */
  ciphertext: string;
}

/** Standard tier: at most 4 KB per value. */
const MAX_VALUE_CHARS = 4096;
const NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/;

const GetParameterRequest = z.object({
  Name: z.string().min(1),
  WithDecryption: z.boolean().optional(),
});

const PutParameterRequest = z.object({
  Name: z.string().min(1),
  Value: z.string(),
  Type: z.enum(['String', 'StringList', 'SecureString']).optional(),
  Overwrite: z.boolean().optional(),
  Description: z.string().optional(),
  KeyId: z.string().optional(),
  Tier: z.enum(['Standard', 'Advanced', 'Intelligent-Tiering']).optional(),
  DataType: z.string().optional(),
});

const validation = (field: string, _missing: boolean, message: string) => new AwsApiError('ValidationException', `${message} (${field})`);

export class ParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** PutParameter: a new parameter (Type required) or, with Overwrite, a new version of one. */
  put(body: unknown): { Version: number; Tier: 'Standard' } {
    const req = parseRequest(PutParameterRequest, body, validation);
    const name = this.nameOf(req.Name);
    if (req.Value.length === 0 || req.Value.length > MAX_VALUE_CHARS) {
      throw new AwsApiError('ValidationException', `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length between 1 and ${MAX_VALUE_CHARS}`);
    }
    const existing = this.parameters.get(name);
    if (existing && !req.Overwrite) {
      throw new AwsApiError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    const type = req.Type ?? existing?.type;
    if (!type) throw new AwsApiError('ValidationException', 'A parameter type is required when you create a parameter.');
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(name, {
      name,
      type,
      value: req.Value,
      version,
      lastModified: Date.now(),
      ciphertext: randomBytes(48).toString('base64'),
    });
    return { Version: version, Tier: 'Standard' };
  }

  /** GetParameter by name or ARN; a SecureString's value only WithDecryption. */
  get(body: unknown): { Parameter: Record<string, unknown> } {
    const req = parseRequest(GetParameterRequest, body, validation);
    const p = this.parameters.get(this.nameOf(req.Name));
    if (!p) throw new AwsApiError('ParameterNotFound', `Parameter ${req.Name} not found.`);
    const value = p.type === 'SecureString' && !req.WithDecryption ? p.ciphertext : p.value;
    return {
      Parameter: {
        Name: p.name,
        Type: p.type,
        Value: value,
        Version: p.version,
        LastModifiedDate: p.lastModified / 1000,
        ARN: this.arnOf(p.name),
        DataType: 'text',
      },
    };
  }

  /** A parameter put by the stack itself (the seeded token), as PutParameter would. */
  seed(name: string, value: string, type: ParameterType): void {
    this.put({ Name: name, Value: value, Type: type, Overwrite: true });
  }

  private nameOf(nameOrArn: string): string {
    // An ARN names a hierarchical parameter as parameter/a/b (for /a/b), a plain one as parameter/x.
    const prefix = `arn:aws:ssm:${this.region}:${this.accountId}:parameter/`;
    const fromArn = nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : undefined;
    const name = fromArn === undefined ? (nameOrArn.startsWith('arn:') ? '' : nameOrArn) : fromArn.includes('/') ? `/${fromArn}` : fromArn;
    if (!NAME.test(name) || (name.includes('/') && !name.startsWith('/'))) {
      throw new AwsApiError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`);
    }
    return name;
  }

  /** The ARN IAM is asked about for a name or ARN a request gives (the ARN as given, when it is one). */
  arnFor(nameOrArn: string): string {
    return nameOrArn.startsWith('arn:') ? nameOrArn : this.arnOf(nameOrArn);
  }

  private arnOf(name: string): string {
    return `arn:aws:ssm:${this.region}:${this.accountId}:parameter${name.startsWith('/') ? name : `/${name}`}`;
  }
}
