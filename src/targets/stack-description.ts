import { z } from 'zod';
import { AUTHORIZER_FUNCTION_OUTPUT, OPTIONAL_ROUTES, ROUTE_FUNCTION_OUTPUTS, type ChatRoute } from '../../common/stack-outputs.ts';

/**
 * A deployed stack's outputs as the harness reads them: checked against the contract
 * (common/stack-outputs.ts) and turned into what `--target aws:<stackName>` needs.
 */

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

/**
 * The keys that say a stack follows the contract: its fixed keys but the generic ones (a SAM app
 * or another CDK app commonly outputs a `WebSocketUrl` or an `ApiId` of its own). A stack that
 * publishes none of these does not follow it (its resources are discovered instead).
 */
const GENERIC_OUTPUT_KEYS = ['WebSocketUrl', 'ApiId', 'StageName', 'Region'];
export const CONTRACT_OUTPUT_KEYS = Object.keys(Fixed.shape).filter((k) => !GENERIC_OUTPUT_KEYS.includes(k));

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
