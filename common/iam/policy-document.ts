import { z } from 'zod';

/**
 * An IAM policy document as IAM reads one (IAM User Guide, "IAM JSON policy elements"): Version,
 * Statement as one object or a list, each with Effect, Action or NotAction, Resource or
 * NotResource (a string or a list) and Condition (kept: evaluation.ts says what is done with it).
 * What IAM refuses is refused here, as one line naming the place: no Statement, an Effect other
 * than Allow or Deny, an action without a service prefix, a statement with both Action and
 * NotAction (or Resource and NotResource) or with neither.
 *
 * A resource-based policy (a queue's or a topic's: `kind` 'resource') names who each statement is
 * about in Principal or NotPrincipal (`*`, or `{AWS|Service|Federated|CanonicalUser: one or a
 * list}`), one of them required; its Resource may be left out, the statement then being about the
 * resource the policy is attached to. An identity-based policy that names a principal is refused.
 */

export type Effect = 'Allow' | 'Deny';

export interface PolicyStatement {
  sid?: string;
  effect: Effect;
  /** exactly one of action / notAction */
  action?: string[];
  notAction?: string[];
  /** exactly one of resource / notResource */
  resource?: string[];
  notResource?: string[];
  /** operator → condition key → values, as written */
  condition?: Record<string, Record<string, unknown>>;
  /** a resource-based policy's: at most one of principal / notPrincipal */
  principal?: PolicyPrincipal;
  notPrincipal?: PolicyPrincipal;
  /** where the statement came from, for messages: `inline policy ChatFnRolePolicy0`, `AWS managed policy AmazonDynamoDBFullAccess` */
  source: string;
}

/** `*` (anyone), or principals by kind: `{ Service: ['sns.amazonaws.com'] }`, `{ AWS: ['*'] }`. */
export type PolicyPrincipal = '*' | Readonly<Record<string, readonly string[]>>;

/** One place in the input, as the reader names it (a template path, a policy's name). */
export type PolicyPath = readonly (string | number)[];
export type PolicyFail = (path: PolicyPath, message: string) => never;

const stringOrList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

const statementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.string({ error: 'missing: must be Allow or Deny' }),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    // Principal / NotPrincipal belong to resource-based policies; an identity policy that has one is refused by IAM
    Principal: z.unknown().optional(),
    NotPrincipal: z.unknown().optional(),
  })
  .loose();

const documentSchema = z
  .object({
    Version: z.string().optional(),
    Id: z.string().optional(),
    Statement: z.union([statementSchema, z.array(statementSchema)], { error: 'missing: a policy needs a Statement' }),
  })
  .loose();

/** An action IAM accepts: `*`, or `service:Action` where the action part may use `*` and `?`. */
const ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

const principalSchema = z.union([z.literal('*'), z.record(z.string(), stringOrList)]);

/** The statements of an identity policy (or, `kind` 'resource', of a resource-based one), or `fail` at the first thing IAM would refuse. */
export function parsePolicyDocument(raw: unknown, source: string, fail: PolicyFail, kind: 'identity' | 'resource' = 'identity'): PolicyStatement[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail([], 'a policy document must be a mapping with a Statement');
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(issue.path as (string | number)[], issue.message);
  }
  const list = Array.isArray(parsed.data.Statement) ? parsed.data.Statement : [parsed.data.Statement];
  const at = (i: number, field: string): PolicyPath => (Array.isArray(parsed.data.Statement) ? ['Statement', i, field] : ['Statement', field]);
  return list.map((s, i) => {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(at(i, 'Effect'), `${JSON.stringify(s.Effect)}: must be Allow or Deny`);
    const principals = principalsOf(s, kind, (field, message) => fail(at(i, field), message));
    if ((s.Action === undefined) === (s.NotAction === undefined)) fail(at(i, 'Action'), s.Action ? 'Action and NotAction cannot both be given' : 'missing: a statement needs Action or NotAction');
    if (s.Resource !== undefined && s.NotResource !== undefined) fail(at(i, 'Resource'), 'Resource and NotResource cannot both be given');
    if (s.Resource === undefined && s.NotResource === undefined && kind === 'identity') fail(at(i, 'Resource'), 'missing: a statement needs Resource or NotResource');
    const actions = s.Action ?? s.NotAction!;
    const bad = actions.findIndex((a) => !ACTION.test(a));
    if (bad >= 0) fail([...at(i, s.Action ? 'Action' : 'NotAction'), bad], `${JSON.stringify(actions[bad])}: an action is service:Action (a service prefix such as dynamodb:)`);
    return {
      ...(s.Sid !== undefined ? { sid: s.Sid } : {}),
      effect: s.Effect,
      ...(s.Action ? { action: s.Action } : { notAction: s.NotAction! }),
      ...(s.NotResource ? { notResource: s.NotResource } : { resource: s.Resource ?? ['*'] }),
      ...(s.Condition && Object.keys(s.Condition).length > 0 ? { condition: s.Condition } : {}),
      ...principals,
      source,
    };
  });
}

/** Principal / NotPrincipal: one of them in a resource-based policy's statement, neither in an identity-based one. */
function principalsOf(s: { Principal?: unknown; NotPrincipal?: unknown }, kind: 'identity' | 'resource', fail: (field: string, message: string) => never): Pick<PolicyStatement, 'principal' | 'notPrincipal'> {
  const field = s.Principal !== undefined ? 'Principal' : 'NotPrincipal';
  if (kind === 'identity') {
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) fail(field, 'an identity-based policy cannot name a principal');
    return {};
  }
  if ((s.Principal === undefined) === (s.NotPrincipal === undefined)) fail('Principal', s.Principal !== undefined ? 'Principal and NotPrincipal cannot both be given' : 'missing: a resource-based policy names its Principal');
  const parsed = principalSchema.safeParse(s.Principal ?? s.NotPrincipal);
  if (!parsed.success) fail(field, 'must be "*" or a mapping of AWS, Service, Federated or CanonicalUser to one principal or a list');
  return field === 'Principal' ? { principal: parsed.data } : { notPrincipal: parsed.data };
}

/** A statement as a policy document writes it (what "the statement to add" and least-privilege output show). */
export function statementJson(s: Omit<PolicyStatement, 'source'>): Record<string, unknown> {
  const one = (v: string[]) => (v.length === 1 ? v[0] : v);
  return {
    ...(s.sid ? { Sid: s.sid } : {}),
    Effect: s.effect,
    ...(s.action ? { Action: one(s.action) } : { NotAction: one(s.notAction ?? []) }),
    ...(s.resource ? { Resource: one(s.resource) } : { NotResource: one(s.notResource ?? []) }),
    ...(s.principal ? { Principal: s.principal } : s.notPrincipal ? { NotPrincipal: s.notPrincipal } : {}),
    ...(s.condition ? { Condition: s.condition } : {}),
  };
}
