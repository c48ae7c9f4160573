import { EventEmitter } from 'node:events';
import { errorAnswer, type CallAnswer, type CallHeaders } from './call-answer.ts';

/**
 * Calls dynalite's HTTP request handler in the same thread without a socket: the metering front
 * already parsed the request, and a second HTTP hop would cost as much CPU again. dynalite's
 * handler only reads the request's headers, method, url and body events, and answers with
 * setHeader / statusCode / end — the plain (req, res) listener contract of an http.Server.
 */
export type RequestListener = (req: unknown, res: unknown) => void;

export function inProcessCall(handler: RequestListener, headers: CallHeaders, body: string): Promise<CallAnswer> {
  return new Promise((resolve) => {
    const req = Object.assign(new EventEmitter(), { headers, method: 'POST', url: '/' });
    const answerHeaders: Record<string, string> = {};
    const res = {
      statusCode: 200,
      contentType: undefined as string | undefined,
      setHeader(name: string, value: unknown) {
        answerHeaders[name.toLowerCase()] = String(value);
      },
      end(chunk?: string | Buffer) {
        resolve({ status: res.statusCode, headers: answerHeaders, body: chunk === undefined ? '' : String(chunk) });
      },
    };
    try {
      handler(req, res);
      req.emit('data', Buffer.from(body, 'utf8'));
      req.emit('end');
    } catch (err) {
      resolve(errorAnswer(500, 'InternalServerError', String((err as Error)?.message ?? err)));
    }
  });
}
