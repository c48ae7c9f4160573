import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { AssemblyManifest, AssetManifest, AwsCloudFormationStackProperties } from '@aws-cdk/cloud-assembly-schema';
import { UserError } from '../../common/errors.ts';
import type { CodeSource } from './function-code.ts';
import type { TemplateResource } from './resource-dependencies.ts';

/**
 * A CDK cloud assembly (`cdk synth`'s `cdk.out`): its manifest loaded and validated by the CDK's
 * own schema package, the stack chosen (the only one, or the one `--stack-name` names; stacks of
 * nested assemblies such as CDK Stages count too), its template, the parameter values the
 * assembly passes at deploy, and each function's asset directory: the resource's
 * `aws:asset:path` metadata, or the asset manifest's file whose S3 object key is the function's
 * S3Key. An asset's path must stay inside the assembly.
 */
export interface CdkStack {
  stackName: string;
  templateFile: string;
  /** parameter values the assembly passes at deploy (the template's defaults otherwise) */
  parameters: Record<string, string>;
  codeSource(resources: Record<string, TemplateResource>): CodeSource;
}

interface FoundStack {
  id: string;
  stackName: string;
  dir: string;
  properties: AwsCloudFormationStackProperties;
  assets: Array<{ dir: string; manifest: AssetManifest }>;
}

/** A manifest is small (the reference stack's is 30 KB); a bigger file is not read whole. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** Nested assemblies deeper than this are not searched (a stage in a stage in a stage is the most anyone writes). */
const MAX_NESTING = 4;

export function isCloudAssembly(dir: string): boolean {
  return existsSync(join(dir, 'manifest.json'));
}

export function readCdkAssembly(dir: string, stackName: string | undefined): CdkStack {
  const root = resolve(dir);
  const stacks = findStacks(root, root, 0);
  if (stacks.length === 0) throw new UserError(`${dir}: the cloud assembly has no CloudFormation stack`);
  let chosen: FoundStack | undefined;
  if (stackName !== undefined) {
    chosen = stacks.find((s) => s.stackName === stackName) ?? stacks.find((s) => s.id === stackName);
    if (!chosen) throw new UserError(`${dir}: no stack ${stackName} in the cloud assembly (it has ${stacks.map((s) => s.stackName).join(', ')})`);
  } else if (stacks.length > 1) {
    throw new UserError(`${dir}: the cloud assembly has ${stacks.length} stacks (${stacks.map((s) => s.stackName).join(', ')}): choose one with --stack-name`);
  } else {
    chosen = stacks[0]!;
  }
  const stack = chosen;
  const templateFile = inside(root, stack.dir, stack.properties.templateFile, `${dir}: stack ${stack.stackName}'s templateFile`);
  return {
    stackName: stack.stackName,
    templateFile,
    parameters: { ...(stack.properties.parameters ?? {}) },
    codeSource: (resources) => ({
      localCode(logicalId, code) {
        const metadataPath = resources[logicalId]?.Metadata?.['aws:asset:path'];
        if (typeof metadataPath === 'string') return inside(root, stack.dir, metadataPath, `${templateFile}: resource ${logicalId} Metadata aws:asset:path`);
        const key = (code as { S3Key?: unknown } | undefined)?.S3Key;
        if (typeof key !== 'string') return undefined;
        for (const { dir: assetDir, manifest } of stack.assets) {
          for (const file of Object.values(manifest.files ?? {})) {
            if (!file.source.path) continue;
            if (Object.values(file.destinations).some((d) => d.objectKey === key)) {
              return inside(root, assetDir, file.source.path, `${templateFile}: resource ${logicalId} property Code (asset ${key})`);
            }
          }
        }
        return undefined;
      },
    }),
  };
}

/**
 * The CDK's schema package, loaded when an assembly is read: it is large CommonJS, and every stack
 * start (most of them from a template or the reference stack) would otherwise pay its load.
 */
function cdkSchema(): typeof import('@aws-cdk/cloud-assembly-schema') {
  const require = createRequire(import.meta.url);
  return require('@aws-cdk/cloud-assembly-schema') as typeof import('@aws-cdk/cloud-assembly-schema');
}

function findStacks(root: string, dir: string, depth: number): FoundStack[] {
  const { ArtifactType, Manifest } = cdkSchema();
  const file = join(dir, 'manifest.json');
  let manifest: AssemblyManifest;
  refuseLarge(file);
  try {
    manifest = Manifest.loadAssemblyManifest(file, { skipVersionCheck: true });
  } catch (err) {
    throw new UserError(`${file}: not a valid cloud assembly manifest (${(err as Error).message.split('\n')[0]})`);
  }
  const artifacts = manifest.artifacts ?? {};
  const assets: FoundStack['assets'] = [];
  // the schema's properties are a union over artifact types, so the fields read here are checked here
  const field = (id: string, properties: unknown, name: string): string => {
    const value = (properties as Record<string, unknown> | undefined)?.[name];
    if (typeof value !== 'string' || value === '') throw new UserError(`${file}: not a valid cloud assembly manifest (artifact ${id} has no properties.${name})`);
    return value;
  };
  for (const [id, a] of Object.entries(artifacts)) {
    if (a.type !== ArtifactType.ASSET_MANIFEST) continue;
    const assetFile = inside(root, dir, field(id, a.properties, 'file'), `${file}: asset manifest`);
    refuseLarge(assetFile);
    try {
      assets.push({ dir: dirname(assetFile), manifest: Manifest.loadAssetManifest(assetFile) });
    } catch (err) {
      throw new UserError(`${assetFile}: not a valid asset manifest (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const out: FoundStack[] = [];
  for (const [id, a] of Object.entries(artifacts)) {
    if (a.type === ArtifactType.AWS_CLOUDFORMATION_STACK) {
      field(id, a.properties, 'templateFile');
      const properties = a.properties as AwsCloudFormationStackProperties;
      out.push({ id, stackName: properties.stackName ?? id, dir, properties, assets });
    } else if (a.type === ArtifactType.NESTED_CLOUD_ASSEMBLY && depth < MAX_NESTING) {
      const nested = inside(root, dir, field(id, a.properties, 'directoryName'), `${file}: nested assembly ${id}`);
      out.push(...findStacks(root, nested, depth + 1));
    }
  }
  return out;
}

function refuseLarge(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UserError(`${file}: does not exist`);
  }
  if (size > MAX_MANIFEST_BYTES) throw new UserError(`${file}: larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB, more than a cloud assembly manifest is`);
}

/** A path the assembly names, which must stay inside the assembly (an untrusted manifest could name /etc). */
function inside(root: string, base: string, path: string, what: string): string {
  const full = resolve(base, path);
  const rel = relative(root, full);
  if (rel.startsWith('..') || rel.startsWith(sep) || resolve(root, rel) !== full) throw new UserError(`${what}: ${path} is outside the cloud assembly`);
  return full;
}
