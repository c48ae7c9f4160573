import { createHash } from 'node:crypto';
import type { EventSourceMappingDescription } from '../stack-model/stack-description.ts';

/**
 * A mapping's UUID (the EventSourceMappingUUID dimension, the Lambda API's UUID), the same on
 * every start of the same stack: made from what names the mapping, in UUID form.
 */
export function mappingUuid(mapping: Pick<EventSourceMappingDescription, 'logicalId' | 'functionName' | 'sourceArn'>): string {
  const h = createHash('sha1').update(`${mapping.logicalId}\n${mapping.functionName}\n${mapping.sourceArn}`).digest('hex');
  // version 5 and RFC 4122 variant bits, as a name-based UUID has them
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
