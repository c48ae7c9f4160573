import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EVENT_PATH_LOG_GROUP, type DeliveryDeniedLine } from '../../../common/event-path-log.ts';
import type { DeliveryDenial, StackPath } from '../../contracts/path-schema.ts';

/**
 * The deliveries SNS and EventBridge were refused by their targets' resource-based policies during
 * the run, from the local emulator's event-path log (one line per refused delivery:
 * common/event-path-log.ts), read over the window with FilterLogEvents like any log and put on
 * the topic's or rule's hop, counted by target, so a loss's cause names the grant
 * (src/diagnosis/path-evidence.ts). AWS keeps no such log: a run against AWS has only the counts.
 */
export interface SourcedDenial extends DeliveryDenial {
  /** the topic's or rule's ARN */
  source: string;
}

/** Pages read at most (each up to 10,000 lines). */
const MAX_PAGES = 20;

/** The refused deliveries in the window, by source and target; a log group that does not exist: none. */
export async function pullDeliveryDenials(logs: CloudWatchLogsClient, window: { startMs: number; endMs: number }): Promise<SourcedDenial[]> {
  const found = new Map<string, SourcedDenial>();
  let nextToken: string | undefined;
  let pages = 0;
  try {
    do {
      const out = await logs.send(
        new FilterLogEventsCommand({ logGroupName: EVENT_PATH_LOG_GROUP, filterPattern: '"delivery-denied"', startTime: Math.floor(window.startMs), endTime: Math.ceil(window.endMs), nextToken }),
      );
      for (const e of out.events ?? []) {
        const line = lineOf(e.message ?? '');
        if (!line) continue;
        const key = `${line.source}\u0000${line.target}\u0000${line.action}`;
        const seen = found.get(key);
        if (seen) seen.count++;
        else found.set(key, { source: line.source, target: line.target, principal: line.principal, action: line.action, reason: line.reason, grant: line.grant, count: 1 });
      }
      nextToken = out.nextToken;
      pages++;
    } while (nextToken && pages < MAX_PAGES);
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  return [...found.values()].sort((a, b) => b.count - a.count);
}

/** The path with each refused delivery on its topic's hop (by ARN) or its rule's (by name and bus). */
export function withDeliveryDenials(path: StackPath, denials: readonly SourcedDenial[]): StackPath {
  if (denials.length === 0) return path;
  const hops = path.hops.map((h) => {
    if (h.kind !== 'topic' && h.kind !== 'rule') return h;
    const mine = denials.filter((d) => (h.kind === 'topic' ? d.source === h.arn : ruleOf(d.source) === `${h.bus ?? 'default'}/${h.name}`));
    if (mine.length === 0) return h;
    return { ...h, denied: mine.map(({ source: _source, ...d }) => d) };
  });
  return { ...path, hops };
}

/** `<bus>/<name>` of a rule's ARN (`…:rule/<name>` on the default bus, `…:rule/<bus>/<name>` on another). */
function ruleOf(arn: string): string {
  const parts = (arn.split(':rule/')[1] ?? '').split('/');
  return parts.length > 1 ? `${parts[0]}/${parts[1]}` : `default/${parts[0]}`;
}

function lineOf(message: string): DeliveryDeniedLine | undefined {
  try {
    const line = JSON.parse(message) as Partial<DeliveryDeniedLine>;
    return line.event === 'delivery-denied' && typeof line.source === 'string' && typeof line.target === 'string' ? (line as DeliveryDeniedLine) : undefined;
  } catch {
    return undefined;
  }
}
