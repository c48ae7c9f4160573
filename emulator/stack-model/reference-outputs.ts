import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import type { StackTableNames } from '../../reference-stack/functions/stack-names.ts';

/**
 * The outputs DescribeStacks answers for the local stack: what the CDK app (reference-stack/infra)
 * writes once the stack is deployed, built from what the emulator runs (its functions by route,
 * its tables, its endpoints). The keys are the harness's outputs contract
 * (src/targets/stack-outputs.ts, which the emulator does not import; a test holds the two equal):
 * the fixed keys, one `<Route>Function` per route function (`$connect` → ConnectFunction,
 * `sendMessage` → SendMessageFunction), and with the $connect authorizer the three outputs the
 * CDK app adds for it. Descriptions are left out: the contract's texts stay with the contract.
 */

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
}

export interface LocalStackFacts {
  websocketUrl: string;
  callbackUrl: string;
  apiId: string;
  stage: string;
  region: string;
  tables: StackTableNames;
  /** every route's function, in the manifest's order */
  functions: ReadonlyArray<{ route: string; name: string; returnResponse?: boolean }>;
  /** the $connect authorizer, when the stack has one */
  authorizer?: { name: string; parameterName: string; identitySource: string };
}

/** `$connect` → ConnectFunction, `sendMessage` → SendMessageFunction. */
export function routeFunctionOutputKey(route: string): string {
  const bare = route.replace(/^\$/, '');
  return `${bare.charAt(0).toUpperCase()}${bare.slice(1)}Function`;
}

/** `roomMembers` → RoomMembersTable. */
function tableOutputKey(table: keyof typeof TABLE_DEFAULT_NAMES): string {
  return `${table.charAt(0).toUpperCase()}${table.slice(1)}Table`;
}

export function localStackOutputs(facts: LocalStackFacts): StackOutput[] {
  const outputs: Record<string, string> = {
    WebSocketUrl: facts.websocketUrl,
    CallbackUrl: facts.callbackUrl,
    ApiId: facts.apiId,
    StageName: facts.stage,
    Region: facts.region,
  };
  for (const table of Object.keys(TABLE_DEFAULT_NAMES) as Array<keyof typeof TABLE_DEFAULT_NAMES>) {
    outputs[tableOutputKey(table)] = facts.tables[table];
  }
  for (const fn of facts.functions) outputs[routeFunctionOutputKey(fn.route)] = fn.name;
  if (facts.authorizer) {
    outputs.AuthorizerFunction = facts.authorizer.name;
    outputs.AuthTokenParameter = facts.authorizer.parameterName;
    outputs.AuthIdentitySource = facts.authorizer.identitySource;
  }
  return Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
}
