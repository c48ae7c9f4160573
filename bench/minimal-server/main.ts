import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { attachChatNode } from './chat-node.ts';
import { ClusterHub, runPrimary } from './cluster.ts';
import { startMinimalServer } from './server.ts';

/**
 * `node bench/minimal-server/bootstrap.js [--port 0] [--host 127.0.0.1] [--workers N]
 *  [--lost-disconnect-share X] [--create-on-join]` prints one JSON ready line {"ready":true,"websocketUrl":…}
 * and serves until SIGTERM/SIGINT.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    workers: { type: 'string', default: '1' },
    'lost-disconnect-share': { type: 'string', default: '0' },
    'create-on-join': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const host = values.host!;
const workers = Math.max(1, Number(values.workers));
const lostDisconnectShare = Number(values['lost-disconnect-share']);
const createOnJoin = values['create-on-join'];
const ready = (p: number) => process.stdout.write(`${JSON.stringify({ ready: true, websocketUrl: `ws://${host}:${p}/`, workers })}\n`);

if (cluster.isWorker) {
  const wss = new WebSocketServer({ host, port, perMessageDeflate: false, clientTracking: false, maxPayload: 128 * 1024 });
  attachChatNode(wss, new ClusterHub(), { lostDisconnectShare, createOnJoin, idPrefix: `w${cluster.worker!.id}-` });
} else if (workers > 1) {
  const exec = fileURLToPath(new URL('./bootstrap.js', import.meta.url));
  runPrimary(exec, workers, process.argv.slice(2), ready);
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const server = await startMinimalServer({ host, port, lostDisconnectShare, createOnJoin });
  ready(Number(new URL(server.url).port));
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
