/**
 * What every handler does around its logic: an unexpected failure (here: DynamoDB unreachable) is
 * logged as one structured ERROR line and rethrown, so API Gateway answers
 * "Internal server error" and Lambda counts an error; user mistakes never throw.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStdout, frameOf, messageEvent, newConnectionId, setFunctionEnv, startConnectionsPeer } from './fixtures.ts';

let peer: Awaited<ReturnType<typeof startConnectionsPeer>>;
let createRoom: typeof import('../../reference-stack/functions/create-room.ts').handler;

beforeAll(async () => {
  peer = await startConnectionsPeer();
  // A port nobody listens on: take one, then free it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  setFunctionEnv(`http://127.0.0.1:${port}`, peer.callbackUrl, { AWS_MAX_ATTEMPTS: '1' });
  createRoom = (await import('../../reference-stack/functions/create-room.ts')).handler;
});

afterAll(async () => {
  await peer?.close();
});

describe('route wrapper', () => {
  it('logs an unexpected failure once at ERROR and rethrows it', async () => {
    const id = newConnectionId();
    const { result, stderr } = await captureStdout(() =>
      createRoom(messageEvent(id, 'createRoom', { action: 'createRoom', room: 'r1' })).then(
        () => 'resolved',
        (error: Error) => error,
      ),
    );
    expect(result).toBeInstanceOf(Error);
    const logged = stderr.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'route failed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'ERROR', service: 'fanout-chat', route: 'createRoom', connectionId: id });
    expect(logged[0].error).toMatchObject({ name: expect.any(String), message: expect.any(String) });
  });

  it('does not throw for a user mistake even when DynamoDB is unreachable', async () => {
    const result = await createRoom(messageEvent(newConnectionId(), 'createRoom', { action: 'createRoom', room: 'bad room' }));
    expect(frameOf(result)).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
