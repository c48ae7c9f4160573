import type { IncomingHttpHeaders } from 'node:http';
import type { IamGate } from '../iam/iam-gate.ts';
import { localCallerArn, uniqueId } from '../iam-api/caller-identity.ts';

/**
 * IAM authorization of an HTTP API route or a REST method (`AWS_IAM`): API Gateway admits a
 * request signed with Signature Version 4 whose caller's policies allow `execute-api:Invoke` on
 * the method's ARN (`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`).
 * Here, as for every service of the emulator (iam-gate.ts), the caller is known by its signed
 * request's session token: a stack function's session is checked against its execution role (a
 * denial as the config's `iam` mode says: enforced, or reported and let through); any other
 * signed caller (the harness, a test, a backend with the local credentials) is the local user
 * every service takes it to be, whose policies the emulator does not hold: admitted. The
 * signature itself is not verified, as no service here verifies one. An unsigned request (no
 * `AWS4-HMAC-SHA256` Authorization header) is refused.
 */

/** Who a signed request came from, as the integration's event names it. */
export interface IamCaller {
  /** the access key id of the signature's Credential */
  accessKey: string;
  accountId: string;
  /** `AROA…:<function>` for a role session, `AIDA…` for the local user (IAM's aws:userid) */
  userId: string;
  userArn: string;
}

export type IamInvoke = { allowed: true; caller: IamCaller } | { allowed: false; unsigned: true } | { allowed: false; unsigned: false; message: string };

const SIGNED = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\//;

export function iamInvoke(headers: IncomingHttpHeaders, methodArn: string, accountId: string, gate: IamGate | undefined): IamInvoke {
  const signed = SIGNED.exec(typeof headers.authorization === 'string' ? headers.authorization : '');
  if (!signed) return { allowed: false, unsigned: true };
  const principal = gate?.principalOf(headers);
  if (principal && gate) {
    const message = gate.refuses(principal, 'execute-api:Invoke', methodArn, { words: (user) => `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}` });
    if (message !== undefined) return { allowed: false, unsigned: false, message };
    const userArn = gate.authorizer.principalArn(principal);
    return { allowed: true, caller: { accessKey: signed[1]!, accountId, userId: `${uniqueId('AROA', principal.roleArn)}:${principal.function}`, userArn } };
  }
  const userArn = localCallerArn(accountId);
  return { allowed: true, caller: { accessKey: signed[1]!, accountId, userId: uniqueId('AIDA', userArn), userArn } };
}

/** The ARN IAM evaluates for a request (`{apiId}/{stage}/{METHOD}{path}`, the path with its leading slash: `…/dev/POST/notify`). */
export function executeApiArn(region: string, accountId: string, apiId: string, stage: string, method: string, path: string): string {
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}/${method}${path}`;
}
