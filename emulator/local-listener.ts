import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP endpoint of the emulator, listening: its URL, and how to close it (open keep-alive sockets included). */
export interface LocalEndpoint {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
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
