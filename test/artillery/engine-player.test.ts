import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Player } from '../../artillery/engine/src/player.ts';

// A worker whose share has more clients than its process may open files would see its connects
// fail with EMFILE, and the report would blame the stack: the engine refuses it before connecting.

function openFilesLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

describe('the engine\'s player', () => {
  it('refuses a share bigger than its process may open files, before any connect', async (ctx) => {
    const limit = openFilesLimit();
    if (limit === undefined || limit > 50_000) ctx.skip(`the open-files limit here is ${limit ?? 'unknown'}: too many clients to build for this check`);
    const counters = new Map<string, number>();
    const errors: string[] = [];
    const player = new Player(
      {
        version: 1,
        tokenIn: 'header',
        rooms: [limit! - 100],
        timeouts: { connectMs: 1000, ackMs: 1000, graceMs: 100, lossMs: 1000 },
        phases: [{ kind: 'connect', name: 'connect', rate: 100, maxInFlight: 10 }],
      },
      {
        // nothing listens here: a connect attempt would show as an error
        url: 'ws://127.0.0.1:1/none',
        emit: { counter: (n, v) => counters.set(n, (counters.get(n) ?? 0) + v), histogram: () => {}, error: (k) => errors.push(k) },
      },
    );
    const failure = await player.play();
    expect(failure).toBe(
      `this worker's share is ${limit! - 100} clients but its process may open ${limit} files: raise nofile (run-fargate: --launch-config with ulimits) or export with more --workers`,
    );
    expect(counters.get('fanout.connections.attempted')).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
