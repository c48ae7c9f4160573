import { z } from 'zod';
import { cfnBoolean, cfnInteger, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { TableDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::DynamoDB::Table as a CreateTable request: keys, attribute definitions, GSIs and LSIs,
 * BillingMode (CloudFormation's default is PROVISIONED, which then needs ProvisionedThroughput),
 * the provisioned capacity of the table and of each GSI, the TTL attribute, and the stream
 * (StreamSpecification: its view type, and the ARN `Fn::GetAtt StreamArn` gives). Encryption,
 * backups, tags and deletion protection change nothing the emulator measures.
 */
const throughput = z.object({ ReadCapacityUnits: cfnInteger.pipe(z.number().min(1)), WriteCapacityUnits: cfnInteger.pipe(z.number().min(1)) });
const keySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) })).min(1).max(2);
const projection = z
  .object({ ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']).optional(), NonKeyAttributes: z.array(z.string()).optional() })
  .optional();

const tableSchema = z
  .object({
    AttributeDefinitions: z.array(z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) })).min(1),
    KeySchema: keySchema,
    BillingMode: z.enum(['PROVISIONED', 'PAY_PER_REQUEST']).optional(),
    ProvisionedThroughput: throughput.optional(),
    GlobalSecondaryIndexes: z
      .array(z.object({ IndexName: z.string(), KeySchema: keySchema, Projection: projection, ProvisionedThroughput: throughput.optional() }).loose())
      .optional(),
    LocalSecondaryIndexes: z.array(z.object({ IndexName: z.string(), KeySchema: keySchema, Projection: projection }).loose()).optional(),
    TimeToLiveSpecification: z.object({ AttributeName: z.string().optional(), Enabled: cfnBoolean }).optional(),
    StreamSpecification: z.object({ StreamViewType: z.enum(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']) }).loose().optional(),
  })
  .loose();

export function readDynamoDbTable(t: StackTemplate, logicalId: string): TableDescription {
  const p = parseProperties(t.file, logicalId, tableSchema, t.properties(logicalId));
  const at = (...path: (string | number)[]) => ['Resources', logicalId, 'Properties', ...path];
  const billing = p.BillingMode ?? 'PROVISIONED';
  if (billing === 'PROVISIONED' && !p.ProvisionedThroughput) {
    throw templateError(t.file, at('ProvisionedThroughput'), 'missing: BillingMode is PROVISIONED (CloudFormation\'s default) and needs it');
  }
  const defined = new Set(p.AttributeDefinitions.map((a) => a.AttributeName));
  const checkKeys = (keys: z.infer<typeof keySchema>, path: (string | number)[]) => {
    keys.forEach((k, i) => {
      if (!defined.has(k.AttributeName)) throw templateError(t.file, at(...path, i, 'AttributeName'), `${k.AttributeName} is not in AttributeDefinitions`);
    });
  };
  checkKeys(p.KeySchema, ['KeySchema']);
  const gsis = (p.GlobalSecondaryIndexes ?? []).map((g, i) => {
    checkKeys(g.KeySchema, ['GlobalSecondaryIndexes', i, 'KeySchema']);
    if (billing === 'PROVISIONED' && !g.ProvisionedThroughput) throw templateError(t.file, at('GlobalSecondaryIndexes', i, 'ProvisionedThroughput'), 'missing: the table is PROVISIONED');
    return {
      IndexName: g.IndexName,
      KeySchema: g.KeySchema,
      Projection: { ProjectionType: g.Projection?.ProjectionType ?? 'KEYS_ONLY', ...(g.Projection?.NonKeyAttributes ? { NonKeyAttributes: g.Projection.NonKeyAttributes } : {}) },
      ...(billing === 'PROVISIONED' ? { ProvisionedThroughput: g.ProvisionedThroughput } : {}),
    };
  });
  const lsis = (p.LocalSecondaryIndexes ?? []).map((l, i) => {
    checkKeys(l.KeySchema, ['LocalSecondaryIndexes', i, 'KeySchema']);
    return {
      IndexName: l.IndexName,
      KeySchema: l.KeySchema,
      Projection: { ProjectionType: l.Projection?.ProjectionType ?? 'KEYS_ONLY', ...(l.Projection?.NonKeyAttributes ? { NonKeyAttributes: l.Projection.NonKeyAttributes } : {}) },
    };
  });
  const ttl = p.TimeToLiveSpecification;
  return {
    logicalId,
    definition: {
      TableName: t.name(logicalId),
      AttributeDefinitions: p.AttributeDefinitions,
      KeySchema: p.KeySchema,
      BillingMode: billing,
      ...(billing === 'PROVISIONED' ? { ProvisionedThroughput: p.ProvisionedThroughput } : {}),
      ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
      ...(lsis.length ? { LocalSecondaryIndexes: lsis } : {}),
    },
    ...(ttl?.Enabled && ttl.AttributeName ? { ttlAttribute: ttl.AttributeName } : {}),
    ...(p.StreamSpecification ? { stream: { viewType: p.StreamSpecification.StreamViewType, arn: String(t.attribute(logicalId, 'StreamArn')) } } : {}),
  };
}
