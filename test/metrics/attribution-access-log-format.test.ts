import { describe, expect, it } from 'vitest';
import { compileAccessLogFormat, type AccessLogRecord } from '../../emulator/gateway/access-log-format.ts';
import { clientUserAgent } from '../../src/contracts/client-user-agent.ts';
import { accessLogFormat, HARNESS_ACCESS_LOG_FORMAT, missingVariablesMessage, NEEDED_ACCESS_LOG_VARIABLES } from '../../src/metrics/attribution/access-log-format.ts';

/**
 * Stage formats as AWS documents them for WebSocket APIs (the API Gateway console's CLF, JSON,
 * XML and CSV examples), as Serverless and SST write them by default, and the run's own, each
 * held against lines of its shape.
 */
const AWS_CLF = '$context.identity.sourceIp - - [$context.requestTime] "$context.eventType $context.routeKey $context.connectionId" $context.status $context.requestId';
const AWS_JSON =
  '{"requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "requestTime":"$context.requestTime", "eventType":"$context.eventType", "routeKey":"$context.routeKey", "status":"$context.status", "connectionId":"$context.connectionId"}';
const AWS_XML =
  '<request id="$context.requestId"> <ip>$context.identity.sourceIp</ip> <requestTime>$context.requestTime</requestTime> <eventType>$context.eventType</eventType> <routeKey>$context.routeKey</routeKey> <status>$context.status</status> <connectionId>$context.connectionId</connectionId> </request>';
const AWS_CSV = '$context.identity.sourceIp,$context.requestTime,$context.eventType,$context.routeKey,$context.connectionId,$context.status,$context.requestId';
const SERVERLESS =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.eventType $context.routeKey $context.connectionId" $context.status  $context.requestId';
/** SST's default WebSocket format: `status` bare (a number), the invocation as awsEndpointRequestId */
const SST =
  '{"requestTime":"$context.requestTime","requestId":"$context.requestId","eventType":"$context.eventType","routeKey":"$context.routeKey","status":$context.status,"integrationRequestId":"$context.awsEndpointRequestId","integrationStatus":"$context.integrationStatus","integrationLatency":"$context.integrationLatency","integrationServiceStatus":"$context.integration.integrationStatus","ip":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","cognitoIdentityId":"$context.identity.cognitoIdentityId","connectedAt":"$context.connectedAt","connectionId":"$context.connectionId"}';

const UA = clientUserAgent('run-1', 17, 0);
const INVOCATION = '8f5e7a3c-2b1d-4e6f-9a8b-7c6d5e4f3a2b';

describe('the variables a format lacks', () => {
  it("names what AWS's WebSocket examples lack: the epoch time, the invocation and the User-Agent", () => {
    for (const f of [AWS_CLF, AWS_JSON, AWS_XML, AWS_CSV, SERVERLESS]) {
      expect(accessLogFormat(f).missing, f).toEqual(['requestTimeEpoch', 'integration.requestId', 'identity.userAgent']);
    }
  });

  it('takes awsEndpointRequestId for integration.requestId, and the run needs nothing more of its own format', () => {
    expect(accessLogFormat(SST).missing).toEqual(['requestTimeEpoch']);
    expect(accessLogFormat(HARNESS_ACCESS_LOG_FORMAT).missing).toEqual([]);
    expect(HARNESS_ACCESS_LOG_FORMAT.length).toBeLessThan(3072);
    for (const v of NEEDED_ACCESS_LOG_VARIABLES) expect(HARNESS_ACCESS_LOG_FORMAT).toContain(`$context.${v}`);
  });

  it('says in one line what is missing and the format to paste', () => {
    const msg = missingVariablesMessage(accessLogFormat(AWS_CLF).missing);
    expect(msg).not.toContain('\n');
    expect(msg).toContain('$context.requestTimeEpoch, $context.integration.requestId, $context.identity.userAgent');
    expect(msg).toContain(HARNESS_ACCESS_LOG_FORMAT);
  });
});

describe('reading lines', () => {
  it("reads AWS's CLF example with the needed variables added, a User-Agent with spaces included", () => {
    const f = accessLogFormat(`${AWS_CLF} $context.requestTimeEpoch $context.integration.requestId "$context.identity.userAgent"`);
    expect(f.missing).toEqual([]);
    const line = `192.0.2.1 - - [21/Nov/2026:06:12:53 +0000] "CONNECT $connect L0NZ7cmcIAMCJbw=" 200 L0NZ7EaBIAMFZhA= 1795241573123 ${INVOCATION} "${UA}"`;
    expect(f.parse(line)).toEqual({
      connectionId: 'L0NZ7cmcIAMCJbw=',
      eventType: 'CONNECT',
      routeKey: '$connect',
      requestTimeEpoch: 1795241573123,
      status: 200,
      integrationRequestId: INVOCATION,
      userAgent: UA,
    });
    // `-` is absent: a MESSAGE that reached no integration, a client without a User-Agent
    const message = `192.0.2.1 - - [21/Nov/2026:06:12:54 +0000] "MESSAGE sendMessage L0NZ7cmcIAMCJbw=" 429 L0NZ7FbcIAMFb2Q= 1795241574001 - "-"`;
    expect(f.parse(message)).toEqual({ connectionId: 'L0NZ7cmcIAMCJbw=', eventType: 'MESSAGE', routeKey: 'sendMessage', requestTimeEpoch: 1795241574001, status: 429 });
    expect(f.parse('START RequestId: x Version: $LATEST')).toBeNull();
  });

  it("reads AWS's JSON example with the needed variables added, spacing as AWS writes it", () => {
    const f = accessLogFormat(AWS_JSON.replace('}', ', "epoch":"$context.requestTimeEpoch", "fn":"$context.integration.requestId", "ua":"$context.identity.userAgent"}'));
    expect(f.missing).toEqual([]);
    const line =
      `{"requestId":"L0NZ7EaBIAMFZhA=", "ip": "192.0.2.1", "requestTime":"21/Nov/2026:06:12:53 +0000", "eventType":"MESSAGE", "routeKey":"joinRoom", "status":"200", "connectionId":"L0NZ7cmcIAMCJbw=", ` +
      `"epoch":"1795241573123", "fn":"${INVOCATION}", "ua":"-"}`;
    expect(f.parse(line)).toEqual({
      connectionId: 'L0NZ7cmcIAMCJbw=',
      eventType: 'MESSAGE',
      routeKey: 'joinRoom',
      requestTimeEpoch: 1795241573123,
      status: 200,
      integrationRequestId: INVOCATION,
    });
  });

  it("reads AWS's XML and CSV examples' lines", () => {
    const xml = accessLogFormat(AWS_XML.replace('</request>', '<t>$context.requestTimeEpoch</t> </request>'));
    expect(
      xml.parse(
        '<request id="L0NZ7EaBIAMFZhA="> <ip>192.0.2.1</ip> <requestTime>21/Nov/2026:06:12:53 +0000</requestTime> <eventType>DISCONNECT</eventType> <routeKey>$disconnect</routeKey> <status>200</status> <connectionId>L0NZ7cmcIAMCJbw=</connectionId> <t>1795241573123</t> </request>',
      ),
    ).toEqual({ connectionId: 'L0NZ7cmcIAMCJbw=', eventType: 'DISCONNECT', routeKey: '$disconnect', requestTimeEpoch: 1795241573123, status: 200 });
    const csv = accessLogFormat(`${AWS_CSV},$context.requestTimeEpoch`);
    expect(csv.parse('192.0.2.1,21/Nov/2026:06:12:53 +0000,CONNECT,$connect,L0NZ7cmcIAMCJbw=,200,L0NZ7EaBIAMFZhA=,1795241573123')).toEqual({
      connectionId: 'L0NZ7cmcIAMCJbw=',
      eventType: 'CONNECT',
      routeKey: '$connect',
      requestTimeEpoch: 1795241573123,
      status: 200,
    });
  });

  it("reads SST's format: a bare number, a bare `-`, the synonym", () => {
    const f = accessLogFormat(SST.replace('"connectedAt"', '"epoch":"$context.requestTimeEpoch","connectedAt"'));
    const line = (status: string) =>
      `{"requestTime":"21/Nov/2026:06:12:53 +0000","requestId":"L0NZ7EaBIAMFZhA=","eventType":"CONNECT","routeKey":"$connect","status":${status},"integrationRequestId":"${INVOCATION}","integrationStatus":"200","integrationLatency":"35","integrationServiceStatus":"200","ip":"192.0.2.1","userAgent":"${UA}","cognitoIdentityId":"-","epoch":"1795241573123","connectedAt":"1795241573100","connectionId":"L0NZ7cmcIAMCJbw="}`;
    expect(f.parse(line('200'))).toEqual({
      connectionId: 'L0NZ7cmcIAMCJbw=',
      eventType: 'CONNECT',
      routeKey: '$connect',
      requestTimeEpoch: 1795241573123,
      status: 200,
      integrationRequestId: INVOCATION,
      userAgent: UA,
      integrationLatencyMs: 35,
    });
    expect(f.parse(line('-'))?.status).toBeUndefined();
  });

  it('reads a nested JSON format, and a value with text around its variables', () => {
    const f = accessLogFormat(
      '{"conn":{"id":"$context.connectionId","at":$context.requestTimeEpoch},"integration":{"requestId":"$context.integration.requestId"},"message":"$context.eventType $context.routeKey by $context.identity.userAgent"}',
    );
    expect(f.missing).toEqual([]);
    expect(f.parse(`{"conn":{"id":"abc=","at":1795241573123},"integration":{"requestId":"${INVOCATION}"},"message":"CONNECT $connect by ${UA}"}`)).toEqual({
      connectionId: 'abc=',
      eventType: 'CONNECT',
      routeKey: '$connect',
      requestTimeEpoch: 1795241573123,
      integrationRequestId: INVOCATION,
      userAgent: UA,
    });
  });

  it("reads what the emulator's gateway writes in the run's own format", () => {
    const render = compileAccessLogFormat(HARNESS_ACCESS_LOG_FORMAT, { apiId: 'a1', stage: 'local', domainName: '127.0.0.1' });
    const record: AccessLogRecord = {
      eventType: 'MESSAGE',
      requestId: 'L0NZ7EaBIAMFZhA=',
      client: { connectionId: 'L0NZ7cmcIAMCJbw=', connectedAt: 1795241573000, sourceIp: '127.0.0.1', userAgent: UA },
      routeKey: 'sendMessage',
      messageId: 'm-1',
      requestTimeEpoch: 1795241573123,
      status: 200,
      integration: { latencyMs: 41.6, status: 200, integrationStatus: 200, requestId: INVOCATION },
    };
    expect(accessLogFormat(HARNESS_ACCESS_LOG_FORMAT).parse(render(record))).toEqual({
      connectionId: 'L0NZ7cmcIAMCJbw=',
      eventType: 'MESSAGE',
      routeKey: 'sendMessage',
      requestTimeEpoch: 1795241573123,
      status: 200,
      integrationRequestId: INVOCATION,
      userAgent: UA,
      integrationLatencyMs: 42,
    });
    const noIntegration = accessLogFormat(HARNESS_ACCESS_LOG_FORMAT).parse(render({ ...record, integration: undefined, status: 403 }));
    expect(noIntegration?.integrationRequestId).toBeUndefined();
    expect(noIntegration?.status).toBe(403);
  });
});
