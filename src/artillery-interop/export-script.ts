import { relative } from 'node:path';
import { Document, isScalar, visit } from 'yaml';
import { UserError } from '../../common/errors.ts';
import { dropPlan } from '../fleet/drop-plan.ts';
import { planRooms, sendersPerRoom } from '../fleet/room-plan.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import type { TokenPlacement } from '../contracts/token-placement.ts';
import type { ProtocolSpec } from '../contracts/protocol-schema.ts';
import { PLAN_VERSION, type Plan, type PlanPhase, type PlanProtocol } from './plan-schema.ts';

/**
 * A scenario as an Artillery script for the fanout engine (artillery/engine), its load split
 * over `workers` Artillery workers. Pure: scenario in, script out.
 *
 * Artillery's distributed runners (`run-fargate --count N`, `run-lambda --count N`) give every
 * worker the same script and no index of its own, so the script is one worker's share and N
 * workers play it side by side: each plays clients/N clients in rooms/N rooms, room sizes drawn
 * with the scenario's distribution, at 1/N of every rate. A room is never split: one virtual user
 * per worker plays all of that worker's rooms (its sockets, joins, sends and deliveries), so every
 * broadcast latency is taken on one worker's clock. Hence the rules: at most as many workers as
 * rooms, and clients and rooms must divide evenly among them (identical workers cannot carry a
 * remainder).
 */
export interface ExportOptions {
  workers: number;
  /** the WebSocket URL the workers connect to (`artillery run -t` overrides it) */
  targetUrl: string;
  tokenIn: TokenPlacement;
  seed: number;
  /**
   * the engine's folder relative to the script, for `config.includeFiles`: a cloud run uploads it
   * with the script (absent: not written)
   */
  engineDir?: string;
}

/** The engine's name in `config.engines` and `engine:`; Artillery loads `artillery-engine-fanout`. */
export const ENGINE_NAME = 'fanout';

export interface ExportedArtillery {
  /** the script as YAML */
  text: string;
  plan: Plan;
}

export function exportArtilleryScript(scenario: Scenario, o: ExportOptions): ExportedArtillery {
  const plan = workerPlan(scenario, o);
  // The protocol travels in the scenario, not in config: Artillery renders every {{…}} in config
  // with its own variables before an engine sees it, and leaves scenarios alone.
  const { protocol, ...played } = plan;
  const script = {
    config: {
      target: o.targetUrl,
      // One virtual user per worker: Artillery's own split of arrivals over its local threads
      // gives an arrivalCount phase to one thread only, so the plan is played once per worker.
      phases: [{ name: `fanout-bench ${scenario.name}`, arrivalCount: 1, duration: 1 }],
      ...(o.engineDir !== undefined ? { includeFiles: [o.engineDir] } : {}),
      engines: { [ENGINE_NAME]: played },
    },
    scenarios: [{ name: scenario.name, engine: ENGINE_NAME, protocol }],
  };
  const doc = new Document(script);
  // lists of numbers (rooms, per-room counts) on one line each: a worker may hold thousands of rooms
  visit(doc, {
    Seq(_key, node) {
      if (node.items.length > 0 && node.items.every((item) => isScalar(item) && typeof item.value === 'number')) node.flow = true;
    },
  });
  doc.commentBefore = [
    ` fanout-bench artillery export: scenario ${scenario.name}, one worker's share of ${o.workers}.`,
    ` Each worker plays ${plan.rooms.reduce((a, b) => a + b, 0)} clients in ${plan.rooms.length} rooms; together ${plan.total.clients} clients in ${plan.total.rooms} rooms.`,
    ` Run it: artillery run --output out.json <this file>   (${o.workers === 1 ? 'one worker' : `run-fargate/run-lambda --count ${o.workers}`})`,
    ` The token of a $connect authorizer is read from FANOUT_BENCH_TOKEN by each worker: it is not in this file.`,
  ].join('\n');
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), plan };
}

/** One worker's plan: the scenario at 1/workers scale. */
export function workerPlan(scenario: Scenario, o: Pick<ExportOptions, 'workers' | 'tokenIn' | 'seed'>): Plan {
  const n = o.workers;
  if (n > scenario.rooms) {
    throw new UserError(`--workers: ${n} workers but ${scenario.rooms} rooms: a room never spans workers, so at most ${scenario.rooms} workers`);
  }
  for (const [what, total] of [['rooms', scenario.rooms], ['clients', scenario.clients]] as const) {
    if (total % n !== 0) {
      throw new UserError(
        `--workers: ${total} ${what} do not divide among ${n} workers (every Artillery worker runs the same script, so each plays 1/${n} of the scenario): ` +
          `choose a divisor, or --${what} ${Math.max(n, total - (total % n))}`,
      );
    }
  }
  const clients = scenario.clients / n;
  const rooms = scenario.rooms / n;
  const plan = planRooms(clients, rooms, scenario.roomSizes, o.seed);
  const perPhase = new Map<number, Int32Array>();
  const maxSenders = new Int32Array(rooms);
  scenario.phases.forEach((p, i) => {
    if (p.kind !== 'send') return;
    const s = sendersPerRoom(plan, p.senders);
    perPhase.set(i, s);
    for (let r = 0; r < rooms; r++) maxSenders[r] = Math.max(maxSenders[r], s[r]);
  });
  const phases = scenario.phases.map((p, i): PlanPhase => {
    switch (p.kind) {
      case 'connect':
      case 'join':
        return { kind: p.kind, name: p.name, rate: p.rate / n, maxInFlight: Math.max(1, Math.ceil(p.maxInFlight / n)) };
      case 'send':
        return { kind: 'send', name: p.name, durationMs: p.durationMs, rate: p.rate / n, payloadBytes: p.payloadBytes, senders: [...perPhase.get(i)!] };
      case 'idle':
        return { kind: 'idle', name: p.name, durationMs: p.durationMs };
      case 'publish':
        // a publish goes through the stack's AWS API from the harness itself, which an Artillery worker is not
        throw new UserError(`${scenario.source}: phases[${i}].publish: a publish phase is not exported to Artillery (its publishes go from the harness through the stack's AWS API): run it with fanout-bench run`);
      case 'drop': {
        // the harness's choice of who drops (quiet members first, by the seed), counted per room
        const members = new Array<number>(rooms).fill(0);
        for (const c of dropPlan(plan, p.share, maxSenders, o.seed)) members[plan.roomOf[c]]++;
        return { kind: 'drop', name: p.name, members };
      }
    }
  });
  const { description: _description, ...definition } = scenario.definition;
  return {
    version: PLAN_VERSION,
    workers: n,
    tokenIn: o.tokenIn,
    seed: o.seed,
    rooms: [...plan.sizes],
    timeouts: { ...scenario.timeouts },
    phases,
    protocol: planProtocol(scenario.protocol),
    total: { clients: scenario.clients, rooms: scenario.rooms },
    scenario: {
      name: scenario.name,
      ...(scenario.description ? { description: scenario.description } : {}),
      definition,
      thresholds: scenario.thresholds.map((t) => t.expression),
    },
  };
}

/**
 * The scenario's protocol as the plan carries it: chat-v1, or the description written out whole
 * (the engine builds the same WireProtocol from it). A module is refused: its code is not in the
 * engine's bundle and Artillery's workers install nothing but the engine package, so a worker
 * could not load it.
 */
export function planProtocol(spec: ProtocolSpec): PlanProtocol {
  switch (spec.kind) {
    case 'chat-v1':
      return 'chat-v1';
    case 'described':
      return spec.description;
    case 'module':
      throw new UserError(
        `protocol.module: ${relative(process.cwd(), spec.path) || spec.path}: artillery export cannot carry a protocol module (Artillery's workers load only the engine's bundle, not the scenario's code): describe the protocol in the scenario instead, or measure it with fanout-bench run`,
      );
  }
}
