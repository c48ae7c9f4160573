import { UserError } from '../../common/errors.ts';

/** The IAM action a Lambda API call needs, named in what the user is told. */
export type LambdaAction = 'lambda:GetFunctionConfiguration' | 'lambda:UpdateFunctionConfiguration' | 'lambda:PublishVersion' | 'lambda:UpdateAlias';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const BAD_CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'ExpiredToken', 'InvalidClientTokenId']);
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);

/**
 * A failed Lambda API call as one line naming the function: a UserError (printed as that line)
 * with exit 2 where the fix is the user's (no such function, no permission, no credentials, a
 * value the account refuses, an unreachable endpoint), exit 1 where it is the service's
 * (throttled past the SDK's retries, a server error). Credentials are never in the text: the
 * SDK's messages carry at most the caller's ARN.
 */
export function lambdaError(err: unknown, functionName: string, action: LambdaAction): Error {
  if (!(err instanceof Error)) return new UserError(`lambda function ${functionName}: ${action} failed: ${String(err)}`, 1);
  if (err instanceof UserError) return err;
  const name = err.name;
  const code = (err as { code?: string }).code;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const said = oneLine(err.message);
  const prefix = `lambda function ${functionName}`;
  if (name === 'ResourceNotFoundException') return new UserError(`${prefix}: no such function (${said})`);
  if (ACCESS_DENIED.has(name) || (status === 403 && !BAD_CREDENTIALS.has(name))) {
    return new UserError(`${prefix}: not allowed: ${action} is needed (${name}: ${said})`);
  }
  if (BAD_CREDENTIALS.has(name)) return new UserError(`${prefix}: AWS refused the credentials (${name}); check the profile or keys the SDK's standard chain picks up`);
  if (name === 'CredentialsProviderError') {
    return new UserError(`${prefix}: no AWS credentials: the SDK's standard chain (environment, profile, SSO, instance role) found none`);
  }
  if (name === 'InvalidParameterValueException' || name === 'ValidationException') return new UserError(`${prefix}: refused: ${said}`);
  if (THROTTLED.has(name)) return new UserError(`${prefix}: ${action} throttled by the Lambda API after the SDK's retries (${name}); try again later`, 1);
  if ((code && NETWORK_CODES.has(code)) || name === 'TimeoutError') {
    return new UserError(`${prefix}: cannot reach the Lambda API (${code ?? name}: ${said})`);
  }
  if ((err as { $fault?: string }).$fault !== undefined) return new UserError(`${prefix}: ${action} failed: ${name}: ${said}`, 1);
  return err;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
