import { z } from 'zod';

/**
 * What each function's execution role grants beside what the run used of it (results.permissions),
 * read through AWS's APIs the same way on AWS and on the emulator: the role from Lambda's
 * GetFunctionConfiguration, its policies from IAM (GetRole, ListRolePolicies/GetRolePolicy,
 * ListAttachedRolePolicies/GetPolicy/GetPolicyVersion), what it used from IAM Access Analyzer's
 * policy generation over the run's window (StartPolicyGeneration, GetGeneratedPolicy). The grants
 * no call used are named, those written wider than their use too, and the policy that allows
 * exactly what was used is Access Analyzer's.
 */
const Grant = z.object({
  /** `dynamodb:*`, or `NotAction dynamodb:Scan` */
  action: z.string(),
  resource: z.string(),
  /** the policy it is in: `inline policy ChatFnRolePolicy0`, `AWS managed policy AmazonDynamoDBFullAccess` */
  source: z.string(),
});

const Use = z.object({ action: z.string(), resource: z.string() });

const PolicyJson = z.object({ Version: z.string(), Statement: z.array(z.record(z.string(), z.unknown())) });

export const FunctionPermissions = z.object({
  function: z.string(),
  /** the role's ARN (GetFunctionConfiguration's Role) */
  role: z.string().optional(),
  /** observed: both sides read; not-observable: `note` says which call failed and why */
  status: z.enum(['observed', 'not-observable']),
  note: z.string().optional(),
  /** every Allow the role's policies hold, one action pattern on one resource pattern each */
  granted: z.array(Grant).optional(),
  /** the actions on the resources the run used (Access Analyzer's generated policy, one pair each) */
  used: z.array(Use).optional(),
  /** grants no call used */
  unused: z.array(Grant).optional(),
  /** grants written with a wildcard (or Not…) that covered only some of what they allow, with what they covered */
  broader: z.array(Grant.extend({ used: z.array(Use) })).optional(),
  /** the policy that allows exactly what was used */
  leastPrivilege: PolicyJson.optional(),
});
export type FunctionPermissions = z.infer<typeof FunctionPermissions>;

/**
 * A call IAM refused a function during the run, with the statement that would allow it: from the
 * local emulator's record of its refusals (every call, counted), or, where the target keeps none
 * (AWS), from the AccessDeniedException messages the function's log names, thrown or logged (a
 * count of log lines, not of calls).
 */
export const Denial = z.object({
  function: z.string(),
  /** the role's name, where the record names it */
  role: z.string().optional(),
  action: z.string(),
  /** as a grant names it (`…/POST/@connections/*`), or as the denial's message did */
  resource: z.string(),
  count: z.number().int().positive(),
  /** no-allow: no statement allows it; explicit-deny: a Deny refuses it (an Allow added does not help) */
  reason: z.enum(['no-allow', 'explicit-deny']).optional(),
  /** false: `iam: report`, the call went through and only would have been refused */
  enforced: z.boolean().optional(),
  source: z.enum(['emulator', 'log']),
  /** the statement that would allow it, for the function's execution role */
  allow: z.object({ Effect: z.literal('Allow'), Action: z.string(), Resource: z.string() }),
});
export type Denial = z.infer<typeof Denial>;

/** Posts a function made to an API that is not the stack's (an endpoint written into its code or configuration). */
export const ForeignApiPost = z.object({
  /** null: the emulator could not tell which function */
  function: z.string().nullable(),
  endpoint: z.string(),
  apiId: z.string(),
  stackApiId: z.string(),
  count: z.number().int().positive(),
});
export type ForeignApiPost = z.infer<typeof ForeignApiPost>;

export const PermissionsSection = z.object({
  /** the run's window the use was asked for, epoch ms */
  window: z.object({ startMs: z.number(), endMs: z.number() }),
  functions: z.array(FunctionPermissions),
  /** every call refused, most first (absent from older results) */
  denied: z.array(Denial).optional(),
  /** posts to an API that is not the stack's, most first (absent from older results, and where there were none) */
  foreignApiPosts: z.array(ForeignApiPost).optional(),
});
export type PermissionsSection = z.infer<typeof PermissionsSection>;
