import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP endpoint of the emulator, listening: its URL, and how to close it (open keep-alive sockets included). */
export interface LocalEndpoint {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** What answers a service's requests: its server's listener, which the edge also calls in process. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A service's endpoint and the handler behind it, so the edge (edge/server.ts) need not cross HTTP to reach it. */
export interface ServiceEndpoint extends LocalEndpoint {
  handle: RequestHandler;
}

/** Serves `handle` on host:port (0 = any free port). */
export async function serveLocal(handle: RequestHandler, host: string, port: number): Promise<ServiceEndpoint> {
  return { ...(await listenLocal(createServer(handle), host, port)), handle };
}

/** Listens on host:port (0 = any free port); a port in use rejects. */
export async function listenLocal(server: Server, host: string, port: number): Promise<LocalEndpoint> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
