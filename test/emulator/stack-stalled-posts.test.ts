import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import { answer, emfSum, joinAll, openClients, readersFor, settle, type Member, type StackReaders } from './stack-fanout-helpers.ts';

// faults.stallPostShare = 0.5: half the @connections posts are never answered. The real
// sendMessage function (real SDK) must abort each after POST_TIMEOUT_MS, count the timeouts, and
// still deliver to everyone else, well before the Lambda timeout. Without the abort signal the
// stalled posts would hold the fan-out until the function timed out (5 s here) and the sender
// would get "Internal server error" instead of its `sent` answer.

const POST_TIMEOUT_MS = 400;
const FUNCTION_TIMEOUT_S = 5;
const MEMBERS = 16; // one wave of FANOUT_CONCURRENCY (16): every post starts at once

let described: DescribedStack;
let stack: RunningStack;
let readers: StackReaders;
let members: Member[] = [];

beforeAll(async () => {
  const config = defaultStackConfig({
    // no environments INIT'd ahead of need (the test warms the one it times itself)
    lambda: { preparedPerFunction: 0 },
    faults: { stallPostShare: 0.5 },
    functions: { 'fanout-send-message': { environment: { POST_TIMEOUT_MS: String(POST_TIMEOUT_MS) } } },
  });
  described = await describeStack(config, () => {});
  // the reference stack with a shorter Lambda timeout for sendMessage, as a deploy could set it
  const functions = described.stack.functions.map((f) => (f.name === 'fanout-send-message' ? { ...f, timeoutSeconds: FUNCTION_TIMEOUT_S } : f));
  stack = await startStack({ config, stack: { ...described.stack, functions }, log: () => {} });
  readers = readersFor(stack);
});

afterAll(async () => {
  for (const m of members) m.client.close();
  readers?.destroy();
  await stack?.close();
  await described?.dispose();
});

describe('a fan-out with stalled posts', () => {
  it('finishes within about the post timeout, counts the timeouts and delivers the rest', async () => {
    members = await openClients(stack, MEMBERS);
    await joinAll('stalls', members);
    const sender = members[0]!.client;
    // sendMessage's INIT outside the timed fan-out: a message to a room the sender is not in
    // runs it and posts nothing
    sender.send({ action: 'sendMessage', room: 'not-joined', payload: { n: 0 } });
    expect(await answer(sender, 'sent')).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER' });
    const since = Date.now();

    const started = performance.now();
    sender.send({ action: 'sendMessage', room: 'stalls', payload: { n: 1 } });
    const sent = await answer(sender, 'sent', FUNCTION_TIMEOUT_S * 1000 + 5_000);
    const tookMs = performance.now() - started;
    expect(sent).toMatchObject({ type: 'sent', recipients: MEMBERS, gone: 0 });
    // One wave of posts: the stalled ones end at the post timeout, far from the Lambda's.
    expect(tookMs).toBeLessThan(FUNCTION_TIMEOUT_S * 1000);

    const stalled = stack.gateway.stats().stalledPosts;
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(MEMBERS);

    const timeouts = await settle(() => emfSum(readers.cw, 'FanoutPostTimeouts', since), (n) => n > 0);
    const delivered = await emfSum(readers.cw, 'FanoutDeliveries', since);
    expect(timeouts).toBe(stalled);
    expect(delivered).toBe(MEMBERS - stalled);
    expect(await emfSum(readers.cw, 'FanoutPostErrors', since)).toBe(0);

    // Every post that was not stalled reached its client; no stalled one did.
    const got = (m: Member) => m.client.frames.some((f) => f.data.includes(sent.messageId));
    await settle(async () => members.filter(got).length, (n) => n === delivered, 5_000);
    expect(members.filter(got)).toHaveLength(MEMBERS - stalled);

    // One WARN line per fan-out says how many timed out.
    const warn = stack.logs.filter({ logGroupName: '/aws/lambda/fanout-send-message', filterPattern: '"posts to connections timed out"' })!;
    expect(warn.events).toHaveLength(1);
    expect(JSON.parse(warn.events[0]!.message)).toMatchObject({ level: 'WARN', timedOut: stalled, postTimeoutMs: POST_TIMEOUT_MS });
  });
});
