import { format } from 'node:util';

/**
 * What the Lambda Node.js runtime does to `console` (text log format): every call becomes one
 * line `<ISO time>\t<request id>\t<LEVEL>\t<message>`, with newlines inside the message turned
 * into carriage returns so a multi-line message stays one log event. Before the first
 * invocation (INIT) the request id is "undefined", as on Lambda. Libraries that write to
 * process.stdout directly (Powertools Logger and Metrics do) are not prefixed.
 */
const LEVELS = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
] as const;

export function installLambdaConsole(requestId: () => string | undefined, write: (text: string) => void): void {
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of LEVELS) {
    target[method] = (...args: unknown[]) => {
      write(`${new Date().toISOString()}\t${requestId() ?? 'undefined'}\t${level}\t${format(...args).replace(/\n/g, '\r')}\n`);
    };
  }
}
