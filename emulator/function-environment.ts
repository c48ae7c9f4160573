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

