/**
 * The floor benchmark's clients (floor.ts): one thread holding a WebSocket per room member, as a
 * harness shard would. Each frame is parsed and its latency taken from the intended send time in
 * its payload, into an HDR histogram the thread hands back when asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { encodeHistogram, newHistogram } from '../../src/metrics/measurement/histogram.ts';

export interface ReceiversInit {
  /** ws://127.0.0.1:P/ of floor.ts's endpoint */
  url: string;
  ids: string[];
}
export type ToReceivers = { t: 'collect' };
export type FromReceivers = { t: 'open' } | { t: 'collected'; received: number; histogram: string | null };

const { url, ids } = workerData as ReceiversInit;
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();
let latency = newHistogram();
let received = 0;

let opened = 0;
for (const id of ids) {
  const ws = new WebSocket(`${url}?id=${encodeURIComponent(id)}`);
  ws.on('open', () => {
    if (++opened === ids.length) port.postMessage({ t: 'open' } satisfies FromReceivers);
  });
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { payload?: { t?: number } };
    received++;
    if (typeof frame.payload?.t === 'number') latency.recordValue(Math.max(1, Math.round((now() - frame.payload.t) * 1000)));
  });
  ws.on('error', (err) => {
    throw err;
  });
}

port.on('message', (m: ToReceivers) => {
  if (m.t !== 'collect') return;
  port.postMessage({ t: 'collected', received, histogram: encodeHistogram(latency) } satisfies FromReceivers);
  latency.destroy();
  latency = newHistogram();
  received = 0;
});
