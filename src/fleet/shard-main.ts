import { Shard } from './shard.ts';
import { wireFor } from './protocols/wire-for.ts';
import type { FromShard, ToShard } from './shard-link.ts';

/**
 * Entry of a shard child process (forked by fleet.ts through shard-bootstrap.js). It owns one
 * Shard and does what the parent says; it exits when told to close or when the parent goes away.
 */
let shard: Shard | undefined;
let shardIndex = -1;

function send(m: FromShard): void {
  if (process.connected) process.send!(m);
}

function fatal(err: unknown): void {
  send({ type: 'fatal', shard: shardIndex, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  setTimeout(() => process.exit(1), 100).unref();
}

// The terminal's Ctrl-C reaches the whole process group, and so does `timeout`'s SIGTERM: the
// parent decides what happens (it writes what was measured, so the shards must outlive the signal).
process.on('SIGINT', () => shard?.stop());
process.on('SIGTERM', () => shard?.stop());
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

process.on('message', (m: ToShard) => {
  switch (m.type) {
    case 'init': {
      shardIndex = m.init.shard;
      const init = m.init;
      // a module protocol is imported here, in every shard (the parent checked it before forking)
      wireFor(init.protocol, { url: init.targetUrl, token: init.token, askColdFlag: init.connectColdFlag, run: init.runId ?? '' }).then((wire) => {
        shard = new Shard(init, wire);
        send({ type: 'ready', shard: shardIndex });
      }, fatal);
      return;
    }
    case 'phase':
      shard!.runPhase(m.phase).then(
        () => send({ type: 'phaseDone', shard: shardIndex, step: m.step, members: shard!.membersByRoom() }),
        fatal,
      );
      return;
    case 'flush':
      // after the rest of this turn's reads: a shard the host held back reads what its sockets
      // received meanwhile before it reports, or an ack could be reported without the deliveries
      // that came with it, and a busy host would count them lost
      setImmediate(() => send({ type: 'report', report: shard!.report(m.seq) }));
      return;
    case 'missing':
      send({ type: 'missing', answer: shard!.missing(m.query) });
      return;
    case 'stop':
      shard?.stop();
      return;
    case 'close':
      void (shard?.close() ?? Promise.resolve()).then(() => {
        process.disconnect();
        process.exit(0);
      }, fatal);
      return;
  }
});
