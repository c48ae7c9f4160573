/**
 * DynamoDB throttling against the real SDK: the functions reach dynalite through a local endpoint
 * that answers chosen operations with ProvisionedThroughputExceededException (fixtures.ts), so the
 * SDK's own retries, error classes and backoff all run. What must hold: every throttled attempt is
 * counted (DynamoDbThrottles), cleanups outlast throttling that outlasts the SDK's retries (no
 * stale rows), and a cleanup that still fails is counted (StaleCleanupFailures), never silent.
 */
import { describe, expect, it } from 'vitest';
import {
  captureStdout,
  connectEvent,
  disconnectEvent,
  emfDocuments,
  frameOf,
  getRow,
  membersOf,
  messageEvent,
  newConnectionId,
  TABLES,
  useChatBackend,
} from './fixtures.ts';

const chat = useChatBackend(['connect', 'disconnect', 'createRoom', 'joinRoom', 'sendMessage'], {}, { throttling: true });

/** Live members (the peer answers 200) in a fresh room, plus `staleCount` gone ones also in `otherRoom`. */
async function roomWithStale(room: string, otherRoom: string, liveCount: number, staleCount: number) {
  const live = Array.from({ length: liveCount }, () => newConnectionId());
  const stale = Array.from({ length: staleCount }, () => newConnectionId());
  for (const id of [...live, ...stale]) await chat.h.connect(connectEvent(id));
  for (const id of live) chat.peer.live.add(id);
  for (const r of [room, otherRoom]) await chat.h.createRoom(messageEvent(live[0]!, 'createRoom', { action: 'createRoom', room: r }));
  for (const id of live) await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room }));
  for (const id of stale) {
    for (const r of [room, otherRoom]) await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room: r }));
  }
  return { live, stale };
}

function metricsOf(lines: string[]): Record<string, unknown> {
  return Object.assign({}, ...emfDocuments(lines).filter((d) => !('ColdStart' in d)));
}

function throttledSoFar(): number {
  return [...chat.throttling.throttled.values()].reduce((a, b) => a + b, 0);
}

describe('DynamoDB throttling', () => {
  it('counts every throttled attempt, including the ones the SDK retried successfully', async () => {
    const { live } = await roomWithStale('t-count', 't-count-other', 2, 0);
    const before = throttledSoFar();
    chat.throttling.throttle('GetItem', 2);
    const { result, lines } = await captureStdout(() =>
      chat.h.sendMessage(messageEvent(live[0]!, 'sendMessage', { action: 'sendMessage', room: 't-count', payload: 1 })),
    );
    expect(frameOf(result)).toMatchObject({ type: 'sent', recipients: 2, gone: 0 });
    expect(throttledSoFar() - before).toBe(2);
    expect(metricsOf(lines)).toMatchObject({ DynamoDbThrottles: 2, FanoutDeliveries: 2 });
  });

  // The cleanup stops retrying after 5 s (so $disconnect stays inside its timeout): on a heavily
  // loaded CI host dynalite can be slow enough to use that budget up, so one retry is allowed,
  // on rooms of its own.
  let cleanRun = 0;
  it('the 410 cleanup outlasts throttling beyond the SDK retries: no stale row in any room, counted', { timeout: 30_000, retry: 1 }, async () => {
    const room = `t-clean-${++cleanRun}`;
    const { live, stale } = await roomWithStale(room, `${room}-other`, 2, 2);
    const before = throttledSoFar();
    // The SDK makes 3 attempts per call (dynamo-client.ts): 3 throttles outlast its retries once,
    // and the cleanup's own retry then succeeds.
    chat.throttling.throttle('BatchWriteItem', 3);
    const { result, lines } = await captureStdout(() =>
      chat.h.sendMessage(messageEvent(live[0]!, 'sendMessage', { action: 'sendMessage', room, payload: 1 })),
    );
    expect(frameOf(result)).toMatchObject({ type: 'sent', recipients: 4, gone: 2 });
    expect(throttledSoFar() - before).toBe(3);
    expect(metricsOf(lines)).toMatchObject({ DynamoDbThrottles: 3, StaleConnectionsRemoved: 2 });
    expect(metricsOf(lines)).not.toHaveProperty('StaleCleanupFailures');
    expect(await membersOf(chat.dynamo.doc, room)).toEqual([...live].sort());
    expect(await membersOf(chat.dynamo.doc, `${room}-other`)).toEqual([]);
    for (const id of stale) expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id })).toBeUndefined();
  });

  it('$disconnect outlasts throttling of its Query beyond the SDK retries, and of its BatchWriteItem', { timeout: 30_000 }, async () => {
    const { stale } = await roomWithStale('t-disc', 't-disc-other', 1, 1);
    const before = throttledSoFar();
    // 3 throttles outlast the SDK's attempts on the Query (≤ 3 s of its backoff, inside the
    // 5 s cleanup budget); 1 on the BatchWriteItem, which the SDK retries itself.
    chat.throttling.throttle('Query', 3);
    chat.throttling.throttle('BatchWriteItem', 1);
    const { result, lines } = await captureStdout(() => chat.h.disconnect(disconnectEvent(stale[0]!)));
    expect(result.statusCode).toBe(200);
    expect(throttledSoFar() - before).toBe(4);
    expect(metricsOf(lines)).toMatchObject({ DynamoDbThrottles: 4 });
    expect(await membersOf(chat.dynamo.doc, 't-disc')).not.toContain(stale[0]);
    expect(await membersOf(chat.dynamo.doc, 't-disc-other')).toEqual([]);
    expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: stale[0]! })).toBeUndefined();
  });

  it('a cleanup that cannot outlast the throttling is counted and logged, and the fan-out still answers', { timeout: 30_000 }, async () => {
    const { live, stale } = await roomWithStale('t-fail', 't-fail-other', 1, 2);
    const before = throttledSoFar();
    chat.throttling.throttle('BatchWriteItem', Infinity);
    try {
      const { result, lines, stderr } = await captureStdout(() =>
        chat.h.sendMessage(messageEvent(live[0]!, 'sendMessage', { action: 'sendMessage', room: 't-fail', payload: 1 })),
      );
      expect(frameOf(result)).toMatchObject({ type: 'sent', recipients: 3, gone: 2 });
      const m = metricsOf(lines);
      expect(m).toMatchObject({ StaleConnectionsRemoved: 0, StaleCleanupFailures: 2 });
      expect(m.DynamoDbThrottles).toBe(throttledSoFar() - before);
      const error = stderr.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'stale connection cleanup failed');
      expect(error).toMatchObject({ level: 'ERROR', gone: 2 });

      const disc = await captureStdout(() => chat.h.disconnect(disconnectEvent(stale[0]!)).then(
        () => expect.fail('$disconnect reported success with its rows still there'),
        (err: Error) => err,
      ));
      expect(disc.result.message).toMatch(/rows still unprocessed|provisioned throughput/i);
      expect(metricsOf(disc.lines)).toMatchObject({ StaleCleanupFailures: 1 });
    } finally {
      chat.throttling.reset();
    }
    // The rows are still there (counted above); the next fan-out meets the same 410 and removes them.
    expect(await membersOf(chat.dynamo.doc, 't-fail')).toEqual([...live, ...stale].sort());
    const retry = await captureStdout(() =>
      chat.h.sendMessage(messageEvent(live[0]!, 'sendMessage', { action: 'sendMessage', room: 't-fail', payload: 2 })),
    );
    expect(frameOf(retry.result)).toMatchObject({ gone: 2 });
    expect(await membersOf(chat.dynamo.doc, 't-fail')).toEqual(live);
    expect(await membersOf(chat.dynamo.doc, 't-fail-other')).toEqual([]);
  });
});
