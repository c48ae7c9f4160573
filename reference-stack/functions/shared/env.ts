import { z } from 'zod';
import { DEFAULT_POST_TIMEOUT_MS, FUNCTION_ENV } from '../manifest.ts';

/**
 * The functions' configuration, read and validated once per execution environment (module load),
 * so a misconfigured deployment fails its first invocation with a message naming the variable.
 */

/** Largest accepted payload (serialized JSON, bytes) for sendMessage and broadcast. */
export const MAX_PAYLOAD_BYTES_ENV = FUNCTION_ENV.maxPayloadBytes;


const positiveInt = (fallback: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]*$/, 'must be a positive integer')
    .transform(Number)
    .optional()
    .transform((v) => v ?? fallback);

const tableName = z.string({ error: 'is required (a DynamoDB table name)' }).min(1, 'is required (a DynamoDB table name)');

const EnvSchema = z.object({
  [FUNCTION_ENV.connectionsTable]: tableName,
  [FUNCTION_ENV.roomMembersTable]: tableName,
  [FUNCTION_ENV.messagesTable]: tableName,
  // Only the functions that post to connections need it; checked where that client is created.
  [FUNCTION_ENV.callbackUrl]: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  // Only the queued push's fan-out needs it; checked where that client is created.
  [FUNCTION_ENV.pushQueueUrl]: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL (the push queue\'s)' }).optional(),
  [FUNCTION_ENV.fanoutConcurrency]: positiveInt(16),
  [FUNCTION_ENV.postTimeoutMs]: positiveInt(DEFAULT_POST_TIMEOUT_MS),
  [MAX_PAYLOAD_BYTES_ENV]: positiveInt(32_768),
});

export interface FunctionConfig {
  connectionsTable: string;
  roomMembersTable: string;
  messagesTable: string;
  /** Base URL of the @connections management API, stage included (undefined if not set). */
  callbackUrl: string | undefined;
  /** The queued push's queue URL (undefined if not set). */
  pushQueueUrl: string | undefined;
  fanoutConcurrency: number;
  /** Each @connections post is aborted after this many ms. */
  postTimeoutMs: number;
  maxPayloadBytes: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): FunctionConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new Error(`fanout-chat: invalid environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    connectionsTable: e[FUNCTION_ENV.connectionsTable],
    roomMembersTable: e[FUNCTION_ENV.roomMembersTable],
    messagesTable: e[FUNCTION_ENV.messagesTable],
    callbackUrl: e[FUNCTION_ENV.callbackUrl],
    pushQueueUrl: e[FUNCTION_ENV.pushQueueUrl],
    fanoutConcurrency: e[FUNCTION_ENV.fanoutConcurrency],
    postTimeoutMs: e[FUNCTION_ENV.postTimeoutMs],
    maxPayloadBytes: e[MAX_PAYLOAD_BYTES_ENV],
  };
}

export const config: FunctionConfig = readConfig();
