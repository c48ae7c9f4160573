import { createHash, createHmac } from 'node:crypto';

/**
 * Signature Version 4 for API Gateway's calls to a service, made with the integration's
 * CredentialsArn role: the emulator's services know a role's session by its token
 * (`X-Amz-Security-Token`, iam/role-sessions.ts) and route by the credential scope; the key pair
 * is the local one every function holds (the services check no signatures).
 */

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Adds `x-amz-date`, the session token and `authorization` to `headers` (which must hold `host`). */
export function signRequest(
  request: { method: string; path: string; query: string; headers: Record<string, string>; body: string },
  credentials: SigningCredentials,
  scope: { region: string; service: string },
  now = new Date(),
): void {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  request.headers['x-amz-date'] = amzDate;
  if (credentials.sessionToken !== undefined) request.headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(request.headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  const signedHeaders = names.join(';');
  const canonicalQuery = request.query
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((part) => encodeRfc3986(decodeURIComponent(part.replace(/\+/g, ' ')))).join('='))
    .sort()
    .join('&');
  const canonical = [
    request.method,
    request.path.split('/').map((s) => encodeRfc3986(decodeURIComponent(s))).join('/'),
    canonicalQuery,
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    signedHeaders,
    sha256(request.body),
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(canonical)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [scope.region, scope.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
