import { describe, expect, it } from 'vitest';
import { compileMappingTemplate } from '../../emulator/gateway/vtl/mapping-template.ts';
import { base64Decode, base64Encode, escapeJavaScript, parseJson, urlDecode, urlEncode } from '../../emulator/gateway/vtl/util-variable.ts';

// $util of API Gateway's mapping templates, held to what AWS documents ("API Gateway mapping
// template and access logging variable reference", $util variables) and to the Java functions
// behind them (Commons Lang escapeJavaScript, java.net.URLEncoder/URLDecoder).

const render = (template: string, body = '{}') => compileMappingTemplate(template).render({ body, context: {} });

describe('$util.escapeJavaScript', () => {
  it("turns single quotes into \\' (AWS's note), and the documented replaceAll turns them back for JSON", () => {
    expect(escapeJavaScript("it's")).toBe("it\\'s");
    expect(render(`#set($data = "it's")$util.escapeJavaScript($data)`)).toBe("it\\'s");
    expect(render(`#set($data = "it's")$util.escapeJavaScript($data).replaceAll("\\\\'","'")`)).toBe("it's");
  });

  it('escapes double quotes, backslashes, slashes and control characters by JavaScript string rules', () => {
    expect(escapeJavaScript('say "hi"')).toBe('say \\"hi\\"');
    expect(escapeJavaScript('a\\b')).toBe('a\\\\b');
    expect(escapeJavaScript('</script>')).toBe('<\\/script>');
    expect(escapeJavaScript('l1\nl2\tx\r\b\f')).toBe('l1\\nl2\\tx\\r\\b\\f');
    expect(escapeJavaScript('\u0001')).toBe('\\u0001');
  });

  it('writes every character past ASCII as \\uXXXX (upper-case hex, UTF-16 units)', () => {
    expect(escapeJavaScript('café')).toBe('caf\\u00E9');
    expect(escapeJavaScript('€')).toBe('\\u20AC');
    expect(escapeJavaScript('😀')).toBe('\\uD83D\\uDE00');
  });

  it('makes a JSON body safe inside a JSON string of a template', () => {
    const body = JSON.stringify({ text: 'he said "hi"\n' });
    const out = render(`{"raw":"$util.escapeJavaScript($input.body).replaceAll("\\\\'","'")"}`, body);
    expect(JSON.parse(out).raw).toBe(body);
  });
});

describe('$util.urlEncode / urlDecode: application/x-www-form-urlencoded', () => {
  it('encodes a space as +, keeps letters, digits and .-*_, and %-encodes the rest as UTF-8 upper-case', () => {
    expect(urlEncode('a b')).toBe('a+b');
    expect(urlEncode('AZaz09.-*_')).toBe('AZaz09.-*_');
    expect(urlEncode("!'()~&=+/?#%")).toBe('%21%27%28%29%7E%26%3D%2B%2F%3F%23%25');
    expect(urlEncode('{"a":"é"}')).toBe('%7B%22a%22%3A%22%C3%A9%22%7D');
  });

  it('decodes + as a space and %XX as UTF-8 bytes', () => {
    expect(urlDecode('a+b%20c')).toBe('a b c');
    expect(urlDecode('%C3%A9%E2%82%AC')).toBe('é€');
    const text = 'room r1 & "x" = 5% é';
    expect(urlDecode(urlEncode(text))).toBe(text);
  });

  it("encodes as AWS did in LocalStack's AWS-recorded test; a string's missing property is null, printed as nothing", () => {
    const template = 'EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)';
    expect(render(template, '{"some": "value"}')).toBe('EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=');
    expect(render(template, 'some raw data')).toBe('EncodedBody=some+raw+data&EncodedBodyAccess=');
  });

  it('builds an SQS SendMessage form body in a template', () => {
    expect(render('Action=SendMessage&MessageBody=$util.urlEncode($input.body)', '{"msg":"hi there"}')).toBe(
      'Action=SendMessage&MessageBody=%7B%22msg%22%3A%22hi+there%22%7D',
    );
  });
});

describe('$util.base64Encode / base64Decode', () => {
  it('encodes and decodes the UTF-8 text as standard base64', () => {
    expect(base64Encode('hello')).toBe('aGVsbG8=');
    expect(base64Encode('é')).toBe('w6k=');
    expect(base64Decode('aGVsbG8=')).toBe('hello');
    expect(render('$util.base64Decode($util.base64Encode($input.body))', '{"a":1}')).toBe('{"a":1}');
  });
});

describe('$util.parseJson', () => {
  it("gives the object of a stringified JSON, as AWS's example shows", () => {
    // AWS's example: a payload whose errorMessage holds stringified JSON
    const payload = '{"errorMessage":"{\\"key1\\":\\"var1\\",\\"key2\\":{\\"arr\\":[1,2,3]}}"}';
    const template = `#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))
{
   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]
}`;
    expect(JSON.parse(render(template, payload))).toEqual({ errorMessageObjKey2ArrVal: 1 });
    expect(parseJson('[1,{"a":true}]')).toEqual([1, { a: true }]);
  });

  it('fails the render on a text that is no JSON', () => {
    expect(() => render('$util.parseJson($input.body)', 'not json')).toThrow();
  });
});
