import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';

/**
 * Signature Version 4 for API Gateway's calls to a service, made with the integration's
 * CredentialsArn role, by AWS's own signer (the one the SDK signs every call with): the emulator's
 * services know a role's session by its token (`X-Amz-Security-Token`, iam/role-sessions.ts) and
 * route by the credential scope; the key pair is the local one every function holds (the services
 * check no signatures).
 */

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Adds `x-amz-date`, the session token and `authorization` to `headers` (which must hold `host`). */
export async function signRequest(
  request: { method: string; path: string; query: string; headers: Record<string, string>; body: string },
  credentials: SigningCredentials,
  scope: { region: string; service: string },
  now = new Date(),
): Promise<void> {
  // no x-amz-content-sha256 header: only S3 requires one, and no service API Gateway integrates here is S3
  const signer = new SignatureV4({ credentials, region: scope.region, service: scope.service, sha256: NodeSha256, applyChecksum: false });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(request.query)) {
    const had = query[name];
    query[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  const [hostname, port] = request.headers.host!.split(':');
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: hostname!, ...(port ? { port: Number(port) } : {}), path: request.path, query, headers: { ...request.headers }, body: request.body },
    { signingDate: now },
  );
  Object.assign(request.headers, signed.headers);
}

/** SHA-256 (and its HMAC, given a secret) from node:crypto, in the shape the signer takes. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
}

function bytes(data: SourceData): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}
