import type { FunctionPool } from './function-pool.ts';
import type { ConcurrencyUser } from './concurrency.ts';

/**
 * One function as Lambda keeps it: `$LATEST`, the pool a configuration update changes, and its
 * published versions, each a pool of its own (a version's configuration is fixed when it is
 * published); its aliases, each naming a version. Concurrency is the function's as a whole:
 * reserved concurrency covers every version, and the scaling rate is one for all of them.
 */
export class LambdaFunction implements ConcurrencyUser {
  /** Invocations admitted and not finished, over all versions (concurrency.ts). */
  busy = 0;
  /** Published versions by number ("1", "2", …), in the order published. */
  readonly versions = new Map<string, FunctionPool>();
  /** Alias → the version it names. */
  readonly aliases = new Map<string, string>();

  constructor(readonly latest: FunctionPool) {}

  get name(): string {
    return this.latest.config.name;
  }

  get reservedConcurrency(): number | undefined {
    return this.latest.config.reservedConcurrency;
  }

  /** Provisioned environments the function holds, over all its versions: the account's pool is smaller by these. */
  get provisionedRequested(): number {
    let n = 0;
    for (const pool of this.versions.values()) n += pool.provisioned?.requested ?? 0;
    return n;
  }

  pools(): FunctionPool[] {
    return [this.latest, ...this.versions.values()];
  }

  /** The version a qualifier names (absent or `$LATEST`: the function's own; a number; an alias), or undefined. */
  resolve(qualifier?: string): FunctionPool | undefined {
    if (qualifier === undefined || qualifier === '$LATEST') return this.latest;
    return this.versions.get(this.aliases.get(qualifier) ?? qualifier);
  }

  /** Add a published version's pool: its number is one more than the last published. */
  publish(make: (version: string) => FunctionPool): FunctionPool {
    const pool = make(String(++this.lastVersion));
    this.versions.set(pool.version, pool);
    return pool;
  }

  private lastVersion = 0;
}
