import { describe, expect, it } from 'vitest';
import { classifyLogEvent, classifyReportLine, FunctionErrorAccumulator } from '../../src/metrics/cloudwatch/function-errors.ts';
import { parseReportLine } from '../../src/metrics/cloudwatch/report-lines.ts';

/** Log events as Lambda's runtimes write them (text format; one event per line, carriage returns inside). */
const NODE_IMPORT =
  `2026-03-02T10:00:00.120Z\tundefined\tERROR\tUncaught Exception \t` +
  JSON.stringify({
    errorType: 'Runtime.ImportModuleError',
    errorMessage: "Error: Cannot find module 'aws-sdk'\nRequire stack:\n- /var/task/app.js\n- /var/runtime/index.mjs",
    stack: [
      "Runtime.ImportModuleError: Error: Cannot find module 'aws-sdk'",
      'Require stack:',
      '- /var/task/app.js',
      '- /var/runtime/index.mjs',
      '    at _loadUserApp (file:///var/runtime/index.mjs:1087:17)',
      '    at async start (file:///var/runtime/index.mjs:1282:23)',
    ],
  });
const NODE_INVOKE =
  `2026-03-02T10:00:01.500Z\t8f5c2d1e-0b6a-4c3e-9f11-2a7b9c0d4e5f\tERROR\tInvoke Error \t` +
  JSON.stringify({
    errorType: 'TypeError',
    errorMessage: "Cannot read properties of undefined (reading 'Item')",
    stack: [
      "TypeError: Cannot read properties of undefined (reading 'Item')",
      '    at getName (/var/task/node_modules/lib/names.js:3:9)',
      '    at Runtime.handler (file:///var/task/index.mjs:12:30)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ],
  });
const PY_GONE = [
  '[ERROR] GoneException: An error occurred (GoneException) when calling the PostToConnection operation: ',
  'Traceback (most recent call last):',
  '  File "/var/task/app.py", line 40, in lambda_handler',
  "    _ = apigatewaymanagementapi.post_to_connection(Data=post_data, ConnectionId=connection_id['connectionId'])",
  '  File "/var/runtime/botocore/client.py", line 530, in _api_call',
  '    return self._make_api_call(operation_name, kwargs)',
  '  File "/var/runtime/botocore/client.py", line 960, in _make_api_call',
  '    raise error_class(parsed_response, operation_name)',
].join('\r');
const PY_KEY = ['[ERROR] KeyError: \'Item\'', 'Traceback (most recent call last):', '  File "/var/task/app.py", line 12, in handler', "    name = resp['Item']['name']"].join('\r');
const PY_IMPORT = "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'requests'\rTraceback (most recent call last):";
const TIMEOUT = '2026-03-02T10:00:04.002Z 5e1f2a3b-1111-2222-3333-444455556666 Task timed out after 3.00 seconds';
const OOM = 'REPORT RequestId: 5e1f2a3b-7\tDuration: 812.00 ms\tBilled Duration: 812 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.ExitError\t';

describe('classifyLogEvent', () => {
  it("names a Node INIT failure by its type and the module's first line, the stack's own file as its frame", () => {
    expect(classifyLogEvent(NODE_IMPORT)).toEqual({ kind: 'Runtime.ImportModuleError', message: "Error: Cannot find module 'aws-sdk'", phase: 'init', firstFrame: 'app.js' });
  });

  it("names nodejs24.x's INIT failure, which its runtime client labels Init Error, as an INIT failure", () => {
    const line = NODE_IMPORT.replace('Uncaught Exception', 'Init Error');
    expect(classifyLogEvent(line)).toEqual({ kind: 'Runtime.ImportModuleError', message: "Error: Cannot find module 'aws-sdk'", phase: 'init', firstFrame: 'app.js' });
    const callback = `2026-03-02T10:00:00.120Z\tundefined\tERROR\tInit Error \t${JSON.stringify({ errorType: 'Runtime.CallbackHandlerDeprecated', errorMessage: 'ERROR: AWS Lambda has removed support for callback-based function handlers', stack: [] })}`;
    expect(classifyLogEvent(callback)).toMatchObject({ kind: 'Runtime.CallbackHandlerDeprecated', phase: 'init' });
  });

  it('names a Node invocation error by the innermost frame of its own code, past node_modules and the runtime', () => {
    expect(classifyLogEvent(NODE_INVOKE)).toEqual({ kind: 'TypeError', message: "Cannot read properties of undefined (reading 'Item')", phase: 'invoke', firstFrame: 'index.mjs:12 (Runtime.handler)' });
  });

  it("reads Python's [ERROR] line and its traceback: the innermost frame under the task root, botocore skipped", () => {
    expect(classifyLogEvent(PY_GONE)).toEqual({
      kind: 'GoneException',
      message: 'An error occurred (GoneException) when calling the PostToConnection operation:',
      phase: 'invoke',
      firstFrame: 'app.py:40 in lambda_handler',
    });
    expect(classifyLogEvent(PY_KEY)).toEqual({ kind: 'KeyError', message: "'Item'", phase: 'invoke', firstFrame: 'app.py:12 in handler' });
    expect(classifyLogEvent(PY_IMPORT)).toMatchObject({ kind: 'Runtime.ImportModuleError', phase: 'init', firstFrame: null });
  });

  it('names a timeout by its own line', () => {
    expect(classifyLogEvent(TIMEOUT)).toEqual({ kind: 'Task timed out', message: 'Task timed out after 3.00 seconds', phase: 'invoke', firstFrame: null });
  });

  it("leaves a function's own logging alone: logging.error, console.error, START and REPORT", () => {
    expect(classifyLogEvent('[ERROR]\t2026-03-02T10:00:00.000Z\t5e1f2a3b-1111\tcould not post to abc')).toBeNull();
    expect(classifyLogEvent('2026-03-02T10:00:00.000Z\t5e1f2a3b-1111\tERROR\tpost failed: GoneException')).toBeNull();
    expect(classifyLogEvent('START RequestId: 5e1f Version: $LATEST')).toBeNull();
    expect(classifyLogEvent(OOM)).toBeNull();
  });
});

describe('classifyReportLine', () => {
  it('reads a runtime exit at the memory size as out of memory, and a warm line as nothing', () => {
    expect(classifyReportLine(parseReportLine(OOM)!)).toMatchObject({ kind: 'Runtime.OutOfMemory', message: 'Runtime exited: out of memory (Max Memory Used 128 MB of 128 MB)' });
    expect(classifyReportLine(parseReportLine(OOM.replace('Max Memory Used: 128 MB', 'Max Memory Used: 60 MB'))!)).toMatchObject({ kind: 'Runtime.ExitError' });
    expect(classifyReportLine(parseReportLine('REPORT RequestId: a\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tStatus: timeout\t')!)).toBeNull();
  });
});

describe('FunctionErrorAccumulator', () => {
  it('counts one kind once whatever connection it names, most first, with when it was first logged', () => {
    const acc = new FunctionErrorAccumulator();
    const gone = (id: string) => `[ERROR] GoneException: An error occurred (GoneException) when calling the PostToConnection operation: connection ${id} is gone`;
    acc.add(classifyLogEvent(gone('Xk3dF9aB0cDeFg='))!, 2_000);
    acc.add(classifyLogEvent(gone('Yz8aQ1wE2rTyUi='))!, 1_000);
    acc.add(classifyLogEvent(TIMEOUT)!, 3_000);
    expect(acc.errors()).toEqual([
      { kind: 'GoneException', message: expect.stringContaining('Xk3dF9aB0cDeFg='), phase: 'invoke', count: 2, firstFrame: null, firstAt: 1_000 },
      { kind: 'Task timed out', message: 'Task timed out after 3.00 seconds', phase: 'invoke', count: 1, firstFrame: null, firstAt: 3_000 },
    ]);
  });
});

describe('a call IAM denied, in the words every SDK logs it', () => {
  const principal = 'arn:aws:sts::123456789012:assumed-role/chat-SendRole-1AB2/chat-Send-9XY';
  it("boto3's ClientError for @connections, SDK v3's AccessDeniedException for DynamoDB: the principal, the action and the resource", () => {
    const boto = [
      `[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the PostToConnection operation: User: ${principal} is not authorized to perform: execute-api:ManageConnections on resource: arn:aws:execute-api:us-east-1:********9012:abc123defg/Prod/POST/@connections/{connectionId}`,
      'Traceback (most recent call last):',
      '  File "/var/task/app.py", line 32, in send_message',
    ].join('\r');
    expect(classifyLogEvent(boto)).toMatchObject({
      kind: 'ClientError',
      firstFrame: 'app.py:32 in send_message',
      denied: { principal, action: 'execute-api:ManageConnections', resource: 'arn:aws:execute-api:us-east-1:********9012:abc123defg/Prod/POST/@connections/{connectionId}' },
    });
    const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/chat-Connections';
    const v3 =
      `2026-03-02T10:00:01.500Z\t8f5c2d1e-0b6a-4c3e-9f11-2a7b9c0d4e5f\tERROR\tInvoke Error \t` +
      JSON.stringify({
        errorType: 'AccessDeniedException',
        errorMessage: `User: ${principal} is not authorized to perform: dynamodb:PutItem on resource: ${table} because no identity-based policy allows the dynamodb:PutItem action`,
        name: 'AccessDeniedException',
        $fault: 'client',
        stack: ['AccessDeniedException: User: …', '    at Runtime.handler (file:///var/task/index.mjs:9:5)'],
      });
    expect(classifyLogEvent(v3)).toMatchObject({ kind: 'AccessDeniedException', firstFrame: 'index.mjs:9 (Runtime.handler)', denied: { principal, action: 'dynamodb:PutItem', resource: table } });
    // an error that is not a denial has no denied
    expect(classifyLogEvent(PY_KEY)).not.toHaveProperty('denied');
  });

  it('an action on no particular resource (Secrets Manager ListSecrets) is denied without one: `*`', () => {
    const line = `[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the ListSecrets operation: User: ${principal} is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action`;
    expect(classifyLogEvent(line)).toMatchObject({ denied: { principal, action: 'secretsmanager:ListSecrets', resource: '*' } });
  });
});
