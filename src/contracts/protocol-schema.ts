import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration.ts';
import { parseJsonPath } from './json-path.ts';
import { parseTemplate, usesVariable, type TemplateVariable } from './protocol-template.ts';

/**
 * Which protocol a scenario's clients speak (docs/measuring-your-own-stack.md):
 * - `chat-v1`: the reference stack's (the default): createRoom/joinRoom, `sent` acks, `message` deliveries;
 * - `sendmessage`: `{"action":"sendmessage","data":"{{probe}}"}` posted raw to every connection, no ack;
 * - a described protocol, inline or in a file (`{ file: ./p.yaml }`, relative to the scenario);
 * - a module (`{ module: ./p.ts }`) for what a description cannot say (src/fleet/protocols/protocol-module.ts).
 * Everything a description sets is checked here, before anything starts: one issue names the field.
 */
export const BUILTIN_PROTOCOLS = ['chat-v1', 'sendmessage'] as const;
export type BuiltinProtocolName = (typeof BUILTIN_PROTOCOLS)[number];

export const CONNECT_VARS: TemplateVariable[] = ['room', 'client', 'token', 'run'];
const JOIN_VARS: TemplateVariable[] = ['room', 'client', 'run'];
const SEND_VARS: TemplateVariable[] = ['probe', 'room', 'client', 'run'];

/** A frame: text, or a JSON value written as YAML/JSON (serialized compactly). */
const Frame = z.union([z.string().min(1), z.record(z.string(), z.unknown()), z.array(z.unknown())]);

/** What confirms a join or a send: a JSON path (optionally equal to a value) or a substring of the frame. */
export const AnswerMatcher = z.union([
  z.strictObject({
    json: z.string(),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  }),
  z.strictObject({ contains: z.string().min(1) }),
], { error: 'must be { json: <JSON path>, equals?: <value> } or { contains: <text> }' });
export type AnswerMatcher = z.infer<typeof AnswerMatcher>;

const Settle = z.custom<string | number>((v) => parseDuration(v) !== undefined && parseDuration(v)! <= 60_000, { error: `${DURATION_HINT}, at most 60s` });

const Membership = z.discriminatedUnion('model', [
  z.strictObject({
    model: z.literal('join'),
    /** the frame each client sends to join its room */
    frame: Frame,
    /** the answer that confirms the join; without one, joins are fire-and-forget and wait `settle` */
    answer: AnswerMatcher.optional(),
    settle: Settle.default('500ms'),
  }),
  /** the connect URL or a header names the room ({{room}} in connect) */
  z.strictObject({ model: z.literal('connect') }),
  /** every connection receives every message (the scan-broadcast shape) */
  z.strictObject({ model: z.literal('all') }),
], { error: 'must be { model: join, frame, answer?, settle? }, { model: connect } or { model: all }' });

export const DescribedProtocol = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . -').default('described'),
  connect: z
    .strictObject({
      query: z.record(z.string(), z.string()).optional(),
      headers: z.record(z.string(), z.string()).optional(),
      subprotocols: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  membership: Membership,
  send: z.strictObject({
    /** carries {{probe}} somewhere: a JSON field, nested, or the whole frame */
    frame: Frame,
    /** the answer that acknowledges a send; without one, sends are fire-and-forget */
    ack: AnswerMatcher.optional(),
  }),
  /** who receives a message: the room with the sender (`room`) or without it (`others`) */
  recipients: z.enum(['room', 'others']).default('room'),
});
export type DescribedProtocolInput = z.input<typeof DescribedProtocol>;
export type DescribedProtocol = z.output<typeof DescribedProtocol>;

/** The sendmessage-broadcast shape of AWS's tutorials: raw data to every connection, no ack. */
export const SENDMESSAGE_PROTOCOL: DescribedProtocol = {
  name: 'sendmessage',
  membership: { model: 'all' },
  send: { frame: { action: 'sendmessage', data: '{{probe}}' } },
  recipients: 'room',
};

/** A scenario's protocol once loaded: a module's path is absolute. */
export type ProtocolSpec =
  | { kind: 'chat-v1'; name: 'chat-v1' }
  | { kind: 'described'; name: string; description: DescribedProtocol }
  | { kind: 'module'; name: string; path: string };

export const CHAT_V1: ProtocolSpec = { kind: 'chat-v1', name: 'chat-v1' };

export interface ProtocolIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * The issues of a described protocol beyond its shape: templates (send carries {{probe}}, only
 * known variables), matchers (valid JSON paths), the membership's own consistency.
 */
export function descriptionIssues(d: DescribedProtocol): ProtocolIssue[] {
  const issues: ProtocolIssue[] = [];
  const template = (path: PropertyKey[], t: unknown, vars: TemplateVariable[]) => {
    try {
      return parseTemplate(t, vars);
    } catch (err) {
      issues.push({ path, message: (err as Error).message });
      return undefined;
    }
  };
  let roomInConnect = false;
  for (const part of ['query', 'headers'] as const) {
    for (const [k, v] of Object.entries(d.connect?.[part] ?? {})) {
      const t = template(['connect', part, k], v, CONNECT_VARS);
      if (t && usesVariable(t, 'room')) roomInConnect = true;
    }
  }
  (d.connect?.subprotocols ?? []).forEach((v, i) => template(['connect', 'subprotocols', i], v, CONNECT_VARS));
  const send = template(['send', 'frame'], d.send.frame, SEND_VARS);
  if (send && !usesVariable(send, 'probe')) issues.push({ path: ['send', 'frame'], message: 'must carry {{probe}} (the harness finds each delivery by it)' });
  if (send && send.vars.filter((v) => v === 'probe').length > 1) issues.push({ path: ['send', 'frame'], message: 'must carry {{probe}} once' });
  matcherIssues(['send', 'ack'], d.send.ack, issues);
  const m = d.membership;
  if (m.model === 'join') {
    template(['membership', 'frame'], m.frame, JOIN_VARS);
    matcherIssues(['membership', 'answer'], m.answer, issues);
  }
  if (m.model === 'connect' && !roomInConnect) {
    issues.push({ path: ['membership', 'model'], message: 'connect: the room must be set by the connect URL or a header: put {{room}} in connect.query or connect.headers' });
  }
  return issues;
}

function matcherIssues(path: PropertyKey[], m: AnswerMatcher | undefined, issues: ProtocolIssue[]): void {
  if (!m || !('json' in m)) return;
  try {
    parseJsonPath(m.json);
  } catch (err) {
    issues.push({ path: [...path, 'json'], message: (err as Error).message });
  }
}

/** What a scenario's phases must agree with. */
export interface ScenarioShape {
  rooms: number;
  phases: Array<Record<string, unknown>>;
}

/**
 * A membership model the scenario contradicts (docs/measuring-your-own-stack.md, "What a
 * protocol and a scenario must agree on"): `all` delivers every message to every connection, so
 * rooms mean nothing to the stack and the scenario has one (several would plan senders and room
 * sizes the stack never sees); `connect`
 * and `all` have no join step, so a join phase has nothing to do; `join` needs one before a send.
 */
export function membershipIssues(model: 'join' | 'connect' | 'all', s: ScenarioShape): ProtocolIssue[] {
  const issues: ProtocolIssue[] = [];
  if (model === 'all' && s.rooms !== 1) {
    issues.push({ path: ['protocol', 'membership', 'model'], message: `all: every connection receives every message, so the scenario has one room (rooms: ${s.rooms})` });
  }
  if (model !== 'join') {
    const i = s.phases.findIndex((p) => p.join !== undefined);
    if (i >= 0) issues.push({ path: ['phases', i, 'join'], message: `protocol membership "${model}" has no join step (clients are members once connected): remove the join phase` });
  }
  return issues;
}

/**
 * The issues of a scenario's `protocol` value as written (a name, `{ file }` already read and
 * put inline by the loader, `{ module }`, or a description), paths from the scenario's root.
 */
export function protocolFieldIssues(value: unknown, s: ScenarioShape): ProtocolIssue[] {
  if (value === undefined || value === 'chat-v1') return membershipIssues('join', s);
  if (value === 'sendmessage') return membershipIssues('all', s);
  if (typeof value === 'string') return [{ path: ['protocol'], message: `unknown protocol "${value}" (built-in: ${BUILTIN_PROTOCOLS.join(', ')}; or a description, { file: … } or { module: … })` }];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: ['protocol'], message: `must be ${BUILTIN_PROTOCOLS.join(' or ')}, a protocol description, { file: <path> } or { module: <path> }` }];
  }
  const o = value as Record<string, unknown>;
  if ('module' in o) {
    if (typeof o.module !== 'string' || o.module.length === 0) return [{ path: ['protocol', 'module'], message: 'must be the path of a .ts or .js module' }];
    const extra = Object.keys(o).find((k) => k !== 'module');
    return extra ? [{ path: ['protocol', extra], message: 'unknown key (a module protocol says everything in its module)' }] : [];
  }
  if ('file' in o) return [{ path: ['protocol', 'file'], message: 'must be the path of a protocol file (YAML or JSON)' }];
  const parsed = DescribedProtocol.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    const message = issue.code === 'unrecognized_keys' ? 'unknown key' : /received undefined$/.test(issue.message) ? 'missing' : issue.message;
    return [{ path: ['protocol', ...path], message }];
  }
  const own = descriptionIssues(parsed.data).map((i) => ({ path: ['protocol', ...i.path], message: i.message }));
  return own.length > 0 ? own : membershipIssues(parsed.data.membership.model, s);
}

/** The protocol a validated scenario speaks (the value passed protocolFieldIssues). */
export function protocolSpec(value: unknown): ProtocolSpec {
  if (value === undefined || value === 'chat-v1') return CHAT_V1;
  if (value === 'sendmessage') return { kind: 'described', name: 'sendmessage', description: SENDMESSAGE_PROTOCOL };
  const o = value as Record<string, unknown>;
  if (typeof o.module === 'string') return { kind: 'module', name: o.module.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, ''), path: o.module };
  const description = DescribedProtocol.parse(value);
  return { kind: 'described', name: description.name, description };
}
