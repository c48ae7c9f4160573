import { describe, expect, it } from 'vitest';
import { signRequest } from '../../emulator/gateway/aws-integration-signing.ts';

// The signature API Gateway's AWS integrations put on their calls to a service, held to AWS's own
// SigV4 test suite (aws-sig-v4-test-suite: get-vanilla and get-vanilla-query-order-key-case, the
// example key pair, 2015-08-30T12:36:00Z, us-east-1, service "service").

const EXAMPLE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SCOPE = { region: 'us-east-1', service: 'service' };
const AT = new Date('2015-08-30T12:36:00Z');
const request = (query = '', headers: Record<string, string> = {}) => ({ method: 'GET', path: '/', query, headers: { host: 'example.amazonaws.com', ...headers } as Record<string, string>, body: '' });

describe("an AWS integration's request signature", () => {
  it("is AWS's get-vanilla example", async () => {
    const r = request();
    await signRequest(r, EXAMPLE, SCOPE, AT);
    expect(r.headers['x-amz-date']).toBe('20150830T123600Z');
    expect(r.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it("sorts the query as AWS's get-vanilla-query-order-key-case does", async () => {
    const r = request('Param2=value2&Param1=value1');
    await signRequest(r, EXAMPLE, SCOPE, AT);
    expect(r.headers.authorization).toMatch(/, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });

  it("carries the role session's token, signed, which the emulator's services know the session by", async () => {
    const r = request('', { 'content-type': 'application/x-www-form-urlencoded' });
    await signRequest(r, { ...EXAMPLE, sessionToken: 'local-session-1' }, { region: 'eu-west-1', service: 'sqs' }, AT);
    expect(r.headers['x-amz-security-token']).toBe('local-session-1');
    expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/eu-west-1\/sqs\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  });
});
