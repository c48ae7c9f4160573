import { z } from 'zod';

/**
 * results.json's `secretsManager`: what the run's stack used of AWS Secrets Manager, pulled with
 * the CloudWatch pull's window (src/targets/stack-secrets.ts): the API calls CloudWatch counted
 * (AWS/Usage `CallCount`, dimensions Service "Secrets Manager", Type "API", Resource the
 * operation, Class "None"; the account's in the region, as AWS counts them, not only the stack's
 * functions') and the stack's own secrets (its `AWS::SecretsManager::Secret` resources, as
 * CloudFormation's ListStackResources names them). Absent: the stack has no secret and no call
 * was counted, or the target has no stack CloudFormation describes.
 */
export const SecretsManagerUsage = z.object({
  /** the window the calls were summed over, epoch ms (results.cloudwatch.window) */
  window: z.object({ startMs: z.number(), endMs: z.number() }),
  /** API calls by operation (`GetSecretValue`: 12) */
  calls: z.record(z.string(), z.number().nonnegative()),
  /** the stack's secrets: their ARNs */
  secrets: z.array(z.string()),
  /** what could not be read */
  notes: z.array(z.string()).optional(),
});
export type SecretsManagerUsage = z.infer<typeof SecretsManagerUsage>;
