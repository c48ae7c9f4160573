/**
 * The IAM statement that allows a denied call, ready to paste into the function's role: its
 * action on its resource as a policy grants it. The resource as a denial's message names it is
 * made a grant: the account @connections masks (`********0000`) taken from the principal's ARN
 * where it is known, a literal `{connectionId}` (or any `{name}`) made `*`.
 */
export interface AllowStatement {
  Effect: 'Allow';
  Action: string;
  Resource: string;
}

export function allowingStatement(action: string, resource: string, principal?: string): AllowStatement {
  const account = principal === undefined ? undefined : /^arn:[^:]+:(?:sts|iam)::(\d{12}):/.exec(principal)?.[1];
  const unmasked = resource.replace(/^(arn:[^:]+:[^:]+:[^:]*:)\*+\d{0,4}(?=:)/, (all, head: string) => (account ? `${head}${account}` : all));
  return { Effect: 'Allow', Action: action, Resource: unmasked.replace(/\{[A-Za-z]+\}/g, '*') };
}
