import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { attachChatNode } from './chat-node.ts';
import { LocalHub } from './hub.ts';

/**
 * The minimal fan-out server, two ways: in this process (one core, up to ~19,000 sockets), or as
 * a child process with several cluster workers behind one port (more cores, more sockets).
 */
export interface MinimalServerOptions {
  host?: string;
  /** 0 = a free port */
  port?: number;
  lostDisconnectShare?: number;
  createOnJoin?: boolean;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function startMinimalServer(opts: MinimalServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host, port: opts.port ?? 0, perMessageDeflate: false, clientTracking: true, maxPayload: 128 * 1024 });
    wss.once('error', reject);
    wss.once('listening', () => {
      const { port } = wss.address() as { port: number };
      attachChatNode(wss, new LocalHub(), { lostDisconnectShare: opts.lostDisconnectShare, createOnJoin: opts.createOnJoin });
      resolve({
        url: `ws://${host}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            for (const ws of wss.clients) ws.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}

const BOOTSTRAP = fileURLToPath(new URL('./bootstrap.js', import.meta.url));

/** Starts `node bench/minimal-server/bootstrap.js` with `workers` cluster workers; resolves on its ready line. */
export function spawnMinimalServer(opts: MinimalServerOptions & { workers: number }): Promise<RunningServer> {
  const args = [BOOTSTRAP, '--workers', String(opts.workers), '--port', String(opts.port ?? 0), '--host', opts.host ?? '127.0.0.1'];
  if (opts.lostDisconnectShare) args.push('--lost-disconnect-share', String(opts.lostDisconnectShare));
  if (opts.createOnJoin) args.push('--create-on-join');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('minimal server did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`minimal server exited (code ${code})`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const ready = JSON.parse(line) as { websocketUrl: string };
      resolve({
        url: ready.websocketUrl,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
