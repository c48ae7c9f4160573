import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { AuthorizerAdvice } from '../metrics/measurement/refused-connects.ts';
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
 * What the harness knows of the target's $connect authorizer, for the line that explains a run
 * refused at $connect (refused-connects.ts): its identity source (the local stack's ready line; on
 * AWS the API's authorizer), where the run puts its token (`fills`) and where the token the stack
 * expects comes from.
 */
export function authorizerAdvice(target: Pick<Target, 'local' | 'endpoints' | 'tokenParameter' | 'authorizerIdentitySource' | 'connectColdFlag'>, fills: readonly string[]): AuthorizerAdvice {
  const identitySource = target.local?.auth?.identitySource ?? target.authorizerIdentitySource;
  const expected = expectedTokenSource(target);
  return { fills, ...(identitySource ? { identitySource } : {}), ...(expected ? { expected } : {}) };
}

/**
 * Where the token the target expects comes from, as the end of the refusal line's advice: a token
 * parameter the stack's authorizer reads (the local stack's, which it seeds with the run's token;
 * a deployed authorizer's, named by its environment, or the reference stack's); undefined for an
 * authorizer that reads none the harness knows of (a stack of your own: its token is its own).
 */
export function expectedTokenSource(target: Pick<Target, 'local' | 'endpoints' | 'tokenParameter' | 'connectColdFlag'>): string | undefined {
  if (target.local) {
    const parameter = target.local.auth?.parameterName;
    if (parameter === undefined) return undefined;
    return `the local stack expects the token in the scenario's target.auth.tokenFile, else the run's own, which it puts in its parameter ${parameter} when it starts`;
  }
  if (target.endpoints.services !== 'aws') return undefined;
  const p = target.tokenParameter;
  // no parameter named: only the reference stack's authorizer is known to read one
  if (!p && target.connectColdFlag !== true) return undefined;
  const where = p ? `its token parameter ${p.name}` : "the stack's token parameter";
  const within = p?.rereadSeconds ?? DEFAULT_TOKEN_REREAD_SECONDS;
  return `the value of ${where}; the authorizer reads a token put or rotated there within ${within} s, no redeploy needed`;
}
