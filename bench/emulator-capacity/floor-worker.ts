/**
 * One thread of the floor benchmark (floor.ts): a bare stand-in for an execution environment. It
 * loads the reference connect, join-room and send-message handlers, as bundled code, says it is
 * ready, and calls the one it is told to, one event at a time, answering each with the handler's
 * result and this thread's CPU. Nothing of the Lambda runtime: no REPORT lines, no CPU-share model,
 * and the functions' log and EMF lines are dropped (the emulator carries them to CloudWatch Logs),
 * so what it costs is the handlers' own work and nothing the emulator adds.
 */
import { parentPort } from 'node:worker_threads';
import { handler as connect } from '../../reference-stack/functions/connect.ts';
import { handler as joinRoom } from '../../reference-stack/functions/join-room.ts';
import { handler as sendMessage } from '../../reference-stack/functions/send-message.ts';
import { threadCpuClock } from '../../emulator/lambda/environments/cpu-share.ts';

export type FloorRoute = 'connect' | 'joinRoom' | 'sendMessage';
export interface FloorRequest {
  id: number;
  route: FloorRoute;
  event: unknown;
}
export type FloorReply =
  | { t: 'ready'; cpuMs: number }
  | {
      t: 'done';
      id: number;
      /** The handler's status code, or 0 when it threw. */
      statusCode: number;
      /** The handler's response body, or the error's message. */
      body: string;
      /** This thread's CPU time so far, ms. */
      cpuMs: number;
    };

// Powertools writes through a Console bound to this stream; dropping the bytes here keeps their
// formatting (the function's own work) and leaves out their transport.
process.stdout.write = () => true;

const port = parentPort!;
const cpu = threadCpuClock() ?? (() => 0);
const handlers = { connect, joinRoom, sendMessage } as const;

port.on('message', async (m: FloorRequest) => {
  let reply: FloorReply;
  try {
    const result = await handlers[m.route](m.event as never);
    reply = { t: 'done', id: m.id, statusCode: result.statusCode ?? 200, body: result.body ?? '', cpuMs: cpu() };
  } catch (error) {
    reply = { t: 'done', id: m.id, statusCode: 0, body: String((error as Error)?.message ?? error), cpuMs: cpu() };
  }
  port.postMessage(reply);
});
port.postMessage({ t: 'ready', cpuMs: cpu() } satisfies FloorReply);
