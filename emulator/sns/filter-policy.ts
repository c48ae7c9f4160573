import type { MessageAttribute } from '../service-targets.ts';
import { eventPatternProblem, matchesEventPattern } from '../eventbridge/event-pattern.ts';

/**
 * SNS subscription filter policies ("Amazon SNS message filtering"): the same language as
 * EventBridge's patterns (so the one matcher, eventbridge/event-pattern.ts), read against the
 * message attributes (FilterPolicyScope `MessageAttributes`, the default) or the JSON body
 * (`MessageBody`, where keys may nest). SNS's own readings: a String.Array attribute is its
 * elements, and `anything-but` matches it only when none of them is listed; a Number attribute is
 * a number (a string-typed "5" matches no numeric filter); Binary attributes are not filtered on;
 * `exists: false` needs at least one attribute; no `wildcard`.
 */

export type FilterScope = 'MessageAttributes' | 'MessageBody';

/** Why a message went or did not go to a subscription; each non-match has its own AWS/SNS metric suffix. */
export type FilterOutcome = 'matched' | 'MessageAttributes' | 'MessageBody' | 'NoMessageAttributes' | 'InvalidAttributes' | 'InvalidMessageBody';

const SNS_FILTERS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr']);

/** The first reason SNS would refuse the policy (`Invalid parameter: FilterPolicy: …`), or undefined. */
export function filterPolicyProblem(policy: unknown, scope: FilterScope): string | undefined {
  return eventPatternProblem(policy, { filters: SNS_FILTERS, nested: scope === 'MessageBody' });
}

export function applyFilterPolicy(policy: Record<string, unknown>, scope: FilterScope, message: { body: string; attributes: Record<string, MessageAttribute> }): FilterOutcome {
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      return 'InvalidMessageBody';
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'InvalidMessageBody';
    return matchesEventPattern(policy, body) ? 'matched' : 'MessageBody';
  }
  if (Object.keys(message.attributes).length === 0) return 'NoMessageAttributes';
  const values = attributeValues(message.attributes);
  if (!values) return 'InvalidAttributes';
  return matchesEventPattern(policy, values, { arrayAnythingBut: 'none' }) ? 'matched' : 'MessageAttributes';
}

/** The attributes as the values a policy reads; undefined when a String.Array is not a JSON array. */
function attributeValues(attributes: Record<string, MessageAttribute>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(attributes)) {
    const type = attr.dataType.split('.')[0];
    if (attr.dataType === 'String.Array') {
      try {
        const list: unknown = JSON.parse(attr.stringValue ?? '');
        if (!Array.isArray(list)) return undefined;
        out[name] = list;
      } catch {
        return undefined;
      }
    } else if (type === 'String') out[name] = attr.stringValue ?? '';
    else if (type === 'Number') out[name] = Number(attr.stringValue);
  }
  return out;
}
