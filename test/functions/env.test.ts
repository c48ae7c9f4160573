/** The functions' environment is validated once, at module load, with messages naming the variable. */
import { afterEach, describe, expect, it, vi } from 'vitest';

const BASE = {
  CONNECTIONS_TABLE: 'c',
  ROOM_MEMBERS_TABLE: 'm',
  MESSAGES_TABLE: 'h',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
};
const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

async function importWith(env: Record<string, string>, module: string) {
  process.env = { ...saved, ...env };
  vi.resetModules();
  return import(module);
}

describe('function environment', () => {
  it('applies the defaults: 16 posts in flight, posts aborted after 2 s, 32768-byte payloads', async () => {
    const { config } = await importWith(BASE, '../../reference-stack/functions/shared/env.ts');
    expect(config).toEqual({
      connectionsTable: 'c',
      roomMembersTable: 'm',
      messagesTable: 'h',
      callbackUrl: undefined,
      fanoutConcurrency: 16,
      postTimeoutMs: 2_000,
      maxPayloadBytes: 32_768,
    });
  });

  it('fails module load naming a missing table variable', async () => {
    const { MESSAGES_TABLE: _omit, ...rest } = BASE;
    await expect(importWith(rest, '../../reference-stack/functions/create-room.ts')).rejects.toThrow(
      /invalid environment: MESSAGES_TABLE is required/,
    );
  });

  it('fails module load for a bad FANOUT_CONCURRENCY, POST_TIMEOUT_MS or CALLBACK_URL', async () => {
    await expect(importWith({ ...BASE, POST_TIMEOUT_MS: '1.5s' }, '../../reference-stack/functions/whoami.ts')).rejects.toThrow(
      /POST_TIMEOUT_MS must be a positive integer/,
    );
    await expect(importWith({ ...BASE, FANOUT_CONCURRENCY: '0' }, '../../reference-stack/functions/whoami.ts')).rejects.toThrow(
      /FANOUT_CONCURRENCY must be a positive integer/,
    );
    await expect(importWith({ ...BASE, CALLBACK_URL: 'wss://x/prod' }, '../../reference-stack/functions/whoami.ts')).rejects.toThrow(
      /CALLBACK_URL must be an http\(s\) URL/,
    );
  });

  it('requires CALLBACK_URL only where posts are made', async () => {
    await expect(importWith(BASE, '../../reference-stack/functions/send-message.ts')).rejects.toThrow(/CALLBACK_URL is required/);
    await expect(importWith(BASE, '../../reference-stack/functions/broadcast.ts')).rejects.toThrow(/CALLBACK_URL is required/);
    const { handler } = await importWith(BASE, '../../reference-stack/functions/whoami.ts');
    expect(typeof handler).toBe('function');
  });
});
