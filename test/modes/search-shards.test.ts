import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/fleet/host-facts.ts';
import { largestStepInput, type SearchOptions } from '../../src/modes/search.ts';
import { checkRunInput } from '../../src/session/run-input.ts';

/**
 * A search runs every step on the shards its largest step (`--to`) plans for, so that steps differ
 * in load only and the top steps do not saturate one shard: 1 up to 30,000 deliveries/s, one per
 * core past it, or --shards as given.
 */
const GiB = 1024 ** 3;
const HOST: HostFacts = { cores: 2, availableMemoryBytes: 22 * GiB, totalMemoryBytes: 24 * GiB, openFilesPerProcess: 20_000, localPorts: 28_232 };
const dir = mkdtempSync(join(tmpdir(), 'fb-search-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 1,000 clients in 10 rooms of 100: a message is 100 deliveries
const file = join(dir, 'rooms.yaml');
writeFileSync(file, `name: rooms
clients: 1000
rooms: 10
phases:
  - connect: { rate: 500 }
  - join: { rate: 500 }
  - send: { duration: 2s, rate: 10 }
`);
const base = checkRunInput({ scenario: file, target: 'ws://127.0.0.1:9/' }, HOST).scenario;
const options = (o: Partial<SearchOptions>): SearchOptions => ({ scenario: file, target: 'ws://127.0.0.1:9/', vary: 'rate', slos: [], holdMs: 2000, ...o });
const perCore = Math.min(2, availableParallelism());

describe('the shards of a search', () => {
  it('follow the largest step over rate: 200 messages/s (20,000 deliveries/s) one, 400 (40,000/s) one per core', () => {
    expect(largestStepInput(options({}), base, 200, HOST).shards).toBe(1);
    expect(largestStepInput(options({}), base, 400, HOST).shards).toBe(perCore);
  });

  it('follow the largest step over clients and room size: its members at the scenario rate', () => {
    // at 100 messages/s: 3,000 clients (300 per room) 30,000/s, 4,000 (400 per room) 40,000/s
    expect(largestStepInput(options({ vary: 'clients', rate: 100 }), base, 3000, HOST).shards).toBe(1);
    expect(largestStepInput(options({ vary: 'clients', rate: 100 }), base, 4000, HOST).shards).toBe(perCore);
    expect(largestStepInput(options({ vary: 'room-size', rate: 100 }), base, 400, HOST).shards).toBe(perCore);
  });

  it('are --shards when given, and the largest fleet is checked against the host', () => {
    expect(largestStepInput(options({ shards: 1 }), base, 400, HOST).shards).toBe(1);
    // the schema's limit on clients, named by the flag that set the largest step
    expect(() => largestStepInput(options({ vary: 'clients' }), base, 2_000_000, HOST)).toThrow(/^--to: must be an integer from 1 to 1000000, got "2000000"$/);
    // the host's: more clients than its shards can hold
    expect(() => largestStepInput(options({ vary: 'clients' }), base, 1_000_000, { ...HOST, cores: 1 })).toThrow(/^--to: 1000000 clients need \d+ shard processes/);
  });
});
