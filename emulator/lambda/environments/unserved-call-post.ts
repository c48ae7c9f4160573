import { request } from 'node:http';
import type { UnservedRequest } from '../../../common/unserved-calls.ts';
import { UNSERVED_CALLS_KEY } from '../runtimes/aws-endpoint-redirect.ts';

/**
 * An environment's refused call to an AWS endpoint the emulator does not serve, posted from the
 * main thread to the emulator's record (`POST /@emulator/unserved-calls` on the gateway's
 * listener, named by `services[UNSERVED_CALLS_KEY]`): a runtime without one (a test's) keeps none.
 * Resolves once the record has answered (or could not be reached, or did not answer within
 * POST_LIMIT_MS): the environment answers its invocation after that, so a call made in an
 * invocation is in the record once the invocation is answered. Never rejects: the record is the
 * emulator's, not the function's.
 */
const POST_LIMIT_MS = 2_000;

export function postUnservedCall(services: Readonly<Record<string, string>>, call: UnservedRequest): Promise<void> {
  const url = services[UNSERVED_CALLS_KEY];
  if (url === undefined) return Promise.resolve();
  const body = JSON.stringify(call);
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', timeout: POST_LIMIT_MS, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end(body);
  });
}
