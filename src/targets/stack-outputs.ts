import { z } from 'zod';

/**
 * The CloudFormation outputs a deployed stack publishes so that `--target aws:<stackName>` can
 * find everything by the stack's name: defined here once, written by the CDK app
 * (reference-stack/infra) and read by the harness (aws-stack.ts). It lives with the harness
 * because it is the harness's interface: any stack that publishes these outputs can be targeted
 * by name, the reference stack is one of them. It imports nothing but zod, so the CDK app can
 * import it without pulling in the harness.
 */

/** Output key → what its value is (the CDK app uses the text as the output's description). */
export const STACK_OUTPUTS = {
  WebSocketUrl: 'WebSocket URL clients connect to: wss://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
  CallbackUrl: '@connections management API base URL, stage included (the functions post to it)',
  ApiId: 'API Gateway WebSocket API id (the ApiId dimension of AWS/ApiGateway metrics)',
  StageName: 'API Gateway stage name (the Stage dimension)',
  Region: 'AWS region of the stack',
  ConnectionsTable: 'DynamoDB table of connections',
  RoomMembersTable: 'DynamoDB table of room members',
  MessagesTable: 'DynamoDB table of rooms and message history',
} as const;
export type StackOutputKey = keyof typeof STACK_OUTPUTS;

/**
 * One output per route: the name of the Lambda function serving it. Routes are what the chat
 * protocol defines; a stack publishes one output for each route it deploys.
 */
export const ROUTE_FUNCTION_OUTPUTS = {
  $connect: 'ConnectFunction',
  $disconnect: 'DisconnectFunction',
  $default: 'DefaultFunction',
  setName: 'SetNameFunction',
  createRoom: 'CreateRoomFunction',
  joinRoom: 'JoinRoomFunction',
  leaveRoom: 'LeaveRoomFunction',
  sendMessage: 'SendMessageFunction',
  whoami: 'WhoamiFunction',
  broadcast: 'BroadcastFunction',
} as const;
export type ChatRoute = keyof typeof ROUTE_FUNCTION_OUTPUTS;

/**
 * Optional: the function of a Lambda authorizer on $connect, when the stack has one. Its
 * invocations, duration and cold starts are pulled like the routes' functions'.
 */
export const AUTHORIZER_FUNCTION_OUTPUT = 'AuthorizerFunction';
export const AUTHORIZER_FUNCTION_DESCRIPTION = 'Lambda function of the $connect authorizer (invoked on every handshake)';

/** Routes a stack may leave out: the reference stack deploys the naive broadcast only on request. */
export const OPTIONAL_ROUTES: readonly ChatRoute[] = ['broadcast'];

export function routeFunctionDescription(route: string): string {
  return `Lambda function serving the ${route} route`;
}

/** Every output key the contract knows, in a stable order (the fixed ones, then one per route). */
export function stackOutputKeys(routes: readonly ChatRoute[] = Object.keys(ROUTE_FUNCTION_OUTPUTS) as ChatRoute[]): string[] {
  return [...Object.keys(STACK_OUTPUTS), ...routes.map((r) => ROUTE_FUNCTION_OUTPUTS[r])];
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const url = (protocols: string[]) =>
  nonEmpty.refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);

const Fixed = z.object({
  WebSocketUrl: url(['wss:', 'ws:']),
  CallbackUrl: url(['https:', 'http:']),
  ApiId: nonEmpty,
  StageName: nonEmpty,
  Region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1'),
  ConnectionsTable: nonEmpty,
  RoomMembersTable: nonEmpty,
  MessagesTable: nonEmpty,
});

/** What a stack's outputs say, read and checked. */
export interface StackDescription {
  websocketUrl: string;
  callbackUrl: string;
  apiId: string;
  stage: string;
  region: string;
  tables: { connections: string; roomMembers: string; messages: string };
  /** route → function name, for every route the stack deploys, then its $connect authorizer's (if any) */
  functions: Array<{ route: ChatRoute; name: string; authorizer?: true }>;
}

/**
 * Checks a stack's outputs (OutputKey → OutputValue) against the contract. A missing or bad
 * output is one line naming its key; outputs the contract does not know are ignored.
 */
export function parseStackOutputs(outputs: Readonly<Record<string, string | undefined>>): { ok: true; value: StackDescription } | { ok: false; issue: string } {
  const fixed = Fixed.safeParse(outputs);
  if (!fixed.success) {
    const issue = fixed.error.issues[0];
    const key = String(issue.path[0]);
    return { ok: false, issue: outputs[key] === undefined ? `output ${key} is missing` : `output ${key}: ${issue.message}` };
  }
  const functions: StackDescription['functions'] = [];
  for (const [route, key] of Object.entries(ROUTE_FUNCTION_OUTPUTS) as Array<[ChatRoute, string]>) {
    const name = outputs[key]?.trim();
    if (name) functions.push({ route, name });
    else if (outputs[key] !== undefined) return { ok: false, issue: `output ${key}: must not be empty` };
    else if (!OPTIONAL_ROUTES.includes(route)) return { ok: false, issue: `output ${key} is missing (the function of the ${route} route)` };
  }
  const authorizer = outputs[AUTHORIZER_FUNCTION_OUTPUT];
  if (authorizer !== undefined) {
    if (!authorizer.trim()) return { ok: false, issue: `output ${AUTHORIZER_FUNCTION_OUTPUT}: must not be empty` };
    functions.push({ route: '$connect', name: authorizer.trim(), authorizer: true });
  }
  const o = fixed.data;
  return {
    ok: true,
    value: {
      websocketUrl: o.WebSocketUrl,
      callbackUrl: o.CallbackUrl,
      apiId: o.ApiId,
      stage: o.StageName,
      region: o.Region,
      tables: { connections: o.ConnectionsTable, roomMembers: o.RoomMembersTable, messages: o.MessagesTable },
      functions,
    },
  };
}
