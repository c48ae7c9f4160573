import type { Scenario } from '../contracts/scenario-schema.ts';
import type { Quotas } from '../contracts/quotas-schema.ts';
import type { CloudWatchTarget } from '../aws/cloudwatch-source.ts';
import type { SdkClientSettings } from '../aws/sdk-settings.ts';
import type { StackReady } from '../../common/stack-ready.ts';
import type { StalePostsView } from '../metrics/measurement/stale-report.ts';
import type { UnservedCall } from '../../common/unserved-calls.ts';
import type { RecordedTargetInfo, TargetEndpoints, TargetFunctions, TargetStart } from '../contracts/target-schema.ts';

export type { TargetEndpoints, TargetFunction, TargetFunctions, TargetStart } from '../contracts/target-schema.ts';
export type { StackReady };

/**
 * How the harness reaches a system under test: only by URL and the AWS APIs, the way it would
 * reach AWS. A local target is the emulator started as a child process; a remote target is any
 * stack speaking the chat protocol at a ws:// or wss:// URL, or a deployed stack found by its
 * CloudFormation name (`aws:<stackName>`).
 *
 * Whatever differs between these kinds is a property or method of the Target, set by the kind
 * that makes it (local.ts, remote.ts, aws-stack.ts): the code that measures, pulls, compares and
 * records asks these, never which kind it has.
 */
export interface Target extends RecordedTargetInfo {
  /** where the system's APIs answer: @connections, CloudWatch, DynamoDB, Lambda */
  endpoints: TargetEndpoints;
  /**
   * The functions the system runs as they are configured now (name, route, memory, …). Asked
   * again by every measurement, since memory may change between two (compare).
   */
  describeFunctions(): Promise<TargetFunctions>;
  /** the local stack's ready line; undefined for remote */
  local: StackReady | undefined;
  /** the `stack up` flags the local stack was started with */
  stackArgs: string[];
  /**
   * Where the target publishes its metrics and the rules for reading them (period, window margin,
   * the wait before a pull, host metrics); null when the harness does not know (a URL of a stack
   * of your own): no CloudWatch is pulled.
   */
  cloudWatch: CloudWatchTarget | null;
  /**
   * How the harness reaches the target's Lambda API (the emulator's or AWS's), through which
   * memory sizes change while it runs (compare); null when the target names none.
   */
  lambdaApi: SdkClientSettings | null;
  /**
   * How the harness reaches IAM and IAM Access Analyzer, where it reads what each function's role
   * grants and what the run used of it: AWS's, or the emulator's edge; absent where the target
   * names none (a URL).
   */
  iamApi?: SdkClientSettings;
  /**
   * How the harness reaches API Gateway's control plane (GetStage, UpdateStage, GetAccount), where
   * the stage's access logging is read and set for a run (access-logging.ts): AWS's, or the
   * emulator's; absent where the target names none (a URL).
   */
  apiGatewayApi?: SdkClientSettings;
  /**
   * One line for each way this scenario does not fit the target: knobs it ignores, an idle phase
   * too short for it. Said before measuring, kept among the run's warnings.
   */
  scenarioWarnings(scenario: Scenario): string[];
  /**
   * What results.json keeps of how the stack was started, beside its endpoints and functions:
   * a local stack's `stack up` flags and ready line (config.stackArgs, config.stack) and the
   * runtime that ran its functions (environment.lambdaRuntime). Empty for a stack started elsewhere.
   */
  startedWith: TargetStart;
  /**
   * The target's $connect says, through the subprotocol it selects from the two the harness
   * offers, whether it ran in a new execution environment (the reference stack does; the probe
   * finds out for a remote one): connects are then timed as cold or warm as well.
   */
  connectColdFlag?: boolean;
  /**
   * The parameter the stack's $connect authorizer reads its token from, as its environment says
   * (`aws:` targets with an authorizer; token-parameter.ts): named when a run is refused with 403.
   */
  tokenParameter?: TokenParameter;
  /**
   * Limits the target says of itself once started that a plan made before could not know (a local
   * template's stage and route throttles, its ready line's): held with the planned ones
   * (session/quota-preflight.ts withOwnLimits).
   */
  ownLimits?: OwnLimits;
  /** A deployed stack's $connect authorizer's IdentitySource (GetAuthorizers), for the refusal line's advice; a local stack's is its ready line's `auth`. */
  authorizerIdentitySource?: readonly string[];
  /**
   * The target's own view of posts to the connections of clients dropped during a run (each
   * answered 410 Gone), asked after the run for a protocol whose answers do not count them: the
   * emulator's gateway record (local), the functions' logs (aws:, aws-api:). Absent where the
   * target has none (a URL): the figures are then not observable.
   */
  stalePosts?: (run: { startMs: number; endMs: number }) => Promise<StalePostsView>;
  /** The local emulator's record of the functions' calls to AWS endpoints it does not serve, since `run.startMs` (emulator-unserved-calls.ts); absent elsewhere (AWS serves them). */
  unservedCalls?: (run: { startMs: number }) => Promise<UnservedCall[]>;
  /**
   * Stops what this target started (nothing for remote). Safe to call twice. A local stack that
   * has not stopped within `graceMs` (default 5 s) is killed.
   */
  stop(graceMs?: number): Promise<void>;
}

/** What an authorizer function's environment says: its token parameter, and how often it reads it at most (token-parameter.ts). */
/** Limits as quota values: the stage's, and its routes' throttles. */
export type OwnLimits = Pick<Quotas, 'limits' | 'routes'>;

export interface TokenParameter {
  name: string;
  rereadSeconds: number;
}
