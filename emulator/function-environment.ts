/**
 * What the emulator wires into every function's environment, above anything a config sets: the
 * endpoints of this stack's services, reached through the SDK's standard AWS_ENDPOINT_URL_*
 * variables. A function's own variables (a table's name, an AWS callback URL) are its template's:
 * the runtime sends its calls to AWS hosts to the emulator.
 */
export function stackEnvironment(endpoints: { dynamodb: string; ssm?: string }): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    ...(endpoints.ssm === undefined ? {} : { AWS_ENDPOINT_URL_SSM: endpoints.ssm }),
  };
}
