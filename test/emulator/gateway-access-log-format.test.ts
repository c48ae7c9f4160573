import { describe, expect, it } from 'vitest';
import { compileAccessLogFormat, namesRequestId, type AccessLogRecord } from '../../emulator/gateway/access-log-format.ts';
import { logGroupOfArn } from '../../emulator/gateway/access-log.ts';
import { AccessLogRefused, checkAccessLogSettings, NO_CLOUDWATCH_ROLE, stageAccessLogSettings } from '../../emulator/apigatewayv2/access-log-settings.ts';
import { UserError } from '../../common/errors.ts';

// The access log format as a renderer, and the checks API Gateway makes before a stage logs.

const place = { apiId: 'abcdefghij', stage: 'live', domainName: '127.0.0.1:4000' };
const record: AccessLogRecord = {
  eventType: 'CONNECT',
  requestId: 'Xc3DfbgRvHcCJbQ=',
  client: { connectionId: 'dTxBJtOf7EqReVw=', connectedAt: 1795740468000, sourceIp: '127.0.0.1', userAgent: '', authorizer: { principalId: 'me', tier: 'gold' } },
  routeKey: '$connect',
  requestTimeEpoch: 1795740468670,
  status: 200,
};

describe('a format, compiled once', () => {
  it('replaces each variable, keeps the text between them as it is, and writes - for an absent value', () => {
    const render = compileAccessLogFormat('[$context.requestTime] $context.eventType/$context.messageId:$context.status$context.requestId. ua=$context.identity.userAgent', place);
    expect(render(record)).toBe('[27/Nov/2026:00:47:48 +0000] CONNECT/-:200Xc3DfbgRvHcCJbQ=. ua=-');
  });

  it('reads the authorizer context, the stage and the API; a variable the emulator has no value for (IAM, WAF, unknown) is -', () => {
    const render = compileAccessLogFormat('$context.authorizer.principalId $context.authorizer.tier $context.stage $context.apiId $context.identity.caller $context.waf.status $context.noSuchThing', place);
    expect(render(record)).toBe('me gold live abcdefghij - - -');
  });

  it('a message: its id, the integration (latency rounded to ms) and API Gateway error fields', () => {
    const render = compileAccessLogFormat('$context.messageId $context.integrationLatency $context.integration.status $context.integration.integrationStatus $context.awsEndpointRequestId $context.error.messageString', place);
    const message: AccessLogRecord = {
      ...record,
      eventType: 'MESSAGE',
      messageId: 'L0SM9cOFvHcCIhw=',
      status: 502,
      integration: { latencyMs: 31.6, integrationStatus: 200, requestId: 'r-1', error: 'boom' },
      error: { message: 'Internal server error', responseType: 'INTEGRATION_FAILURE' },
    };
    expect(render(message)).toBe('L0SM9cOFvHcCIhw= 32 - 200 r-1 "Internal server error"');
  });

  it('knows whether a format names the request id', () => {
    expect(namesRequestId('$context.extendedRequestId')).toBe(true);
    expect(namesRequestId('$context.requestIdx $context.status')).toBe(false);
  });
});

describe('where a stage may log', () => {
  const account = { region: 'us-east-1', accountId: '123456789012', cloudWatchRoleArn: 'arn:aws:iam::123456789012:role/r', logGroupExists: (n: string) => n === '/g' };
  const arn = 'arn:aws:logs:us-east-1:123456789012:log-group:/g';

  it('reads a log group ARN with or without :*, and nothing else', () => {
    expect(logGroupOfArn(`${arn}:*`)).toEqual({ region: 'us-east-1', accountId: '123456789012', name: '/g' });
    expect(logGroupOfArn(arn)?.name).toBe('/g');
    expect(logGroupOfArn('arn:aws:firehose:us-east-1:123456789012:deliverystream/x')).toBeUndefined();
  });

  it('refuses without the role, a group of another account or none, a format without the request id or over 3 KB', () => {
    expect(checkAccessLogSettings({ destinationArn: arn, format: '$context.requestId' }, account)).toEqual({ destinationArn: arn, format: '$context.requestId' });
    expect(() => checkAccessLogSettings({ destinationArn: arn, format: '$context.requestId' }, { ...account, cloudWatchRoleArn: undefined })).toThrow(NO_CLOUDWATCH_ROLE);
    expect(() => checkAccessLogSettings({ destinationArn: arn.replace('123456789012', '210987654321'), format: '$context.requestId' }, account)).toThrow(AccessLogRefused);
    expect(() => checkAccessLogSettings({ destinationArn: `${arn}x`, format: '$context.requestId' }, account)).toThrow(/does not exist/);
    expect(() => checkAccessLogSettings({ destinationArn: arn, format: '$context.status' }, account)).toThrow(/requestId/);
    expect(() => checkAccessLogSettings({ destinationArn: arn, format: `$context.requestId ${'x'.repeat(3072)}` }, account)).toThrow(/3072/);
  });

  it("a template's stage: its group created with the stack; a refusal is one line naming the resource", () => {
    const created: string[] = [];
    const deployed = { ...account, logGroupExists: (n: string) => created.includes(n), createLogGroup: (n: string) => void created.push(n) };
    const refuse = (m: string) => new UserError(`template.yaml: Resources.Stage.Properties.AccessLogSettings: ${m}`);
    expect(stageAccessLogSettings({ destinationArn: `${arn}:*`, format: '$context.requestId' }, deployed, refuse)?.format).toBe('$context.requestId');
    expect(created).toEqual(['/g']);
    expect(() => stageAccessLogSettings({ destinationArn: arn, format: '$context.requestId' }, { ...deployed, cloudWatchRoleArn: undefined }, refuse)).toThrow(
      /^template\.yaml: Resources\.Stage\.Properties\.AccessLogSettings: CloudWatch Logs role ARN must be set in account settings to enable logging \(.*AWS::ApiGateway::Account/,
    );
  });
});
