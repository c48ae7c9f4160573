import type { DeliveryDenial, FunctionHop, MappingHop, PathHop, QueueHop } from '../contracts/path-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtCount, fmtInt, fmtNum } from '../number-format.ts';

/**
 * A loss whose deliveries went missing on a queued path, the hop named with its numbers
 * (results.path, from AWS/SQS, AWS/SNS, AWS/Events and Lambda's asynchronous and event source
 * mapping metrics): messages a queue moved to its dead-letter queue after maxReceiveCount,
 * asynchronous events Lambda dropped, events a mapping dropped, notifications SNS failed, target
 * invocations EventBridge failed; and, where nothing was dropped outright, a mapping's failed
 * invocations (a batch, or part of one, that failed and went back to the queue) and its
 * function's throttles. Named only for a loss, as the other evidence is.
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
  const hops = r.path?.hops ?? [];
  if (!lossAsked || r.deliveries.lost === 0 || hops.length === 0) return [];
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
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
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
