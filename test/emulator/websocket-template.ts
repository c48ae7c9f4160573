import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';

/** A function's Lambda proxy integration URI, as a template writes it. */
export const lambdaUri = (fn: string) => ({ 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fn}.Arn}/invocations` });

/** A Node.js function with its code inline (ZipFile). */
export const inlineFunction = (extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200 });' }, ...extra },
});

export interface TemplateCase {
  outputs?: Record<string, unknown>;
  /** more top-level keys of the template (`Transform`, …) */
  template?: Record<string, unknown>;
  /** the folder the template is written into (default one of the case's own) */
  dir?: string;
  stackName?: string;
  region?: string;
  accountId?: string;
}

/**
 * The template-reader tests' stack: a WebSocket API whose `$default` route invokes function `Fn`,
 * a stage, and the case's `resources`, each case written to a folder of its own (removed after the
 * file's tests) and read as `stack up --template` reads it; `dir` is the file's folder, for other
 * work of its own.
 */
export function websocketTemplates(prefix: string): { read: (resources: Record<string, unknown>, o?: TemplateCase) => Promise<StackDescription>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const read = (resources: Record<string, unknown>, o: TemplateCase = {}): Promise<StackDescription> => {
    const sub = o.dir ?? join(dir, `case${n++}`);
    mkdirSync(sub, { recursive: true });
    const file = join(sub, 'stack.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...o.template,
        Resources: {
          Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'a', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' } },
          Route: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Api' }, RouteKey: '$default', Target: { 'Fn::Sub': 'integrations/${Integration}' } } },
          Integration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Api' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Fn') } },
          Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Api' }, StageName: 'prod' } },
          Fn: inlineFunction(),
          ...resources,
        },
        ...(o.outputs ? { Outputs: Object.fromEntries(Object.entries(o.outputs).map(([k, v]) => [k, { Value: v }])) } : {}),
      }),
    );
    return readTemplateStack({
      path: file,
      parameters: {},
      ...(o.stackName ? { stackName: o.stackName } : {}),
      region: o.region ?? 'us-east-1',
      accountId: o.accountId ?? '123456789012',
      apiId: 'abcdef1234',
      workDir: join(sub, 'work'),
    });
  };
  return { read, dir };
}
