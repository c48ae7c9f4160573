import type { PullProblem } from '../../contracts/cloudwatch-schema.ts';

/**
 * What could not be pulled, for the report: the error's class name and first message line.
 * SDK errors never carry secrets, but an access key id can appear in an IAM message; it is
 * masked anyway so a report can be shared.
 */
export function describeProblem(step: string, error: unknown): PullProblem {
  const e = (error ?? {}) as { name?: string; message?: string; code?: string; errors?: Array<{ message?: string }> };
  const errorName = e.name && e.name !== 'Error' ? e.name : (e.code ?? e.name ?? 'Error');
  // Node's AggregateError (IPv4 + IPv6 connect attempts) has an empty message; its parts do not.
  const message = e.message || e.errors?.map((x) => x.message).filter(Boolean).join('; ') || e.code || String(error);
  return { step, errorName, message: redact(message.split('\n')[0]).slice(0, 500) };
}

function redact(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1****************')
    .replace(/(Credential=|Signature=|X-Amz-Security-Token=)[^,\s&]+/gi, '$1****');
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);
const NO_IDENTITY = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TimeoutError',
]);

/**
 * True when no further call can succeed either (no endpoint, no credentials): the puller then
 * stops instead of failing the same way a dozen more times. A permission error on one API
 * (AccessDenied) is not such an error: another API may still be allowed.
 */
export function isHopeless(error: unknown): boolean {
  const e = (error ?? {}) as { name?: string; code?: string; cause?: { code?: string } };
  return NO_IDENTITY.has(e.name ?? '') || UNREACHABLE_CODES.has(e.code ?? '') || UNREACHABLE_CODES.has(e.cause?.code ?? '');
}
