import type { IncomingMessage } from 'node:http';

/** The errors an endpoint answers a bad body with, in its own API's shape. */
export interface JsonBodyErrors {
  tooLarge: () => Error;
  notJson: () => Error;
}

/** A request's body as text, at most `maxBytes` (past that the request is destroyed and `tooLarge()` rejects). */
export function readBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A request's body as bytes, or undefined past `maxBytes`: read to its end either way (what
 * follows the bound is dropped, not kept), so the endpoint can still answer 413 on the connection.
 */
export function readBoundedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Reads a request's JSON body, at most `maxBytes` (past that the request is destroyed): an empty
 * body reads as `{}`, as AWS's JSON and REST-JSON APIs take it.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number, errors: JsonBodyErrors): Promise<unknown> {
  const text = await readBody(req, maxBytes, errors.tooLarge);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw errors.notJson();
  }
}
