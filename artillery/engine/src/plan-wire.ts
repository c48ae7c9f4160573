import { chatV1Wire, type WireOptions } from '../../../src/fleet/protocols/chat-v1-wire.ts';
import { describedWire } from '../../../src/fleet/protocols/described-wire.ts';
import type { WireProtocol } from '../../../src/fleet/protocols/wire-protocol.ts';
import type { WorkerPlan } from './plan.ts';

/**
 * The WireProtocol a worker's clients speak: the one the harness's shards build from the same
 * protocol (chat-v1, or the described protocol the plan carries), so a worker speaks it byte for
 * byte as `run` does. Not src/fleet/protocols/wire-for.ts: that one also loads protocol modules
 * (through tsx), which a plan never carries and the bundle must not hold.
 */
export function planWire(protocol: WorkerPlan['protocol'], o: WireOptions): WireProtocol {
  if (protocol === undefined || protocol === 'chat-v1') return chatV1Wire(o);
  return describedWire(protocol, o);
}
