import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { SdkClientSettings } from '../../aws/sdk-settings.ts';
import { LOCAL_IAM_DENIALS_LOG_GROUP, type IamDenialsLine } from '../../../common/local-iam-denials.ts';
import type { CloudWatchResults, FunctionError } from '../../contracts/cloudwatch-schema.ts';
import type { Denial, ForeignApiPost } from '../../contracts/permissions-schema.ts';
import { allowingStatement } from './allowing-statement.ts';

/**
 * The calls IAM refused the stack's functions during the run (results.permissions.denied), and
 * their posts to an API that is not the stack's (results.permissions.foreignApiPosts). From the
 * local emulator: its own log of refusals (common/local-iam-denials.ts), every call counted, read
 * over the run's window with FilterLogEvents like any log. From AWS, which keeps no such log: the
 * AccessDeniedException messages the functions' logs name (results.cloudwatch's thrown and logged
 * errors, each naming principal, action and resource), counted in log lines.
 */
export interface DenialsFound {
  denied: Denial[];
  foreignApiPosts: ForeignApiPost[];
}

/**
 * What the run was refused: the local emulator's record where `localLogs` reaches it (a record that
 * cannot be read falls back to the logs, and `problem` says why), else what the functions' logs name.
 */
export async function pullDenials(o: {
  /** the emulator's CloudWatch Logs settings; absent: the target is AWS */
  localLogs?: SdkClientSettings;
  window: { startMs: number; endMs: number };
  cloudwatch: Pick<CloudWatchResults, 'functionErrors' | 'loggedErrors'> | undefined;
}): Promise<DenialsFound & { problem?: string }> {
  if (o.localLogs) {
    const logs = new CloudWatchLogsClient(o.localLogs);
    try {
      return await pullLocalDenials(logs, o.window);
    } catch (err) {
      const e = err as Error;
      return { denied: deniedFromLogs(o.cloudwatch), foreignApiPosts: [], problem: `the emulator's record of refused calls could not be read (${e.name}: ${e.message}); the denials are those the functions' logs name` };
    } finally {
      logs.destroy();
    }
  }
  return { denied: deniedFromLogs(o.cloudwatch), foreignApiPosts: [] };
}

/** Pages of the emulator's log read at most (each up to 10,000 lines, one per key and flush). */
const MAX_PAGES = 50;

/** The emulator's record of refusals in the window; a group that does not exist: nothing refused. */
export async function pullLocalDenials(logs: CloudWatchLogsClient, window: { startMs: number; endMs: number }): Promise<DenialsFound> {
  const denied = new Map<string, Denial>();
  const foreign = new Map<string, ForeignApiPost>();
  let nextToken: string | undefined;
  let pages = 0;
  try {
    do {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: LOCAL_IAM_DENIALS_LOG_GROUP, startTime: Math.floor(window.startMs), endTime: Math.ceil(window.endMs), nextToken }));
      for (const e of out.events ?? []) add(lineOf(e.message ?? ''), denied, foreign);
      nextToken = out.nextToken;
      pages++;
    } while (nextToken && pages < MAX_PAGES);
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  return { denied: mostFirst([...denied.values()]), foreignApiPosts: mostFirst([...foreign.values()]) };
}

function add(line: IamDenialsLine | null, denied: Map<string, Denial>, foreign: Map<string, ForeignApiPost>): void {
  if (line === null) return;
  if (line.kind === 'foreign-api') {
    const key = `${line.function ?? ''}\u0000${line.endpoint}`;
    const seen = foreign.get(key);
    if (seen) seen.count += line.count;
    else foreign.set(key, { function: line.function, endpoint: line.endpoint, apiId: line.apiId, stackApiId: line.stackApiId, count: line.count });
    return;
  }
  const key = `${line.function}\u0000${line.action}\u0000${line.resource}\u0000${line.decision}`;
  const seen = denied.get(key);
  if (seen) {
    seen.count += line.count;
    return;
  }
  denied.set(key, {
    function: line.function,
    role: line.role,
    action: line.action,
    resource: line.resource,
    count: line.count,
    reason: line.decision,
    enforced: line.enforced,
    source: 'emulator',
    allow: allowingStatement(line.action, line.resource),
  });
}

/** One line of the emulator's log, or null where it is not one (never a throw: a line it cannot read is skipped). */
export function lineOf(message: string): IamDenialsLine | null {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return null;
  }
  const l = v as Partial<IamDenialsLine> & Record<string, unknown>;
  if (l === null || typeof l !== 'object' || typeof l.count !== 'number' || !(l.count > 0)) return null;
  if (l.kind === 'foreign-api') {
    return typeof l.endpoint === 'string' && typeof l.apiId === 'string' && typeof l.stackApiId === 'string'
      ? { kind: 'foreign-api', function: typeof l.function === 'string' ? l.function : null, endpoint: l.endpoint, apiId: l.apiId, stackApiId: l.stackApiId, count: Math.round(l.count) }
      : null;
  }
  if (l.kind !== 'denied' || typeof l.function !== 'string' || typeof l.action !== 'string' || typeof l.resource !== 'string') return null;
  return {
    kind: 'denied',
    function: l.function,
    role: typeof l.role === 'string' ? l.role : '',
    action: l.action,
    resource: l.resource,
    decision: l.decision === 'explicit-deny' ? 'explicit-deny' : 'no-allow',
    enforced: l.enforced !== false,
    count: Math.round(l.count),
  };
}

/**
 * Where the target keeps no record of refusals (AWS): the denied calls the functions' own logs
 * name, thrown or logged, per function, action and resource (the message's, `{connectionId}` and
 * the masked account as written), counted in log lines.
 */
export function deniedFromLogs(cloudwatch: Pick<CloudWatchResults, 'functionErrors' | 'loggedErrors'> | undefined): Denial[] {
  const out = new Map<string, Denial>();
  const lists: Record<string, FunctionError[]>[] = [cloudwatch?.functionErrors ?? {}, cloudwatch?.loggedErrors ?? {}];
  for (const byFunction of lists) {
    for (const [fn, errors] of Object.entries(byFunction)) {
      for (const e of errors) {
        if (!e.denied) continue;
        const key = `${fn}\u0000${e.denied.action}\u0000${e.denied.resource}`;
        const seen = out.get(key);
        if (seen) {
          seen.count += e.count;
          continue;
        }
        const role = /:assumed-role\/([^/]+)\//.exec(e.denied.principal)?.[1];
        out.set(key, { function: fn, ...(role ? { role } : {}), action: e.denied.action, resource: e.denied.resource, count: e.count, source: 'log', allow: allowingStatement(e.denied.action, e.denied.resource, e.denied.principal) });
      }
    }
  }
  return mostFirst([...out.values()]);
}

const mostFirst = <T extends { count: number }>(xs: T[]): T[] => xs.sort((a, b) => b.count - a.count);
