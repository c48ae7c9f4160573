import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The HTTP side of the emulator's own records on the gateway's listener (gone-connections.ts,
 * unserved-calls.ts): no AWS API, so one small reading of `?since=` and one JSON answer for both.
 */

/** `?since=<epoch ms>`: undefined when absent; null when it is not a number. */
export function sinceOf(req: IncomingMessage): number | undefined | null {
  const raw = new URL(req.url ?? '/', 'http://local').searchParams.get('since');
  if (raw === null) return undefined;
  const since = Number(raw);
  return raw === '' || !Number.isFinite(since) ? null : since;
}

/** The record's answer: a JSON body, or none (`body` undefined, as for 204). */
export function answerRecord(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export const BAD_SINCE = { message: 'since: must be epoch milliseconds' } as const;
