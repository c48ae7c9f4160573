import type { ProtocolSpec } from '../contracts/protocol-schema.ts';
import type { ConnectToken } from '../fleet/protocols/connect-token.ts';
import { wireFor } from '../fleet/protocols/wire-for.ts';
import type { ProbeHandshake } from '../targets/remote.ts';
import { roomPrefix } from './room-names.ts';

/**
 * How a protocol's client shakes hands, for the probe of a deployed target: a stack that needs
 * its protocol's connect query or headers (`?room=`) refuses a bare handshake. The probe is a
 * client of the run's probe room, as the protocol's first probe is.
 */
export function protocolHandshake(spec: ProtocolSpec, o: { token?: ConnectToken; runId: string }): ProbeHandshake {
  return async (url) => (await wireFor(spec, { url, token: o.token, askColdFlag: false, run: o.runId })).handshake(`${roomPrefix(o.runId)}probe`, 0);
}
