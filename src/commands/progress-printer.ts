import type { IntervalRecord } from '../contracts/results-schema.ts';
import { progressLine, type ProgressContext } from '../report/run/progress-line.ts';

/** Without a terminal, one progress line in this many intervals (and at every phase change). */
const PLAIN_PROGRESS_EVERY = 5;

/**
 * What a measuring command prints on stderr while it works: the progress line (rewritten in
 * place on a terminal, every few intervals otherwise), warnings and status notes, each on a line
 * of its own even while a progress line is open.
 */
export interface ProgressPrinter {
  onInterval: (record: IntervalRecord, ctx: ProgressContext) => void;
  onWarning: (message: string) => void;
  onStatus: (message: string) => void;
  /** closes an open progress line */
  end(): void;
}

export function progressPrinter(opts: { progress: boolean; tty: boolean }): ProgressPrinter {
  let count = 0;
  let lastPhase = '';
  let lineOpen = false;
  const say = (text: string) => {
    process.stderr.write(`${lineOpen ? '\n' : ''}fanout-bench: ${text}\n`);
    lineOpen = false;
  };
  return {
    onWarning: (m) => say(`warning: ${m}`),
    onStatus: (m) => say(m),
    onInterval: (record, ctx) => {
      if (!opts.progress) return;
      const line = progressLine(record, ctx);
      count++;
      if (opts.tty) {
        process.stderr.write(`\r\x1b[K${line}`);
        lineOpen = true;
      } else if (count % PLAIN_PROGRESS_EVERY === 0 || record.phase !== lastPhase) {
        process.stderr.write(`${line}\n`);
      }
      lastPhase = record.phase;
    },
    end: () => {
      if (lineOpen) process.stderr.write('\n');
      lineOpen = false;
    },
  };
}
