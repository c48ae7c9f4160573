import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { runBenchmark } from '../../src/modes/run.ts';

/**
 * An unreachable target is refused before anything is written: not even the run's --out folder
 * is made. (How a UserError leaves the CLI, one line and exit 2, is run-cli.test.ts's bad
 * scenario file; the refusal's line is also fleet-minimal-server.test.ts's.)
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-unreachable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run against an unreachable target', () => {
  it('one UserError line, nothing written', async () => {
    const out = join(dir, 'unreachable');
    await expect(runBenchmark({ scenario: 'fanout', target: 'ws://127.0.0.1:1/x', outDir: out })).rejects.toThrow(
      new UserError('target ws://127.0.0.1:1/x unreachable: cannot connect (ECONNREFUSED)'),
    );
    expect(existsSync(out)).toBe(false);
  });
});
