import { constants } from 'node:os';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import { UserError } from '../../common/errors.ts';
import { readFunctionConfigs } from './function-configuration.ts';
import { setMemorySize } from './memory-update.ts';

/**
 * Changing functions' memory sizes for a while (compare), and always putting them back: the
 * sizes found at the start are restored by `restore()`, which the caller runs in a `finally`,
 * and by the session itself on SIGINT/SIGTERM. If the process ends with sizes still changed
 * (a second Ctrl-C, a crash), one line on stderr names them and their original sizes.
 *
 *   const session = await memorySession(lambda, ['fanout-send-message']);
 *   try { await session.set({ 'fanout-send-message': 512 }); … } finally { await session.restore(); }
 */

export interface MemorySessionOptions {
  /** Longest wait for one function's update to take effect, seconds (default 120). */
  maxWaitSeconds?: number;
  /** Restore on SIGINT/SIGTERM (default true); see `MemorySession.restore`. */
  restoreOnSignal?: boolean;
  /** Where the session tells what it does on a signal or at exit (default stderr). */
  log?: (line: string) => void;
}

export interface MemorySession {
  readonly functions: readonly string[];
  /** Each function's memory size when the session began, MB. */
  readonly original: Readonly<Record<string, number>>;
  /** Each function's size as last confirmed, MB; undefined while (or after failing) to change it. */
  current(): Record<string, number | undefined>;
  /**
   * Set these functions' sizes (others keep theirs), each confirmed `Successful` before this
   * resolves. A failure is one line naming the function (UserError).
   */
  set(sizes: Readonly<Record<string, number>>): Promise<void>;
  /**
   * Put back every size this session changed. Idempotent: later calls share the first one's
   * outcome; after a failure, a later call tries again. Stops waiting for a `set` under way.
   */
  restore(): Promise<void>;
}

/** Updates sent at once: Lambda's control plane allows about 15 requests per second. */
const UPDATES_AT_ONCE = 4;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export async function memorySession(client: LambdaClient, functions: readonly string[], options: MemorySessionOptions = {}): Promise<MemorySession> {
  if (functions.length === 0) throw new Error('memorySession: no functions');
  const names = [...new Set(functions)];
  const configs = await readFunctionConfigs(client, names);
  const original = Object.fromEntries(configs.map((c, i) => [names[i], c.memoryMB]));
  return new Session(client, names, original, options);
}

class Session implements MemorySession {
  private readonly confirmed = new Map<string, number | undefined>();
  private readonly touched = new Set<string>();
  private readonly waits = new AbortController();
  private readonly log: (line: string) => void;
  private setting: Promise<void> | undefined;
  private restoring: Promise<void> | undefined;
  private restored = false;
  private signalled = false;
  private readonly onSignal = (sig: NodeJS.Signals) => this.interrupted(sig);
  private readonly onExit = () => this.warnIfChanged();

  constructor(
    private readonly client: LambdaClient,
    readonly functions: readonly string[],
    readonly original: Readonly<Record<string, number>>,
    private readonly options: MemorySessionOptions,
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    for (const fn of functions) this.confirmed.set(fn, original[fn]);
    if (options.restoreOnSignal !== false) for (const s of SIGNALS) process.on(s, this.onSignal);
    process.on('exit', this.onExit);
  }

  current(): Record<string, number | undefined> {
    return Object.fromEntries(this.confirmed);
  }

  async set(sizes: Readonly<Record<string, number>>): Promise<void> {
    if (this.restoring || this.restored) throw new Error('memory session: set() after restore()');
    const unknown = Object.keys(sizes).filter((fn) => !this.confirmed.has(fn));
    if (unknown.length > 0) throw new Error(`memory session: ${unknown.join(', ')} not among its functions (${this.functions.join(', ')})`);
    await this.setting?.catch(() => {});
    const run = this.apply(Object.entries(sizes), this.waits.signal);
    this.setting = run;
    try {
      await run;
    } finally {
      if (this.setting === run) this.setting = undefined;
    }
  }

  restore(): Promise<void> {
    if (this.restored) return Promise.resolve();
    this.restoring ??= this.putBack().then(
      () => {
        this.restored = true;
        this.unhook();
      },
      (err: unknown) => {
        this.restoring = undefined;
        throw err;
      },
    );
    return this.restoring;
  }

  private async putBack(): Promise<void> {
    this.waits.abort(); // a set() under way stops waiting; its updates are left to finish
    await this.setting?.catch(() => {});
    const back = [...this.touched].map((fn) => [fn, this.original[fn]] as [string, number]);
    await this.apply(back, undefined, 'could not restore the original memory size of');
  }

  /** Update the functions whose confirmed size differs; the first failure (and how many) thrown. */
  private async apply(sizes: Array<[string, number]>, signal: AbortSignal | undefined, failure?: string): Promise<void> {
    const limit = pLimit(UPDATES_AT_ONCE);
    const todo = sizes.filter(([fn, mb]) => this.confirmed.get(fn) !== mb);
    const settled = await Promise.allSettled(
      todo.map(([fn, mb]) =>
        limit(async () => {
          this.touched.add(fn);
          this.confirmed.set(fn, undefined); // unknown until the update is confirmed
          await setMemorySize(this.client, fn, mb, { maxWaitSeconds: this.options.maxWaitSeconds, ...(signal ? { signal } : {}) });
          this.confirmed.set(fn, mb);
        }),
      ),
    );
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ fn: todo[i][0], mb: todo[i][1], err: s.reason as Error }] : []));
    if (failed.length === 0) return;
    const first = failed[0];
    const more = failed.length > 1 ? ` (and ${failed.slice(1).map((f) => `${f.fn} (${f.mb} MB)`).join(', ')})` : '';
    const said = first.err instanceof Error ? first.err.message : String(first.err);
    const message = failure ? `${failure} ${first.fn} (${first.mb} MB): ${said}${more}` : `${said}${more}`;
    throw new UserError(message, first.err instanceof UserError ? first.err.exitCode : 1);
  }

  /**
   * SIGINT/SIGTERM: restore. When nothing else listens for the signal, the process was to end
   * by it: after restoring, it does (the signal raised again, so its exit status says so), and
   * a second signal meanwhile quits at once. Otherwise the caller handles the interrupt and
   * finds the restore under way when it calls `restore()`.
   */
  private interrupted(sig: NodeJS.Signals): void {
    const alone = process.listenerCount(sig) === 1;
    if (this.signalled && alone) process.exit(128 + (constants.signals[sig] ?? 0));
    this.signalled = true;
    const changed = this.changed();
    if (changed.length > 0) this.log(`fanout-bench: ${sig}: restoring the original Lambda memory sizes (${describe(changed, this.original)})`);
    void this.restore()
      .catch((err: unknown) => this.log(`fanout-bench: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        if (!alone) return;
        this.unhook();
        process.kill(process.pid, sig);
      });
  }

  private changed(): string[] {
    return [...this.touched].filter((fn) => this.confirmed.get(fn) !== this.original[fn]);
  }

  private warnIfChanged(): void {
    const changed = this.changed();
    if (changed.length === 0) return;
    const [fn] = changed;
    this.log(
      `fanout-bench: Lambda memory sizes NOT restored: ${describe(changed, this.original)}; ` +
        `e.g. aws lambda update-function-configuration --function-name ${fn} --memory-size ${this.original[fn]}`,
    );
  }

  private unhook(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
    process.off('exit', this.onExit);
  }
}

function describe(functions: string[], original: Readonly<Record<string, number>>): string {
  return functions.map((fn) => `${fn} ${original[fn]} MB`).join(', ');
}
