import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./fleet-socket-tls-child.ts', import.meta.url));
const CERT = fileURLToPath(new URL('../fixtures/tls/localhost-cert.pem', import.meta.url));

async function run(trust: boolean): Promise<{ messages: string[]; errors: string[]; code: number }> {
  const env = { ...process.env };
  if (trust) env.NODE_EXTRA_CA_CERTS = CERT;
  else delete env.NODE_EXTRA_CA_CERTS;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD], { env, timeout: 20_000 });
  return JSON.parse(stdout);
}

describe('FleetSocket over wss://', () => {
  it('opens through a certificate the process trusts, reads a message spanning many TLS records, and closes with its code', async () => {
    const seen = await run(true);
    expect(seen).toEqual({ messages: ['echo:hi', 'echo:z…200005'], errors: [], code: 4000 });
  });

  it('keeps Node’s certificate check: a self-signed server it does not trust fails the handshake', async () => {
    const seen = await run(false);
    expect(seen.messages).toEqual([]);
    expect(seen.errors).toEqual(['DEPTH_ZERO_SELF_SIGNED_CERT']);
    expect(seen.code).toBe(1006);
  });
});
