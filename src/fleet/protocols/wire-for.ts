import type { ProtocolSpec } from '../../contracts/protocol-schema.ts';
import { chatV1Wire, type WireOptions } from './chat-v1-wire.ts';
import { describedWire } from './described-wire.ts';
import { loadProtocolModule, moduleWire } from './protocol-module.ts';
import type { WireProtocol } from './wire-protocol.ts';

/** The WireProtocol a scenario's protocol spec names (a module is imported and checked). */
export async function wireFor(spec: ProtocolSpec, o: WireOptions): Promise<WireProtocol> {
  if (spec.kind === 'chat-v1') return chatV1Wire(o);
  if (spec.kind === 'described') return describedWire(spec.description, o);
  return moduleWire(await loadProtocolModule(spec.path), spec.name, o);
}
