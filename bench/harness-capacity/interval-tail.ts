import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { INTERVALS_FILE } from '../../src/metrics/results/run-dir.ts';
import type { IntervalRecord } from '../../src/contracts/results-schema.ts';

/**
 * Follows a running harness's intervals.ndjson (one line per interval, appended as the run goes)
 * so the benchmark can react during a run. `outDir` is the run's --out directory, which holds
 * nothing but this one run's directory.
 */
export class IntervalTail {
  private file: string | undefined;
  private offset = 0;
  private partial = '';

  constructor(private readonly outDir: string) {}

  /** Records appended since the previous call. */
  poll(): IntervalRecord[] {
    if (!this.file) {
      const run = existsSync(this.outDir) ? readdirSync(this.outDir).find((d) => existsSync(join(this.outDir, d, INTERVALS_FILE))) : undefined;
      if (!run) return [];
      this.file = join(this.outDir, run, INTERVALS_FILE);
    }
    const fd = openSync(this.file, 'r');
    const chunks: Buffer[] = [];
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        chunks.push(Buffer.from(buf.subarray(0, n)));
        this.offset += n;
      }
    } finally {
      closeSync(fd);
    }
    const text = this.partial + Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as IntervalRecord);
  }
}
