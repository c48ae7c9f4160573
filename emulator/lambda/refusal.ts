import { AwsApiError } from '../cloudwatch/aws-json.ts';

/**
 * What Lambda refuses about versions, aliases and provisioned concurrency, in its words, under
 * its exception's name and status: the Lambda API answers with it, a template's configuration is
 * refused with it at start-up. Sources in docs/aws-facts.md.
 */
export const refusals = {
  unpublished: () => new AwsApiError('InvalidParameterValueException', 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.'),
  aboveReserved: () => new AwsApiError('InvalidParameterValueException', 'Provisioned Concurrency cannot exceed Reserved Concurrency for the function.'),
  belowUnreservedMinimum: (minimum: number) =>
    new AwsApiError('InvalidParameterValueException', `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`),
  versionAlreadyProvisioned: () => new AwsApiError('ResourceConflictException', "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version", 409),
  notFound: (arn: string) => new AwsApiError('ResourceNotFoundException', `Function not found: ${arn}`, 404),
  aliasNotFound: (arn: string) => new AwsApiError('ResourceNotFoundException', `Alias not found: ${arn}`, 404),
  snapStartProvisioned: () => new AwsApiError('InvalidParameterValueException', 'Provisioned Concurrency is not supported for SnapStart enabled functions.'),
  /** Invoking a version that is not Active yet (a SnapStart version taking its snapshot) */
  notActive: (state: string) => new AwsApiError('ResourceConflictException', `The operation cannot be performed at this time. The function is currently in the following state: ${state}`, 409),
  noConfig: () => new AwsApiError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function', 404),
};

/**
 * What Lambda keeps of the account's concurrency unreserved: 100 (an account at its limit of 10
 * or 50 is told its minimum is 10 or 50: nothing can be reserved or provisioned there).
 */
export function unreservedMinimum(accountConcurrency: number): number {
  return Math.min(100, accountConcurrency);
}
