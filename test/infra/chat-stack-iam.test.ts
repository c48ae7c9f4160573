import { describe, expect, it } from 'vitest';
import type { ChatStackProps } from '../../reference-stack/infra/chat-stack.ts';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { synth as synthTemplate } from './synth.ts';

// The synthesized template's IAM, read back from the template itself (not from the declarations
// in route-access.ts): per function, which actions it may take on what. Synthesis only, no AWS
// account; bundling is skipped (synth.ts).

/**
 * What each handler calls, from its code (the doc comment of each handler and "SDK calls per
 * route" in reference-stack/README.md): `resource: action`. `@connections` is a POST on this
 * API's stage; every function also writes its own log group.
 */
const EXPECTED: Record<string, string[]> = {
  $connect: ['connections: PutItem'],
  $disconnect: ['roomMembers/byConnection: Query', 'connections: BatchWriteItem', 'roomMembers: BatchWriteItem'],
  $default: [],
  setName: ['connections: UpdateItem'],
  createRoom: ['messages: PutItem'],
  joinRoom: ['messages: GetItem', 'roomMembers: PutItem', 'roomMembers: Query'],
  leaveRoom: ['roomMembers: DeleteItem'],
  sendMessage: [
    'roomMembers: Query',
    'connections: GetItem',
    'messages: PutItem',
    '@connections: POST',
    // the 410 cleanup
    'roomMembers/byConnection: Query',
    'connections: BatchWriteItem',
    'roomMembers: BatchWriteItem',
  ],
  whoami: [],
  broadcast: ['connections: Scan', '@connections: POST', 'roomMembers/byConnection: Query', 'connections: BatchWriteItem', 'roomMembers: BatchWriteItem'],
};
/** The direct server push (deployed by default): a room's members (Query) or every connection (Scan), posts, the 410 cleanup. */
const EXPECTED_PUSH = ['roomMembers: Query', 'roomMembers: BatchWriteItem', 'connections: Scan', 'connections: BatchWriteItem', 'roomMembers/byConnection: Query', '@connections: POST'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The synthesized template's JSON (synth.ts: each set of props synthesized once). */
const synth = (props: ChatStackProps = {}): Json => synthTemplate(props).toJSON();

function resourcesOf(template: Json, type: string): Array<[string, Json]> {
  return Object.entries(template.Resources as Json).filter(([, r]) => r.Type === type) as Array<[string, Json]>;
}

/** A statement's Resource as a label, or a failure naming what it is. */
function label(template: Json, resource: unknown, fnName: string, stageName: string): string {
  const tableKey = (logicalId: string) => {
    const name = template.Resources[logicalId]?.Properties?.TableName;
    const key = Object.entries(TABLE_DEFAULT_NAMES).find(([, n]) => n === name)?.[0];
    if (!key) throw new Error(`${fnName}: a statement on ${logicalId}, which is not one of the stack's tables`);
    return key;
  };
  const r = resource as Json;
  if (r?.['Fn::GetAtt']?.[1] === 'Arn') {
    const target = template.Resources[r['Fn::GetAtt'][0]];
    if (target?.Type === 'AWS::DynamoDB::Table') return tableKey(r['Fn::GetAtt'][0]);
    if (target?.Type === 'AWS::Logs::LogGroup') {
      expect(target.Properties.LogGroupName, `${fnName} writes only its own log group`).toBe(`/aws/lambda/${fnName}`);
      return 'logs';
    }
  }
  const join = r?.['Fn::Join'];
  if (join && join[0] === '') {
    const parts = join[1] as unknown[];
    // table ARN + "/index/<name>"
    if (parts.length === 2 && (parts[0] as Json)?.['Fn::GetAtt']?.[1] === 'Arn' && typeof parts[1] === 'string' && parts[1].startsWith('/index/')) {
      return `${tableKey((parts[0] as Json)['Fn::GetAtt'][0])}/${parts[1].slice('/index/'.length)}`;
    }
    // arn:{partition}:execute-api:{region}:{account}:{this API}/{stage}/POST/@connections/*
    const api = resourcesOf(template, 'AWS::ApiGatewayV2::Api')[0][0];
    expect(parts, `${fnName}: @connections only on this API's stage, POST only`).toEqual([
      'arn:',
      { Ref: 'AWS::Partition' },
      ':execute-api:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':',
      { Ref: api },
      `/${stageName}/POST/@connections/*`,
    ]);
    return '@connections';
  }
  throw new Error(`${fnName}: a statement on an unexpected resource ${JSON.stringify(resource)}`);
}

/** Per function name: its role's statements as `resource: action` labels (logs apart). */
function grantsByFunction(template: Json, stageName = 'prod'): Map<string, { grants: string[]; logs: string[] }> {
  const out = new Map<string, { grants: string[]; logs: string[] }>();
  const policies = resourcesOf(template, 'AWS::IAM::Policy');
  for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const name = fn.Properties.FunctionName as string;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const entry = { grants: [] as string[], logs: [] as string[] };
    for (const [, policy] of policies.filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))) {
      for (const s of policy.Properties.PolicyDocument.Statement as Json[]) {
        expect(s.Effect).toBe('Allow');
        const actions = [s.Action].flat() as string[];
        for (const resource of [s.Resource].flat()) {
          const what = label(template, resource, name, stageName);
          for (const action of actions) {
            if (what === 'logs') entry.logs.push(action);
            else if (what === '@connections') {
              expect(action).toBe('execute-api:ManageConnections');
              entry.grants.push('@connections: POST');
            } else {
              expect(action, `${name}: ${what}`).toMatch(/^dynamodb:[A-Za-z]+$/);
              entry.grants.push(`${what}: ${action.slice('dynamodb:'.length)}`);
            }
          }
        }
      }
    }
    out.set(name, entry);
  }
  return out;
}

describe('CDK reference stack: least-privilege IAM', () => {
  const template = synth({ broadcast: true });

  it('has no "*" in any action and no statement on every resource', () => {
    for (const [id, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      for (const s of policy.Properties.PolicyDocument.Statement as Json[]) {
        for (const action of [s.Action].flat() as string[]) expect(action, id).not.toContain('*');
        for (const resource of [s.Resource].flat()) expect(resource, id).not.toBe('*');
        expect(s.NotAction ?? s.NotResource, id).toBeUndefined();
      }
    }
  });

  it('gives every function a role of its own with no managed policy (AWSLambdaBasicExecutionRole allows every log group)', () => {
    const roles = resourcesOf(template, 'AWS::IAM::Role');
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(new Set(functions.map(([, f]) => f.Properties.Role['Fn::GetAtt'][0])).size).toBe(functions.length);
    for (const [id, role] of roles) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
      expect(role.Properties.Policies, id).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  it('grants each function exactly the DynamoDB calls its code makes, on the tables and index it makes them on', () => {
    const byFunction = grantsByFunction(template);
    expect([...byFunction.keys()].sort()).toEqual([...FUNCTIONS.map((f) => f.name), 'fanout-push'].sort());
    expect(byFunction.get('fanout-push')!.grants.sort()).toEqual([...EXPECTED_PUSH].sort());
    for (const spec of FUNCTIONS) {
      const { grants, logs } = byFunction.get(spec.name)!;
      expect(grants.sort(), spec.route).toEqual([...EXPECTED[spec.route]].sort());
      expect(logs.sort(), spec.route).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    }
  });

  it('lets only the naive broadcast and the push to everyone Scan, and only sendMessage, broadcast and the push post to connections', () => {
    const byFunction = grantsByFunction(template);
    const having = (grant: string) => [...byFunction].filter(([, g]) => g.grants.some((x) => x.endsWith(grant))).map(([n]) => n).sort();
    expect(having(': Scan')).toEqual(['fanout-broadcast', 'fanout-push']);
    expect(having('@connections: POST')).toEqual(['fanout-broadcast', 'fanout-push', 'fanout-send-message']);
  });

  it("scopes ManageConnections to the stage deployed (-c stage=…)", () => {
    const bench = synth({ stageName: 'bench' });
    const byFunction = grantsByFunction(bench, 'bench');
    expect(byFunction.get('fanout-send-message')!.grants).toContain('@connections: POST');
    expect(JSON.stringify(bench)).not.toContain('/prod/POST');
  });
});

describe('CDK reference stack: routes', () => {
  it('routes every route to the function of that route', () => {
    const template = synth({ broadcast: true });
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(FUNCTIONS.map((f) => f.route).sort());
    for (const [, route] of routes) {
      const [prefix, ref] = route.Properties.Target['Fn::Join'][1];
      expect(prefix).toBe('integrations/');
      const integration = template.Resources[ref.Ref];
      const fnId = (integration.Properties.IntegrationUri['Fn::Join'][1] as Json[]).find((p) => p?.['Fn::GetAtt'])!['Fn::GetAtt'][0];
      const spec = FUNCTIONS.find((f) => f.route === route.Properties.RouteKey)!;
      expect(template.Resources[fnId].Properties.FunctionName, spec.route).toBe(spec.name);
    }
  });

  it('turns detailed (per-route) metrics on in the stage unless -c detailedMetrics=false', () => {
    const stage = (t: Json) => resourcesOf(t, 'AWS::ApiGatewayV2::Stage')[0][1].Properties.DefaultRouteSettings;
    expect(stage(synth({ broadcast: true })).DetailedMetricsEnabled).toBe(true);
    expect(stage(synth({ detailedMetrics: false })).DetailedMetricsEnabled).toBe(false);
  });
});
