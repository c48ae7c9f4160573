import { FUNCTION_ENV } from '../reference-stack/functions/manifest.ts';
import { TABLE_DEFAULT_NAMES } from '../reference-stack/functions/shared/tables.ts';
import type { StackTableNames } from '../reference-stack/functions/stack-names.ts';

/**
 * Defaults the emulator gives the functions where this host differs from AWS; a function's own
 * `environment` in the config wins. POST_TIMEOUT_MS: on AWS a post answers in milliseconds and
 * the functions' 2 s bound only cuts off stuck ones, but here the functions share a few cores with
 * the gateway and the harness, and an oversubscribed host can hold a healthy post for seconds:
 * cutting it off would report the host's overload as lost deliveries.
 */
export const LOCAL_DEFAULT_ENV: Record<string, string> = { [FUNCTION_ENV.postTimeoutMs]: '20000' };

/**
 * What the stack wires into every function's environment, above anything a config sets: its
 * tables and the endpoints of this stack's services, reached through the SDK's standard
 * AWS_ENDPOINT_URL_* variables, and the Powertools names. `tables`: the stack's (default: the
 * default stack's, the manifest's names).
 */
export function wiredEnvironment(
  endpoints: { callbackUrl: string; dynamodb: string; ssm?: string },
  tables: StackTableNames = TABLE_DEFAULT_NAMES,
): Record<string, string> {
  return {
    [FUNCTION_ENV.connectionsTable]: tables.connections,
    [FUNCTION_ENV.roomMembersTable]: tables.roomMembers,
    [FUNCTION_ENV.messagesTable]: tables.messages,
    [FUNCTION_ENV.callbackUrl]: endpoints.callbackUrl,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    ...(endpoints.ssm === undefined ? {} : { AWS_ENDPOINT_URL_SSM: endpoints.ssm }),
    POWERTOOLS_SERVICE_NAME: 'fanout-chat',
    POWERTOOLS_METRICS_NAMESPACE: 'FanoutBench',
  };
}
