import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { APPLICATION_LOG_LEVELS, SYSTEM_LOG_LEVELS, functionLogGroup, type FunctionConfig, type FunctionLogging } from '../lambda/options.ts';
import type { FunctionUpdate, LambdaRuntime, VersionState } from '../lambda/types.ts';
import { snapStartSupported } from '../../common/lambda-runtimes.ts';
import { invalidParameter, resourceNotFound, revisionMismatch, updateInProgress } from './errors.ts';
import { EventSourceMappingReads } from './event-source-mappings.ts';
import type { EventSourceMappingDescription } from '../stack-model/stack-description.ts';

/**
 * The part of Lambda's control plane the harness needs, over the emulator's runtime: read a
 * function's configuration, change its memory size, timeout, environment variables and
 * LoggingConfig, list
 * the functions. AWS's semantics: an update answers at once with `LastUpdateStatus: InProgress`
 * and the new values, a second update meanwhile is a ResourceConflictException, and the status
 * turns `Successful` once the new configuration is provisioned (here: the function's prepared
 * environments of the new configuration have run INIT). The runtime retires the warm
 * environments, so the next invocations are cold.
 */

export type UpdateStatus = 'Successful' | 'InProgress' | 'Failed';

interface FunctionMeta {
  revisionId: string;
  lastModified: string;
  status: UpdateStatus;
  reason?: string;
  reasonCode?: string;
  description: string;
}

export interface ControlPlaneOptions {
  runtime: LambdaRuntime;
  region: string;
  accountId: string;
  /** The Lambda runtime identifier reported, e.g. nodejs22.x. */
  runtimeId: string;
  /**
   * Variables the emulator itself gives every function (table names, local endpoints): an update
   * keeps them whatever it says, and may not give them other values.
   */
  wiredEnvironment: Readonly<Record<string, string>>;
  /** Each configuration change, one line (the stack's log): sizes and timeouts, variable names only. */
  log?: (line: string) => void;
  /** The account's concurrency quota the runtime enforces (`lambda.accountConcurrency`); default AWS's 1,000. */
  accountConcurrency?: number;
  /** Each function's execution role ARN, as its template gives it (GetFunctionConfiguration's Role); else a stand-in */
  roleArns?: ReadonlyMap<string, string>;
  /** The stack's event source mappings (StackDescription.eventSourceMappings): ListEventSourceMappings and GetEventSourceMapping read them */
  eventSourceMappings?: readonly EventSourceMappingDescription[];
}

/** Lambda's fixed account limits on code storage (Lambda quotas), as GetAccountSettings reports them. */
const CODE_LIMITS = { TotalCodeSize: 80_530_636_800, CodeSizeUnzipped: 262_144_000, CodeSizeZipped: 52_428_800 } as const;
const DEFAULT_ACCOUNT_CONCURRENCY = 1_000;
/** AWS's limits for the fields served (Lambda API reference, UpdateFunctionConfiguration); memory's is common's. */
export const TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
const ENV_TOTAL_BYTES = 4_096;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const LIST_DEFAULT = 50;
const LIST_MAX = 10_000;

/** Variables Lambda sets itself and refuses in an update (Lambda developer guide, "Defined runtime environment variables"). */
const RESERVED_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Fields of UpdateFunctionConfiguration the emulator applies; any other is refused by name. */
const SUPPORTED_UPDATE_FIELDS = ['MemorySize', 'Timeout', 'Environment', 'LoggingConfig', 'SnapStart', 'Description', 'RevisionId'];

const UpdateRequestSchema = z.object({
  MemorySize: z.unknown().optional(),
  Timeout: z.unknown().optional(),
  Environment: z.object({ Variables: z.record(z.string(), z.string()).optional() }).optional(),
  Description: z.string().max(256).optional(),
  RevisionId: z.string().optional(),
  SnapStart: z.strictObject({ ApplyOn: z.enum(['PublishedVersions', 'None']) }).optional(),
  LoggingConfig: z
    .strictObject({
      LogFormat: z.enum(['Text', 'JSON']).optional(),
      ApplicationLogLevel: z.enum(APPLICATION_LOG_LEVELS).optional(),
      SystemLogLevel: z.enum(SYSTEM_LOG_LEVELS).optional(),
      LogGroup: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+').optional(),
    })
    .optional(),
});

export class LambdaControlPlane {
  private readonly meta = new Map<string, FunctionMeta>();
  /** the functions it describes; Invoke runs them */
  readonly runtime: LambdaRuntime;
  /** ListEventSourceMappings, GetEventSourceMapping */
  readonly eventSourceMappings: EventSourceMappingReads;
  /** the region and account its functions' ARNs name */
  readonly place: { region: string; accountId: string };

  constructor(private readonly options: ControlPlaneOptions) {
    this.runtime = options.runtime;
    this.place = { region: options.region, accountId: options.accountId };
    this.eventSourceMappings = new EventSourceMappingReads(options.eventSourceMappings ?? [], { region: options.region, accountId: options.accountId });
    const now = lastModified();
    for (const name of this.runtime.functionNames()) {
      this.meta.set(name, { revisionId: randomUUID(), lastModified: now, status: 'Successful', description: '' });
    }
  }

  /** GetFunctionConfiguration (of `$LATEST`, a version, or the version an alias names). */
  getConfiguration(functionName: string, qualifier?: string): Record<string, unknown> {
    const target = this.resolveQualified(functionName, qualifier);
    return this.view(target.name, target.qualifier);
  }

  /** GetFunction: the configuration, where the code is (not served locally), reserved concurrency. */
  getFunction(functionName: string, qualifier?: string): Record<string, unknown> {
    const target = this.resolveQualified(functionName, qualifier);
    const name = target.name;
    const reserved = this.runtime.functionConfig(name)?.reservedConcurrency;
    return {
      Configuration: this.view(name, target.qualifier),
      Code: { RepositoryType: 'S3' },
      ...(reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
    };
  }

  /**
   * GetAccountSettings: the account's concurrency quota and what reserved concurrency leaves of it
   * (the limits the runtime enforces), and how many functions there are. AccountUsage.TotalCodeSize
   * is left out: the emulator deploys no code packages, it bundles the sources itself.
   */
  accountSettings(): Record<string, unknown> {
    const names = this.runtime.functionNames();
    const concurrency = this.options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
    const reserved = names.reduce((sum, n) => sum + (this.runtime.functionConfig(n)?.reservedConcurrency ?? 0), 0);
    return {
      AccountLimit: { ...CODE_LIMITS, ConcurrentExecutions: concurrency, UnreservedConcurrentExecutions: concurrency - reserved },
      AccountUsage: { FunctionCount: names.length },
    };
  }

  /** ListFunctions, paged by name (Marker is the last name of the previous page). */
  listFunctions(marker?: string, maxItems?: string): Record<string, unknown> {
    let max = LIST_DEFAULT;
    if (maxItems !== undefined) {
      max = Number(maxItems);
      if (!Number.isInteger(max) || max < 1 || max > LIST_MAX) {
        throw invalidParameter(`1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${LIST_MAX}`);
      }
    }
    const names = this.runtime.functionNames().sort();
    const start = marker === undefined ? 0 : names.findIndex((n) => n > marker);
    const page = start < 0 ? [] : names.slice(start, start + max);
    const more = start >= 0 && start + max < names.length;
    return { Functions: page.map((n) => this.view(n)), ...(more ? { NextMarker: page[page.length - 1] } : {}) };
  }

  /**
   * UpdateFunctionConfiguration: checked, applied to the runtime (which retires the warm
   * environments at once), answered with the new values and `LastUpdateStatus: InProgress`.
   */
  updateConfiguration(functionName: string, body: unknown): Record<string, unknown> {
    const name = this.resolve(functionName);
    const meta = this.meta.get(name)!;
    const request = parseUpdate(body);
    if (meta.status === 'InProgress') throw updateInProgress(this.arn(name));
    if (request.RevisionId !== undefined && request.RevisionId !== meta.revisionId) throw revisionMismatch();

    const update: FunctionUpdate = {};
    if (request.MemorySize !== undefined) update.memoryMB = bounded('memorySize', request.MemorySize, LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max);
    if (request.Timeout !== undefined) update.timeoutSeconds = bounded('timeout', request.Timeout, TIMEOUT_SECONDS.min, TIMEOUT_SECONDS.max);
    if (request.Environment !== undefined) update.environment = this.variables(request.Environment.Variables ?? {});
    if (request.LoggingConfig !== undefined) update.logging = updatedLogging(this.runtime.functionConfig(name)!, request.LoggingConfig);
    if (request.SnapStart !== undefined) update.snapStart = this.snapStart(name, request.SnapStart.ApplyOn);
    if (request.Description !== undefined) meta.description = request.Description;

    const said = [
      update.memoryMB === undefined ? '' : `MemorySize ${update.memoryMB}`,
      update.timeoutSeconds === undefined ? '' : `Timeout ${update.timeoutSeconds}`,
      // names only: a variable's value may be a secret
      update.environment === undefined ? '' : `Environment (${Object.keys(update.environment).length} variables)`,
      update.logging === undefined ? '' : `LoggingConfig ${update.logging.format}${update.logging.logGroup ? ` to ${update.logging.logGroup}` : ''}`,
      update.snapStart === undefined ? '' : `SnapStart ${update.snapStart}`,
    ].filter(Boolean);
    this.options.log?.(`stack: lambda UpdateFunctionConfiguration ${name}: ${said.join(', ') || 'description only'}`);
    meta.status = 'InProgress';
    delete meta.reason;
    delete meta.reasonCode;
    meta.revisionId = randomUUID();
    meta.lastModified = lastModified();
    // Retires the old configuration's idle and prepared environments before it first awaits.
    this.runtime.updateFunction(name, update).then(
      () => {
        meta.status = 'Successful';
      },
      (err: unknown) => {
        meta.status = 'Failed';
        meta.reason = err instanceof Error ? err.message : String(err);
        meta.reasonCode = 'InternalError';
      },
    );
    return this.view(name);
  }

  /** SnapStart.ApplyOn as asked, where the function's runtime takes it (refused in Lambda's words where not). */
  private snapStart(name: string, applyOn: 'PublishedVersions' | 'None'): 'PublishedVersions' | 'None' {
    const runtime = this.runtime.functionConfig(name)!.runtime ?? this.options.runtimeId;
    if (applyOn === 'PublishedVersions' && !snapStartSupported(runtime)) throw invalidParameter(`${runtime} is not supported for SnapStart enabled functions.`);
    return applyOn;
  }

  /** The function named by a name, a partial ARN or an ARN in this region and account; `$LATEST` only. */
  resolve(functionName: string, qualifier?: string): string {
    const target = this.resolveQualified(functionName, qualifier);
    if (target.qualifier !== undefined) throw resourceNotFound(`${this.arn(target.name)}:${target.qualifier}`);
    return target.name;
  }

  /**
   * The function and the alias or version named (in the name, the ARN or `Qualifier`), one the
   * function has; `$LATEST` is no qualifier.
   */
  resolveQualified(functionName: string, qualifier?: string): { name: string; qualifier?: string } {
    const parts = functionName.split(':');
    let name: string | undefined;
    let q: string | undefined;
    if (parts[0] === 'arn') {
      const [, , service, region, account, kind, fn, ...rest] = parts;
      if (service === 'lambda' && region === this.options.region && account === this.options.accountId && kind === 'function' && rest.length <= 1) {
        name = fn;
        q = rest[0];
      }
    } else if (parts.length >= 3 && /^\d{12}$/.test(parts[0]) && parts[1] === 'function') {
      if (parts[0] === this.options.accountId && parts.length <= 4) [name, q] = [parts[2], parts[3]];
    } else if (parts.length <= 2) {
      [name, q] = parts;
    }
    const version = q ?? qualifier;
    const published = version === undefined || version === '$LATEST' || (name !== undefined && this.meta.has(name) && this.runtime.functionConfig(name, version) !== undefined);
    if (name === undefined || !this.meta.has(name) || !published) {
      const arn = name !== undefined && /^[\w-]+$/.test(name) ? this.arn(name) + (version ? `:${version}` : '') : functionName;
      throw resourceNotFound(arn);
    }
    return version === undefined || version === '$LATEST' ? { name } : { name, qualifier: version };
  }

  /** The version a qualifier runs: `$LATEST`, a number, or the one an alias names. */
  versionOf(name: string, qualifier: string | undefined): string {
    if (qualifier === undefined || qualifier === '$LATEST') return '$LATEST';
    return this.runtime.aliases(name)[qualifier] ?? qualifier;
  }

  /**
   * Environment.Variables as the function will have them: the request's set replaces the old
   * one, as on AWS, but the emulator's own variables stay (they point the function at the local
   * endpoints); giving one of them another value is refused, as are Lambda's reserved names and
   * any other AWS_* or _* name (they could point the SDK away from the local endpoints).
   */
  private variables(requested: Record<string, string>): Record<string, string> {
    const keys = Object.keys(requested);
    const bad = keys.find((k) => !ENV_KEY.test(k));
    if (bad !== undefined) {
      throw invalidParameter(
        `1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${ENV_KEY.source.slice(1, -1)}] (key "${bad}")`,
      );
    }
    const reserved = keys.filter((k) => RESERVED_KEYS.has(k));
    if (reserved.length > 0) {
      throw invalidParameter(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      );
    }
    const wired = this.options.wiredEnvironment;
    for (const k of keys) {
      if (k in wired) {
        if (requested[k] !== wired[k]) throw invalidParameter(`Environment.Variables.${k} is set by the local emulator (it points the function at the local stack) and cannot be changed`);
      } else if (k.startsWith('AWS_') || k.startsWith('_')) {
        throw invalidParameter(`Environment.Variables.${k}: AWS_* and _* variables cannot be set in the local emulator (they could point the function's SDK away from the local stack)`);
      }
    }
    const measured = JSON.stringify(requested);
    if (Buffer.byteLength(measured) > ENV_TOTAL_BYTES) {
      throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
    }
    return { ...requested, ...wired };
  }

  arn(name: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
  }

  /** A FunctionConfiguration as Lambda answers it, for the fields the emulator has: of `$LATEST`, or of the version `qualifier` runs. */
  view(name: string, qualifier?: string): Record<string, unknown> {
    const fn = this.runtime.functionConfig(name, qualifier) as FunctionConfig;
    const meta = this.meta.get(name)!;
    const variables = fn.environment;
    const version = this.versionOf(name, qualifier);
    return {
      FunctionName: name,
      FunctionArn: version === '$LATEST' ? this.arn(name) : `${this.arn(name)}:${version}`,
      Runtime: fn.runtime ?? this.options.runtimeId,
      Role: this.options.roleArns?.get(name) ?? `arn:aws:iam::${this.options.accountId}:role/fanout-local-execution`,
      Handler: fn.code.kind === 'handler' ? fn.code.handler : 'index.handler',
      Description: meta.description,
      Timeout: fn.timeoutSeconds,
      MemorySize: fn.memoryMB,
      LastModified: meta.lastModified,
      Version: version,
      ...(Object.keys(variables).length > 0 ? { Environment: { Variables: { ...variables } } } : {}),
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: meta.revisionId,
      ...stateFields(version === '$LATEST' ? { state: 'Active' } : this.runtime.versionState(name, version)),
      LastUpdateStatus: meta.status,
      ...(meta.reason === undefined ? {} : { LastUpdateStatusReason: meta.reason, LastUpdateStatusReasonCode: meta.reasonCode }),
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      // SnapStart applies to published versions (restored from their snapshot); $LATEST is Off, as Lambda says of it
      SnapStart: { ApplyOn: fn.snapStart ?? 'None', OptimizationStatus: fn.snapStart && version !== '$LATEST' ? 'On' : 'Off' },
      LoggingConfig: loggingConfigOf(fn),
    };
  }
}

/** State, and StateReason and StateReasonCode where it is not Active (a SnapStart version taking its snapshot, or whose INIT failed). */
function stateFields(s: VersionState): Record<string, string> {
  if (s.state === 'Active') return { State: 'Active' };
  // Lambda's code for a function being created (a version taking its snapshot is created)
  if (s.state === 'Pending') return { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' };
  return { State: 'Failed', StateReason: s.reason, StateReasonCode: s.reasonCode };
}

/** LoggingConfig as Lambda answers it: the levels only in JSON, where they apply (INFO unless set). */
function loggingConfigOf(fn: FunctionConfig): Record<string, string> {
  const logging = fn.logging;
  if (logging?.format !== 'JSON') return { LogFormat: 'Text', LogGroup: functionLogGroup(fn) };
  return { LogFormat: 'JSON', ApplicationLogLevel: logging.applicationLogLevel ?? 'INFO', SystemLogLevel: logging.systemLogLevel ?? 'INFO', LogGroup: functionLogGroup(fn) };
}

/**
 * The LoggingConfig after an update: the fields given replace the function's, the others stay.
 * Levels apply to the JSON format only; asked for in Text, Lambda refuses them.
 */
function updatedLogging(fn: FunctionConfig, c: NonNullable<z.output<typeof UpdateRequestSchema>['LoggingConfig']>): FunctionLogging {
  const format = c.LogFormat ?? fn.logging?.format ?? 'Text';
  if (format === 'Text' && (c.ApplicationLogLevel !== undefined || c.SystemLogLevel !== undefined)) {
    throw invalidParameter('LoggingConfig: ApplicationLogLevel and SystemLogLevel can be set only when LogFormat is JSON');
  }
  const logGroup = c.LogGroup ?? fn.logging?.logGroup;
  const application = c.ApplicationLogLevel ?? fn.logging?.applicationLogLevel;
  const system = c.SystemLogLevel ?? fn.logging?.systemLogLevel;
  return {
    format,
    ...(format === 'JSON' && application ? { applicationLogLevel: application } : {}),
    ...(format === 'JSON' && system ? { systemLogLevel: system } : {}),
    ...(logGroup ? { logGroup } : {}),
  };
}

function parseUpdate(body: unknown): z.output<typeof UpdateRequestSchema> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('The request body must be a JSON object');
  const unsupported = Object.keys(body).filter((k) => !SUPPORTED_UPDATE_FIELDS.includes(k));
  if (unsupported.length > 0) {
    throw invalidParameter(`The local emulator cannot change ${unsupported.join(', ')} (it serves ${SUPPORTED_UPDATE_FIELDS.join(', ')})`);
  }
  const parsed = UpdateRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidParameter(`1 validation error detected: Value at '${issue.path.join('.')}' failed to satisfy constraint: ${issue.message}`);
  }
  return parsed.data;
}

/** An integer field within AWS's bounds, with AWS's validation message otherwise. */
function bounded(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidParameter(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must be an integer`);
  }
  if (value < min) {
    throw invalidParameter(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  }
  if (value > max) {
    throw invalidParameter(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }
  return value;
}

/** Lambda's LastModified format: 2019-09-26T20:28:40.438+0000. */
export function lastModified(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

