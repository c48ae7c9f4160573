import { z } from 'zod';
import { cfnString, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { ParameterDescription } from './stack-description.ts';

/** AWS::SSM::Parameter: what Parameter Store holds once the stack is up (CloudFormation creates String and StringList only). */
const parameterSchema = z.object({ Type: z.enum(['String', 'StringList']), Value: cfnString }).loose();

export function readSsmParameter(t: StackTemplate, logicalId: string): ParameterDescription {
  const p = parseProperties(t.file, logicalId, parameterSchema, t.properties(logicalId));
  return { logicalId, name: t.name(logicalId), type: p.Type, value: p.Value };
}
