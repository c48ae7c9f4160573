import { describe, expect, it } from 'vitest';
import { eventV1, eventV2, responseV1, responseV2, type ProxyContext, type ProxyRequest } from '../../emulator/http-api/lambda-proxy.ts';

// The Lambda proxy events and answers of API Gateway, held against AWS's pages: "Create AWS
// Lambda proxy integrations for HTTP APIs in API Gateway" (payload formats 2.0 and 1.0, the
// function's response) and "Lambda proxy integrations in API Gateway" (the REST input and output
// formats). Field order is checked where AWS's examples give one.

const BINARY = Buffer.from([0x00, 0x01, 0xfe, 0xff]);
const TIME = Date.UTC(2020, 2, 12, 19, 3, 58, 390); // AWS's example time, 12/Mar/2020:19:03:58 +0000

function request(over: Partial<ProxyRequest> = {}): ProxyRequest {
  return {
    method: 'POST',
    rawPath: '/dev/items/42',
    path: '/items/42',
    rawQueryString: 'q=a%20b&tag=x&tag=y&empty=',
    rawHeaders: [
      'Host', '127.0.0.1:4000',
      'User-Agent', 'curl/8.0',
      'X-Custom', 'one',
      'x-custom', 'two',
      'Cookie', 'a=1; b=2',
      'Cookie', 'c=3',
      'Content-Type', 'application/octet-stream',
      'Content-Length', '4',
      'Connection', 'keep-alive',
      'X-Forwarded-For', '10.0.0.1',
      'Accept', '*/*',
    ],
    body: BINARY,
    sourceIp: '192.0.2.7',
    protocol: 'HTTP/1.1',
    ...over,
  };
}

function context(over: Partial<ProxyContext> = {}): ProxyContext {
  return {
    routeKey: 'POST /items/{id}',
    resourcePath: '/items/{id}',
    pathParameters: { id: '42' },
    stageVariables: { table: 'items' },
    accountId: '123456789012',
    apiId: 'a1b2c3d4e5',
    domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
    stage: 'dev',
    requestId: 'JKJaXmPLvHcESHA=',
    timeEpoch: TIME,
    ...over,
  };
}

/** A GET with nothing optional: no query string, cookie, body, path variable or stage variable. */
const bare = (): ProxyRequest => request({ method: 'GET', rawPath: '/', path: '/', rawQueryString: '', rawHeaders: ['Host', 'x', 'User-Agent', 'curl/8.0'], body: Buffer.alloc(0) });
const bareContext = (): ProxyContext => context({ routeKey: '$default', resourcePath: '$default', pathParameters: undefined, stageVariables: undefined, stage: '$default' });

const TRACE = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const obj = (v: unknown) => v as Record<string, any>;

describe('payload format 2.0 (HTTP API)', () => {
  const event = obj(eventV2(request(), context()));

  it('has AWS\'s fields in the order of its example', () => {
    expect(Object.keys(event)).toEqual(['version', 'routeKey', 'rawPath', 'rawQueryString', 'cookies', 'headers', 'queryStringParameters', 'requestContext', 'body', 'pathParameters', 'isBase64Encoded', 'stageVariables']);
    expect(Object.keys(event.requestContext)).toEqual(['accountId', 'apiId', 'domainName', 'domainPrefix', 'http', 'requestId', 'routeKey', 'stage', 'time', 'timeEpoch']);
    expect(Object.keys(event.requestContext.http)).toEqual(['method', 'path', 'protocol', 'sourceIp', 'userAgent']);
  });

  it('names the route and passes the path and query string as sent', () => {
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('POST /items/{id}');
    expect(event.rawPath).toBe('/dev/items/42');
    expect(event.rawQueryString).toBe('q=a%20b&tag=x&tag=y&empty=');
  });

  it('moves every cookie of every Cookie header to cookies, and leaves them out of headers', () => {
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.headers.cookie).toBeUndefined();
  });

  it('lower-cases header names, joins repeated ones with commas, and adds the gateway\'s own', () => {
    expect(event.headers).toEqual({
      accept: '*/*',
      'content-length': '4',
      'content-type': 'application/octet-stream',
      host: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'curl/8.0',
      'x-amzn-trace-id': expect.stringMatching(TRACE),
      'x-custom': 'one,two',
      'x-forwarded-for': '10.0.0.1, 192.0.2.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    });
    // in name order, as AWS's captured events list them; hop-by-hop headers stop at the gateway
    expect(Object.keys(event.headers)).toEqual([...Object.keys(event.headers)].sort());
    expect(event.headers.connection).toBeUndefined();
  });

  it('states content-length itself and derives the trace id from the request', () => {
    expect(obj(eventV2(bare(), bareContext())).headers['content-length']).toBe('0');
    expect(obj(eventV2(request(), context())).headers['x-amzn-trace-id']).toBe(event.headers['x-amzn-trace-id']);
    expect(obj(eventV2(request(), context({ requestId: 'other=' }))).headers['x-amzn-trace-id']).not.toBe(event.headers['x-amzn-trace-id']);
    expect(event.headers['x-amzn-trace-id']).toMatch(new RegExp(`^Root=1-${Math.floor(TIME / 1000).toString(16)}-`));
  });

  it('decodes query parameters and joins repeated keys with commas', () => {
    expect(event.queryStringParameters).toEqual({ q: 'a b', tag: 'x,y', empty: '' });
  });

  it('gives the request context of AWS\'s example', () => {
    expect(event.requestContext).toEqual({
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      http: { method: 'POST', path: '/dev/items/42', protocol: 'HTTP/1.1', sourceIp: '192.0.2.7', userAgent: 'curl/8.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: 'POST /items/{id}',
      stage: 'dev',
      time: '12/Mar/2020:19:03:58 +0000',
      timeEpoch: TIME,
    });
  });

  it('puts the authorizer\'s context after apiId, as given', () => {
    const rc = obj(eventV2(request(), context({ authorizer: { lambda: { user: 'u1' } } }))).requestContext;
    expect(Object.keys(rc).slice(0, 3)).toEqual(['accountId', 'apiId', 'authorizer']);
    expect(rc.authorizer).toEqual({ lambda: { user: 'u1' } });
  });

  it('passes a binary body in base64, with path and stage variables', () => {
    expect(event.body).toBe(BINARY.toString('base64'));
    expect(event.isBase64Encoded).toBe(true);
    expect(event.pathParameters).toEqual({ id: '42' });
    expect(event.stageVariables).toEqual({ table: 'items' });
  });

  it('leaves out cookies, queryStringParameters, body, pathParameters and stageVariables when there are none', () => {
    const e = obj(eventV2(bare(), bareContext()));
    expect(Object.keys(e)).toEqual(['version', 'routeKey', 'rawPath', 'rawQueryString', 'headers', 'requestContext', 'isBase64Encoded']);
    expect(e.rawQueryString).toBe('');
    expect(e.isBase64Encoded).toBe(false);
    expect(e.requestContext.stage).toBe('$default');
    expect(obj(eventV2(bare(), context({ pathParameters: {}, stageVariables: {} }))).pathParameters).toBeUndefined();
  });

  it('gives userAgent "" when the client sent none', () => {
    expect(obj(eventV2(request({ rawHeaders: [] }), context())).requestContext.http.userAgent).toBe('');
  });

  it('passes text/*, JSON, XML and JavaScript as text and every other body in base64', () => {
    const body = Buffer.from('{"a":1}');
    const encoded = (contentType?: string) => {
      const e = obj(eventV2(request({ body, rawHeaders: contentType === undefined ? [] : ['Content-Type', contentType] }), context()));
      return e.isBase64Encoded ? (expect(e.body).toBe(body.toString('base64')), true) : (expect(e.body).toBe('{"a":1}'), false);
    };
    expect(encoded('application/json')).toBe(false);
    expect(encoded('application/json; charset=utf-8')).toBe(false);
    expect(encoded('Text/Plain')).toBe(false);
    expect(encoded('text/html')).toBe(false);
    expect(encoded('application/xml')).toBe(false);
    expect(encoded('application/javascript')).toBe(false);
    expect(encoded('application/x-www-form-urlencoded')).toBe(true);
    expect(encoded('application/octet-stream')).toBe(true);
    expect(encoded('image/png')).toBe(true);
    expect(encoded(undefined)).toBe(true);
  });
});

describe('payload format 1.0 (HTTP API)', () => {
  const event = obj(eventV1(request(), context(), 'http'));

  it('has AWS\'s fields in the order of its example', () => {
    expect(Object.keys(event)).toEqual(['version', 'resource', 'path', 'httpMethod', 'headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'requestContext', 'pathParameters', 'stageVariables', 'body', 'isBase64Encoded']);
    expect(Object.keys(event.requestContext)).toEqual(['accountId', 'apiId', 'domainName', 'domainPrefix', 'extendedRequestId', 'httpMethod', 'identity', 'path', 'protocol', 'requestId', 'requestTime', 'requestTimeEpoch', 'resourceId', 'resourcePath', 'stage']);
    expect(Object.keys(event.requestContext.identity)).toEqual(['accessKey', 'accountId', 'caller', 'cognitoAuthenticationProvider', 'cognitoAuthenticationType', 'cognitoIdentityId', 'cognitoIdentityPoolId', 'principalOrgId', 'sourceIp', 'user', 'userAgent', 'userArn']);
  });

  it('names the resource and gives the path as sent, stage included', () => {
    expect(event.version).toBe('1.0');
    expect(event.resource).toBe('/items/{id}');
    expect(event.path).toBe('/dev/items/42');
    expect(event.httpMethod).toBe('POST');
  });

  it('gives each header\'s last value in headers and all of them in multiValueHeaders, names lower-cased, cookies left in', () => {
    expect(event.headers['x-custom']).toBe('two');
    expect(event.multiValueHeaders['x-custom']).toEqual(['one', 'two']);
    expect(event.headers.cookie).toBe('c=3');
    expect(event.multiValueHeaders.cookie).toEqual(['a=1; b=2', 'c=3']);
    expect(event.headers['x-forwarded-for']).toBe('10.0.0.1, 192.0.2.7');
    expect(event.headers['content-length']).toBe('4');
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(Object.keys(event.multiValueHeaders)).toEqual(Object.keys(event.headers));
  });

  it('gives each query key\'s last value and all of its values', () => {
    expect(event.queryStringParameters).toEqual({ q: 'a b', tag: 'y', empty: '' });
    expect(event.multiValueQueryStringParameters).toEqual({ q: ['a b'], tag: ['x', 'y'], empty: [''] });
  });

  it('gives the request context of AWS\'s example, resourceId null', () => {
    expect(event.requestContext).toEqual({
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      extendedRequestId: 'JKJaXmPLvHcESHA=',
      httpMethod: 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '192.0.2.7',
        user: null,
        userAgent: 'curl/8.0',
        userArn: null,
      },
      path: '/dev/items/42',
      protocol: 'HTTP/1.1',
      requestId: 'JKJaXmPLvHcESHA=',
      requestTime: '12/Mar/2020:19:03:58 +0000',
      requestTimeEpoch: TIME,
      resourceId: null,
      resourcePath: '/items/{id}',
      stage: 'dev',
    });
  });

  it('passes path and stage variables and a binary body in base64', () => {
    expect(event.pathParameters).toEqual({ id: '42' });
    expect(event.stageVariables).toEqual({ table: 'items' });
    expect(event.body).toBe(BINARY.toString('base64'));
    expect(event.isBase64Encoded).toBe(true);
  });

  it('gives null for what the request lacks', () => {
    const e = obj(eventV1(bare(), bareContext(), 'http'));
    expect(e.resource).toBe('$default');
    expect(e.queryStringParameters).toBeNull();
    expect(e.multiValueQueryStringParameters).toBeNull();
    expect(e.pathParameters).toBeNull();
    expect(e.stageVariables).toBeNull();
    expect(e.body).toBeNull();
    expect(e.isBase64Encoded).toBe(false);
    expect(obj(eventV1(request({ rawHeaders: [] }), context(), 'http')).requestContext.identity.userAgent).toBeNull();
  });

  it('puts the authorizer\'s context after apiId', () => {
    const rc = obj(eventV1(request(), context({ authorizer: { principalId: 'me' } }), 'http')).requestContext;
    expect(Object.keys(rc).slice(0, 3)).toEqual(['accountId', 'apiId', 'authorizer']);
    expect(rc.authorizer).toEqual({ principalId: 'me' });
  });
});

describe('the REST API proxy event', () => {
  const restContext = (over: Partial<ProxyContext> = {}) => context({ routeKey: 'ANY /{proxy+}', resourcePath: '/{proxy+}', pathParameters: { proxy: 'items/42' }, ...over });
  const event = obj(eventV1(request(), restContext(), 'rest'));

  it('has the fields of AWS\'s input format, in its order, and no version', () => {
    expect(Object.keys(event)).toEqual(['resource', 'path', 'httpMethod', 'headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'pathParameters', 'stageVariables', 'requestContext', 'body', 'isBase64Encoded']);
    expect(Object.keys(event.requestContext)).toEqual(['requestTime', 'path', 'accountId', 'protocol', 'resourceId', 'stage', 'domainPrefix', 'requestTimeEpoch', 'requestId', 'extendedRequestId', 'identity', 'domainName', 'resourcePath', 'httpMethod', 'apiId']);
    expect(Object.keys(event.requestContext.identity)).toEqual(['cognitoIdentityPoolId', 'accountId', 'cognitoIdentityId', 'caller', 'sourceIp', 'principalOrgId', 'accessKey', 'cognitoAuthenticationType', 'cognitoAuthenticationProvider', 'userArn', 'userAgent', 'user']);
  });

  it('gives the resource, and the path without the stage', () => {
    expect(event.resource).toBe('/{proxy+}');
    expect(event.path).toBe('/items/42');
    expect(event.pathParameters).toEqual({ proxy: 'items/42' });
  });

  it('keeps the client\'s header casing (the first one seen) and adds the gateway\'s in AWS\'s casing', () => {
    expect(event.headers).toEqual({
      Accept: '*/*',
      'Content-Length': '4',
      'Content-Type': 'application/octet-stream',
      Cookie: 'c=3',
      Host: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      'User-Agent': 'curl/8.0',
      'X-Amzn-Trace-Id': expect.stringMatching(TRACE),
      'X-Custom': 'two',
      'X-Forwarded-For': '10.0.0.1, 192.0.2.7',
      'X-Forwarded-Port': '443',
      'X-Forwarded-Proto': 'https',
    });
    expect(event.multiValueHeaders['X-Custom']).toEqual(['one', 'two']);
    expect(event.multiValueHeaders.Cookie).toEqual(['a=1; b=2', 'c=3']);
  });

  it('gives REST\'s request context: the path with the stage, a resource id, the time', () => {
    const rc = event.requestContext;
    expect(rc.path).toBe('/dev/items/42');
    expect(rc.resourcePath).toBe('/{proxy+}');
    expect(rc.httpMethod).toBe('POST');
    expect(rc.protocol).toBe('HTTP/1.1');
    expect(rc.stage).toBe('dev');
    expect(rc.requestTime).toBe('12/Mar/2020:19:03:58 +0000');
    expect(rc.requestTimeEpoch).toBe(TIME);
    expect(rc.identity.sourceIp).toBe('192.0.2.7');
    expect(rc.identity.userAgent).toBe('curl/8.0');
    expect(rc.resourceId).toMatch(/^[0-9a-z]{6}$/);
    expect(obj(eventV1(request(), restContext(), 'rest')).requestContext.resourceId).toBe(rc.resourceId);
    expect(obj(eventV1(bare(), restContext({ resourcePath: '/' }), 'rest')).requestContext.resourceId).toMatch(/^[0-9a-z]{10}$/);
    expect(obj(eventV1(request(), restContext({ resourceId: 'roq9wj' }), 'rest')).requestContext.resourceId).toBe('roq9wj');
  });

  it('passes the body as text unless its type is among the API\'s binaryMediaTypes', () => {
    expect(event.body).toBe(BINARY.toString('utf8'));
    expect(event.isBase64Encoded).toBe(false);
    for (const types of [['application/octet-stream'], ['application/*'], ['*/*']]) {
      const e = obj(eventV1(request(), restContext({ binaryMediaTypes: types }), 'rest'));
      expect(e.body).toBe(BINARY.toString('base64'));
      expect(e.isBase64Encoded).toBe(true);
    }
    expect(obj(eventV1(request(), restContext({ binaryMediaTypes: ['image/*'] }), 'rest')).isBase64Encoded).toBe(false);
  });

  it('gives null for what the request lacks', () => {
    const e = obj(eventV1(bare(), context({ pathParameters: undefined, stageVariables: undefined }), 'rest'));
    expect([e.queryStringParameters, e.multiValueQueryStringParameters, e.pathParameters, e.stageVariables, e.body]).toEqual([null, null, null, null, null]);
    expect(e.isBase64Encoded).toBe(false);
  });
});

const text = (r: ReturnType<typeof responseV2>) => r && { ...r, body: r.body.toString('utf8') };

describe('the 2.0 response', () => {
  it('takes a result with a statusCode as the response', () => {
    const r = responseV2({ statusCode: 201, headers: { 'Content-Type': 'text/plain', 'X-Count': 3, 'X-Flag': true, 'X-None': null }, body: 'created' });
    expect(text(r)).toEqual({ statusCode: 201, headers: [['Content-Type', 'text/plain'], ['X-Count', '3'], ['X-Flag', 'true']], body: 'created' });
  });

  it('makes each cookie a set-cookie header', () => {
    expect(responseV2({ statusCode: 200, cookies: ['a=1; Path=/', 'b=2'] })?.headers).toEqual([['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2']]);
  });

  it('decodes a base64 body', () => {
    expect(responseV2({ statusCode: 200, body: BINARY.toString('base64'), isBase64Encoded: true })?.body).toEqual(BINARY);
    expect(responseV2({ statusCode: 200, body: 'aGk=', isBase64Encoded: false })?.body.toString()).toBe('aGk=');
  });

  it('answers no body when there is none, and reads no multiValueHeaders (2.0 has none)', () => {
    expect(text(responseV2({ statusCode: 204, multiValueHeaders: { 'X-A': ['1'] } }))).toEqual({ statusCode: 204, headers: [], body: '' });
  });

  it('takes a numeric string as the status code', () => {
    expect(responseV2({ statusCode: '404' })?.statusCode).toBe(404);
  });

  it('infers a response from any other JSON as AWS documents: 200, application/json, the result as the body', () => {
    const json: [string, string][] = [['content-type', 'application/json']];
    // AWS's two examples: "Hello from Lambda!" and { "message": "Hello from Lambda!" }
    expect(text(responseV2('Hello from Lambda!'))).toEqual({ statusCode: 200, headers: json, body: 'Hello from Lambda!' });
    expect(text(responseV2({ message: 'Hello from Lambda!' }))).toEqual({ statusCode: 200, headers: json, body: '{"message":"Hello from Lambda!"}' });
    expect(text(responseV2({ body: 'x', headers: { a: 'b' } }))?.body).toBe('{"body":"x","headers":{"a":"b"}}');
    expect(text(responseV2(42))?.body).toBe('42');
    expect(text(responseV2([1, 'a']))?.body).toBe('[1,"a"]');
    expect(text(responseV2(false))?.body).toBe('false');
    expect(text(responseV2(null))).toEqual({ statusCode: 200, headers: json, body: 'null' });
    expect(text(responseV2(undefined))).toEqual({ statusCode: 200, headers: json, body: 'null' });
  });

  it('finds a malformed response malformed', () => {
    for (const bad of [
      { statusCode: 'abc' },
      { statusCode: null },
      { statusCode: 99 },
      { statusCode: 600 },
      { statusCode: 200.5 },
      { statusCode: true },
      { statusCode: 200, body: { a: 1 } },
      { statusCode: 200, body: 5 },
      { statusCode: 200, body: 'x', isBase64Encoded: 'yes' },
      { statusCode: 200, headers: ['a', 'b'] },
      { statusCode: 200, headers: 'x' },
      { statusCode: 200, headers: { a: { b: 1 } } },
      { statusCode: 200, headers: { a: ['1', '2'] } },
      { statusCode: 200, headers: { 'bad name': 'x' } },
      { statusCode: 200, headers: { a: 'x\r\ny: z' } },
      { statusCode: 200, cookies: 'a=1' },
      { statusCode: 200, cookies: [{ a: 1 }] },
    ]) {
      expect(responseV2(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('the 1.0 and REST response', () => {
  it('merges headers and multiValueHeaders, a pair in both once', () => {
    const r = responseV1({ statusCode: 200, headers: { 'Content-Type': 'text/plain', 'X-A': '1', 'x-b': '9' }, multiValueHeaders: { 'X-A': ['1', '2'], 'X-B': ['3'] }, body: 'ok' });
    expect(text(r)).toEqual({ statusCode: 200, headers: [['X-A', '1'], ['X-A', '2'], ['X-B', '3'], ['Content-Type', 'text/plain'], ['x-b', '9']], body: 'ok' });
  });

  it('takes a numeric string as the status code, and no body as an empty one', () => {
    expect(text(responseV1({ statusCode: '302', headers: { Location: '/x' } }))).toEqual({ statusCode: 302, headers: [['Location', '/x']], body: '' });
    expect(responseV1({ statusCode: 200, body: null })?.body.length).toBe(0);
  });

  it('decodes a base64 body', () => {
    expect(responseV1({ statusCode: 200, body: BINARY.toString('base64'), isBase64Encoded: true })?.body).toEqual(BINARY);
  });

  it('finds a result without an object and a statusCode malformed', () => {
    for (const bad of ['Hello from Lambda!', 42, null, undefined, [1], {}, { body: 'x' }]) expect(responseV1(bad), JSON.stringify(bad)).toBeUndefined();
  });

  it('finds a malformed field malformed', () => {
    for (const bad of [
      { statusCode: 'abc' },
      { statusCode: 200, body: { a: 1 } },
      { statusCode: 200, body: 7 },
      { statusCode: 200, isBase64Encoded: 'true' },
      { statusCode: 200, headers: { a: { b: 1 } } },
      { statusCode: 200, multiValueHeaders: { a: 'x' } },
      { statusCode: 200, multiValueHeaders: { a: [{ b: 1 }] } },
      { statusCode: 200, multiValueHeaders: ['x'] },
    ]) {
      expect(responseV1(bad), JSON.stringify(bad)).toBeUndefined();
      expect(responseV1(bad, 'rest'), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('on REST refuses keys outside the output format; an HTTP API ignores them', () => {
    const result = { statusCode: 200, body: 'results', ok: true };
    expect(responseV1(result, 'rest')).toBeUndefined();
    expect(text(responseV1(result, 'http'))).toEqual({ statusCode: 200, headers: [], body: 'results' });
    expect(text(responseV1({ isBase64Encoded: false, statusCode: 200, headers: {}, multiValueHeaders: {}, body: 'b' }, 'rest'))?.body).toBe('b');
  });
});
