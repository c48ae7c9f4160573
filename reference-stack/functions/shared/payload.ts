import type { RouteResult } from './events.ts';
import { config, MAX_PAYLOAD_BYTES_ENV } from './env.ts';
import { fail } from './respond.ts';

export type SerializedPayload = { ok: true; json: string } | { ok: false; response: RouteResult };

/**
 * Serializes a payload once (the frames reuse this text) and enforces MAX_PAYLOAD_BYTES on it:
 * PAYLOAD_TOO_LARGE rather than a post API Gateway would refuse for every recipient.
 */
export function serializePayload(payload: unknown, action: string): SerializedPayload {
  const json = JSON.stringify(payload);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > config.maxPayloadBytes) {
    return {
      ok: false,
      response: fail(
        'PAYLOAD_TOO_LARGE',
        `payload is ${bytes} bytes as JSON; the limit is ${config.maxPayloadBytes} (${MAX_PAYLOAD_BYTES_ENV})`,
        action,
      ),
    };
  }
  return { ok: true, json };
}
