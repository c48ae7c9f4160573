import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { contextVariable } from '../../emulator/gateway/vtl/context-variable.ts';
import { compileMappingTemplate } from '../../emulator/gateway/vtl/mapping-template.ts';
import { compileRouteTemplates } from '../../emulator/gateway/vtl/route-templates.ts';
import type { AwsRouteDescription } from '../../emulator/stack-model/stack-description.ts';

// Mapping templates on velocityjs: $input, $context for WebSocket routes, Java's string methods,
// and the templates refused at stack start (named with their route).

const PETS = '{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]}';
const render = (template: string, body = '{}', context: Record<string, unknown> = {}) => compileMappingTemplate(template).render({ body, context });

describe('$input', () => {
  it('body is the raw payload; json(x) the JSON text of what the path selects; path(x) the value itself', () => {
    expect(render('$input.body', '{"a": 1}')).toBe('{"a": 1}');
    expect(render("$input.json('$.pets[0]')", PETS)).toBe('{"id":1,"type":"dog","price":249.99}');
    expect(render("$input.json('$.pets[1].type')", PETS)).toBe('"cat"');
    expect(render("$input.json('$')", '{"a":[1,2]}')).toBe('{"a":[1,2]}');
    expect(render("$input.path('$.pets[2].type')", PETS)).toBe('fish');
    expect(render(`$input.json("$['pets'][0]['id']")`, PETS)).toBe('1');
  });

  it("counts a list as the WebSocket reference's example does: $input.path('$.pets').count() and size()", () => {
    expect(render("$input.path('$.pets').count() $input.path('$.pets').size()", PETS)).toBe('3 3');
  });

  it('walks objects and lists natively in VTL', () => {
    const t = "#foreach($pet in $input.path('$.pets'))$pet.type#if($foreach.hasNext),#end#end";
    expect(render(t, PETS)).toBe('dog,cat,fish');
    expect(render("#foreach($k in $input.path('$.pets[0]').keySet())$k;#end", PETS)).toBe('id;type;price;');
    expect(render("$input.json('$.pets[*].id')", PETS)).toBe('[1,2,3]');
  });

  it('a path selecting nothing: json gives "" (assumed), path a null that prints nothing (observed)', () => {
    expect(render("$input.json('$.missing')")).toBe('""');
    expect(render("#if($input.path('$.missing'))yes#{else}no#end")).toBe('no');
    expect(render("[$input.path('$.missing')]")).toBe('[]');
  });

  it('params() on a message route: empty maps, and params(x) an empty string', () => {
    expect(render("[$input.params('name')]#foreach($t in $input.params().keySet())$t #end")).toBe('[]path querystring header ');
  });
});

describe("whitespace as API Gateway's Velocity (1.7) leaves it", () => {
  // Velocity 1.7's lexer (Parser.jjt: #set's token takes the blanks before it, a directive's `)`,
  // #else and #end the blanks and line break after them), as its tests expect of the 1.x
  // ("backward compatible") space gobbling; docs/aws-facts.md

  it('indented #set lines leave nothing: a form body starts with its first field (issue 67)', () => {
    const template = "    #set($room = $input.path('$.room'))\n    #set($id = $context.requestId)\nAction=SendMessage&MessageGroupId=$room";
    expect(render(template, '{"room":"r1"}')).toBe('Action=SendMessage&MessageGroupId=r1');
    expect(render('#set($a = 1)\n\t#set($b = 2)\n  #set($c = 3)\nA=$a&B=$b&C=$c')).toBe('A=1&B=2&C=3');
  });

  it("a #set line's indentation stays when text comes before it on the line or the line before", () => {
    expect(render('x\n  #set($a = 1)\ny$a')).toBe('x\n  y1');
    expect(render('head #set($a = 1)\nnext$a')).toBe('head next1');
    expect(render('#set($a = 1) tail\n$a')).toBe(' tail\n1');
  });

  it('#if, #foreach and #end lines keep their indentation and lose their line break', () => {
    expect(render('[\n  #if(true)\n    in\n  #end\n]')).toBe('[\n      in\n  ]');
    expect(render('[\n  #foreach($i in [1, 2])\n    $i\n  #end\n]')).toBe('[\n      1\n      2\n  ]');
    expect(render('#if(false)\nyes\n#else\nno\n#end\n.')).toBe('no\n.');
  });

  it('a ## comment takes its line break, a #* *# comment does not', () => {
    expect(render('a ## note\nb #* note *#\nc')).toBe('a b \nc');
  });
});

describe("objects from $input.path, as AWS prints and shares them", () => {
  it("a change through $input.path('$') is what $input.json('$') writes (a user's observed template)", () => {
    const template = "#set($body = $input.path('$'))\n#set($body.url = \"https://example.tld/thingy/$body.id\")\n$input.json('$')";
    expect(JSON.parse(render(template, '{"id":"42"}'))).toEqual({ id: '42', url: 'https://example.tld/thingy/42' });
    // put answers what it replaced (Java's Map): nothing printed for a new key
    expect(render("#set($b = $input.path('$'))[$b.put('n', 2)][$b.put('n', 3)]$input.json('$.n')", '{}')).toBe('[][2]3');
    expect(render("#set($l = $input.path('$.l'))#set($ok = $l.add(5))$ok $input.json('$')", '{"l":[1]}')).toBe('true {"l":[1,5]}');
  });

  it("prints a map as Java's, a list as JSON, and a null as nothing (AWS's outputs, recorded by LocalStack)", () => {
    const printed = (template: string, body: unknown) => render(template, JSON.stringify(body));
    expect(printed("#set($r = $input.path('$.json'))$r", { json: { foo: 'bar' } })).toBe('{foo=bar}');
    expect(printed("#set($r = $input.path('$.json'))$r", { json: [{ foo: 'bar' }] })).toBe('[{"foo":"bar"}]');
    expect(printed("#set($r = $input.path('$.json'))$r.nested", { json: { nested: { foo: 'bar' } } })).toBe('{foo=bar}');
    expect(printed("#set($r = $input.path('$.json'))$r", { json: { foo: [{ nested: 'bar' }] } })).toBe('{foo=[{"nested":"bar"}]}');
    expect(printed("#set($r = $input.path('$.json'))$r", { json: { bigger: 'dict', to: 'test', with: 'separators' } })).toBe('{bigger=dict, to=test, with=separators}');
    expect(printed("#set($r = $input.path('$.json'))$r.toString()", { json: { list: [{ foo: 'bar' }] } })).toBe('{list=[{"foo":"bar"}]}');
    expect(printed('#set($r = $input.path("$.nonExisting")){"body": $r, "nested": $r.nested}', { json: 1 })).toBe('{"body": , "nested": }');
    expect(printed('#set($r = $input.path("$.json.listValue")){"body": $r, "nested": $r.nested}', { json: { listValue: [] } })).toBe('{"body": [], "nested": }');
  });
});

describe('$context on a WebSocket message route', () => {
  it('holds the connection, the message, the API and the caller, as AWS lists them', () => {
    const context = contextVariable({
      api: { apiId: 'abc123', stage: 'prod', domainName: '127.0.0.1:9' },
      client: { connectionId: 'C0nn=', connectedAt: 1_700_000_000_000, sourceIp: '127.0.0.1', userAgent: 'ua/1', authorizer: { principalId: 'me', n: 1 } },
      routeKey: 'sendMessage',
      eventType: 'MESSAGE',
      requestId: 'R3q=',
      messageId: 'M5g=',
      requestTimeEpoch: Date.UTC(2026, 10, 21, 6, 12, 53),
    });
    const t = [
      '$context.connectionId', '$context.connectedAt', '$context.routeKey', '$context.requestId', '$context.extendedRequestId', '$context.eventType',
      '$context.messageId', '$context.stage', '$context.apiId', '$context.domainName', '$context.requestTimeEpoch', '$context.requestTime',
      '$context.identity.sourceIp', '$context.identity.userAgent', '$context.authorizer.principalId', '$context.authorizer.n',
    ].join('|');
    expect(render(t, '{}', context).split('|')).toEqual([
      'C0nn=', '1700000000000', 'sendMessage', 'R3q=', 'R3q=', 'MESSAGE', 'M5g=', 'prod', 'abc123', '127.0.0.1:9', String(Date.UTC(2026, 10, 21, 6, 12, 53)),
      '21/Nov/2026:06:12:53 +0000', '127.0.0.1', 'ua/1', 'me', '1',
    ]);
  });
});

describe("Java's string methods (API Gateway runs VTL on Java)", () => {
  it('replaceAll and replaceFirst take a regex and a Java replacement; replace replaces every literal', () => {
    expect(render(`#set($s = "a.b.c")$s.replaceAll("\\.", "-") $s.replaceFirst("[.]", "") $s.replace(".", "+")`)).toBe('a-b-c ab.c a+b+c');
    expect(render(`#set($s = "k=v")$s.replaceAll("(\\w)=(\\w)", "$2=$1")`)).toBe('v=k');
  });

  it('length(), isEmpty(), contains(), equals(), matches() and split()', () => {
    expect(render(`#set($s = "hello")$s.length() $s.isEmpty() $s.contains("ell") $s.equals("hello") $s.matches("h.*o") $s.split("l").size()`)).toBe('5 false true true true 3');
  });
});

describe('templates refused at compile time', () => {
  const refused = (t: string) => {
    try {
      compileMappingTemplate(t);
    } catch (err) {
      return (err as Error).message;
    }
    return 'compiled';
  };

  it('a syntax error, in one line', () => {
    const message = refused('#set($x = )');
    expect(message).toMatch(/^VTL: Parse error on line 1 near "#set\(\$x = \)"/);
    expect(message).not.toContain('\n');
  });

  it('a block without its #end, or an #end too many (velocityjs alone accepts both)', () => {
    expect(refused('#if($x) a')).toMatch(/not closed by its #end/);
    expect(refused('a #end b')).toMatch(/not closed by its #end/);
    expect(refused('#foreach($a in [1,2])$a#end')).toBe('compiled');
  });

  it('a $util function or $input member API Gateway does not have, a macro not defined, a JSONPath not emulated', () => {
    expect(refused('$util.md5($input.body)')).toMatch(/\$util\.md5 is not one of API Gateway's \$util functions/);
    expect(refused('"$util.nope()"')).toMatch(/\$util\.nope/);
    expect(refused('$input.headers')).toMatch(/\$input\.headers is not one of/);
    expect(refused('#include("x")')).toMatch(/#include\(…\) is no directive and no macro/);
    expect(refused("$input.json('$..id')")).toMatch(/deep scan/);
    expect(refused('#macro(twice $x)$x$x#end#twice(1)')).toBe('compiled');
  });
});

describe('compileRouteTemplates', () => {
  const route = (requestTemplates: Record<string, string>, responseTemplates?: Record<string, string>): AwsRouteDescription => ({
    logicalId: 'SendRoute',
    routeKey: 'sendMessage',
    integrationId: 'SendIntegration',
    integrationUri: 'arn:aws:apigateway:us-east-1:sqs:path/000000000000/q',
    integrationMethod: 'POST',
    requestParameters: {},
    requestTemplates,
    passthroughBehavior: 'NEVER',
    twoWay: false,
    ...(responseTemplates ? { responseTemplates } : {}),
  });

  it('compiles request and response templates by key', () => {
    const compiled = compileRouteTemplates([route({ $default: 'Action=SendMessage&MessageBody=$input.body' }, { $default: '{"ok":true}' })]);
    expect([...compiled.get('sendMessage')!.request.keys()]).toEqual(['$default']);
    expect(compiled.get('sendMessage')!.response.get('$default')!.render({ body: '', context: {} })).toBe('{"ok":true}');
  });

  it('names the route, the integration and the template key of one it cannot run, in one line', () => {
    let error: unknown;
    try {
      compileRouteTemplates([route({ $default: 'ok', json: '#if($x) never closed' })]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe('route sendMessage (integration SendIntegration RequestTemplates "json"): VTL: a block (#if, #foreach, #macro, #define) is not closed by its #end, or an #end closes nothing');
    expect(() => compileRouteTemplates([route({ $default: 'ok' }, { $default: '$util.sha1($input.body)' })])).toThrow(/^route sendMessage \(integration response of SendIntegration ResponseTemplates "\$default"\): VTL: \$util\.sha1/);
  });
});
