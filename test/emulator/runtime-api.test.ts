import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, RuntimeApiServer, type RuntimeApiEvents } from '../../emulator/lambda/runtimes/runtime-api-server.ts';

// Lambda's Runtime API as one environment's runtime sees it, over real sockets: /next blocks until
// an invocation is delivered, with Lambda's headers; the answers to calls the runtime's state does
// not allow are Lambda's (aws-lambda-runtime-interface-emulator's rapi): 403 InvalidStateTransition,
// 400 InvalidRequestID, 413 past the payload limit, 404 and 405.

const servers: RuntimeApiServer[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

interface Heard {
  next: number;
  responses: Array<{ id: string; body: string; tooLarge: boolean }>;
  errors: Array<{ id: string; body: string; type?: string }>;
  initErrors: Array<{ body: string; type?: string }>;
}

async function api(): Promise<{ server: RuntimeApiServer; heard: Heard; url: (path: string) => string }> {
  const heard: Heard = { next: 0, responses: [], errors: [], initErrors: [] };
  const events: RuntimeApiEvents = {
    next: () => heard.next++,
    response: (id, body, tooLarge) => heard.responses.push({ id, body: body.toString(), tooLarge }),
    error: (id, body, type) => heard.errors.push({ id, body: body.toString(), type }),
    initError: (body, type) => heard.initErrors.push({ body: body.toString(), type }),
  };
  const server = await RuntimeApiServer.listen(events);
  servers.push(server);
  return { server, heard, url: (path) => `http://${server.address}/2018-06-01/runtime/${path}` };
}

const invocation = { requestId: 'req-1', deadlineMs: 1_800_000_000_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', traceId: 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0', body: '{"hello":"world"}' };

async function answer(res: Response): Promise<[number, unknown]> {
  const text = await res.text();
  return [res.status, text.startsWith('{') ? JSON.parse(text) : text];
}

const transition = (from: string, to: string) => ({
  errorType: 'InvalidStateTransition',
  errorMessage: `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`,
});

describe('the Runtime API of one environment', () => {
  it('serves on 127.0.0.1; /next blocks until an invocation is delivered, with Lambda\'s headers', async () => {
    const { server, heard, url } = await api();
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const pending = fetch(url('invocation/next'));
    await until(() => server.waiting);
    expect(heard.next).toBe(1);
    expect(server.deliver(invocation)).toBe(true);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('lambda-runtime-aws-request-id')).toBe('req-1');
    expect(res.headers.get('lambda-runtime-deadline-ms')).toBe('1800000000000');
    expect(res.headers.get('lambda-runtime-invoked-function-arn')).toBe(invocation.invokedFunctionArn);
    expect(res.headers.get('lambda-runtime-trace-id')).toBe(invocation.traceId);
    expect(await res.json()).toEqual({ hello: 'world' });
    // nothing is waiting now: a second delivery has nowhere to go
    expect(server.deliver({ ...invocation, requestId: 'req-2' })).toBe(false);
    expect(await answer(await fetch(url('invocation/req-1/response'), { method: 'POST', body: '{"statusCode":200}' }))).toEqual([202, { status: 'OK' }]);
    expect(heard.responses).toEqual([{ id: 'req-1', body: '{"statusCode":200}', tooLarge: false }]);
  });

  it('answers calls the state does not allow with 403 InvalidStateTransition, a wrong request id with 400', async () => {
    const { server, heard, url } = await api();
    const post = (path: string, body = '{}') => fetch(url(path), { method: 'POST', body }).then(answer);
    // before the first /next: no invocation to answer
    expect(await post('invocation/req-1/response')).toEqual([403, transition('Started', 'InvocationResponse')]);
    const first = fetch(url('invocation/next'));
    await until(() => server.waiting);
    // a second /next while one waits, and init/error once INIT is over
    expect(await answer(await fetch(url('invocation/next')))).toEqual([403, transition('Ready', 'Ready')]);
    expect(await post('init/error')).toEqual([403, transition('Ready', 'InitError')]);
    server.deliver(invocation);
    await (await first).text();
    // running: /next before answering, and an answer for another request
    expect(await answer(await fetch(url('invocation/next')))).toEqual([403, transition('Running', 'Ready')]);
    expect(await post('invocation/req-9/response')).toEqual([400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' }]);
    expect(await post('invocation/req-1/error', '{"errorMessage":"boom","errorType":"ValueError","stackTrace":[]}')).toEqual([202, { status: 'OK' }]);
    // answered once: not twice
    expect(await post('invocation/req-1/response')).toEqual([403, transition('RuntimeResponseSentState', 'InvocationResponse')]);
    expect(await post('invocation/req-1/error')).toEqual([403, transition('RuntimeResponseSentState', 'InvocationErrorResponse')]);
    expect(heard.errors).toEqual([{ id: 'req-1', body: '{"errorMessage":"boom","errorType":"ValueError","stackTrace":[]}', type: undefined }]);
    expect(heard.responses).toEqual([]);
    // and /next is allowed again
    const again = fetch(url('invocation/next'));
    await until(() => server.waiting);
    expect(heard.next).toBe(2);
    server.close();
    await again.catch(() => undefined);
  });

  it('takes an INIT error once, before the first /next, with its error-type header', async () => {
    const { heard, url } = await api();
    const init = () => fetch(url('init/error'), { method: 'POST', headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' }, body: '{"errorType":"Runtime.ImportModuleError"}' }).then(answer);
    expect(await init()).toEqual([202, { status: 'OK' }]);
    expect(heard.initErrors).toEqual([{ body: '{"errorType":"Runtime.ImportModuleError"}', type: 'Runtime.ImportModuleError' }]);
    expect(await init()).toEqual([403, transition('InitError', 'InitError')]);
    expect(await answer(await fetch(url('invocation/next')))).toEqual([403, transition('InitError', 'Ready')]);
  });

  it('refuses a response past Lambda\'s payload limit with 413, and says so to the environment', async () => {
    const { server, heard, url } = await api();
    const next = fetch(url('invocation/next'));
    await until(() => server.waiting);
    server.deliver(invocation);
    await (await next).text();
    const big = 'x'.repeat(MAX_PAYLOAD_BYTES + 1);
    expect(await answer(await fetch(url('invocation/req-1/response'), { method: 'POST', body: big }))).toEqual([
      413,
      { errorMessage: `Exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' },
    ]);
    expect(heard.responses).toEqual([{ id: 'req-1', body: '', tooLarge: true }]);
  });

  it('answers an unknown path 404 and a wrong method 405', async () => {
    const { url, server } = await api();
    expect(await answer(await fetch(url('invocation/req-1/nothing'), { method: 'POST' }))).toEqual([404, '404 page not found\n']);
    expect(await answer(await fetch(`http://${server.address}/2015-03-31/functions/f/invocations`, { method: 'POST' }))).toEqual([404, '404 page not found\n']);
    expect((await fetch(url('invocation/next'), { method: 'POST' })).status).toBe(405);
    expect((await fetch(url('invocation/req-1/response'))).status).toBe(405);
    expect((await fetch(url('init/error'))).status).toBe(405);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
