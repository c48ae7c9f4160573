import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS as LAMBDA_DEFAULTS } from '../../emulator/lambda/options.ts';
import { UserError } from '../../common/errors.ts';
import { estimatedMemoryMB, fleetLimitIssue, localStackEnvironments } from '../../src/fleet/fleet-limits.ts';
import type { HostFacts } from '../../src/fleet/host-facts.ts';
import { hostFacts } from '../../src/fleet/host-facts.ts';
import { plannedLoad } from '../../src/scenarios/planned-load.ts';
import { clientsPerShard } from '../../src/contracts/harness-costs.ts';
import { chooseShards, CONNECTS_PER_SHARD, DELIVERIES_PER_SHARD } from '../../src/fleet/shard-count.ts';
import { runOptionsFromFlags, type RunFlags } from '../../src/commands/run.ts';
import { checkRunInput } from '../../src/session/run-input.ts';
import { parseTargetSpec } from '../../src/contracts/target-spec.ts';
import { stackLaunchOf, withKnobs } from '../../src/local-stack/stack-knobs.ts';
import type { RunOptions } from '../../src/modes/run.ts';

/** The run's input checks, before anything starts, against a described host (not this one). */
const dir = mkdtempSync(join(tmpdir(), 'fb-run-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GiB = 2 ** 30;
/** This project's machine: 2 cores, 20,000 open files, ports 32768-60999. */
const HOST: HostFacts = { cores: 2, availableMemoryBytes: 22 * GiB, totalMemoryBytes: 24 * GiB, openFilesPerProcess: 20_000, localPorts: 28_232 };

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function refusal(o: RunOptions, host: HostFacts = HOST): string {
  try {
    checkRunInput(o, host);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as Error).message.includes('\n')).toBe(false);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

const SCENARIO = (extra = '') => `name: s
clients: 100
rooms: 10
${extra}phases:
  - connect: { rate: 100 }
  - join: {}
  - send: { duration: 5s, rate: 10 }
`;

describe('the load a run asks for, against what the host holds', () => {
  it('refuses clients past the hard bound whatever the host', () => {
    const p = file('million.yaml', SCENARIO().replace('clients: 100', 'clients: 1000001'));
    expect(refusal({ scenario: p, ignoreHostLimits: true })).toBe(`${p}: clients: must be an integer from 1 to 1000000`);
  });

  it('too many shard processes for the cores: from the clients, or from --shards', () => {
    // 600,000 clients on 34 shards is the most measured on 2 cores; 700,000 needs 39
    expect(checkRunInput({ scenario: 'fanout', clients: 600_000, target: 'ws://127.0.0.1:9/' }, HOST).shards).toBe(34);
    expect(refusal({ scenario: 'fanout', clients: 700_000, target: 'wss://example.com/prod' })).toBe(
      '--clients: 700000 clients need 39 shard processes (18,000 clients each, as a process may open 20,000 files): 2 core(s) drive at most 34 shard processes (17 per core, the most measured to hold every client; each adds ~60 MB), so this host holds at most 612,000 clients (--ignore-host-limits runs it anyway)',
    );
    expect(refusal({ scenario: 'fanout', shards: 1000 })).toBe(
      '--shards: 1000: 2 core(s) drive at most 34 shard processes (17 per core, the most measured to hold every client; each adds ~60 MB) (--ignore-host-limits runs it anyway)',
    );
    // named by the scenario's field when the file asked for it
    const p = file('wide.yaml', SCENARIO().replace('clients: 100', 'clients: 650000'));
    expect(refusal({ scenario: p, target: 'wss://example.com/prod' })).toMatch(new RegExp(`^${escape(p)}: clients: 650000 clients need 37 shard processes`));
  });

  it('memory: the estimate against what is available', () => {
    const small: HostFacts = { ...HOST, cores: 16, availableMemoryBytes: 0.5 * GiB };
    // 100,000 clients: 370 MB of clients + 6 shards of 60 MB + the parent's 135 = 865 MB > 512 MB;
    // what 512 MB holds: (512 − 135) MB ÷ (3.7 MB per 1,000 + 60 MB per 18,000) = 53,601 clients
    expect(refusal({ scenario: 'fanout', clients: 100_000, target: 'ws://127.0.0.1:9/' }, small)).toBe(
      '--clients: 100000 clients need about 865 MB of memory for the harness (3.7 MB per 1,000 clients, 60 MB per shard process, 135 MB for the parent); this host has 512 MB available, enough for about 53,601 clients (--ignore-host-limits runs it anyway)',
    );
    // a local stack counts at its cap on Lambda environments: by default what 30 % of the host's memory holds
    // (the built-in fanout plans 200 deliveries/s: one shard)
    const tight: HostFacts = { ...HOST, availableMemoryBytes: 4 * GiB };
    expect(refusal({ scenario: 'fanout' }, tight)).toBe(
      'built-in scenario fanout: target.hostMaxEnvironments: a local stack at 230 Lambda environments (32 MB each) needs about 7.3 GB, with the harness 7.5 GB; this host has 4.0 GB available: set fewer (--ignore-host-limits runs it anyway)',
    );
    const p = file('few-envs.yaml', SCENARIO('target: { hostMaxEnvironments: 64 }\n'));
    expect(checkRunInput({ scenario: p }, tight).shards).toBe(1);
    expect(estimatedMemoryMB({ clients: 1000, shards: 1, localStack: true, hostMaxEnvironments: 48 }, HOST.totalMemoryBytes)).toBeCloseTo(135 + 60 + 3.7 + 150 + 48 * 32, 5);
    expect(estimatedMemoryMB({ clients: 1000, shards: 1, localStack: false }, HOST.totalMemoryBytes)).toBeCloseTo(135 + 60 + 3.7, 5);
    expect(localStackEnvironments(2 * GiB)).toBe(19);
    expect(localStackEnvironments(1 * GiB)).toBe(16);
    expect(localStackEnvironments(256 * GiB)).toBe(256);
    // the harness keeps its own copy of the emulator's default (it does not import the emulator): the same number
    expect(localStackEnvironments(totalmem())).toBe(LAMBDA_DEFAULTS.hostMaxEnvironments);
  });

  it('the local stack is one process: its open files bound the clients', () => {
    expect(refusal({ scenario: 'fanout', clients: 19_001 })).toBe(
      '--clients: 19001 clients: the local stack is one process, which may open 20,000 files (one per client socket): it holds at most 19,000 clients; run a bigger fleet against a deployed stack (--ignore-host-limits runs it anyway)',
    );
    expect(checkRunInput({ scenario: 'fanout', clients: 19_000 }, HOST).shards).toBe(2);
  });

  it('ports: one source address per target unless the target is a 127.x address', () => {
    expect(refusal({ scenario: 'fanout', clients: 30_000, target: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod' })).toBe(
      '--clients: 30000 connections to abc.execute-api.eu-west-1.amazonaws.com need 30,000 local ports, but one source address has 28,232 (net.ipv4.ip_local_port_range) (--ignore-host-limits runs it anyway)',
    );
    // against 127.x the clients spread over 127.0.0.1, .2, …
    expect(checkRunInput({ scenario: 'fanout', clients: 30_000, target: 'ws://127.0.0.1:9/' }, HOST).shards).toBe(2);
  });

  it('--ignore-host-limits runs past the estimate on purpose', () => {
    const input = checkRunInput({ scenario: 'fanout', clients: 200_000, target: 'wss://example.com/prod', ignoreHostLimits: true }, HOST);
    expect(input.shards).toBe(12);
    expect(fleetLimitIssue({ clients: 10, shards: 1, target: parseTargetSpec('local'), clientsField: 'clients', scenarioSource: 's.yaml' }, HOST)).toBeUndefined();
  });

  it('shards follow the open-files limit of the host', () => {
    expect(clientsPerShard(20_000)).toBe(18_000);
    expect(clientsPerShard(1_048_576)).toBe(18_000);
    expect(clientsPerShard(4_096)).toBe(2_096);
    expect(chooseShards(5_000, undefined, 4_096)).toBe(3);
    // this host's own facts are read (Linux: /proc)
    const here = hostFacts();
    expect(here.cores).toBeGreaterThan(0);
    expect(here.availableMemoryBytes).toBeGreaterThan(0);
    if (process.platform === 'linux') {
      expect(here.openFilesPerProcess).toBeGreaterThan(0);
      expect(here.localPorts).toBeGreaterThan(0);
    }
  });
});

describe('the default shards follow the planned load', () => {
  const cores = availableParallelism();

  it("a scenario's busiest send phase in deliveries/s, its fastest connect phase in connects/s", () => {
    // 2,000 clients in 20 rooms of 100, one sender per room: a message reaches 100 members
    const floor = file('floor.yaml', `name: floor
clients: 2000
rooms: 20
phases:
  - connect: { rate: 2000 }
  - join: { rate: 4000 }
  - send: { duration: 3s, rate: 100 }
  - send: { duration: 3s, rate: 200 }
`);
    expect(plannedLoad(checkRunInput({ scenario: floor, target: 'ws://127.0.0.1:9/' }, HOST).scenario)).toEqual({ deliveriesPerSec: 20_000, connectsPerSec: 2000 });
    // zipf sizes, a share of each room sending: every sender sends alike, so big rooms weigh by their senders
    const zipf = file('zipf.yaml', `name: zipf
clients: 30
rooms: 2
roomSizes: { distribution: zipf, exponent: 1 }
phases:
  - connect: {}
  - join: {}
  - send: { duration: 3s, rate: 10, senders: { share: 0.5 } }
`);
    const s = checkRunInput({ scenario: zipf, target: 'ws://127.0.0.1:9/' }, HOST).scenario;
    // sizes 20 and 10 (one each, then 28 spare split 2:1 ≈ 18.7 + 9.3), senders 10 and 5
    expect(plannedLoad(s)).toEqual({ deliveriesPerSec: (10 * (10 * 20 + 5 * 10)) / 15, connectsPerSec: 200 });
  });

  it('one shard up to what one keeps up with, one per core past it, more when the clients need the files', () => {
    const load = (deliveriesPerSec: number, connectsPerSec = 200) => ({ deliveriesPerSec, connectsPerSec });
    expect(chooseShards(2000, undefined, 20_000, load(20_000))).toBe(1);
    expect(chooseShards(2000, undefined, 20_000, load(DELIVERIES_PER_SHARD))).toBe(1);
    expect(chooseShards(2000, undefined, 20_000, load(DELIVERIES_PER_SHARD + 1))).toBe(Math.min(2, cores));
    expect(chooseShards(2000, undefined, 20_000, load(1000, CONNECTS_PER_SHARD + 1))).toBe(Math.min(2, cores));
    expect(chooseShards(2000, undefined, 20_000, load(10 * DELIVERIES_PER_SHARD))).toBe(Math.min(10, cores));
    expect(chooseShards(40_000, undefined, 20_000, load(100))).toBe(3);
    expect(chooseShards(2000, 2, 20_000, load(100))).toBe(2);
    // a scenario with no send phase at a slow connect rate: one shard
    expect(checkRunInput({ scenario: 'connect-storm', target: 'ws://127.0.0.1:9/' }, HOST).shards).toBe(1);
    expect(checkRunInput({ scenario: 'fanout', target: 'ws://127.0.0.1:9/', rate: 5000 }, HOST).shards).toBe(Math.min(2, cores));
  });
});

describe('ranges checked up front', () => {
  it('timeouts: ack 0 and connect 10 h are refused naming the field', () => {
    const p = file('ack0.yaml', SCENARIO('timeouts: { ack: 0 }\n'));
    expect(refusal({ scenario: p })).toBe(`${p}: timeouts.ack: must be from 100ms to 15m`);
    const q = file('connect10h.yaml', SCENARIO('timeouts: { connect: 10h }\n'));
    expect(refusal({ scenario: q })).toBe(`${q}: timeouts.connect: must be from 100ms to 15m`);
    const g = file('grace.yaml', SCENARIO('timeouts: { grace: 1h }\n'));
    expect(refusal({ scenario: g })).toBe(`${g}: timeouts.grace: must be at most 15m`);
  });

  it('timeouts.loss: within 100 ms..15 min and at least the grace', () => {
    const p = file('loss1h.yaml', SCENARIO('timeouts: { loss: 1h }\n'));
    expect(refusal({ scenario: p })).toBe(`${p}: timeouts.loss: must be from 100ms to 15m`);
    const q = file('lossShort.yaml', SCENARIO('timeouts: { grace: 5s, loss: 3s }\n'));
    expect(refusal({ scenario: q })).toBe(`${q}: timeouts.loss: must be at least timeouts.grace (5s)`);
    const ok = file('lossOk.yaml', SCENARIO('timeouts: { grace: 1s, loss: 4s }\n'));
    expect(checkRunInput({ scenario: ok }).scenario.timeouts).toMatchObject({ graceMs: 1_000, lossMs: 4_000 });
  });

  it('a phase longer than a day: a duration, or a ramp at a tiny rate (also after --clients)', () => {
    const p = file('long.yaml', SCENARIO().replace('duration: 5s', 'duration: 600h'));
    expect(refusal({ scenario: p })).toBe(`${p}: phases[2].send.duration: must be from 1ms to 24h`);
    const q = file('slow.yaml', SCENARIO().replace('connect: { rate: 100 }', 'connect: { rate: 0.001 }'));
    expect(refusal({ scenario: q })).toBe(`${q}: phases[0].connect.rate: 100 connects at 0.001/s take 27.8h; a phase may take at most 24h`);
    const r = file('fine.yaml', SCENARIO().replace('connect: { rate: 100 }', 'connect: { rate: 0.01 }'));
    expect(checkRunInput({ scenario: r }, HOST).scenario.clients).toBe(100);
    expect(refusal({ scenario: r, clients: 1000 })).toBe(`${r}: phases[0].connect.rate: 1000 connects at 0.01/s take 27.8h; a phase may take at most 24h`);
  });

  it('a rate past a million per second is refused', () => {
    const p = file('fast.yaml', SCENARIO().replace('rate: 10 }', 'rate: 1e9 }'));
    expect(refusal({ scenario: p })).toBe(`${p}: phases[2].send.rate: must be a number > 0 and at most 1000000`);
  });

  it("a bad function name in the scenario's target.memory is the scenario's field, not a flag", () => {
    const p = file('fn.yaml', SCENARIO('target: { memory: { fanout-send-mesage: 512 } }\n'));
    expect(refusal({ scenario: p })).toBe(
      `${p}: target.memory.fanout-send-mesage: unknown function (known: fanout-connect, fanout-disconnect, fanout-default, fanout-set-name, fanout-create-room, fanout-join-room, fanout-leave-room, fanout-send-message, fanout-whoami, fanout-broadcast, fanout-authorizer, fanout-push, fanout-push-fanout, fanout-push-worker)`,
    );
    const q = file('reserved.yaml', SCENARIO('target: { reserved: { nope: 1 } }\n'));
    expect(refusal({ scenario: q })).toMatch(new RegExp(`^${escape(q)}: target\\.reserved\\.nope: unknown function`));
  });

  it("a template from --template makes the scenario's function names the template's, and a template in the scenario the flag's", async () => {
    const p = file('own.yaml', SCENARIO('target: { memory: { PublishFunction: 1024 }, reserved: { JoinFunction: 5 }, parameters: { Stage: dev } }\n'));
    expect(refusal({ scenario: p })).toBe(`${p}: target.parameters: are for a template: name one too (template, or --template)`);
    const byFlag = await runOptionsFromFlags(p, { target: 'local', out: 'reports', progress: false, template: 'template.yaml' });
    expect(checkRunInput(byFlag, HOST).scenario.target.memory).toEqual({ PublishFunction: 1024 });
    const q = file('own-template.yaml', SCENARIO('target: { template: ./template.yaml }\n'));
    const flags = await runOptionsFromFlags(q, { target: 'local', out: 'reports', progress: false, memory: ['rooms-PublishFunction-ABC=512'], parameter: ['Stage=dev'] });
    expect(() => checkRunInput(flags, HOST)).not.toThrow();
  });

  it("a publish phase's http endpoint, against the local stack, is on this host: 127.x, ::1 or localhost (any host for a deployed stack)", () => {
    const publish = (to: string) => file(`http-${to.length}-${to.replace(/\W/g, '')}.yaml`, SCENARIO().replace('  - send: { duration: 5s, rate: 10 }', `  - send: { duration: 5s, rate: 10 }\n  - publish: { via: http, to: "${to}", rate: 1, duration: 1s, payload: "{{probe}}" }`));
    const away = publish('https://api.example.com/push');
    expect(refusal({ scenario: away })).toBe(
      `${away}: phases[3].publish.to: a run against the local stack sends load to this host only: POST to http://127.0.0.1:<port>/… or http://localhost:<port>/…, got https://api.example.com/push`,
    );
    // a name that merely starts like a loopback address is not one
    expect(refusal({ scenario: publish('http://127.0.0.1.example.com/push') })).toMatch(/phases\[3\]\.publish\.to: a run against the local stack sends load to this host only/);
    for (const to of ['http://127.0.0.1:8080/push', 'http://127.0.0.2:9/p', 'http://localhost:3000/', 'http://[::1]:3000/push']) expect(() => checkRunInput({ scenario: publish(to) }, HOST), to).not.toThrow();
    expect(() => checkRunInput({ scenario: away, target: 'aws:Chat' }, HOST)).not.toThrow();
  });

  it('a bad target URL is refused before the host limits are looked at', () => {
    expect(refusal({ scenario: 'fanout', target: 'http://example.com' })).toBe('--target: expected "local", a ws:// or wss:// URL, aws:<stackName> or aws-api:<apiId>/<stage>, got "http://example.com"');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('run flags: read for their form, then held to the scenario schema with the scenario', () => {
  const base: RunFlags = { target: 'local', out: 'reports', progress: false };
  // as the CLI does: the flags read, then the run's input checked once
  async function flagRefusal(flags: Partial<RunFlags>): Promise<string> {
    const err = await runOptionsFromFlags('fanout', { ...base, ...flags })
      .then((o) => void checkRunInput({ ...o, ignoreHostLimits: true }, HOST))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }

  it('--memory: a function of the reference stack, a size Lambda allows, the local target only', async () => {
    expect(await flagRefusal({ memory: ['fanout-connect'] })).toBe('--memory: expected fn=MB, got "fanout-connect"');
    expect(await flagRefusal({ memory: ['connect=512'] })).toMatch(/^--memory: unknown function "connect" \(known: fanout-connect, /);
    expect(await flagRefusal({ memory: ['fanout-connect=64'] })).toBe('--memory: fanout-connect: must be from 128 to 10240 MB, got 64');
    expect(await flagRefusal({ memory: ['fanout-connect=512'], target: 'wss://example.com/prod' })).toMatch(/^--memory: sets a Lambda's memory in the local emulator \(--target local\) only/);
    const ok = await runOptionsFromFlags('fanout', { ...base, memory: ['fanout-connect=512', 'fanout-send-message=10240'] });
    expect(ok.stackKnobs).toEqual({ memory: { 'fanout-connect': 512, 'fanout-send-message': 10240 } });
  });

  it('--runtime: a runtime the emulator emulates, as a knob of the local stack; over the scenario\'s knobs with --memory', async () => {
    expect(await flagRefusal({ runtime: 'nodejs18.x' })).toBe('--runtime: must be one of nodejs20.x, nodejs22.x, nodejs24.x, got "nodejs18.x"');
    const ok = await runOptionsFromFlags('fanout', { ...base, runtime: 'nodejs24.x', memory: ['fanout-connect=512'] });
    expect(ok.stackKnobs).toEqual({ runtime: 'nodejs24.x', memory: { 'fanout-connect': 512 } });
    expect((await runOptionsFromFlags('fanout', base)).stackKnobs).toBeUndefined();
    // a flag's memory wins for its function only; the scenario's other knobs stay
    const scenario = { memory: { 'fanout-connect': 256, 'fanout-join-room': 1024 }, runtime: 'nodejs20.x' as const, idleReapSeconds: 3 };
    expect(withKnobs(scenario, ok.stackKnobs)).toEqual({ memory: { 'fanout-connect': 512, 'fanout-join-room': 1024 }, runtime: 'nodejs24.x', idleReapSeconds: 3 });
    expect(withKnobs(scenario, undefined)).toBe(scenario);
  });

  it('--prepared: 0 to 64, a knob of the local stack over the scenario\'s, the local target only', async () => {
    expect(await flagRefusal({ prepared: '65' })).toBe('--prepared: must be an integer from 0 to 64, got "65"');
    expect(await flagRefusal({ prepared: '-1' })).toBe('--prepared: must be an integer from 0 to 64, got "-1"');
    expect(await flagRefusal({ prepared: '0', target: 'wss://example.com/prod' })).toBe(
      '--prepared: sets how many environments the local emulator (--target local) initialises ahead; --target wss://example.com/prod is not one',
    );
    const ok = await runOptionsFromFlags('fanout', { ...base, prepared: '0' });
    expect(ok.stackKnobs).toEqual({ preparedPerFunction: 0 });
    expect(withKnobs({ preparedPerFunction: 2, idleReapSeconds: 3 }, ok.stackKnobs)).toEqual({ preparedPerFunction: 0, idleReapSeconds: 3 });
  });

  it('--stack-name: a CloudFormation stack name, a knob of the local stack over the scenario\'s, the local target only', async () => {
    expect(await flagRefusal({ stackName: '1chat' })).toBe('--stack-name: must start with a letter and hold only letters, digits and "-", got "1chat"');
    expect(await flagRefusal({ stackName: 'chat_api' })).toBe('--stack-name: must start with a letter and hold only letters, digits and "-", got "chat_api"');
    expect(await flagRefusal({ stackName: 'ChatApi', target: 'aws:Chat' })).toBe('--stack-name: names the stack the local emulator (--target local) stands in for; --target aws:Chat names its own');
    const ok = await runOptionsFromFlags('fanout', { ...base, stackName: 'ChatApi' });
    expect(ok.stackKnobs).toEqual({ stackName: 'ChatApi' });
    expect(stackLaunchOf(withKnobs({ stackName: 'Other' }, ok.stackKnobs)).settings).toEqual({ stackName: 'ChatApi' });
  });

  it("--iam: enforce, report or off, a knob of the local stack; refused for a deployed target (AWS always enforces)", async () => {
    expect(await flagRefusal({ iam: 'audit' })).toBe('--iam: must be one of enforce, report, off, got "audit"');
    expect(await flagRefusal({ iam: 'report', target: 'aws:Chat' })).toBe('--iam: sets IAM in the local emulator (--target local) only; --target aws:Chat enforces its own (AWS always enforces IAM)');
    const ok = await runOptionsFromFlags('fanout', { ...base, iam: 'report' });
    expect(ok.stackKnobs).toEqual({ iam: 'report' });
    expect(stackLaunchOf(withKnobs({ iam: 'off' }, ok.stackKnobs)).settings).toEqual({ iam: 'report' });
  });

  it('--clients, --rooms, --rate, --duration and --seed: the schema\'s limits, named by the flag', async () => {
    expect(await flagRefusal({ clients: '1000001' })).toBe('--clients: must be an integer from 1 to 1000000, got "1000001"');
    expect(await flagRefusal({ clients: '0' })).toBe('--clients: must be an integer from 1 to 1000000, got "0"');
    expect(await flagRefusal({ clients: 'many' })).toBe('--clients: must be an integer, got "many"');
    expect(await flagRefusal({ rooms: '500' })).toBe('--rooms: must not exceed clients (200), got "500"');
    expect(await flagRefusal({ clients: '5' })).toBe('--clients: rooms: must not exceed clients (5)');
    expect(await flagRefusal({ rate: '1e7' })).toBe('--rate: must be a number > 0 and at most 1000000, got "10000000"');
    expect(await flagRefusal({ rate: '' })).toBe('--rate: must be a number, got ""');
    expect(await flagRefusal({ duration: '25h' })).toBe('--duration: must be from 1ms to 24h, got "25h"');
    expect(await flagRefusal({ duration: '0' })).toBe('--duration: must be from 1ms to 24h, got "0ms"');
    expect(await flagRefusal({ duration: 'soon' })).toBe('--duration: must be a duration like "30s", "500ms" or "2m", got "soon"');
    expect(await flagRefusal({ seed: '-1' })).toBe('--seed: must be an integer, got "-1"');
    const ok = await runOptionsFromFlags('fanout', { ...base, clients: '1000000', rate: '1000000', duration: '24h', ignoreHostLimits: true });
    expect(ok).toMatchObject({ clients: 1_000_000, rate: 1_000_000, durationMs: 86_400_000, ignoreHostLimits: true });
  });
});
