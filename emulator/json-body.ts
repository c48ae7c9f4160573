import type { IncomingMessage } from 'node:http';

/** The errors an endpoint answers a bad body with, in its own API's shape. */
export interface JsonBodyErrors {
  tooLarge: () => Error;
  notJson: () => Error;
}

/**
 * Reads a request's JSON body, at most `maxBytes` (past that the request is destroyed): an empty
 * body reads as `{}`, as AWS's JSON and REST-JSON APIs take it.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number, errors: JsonBodyErrors): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(errors.tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(errors.notJson());
      }
    });
    req.on('error', reject);
  });
}
