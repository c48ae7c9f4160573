import { z } from 'zod';
import { cfnInteger, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { LogGroupDescription } from './stack-description.ts';

/**
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy; CloudFormation refuses any
 * other RetentionInDays). Absent: the events never expire.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html
 */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const logGroupSchema = z
  .object({
    RetentionInDays: cfnInteger
      .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), { message: `must be one of ${RETENTION_DAYS.join(', ')} (days)` })
      .optional(),
  })
  .loose();

/**
 * AWS::Logs::LogGroup: a group the stack creates empty, before its functions write to it (a CDK
 * function's group, or a stage's access log). The emulator's CloudWatch Logs has it from the start.
 */
export function readLogGroup(t: StackTemplate, logicalId: string): LogGroupDescription {
  const p = parseProperties(t.file, logicalId, logGroupSchema, t.properties(logicalId));
  return { logicalId, name: t.name(logicalId), ...(p.RetentionInDays !== undefined ? { retentionInDays: p.RetentionInDays } : {}) };
}
