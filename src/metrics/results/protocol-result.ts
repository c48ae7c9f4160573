import type { PublishResult } from '../../contracts/publish-schema.ts';
import type { ProtocolResult, Results } from '../../contracts/results-schema.ts';

type Sends = Results['sends'];

/**
 * The stale-cleanup figures only 410 counts in acks show (chat-v1's `sent`): without them they are
 * not observable, unless the target's own view supplies them (src/session/target-stale.ts).
 */
export const STALE_FIELDS_FROM_ACKS = ['stale.gone410', 'stale.timeToCleanMs', 'stale.wastedPosts'] as const;

/** What a protocol lets the harness see, as the results describe it. */
export interface ProtocolTraits {
  name: string;
  kind: ProtocolResult['kind'];
  membership: ProtocolResult['membership'];
  recipients: ProtocolResult['recipients'];
  sendAcks: boolean;
  /** the target answers a join (membership join with an answer); otherwise a join has no latency to measure */
  joinAnswers: boolean;
  /** acks say whom the target posted to and how many were gone (chat-v1's `sent`) */
  ackCounts: boolean;
  /** connects say whether $connect ran cold (chat-v1's subprotocol answer) */
  coldConnects: boolean;
}

/** A join the harness can time: chat-v1's (no traits), or a protocol whose clients join and are answered. */
export function joinMeasured(t: ProtocolTraits | undefined): boolean {
  return t === undefined || (t.membership === 'join' && t.joinAnswers);
}

/**
 * The protocol section of results.json: which protocol, and for each figure it cannot show, where
 * the figure came from instead or that it is not observable (docs/measuring-your-own-stack.md,
 * "What a protocol cannot show").
 */
export function protocolResult(t: ProtocolTraits, hasDrop: boolean): ProtocolResult {
  const not = `not observable with protocol ${t.name}`;
  const n: Record<string, string> = {};
  if (!t.coldConnects) {
    const why = `${not}: its $connect does not answer the harness's cold/warm subprotocols; cold starts are counted from CloudWatch (INIT durations, cloudwatch.lambda) where the target has it`;
    n['metrics.connectCold'] = why;
    n['metrics.connectWarm'] = why;
  }
  // its deliveries carry no cold flag: the split is the access log's (results.attribution), where the run read it
  const deliveries = `${not}: its deliveries carry no cold flag; the stage's access log joined with REPORT lines splits them (results.attribution) where the run reads it`;
  n['metrics.broadcastCold'] = deliveries;
  n['metrics.broadcastWarm'] = deliveries;
  if (t.membership !== 'join') {
    n['metrics.join'] = `no join to measure: with membership ${t.membership} a client is a member once connected`;
  } else if (!joinMeasured(t)) {
    n['metrics.join'] = 'no answer to measure: joins are fire-and-forget (nothing answers them), so a join has no latency; the join step waits its settle time instead';
  }
  if (!t.sendAcks) {
    n['sends.acked'] = `${not}: sends are fire-and-forget; each message expects its room's members as the harness put them there (membership ${t.membership}${t.recipients === 'others' ? ', without the sender' : ''}), lost counted from the intended send time after the loss timeout`;
    n['metrics.ack'] = `${not}: nothing acknowledges a send`;
  }
  if (!t.ackCounts) {
    const why = `${not}: no ack says whom the target posted to; expected deliveries are the harness's own member counts`;
    n['deliveries.underreported'] = why;
    if (hasDrop) {
      // the session asks the target's own view after the run (src/session/target-stale.ts) and says where the figures came from instead
      const stale = `${not}: no answer counts 410s (chat-v1's sent acks do, in gone), and the target has no view of its own of posts to the dropped clients' connections (the emulator's gateway, the functions' logs)`;
      for (const f of STALE_FIELDS_FROM_ACKS) n[f] = stale;
    }
  }
  return { name: t.name, kind: t.kind, membership: t.membership, recipients: t.recipients, sendAcks: t.sendAcks, notObservable: n };
}

/**
 * A run's publishes are acknowledged by the API that took them (results.publish[].calls.acked),
 * whatever the clients' protocol: where its sends are fire-and-forget, sends.acked counts the
 * publishes the API accepted, and is said to be not observable only for the client sends among
 * them (none in a run that only publishes). Returns the sends and the protocol section to keep.
 */
export function withPublishAcks(
  sends: Sends,
  protocol: ProtocolResult,
  publish: readonly Pick<PublishResult, 'calls'>[],
  clientSends: boolean,
): { sends: Sends; protocol: ProtocolResult } {
  if (protocol.sendAcks || publish.length === 0) return { sends, protocol };
  const acked = publish.reduce((n, p) => n + p.calls.acked, 0);
  const notObservable = { ...protocol.notObservable };
  if (clientSends) {
    notObservable['sends.acked'] = `counts the publishes the API accepted alone: client sends are fire-and-forget with protocol ${protocol.name}`;
  } else {
    delete notObservable['sends.acked'];
  }
  return { sends: { ...sends, acked }, protocol: { ...protocol, notObservable } };
}
