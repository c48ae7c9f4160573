import type { TargetEndpoints, TargetFunctions } from './target-schema.ts';

export type { TargetEndpoints, TargetFunction, TargetFunctions } from './target-schema.ts';

/**
 * How the harness reaches a system under test: only by URL and the AWS APIs, the way it would
 * reach AWS. A local target is the emulator started as a child process; a remote target is any
 * stack speaking the chat protocol at a ws:// or wss:// URL, or a deployed stack found by its
 * CloudFormation name (`aws:<stackName>`).
 */
export interface LocalStackInfo {
  ready: true;
  websocketUrl: string;
  callbackUrl: string;
  cloudwatchEndpoint: string;
  dynamodbEndpoint: string;
  stage: string;
  apiId: string;
  region: string;
  /** the Lambda runtime emulated and the Node that ran the functions (absent from older stacks) */
  lambdaRuntime?: { runtime: string; node: string; matches: boolean; note?: string };
  /** the emulator's Lambda API (GetFunctionConfiguration, UpdateFunctionConfiguration; absent from older stacks) */
  lambdaEndpoint?: string;
  /** the functions the stack runs and the memory each got (absent from older stacks) */
  functions?: unknown;
  [key: string]: unknown;
}

export interface Target {
  kind: 'local' | 'remote';
  /** the WebSocket URL clients connect to */
  url: string;
  /** where the system's APIs answer: @connections, CloudWatch, DynamoDB, Lambda */
  endpoints: TargetEndpoints;
  /**
   * The functions the system runs as they are configured now (name, route, memory, …). Asked
   * again by every measurement, since memory may change between two (compare).
   */
  describeFunctions(): Promise<TargetFunctions>;
  /** the local stack's ready line; undefined for remote */
  local: LocalStackInfo | undefined;
  /** the `stack up` flags the local stack was started with */
  stackArgs: string[];
  /**
   * The target's $connect says, through the subprotocol it selects from the two the harness
   * offers, whether it ran in a new execution environment (the reference stack does; the probe
   * finds out for a remote one): connects are then timed as cold or warm as well.
   */
  connectColdFlag?: boolean;
  /**
   * the named AWS profile the harness's SDK clients use for this target (`--profile`); absent:
   * the SDK's standard chain (AWS_PROFILE, the default profile, …)
   */
  awsProfile?: string;
  /**
   * Stops what this target started (nothing for remote). Safe to call twice. A local stack that
   * has not stopped within `graceMs` (default 5 s) is killed.
   */
  stop(graceMs?: number): Promise<void>;
}
