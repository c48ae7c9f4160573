import { CONNECT_AUTHORIZER, FUNCTIONS, PUSH_FUNCTIONS } from './manifest.ts';
import { TABLE_DEFAULT_NAMES } from './shared/tables.ts';

/**
 * The names a stack's resources get, derived from its CloudFormation name, so that two variants
 * (x86 beside arm64, before beside after) deploy side by side in one account and region. The
 * CDK app and the emulator both derive them here.
 *
 * The default stack keeps the manifest's names (`fanout-send-message`, `fanout-connections`): the
 * names its users, dashboards and docs already know. Any other stack puts its own name where the
 * manifest's names say `fanout` (`FanoutBenchChatArm-send-message`, `FanoutBenchChatArm-connections`),
 * CloudFormation's usual `<stack>-<resource>`. The token parameter is
 * `/fanout-bench/<stack>/connect-token` for every stack, the default one included. The CDK app
 * writes this rule into its template as conditions on AWS::StackName (infra/stack-scoped-name.ts),
 * so one template serves every name.
 */

export const DEFAULT_STACK_NAME = 'FanoutBenchChat';

/** What the manifest's names start with, and what another stack's name replaces. */
const MANIFEST_PREFIX = 'fanout';

/** Lambda's limit on a function name. */
const FUNCTION_NAME_MAX = 64;

/** CloudFormation's rule for a stack name (a letter, then letters, digits or hyphens). */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

/** Longest stack name whose derived function names fit Lambda's 64 characters. */
export const STACK_NAME_MAX = FUNCTION_NAME_MAX - Math.max(...[...FUNCTIONS, ...PUSH_FUNCTIONS, CONNECT_AUTHORIZER].map((f) => suffixOf(f.name).length));

/** Why a stack name cannot be used, or undefined when it can. */
export function stackNameIssue(name: string): string | undefined {
  if (!STACK_NAME.test(name)) return 'must start with a letter and hold only letters, digits and "-"';
  if (name.length > STACK_NAME_MAX) return `must be at most ${STACK_NAME_MAX} characters, so that its function names fit Lambda's ${FUNCTION_NAME_MAX}`;
  return undefined;
}

export interface StackTableNames {
  connections: string;
  roomMembers: string;
  messages: string;
}

/** The deployed name of a resource the manifest names (a function, the authorizer, a table, the push path's) in the stack `stackName`. */
export function stackResourceName(stackName: string, manifestName: string): string {
  return stackName === DEFAULT_STACK_NAME ? manifestName : `${stackName}${suffixOf(manifestName)}`;
}

/** The stack's three tables. */
export function stackTableNames(stackName: string): StackTableNames {
  const name = (table: string) => stackResourceName(stackName, table);
  return {
    connections: name(TABLE_DEFAULT_NAMES.connections),
    roomMembers: name(TABLE_DEFAULT_NAMES.roomMembers),
    messages: name(TABLE_DEFAULT_NAMES.messages),
  };
}

export interface StackPushNames {
  /** the custom EventBridge bus push events are put on */
  bus: string;
  /** the rule on it matching them */
  rule: string;
  /** the queued path's queue and its dead-letter queue */
  queue: string;
  deadLetterQueue: string;
}

/** The push path's resources in the default stack. */
export const PUSH_DEFAULT_NAMES: Readonly<StackPushNames> = { bus: 'fanout-push', rule: 'fanout-push-rule', queue: 'fanout-push-queue', deadLetterQueue: 'fanout-push-dlq' };

/** The push path's bus, rule and queues (manifest.ts PUSH_EVENT), named as the tables are. */
export function stackPushNames(stackName: string): StackPushNames {
  const name = (resource: string) => stackResourceName(stackName, resource);
  const d = PUSH_DEFAULT_NAMES;
  return { bus: name(d.bus), rule: name(d.rule), queue: name(d.queue), deadLetterQueue: name(d.deadLetterQueue) };
}

/** The Parameter Store parameter holding the stack's $connect token (when the stack creates it). */
export function stackTokenParameter(stackName: string): string {
  return `/fanout-bench/${stackName}/connect-token`;
}

/** "-send-message" of "fanout-send-message": what follows the stack's name in another stack. */
export function suffixOf(manifestName: string): string {
  if (!manifestName.startsWith(`${MANIFEST_PREFIX}-`)) throw new Error(`manifest name ${manifestName} does not start with "${MANIFEST_PREFIX}-"`);
  return manifestName.slice(MANIFEST_PREFIX.length);
}
