import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectError, expectOk } from './lambda-test-helpers.ts';
import { deployedUserFunctions } from './user-function-dirs.ts';

/**
 * The `context` and the callback as AWS's Node runtime interface client defines them, held to its
 * source (aws/aws-lambda-nodejs-runtime-interface-client): real handlers
 * (test/fixtures/user-functions/context/index.js) in the real worker environments. Up to
 * nodejs22.x the RIC 3.x (src/Runtime.js, src/CallbackContext.js, src/InvokeContext.js,
 * src/Errors.js, src/WarningForCallbackHandlers.js); from nodejs24.x the 4.x rewrite
 * (src/context/context-builder.ts, src/function/callback-deprecation.ts, src/utils/error.ts).
 * Python's context is python-runtime.test.ts's. Each function has environments of its own, so
 * what one leaves pending never reaches another.
 */
let runtime: LambdaRuntime;
let logs: LogStore;
let fixtures: Awaited<ReturnType<typeof deployedUserFunctions>>;

const HANDLERS = ['about', 'failWith', 'callbackWith', 'succeedFirst', 'doneError', 'callbackThenReturn', 'returnThenCallback', 'plainReturn', 'throwsString', 'neverSettles', 'throwsLater', 'rejectsUnhandled', 'respondWith'];

beforeAll(async () => {
  fixtures = await deployedUserFunctions();
  logs = new LogStore();
  const fn = (name: string, handler: string, runtime: 'nodejs22.x' | 'nodejs24.x' = 'nodejs22.x', timeoutSeconds = 5) => ({
    name,
    code: { kind: 'handler' as const, dir: fixtures.dir('context'), handler: `index.${handler}` },
    memoryMB: 1024,
    timeoutSeconds,
    runtime,
  });
  runtime = await createLambdaRuntime({
    cpuModel: 'off',
    metrics: new MetricStore(),
    logs,
    functions: [
      ...HANDLERS.map((h) => fn(h, h)),
      fn('succeedPending', 'answerWithPending', 'nodejs22.x', 2),
      fn('callbackPending', 'answerWithPending', 'nodejs22.x', 1),
      fn('about24', 'about', 'nodejs24.x'),
      fn('failWith24', 'failWith', 'nodejs24.x'),
      fn('callbackWith24', 'callbackWith', 'nodejs24.x'),
      fn('throwsString24', 'throwsString', 'nodejs24.x'),
      fn('respondWith24', 'respondWith', 'nodejs24.x'),
    ],
  });
});

afterAll(async () => {
  await runtime?.close();
  await fixtures?.remove();
});

const messages = (fn: string): string[] => logs.filter({ logGroupName: `/aws/lambda/${fn}` })?.events.map((e) => e.message) ?? [];

describe('Node.js context, RIC 3.x (nodejs22.x and older)', () => {
  it('carries what InvokeContext.js and CallbackContext.js attach: the environment\'s data, the invocation\'s, and the callback-era members', async () => {
    const r = expectOk(await runtime.invoke('about', {}));
    const c = r.result as Record<string, any>;
    // InvokeContext.js _environmentalData + _headerData, CallbackContext.js callbackContext
    expect(c.keys).toEqual(
      [
        'awsRequestId', 'callbackWaitsForEmptyEventLoop', 'clientContext', 'done', 'fail', 'functionName', 'functionVersion', 'getRemainingTimeInMillis',
        'identity', 'invokedFunctionArn', 'logGroupName', 'logStreamName', 'memoryLimitInMB', 'succeed', 'tenantId',
      ].sort(),
    );
    expect(c.types).toMatchObject({ succeed: 'function', fail: 'function', done: 'function', getRemainingTimeInMillis: 'function', callbackWaitsForEmptyEventLoop: 'boolean', memoryLimitInMB: 'string' });
    expect(c).toMatchObject({
      functionName: 'about',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:about',
      memoryLimitInMB: '1024',
      awsRequestId: r.requestId,
      logGroupName: '/aws/lambda/about',
      logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
      // no Lambda-Runtime-Client-Context / -Cognito-Identity header: _parseJson gives undefined
      clientContext: 'undefined',
      identity: 'undefined',
      waits: true,
    });
    expect(c.remaining).toBeGreaterThan(0);
    expect(c.remaining).toBeLessThanOrEqual(5000);
  });

  it("parses an Invoke's ClientContext (Lambda-Runtime-Client-Context) as InvokeContext.js _parseJson does: JSON, or the invocation fails", async () => {
    const sent = { client: { installation_id: 'i-1' }, custom: { source: 'warmup' }, env: { locale: 'en' } };
    expect((expectOk(await runtime.invoke('about', {}, { clientContext: JSON.stringify(sent) })).result as Record<string, unknown>).clientContext).toEqual(sent);
    expect(expectError(await runtime.invoke('about', {}, { clientContext: 'not json' }))).toMatchObject({ errorType: 'Error', errorMessage: expect.stringMatching(/^Cannot parse ClientContext as json: SyntaxError: /) });
    // 4.x sets it only when it came
    const c = expectOk(await runtime.invoke('about24', {}, { clientContext: JSON.stringify(sent) })).result as Record<string, any>;
    expect(c.keys).toContain('clientContext');
    expect(c.clientContext).toEqual(sent);
  });

  it('answers a non-Error passed to fail or the callback as Errors.js toRapidResponse writes it: typeof and toString()', async () => {
    const cases: Array<[string, unknown, { errorType: string; errorMessage: string }]> = [
      ['failWith', 'Unauthorized', { errorType: 'string', errorMessage: 'Unauthorized' }],
      ['failWith', null, { errorType: 'string', errorMessage: 'handled' }], // fail() with nothing: done('handled')
      ['failWith', { code: 7 }, { errorType: 'object', errorMessage: '[object Object]' }],
      ['failWith', 'null-prototype', { errorType: 'handled', errorMessage: expect.stringMatching(/^callback called with Error argument, but there was a problem/) }],
      ['callbackWith', 42, { errorType: 'number', errorMessage: '42' }],
      ['callbackWith', false, { errorType: 'boolean', errorMessage: 'false' }], // only undefined and null are success
      ['callbackWith', { name: 'Custom', message: 'error-like', stack: 'Custom: error-like' }, { errorType: 'Custom', errorMessage: 'error-like' }],
    ];
    for (const [fn, error, expected] of cases) {
      expect(expectError(await runtime.invoke(fn, { error })), `${fn}(${JSON.stringify(error)})`).toMatchObject(expected);
    }
    expect(expectOk(await runtime.invoke('callbackWith', {})).result).toBeNull(); // callback(undefined): success, null
    // LogPatch.js logs Errors.intoError(err): the string becomes an Error's message
    expect(messages('failWith').some((m) => /\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"Unauthorized","stack":\["Error: Unauthorized"/.test(m))).toBe(true);
  });

  it('lets only the first of succeed, fail, done and the callback count (_wrappedCallbackContext\'s onlyAllowFirstCall)', async () => {
    expect(expectOk(await runtime.invoke('succeedFirst', {})).result).toBe('succeed');
    expect(expectError(await runtime.invoke('doneError', {}))).toMatchObject({ errorType: 'TypeError', errorMessage: 'done with an error' });
  });

  it('settles a returned promise through succeed and fail, so an earlier callback wins and a later one is ignored (Runtime.js)', async () => {
    expect(expectOk(await runtime.invoke('callbackThenReturn', {})).result).toBe('from the callback');
    expect(expectOk(await runtime.invoke('returnThenCallback', {})).result).toBe('from the promise');
  });

  it('once the loop is empty, answers null for a plain function that called nothing back, and Runtime.NodeJsExit for an async one that never settles', async () => {
    expect(expectOk(await runtime.invoke('plainReturn', {})).result).toBeNull();
    expect(expectError(await runtime.invoke('neverSettles', {}))).toMatchObject({
      errorType: 'Runtime.NodeJsExit',
      errorMessage: expect.stringMatching(/^The Lambda runtime client detected an unexpected Node\.js exit code/),
    });
    // thrown synchronously: through the callback, typeof and toString()
    expect(expectError(await runtime.invoke('throwsString', {}))).toMatchObject({ errorType: 'string', errorMessage: 'thrown string' });
  });

  it('answers what JSON makes of the result, and fails one JSON cannot write (RAPIDClient.js _trySerializeResponse)', async () => {
    expect(expectOk(await runtime.invoke('respondWith', {})).result).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(expectError(await runtime.invoke('respondWith', { cycle: true }))).toMatchObject({ errorType: 'Error', errorMessage: 'Unable to stringify response body' });
    // 4.x (utils/serialize.ts)
    expect(expectError(await runtime.invoke('respondWith24', { cycle: true }))).toMatchObject({ errorType: 'Runtime.JSONStringifyError', errorMessage: 'Unable to stringify response body' });
  });

  it('fails the invocation with an uncaught exception or an unhandled rejection, then exits (index.mjs, Runtime.js _setErrorCallbacks): the next one is cold', async () => {
    const first = expectError(await runtime.invoke('throwsLater', {}));
    expect(first).toMatchObject({ errorType: 'Error', errorMessage: 'Unauthorized' }); // an authorizer's 401, as on AWS
    expect(expectError(await runtime.invoke('throwsLater', {})).cold).toBe(true);
    expect(messages('throwsLater').some((m) => /\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"Unauthorized"/.test(m))).toBe(true);
    expect(messages('throwsLater').some((m) => m.includes('Invoke Error'))).toBe(false); // logged once, as uncaught
    expect(expectError(await runtime.invoke('rejectsUnhandled', {}))).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: nobody caught this' });
    expect(expectError(await runtime.invoke('rejectsUnhandled', {})).cold).toBe(true);
  });

  it('answers succeed at once with work pending; the callback waits for it (callbackWaitsForEmptyEventLoop)', async () => {
    // a 60 s timer is pending: succeed (done) never waits; the callback does, past the 1 s timeout
    expect(expectOk(await runtime.invoke('succeedPending', { pendingMs: 60_000, via: 'succeed' })).result).toBe('answered');
    expect(expectError(await runtime.invoke('callbackPending', { pendingMs: 60_000, via: 'callback' }))).toMatchObject({ errorType: 'Sandbox.Timedout' });
  });

  it('warns at INIT about a plain (event, context, callback) handler (WarningForCallbackHandlers.js), not about others', async () => {
    const warning = /\tWARN\tAWS Lambda plans to remove support for callback-based function handlers starting with Node\.js 24\./;
    expect(messages('callbackWith').filter((m) => warning.test(m))).toHaveLength(1);
    expect(messages('failWith').some((m) => warning.test(m))).toBe(false); // two parameters
    expect(messages('callbackThenReturn').some((m) => warning.test(m))).toBe(false); // async
  });
});

describe('Node.js context, RIC 4.x (nodejs24.x)', () => {
  it('awaits the handler and gives a context without the callback-era members (context-builder.ts)', async () => {
    const c = expectOk(await runtime.invoke('about24', {})).result as Record<string, any>;
    expect(c.keys).toEqual(
      ['awsRequestId', 'functionName', 'functionVersion', 'getRemainingTimeInMillis', 'invokedFunctionArn', 'logGroupName', 'logStreamName', 'memoryLimitInMB'].sort(),
    );
    expect(c.waits).toBeUndefined();
    // so context.fail is what it is there: not a function
    expect(expectError(await runtime.invoke('failWith24', { error: 'Unauthorized' }))).toMatchObject({ errorType: 'TypeError', errorMessage: 'context.fail is not a function' });
    expect(expectError(await runtime.invoke('throwsString24', {}))).toMatchObject({ errorType: 'string', errorMessage: 'thrown string' });
  });

  it('fails INIT for a handler declaring a callback (callback-deprecation.ts): Runtime.CallbackHandlerDeprecated', async () => {
    const r = expectError(await runtime.invoke('callbackWith24', {}));
    expect(r).toMatchObject({
      errorType: 'Runtime.CallbackHandlerDeprecated',
      errorMessage: expect.stringMatching(/^ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24\./),
    });
  });
});
