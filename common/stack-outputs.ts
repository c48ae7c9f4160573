/**
 * The CloudFormation outputs a deployed stack publishes so that `--target aws:<stackName>` can
 * find everything by the stack's name: defined here once, written by the CDK app
 * (reference-stack/infra) and read by the harness (src/targets/stack-description.ts). Any stack
 * that publishes these outputs can be targeted by name; the reference stack is one of them.
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
