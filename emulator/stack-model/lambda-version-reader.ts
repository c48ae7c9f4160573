import { z } from 'zod';
import { lambdaNameOf } from './physical-ids.ts';
import { parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { FunctionAlias, FunctionVersion } from './stack-description.ts';
import { templateError } from './template-errors.ts';

const provisioned = z.strictObject({ ProvisionedConcurrentExecutions: z.coerce.number().int().min(1) }).optional();
const versionSchema = z.object({ FunctionName: z.string(), ProvisionedConcurrencyConfig: provisioned }).loose();
const aliasSchema = z
  .object({
    FunctionName: z.string(),
    FunctionVersion: z.string().regex(/^(\$LATEST|[0-9]+)$/, 'must be $LATEST or a version number'),
    Name: z.string(),
    ProvisionedConcurrencyConfig: provisioned,
    RoutingConfig: z.unknown().optional(),
  })
  .loose();

export interface VersionsRead {
  /** by the function's logical id */
  byFunction: Map<string, { versions: FunctionVersion[]; aliases: FunctionAlias[] }>;
  read: string[];
  /** what is read but not run (an alias's weighted routing) */
  warnings: string[];
}

/**
 * The published versions and aliases of the stack's running functions: AWS::Lambda::Version
 * (numbered from 1 per function in template order, as its Ref and `Fn::GetAtt … Version` give
 * them: physical-ids.ts) and AWS::Lambda::Alias (FunctionVersion: one of those numbers, or
 * `$LATEST`), with the ProvisionedConcurrencyConfig of each. SAM's AutoPublishAlias and
 * Serverless's and CDK's forms arrive as these resources (sam-transform.ts; a packaged or
 * synthesized template). Whether Lambda would take the provisioned concurrency is the runtime's
 * to say, in its words (emulator/lambda/refusal.ts), at start-up.
 */
export function readLambdaVersions(t: StackTemplate, running: ReadonlyMap<string, string>): VersionsRead {
  const out: VersionsRead = { byFunction: new Map(), read: [], warnings: [] };
  const of = (functionId: string) => {
    let entry = out.byFunction.get(functionId);
    if (!entry) out.byFunction.set(functionId, (entry = { versions: [], aliases: [] }));
    return entry;
  };
  for (const id of t.ofType('AWS::Lambda::Version')) {
    const p = parseProperties(t.file, id, versionSchema, t.properties(id));
    const functionId = running.get(lambdaNameOf(p.FunctionName));
    if (functionId === undefined) continue; // a function that does not run here: listed as not emulated
    const pc = p.ProvisionedConcurrencyConfig?.ProvisionedConcurrentExecutions;
    of(functionId).versions.push({ logicalId: id, ...(pc !== undefined ? { provisionedConcurrency: pc } : {}) });
    out.read.push(id);
  }
  for (const id of t.ofType('AWS::Lambda::Alias')) {
    const p = parseProperties(t.file, id, aliasSchema, t.properties(id));
    const functionId = running.get(lambdaNameOf(p.FunctionName));
    if (functionId === undefined) continue;
    const entry = of(functionId);
    const version = p.FunctionVersion === '$LATEST' ? '$LATEST' : Number(p.FunctionVersion);
    if (version !== '$LATEST' && version > entry.versions.length) {
      throw templateError(t.file, ['Resources', id, 'Properties', 'FunctionVersion'], `version ${version} of ${lambdaNameOf(p.FunctionName)} is not published by this template (it has ${entry.versions.length})`);
    }
    const pc = p.ProvisionedConcurrencyConfig?.ProvisionedConcurrentExecutions;
    entry.aliases.push({ logicalId: id, name: p.Name, version, ...(pc !== undefined ? { provisionedConcurrency: pc } : {}) });
    if (p.RoutingConfig !== undefined) out.warnings.push(`${id}: the alias's RoutingConfig (weighted versions) is not run: every invocation of ${p.Name} runs version ${p.FunctionVersion}`);
    out.read.push(id);
  }
  return out;
}
