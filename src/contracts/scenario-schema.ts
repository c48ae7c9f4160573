import { z } from 'zod';
import { DURATION_HINT, formatDuration, parseDuration } from './duration.ts';
import { MAX_CLIENTS, MAX_PHASE_MS, MAX_RATE, MAX_TIMEOUT_MS, MIN_SEND_MS, MIN_TIMEOUT_MS } from './scenario-limits.ts';
import { knobShape } from '../../common/stack-settings.ts';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { TOKEN_PLACEMENTS } from './token-placement.ts';
import { parseThreshold, type Threshold } from './threshold.ts';
import { protocolFieldIssues, protocolSpec, type ProtocolSpec } from './protocol-schema.ts';
import { HEADER_NAME, httpTargetOf, payloadIssues, PUBLISH_OWN_HEADERS, PUBLISH_VIAS, PublishHeaderValue, type PublishRecipients, type PublishVia } from './publish-phase.ts';

/**
 * A scenario, k6-style: named phases run in order, pacing (rates, in-flight bounds) kept apart
 * from measurement (always on). Built-in scenarios and user files (YAML or JSON) go through this
 * one schema; strict objects, so a misspelt key is an error, not a silent default.
 */

/** A duration within [min, max] ms; the message says the range. */
const durationIn = (min: number, max: number) =>
  z
    .custom<string | number>((v) => parseDuration(v) !== undefined, { error: DURATION_HINT })
    .refine((v) => {
      const ms = parseDuration(v)!;
      return ms >= min && ms <= max;
    }, { error: min > 0 ? `must be from ${formatDuration(min)} to ${formatDuration(max)}` : `must be at most ${formatDuration(max)}` });
const Duration = durationIn(0, MAX_PHASE_MS);
/** A send phase of 0 ms sends nothing, and its run would pass on nothing. */
const SendDuration = durationIn(MIN_SEND_MS, MAX_PHASE_MS);
const Timeout = durationIn(MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
/** Rates, clients, rooms and seeds are worded once, for a file's field and the flag that sets it alike. */
const RATE_RANGE = `must be a number > 0 and at most ${MAX_RATE}`;
const Rate = z.number().positive({ error: RATE_RANGE }).max(MAX_RATE, { error: RATE_RANGE });
const CLIENTS_RANGE = `must be an integer from 1 to ${MAX_CLIENTS}`;
const Name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . -');

export const PHASE_KINDS = ['connect', 'join', 'send', 'publish', 'idle', 'drop'] as const;
export type PhaseKindName = (typeof PHASE_KINDS)[number];

const ConnectPhase = z.strictObject({
  name: Name.optional(),
  /** connects started per second, all shards together */
  rate: Rate.default(200),
  /** connects unfinished at once */
  maxInFlight: z.int().positive().default(100),
});

const JoinPhase = z.strictObject({
  name: Name.optional(),
  /** createRoom + joinRoom requests per second */
  rate: Rate.default(200),
  maxInFlight: z.int().positive().default(50),
});

const Senders = z
  .strictObject({
    /** this many members of every room send (fewer if the room is smaller) */
    perRoom: z.int().positive().optional(),
    /** this share of every room's members send, at least one */
    share: z.number().gt(0).max(1).optional(),
  })
  .refine((s) => (s.perRoom === undefined) !== (s.share === undefined), { error: 'give exactly one of perRoom or share' });

const SendPhase = z.strictObject({
  name: Name.optional(),
  duration: SendDuration,
  /** messages per second, all senders together (open model: not slowed by the system) */
  rate: Rate,
  senders: Senders.default({ perRoom: 1 }),
  /** size of the payload string (the probe, padded) */
  payloadBytes: z.int().min(0).max(126_000).default(64),
});

/**
 * A broadcast that starts on the server (publish-phase.ts): `rate` publishes a second for
 * `duration` through `via` to the resource `to` (a logical id, physical name or ARN of the target
 * stack's; for http a route of the stack's HTTP or REST API, `POST /notify` (with `apiKey`, one of its API keys, and `headers`, a token read from the environment or a file), or a URL), each carrying the probe where `payload` says, and expected by
 * `recipients`, the clients open (and joined) when it is published: every one, or one room's.
 */
const PublishPhase = z
  .strictObject({
    name: Name.optional(),
    via: z.enum(PUBLISH_VIAS, { error: `must be one of ${PUBLISH_VIAS.join(', ')}` }),
    to: z.string().min(1, { error: 'must name the resource (a logical id, physical name or ARN; for http a route, POST /notify, or a URL)' }),
    rate: Rate,
    duration: SendDuration,
    payload: z.unknown(),
    recipients: z.union([z.literal('everyone'), z.strictObject({ room: z.int().min(0, { error: 'must be an integer >= 0' }) })], { error: 'must be everyone or { room: <n> }' }).default('everyone'),
    /** via http to a route: an API key of the stack's (logical id, id or name), its value sent as x-api-key */
    apiKey: z.string().min(1, { error: "must name one of the stack's API keys (its logical id, id or name)" }).optional(),
    /** via http: headers each publish carries, by name (publish-phase.ts PublishHeaderValue) */
    headers: z.record(z.string(), PublishHeaderValue).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.payload === undefined) {
      ctx.addIssue({ code: 'custom', path: ['payload'], message: `missing (the publish's content, with {{probe}} where the recipients receive it)` });
      return;
    }
    for (const i of payloadIssues(p.via, p.payload, p.recipients)) ctx.addIssue({ code: 'custom', path: ['payload', ...i.path], message: i.message });
    const target = p.via === 'http' ? httpTargetOf(p.to) : undefined;
    if (p.via === 'http' && target === undefined) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: "must be a route of the stack's HTTP or REST API (POST /notify; POST, PUT or PATCH), an HTTP API route's logical id, or an http:// or https:// URL (via http)" });
    }
    if (p.apiKey !== undefined && (target === undefined || target.kind === 'url')) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: "is for via http to a route of the stack's own API (to: POST /notify): it names one of the stack's API keys" });
    }
    if (p.headers !== undefined && p.via !== 'http') ctx.addIssue({ code: 'custom', path: ['headers'], message: 'is for via http: the headers of each request' });
    for (const name of Object.keys(p.headers ?? {})) {
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: ['headers', name], message: 'is not a header name (letters, digits and !#$%&\'*+.^_`|~-)' });
      else if (PUBLISH_OWN_HEADERS.includes(lower)) ctx.addIssue({ code: 'custom', path: ['headers', name], message: 'is set by the publish itself' });
      else if (lower === 'x-api-key' && p.apiKey !== undefined) ctx.addIssue({ code: 'custom', path: ['headers', name], message: "is what apiKey sends: give one or the other" });
    }
  });

const IdlePhase = z.strictObject({
  name: Name.optional(),
  duration: Duration,
});

const DropPhase = z.strictObject({
  name: Name.optional(),
  /** share of all clients dropped without a close frame (non-senders first) */
  share: z.number().gt(0).max(1),
});

const Phase = z
  .strictObject({
    connect: ConnectPhase.optional(),
    join: JoinPhase.optional(),
    send: SendPhase.optional(),
    publish: PublishPhase.optional(),
    idle: IdlePhase.optional(),
    drop: DropPhase.optional(),
  })
  .refine((p) => Object.values(p).filter((v) => v !== undefined).length === 1, {
    error: `must name exactly one of ${PHASE_KINDS.join(', ')}`,
  });

/** One threshold expression ("broadcast.p99 < 250ms"), parsed once by normalizeScenario. */
const ThresholdExpression = z.string();

/**
 * Per-function settings, by function name: the reference stack's, or (with a template) its own,
 * which the emulator checks when it reads the template. Which stack that is is known only with the
 * flags: src/local-stack/stack-knobs-check.ts.
 */
const perFunction = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

/**
 * Knobs for the local emulator (`--target local`); ignored (with a warning) for a remote target.
 * The settings of one value are common/stack-settings.ts's, by their knob names (each with its
 * `stack up` flag and help there); these are the others.
 */
export const StackKnobs = z.strictObject({
  ...knobShape(),
  /** a stack of the user's own instead of the reference stack: a CloudFormation/SAM template, a cdk.out or a .serverless/ package (relative to the scenario file) */
  template: z.string().min(1).optional(),
  /** the template's parameters */
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  /** layers the template's functions name by an ARN from outside it: ARN → a local folder holding the layer's content (relative to the scenario file) */
  layers: z.record(z.string(), z.string().min(1)).optional(),
  /** Lambda memory per function name, MB */
  memory: perFunction(z.int().min(LAMBDA_MEMORY_MB.min).max(LAMBDA_MEMORY_MB.max)).optional(),
  /** reserved concurrency per function name */
  reserved: perFunction(z.int().nonnegative()).optional(),
  /** an emulator config file (YAML/JSON), as `stack up --config` takes it */
  config: z.string().min(1).optional(),
  /**
   * the $connect authorizer: true, or where clients put the token (identitySource) and a file
   * holding the token the stack expects (tokenFile, relative to the scenario file; default: the
   * run's own token, FANOUT_BENCH_TOKEN or --token-file)
   */
  auth: z
    .union([
      z.boolean(),
      z.strictObject({
        identitySource: z.enum(TOKEN_PLACEMENTS).optional(),
        tokenFile: z.string().min(1).optional(),
      }),
    ])
    .optional(),
});
export type StackKnobs = z.infer<typeof StackKnobs>;

/** API Gateway's idle timeout (AWS's quota): a keep-alive must come more often than this. */
export const AWS_IDLE_TIMEOUT_MS = 600_000;

/**
 * How a client comes back when the server closes it (the 2-hour lifetime, the idle timeout, a
 * drop): exponential backoff from `initial` by `factor` up to `max`, each wait shortened by up to
 * `jitter` of itself at random (so a wave of closes does not come back as one wave of connects);
 * `maxAttempts` failed attempts in a row and it stays away. `max` is required: a backoff with no
 * bound grows without end.
 */
const Reconnect = z
  .strictObject({
    backoff: z.strictObject({
      initial: durationIn(0, MAX_TIMEOUT_MS).default('500ms'),
      max: durationIn(0, MAX_PHASE_MS).optional(),
      factor: z.number().min(1).max(10).default(2),
      jitter: z.number().min(0).max(1).default(0.5),
    }).prefault({}),
    maxAttempts: z.int().positive().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.backoff.max === undefined) {
      ctx.addIssue({ code: 'custom', path: ['backoff', 'max'], message: 'a backoff needs an upper bound (e.g. max: 30s): without one a client waits longer after every failure, without end' });
      return;
    }
    const initial = parseDuration(r.backoff.initial);
    const max = parseDuration(r.backoff.max);
    if (initial !== undefined && max !== undefined && max < initial) ctx.addIssue({ code: 'custom', path: ['backoff', 'max'], message: `must be at least backoff.initial (${formatDuration(initial)})` });
  });

/** Keep-alive frames: each open client sends its protocol's keep-alive when it has sent nothing for `interval`. */
const KeepAlive = z.strictObject({ interval: durationIn(MIN_TIMEOUT_MS, MAX_PHASE_MS) });

export const ScenarioSchema = z.strictObject({
  name: Name,
  description: z.string().optional(),
  clients: z.int().min(1, { error: CLIENTS_RANGE }).max(MAX_CLIENTS, { error: CLIENTS_RANGE }),
  rooms: z.int().min(1, { error: 'must be an integer >= 1' }),
  roomSizes: z
    .strictObject({
      distribution: z.enum(['uniform', 'zipf']),
      /** zipf exponent s: room i gets a share ∝ 1/(i+1)^s */
      exponent: z.number().positive().default(1),
    })
    .default({ distribution: 'uniform', exponent: 1 }),
  seed: z.int().min(0, { error: 'must be an integer >= 0' }).optional(),
  target: StackKnobs.optional(),
  timeouts: z
    .strictObject({
      /** WebSocket handshake ($connect runs inside it; API Gateway's integration timeout is 29 s) */
      connect: Timeout.default('30s'),
      /** a send's `sent` ack, a join's `joined` (the same 29 s bound applies to every route) */
      ack: Timeout.default('30s'),
      /** a delivery arriving more than this after its message's ack is counted as late (still received) */
      grace: durationIn(0, MAX_TIMEOUT_MS).default('2s'),
      /** a member's delivery is lost only when nothing arrived this long after the ack; the run drains up to it */
      loss: Timeout.default('30s'),
    })
    .prefault({}),
  phases: z.array(Phase).min(1),
  /** k6-style threshold expressions, checked with the run (`--threshold` adds more) */
  thresholds: z.array(ThresholdExpression).optional(),
  /** the protocol the clients speak: chat-v1 (default), sendmessage, a description or { module } (protocol-schema.ts) */
  protocol: z.unknown().optional(),
  /** clients the server closes come back and re-join (default: a closed client stays closed) */
  reconnect: Reconnect.optional(),
  /** keep-alive frames against the idle timeout (chat-v1: whoami) */
  keepAlive: KeepAlive.optional(),
}).superRefine((s, ctx) => {
  if (s.keepAlive) {
    const every = parseDuration(s.keepAlive.interval);
    const knob = s.target?.idleTimeoutSeconds;
    const idleMs = knob !== undefined ? knob * 1000 : AWS_IDLE_TIMEOUT_MS;
    const whose = knob !== undefined ? 'target.idleTimeoutSeconds' : "API Gateway's";
    if (every !== undefined && every >= idleMs) ctx.addIssue({ code: 'custom', path: ['keepAlive', 'interval'], message: `must be shorter than the idle timeout (${formatDuration(idleMs)}, ${whose}): the connection would close before its keep-alive` });
    const spec = protocolSpec(s.protocol);
    if (spec.kind !== 'chat-v1') ctx.addIssue({ code: 'custom', path: ['keepAlive'], message: `protocol ${spec.name} has no keep-alive frame (chat-v1 has: whoami)` });
  }
  const protocolIssues = protocolFieldIssues(s.protocol, s as unknown as { rooms: number; phases: Array<Record<string, unknown>> });
  for (const i of protocolIssues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  // a send needs a join phase before it only where members join (not with membership connect/all, nor a module, checked when loaded)
  const joinsFirst = protocolIssues.length === 0 && joinModel(s.protocol);
  if (s.rooms > s.clients) ctx.addIssue({ code: 'custom', path: ['rooms'], message: `must not exceed clients (${s.clients})` });
  const grace = parseDuration(s.timeouts.grace);
  const loss = parseDuration(s.timeouts.loss);
  if (grace !== undefined && loss !== undefined && loss < grace) {
    ctx.addIssue({ code: 'custom', path: ['timeouts', 'loss'], message: `must be at least timeouts.grace (${formatDuration(grace)})` });
  }
  let connected = false;
  let joined = false;
  s.phases.forEach((p, i) => {
    // A connect or join ramp paces every client (joins: every room's create and every client's join) at its rate: it must fit in a phase.
    const ramp = p.connect ? { kind: 'connect', rate: p.connect.rate, items: s.clients, what: `${s.clients} connects` } : p.join ? { kind: 'join', rate: p.join.rate, items: s.clients + s.rooms, what: `${s.clients + s.rooms} createRoom and joinRoom requests` } : undefined;
    if (ramp && (ramp.items / ramp.rate) * 1000 > MAX_PHASE_MS) {
      const ms = Math.round((ramp.items / ramp.rate) * 1000);
      ctx.addIssue({ code: 'custom', path: ['phases', i, ramp.kind, 'rate'], message: `${ramp.what} at ${ramp.rate}/s take ${formatDuration(ms)}; a phase may take at most ${formatDuration(MAX_PHASE_MS)}` });
    }
    if (p.connect) connected = true;
    if (p.join && !connected) ctx.addIssue({ code: 'custom', path: ['phases', i, 'join'], message: 'needs a connect phase before it' });
    if (p.join) joined = true;
    if (p.send && !joined && joinsFirst) ctx.addIssue({ code: 'custom', path: ['phases', i, 'send'], message: 'needs a join phase before it' });
    if (p.publish) {
      // a publish is expected by the clients open (and joined) when it goes out: there must be some
      if (!connected) ctx.addIssue({ code: 'custom', path: ['phases', i, 'publish'], message: 'needs a connect phase before it (its recipients are the clients open when it is published)' });
      else if (!joined && joinsFirst) ctx.addIssue({ code: 'custom', path: ['phases', i, 'publish'], message: 'needs a join phase before it (its recipients are the members of rooms)' });
      const r = p.publish.recipients;
      if (r !== 'everyone' && r.room >= s.rooms) ctx.addIssue({ code: 'custom', path: ['phases', i, 'publish', 'recipients', 'room'], message: `must be a room of the scenario's, 0 to ${s.rooms - 1}` });
    }
  });
});

/** The protocol's clients join their rooms with a frame (chat-v1 and join-membership descriptions). */
function joinModel(protocol: unknown): boolean {
  const spec = protocolSpec(protocol);
  return spec.kind === 'chat-v1' || (spec.kind === 'described' && spec.description.membership.model === 'join');
}

export type ScenarioInput = z.input<typeof ScenarioSchema>;
type ScenarioParsed = z.output<typeof ScenarioSchema>;

export type PlannedPhase =
  | { kind: 'connect'; name: string; rate: number; maxInFlight: number }
  | { kind: 'join'; name: string; rate: number; maxInFlight: number }
  | {
      kind: 'send';
      name: string;
      durationMs: number;
      rate: number;
      senders: { perRoom?: number; share?: number };
      payloadBytes: number;
    }
  | {
      kind: 'publish';
      name: string;
      durationMs: number;
      rate: number;
      via: PublishVia;
      /** the resource as the scenario names it (resolved against the target before load) */
      to: string;
      /** the template, `{{probe}}` where the probe goes (`{{room}}` where the recipients' room is named) */
      payload: unknown;
      recipients: PublishRecipients;
      /** via http to a route: the stack's API key it carries (by logical id, id or name) */
      apiKey?: string;
      /** via http: the headers it carries, by name, as the scenario gives them (values read before load) */
      headers?: Record<string, PublishHeaderValue>;
    }
  | { kind: 'idle'; name: string; durationMs: number }
  | { kind: 'drop'; name: string; share: number };

/** The reconnect option in ms (reconnect-backoff.ts reads it). */
export interface ReconnectPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  jitter: number;
  /** failed attempts in a row before a client stays away (undefined: no limit) */
  maxAttempts?: number;
}

/** A validated scenario with durations in ms and every phase named. */
export interface Scenario {
  /** where it came from, for messages: the file path, or "built-in scenario <name>" */
  source: string;
  name: string;
  description?: string;
  clients: number;
  rooms: number;
  roomSizes: { distribution: 'uniform' } | { distribution: 'zipf'; exponent: number };
  seed?: number;
  target: StackKnobs;
  /** grace: deliveries later than this after the ack are late; loss: none by then = lost */
  timeouts: { connectMs: number; ackMs: number; graceMs: number; lossMs: number };
  phases: PlannedPhase[];
  /** the scenario's thresholds, parsed (each named `<source>: thresholds[i]`); the flags' join them in collectThresholds */
  thresholds: Threshold[];
  /** the protocol the clients speak (chat-v1 unless the scenario says) */
  protocol: ProtocolSpec;
  /** clients the server closes come back (undefined: they stay closed) */
  reconnect?: ReconnectPolicy;
  /** send the protocol's keep-alive after this long without sending (undefined: none) */
  keepAliveMs?: number;
  /** the definition as validated, for results.json */
  definition: Record<string, unknown>;
}

/**
 * The validated definition as the harness uses it. Its thresholds are parsed here, once; a
 * scenario revised from another (scenario-overrides.ts) passes the other's in `parsed`.
 */
export function normalizeScenario(s: ScenarioParsed, source: string, parsed?: { thresholds: Threshold[] }): Scenario {
  const seen = new Map<string, number>();
  const label = (kind: string, name: string | undefined) => {
    if (name) return name;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    return n === 1 ? kind : `${kind}-${n}`;
  };
  const ms = (v: string | number) => parseDuration(v)!;
  const phases: PlannedPhase[] = s.phases.map((p) => {
    if (p.connect) return { kind: 'connect', name: label('connect', p.connect.name), rate: p.connect.rate, maxInFlight: p.connect.maxInFlight };
    if (p.join) return { kind: 'join', name: label('join', p.join.name), rate: p.join.rate, maxInFlight: p.join.maxInFlight };
    if (p.send) {
      return {
        kind: 'send',
        name: label('send', p.send.name),
        durationMs: ms(p.send.duration),
        rate: p.send.rate,
        senders: p.send.senders,
        payloadBytes: p.send.payloadBytes,
      };
    }
    if (p.publish) {
      const q = p.publish;
      return { kind: 'publish', name: label('publish', q.name), durationMs: ms(q.duration), rate: q.rate, via: q.via, to: q.to, payload: q.payload, recipients: q.recipients, ...(q.apiKey !== undefined ? { apiKey: q.apiKey } : {}), ...(q.headers !== undefined ? { headers: q.headers } : {}) };
    }
    if (p.idle) return { kind: 'idle', name: label('idle', p.idle.name), durationMs: ms(p.idle.duration) };
    return { kind: 'drop', name: label('drop', p.drop!.name), share: p.drop!.share };
  });
  return {
    source,
    name: s.name,
    description: s.description,
    clients: s.clients,
    rooms: s.rooms,
    roomSizes:
      s.roomSizes.distribution === 'zipf' ? { distribution: 'zipf', exponent: s.roomSizes.exponent } : { distribution: 'uniform' },
    seed: s.seed,
    target: s.target ?? {},
    timeouts: { connectMs: ms(s.timeouts.connect), ackMs: ms(s.timeouts.ack), graceMs: ms(s.timeouts.grace), lossMs: ms(s.timeouts.loss) },
    phases,
    thresholds: parsed?.thresholds ?? (s.thresholds ?? []).map((e, i) => parseThreshold(e, `${source}: thresholds[${i}]`)),
    protocol: protocolSpec(s.protocol),
    ...(s.reconnect
      ? {
          reconnect: {
            initialMs: ms(s.reconnect.backoff.initial),
            maxMs: ms(s.reconnect.backoff.max!),
            factor: s.reconnect.backoff.factor,
            jitter: s.reconnect.backoff.jitter,
            ...(s.reconnect.maxAttempts !== undefined ? { maxAttempts: s.reconnect.maxAttempts } : {}),
          },
        }
      : {}),
    ...(s.keepAlive ? { keepAliveMs: ms(s.keepAlive.interval) } : {}),
    definition: s as unknown as Record<string, unknown>,
  };
}
