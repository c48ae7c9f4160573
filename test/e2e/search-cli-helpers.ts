import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from '../../src/contracts/results-schema.ts';
import { Search } from '../../src/analyses/search/search-schema.ts';
import { runCli, type CliResult } from './cli.ts';

/** What the search-cli and search-limit-* files share: the emulator's scenario, running and reading a search. */

/**
 * The emulator's scenario: by default 4 clients in one room of 4 (each message fans out to 4
 * posts); a lost delivery is declared after 2 s. Four clients, not more: every run of a step (its
 * warm-up and its measurement) connects, joins and disconnects each of them, and their concurrent
 * connects are environments to INIT, all CPU that shows in no limit a search here is about. A
 * limit measured with more clients keeps them (`clients`, `rooms`: the same rooms of 4); one
 * searched under a throttle that counts connects and joins too slows them (`connectRate`, `joinRate`).
 */
export function emulatorScenario(o: { clients?: number; rooms?: number; connectRate?: number; joinRate?: number } = {}): string {
  return `clients: ${o.clients ?? 4}
rooms: ${o.rooms ?? 1}
seed: 5
timeouts: { loss: 2s }
phases:
  - connect: { rate: ${o.connectRate ?? 40} }
  - join: { rate: ${o.joinRate ?? 40} }
  - send: { duration: 2s, rate: 5 }
`;
}

/** `fanout-bench search …` without progress, and without a warm-up unless the args give one. */
export function search(args: string[], timeoutMs = 240_000): Promise<CliResult> {
  return runCli(['search', ...args, '--no-progress', ...(args.includes('--warm-up') ? [] : ['--warm-up', '0s'])], { timeoutMs });
}

export function stepResults(out: string, s: Search, stepDir: string): Results {
  return JSON.parse(readFileSync(join(out, s.searchId, stepDir, 'results.json'), 'utf8')) as Results;
}

export function readSearch(out: string): Search {
  const [id] = readdirSync(out).filter((d) => d.includes('search-'));
  return Search.parse(JSON.parse(readFileSync(join(out, id!, 'search.json'), 'utf8')));
}
