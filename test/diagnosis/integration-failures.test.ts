import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { integrationFailures, invokePermissionFailures } from '../../src/metrics/cloudwatch/execution-log-failures.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitRemedy } from '../../src/diagnosis/limit-evidence.ts';
import { quietResults } from '../verdict/quiet-results.ts';

// An error frame names the integration's failure: the stage's execution log, read into
// results.cloudwatch.integrationFailures, and the why of the errors the clients met. The lines are
// those the emulator writes for an AWS integration whose service refused the request (the SQS
// pattern whose template puts $context.requestId unencoded into a form body: a `+` reaches SQS as
// a space, and it refuses the MessageDeduplicationId), as API Gateway writes them.

const SQS_REFUSAL =
  '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>Value a b= for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.</Message><Detail/></Error><RequestId>r</RequestId></ErrorResponse>';

/** A refused SendMessage whose template put the request id `dedup` (a `+` in it) unencoded into the form body. */
function refused(requestId: string, at: number, dedup = 'a+b=') {
  return [
    `WebSocket Request Route: [$default], Connection Id: [c-${requestId}]`,
    'Endpoint request URI: https://sqs.us-east-1.amazonaws.com/000000000000/chat-frames.fifo',
    `Endpoint request body after transformations: Action=SendMessage&MessageGroupId=lobby&MessageDeduplicationId=${dedup}&MessageBody=%7B%22text%22%3A%22hi%22%7D`,
    'Received response. Status: 400, Integration latency: 4 ms',
    `Endpoint response body before transformations: ${SQS_REFUSAL.replace('a b=', dedup.replace(/\+/g, ' '))}`,
    'Method completed with status: 500',
  ].map((line) => ({ message: `(${requestId}) ${line}`, timestamp: at }));
}

describe("an AWS integration's failures in the stage's execution log", () => {
  it('are read per route, service and error, with the request the template built; a permission failure is not one', () => {
    const events = [
      ...refused('r1', 1000),
      ...refused('r2', 900),
      { message: '(r3) WebSocket Request Route: [$default], Connection Id: [c3]', timestamp: 1100 },
      { message: '(r3) Endpoint request URI: https://sqs.us-east-1.amazonaws.com/000000000000/chat-frames.fifo', timestamp: 1100 },
      { message: '(r3) Execution failed due to a timeout error', timestamp: 1100 },
      { message: '(r4) WebSocket Request Route: [ok], Connection Id: [c4]', timestamp: 1200 },
      { message: '(r4) Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations', timestamp: 1200 },
      { message: '(r4) Execution failed due to configuration error: Invalid permissions on Lambda function', timestamp: 1200 },
    ];
    expect(integrationFailures(events)).toEqual([
      {
        route: '$default',
        service: 'sqs',
        status: 400,
        code: 'InvalidParameterValue',
        message: expect.stringMatching(/^Value a b= for parameter MessageDeduplicationId is invalid/),
        requestBody: expect.stringContaining('MessageDeduplicationId=a+b=&'),
        count: 2,
        firstAt: 900,
      },
      { route: '$default', service: 'sqs', status: null, code: 'Execution failed due to a timeout error', message: '', count: 1, firstAt: 1100 },
    ]);
    expect(invokePermissionFailures(events)).toEqual([{ route: 'ok', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', authorizer: false, count: 1, firstAt: 1200 }]);
  });

  it('name the error frames the clients met: the service, its error and the request, first', () => {
    const r = quietResults();
    r.errors = { 'frame:Internal server error': 2 };
    r.cloudwatch!.integrationFailures = integrationFailures([...refused('r1', 1000), ...refused('r2', 900)]);
    const v = evaluate(Results.parse(r));
    const e = v.explanations!.find((x) => x.check === 'no unexpected errors')!;
    expect(e.evidence[0]).toMatchObject({ factor: 'integration-errors', share: 1 });
    expect(e.evidence[0]!.line).toMatch(
      /^route \$default's AWS integration to sqs failed 2 requests: SQS answered 400 InvalidParameterValue, the first: Value a b= for parameter MessageDeduplicationId is invalid\..*\(the stage's execution log\), each answered "Internal server error"; the first request its template built: Action=SendMessage&MessageGroupId=lobby&MessageDeduplicationId=a\+b=&/,
    );
  });

  it('are one line per route, service, status and error code whatever value each message names, and the remedy names the unencoded value', () => {
    const r = quietResults();
    r.errors = { 'frame:Internal server error': 12 };
    const ids = ['Ioel9Sac14sSQ+Y=', 'I+DkiwB9h0A+fsw=', 'ovrvpd1AR+SXCQ0=', 'qm2+kOtfMptlRsM=', 'x+1=', 'y+2=', 'z+3=', 'w+4=', 'v+5=', 'u+6='];
    const events = ids.flatMap((id, i) => refused(`r${i}`, 1000 + i, id));
    // another error code on the same route is its own line, after the larger one
    events.push(...refused('t', 500, 'a+b=').map((e) => ({ ...e, message: e.message.replace('InvalidParameterValue', 'AccessDenied') })));
    r.cloudwatch!.integrationFailures = integrationFailures(events);
    expect(r.cloudwatch!.integrationFailures.map((f) => [f.code, f.count, f.firstAt])).toEqual([['InvalidParameterValue', 10, 1000], ['AccessDenied', 1, 500]]);
    const e = evaluate(Results.parse(r)).explanations!.find((x) => x.check === 'no unexpected errors')!;
    const lines = e.evidence.filter((x) => x.factor === 'integration-errors');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.line).toMatch(/^route \$default's AWS integration to sqs failed 10 requests: SQS answered 400 InvalidParameterValue, the first: Value Ioel9Sac14sSQ Y= for parameter/);
    expect(lines[0]!.remedy).toBe(
      '`$util.urlEncode(...)` each value the template puts into the form body: MessageDeduplicationId=Ioel9Sac14sSQ+Y= reached SQS as "Ioel9Sac14sSQ Y=" (a form body reads `+` as a space and `%xx` as its character)',
    );
  });

  it("give the general remedy where the template encoded its values (the service's message shows what was sent)", () => {
    const r = quietResults();
    r.errors = { 'frame:Internal server error': 1 };
    // `$util.urlEncode` of "a b=" is a+b%3D: SQS read "a b=", as the template meant
    r.cloudwatch!.integrationFailures = integrationFailures(refused('r1', 1000, 'a+b%3D'));
    const e = evaluate(Results.parse(r)).explanations!.find((x) => x.check === 'no unexpected errors')!;
    expect(e.evidence[0]).toMatchObject({ factor: 'integration-errors', remedy: limitRemedy('integration-errors') });
  });
});
