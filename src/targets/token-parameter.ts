import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Target, TokenParameter } from './target.ts';

/**
 * Where a stack's $connect authorizer finds the token it expects, for the line that explains a
 * run refused with 403. The reference authorizer reads a Parameter Store parameter named by its
 * environment, and reads it again when a token does not match and its last read is older than
 * AUTH_TOKEN_REREAD_SECONDS (default 30): a token put or rotated there lets clients in within
 * that time, without a redeploy. The names are the reference stack's (the harness does not
 * import its code; a test compares them with reference-stack/functions/manifest.ts).
 */
export const TOKEN_PARAMETER_ENV = 'AUTH_TOKEN_PARAMETER';
export const TOKEN_REREAD_ENV = 'AUTH_TOKEN_REREAD_SECONDS';
export const DEFAULT_TOKEN_REREAD_SECONDS = 30;


/**
 * The authorizer function's token parameter, from its environment (GetFunctionConfiguration, the
 * permission a run on a stack by name already needs). Undefined when the function names none or
 * the call fails: the 403 line then says "the stack's token parameter", and the run goes on.
 */
export async function readTokenParameter(lambda: LambdaClient, functionName: string): Promise<TokenParameter | undefined> {
  try {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    const variables = config.Environment?.Variables ?? {};
    const name = variables[TOKEN_PARAMETER_ENV];
    if (!name) return undefined;
    const reread = Number(variables[TOKEN_REREAD_ENV]);
    return { name, rereadSeconds: Number.isFinite(reread) && reread > 0 ? reread : DEFAULT_TOKEN_REREAD_SECONDS };
  } catch {
    return undefined;
  }
}

/**
 * Where the token the target expects comes from, as the end of the 403 line's advice; undefined
 * for a stack whose authorizer the harness does not know (a URL of your own).
 */
export function expectedTokenSource(target: Pick<Target, 'local' | 'endpoints' | 'tokenParameter'>): string | undefined {
  const local = target.local?.auth as { parameterName?: unknown } | undefined;
  if (target.local) {
    const parameter = typeof local?.parameterName === 'string' ? ` ${local.parameterName}` : '';
    return `the local stack expects the token in the scenario's target.auth.tokenFile, else the run's own, which it puts in its parameter${parameter} when it starts`;
  }
  if (target.endpoints.services !== 'aws') return undefined;
  const p = target.tokenParameter;
  const where = p ? `its token parameter ${p.name}` : "the stack's token parameter";
  const within = p?.rereadSeconds ?? DEFAULT_TOKEN_REREAD_SECONDS;
  return `the value of ${where}; the authorizer reads a token put or rotated there within ${within} s, no redeploy needed`;
}
