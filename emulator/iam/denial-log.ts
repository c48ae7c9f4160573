import { LOCAL_IAM_DENIALS_LOG_GROUP, type DeniedCallLine, type ForeignApiPostLine, type IamDenialsLine } from '../../common/local-iam-denials.ts';
import type { LogSink } from '../cloudwatch/types.ts';
import type { AccessRecord } from './access-ledger.ts';

/**
 * Every call IAM refused a function, written where the harness reads the emulator's facts: its
 * own log group (common/local-iam-denials.ts), one JSON line per function, action, resource and
 * decision each time its count grew. The counts are the access ledger's (this thread's gate and
 * DynamoDB's thread, joined: `ledger`), read when this thread's gate refuses a call (`soon`) and
 * every `pollMs` (DynamoDB's refusals are counted in its own thread), so a run's last denials are
 * in the group before the harness's settle wait is over. Also the posts a function made to an API
 * that is not the stack's (`foreignPost`), counted here.
 */
export interface DenialLogOptions {
  /** how often the joined ledger is read (DynamoDB's thread says nothing of its denials) */
  pollMs?: number;
  /** how soon after a refusal in this thread its line is written */
  soonMs?: number;
}

const STREAM = 'iam';

export class DenialLog {
  private readonly written = new Map<string, number>();
  private readonly foreign = new Map<string, ForeignApiPostLine & { written: number }>();
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly ledger: () => Promise<AccessRecord[]>,
    private readonly logs: LogSink,
    private readonly enforced: boolean,
    private readonly options: DenialLogOptions = {},
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.flush(), this.options.pollMs ?? 250);
    this.timer.unref();
    return this;
  }

  /** A call was just refused in this thread: its line goes out within `soonMs`. */
  soon(): void {
    if (this.soonTimer || this.closed) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      void this.flush();
    }, this.options.soonMs ?? 50);
    this.soonTimer.unref();
  }

  /** A function (null: a caller the emulator cannot name) posted to `endpoint`, an API the stack does not have. */
  foreignPost(fn: string | null, endpoint: string, apiId: string, stackApiId: string): void {
    const key = `${fn ?? ''}\u0000${endpoint}`;
    const seen = this.foreign.get(key);
    if (seen) seen.count++;
    else this.foreign.set(key, { kind: 'foreign-api', function: fn, endpoint, apiId, stackApiId, count: 1, written: 0 });
    this.soon();
  }

  /** Writes what grew since the last lines; one flush at a time, another after it when asked meanwhile. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.again = false;
          this.write(await this.ledger());
        } while (this.again);
      } catch {
        // the ledger unreadable (DynamoDB's thread closing): the next poll reads it again
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** The last lines, then no more. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
    await this.flush();
    this.closed = true;
  }

  private write(records: readonly AccessRecord[]): void {
    const timestamp = Date.now();
    const append = (line: IamDenialsLine) => this.logs.append(LOCAL_IAM_DENIALS_LOG_GROUP, STREAM, { timestamp, message: JSON.stringify(line) });
    for (const r of records) {
      if (r.decision === 'allowed') continue;
      const key = `${r.function}\u0000${r.action}\u0000${r.resource}\u0000${r.decision}`;
      const grown = r.count - (this.written.get(key) ?? 0);
      if (grown <= 0) continue;
      this.written.set(key, r.count);
      const line: DeniedCallLine = { kind: 'denied', function: r.function, role: r.role, action: r.action, resource: r.resource, decision: r.decision, enforced: this.enforced, count: grown };
      append(line);
    }
    for (const f of this.foreign.values()) {
      const grown = f.count - f.written;
      if (grown <= 0) continue;
      f.written = f.count;
      const { written: _written, ...line } = f;
      append({ ...line, count: grown });
    }
  }
}
