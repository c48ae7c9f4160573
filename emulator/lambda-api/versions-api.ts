import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ALIAS_NAME } from '../lambda/options.ts';
import type { ProvisionedConcurrencyState } from '../lambda/types.ts';
import { lastModified, type LambdaControlPlane } from './control-plane.ts';
import { LambdaApiError, resourceNotFound, validationError } from './errors.ts';

/**
 * Versions, aliases and provisioned concurrency through Lambda's API (REST-JSON, as the SDK's
 * LambdaClient calls them): PublishVersion and ListVersionsByFunction, Create/Get/Update/Delete
 * Alias and ListAliases (API version 2015-03-31), Put/Get/Delete ProvisionedConcurrencyConfig and
 * ListProvisionedConcurrencyConfigs (2019-09-30), over the runtime, which runs what they
 * configure (emulator/lambda/pool/lambda-function.ts) and refuses what Lambda refuses, in its
 * words (emulator/lambda/refusal.ts).
 */

/** One request this API serves: the IAM action and resource it is asked as, and how it is answered. */
export interface VersionsOperation {
  action: string;
  resource: string;
  answer(body: () => Promise<unknown>): Promise<{ status: number; payload?: unknown }>;
}

const FUNCTIONS = '/2015-03-31/functions/';
const PROVISIONED = '/2019-09-30/functions/';

const AliasBody = z.object({ Name: z.string().optional(), FunctionVersion: z.string().optional(), Description: z.string().max(256).optional(), RoutingConfig: z.unknown().optional() }).loose();
const ProvisionedBody = z.object({ ProvisionedConcurrentExecutions: z.number().int().min(1) }).loose();

interface AliasMeta {
  description: string;
  revisionId: string;
}

export class VersionsApi {
  private readonly aliasMeta = new Map<string, AliasMeta>();
  private readonly provisionedModified = new Map<string, string>();

  constructor(private readonly plane: LambdaControlPlane) {}

  /** The operation a request asks for, or undefined when it is not one of these. */
  operation(method: string, path: string, search: URLSearchParams): VersionsOperation | undefined {
    const fnPath = path.startsWith(FUNCTIONS) ? /^([^/]+)\/(versions|aliases)(?:\/([^/]+))?$/.exec(path.slice(FUNCTIONS.length)) : null;
    if (fnPath) {
      const [, label, kind, alias] = fnPath as unknown as [string, string, 'versions' | 'aliases', string | undefined];
      const fn = decodeURIComponent(label);
      if (kind === 'versions' && alias === undefined) {
        if (method === 'POST') return this.op('PublishVersion', fn, undefined, async () => ({ status: 201, payload: this.publish(fn) }));
        if (method === 'GET') return this.op('ListVersionsByFunction', fn, undefined, async () => ({ status: 200, payload: this.listVersions(fn) }));
      }
      if (kind === 'aliases' && alias === undefined) {
        if (method === 'POST') return this.op('CreateAlias', fn, undefined, async (body) => ({ status: 201, payload: this.createAlias(fn, parse(AliasBody, await body())) }));
        if (method === 'GET') return this.op('ListAliases', fn, undefined, async () => ({ status: 200, payload: this.listAliases(fn) }));
      }
      if (kind === 'aliases' && alias !== undefined) {
        const name = decodeURIComponent(alias);
        if (method === 'GET') return this.op('GetAlias', fn, name, async () => ({ status: 200, payload: this.getAlias(fn, name) }));
        if (method === 'PUT') return this.op('UpdateAlias', fn, name, async (body) => ({ status: 200, payload: this.updateAlias(fn, name, parse(AliasBody, await body())) }));
        if (method === 'DELETE') return this.op('DeleteAlias', fn, name, async () => this.deleteAlias(fn, name));
      }
      return undefined;
    }
    const pcPath = path.startsWith(PROVISIONED) ? /^([^/]+)\/provisioned-concurrency$/.exec(path.slice(PROVISIONED.length)) : null;
    if (!pcPath) return undefined;
    const fn = decodeURIComponent(pcPath[1]!);
    const qualifier = search.get('Qualifier') ?? undefined;
    if (method === 'GET' && search.get('List') === 'ALL') return this.op('ListProvisionedConcurrencyConfigs', fn, undefined, async () => ({ status: 200, payload: this.listProvisioned(fn) }));
    if (method === 'PUT') return this.op('PutProvisionedConcurrencyConfig', fn, qualifier, async (body) => ({ status: 202, payload: this.putProvisioned(fn, required(qualifier), parse(ProvisionedBody, await body()).ProvisionedConcurrentExecutions) }));
    if (method === 'GET') return this.op('GetProvisionedConcurrencyConfig', fn, qualifier, async () => ({ status: 200, payload: this.getProvisioned(fn, required(qualifier)) }));
    if (method === 'DELETE') return this.op('DeleteProvisionedConcurrencyConfig', fn, qualifier, async () => this.deleteProvisioned(fn, required(qualifier)));
    return undefined;
  }

  private op(action: string, fn: string, qualifier: string | undefined, answer: VersionsOperation['answer']): VersionsOperation {
    const arn = fn.startsWith('arn:') ? fn : this.plane.arn(fn);
    // the runtime's refusals (AwsApiError, in Lambda's words) are answered by the server
    return { action, resource: qualifier === undefined ? arn : `${arn}:${qualifier}`, answer };
  }

  private publish(fn: string): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    return this.plane.view(name, this.plane.runtime.publishVersion(name));
  }

  private listVersions(fn: string): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    return { Versions: [this.plane.view(name), ...this.plane.runtime.versions(name).map((v) => this.plane.view(name, v))] };
  }

  private createAlias(fn: string, body: z.infer<typeof AliasBody>): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    const alias = body.Name ?? '';
    if (!ALIAS_NAME.test(alias)) throw validationError(`1 validation error detected: Value '${alias}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
    if (this.plane.runtime.aliases(name)[alias] !== undefined) throw new LambdaApiError('ResourceConflictException', 409, `Alias already exists: ${this.plane.arn(name)}:${alias}`);
    this.plane.runtime.putAlias(name, alias, body.FunctionVersion ?? '');
    this.aliasMeta.set(`${name}:${alias}`, { description: body.Description ?? '', revisionId: randomUUID() });
    return this.aliasView(name, alias);
  }

  private getAlias(fn: string, alias: string): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    this.mustHaveAlias(name, alias);
    return this.aliasView(name, alias);
  }

  private updateAlias(fn: string, alias: string, body: z.infer<typeof AliasBody>): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    this.mustHaveAlias(name, alias);
    if (body.FunctionVersion !== undefined) this.plane.runtime.putAlias(name, alias, body.FunctionVersion);
    const meta = this.meta(name, alias);
    if (body.Description !== undefined) meta.description = body.Description;
    meta.revisionId = randomUUID();
    return this.aliasView(name, alias);
  }

  private deleteAlias(fn: string, alias: string): { status: number } {
    const name = this.plane.resolve(fn);
    this.plane.runtime.deleteAlias(name, alias);
    this.aliasMeta.delete(`${name}:${alias}`);
    this.provisionedModified.delete(`${name}:${alias}`);
    return { status: 204 };
  }

  private listAliases(fn: string): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    return { Aliases: Object.keys(this.plane.runtime.aliases(name)).map((alias) => this.aliasView(name, alias)) };
  }

  private putProvisioned(fn: string, qualifier: string, requested: number): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    this.plane.runtime.putProvisionedConcurrency(name, qualifier, requested);
    this.provisionedModified.set(`${name}:${qualifier}`, lastModified());
    return this.provisionedView(name, qualifier, this.plane.runtime.provisionedConcurrency(name, qualifier));
  }

  private getProvisioned(fn: string, qualifier: string): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    return this.provisionedView(name, qualifier, this.plane.runtime.provisionedConcurrency(name, qualifier));
  }

  private deleteProvisioned(fn: string, qualifier: string): { status: number } {
    const name = this.plane.resolve(fn);
    this.plane.runtime.deleteProvisionedConcurrency(name, qualifier);
    this.provisionedModified.delete(`${name}:${qualifier}`);
    return { status: 204 };
  }

  private listProvisioned(fn: string): Record<string, unknown> {
    const name = this.plane.resolve(fn);
    const configs = this.plane.runtime.provisionedConcurrencyConfigs(name);
    return { ProvisionedConcurrencyConfigs: configs.map((c) => ({ FunctionArn: `${this.plane.arn(name)}:${c.qualifier}`, ...this.provisionedView(name, c.qualifier, c) })) };
  }

  private mustHaveAlias(name: string, alias: string): void {
    if (this.plane.runtime.aliases(name)[alias] === undefined) throw resourceNotFound(`${this.plane.arn(name)}:${alias}`, 'Alias');
  }

  private meta(name: string, alias: string): AliasMeta {
    const key = `${name}:${alias}`;
    let meta = this.aliasMeta.get(key);
    if (!meta) this.aliasMeta.set(key, (meta = { description: '', revisionId: randomUUID() }));
    return meta;
  }

  /** AliasConfiguration as Lambda answers it. */
  private aliasView(name: string, alias: string): Record<string, unknown> {
    const meta = this.meta(name, alias);
    return { AliasArn: `${this.plane.arn(name)}:${alias}`, Name: alias, FunctionVersion: this.plane.runtime.aliases(name)[alias], Description: meta.description, RevisionId: meta.revisionId };
  }

  /** A provisioned concurrency configuration as Lambda answers it. */
  private provisionedView(name: string, qualifier: string, s: ProvisionedConcurrencyState): Record<string, unknown> {
    return {
      RequestedProvisionedConcurrentExecutions: s.requested,
      AvailableProvisionedConcurrentExecutions: s.available,
      AllocatedProvisionedConcurrentExecutions: s.allocated,
      Status: s.status,
      ...(s.statusReason ? { StatusReason: s.statusReason } : {}),
      LastModified: this.provisionedModified.get(`${name}:${qualifier}`) ?? STARTED,
    };
  }
}

/** What the stack's template configured was modified when the stack started. */
const STARTED = lastModified();

function required(qualifier: string | undefined): string {
  if (qualifier === undefined || qualifier === '') throw validationError("1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null");
  return qualifier;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw validationError(`1 validation error detected: Value at '${issue.path.join('.')}' failed to satisfy constraint: ${issue.message}`);
}
