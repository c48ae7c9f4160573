import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { quietResults } from '../verdict/quiet-results.ts';

/**
 * Causes that hold (issue 50): a cause is named for a failed check only where it can produce that
 * symptom, with the share of it it accounts for, the largest first. Over results objects: the
 * report fixture with nothing pointing anywhere, and each case's evidence added.
 */
function quiet(): Results {
  const r = quietResults();
  r.config.target.functions = {
    source: 'stack',
    functions: [
      { name: 'fanout-connect', route: '$connect', memoryMB: 256, timeoutSeconds: 10 },
      { name: 'fanout-disconnect', route: '$disconnect', memoryMB: 256, timeoutSeconds: 10 },
      { name: 'fanout-send-message', route: 'sendMessage', memoryMB: 128, timeoutSeconds: 3 },
    ],
  };
  r.deliveries = { ...r.deliveries, lost: 0, expected: r.deliveries.received, lossTimeoutMs: 30_000 };
  return Results.parse(r);
}

/** The send function's invocations errored as its log says, losing deliveries; the clients met error frames. */
function fanoutFailed(r: Results, errors: Array<{ kind: string; message: string; count: number; firstFrame?: string }>): void {
  const total = errors.reduce((n, e) => n + e.count, 0);
  r.cloudwatch!.lambda['fanout-send-message']!.errors = total;
  r.cloudwatch!.functionErrors = { 'fanout-send-message': errors.map((e) => ({ phase: 'invoke' as const, firstFrame: e.firstFrame ?? null, firstAt: r.startedAt ? Date.parse(r.startedAt) : 0, ...e })) };
  r.errors = { 'frame:Internal server error': total };
  r.deliveries = { ...r.deliveries, lost: 87, expected: r.deliveries.received + 87 };
}

const firstWhy = (r: Results, check: string) => evaluate(r).explanations!.find((e) => e.check === check)!.evidence;

describe('causes that hold', () => {
  it("a broadcast stopped by its first GoneException: the exception, its count and the 410s first; the host's short waits not named for the loss", () => {
    const r = quiet();
    fanoutFailed(r, [{ kind: 'GoneException', message: 'An error occurred (GoneException) when calling the PostToConnection operation: Gone', count: 17, firstFrame: 'app.py:32 in send_message' }]);
    r.stale = { dropped: 5, gone410: 17, timeToCleanMs: null, wastedPosts: 17 };
    r.cloudwatch!.localHost!.heldBack = { 'fanout-send-message': { count: 80, totalMs: 90_000, p50Ms: 900, p99Ms: 3800, maxMs: 4000 } };
    const lost = firstWhy(r, 'no lost deliveries');
    expect(lost.map((e) => e.factor)).toEqual(['function-errors']);
    expect(lost[0]!.line).toBe(
      `fanout-send-message: 17 errors in ${r.cloudwatch!.lambda['fanout-send-message']!.invocations.toLocaleString('en-US')} invocations: GoneException: An error occurred (GoneException) when calling the PostToConnection operation: Gone ×17 (at app.py:32 in send_message); 17 posts answered 410 (stale connections), each ending its invocation's loop before the connections after it`,
    );
    expect(lost[0]!.remedy).toMatch(/^catch GoneException around each post/);
    // the error frames are the same invocations' errors, all of them
    expect(firstWhy(r, 'no unexpected errors')[0]).toMatchObject({ factor: 'function-errors', share: 1 });
  });

  it('a post IAM denied: the function, the action, the resource, the count and the statement to add, first for the loss', () => {
    const r = quiet();
    fanoutFailed(r, [{ kind: 'ClientError', message: 'An error occurred (AccessDeniedException) when calling the PostToConnection operation: User: …', count: 9, firstFrame: 'app.py:32 in send_message' }]);
    r.cloudwatch!.functionErrors!['fanout-send-message']![0]!.denied = {
      principal: 'arn:aws:sts::123456789012:assumed-role/chat-SendRole-1AB2/fanout-send-message',
      action: 'execute-api:ManageConnections',
      resource: 'arn:aws:execute-api:us-east-1:********9012:abc123defg/Prod/POST/@connections/{connectionId}',
    };
    const lost = firstWhy(r, 'no lost deliveries');
    expect(lost.map((e) => e.factor)).toEqual(['function-errors']);
    expect(lost[0]!.line).toMatch(/^fanout-send-message: 9 errors in [\d,]+ invocations: AccessDeniedException: not authorized to perform execute-api:ManageConnections on arn:aws:execute-api:us-east-1:\*{8}9012:abc123defg\/Prod\/POST\/@connections\/\{connectionId\} ×9 \(at app\.py:32 in send_message\)$/);
    expect(lost[0]!.remedy).toBe(
      'add to the role chat-SendRole-1AB2 the statement {"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123defg/Prod/POST/@connections/*"}',
    );
  });

  it('a route API Gateway may not invoke, from its execution log: the requests, what the clients were answered, and the AWS::Lambda::Permission to add, ranked by share', () => {
    const r = quiet();
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:fanout-send-message';
    r.cloudwatch!.apiGateway = { apiId: 'abc123defg', stage: 'Prod' };
    r.cloudwatch!.invokePermissionFailures = [{ route: 'sendMessage', functionArn: arn, authorizer: false, count: 12, firstAt: 0 }];
    // 12 "Internal server error" frames are the route's, 4 other frames something else's
    r.errors = { 'frame:Internal server error': 12, 'frame:BAD_REQUEST': 4 };
    r.deliveries = { ...r.deliveries, lost: 30, expected: r.deliveries.received + 30 };
    const errors = firstWhy(r, 'no unexpected errors');
    expect(errors.map((e) => e.factor)).toEqual(['invoke-permission']);
    expect(errors[0]).toEqual({
      factor: 'invoke-permission',
      line: 'API Gateway may not invoke fanout-send-message (route sendMessage): 12 requests failed with "Execution failed due to configuration error: Invalid permissions on Lambda function" (its execution log), each answered "Internal server error"',
      share: 0.75,
      remedy:
        'add the resource AWS::Lambda::Permission {"Action":"lambda:InvokeFunction","FunctionName":"fanout-send-message","Principal":"apigateway.amazonaws.com","SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123defg/*"}',
    });
    // a message route fans out: named for the loss too
    expect(firstWhy(r, 'no lost deliveries').map((e) => e.factor)).toEqual(['invoke-permission']);
    // the $connect authorizer's: a 500 at handshake, an error but never a loss
    r.cloudwatch!.invokePermissionFailures = [{ route: '$connect', functionArn: arn.replace('fanout-send-message', 'fanout-authorizer'), authorizer: true, count: 4, firstAt: 0 }];
    r.errors = { 'handshake:500': 4 };
    const refused = firstWhy(r, 'no unexpected errors');
    expect(refused[0]).toMatchObject({ factor: 'invoke-permission', share: 1 });
    expect(refused[0]!.line).toMatch(/^API Gateway may not invoke fanout-authorizer \(the \$connect authorizer's function\): 4 requests failed .*, each refused with 500 at handshake$/);
    expect(firstWhy(r, 'no lost deliveries').map((e) => e.factor)).not.toContain('invoke-permission');
  });

  it('a host whose waits came within reach of the loss timeout is named for the loss, ranked by its share', () => {
    const r = quiet();
    r.deliveries = { ...r.deliveries, lost: 40, expected: r.deliveries.received + 40 };
    const invocations = r.cloudwatch!.lambda['fanout-send-message']!.invocations;
    r.cloudwatch!.localHost!.heldBack = { 'fanout-send-message': { count: invocations, totalMs: 9e6, p50Ms: 12_000, p99Ms: 19_000, maxMs: 20_000 } };
    const lost = firstWhy(r, 'no lost deliveries');
    expect(lost.map((e) => e.factor)).toEqual(['local-host']);
    expect(lost[0]!.share).toBe(1);
    // the same waits at a 60 s loss timeout are out of reach of it, but not of the integration's 29 s
    r.deliveries.lossTimeoutMs = 60_000;
    expect(firstWhy(r, 'no lost deliveries').map((e) => e.factor)).toEqual(['local-host']);
    // under half the function's 3 s Timeout, the smallest limit: out of reach
    r.cloudwatch!.localHost!.heldBack['fanout-send-message']!.maxMs = 1_000;
    expect(firstWhy(r, 'no lost deliveries')).toEqual([]);
  });

  it('connects held back within reach of their Timeout: named for the errors they can cause, not for a loss', () => {
    const r = quiet();
    r.deliveries = { ...r.deliveries, lost: 40, expected: r.deliveries.received + 40 };
    r.errors = { 'handshake:504': 5 };
    const invocations = r.cloudwatch!.lambda['fanout-connect']!.invocations;
    r.cloudwatch!.localHost!.heldBack = { 'fanout-connect': { count: invocations, totalMs: 9e6, p50Ms: 4_000, p99Ms: 6_000, maxMs: 6_500 } };
    expect(firstWhy(r, 'no lost deliveries')).toEqual([]);
    expect(firstWhy(r, 'no unexpected errors').map((e) => e.factor)).toEqual(['local-host']);
  });

  it('a timeout at 128 MB: named with its CPU share and what it holds, and what would move it', () => {
    const r = quiet();
    fanoutFailed(r, [{ kind: 'Task timed out', message: 'Task timed out after 3.00 seconds', count: 10 }]);
    r.cloudwatch!.localHost!.heldBack = { 'fanout-connect': { count: 7, totalMs: 3000, p50Ms: 400, p99Ms: 450, maxMs: 460 } };
    const [first, ...rest] = firstWhy(r, 'no lost deliveries');
    expect(rest).toEqual([]);
    // on AWS without Lambda Insights: what its Timeout holds, and where the CPU figure comes from
    expect(first!.line).toMatch(
      /^fanout-send-message: 10 errors in [\d,]+ invocations: Task timed out after 3\.00 seconds ×10; 128 MB = 7\.2 % of a vCPU, so its 3\.00 s Timeout holds at most 217 ms of CPU: work needing more than that at full speed cannot finish \(the CPU its invocations used needs Lambda Insights on the function\)$/,
    );
    expect(first!.remedy).toBe(
      "more memory, since Lambda's CPU share follows it (512 MB gives it 4× the CPU; 1,769 MB is one vCPU); SDK clients built once at module scope, in INIT, rather than in every call; or a longer Timeout",
    );
    // with Insights' cpu_total_time: the CPU its invocations used, and that time at its share
    const fn = r.cloudwatch!.lambda['fanout-send-message']!;
    fn.cpuTime = { samples: 10, p50Ms: 240, p99Ms: 250, minMs: 120, maxMs: 251 };
    expect(firstWhy(r, 'no lost deliveries')[0]!.line).toMatch(
      /Task timed out after 3\.00 seconds ×10; 128 MB = 7\.2 % of a vCPU; its invocations used p50 240 ms of CPU \(3\.32 s at that share\) against its 3\.00 s Timeout$/,
    );
    // every one of them used all the Timeout allows: said so, not a time it could not have taken
    fn.cpuTime = { samples: 10, p50Ms: 214, p99Ms: 218, minMs: 205, maxMs: 218 };
    expect(firstWhy(r, 'no lost deliveries')[0]!.line).toMatch(
      /; 128 MB = 7\.2 % of a vCPU; every invocation used all 217 ms of CPU its 3\.00 s Timeout allows at that share \(p50 214 ms\): at full speed its work would need more$/,
    );
  });

  it('ranks by share: the function errors behind every error frame before a throttle behind a few', () => {
    const r = quiet();
    fanoutFailed(r, [{ kind: 'KeyError', message: "'Item'", count: 30, firstFrame: 'app.py:12 in handler' }]);
    r.cloudwatch!.lambda['fanout-connect']!.throttles = 3;
    r.errors = { 'frame:Internal server error': 30, 'handshake:429': 3 };
    const errors = firstWhy(r, 'no unexpected errors');
    expect(errors.map((e) => [e.factor, e.share])).toEqual([
      ['function-errors', 30 / 33],
      // equal shares keep the factors' order
      ['lambda-throttles', 3 / 33],
      ['api-gateway-429', 3 / 33],
    ]);
    expect(errors[0]!.remedy).toBe('handle or fix the error where it is raised (app.py:12 in handler)');
  });

  it("a function that fails on DynamoDB's throttling: the throttle is the cause, with the invocations it failed; the function's own share is what else it raised", () => {
    const r = quiet();
    fanoutFailed(r, [
      { kind: 'ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded', count: 20, firstFrame: 'app.js:9' },
      { kind: 'KeyError', message: "'Item'", count: 5, firstFrame: 'app.py:12 in handler' },
    ]);
    r.cloudwatch!.dynamodb = { messages: { readUnits: 0, writeUnits: 40, indexes: {}, operations: { PutItem: { requests: 60, throttled: 20 } }, conditionalCheckFailed: 0 } };
    const errors = firstWhy(r, 'no unexpected errors');
    expect(errors.map((e) => [e.factor, e.share])).toEqual([
      ['dynamodb-throttles', 20 / 25],
      ['function-errors', 5 / 25],
    ]);
    expect(errors[0]!.line).toBe('DynamoDB throttled 20 requests (messages: PutItem 20); 20 invocations failed on it (ProvisionedThroughputExceededException)');
    // the function's line still says every error in its own words
    expect(errors[1]!.line).toContain('ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded ×20');
  });

  it("a search for broadcast p99: $disconnect held back is not its limit; a waited route's is", () => {
    const r = quiet();
    r.cloudwatch!.localHost!.heldBack = { 'fanout-disconnect': { count: 293, totalMs: 90_000, p50Ms: 300, p99Ms: 800, maxMs: 900 } };
    r.cloudwatch!.lambda['fanout-disconnect']!.invocations = 300;
    const judged = { ...r, verdict: evaluate(r, { thresholds: [parseThreshold('broadcast.p99 < 1ms', '--threshold')] }) };
    expect(judged.verdict.thresholds[0]!.outcome).toBe('fail');
    expect(limitEvidence(judged).map((e) => e.factor)).toEqual([]);
    judged.cloudwatch!.localHost!.heldBack['fanout-send-message'] = { count: 50, totalMs: 9000, p50Ms: 100, p99Ms: 300, maxMs: 320 };
    const [host] = limitEvidence(judged);
    expect(host!.factor).toBe('local-host');
    expect(host!.line).toMatch(/^local host held back 50 fanout-send-message invocations \(wait p99 300 ms\)/);
    expect(host!.line).not.toContain('fanout-disconnect');
  });
});
