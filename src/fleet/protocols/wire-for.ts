import type { ProtocolSpec } from '../../contracts/protocol-schema.ts';
import { chatV1Wire, type WireOptions } from './chat-v1-wire.ts';
import { describedWire } from './described-wire.ts';
import { loadProtocolModule, moduleWire } from './protocol-module.ts';
import type { WireProtocol } from './wire-protocol.ts';

/**
 * The WireProtocol a scenario's protocol spec names (a module is imported and checked); none named,
 * chat-v1. Taking no spec spares a load shard importing protocol-schema.ts for its CHAT_V1: that
 * module loads zod, about a third of the shard's program, at every shard's start.
 */
export async function wireFor(spec: ProtocolSpec | undefined, o: WireOptions): Promise<WireProtocol> {
  if (spec === undefined || spec.kind === 'chat-v1') return chatV1Wire(o);
  if (spec.kind === 'described') return describedWire(spec.description, o);
  return moduleWire(await loadProtocolModule(spec.path), spec.name, o);
}
