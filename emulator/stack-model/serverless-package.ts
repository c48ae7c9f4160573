import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import type { CodeSource } from './function-code.ts';

/**
 * A Serverless Framework package (`serverless package` leaves `.serverless/`): the CloudFormation
 * template it deploys (`cloudformation-template-update-stack.json`) and the zips beside it, one per
 * service or per function, each named by a function's `Code.S3Key` (the key under the deployment
 * bucket ends with the zip's name). The stack's name is Serverless's `{service}-{stage}`, read
 * from `serverless-state.json`.
 */
export const SERVERLESS_TEMPLATE = 'cloudformation-template-update-stack.json';
const STATE_FILE = 'serverless-state.json';

export interface ServerlessPackage {
  dir: string;
  templateFile: string;
  /** `{service}-{stage}` when the package says so */
  stackName?: string;
  codeSource: CodeSource;
}

/** The `.serverless/` directory of a path: the directory itself, or a project directory holding one. */
export function serverlessDirOf(path: string): string | undefined {
  for (const dir of [path, join(path, '.serverless')]) if (existsSync(join(dir, SERVERLESS_TEMPLATE))) return resolve(dir);
  return undefined;
}

const stateSchema = z.object({ service: z.object({ service: z.string(), provider: z.object({ stage: z.string().optional() }).loose() }).loose() }).loose();

export function readServerlessPackage(dir: string): ServerlessPackage {
  let stackName: string | undefined;
  const stateFile = join(dir, STATE_FILE);
  if (existsSync(stateFile)) {
    // 16 MiB: the state holds the whole resolved serverless.yml, still far below this
    const state = stateSchema.safeParse(readDataFile(stateFile, { what: 'Serverless state file', maxBytes: 16 * 1024 * 1024 }));
    if (state.success) stackName = `${state.data.service.service}-${state.data.service.provider.stage ?? 'dev'}`;
  }
  return {
    dir,
    templateFile: join(dir, SERVERLESS_TEMPLATE),
    ...(stackName ? { stackName } : {}),
    codeSource: {
      localCode(logicalId, code) {
        const key = (code as { S3Key?: unknown } | undefined)?.S3Key;
        if (typeof key !== 'string' || !key.endsWith('.zip')) return undefined;
        // the zip's own name, never a path the template spells out
        const zip = join(dir, basename(key));
        if (!existsSync(zip)) throw new UserError(`${join(dir, SERVERLESS_TEMPLATE)}: resource ${logicalId} property Code.S3Key: ${basename(key)} (the S3Key ${key}) is not in ${dir}: run serverless package again`);
        return zip;
      },
    },
  };
}
