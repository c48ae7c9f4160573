import { describe, expect, it } from 'vitest';
import type { ChatStackProps } from '../../reference-stack/infra/chat-stack.ts';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { OPTIONAL_ROUTES, ROUTE_FUNCTION_OUTPUTS, STACK_OUTPUTS, stackOutputKeys, type ChatRoute } from '../../common/stack-outputs.ts';
import { parseStackOutputs } from '../../src/targets/stack-description.ts';
import { deployedOutputs } from '../fixtures/targets/deployed-outputs.ts';
import { synth as synthTemplate } from '../infra/synth.ts';

// The outputs contract (common/stack-outputs.ts) from both sides: the CDK app writes exactly
// the outputs it lists, and what DescribeStacks would return for them reads back.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The synthesized template's JSON (synth.ts: each set of props synthesized once). */
const synth = (props: ChatStackProps = {}): Json => synthTemplate(props).toJSON();

const ALL_ROUTES = FUNCTIONS.map((f) => f.route as ChatRoute);

describe('stack outputs: the CDK app writes exactly the contract', () => {
  it('knows every route of the manifest', () => {
    expect(Object.keys(ROUTE_FUNCTION_OUTPUTS).sort()).toEqual([...ALL_ROUTES].sort());
  });

  it.each([
    ['with broadcast', { broadcast: true, stageName: 'bench' }, ALL_ROUTES],
    ['without broadcast (the default)', {}, ALL_ROUTES.filter((r) => r !== 'broadcast')],
  ])('%s: the template has exactly the outputs the contract lists', (_, props, routes) => {
    const outputs = synth(props).Outputs as Json;
    expect(Object.keys(outputs).sort()).toEqual(stackOutputKeys(routes).sort());
    for (const key of Object.keys(STACK_OUTPUTS) as Array<keyof typeof STACK_OUTPUTS>) expect(outputs[key].Description).toBe(STACK_OUTPUTS[key]);
  });

  it('points each output at the resource it names', () => {
    const t = synth({ broadcast: true, stageName: 'bench' });
    const out = t.Outputs as Json;
    const logicalId = (type: string, where: (p: Json) => boolean = () => true) =>
      Object.entries(t.Resources as Json).find(([, r]) => r.Type === type && where(r.Properties))![0];
    const api = logicalId('AWS::ApiGatewayV2::Api');
    for (const spec of FUNCTIONS) {
      const fn = logicalId('AWS::Lambda::Function', (p) => p.FunctionName === spec.name);
      expect(out[ROUTE_FUNCTION_OUTPUTS[spec.route as ChatRoute]].Value, spec.route).toEqual({ Ref: fn });
    }
    expect(out.ConnectionsTable.Value).toEqual({ Ref: logicalId('AWS::DynamoDB::Table', (p) => p.TableName === 'fanout-connections') });
    expect(out.RoomMembersTable.Value).toEqual({ Ref: logicalId('AWS::DynamoDB::Table', (p) => p.TableName === 'fanout-room-members') });
    expect(out.MessagesTable.Value).toEqual({ Ref: logicalId('AWS::DynamoDB::Table', (p) => p.TableName === 'fanout-messages') });
    expect(out.ApiId.Value).toEqual({ Ref: api });
    expect(out.StageName.Value).toBe('bench');
    // env-agnostic: the region is the deployment's, resolved by CloudFormation
    expect(out.Region.Value).toEqual({ Ref: 'AWS::Region' });
    expect(out.WebSocketUrl.Value).toEqual({
      'Fn::Join': ['', ['wss://', { Ref: api }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/bench']],
    });
    expect(out.CallbackUrl.Value).toEqual({
      'Fn::Join': ['', ['https://', { Ref: api }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/bench']],
    });
  });
});

describe('stack outputs: the harness reads them back', () => {
  it('reads every output of the deployed stack, functions by route', () => {
    const parsed = parseStackOutputs(deployedOutputs());
    expect(parsed).toEqual({
      ok: true,
      value: {
        websocketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
        callbackUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
        apiId: 'abc123',
        stage: 'prod',
        region: 'eu-west-1',
        tables: { connections: 'fanout-connections', roomMembers: 'fanout-room-members', messages: 'fanout-messages' },
        functions: FUNCTIONS.map((f) => ({ route: f.route, name: f.name })),
      },
    });
  });

  it('lets a stack leave out only the optional routes, and ignores outputs it does not know', () => {
    const without = parseStackOutputs({ ...deployedOutputs(ALL_ROUTES.filter((r) => !OPTIONAL_ROUTES.includes(r))), Extra: 'x' });
    expect(without.ok && without.value.functions.map((f) => f.route)).not.toContain('broadcast');
    const { SendMessageFunction: _, ...noSend } = deployedOutputs();
    expect(parseStackOutputs(noSend)).toEqual({ ok: false, issue: 'output SendMessageFunction is missing (the function of the sendMessage route)' });
  });

  it.each([
    [{ WebSocketUrl: undefined }, 'output WebSocketUrl is missing'],
    [{ WebSocketUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' }, 'output WebSocketUrl: must be a wss:// or ws:// URL'],
    [{ Region: 'Ireland' }, 'output Region: must be an AWS region such as us-east-1'],
    [{ ApiId: ' ' }, 'output ApiId: must not be empty'],
    [{ ConnectFunction: '' }, 'output ConnectFunction: must not be empty'],
  ])('refuses %j with one line naming the output', (change, issue) => {
    const outputs: Record<string, string | undefined> = { ...deployedOutputs(), ...change };
    for (const [k, v] of Object.entries(outputs)) if (v === undefined) delete outputs[k];
    expect(parseStackOutputs(outputs)).toEqual({ ok: false, issue });
  });
});
