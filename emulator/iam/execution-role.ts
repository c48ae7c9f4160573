import type { PolicyStatement } from '../../common/iam/policy-document.ts';

/**
 * A function's execution role as the emulator evaluates it: its name and ARN (what AWS's denial
 * messages name) and every statement its policies hold, whichever way the template attached them.
 */
export interface ExecutionRole {
  /** the role's name (`assumed-role/<name>/<function>` in messages) */
  name: string;
  arn: string;
  statements: PolicyStatement[];
  /**
   * What the emulator could not take as written, one line each, said once at start: a managed
   * policy or SAM policy template it does not know (granting nothing here), a statement with a
   * Condition (evaluation.ts says how it is taken).
   */
  notes: string[];
  /** The role is not a resource of the template (a literal ARN): its policies are not here to read. */
  external?: boolean;
  /** The template's resources it was read from (the role, the policies attached to it): read, so not listed as not emulated. */
  resources?: string[];
}

/** How the emulator answers a function's call: checked and refused (`enforce`), checked and only recorded (`report`), or not checked. */
export const IAM_MODES = ['enforce', 'report', 'off'] as const;
export type IamMode = (typeof IAM_MODES)[number];
