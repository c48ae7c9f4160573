import { readSecret } from '../../common/auth-token.ts';
import type { PublishHeaderValue } from '../contracts/publish-phase.ts';

/**
 * A publish phase's `headers` as each request carries them, read before load: a value as written,
 * an environment variable's or a file's, its prefix before it. A variable unset or a file
 * unreadable refuses the run in one line naming the header's field (`field`.`name`) and where the
 * value was to come from; values are never printed.
 */
export function publishHeaders(headers: Readonly<Record<string, PublishHeaderValue>>, field: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = typeof value === 'string' ? value : `${value.prefix ?? ''}${readSecret(value, `${field}.${name}`, env)}`;
  }
  return out;
}
