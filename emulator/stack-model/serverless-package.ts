import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import type { CodeSource } from './function-code.ts';

/**
 * A Serverless Framework package (`serverless package` leaves `.serverless/`): the CloudFormation
 * template it deploys (`cloudformation-template-update-stack.json`) and the zips beside it, one per
 * service or per function, each named by a function's `Code.S3Key` (the key under the deployment
 * bucket ends with the zip's name). The stack's name is Serverless's `{service}-{stage}`, read
 * from `serverless-state.json`, which also holds the resolved serverless.yml: where it declares a
 * WebSocket API that the template lacks (the old serverless-websockets-plugin made the API with
 * SDK calls at deploy time), that is said instead of "no API".
 *
 * The source file (serverless.yml) is not a template: the reader says to package it first.
 */
export const SERVERLESS_TEMPLATE = 'cloudformation-template-update-stack.json';
const STATE_FILE = 'serverless-state.json';

export interface ServerlessPackage {
  dir: string;
  templateFile: string;
  /** `{service}-{stage}` when the package says so */
  stackName?: string;
  /** what in serverless.yml declares a WebSocket API (e.g. `provider.websocketApiName`), when it does */
  declaredWebSocketApi?: string;
  codeSource: CodeSource;
}

/** The names the Serverless Framework looks for its service file under. */
const SOURCE_FILE = /^serverless\.(ya?ml|json|[cm]?[jt]s)$/;

/**
 * A Serverless Framework service file (serverless.yml) given where a template belongs: by its name,
 * or, read, by its shape (a `service` and a `provider`, no `Resources` section of its own).
 */
export function isServerlessSource(file: string, raw?: unknown): boolean {
  if (SOURCE_FILE.test(basename(file))) return true;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const o = raw as Record<string, unknown>;
  return 'service' in o && 'provider' in o && !('Resources' in o);
}

/** The one line for a Serverless source file: what to run first, and where its package lands. */
export function serverlessSourceRefusal(file: string): UserError {
  // named beside the file as the user gave it: `serverless.yml` → `.serverless`
  const shown = join(dirname(file), '.serverless');
  const template = join(shown, SERVERLESS_TEMPLATE);
  if (existsSync(template)) {
    return new UserError(`--template ${file}: a Serverless Framework service file, not its CloudFormation: its package is at ${template}: give --template ${shown}`);
  }
  return new UserError(`--template ${file}: a Serverless Framework service file, not its CloudFormation: run \`npx serverless package\` first (it writes ${template}), then --template ${shown}`);
}

/** The `.serverless/` directory of a path: the directory itself, or a project directory holding one. */
export function serverlessDirOf(path: string): string | undefined {
  for (const dir of [path, join(path, '.serverless')]) if (existsSync(join(dir, SERVERLESS_TEMPLATE))) return resolve(dir);
  return undefined;
}

const stateSchema = z
  .object({
    service: z
      .object({
        service: z.string(),
        provider: z.object({ stage: z.string().optional(), websocketApiName: z.unknown().optional(), websocketsApiName: z.unknown().optional() }).loose(),
        plugins: z.union([z.array(z.unknown()), z.object({ modules: z.array(z.unknown()).optional() }).loose()]).optional(),
        functions: z.record(z.string(), z.object({ events: z.array(z.unknown()).optional() }).loose().nullable()).optional(),
      })
      .loose(),
  })
  .loose();

/** The plugin that made a WebSocket API with SDK calls at deploy time, before the framework's own `websocket` events. */
const WEBSOCKETS_PLUGIN = 'serverless-websockets-plugin';

export function readServerlessPackage(dir: string): ServerlessPackage {
  let stackName: string | undefined;
  let declaredWebSocketApi: string | undefined;
  const stateFile = join(dir, STATE_FILE);
  if (existsSync(stateFile)) {
    // 16 MiB: the state holds the whole resolved serverless.yml, still far below this
    const state = stateSchema.safeParse(readDataFile(stateFile, { what: 'Serverless state file', maxBytes: 16 * 1024 * 1024 }));
    if (state.success) {
      stackName = `${state.data.service.service}-${state.data.service.provider.stage ?? 'dev'}`;
      declaredWebSocketApi = webSocketDeclaration(state.data.service);
    }
  }
  return {
    dir,
    templateFile: join(dir, SERVERLESS_TEMPLATE),
    ...(stackName ? { stackName } : {}),
    ...(declaredWebSocketApi ? { declaredWebSocketApi } : {}),
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

/** What in the resolved serverless.yml declares a WebSocket API, if anything does. */
function webSocketDeclaration(service: z.infer<typeof stateSchema>['service']): string | undefined {
  const plugins = Array.isArray(service.plugins) ? service.plugins : (service.plugins?.modules ?? []);
  if (plugins.includes(WEBSOCKETS_PLUGIN)) return `plugins: ${WEBSOCKETS_PLUGIN}`;
  for (const key of ['websocketApiName', 'websocketsApiName'] as const) if (service.provider[key] !== undefined) return `provider.${key}`;
  if ('websockets' in service) return 'websockets';
  for (const [name, fn] of Object.entries(service.functions ?? {})) {
    const event = fn?.events?.find((e): e is object => typeof e === 'object' && e !== null && ('websocket' in e || 'websockets' in e));
    if (event) return `functions.${name}.events: ${'websocket' in event ? 'websocket' : 'websockets'}`;
  }
  return undefined;
}
