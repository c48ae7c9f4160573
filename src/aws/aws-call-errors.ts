import { UserError } from '../../common/errors.ts';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredToken',
  'ExpiredTokenException',
]);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

export interface AwsCall {
  /** what the line is about, e.g. `aws:FanoutBenchChat` */
  subject: string;
  /** the IAM action the call needs, e.g. cloudformation:DescribeStacks */
  action: string;
  /** the service, as the user knows it: CloudFormation, Lambda */
  service: string;
  region?: string;
  profile?: string;
}

/**
 * A failed AWS call made while resolving a target, as one line: a UserError (exit 2) where the fix
 * is the user's (no credentials, credentials refused, no permission, no region, an unreachable
 * endpoint), exit 1 where it is the service's (throttled past the SDK's retries, a server error).
 * Nothing secret is ever in the line: credential errors are named by their class only (a
 * credential_process or SSO message could quote its own output), and AWS's own messages name at
 * most the caller's ARN. Errors the caller knows better (a missing stack or function) are its to
 * recognise first; anything not from AWS is returned as it is (a bug keeps its stack).
 */
export function awsCallError(err: unknown, call: AwsCall): Error {
  if (!(err instanceof Error)) return new UserError(`${call.subject}: ${call.action} failed: ${String(err)}`, 1);
  if (err instanceof UserError) return err;
  const name = err.name;
  const code = (err as { code?: string }).code;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const said = oneLine(err.message);
  const where = call.region ? ` in ${call.region}` : '';
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(err.message)) {
    const profile = call.profile ?? process.env.AWS_PROFILE;
    return new UserError(
      `${call.subject}: no AWS credentials: the SDK's standard chain (environment, ${profile ? `profile "${profile}"` : 'profile'}, SSO, instance role) found none usable`,
    );
  }
  if (/region is missing/i.test(err.message)) {
    return new UserError(`${call.subject}: no AWS region: give --region, or set AWS_REGION or a region in the profile`);
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new UserError(`${call.subject}: AWS refused the credentials (${name}); check the profile or keys the SDK's standard chain picks up`);
  }
  if (ACCESS_DENIED.has(name) || (status === 403 && !BAD_CREDENTIALS.has(name))) {
    return new UserError(`${call.subject}: not allowed: ${call.action} is needed${where} (${name}: ${said})`);
  }
  if (THROTTLED.has(name)) {
    return new UserError(`${call.subject}: ${call.action} throttled by ${call.service} after the SDK's retries (${name}); try again later`, 1);
  }
  if ((code && NETWORK_CODES.has(code)) || name === 'TimeoutError') {
    return new UserError(`${call.subject}: cannot reach ${call.service}${where} (${code ?? name}: ${said})`);
  }
  if ((err as { $fault?: string }).$fault === 'server') return new UserError(`${call.subject}: ${call.action} failed${where}: ${name}: ${said}`, 1);
  if ((err as { $fault?: string }).$fault === 'client') return new UserError(`${call.subject}: ${call.action} refused${where}: ${name}: ${said}`);
  return err;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
