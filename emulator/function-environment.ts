import type { StackDescription } from './stack-model/stack-description.ts';

/**
 * What the emulator wires into every function's environment, above anything a config sets: the
 * endpoints of this stack's services, reached through the SDK's standard AWS_ENDPOINT_URL_*
 * variables, the variables the stack itself wires (the reference stack's tables and Powertools
 * names), and, for a stack that names one, its callback-URL variable set to the local
 * @connections endpoint.
 */
export function stackEnvironment(
  stack: Pick<StackDescription, 'wiredEnvironment' | 'callbackUrlVariable'>,
  endpoints: { callbackUrl: string; dynamodb: string; ssm?: string },
): Record<string, string> {
  return {
    ...stack.wiredEnvironment,
    ...(stack.callbackUrlVariable === undefined ? {} : { [stack.callbackUrlVariable]: endpoints.callbackUrl }),
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    ...(endpoints.ssm === undefined ? {} : { AWS_ENDPOINT_URL_SSM: endpoints.ssm }),
  };
}

/**
 * A function's own credentials, as Lambda hands each function its role's: the session token that
 * says which function (and role) a call comes from (emulator/iam/role-sessions.ts). None for a
 * function whose role was not read, or with IAM off.
 */
export function roleSessionEnvironment(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { AWS_SESSION_TOKEN: token };
}
