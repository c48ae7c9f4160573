import { describe, expect, it } from 'vitest';
import { FunctionErrorAccumulator } from '../../src/metrics/cloudwatch/function-errors.ts';
import { classifyLoggedLine, endsTraceback, isTracebackHeader, tracebackBlock } from '../../src/metrics/cloudwatch/logged-errors.ts';

/** Error-level lines a function's own code writes and goes on, as Lambda's runtimes write them. */
const RID = '8f5c2d1e-0b6a-4c3e-9f11-2a7b9c0d4e5f';
const DENIAL =
  'User: arn:aws:sts::000000000000:assumed-role/chat-SendRole-AB12/chat-Send-CD34 is not authorized to perform: execute-api:ManageConnections on resource: arn:aws:execute-api:us-east-1:********0000:k3x9a1b2c3/prod/POST/@connections/{connectionId}';

describe('an SDK v3 error logged with console.error', () => {
  it("finds the function's own frame though the inspected error's own properties follow it on its line", () => {
    const line =
      "2026-11-28T00:05:47.967Z\t797f5561-ccc2-4925-86f7-defd31011eea\tERROR\tarchive copy failed: ForbiddenException: Forbidden\r" +
      '    at AwsRestJsonProtocol.handleError (/var/runtime/node_modules/@aws-sdk/core/dist-cjs/submodules/protocols/index.js:386:27)\r' +
      '    at process.processTicksAndRejections (node:internal/process/task_queues:103:5)\r' +
      '    at async /var/runtime/node_modules/@aws-sdk/core/dist-cjs/submodules/client/index.js:138:26\r' +
      "    at async handler (file:///var/task/broadcast.mjs:24:7) {\r  '$fault': 'client',\r  '$metadata': { httpStatusCode: 403 }\r}";
    expect(classifyLoggedLine(line)).toMatchObject({ kind: 'ForbiddenException', firstFrame: 'broadcast.mjs:24 (async handler)', logged: true });
    expect(classifyLoggedLine(line.replace('async handler (file:///var/task/broadcast.mjs:24:7) {', 'async file:///var/task/broadcast.mjs:24:7 {'))).toMatchObject({ firstFrame: 'broadcast.mjs:24' });
  });
});

describe('classifyLoggedLine: Node, text format', () => {
  it("console.error of a caught post failure: the error's name in the message is its kind, the denied call named", () => {
    const line = `2026-03-02T10:00:01.500Z\t${RID}\tERROR\tposts failed: 24 of 24: AccessDeniedException: ${DENIAL}`;
    expect(classifyLoggedLine(line)).toEqual({
      kind: 'AccessDeniedException',
      message: `posts failed: 24 of 24: AccessDeniedException: ${DENIAL}`,
      phase: 'invoke',
      firstFrame: null,
      logged: true,
      denied: { principal: 'arn:aws:sts::000000000000:assumed-role/chat-SendRole-AB12/chat-Send-CD34', action: 'execute-api:ManageConnections', resource: 'arn:aws:execute-api:us-east-1:********0000:k3x9a1b2c3/prod/POST/@connections/{connectionId}' },
    });
  });

  it('a long message is clipped, the denied call it names kept whole', () => {
    const line = `2026-03-02T10:00:01.500Z\t${RID}\tERROR\tposts failed: 24 of 24 after ${'retrying '.repeat(30)}: AccessDeniedException: ${DENIAL}`;
    const e = classifyLoggedLine(line)!;
    expect(e.message.length).toBeLessThanOrEqual(500);
    expect(e.denied?.resource).toBe('arn:aws:execute-api:us-east-1:********0000:k3x9a1b2c3/prod/POST/@connections/{connectionId}');
  });

  it('console.error(err): the stack rides in the same event (carriage returns), its first own frame kept', () => {
    const line = `2026-03-02T10:00:01.500Z\t${RID}\tERROR\tGoneException: Gone\r    at de_GoneExceptionRes (/var/runtime/node_modules/@aws-sdk/client-apigatewaymanagementapi/dist-cjs/index.js:312:21)\r    at async post (file:///var/task/send.mjs:14:7)`;
    expect(classifyLoggedLine(line)).toEqual({ kind: 'GoneException', message: 'GoneException: Gone', phase: 'invoke', firstFrame: 'send.mjs:14 (async post)', logged: true });
  });

  it('a message naming no error is a "logged error"; during INIT its request id is undefined', () => {
    expect(classifyLoggedLine(`2026-03-02T10:00:00.100Z\tundefined\tERROR\tconfig missing, using defaults`)).toEqual({ kind: 'logged error', message: 'config missing, using defaults', phase: 'init', firstFrame: null, logged: true });
    expect(classifyLoggedLine(`2026-03-02T10:00:00.100Z\t${RID}\tERROR\tError: boom`)).toMatchObject({ kind: 'Error', message: 'Error: boom' });
  });

  it("the runtime's report of a thrown error, other levels and platform lines are not logged errors", () => {
    expect(classifyLoggedLine(`2026-03-02T10:00:01.500Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"x","stack":[]}`)).toBeNull();
    expect(classifyLoggedLine(`2026-03-02T10:00:00.120Z\tundefined\tERROR\tUncaught Exception \t{"errorType":"Runtime.ImportModuleError"}`)).toBeNull();
    expect(classifyLoggedLine(`2026-03-02T10:00:01.500Z\t${RID}\tWARN\tAccessDeniedException: slow`)).toBeNull();
    expect(classifyLoggedLine(`2026-03-02T10:00:01.500Z\t${RID}\tINFO\tERROR in the payload`)).toBeNull();
    expect(classifyLoggedLine(`REPORT RequestId: ${RID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t`)).toBeNull();
    expect(classifyLoggedLine("[ERROR] KeyError: 'Item'\rTraceback (most recent call last):")).toBeNull();
  });
});

describe('classifyLoggedLine: Python, text format', () => {
  it("logging.error: boto3's error code is the kind", () => {
    const line = `[ERROR]\t2026-03-02T10:00:01.512Z\t${RID}\tpost failed: An error occurred (AccessDeniedException) when calling the PostToConnection operation: ${DENIAL}`;
    expect(classifyLoggedLine(line)).toMatchObject({ kind: 'AccessDeniedException', phase: 'invoke', firstFrame: null, logged: true, denied: { action: 'execute-api:ManageConnections' } });
  });

  it('logging.exception: the message, then the traceback; the exception and its innermost own frame', () => {
    const line = [
      `[ERROR]\t2026-03-02T10:00:01.512Z\t${RID}\tcould not post`,
      'Traceback (most recent call last):',
      '  File "/var/task/app.py", line 31, in send_message',
      '    api.post_to_connection(Data=data, ConnectionId=cid)',
      '  File "/var/runtime/botocore/client.py", line 960, in _make_api_call',
      '    raise error_class(parsed_response, operation_name)',
      'botocore.errorfactory.GoneException: An error occurred (GoneException) when calling the PostToConnection operation: ',
    ].join('\r');
    expect(classifyLoggedLine(line)).toEqual({
      kind: 'GoneException',
      message: 'could not post: GoneException: An error occurred (GoneException) when calling the PostToConnection operation:',
      phase: 'invoke',
      firstFrame: 'app.py:31 in send_message',
      logged: true,
    });
  });

  it('logging.critical, and a line logged during INIT (no request id)', () => {
    expect(classifyLoggedLine(`[CRITICAL]\t2026-03-02T10:00:00.012Z\t\ttable name missing`)).toEqual({ kind: 'logged error', message: 'table name missing', phase: 'init', firstFrame: null, logged: true });
    expect(classifyLoggedLine(`[WARNING]\t2026-03-02T10:00:00.012Z\t${RID}\tValueError soon`)).toBeNull();
  });
});

describe('classifyLoggedLine: the JSON log format', () => {
  it('Node: console.error with a message and an Error (errorType, errorMessage, stackTrace beside it)', () => {
    const line = JSON.stringify({
      timestamp: '2026-03-02T10:00:01.500Z',
      level: 'ERROR',
      requestId: RID,
      message: 'posts failed: 2 of 2 AccessDeniedException: …',
      errorType: 'AccessDeniedException',
      errorMessage: DENIAL,
      stackTrace: ['AccessDeniedException: …', '    at async Promise.allSettled (index 0)', '    at async Runtime.handler (file:///var/task/send.mjs:22:19)'],
    });
    expect(classifyLoggedLine(line)).toMatchObject({ kind: 'AccessDeniedException', phase: 'invoke', firstFrame: 'send.mjs:22 (async Runtime.handler)', logged: true, denied: { action: 'execute-api:ManageConnections' } });
  });

  it('Node: console.error(err) alone (the error inside the message); FATAL too', () => {
    const line = JSON.stringify({ timestamp: 't', level: 'FATAL', requestId: RID, message: { errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'S')", stackTrace: ['TypeError: …', '    at handler (/var/task/app.js:9:30)'] } });
    expect(classifyLoggedLine(line)).toEqual({ kind: 'TypeError', message: "TypeError: Cannot read properties of undefined (reading 'S')", phase: 'invoke', firstFrame: 'app.js:9 (handler)', logged: true });
  });

  it("Python: logging.exception's fields (message, errorType, errorMessage, stackTrace of traceback lines)", () => {
    const line = JSON.stringify({
      timestamp: '2026-03-02T10:00:01.512Z',
      level: 'ERROR',
      message: 'could not post',
      logger: 'root',
      requestId: RID,
      errorType: 'ClientError',
      errorMessage: 'An error occurred (ThrottlingException) when calling the PutItem operation: Rate exceeded',
      stackTrace: ['  File "/var/task/app.py", line 14, in handler\n    table.put_item(Item=item)\n'],
    });
    expect(classifyLoggedLine(line)).toEqual({
      kind: 'ThrottlingException',
      message: 'could not post: ClientError: An error occurred (ThrottlingException) when calling the PutItem operation: Rate exceeded',
      phase: 'invoke',
      firstFrame: 'app.py:14 in handler',
      logged: true,
    });
  });

  it("a thrown error's report (its invocation failed) is the runtime's, not a logged one; other levels and platform events are not errors", () => {
    const thrown = JSON.stringify({ timestamp: 't', level: 'ERROR', requestId: RID, message: { errorType: 'Error', errorMessage: 'boom', stackTrace: [] } });
    expect(classifyLoggedLine(thrown, (id) => id === RID)).toBeNull();
    expect(classifyLoggedLine(thrown, () => false)).toMatchObject({ kind: 'Error', logged: true });
    expect(classifyLoggedLine(JSON.stringify({ timestamp: 't', level: 'WARN', requestId: RID, message: 'AccessDeniedException' }))).toBeNull();
    expect(classifyLoggedLine(JSON.stringify({ time: 't', type: 'platform.runtimeDone', record: { requestId: RID, status: 'error' } }))).toBeNull();
    expect(classifyLoggedLine('{not json')).toBeNull();
  });
});

describe("a runtime's or a library's warning is not a logged error, told by its shape", () => {
  it("Node's process warnings, written by console.error at ERROR: the SDK v3's NodeVersionSupportWarning, a deprecation with its code, the SDK v2's NOTE, the trace hint", () => {
    // process.emitWarning(`NodeVersionSupportWarning: The AWS SDK …`) under the default name `Warning`, as @aws-sdk/core emits it
    const sdk = `2026-03-02T10:00:00.100Z\tundefined\tERROR\t(node:8) Warning: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\rwill no longer support Node.js v18.20.8 in January 2026.`;
    const deprecation = `2026-03-02T10:00:01.500Z\t${RID}\tERROR\t(node:8) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues.`;
    const note = `2026-03-02T10:00:00.100Z\tundefined\tERROR\t(node:8) NOTE: The AWS SDK for JavaScript (v2) is in maintenance mode.`;
    const hint = `2026-03-02T10:00:00.100Z\tundefined\tERROR\t(Use \`node --trace-warnings ...\` to show where the warning was created)`;
    for (const line of [sdk, deprecation, note, hint]) expect(classifyLoggedLine(line), line).toBeNull();
    // the JSON format: the same text at level ERROR; a WARN line is no error at any text
    expect(classifyLoggedLine(JSON.stringify({ timestamp: '2026-03-02T10:00:00.100Z', level: 'ERROR', message: '(node:8) ExperimentalWarning: the Fetch API is experimental' }))).toBeNull();
    expect(classifyLoggedLine(JSON.stringify({ timestamp: '2026-03-02T10:00:01.500Z', level: 'WARN', requestId: RID, message: 'posts failed: GoneException' }))).toBeNull();
  });

  it("Python's warnings output, whatever the category; an error that mentions a warning is still an error", () => {
    expect(classifyLoggedLine(`[ERROR]\t2026-03-02T10:00:01.500Z\t${RID}\t/var/task/app.py:3: DeprecationWarning: datetime.utcnow() is deprecated`)).toBeNull();
    expect(classifyLoggedLine(`[ERROR]\t2026-03-02T10:00:01.500Z\t${RID}\t/var/runtime/botocore/session.py:1: PythonDeprecationWarning: Boto3 will no longer support Python 3.8`)).toBeNull();
    expect(classifyLoggedLine(`2026-03-02T10:00:01.500Z\t${RID}\tERROR\tposts failed after a DeprecationWarning: GoneException: Gone`)).toMatchObject({ kind: 'GoneException', logged: true });
    expect(classifyLoggedLine(`2026-03-02T10:00:01.500Z\t${RID}\tERROR\tWarning: table not found, ResourceNotFoundException`)).toMatchObject({ kind: 'ResourceNotFoundException' });
  });
});

describe('tracebacks printed without raising', () => {
  const block = [
    'Traceback (most recent call last):',
    '  File "/var/task/app.py", line 40, in send_all',
    '    api.post_to_connection(Data=data, ConnectionId=cid)',
    '  File "/var/runtime/botocore/client.py", line 530, in _api_call',
    '    return self._make_api_call(operation_name, kwargs)',
    'botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the PostToConnection operation: ' + DENIAL,
  ];

  it('one event per line: the header alone, the block read on until its exception line', () => {
    expect(isTracebackHeader(block[0]!)).toBe(true);
    expect(isTracebackHeader(`[ERROR]\t${block[0]}`)).toBe(false);
    expect(endsTraceback(block.slice(0, 3))).toBe(false);
    expect(endsTraceback(block)).toBe(true);
    expect(tracebackBlock(block, 'invoke')).toMatchObject({ kind: 'AccessDeniedException', firstFrame: 'app.py:40 in send_all', logged: true, denied: { action: 'execute-api:ManageConnections' } });
  });

  it('printed in one event (carriage returns inside) it is classified at once; a chained one by its last exception', () => {
    expect(classifyLoggedLine(block.join('\r'))).toMatchObject({ kind: 'AccessDeniedException', firstFrame: 'app.py:40 in send_all', logged: true });
    const chained = ['Traceback (most recent call last):', '  File "/var/task/app.py", line 3, in f', "KeyError: 'a'", '', 'During handling of the above exception, another exception occurred:', '', 'Traceback (most recent call last):', '  File "/var/task/app.py", line 5, in f', 'ValueError: bad'];
    expect(tracebackBlock(chained, 'invoke')).toEqual({ kind: 'ValueError', message: 'bad', phase: 'invoke', firstFrame: 'app.py:5 in f', logged: true });
  });
});

describe('counting logged errors', () => {
  it('one kind whatever the counts in its words ("3 of 3", "5 of 5")', () => {
    const acc = new FunctionErrorAccumulator({ foldNumbers: true });
    for (const [n, at] of [[3, 2_000], [5, 1_000]] as const) acc.add(classifyLoggedLine(`2026-03-02T10:00:01.500Z\t${RID}\tERROR\tposts failed: ${n} of ${n}: AccessDeniedException: ${DENIAL}`)!, at);
    expect(acc.errors()).toEqual([expect.objectContaining({ kind: 'AccessDeniedException', count: 2, firstAt: 1_000, logged: true })]);
  });
});
