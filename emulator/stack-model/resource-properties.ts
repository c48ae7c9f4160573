import { z } from 'zod';
import { templateError } from './template-errors.ts';

/**
 * A resource's resolved properties checked against the schema of what the emulator reads of its
 * type: one line naming the resource and the property when they do not fit. CloudFormation
 * takes numbers written as strings ("512"), and so do these.
 */
export function parseProperties<S extends z.ZodType>(file: string, logicalId: string, schema: S, properties: unknown): z.infer<S> {
  const parsed = schema.safeParse(properties);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return fail(file, logicalId, issue.path, issue.message);
}

function fail(file: string, logicalId: string, path: readonly PropertyKey[], message: string): never {
  throw templateError(file, ['Resources', logicalId, 'Properties', ...path.map((p) => (typeof p === 'number' ? p : String(p)))], message);
}

/** An integer, or a string of one (CloudFormation converts). */
export const cfnInteger = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'must be an integer').transform(Number)]);

/** A number, or a string of one. */
export const cfnNumber = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a number').transform(Number)]);

/** A string; numbers and booleans become strings, as CloudFormation passes them. */
export const cfnString = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

export const cfnBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** A JSON property that CloudFormation also takes as a JSON string (RedrivePolicy, an SNS FilterPolicy). */
export const cfnJsonObject = z.union([
  z.record(z.string(), z.unknown()),
  z.string().transform((text, ctx) => {
    try {
      const v: unknown = JSON.parse(text);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object (or a string of one)' });
    return z.NEVER;
  }),
]);

/**
 * A stage's access log settings: `AccessLogSettings` of a v2 stage (WebSocket, HTTP), both fields
 * required with it in CloudFormation's schema; a REST stage's `AccessLogSetting`, both optional
 * there (no DestinationArn: no access log). Checked as API Gateway checks them when the stack
 * starts (../apigatewayv2/access-log-settings.ts).
 */
export const accessLogSettingsSchema = z.object({ DestinationArn: z.string().min(1), Format: z.string().min(1) }).loose();
export const restAccessLogSettingSchema = z.object({ DestinationArn: z.string().optional(), Format: z.string().optional() }).loose();

/** The description's form of a stage's access log settings (undefined: none). */
export function accessLogOf(s: { DestinationArn?: string | undefined; Format?: string | undefined } | undefined): { destinationArn: string; format: string } | undefined {
  return s?.DestinationArn ? { destinationArn: s.DestinationArn, format: s.Format ?? '' } : undefined;
}
