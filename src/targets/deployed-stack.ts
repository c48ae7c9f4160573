import type { TargetDiscovery } from '../contracts/target-schema.ts';
import type { StackDescription } from './stack-description.ts';

/**
 * A deployed WebSocket API stack as the aws: targets use it, however it was found (a stack's
 * outputs contract, its CloudFormation resources, or an API by id): where clients connect, the
 * API and stage (the metrics' dimensions), the region, the functions by route and the tables.
 */
export interface DeployedStack {
  websocketUrl: string;
  callbackUrl: string;
  apiId: string;
  stage: string;
  region: string;
  tables: string[];
  /** route → function name, then the $connect authorizer's (if any) */
  /** `qualifier`: the alias or version its route's integration invokes (absent: unqualified, or not known) */
  functions: Array<{ route: string; name: string; qualifier?: string; authorizer?: true }>;
  /** the $connect authorizer's IdentitySource, where the API was asked (GetAuthorizers) */
  authorizerIdentitySource?: string[];
  discovery: TargetDiscovery;
  /** the CloudFormation stack it was read from, if any */
  stackName?: string;
}

/** A stack whose outputs are the contract's (stack-description.ts). */
export function fromOutputs(stackName: string, d: StackDescription): DeployedStack {
  const from = 'DescribeStacks outputs';
  const tables = [d.tables.connections, d.tables.roomMembers, d.tables.messages];
  return {
    websocketUrl: d.websocketUrl,
    callbackUrl: d.callbackUrl,
    apiId: d.apiId,
    stage: d.stage,
    region: d.region,
    tables,
    functions: d.functions,
    stackName,
    discovery: {
      method: 'stack-outputs',
      found: [
        { what: 'websocket URL', value: d.websocketUrl, from },
        { what: 'api', value: d.apiId, from },
        { what: 'stage', value: d.stage, from },
        ...d.functions.map((f) => ({ what: f.authorizer ? `authorizer of ${f.route}` : `function of ${f.route}`, value: f.name, from })),
        ...tables.map((t) => ({ what: 'table', value: t, from })),
      ],
    },
  };
}

/** API Gateway's stage URL from GetApi's ApiEndpoint (wss://{apiId}.execute-api.{region}.amazonaws.com, or the emulator's ws://) and the stage. */
export function stageUrls(apiEndpoint: string, stage: string): { websocketUrl: string; callbackUrl: string } {
  const base = apiEndpoint.replace(/\/+$/, '');
  const path = encodeURIComponent(stage);
  return { websocketUrl: `${base}/${path}`, callbackUrl: `${base.replace(/^ws(s?):/, 'http$1:')}/${path}` };
}
