import { CONNECTIONS_HOP, reachHop } from '../../common/probe-reach-metric.ts';
import type { DeliveryDenial, FunctionHop, MappingHop, PathHop, QueueHop } from '../contracts/path-schema.ts';
import type { FunctionError } from '../contracts/cloudwatch-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtCount, fmtInt, fmtNum } from '../number-format.ts';
import { clipText } from './clip-text.ts';
import { goneRemedy, noRunConnectionClosed } from './gone-posts.ts';

/**
 * A loss whose deliveries went missing on a queued path, the hop named with its numbers
 * (results.path, from AWS/SQS, AWS/SNS, AWS/Events and Lambda's asynchronous and event source
 * mapping metrics): messages a queue moved to its dead-letter queue after maxReceiveCount,
 * asynchronous events Lambda dropped, events a mapping dropped, notifications SNS failed, target
 * invocations EventBridge failed; and, where nothing was dropped outright, a mapping's failed
 * invocations (a batch, or part of one, that failed and went back to the queue) and its
 * function's throttles. Named only for a loss, as the other evidence is.
 *
 * Where the local emulator stamped the lost deliveries' messages at each hop (results.hopLatency),
 * the last function they reached and what it did with them comes too (reachEvidence).
 *
 * Share: the deliveries the dropped messages (events, notifications) stood for, of those lost:
 * each message carries one frame, which stood for the run's expected deliveries over the messages
 * that entered the path (its first queue's sent, a topic's published, a rule's matched).
 */
export interface PathFinding {
  line: string;
  share?: number;
  remedy: string;
}

/** An age in ms, said in ms below a second and in seconds above. */
const age = (ms: number) => (ms < 1000 ? `${fmtNum(ms)} ms` : `${fmtNum(ms / 1000)} s`);

export function pathEvidence(r: Results, lossAsked: boolean): PathFinding[] {
  if (!lossAsked || r.deliveries.lost === 0) return [];
  const byShare = (list: PathFinding[]) => list.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
  const reach = reachEvidence(r);
  const queued = queuedPathEvidence(r);
  // a queued hop that dropped the messages the last function failed (a dead-letter queue after its
  // receives) says more than that function's own line: it names where they ended
  const poster = lastFunctionReached(r);
  if (poster && queued.some((q) => q.line.includes(poster))) return [...byShare(queued), ...reach];
  return byShare([...reach, ...queued]);
}

/** The last function the lost deliveries' messages were stamped at (results.hopLatency), if any. */
function lastFunctionReached(r: Results): string | undefined {
  return [...functionsOnPath(r)].at(-1);
}

/** The functions the run's messages were stamped at (results.hopLatency): those on their path; empty where nothing was stamped. */
export function functionsOnPath(r: Pick<Results, 'hopLatency'>): Set<string> {
  return new Set((r.hopLatency?.hops ?? []).filter((h) => h.hop.startsWith(LAMBDA_HOP)).map((h) => h.hop.slice(LAMBDA_HOP.length)));
}

// the hops' names, as the emulator stamps them (common/probe-reach-metric.ts)
const LAMBDA_HOP = reachHop.lambda('');
const GATEWAY_HOP = reachHop.gateway('');

/**
 * Where the lost deliveries' messages stopped, from the local emulator's probe stamps (results
 * .hopLatency, in path order), each hop compared with the one before:
 * - a hop before the last function that fewer messages reached than the one before it: how many
 *   never reached it, with what the run knows of why (the route's AWS integration failures, from
 *   the stage's execution log); share: the deliveries those messages stood for, of those lost;
 * - the last function (the one that should have posted them): how many reached it, the
 *   @connections posts owed for those (the run's expected deliveries × reached / entered), the
 *   posts it made (delivered, the @connections stamps, and refused, API Gateway's 4XX answers to
 *   them: how they were answered), and what it did, as its log says. Said where posts owed went
 *   undelivered; share: those, of the deliveries lost. A function whose failed invocations could
 *   account for the messages left without posts is named by its own errors instead.
 */
export function reachEvidence(r: Results): PathFinding[] {
  const hops = r.hopLatency?.hops ?? [];
  const p = hops.findLastIndex((h) => h.hop.startsWith(LAMBDA_HOP));
  if (p < 0) return [];
  const poster = hops[p]!;
  const first = hops[0]!;
  const entered = first.count;
  if (entered === 0 || r.deliveries.lost === 0) return [];
  const perMessage = r.deliveries.expected / entered;
  const out: PathFinding[] = [];
  // messages that reached each hop: a message received again (a queue's redelivery) is stamped again, never counted twice
  let reached = entered;
  for (let k = 1; k <= p; k++) {
    const hop = hops[k]!;
    const before = hops[k - 1]!;
    if (hop.count < reached) out.push(hopDropFinding(r, before.hop, reached, hop.hop, reached - hop.count, perMessage));
    reached = Math.min(reached, hop.count);
  }
  const fn = poster.hop.slice(LAMBDA_HOP.length);
  const delivered = hops.find((h) => h.hop === CONNECTIONS_HOP)?.count ?? 0;
  const owed = Math.round(reached * perMessage);
  const undelivered = owed - delivered;
  if (undelivered <= 0) return out;
  const refused = refusedPosts(r, fn, undelivered);
  const notMade = undelivered - refused.count;
  // the messages whose posts were not made, at the posts each owed
  const withoutPosts = Math.ceil(notMade / Math.max(perMessage, Number.MIN_VALUE));
  const did = functionDid(r, fn, withoutPosts);
  if (!did) return out;
  const reachedWords =
    first.hop === poster.hop
      ? `${fmtCount(poster.count, 'message')} reached ${fn}`
      : poster.count > reached
        ? `the ${fmtCount(reached, 'message')} that reached ${hops[p - 1]!.hop} reached ${fn} ${fmtInt(poster.count)} times (some received again)`
        : `${fmtCount(poster.count, 'message')} of ${fmtInt(entered)} that reached ${first.hop} reached ${fn}`;
  const made = delivered + refused.count;
  const madeWords =
    made === 0
      ? 'it made no @connections call for any of them'
      : `it made ${fmtInt(made)} of the ${fmtInt(owed)} @connections posts owed (${fmtInt(delivered)} delivered${refused.count > 0 ? `, ${fmtInt(refused.count)} refused: ${refused.said}` : ''})${notMade > 0 ? `; ${fmtInt(notMade)} not made` : ''}`;
  // refused posts and posts never made are two causes: each remedy where each was seen
  const remedy = !refused.remedy ? did.remedy : notMade > 0 ? `${refused.remedy}; and ${did.remedy}` : refused.remedy;
  // posts IAM denied are the denial's own line (factor iam-denied, with the grant to add): this line
  // takes its share only of the rest, so the denial ranks first where it is the whole of it
  const rest = undelivered - refused.denied;
  out.push({ line: `${reachedWords}; ${madeWords}; ${did.said}`, ...(rest > 0 ? { share: Math.min(1, rest / r.deliveries.lost) } : {}), remedy });
  return out;
}

/** "10 of 32 messages that reached gateway:$default never reached sqs:jobs.fifo", with the route's integration failures where the stage's execution log has them. */
function hopDropFinding(r: Results, before: string, reached: number, hop: string, dropped: number, perMessage: number): PathFinding {
  const route = before.startsWith(GATEWAY_HOP) ? before.slice(GATEWAY_HOP.length) : undefined;
  const service = hop.slice(0, hop.indexOf(':'));
  const failures = (r.cloudwatch?.integrationFailures ?? []).filter((f) => f.route === route && (route !== undefined || f.service === service));
  const failed = failures.reduce((n, f) => n + f.count, 0);
  const why =
    failed > 0
      ? `: route ${route}'s AWS integration failed ${fmtCount(failed, 'request')} (${[...new Set(failures.map((f) => (f.status === null ? `${f.service}: ${f.code}` : `${f.service.toUpperCase()} answered ${f.status} ${f.code}`)))].slice(0, 3).join('; ')}; the stage's execution log)`
      : '';
  return {
    line: `${fmtInt(dropped)} of ${fmtCount(reached, 'message')} that reached ${before} never reached ${hop}${why}`,
    share: Math.min(1, (dropped * perMessage) / r.deliveries.lost),
    remedy:
      failed > 0
        ? `make route ${route}'s request template build a request ${failures[0]!.service} accepts: the integration failures name the service's error and the request the template built`
        : `read why ${hop} did not take them: the stage's execution log for a route's integration, the sender's log for a call its code makes`,
  };
}

/** The @connections error each refusal raises in the SDKs, and what API Gateway answered. */
const REFUSALS: Readonly<Record<string, string>> = {
  GoneException: '410 Gone',
  ForbiddenException: '403 Forbidden',
  AccessDeniedException: '403 AccessDenied',
  LimitExceededException: '429 LimitExceeded',
  PayloadTooLargeException: '413 PayloadTooLarge',
};

/**
 * Posts the function made that API Gateway refused (4XX), of those `undelivered`: the larger of
 * what its log names (the SDK's errors, thrown or caught and logged) and API Gateway's ClientError
 * count, less the 410s to the clients the run dropped (results.stale); how they were answered, and
 * what would move them where the log says; `denied`: those IAM refused (AccessDeniedException).
 */
function refusedPosts(r: Results, fn: string, undelivered: number): { count: number; denied: number; said: string; remedy?: string } {
  const cw = r.cloudwatch;
  const byKind = new Map<string, number>();
  for (const e of [...(cw?.functionErrors?.[fn] ?? []), ...(cw?.loggedErrors?.[fn] ?? [])]) if (REFUSALS[e.kind]) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + e.count);
  // posts to the clients the run dropped were answered 410 too, and were owed to no one
  const toDropped = r.stale?.gone410 ?? 0;
  if (byKind.has('GoneException')) byKind.set('GoneException', Math.max(0, byKind.get('GoneException')! - toDropped));
  if (byKind.get('GoneException') === 0) byKind.delete('GoneException');
  const logged = [...byKind.values()].reduce((a, b) => a + b, 0);
  const clientErrors = Math.max(0, (cw?.apiGatewayTotals?.clientError ?? 0) - toDropped);
  const count = Math.min(undelivered, Math.max(logged, clientErrors));
  if (count === 0) return { count: 0, denied: 0, said: '' };
  if (logged === 0) {
    return {
      count,
      denied: 0,
      said: `API Gateway answered them 4XX (its ClientError count); ${fn}'s log names no error for them`,
      remedy: `read what API Gateway answered ${fn}'s posts: 403 Forbidden is a path other than /{stage}/@connections/{connectionId} (an endpoint ending in \`/\` makes SDK v3 post to \`/{stage}//@connections/…\`), 410 Gone an id that is no open connection`,
    };
  }
  const gone = byKind.has('GoneException');
  const never = gone && noRunConnectionClosed(r) ? ", to ids that were no connection of the run (none of its connections had closed)" : '';
  const said = [...byKind].map(([kind, n]) => `${REFUSALS[kind]} ×${fmtInt(n)}${kind === 'GoneException' ? never : ''}`).join('; ');
  const denied = Math.min(count, byKind.get('AccessDeniedException') ?? 0);
  return { count, denied, said, ...(gone && never ? { remedy: goneRemedy(r) } : {}) };
}

/**
 * What a function did, as the run's pull of its log and metrics says: caught and logged, or
 * returned without error. Undefined where its failed invocations could account for the
 * `withoutPosts` messages it left without their posts: its own errors are the line on the path
 * that says so (limit-evidence.ts, factor function-errors), in its own words. Fewer failures than
 * that (a timeout of an invocation unrelated to the messages) are said, and the rest is read on.
 */
function functionDid(r: Results, fn: string, withoutPosts: number): { said: string; remedy: string } | undefined {
  const cw = r.cloudwatch;
  const kinds = (list: readonly FunctionError[] | undefined) => (list ?? []).slice(0, 3).map((k) => `${k.kind}${k.message ? `: ${clipText(k.message, 120)}` : ''} ×${fmtInt(k.count)}${k.firstFrame ? ` (at ${k.firstFrame})` : ''}`);
  const thrown = cw?.functionErrors?.[fn] ?? [];
  const failed = Math.max(cw?.lambda[fn]?.errors ?? 0, thrown.reduce((n, k) => n + k.count, 0));
  if (withoutPosts > 0 && failed >= withoutPosts) return undefined;
  const some = failed > 0 ? `it failed ${fmtCount(failed, 'invocation')}${thrown.length > 0 ? ` (${kinds(thrown).join('; ')})` : ''}, fewer than the ${fmtCount(withoutPosts, 'message')} left without posts; ` : '';
  const logged = kinds(cw?.loggedErrors?.[fn]);
  if (logged.length > 0) return { said: `${some}it caught and logged: ${logged.join('; ')}`, remedy: `read ${fn}'s log: its code caught these failures and went on without the posts` };
  // its REPORT lines come from the same read of its log as its errors: without them, it was not read
  if (cw?.reports[fn] === undefined) return { said: `${some}its log was not read`, remedy: `read ${fn}'s log for why it made no posts` };
  return {
    said: `${some}${failed > 0 ? 'otherwise it' : 'it'} returned without error and logged none`,
    remedy: `${fn}'s code returned without posting and said nothing: an error caught and dropped (\`except: pass\`, a catch that returns) hides why; log it, or let it fail the invocation`,
  };
}


/** The hops of a queued path (results.path) that dropped, failed or throttled the lost deliveries' messages. */
function queuedPathEvidence(r: Results): PathFinding[] {
  const hops = r.path?.hops ?? [];
  if (hops.length === 0) return [];
  const entered = enteredPath(hops);
  const shareOf = (messages: number) => (entered > 0 ? Math.min(1, (messages * r.deliveries.expected) / entered / r.deliveries.lost) : undefined);
  const withShare = (f: Omit<PathFinding, 'share'>, messages: number): PathFinding => {
    const share = shareOf(messages);
    return { ...f, ...(share !== undefined ? { share } : {}) };
  };
  const mappingsOf = (queue: string) => hops.filter((h): h is MappingHop => h.kind === 'mapping' && h.source.kind === 'queue' && h.source.name === queue);
  const fnHop = (name: string) => hops.find((h): h is FunctionHop => h.kind === 'function' && h.name === name);
  const out: PathFinding[] = [];

  // messages moved to a dead-letter queue: the rise of its depth (SQS counts no redrive as sent)
  for (const dlq of hops.filter((h): h is QueueHop => h.kind === 'queue' && (h.deadLetterOf ?? []).length > 0 && (h.totals.redriven ?? 0) > 0)) {
    const moved = dlq.totals.redriven!;
    for (const from of dlq.deadLetterOf!) {
      const source = hops.find((h): h is QueueHop => h.kind === 'queue' && h.name === from);
      const max = source?.deadLetterQueue?.maxReceiveCount;
      const workers = mappingsOf(from).map((m) => m.functionName);
      const failed = workers.map((w) => fnHop(w)).filter((f): f is FunctionHop => f !== undefined && f.totals.errors > 0);
      const who = workers.length === 0 ? 'its consumer did not delete them' : `${workers.join(', ')} failed them${failed.length > 0 ? ` (${failed.map((f) => `${f.name}: ${fmtCount(f.totals.errors, 'error')} in ${fmtInt(f.totals.invocations)} invocations`).join('; ')})` : ''}`;
      out.push(
        withShare(
          {
            line: `${fmtCount(moved, 'message')} moved to ${dlq.name} after maxReceiveCount ${max ?? '?'} of ${from}: ${who}`,
            remedy: `read ${workers[0] ?? 'the consumer'}'s log for why it failed the batches; return batchItemFailures for the messages that failed (ReportBatchItemFailures) so the rest of a batch is not received again, and give a slow worker a visibility timeout of at least 6× its timeout`,
          },
          moved,
        ),
      );
    }
  }
  // asynchronous events dropped (SNS and EventBridge invoke their Lambda targets asynchronously)
  for (const f of hops.filter((h): h is FunctionHop => h.kind === 'function' && h.totals.asyncDropped > 0)) {
    const oldest = f.totals.asyncAgeMaxMs === null ? '' : `; the oldest waited ${age(f.totals.asyncAgeMaxMs)} (AsyncEventAge max)`;
    const max = f.maximumEventAgeSeconds !== undefined ? ` past its MaximumEventAgeInSeconds ${fmtInt(f.maximumEventAgeSeconds)}` : '';
    const why = f.totals.errors > 0 ? `after ${fmtCount(f.totals.errors, 'error')} and Lambda's retries` : f.totals.throttles > 0 ? `throttled ${fmtCount(f.totals.throttles, 'time')}` : 'unprocessed';
    out.push(
      withShare(
        {
          line: `Lambda dropped ${fmtCount(f.totals.asyncDropped, 'asynchronous event')} of ${fmtInt(f.totals.asyncReceived)} for ${f.name}${max} (${why})${oldest}`,
          remedy: `read ${f.name}'s log for its errors; give it an OnFailure destination or a dead-letter queue to keep what it drops, and a MaximumEventAgeInSeconds and MaximumRetryAttempts that outlast its throttles`,
        },
        f.totals.asyncDropped,
      ),
    );
  }
  for (const m of hops.filter((h): h is MappingHop => h.kind === 'mapping')) {
    if (m.totals.dropped > 0) {
      out.push(
        withShare(
          { line: `the event source mapping ${m.name} dropped ${fmtCount(m.totals.dropped, 'event')} of ${fmtInt(m.totals.polled)} polled (DroppedEventCount): they ran out of retries or record age`, remedy: `give ${m.functionName} an OnFailure destination, and a MaximumRetryAttempts and MaximumRecordAgeInSeconds that outlast its failures` },
          m.totals.dropped,
        ),
      );
    }
  }
  for (const t of hops.filter((h) => h.kind === 'topic' && h.totals.failed > 0)) {
    if (t.kind !== 'topic') continue;
    out.push(
      withShare(
        {
          line: `SNS failed ${fmtCount(t.totals.failed, 'notification')} of topic ${t.name} (NumberOfNotificationsFailed; ${fmtInt(t.totals.delivered)} delivered of ${fmtInt(t.totals.published)} published)${deniedWords(t.denied, `topic ${t.name}`)}`,
          remedy: grantRemedy(t.denied) ?? `read the subscribed function's log, or the queue's policy allowing sns.amazonaws.com to send; give the subscription a RedrivePolicy to keep what fails`,
        },
        t.totals.failed,
      ),
    );
  }
  for (const x of hops.filter((h) => h.kind === 'rule' && h.totals.failed > 0)) {
    if (x.kind !== 'rule') continue;
    out.push(
      withShare(
        {
          line: `EventBridge failed ${fmtCount(x.totals.failed, 'target invocation')} of rule ${x.name} (FailedInvocations; ${fmtInt(x.totals.invocations)} invocations of ${fmtInt(x.totals.matched)} matched events)${deniedWords(x.denied, `rule ${x.name}`)}`,
          remedy: grantRemedy(x.denied) ?? `check the rule's targets and their permission to be invoked by events.amazonaws.com; give the target a DeadLetterConfig to keep what fails`,
        },
        x.totals.failed,
      ),
    );
  }
  // where nothing was dropped outright: a mapping's failed batches, its function's throttles
  const dropped = out.length > 0;
  for (const m of hops.filter((h): h is MappingHop => h.kind === 'mapping')) {
    const fn = fnHop(m.functionName);
    const failedEvents = m.totals.failedInvoke;
    const errors = fn?.totals.errors ?? 0;
    if (failedEvents > 0 || errors > 0) {
      const counted = failedEvents > 0 ? `${fmtCount(failedEvents, 'event')} in failed invocations (FailedInvokeEventCount)` : `${fmtCount(errors, 'error')} of ${m.functionName} in ${fmtInt(fn?.totals.invocations ?? 0)} batches`;
      const partial = m.reportBatchItemFailures ? 'its partial batch responses returned them to the queue' : 'each failed batch went back to the queue whole';
      out.push({
        // beside a dead-letter queue it is how they got there; alone, why they were late past the run
        line: `${m.name}: ${counted}; ${partial}${dropped ? '' : ', and the run ended before they were delivered (none reached a dead-letter queue)'}`,
        remedy: `read ${m.functionName}'s log for why its batches failed; with ReportBatchItemFailures return only the failed messages' ids`,
      });
    }
    const throttles = fn?.totals.throttles ?? 0;
    if (throttles > 0) {
      const scale = m.totals.concurrencyMax !== null ? `; ${m.concurrencySource === 'mapping' ? 'the mapping ran' : `${m.functionName} ran`} at most ${fmtNum(m.totals.concurrencyMax)} batches at once` : '';
      const cap = m.maximumConcurrency !== undefined ? ` (its MaximumConcurrency ${fmtInt(m.maximumConcurrency)})` : '';
      out.push({
        line: `${m.name} was throttled: Lambda throttled ${fmtCount(throttles, 'invocation')} of ${m.functionName}${scale}${cap}; throttled batches go back to the queue and wait out their visibility timeout`,
        remedy: `raise ${m.functionName}'s reserved concurrency (or the account's), or set the mapping's ScalingConfig.MaximumConcurrency at or below it so the poller does not overrun it`,
      });
    }
  }
  return out;
}

/** "; 3 deliveries refused by queue jobs: no statement of its policy allows sns.amazonaws.com sqs:SendMessage from topic alerts", for each target that refused. */
function deniedWords(denied: readonly DeliveryDenial[] | undefined, source: string): string {
  if (!denied?.length) return '';
  const each = denied.map((d) => {
    const parts = d.target.split(':');
    const service = parts[2];
    const name = parts.at(-1) ?? d.target;
    const by = service === 'lambda' ? `function ${name}: no AWS::Lambda::Permission lets ${d.principal} invoke it from ${source}` : `${service === 'sqs' ? 'queue' : 'topic'} ${name}: ${d.reason === 'no-policy' ? 'it has no policy' : d.reason === 'explicit-deny' ? `a Deny of its policy refuses ${d.principal} ${d.action}` : `no statement of its policy allows ${d.principal} ${d.action} from ${source}`}`;
    return `${fmtCount(d.count, 'delivery', 'deliveries')} refused by ${by}`;
  });
  return `; ${each.join('; ')}`;
}

/** The grant to add for the refusal that lost most, as the template writes it. */
function grantRemedy(denied: readonly DeliveryDenial[] | undefined): string | undefined {
  const d = denied?.[0];
  if (!d) return undefined;
  if (d.target.split(':')[2] === 'lambda') return `add to the template the resource ${JSON.stringify(d.grant)}`;
  const type = d.target.split(':')[2] === 'sqs' ? 'AWS::SQS::QueuePolicy' : 'AWS::SNS::TopicPolicy';
  return `${d.reason === 'explicit-deny' ? `remove the Deny from the target's ${type}, and let it hold` : `add to the target's ${type}`} the statement ${JSON.stringify(d.grant)}`;
}

/** Messages that entered the path: its first queue's sent (not a dead-letter queue), else a topic's published, else a rule's matched events. */
function enteredPath(hops: readonly PathHop[]): number {
  const queue = hops.find((h) => h.kind === 'queue' && !(h.deadLetterOf ?? []).length && h.totals.sent > 0);
  if (queue?.kind === 'queue') return queue.totals.sent;
  const topic = hops.find((h) => h.kind === 'topic' && h.totals.published > 0);
  if (topic?.kind === 'topic') return topic.totals.published;
  const rule = hops.find((h) => h.kind === 'rule' && h.totals.matched > 0);
  return rule?.kind === 'rule' ? rule.totals.matched : 0;
}
