import { describe, expect, it } from 'vitest';
import { exportWorkers, loadHosts } from '../../src/analyses/plan/load-hosts.ts';
import { LoadHosts, type PlanTraffic } from '../../src/analyses/plan/plan-schema.ts';
import type { Results } from '../../src/contracts/results-schema.ts';

/**
 * The load hosts a rehearsal needs, worked by hand from the recorded figures
 * (src/contracts/harness-costs.ts): 3.7 MB per 1,000 clients and 60 MB per shard of 18,000
 * (20,000 open files), 135 MB for the parent, 0.10 CPU-s per 10,000 deliveries, 0.257 ms per
 * connect, 4 shards a core, 28,232 ports, each host at 70 % of its memory and cores.
 */
const traffic = (connections: number, roomSize: number, messagesPerS: number, connectsPerS = connections / 1_800): PlanTraffic => ({
  source: 'flags',
  periodSec: 2_592_000,
  periodLabel: 'month',
  connections,
  roomSize,
  messagesPerS,
  connectsPerS,
  totals: { connects: 0, rooms: 0, joins: 0, messages: 0, recipients: 0, posts: 0, connectionMinutes: 0 },
});
/** MB per client: a client's own and its share of its shard's empty RSS */
const PER_CLIENT = 3.7 / 1000 + 60 / 18_000;
const size = (l: LoadHosts, name: string) => l.sizes.find((s) => s.name === name)!;

describe('load hosts for a rehearsal', () => {
  it('100,000 connections in rooms of 100 at 200 messages/s: one source address ports bind every EC2 size', () => {
    const l = loadHosts(traffic(100_000, 100, 200), []);
    expect(LoadHosts.safeParse(l).success).toBe(true);
    expect(l.deliveriesPerS).toBe(20_000);
    expect(l.sizes.map((s) => s.name)).toEqual(['c7i.large', 'c7i.xlarge', 'c7i.2xlarge', 'm7i.xlarge']);
    const large = size(l, 'c7i.large');
    // memory (4 GiB × 70 % − 135 MB) ÷ 0.00703 MB = 388,464; open files 2 × 4 × 18,000 = 144,000; ports 28,232
    expect(large).toMatchObject({ connectionsPerHost: 28_232, connectionsBy: 'ports', hosts: 4, binding: 'ports' });
    expect(Math.floor((4 * 1024 * 0.7 - 135) / PER_CLIENT)).toBe(388_464);
    // a core reads 0.7 ÷ 0.00001 s = 70,000 deliveries/s
    expect(large.deliveriesPerHostPerS).toBe(140_000);
    // what differs between sizes (their memory and open files) is in each row, not one sentence five times
    expect(large.why).toBe('100,000 connections ÷ 28,232 a host; memory 388,464 and open files 144,000 would hold more');
    expect(large.holds).toEqual({ memory: 388_464, openFiles: 144_000, ports: 28_232 });
    const whys = l.sizes.map((s) => s.why);
    expect(new Set(whys).size).toBe(whys.length);
    expect(size(l, 'c7i.2xlarge').why).toBe('100,000 connections ÷ 28,232 a host; memory 1,611,440 and open files 576,000 would hold more');
    // with more source addresses, 144,000 clients in 8 shards hold it on one
    expect(large.pastPorts).toEqual({ hosts: 1, binding: 'open files' });
    // what lifts the port bound against an AWS endpoint, with the number: 1024–65535 is 64,512 an address, 100,000 ÷ 64,512 → 2 hosts
    expect(l.figures.widePortsPerAddress).toBe(64_512);
    expect(l.notes).toContain(
      'ports bind every size at 28,232 a host: against an AWS endpoint, which resolves to several addresses, each address a connection lands on gives a source address another 28,232, and a wider port range (net.ipv4.ip_local_port_range = 1024 65535) gives 64,512 an address; at 64,512 to one address every size takes 2 hosts',
    );
    expect(l.figures.mbPer1000Clients.source).toMatch(/^bench\/RESULTS\.md, "Launch scale/);
  });

  it('the cores bind where the deliveries outrun them; memory and open files where a host is small', () => {
    // 600,000 deliveries/s: 6.0 cores + 55.6 connects/s × 0.257 ms, over 2 × 70 % a c7i.large
    const l = loadHosts(traffic(100_000, 100, 6_000), [], { vcpus: 1, memoryBytes: 0.5 * 2 ** 30, openFiles: 100_000, ports: 1_000_000 });
    const cores = 600_000 * 0.00001 + (100_000 / 1_800) * 0.000257;
    expect(size(l, 'c7i.large')).toMatchObject({ hosts: Math.ceil(cores / 1.4), binding: 'cores' });
    expect(size(l, 'c7i.2xlarge')).toMatchObject({ hosts: 4, binding: 'ports' });
    // half a GiB: (358.4 − 135) MB ÷ 0.00703 MB a client
    const here = size(l, 'this host');
    expect(here).toMatchObject({ connectionsBy: 'memory', connectionsPerHost: Math.floor((0.5 * 1024 * 0.7 - 135) / PER_CLIENT) });
    expect(here.hosts).toBe(Math.max(Math.ceil(100_000 / here.connectionsPerHost), Math.ceil(cores / 0.7)));
    // 4,096 open files: shards of 2,096, 4 on the one core
    const files = loadHosts(traffic(100_000, 100, 10), [], { vcpus: 1, memoryBytes: 64 * 2 ** 30, openFiles: 4_096, ports: 1_000_000 });
    expect(size(files, 'this host')).toMatchObject({ connectionsPerHost: 8_384, connectionsBy: 'open files', hosts: 12, binding: 'open files' });
  });

  it("a run big enough to measure gives the figures: its shards' RSS past their baseline, its CPU past its connects", () => {
    const run = { runId: 'big', connections: { opened: 40_000 }, harness: { rssMB: 600, shards: 3, cpuSeconds: 30 }, deliveries: { received: 1_000_000 } } as unknown as Results;
    const small = { runId: 'small', connections: { opened: 200 }, harness: { rssMB: 110, shards: 1, cpuSeconds: 2 }, deliveries: { received: 5_000 } } as unknown as Results;
    const l = loadHosts(traffic(100_000, 100, 200), [{ results: small }, { results: run }]);
    // (600 − 3 × 60) MB ÷ 40 = 10.5 MB per 1,000; (30 − 40,000 × 0.257 ms) ÷ 1,000,000 × 10,000
    expect(l.figures.mbPer1000Clients).toEqual({ value: 10.5, source: 'run big: 600 MB over 3 shard(s) holding 40,000 clients' });
    expect(l.figures.cpuSecondsPer10kDeliveries).toEqual({ value: 0.1972, source: 'run big: 30 CPU-s for 1,000,000 deliveries and 40,000 connects' });
    // the small run alone measures nothing: the recorded figures stand
    expect(loadHosts(traffic(100_000, 100, 200), [{ results: small }]).figures.cpuSecondsPer10kDeliveries.value).toBe(0.1);
  });

  it('Artillery workers: 7,992 clients each under Fargate\'s 8,192 open files, the count export takes', () => {
    const l = loadHosts(traffic(100_000, 100, 200), []);
    // 100,000 ÷ 7,992 = 12.5 → 13; of 1,000 rooms: 20 is the first from 13 up to divide both
    expect(l.artillery).toMatchObject({ clientsPerWorker: 7_992, workers: 13, binding: 'open files', rooms: 1_000, exportWorkers: 20 });
    expect(exportWorkers(100_000, 1_000, 13)).toBe(20);
    expect(exportWorkers(7, 7, 2)).toBe(7);
    expect(exportWorkers(100, 3, 2)).toBeNull();
    // at 1,200,000 deliveries/s the workers' one core each binds: 12 cores ÷ 70 % = 17.1
    expect(loadHosts(traffic(100_000, 100, 12_000), []).artillery).toMatchObject({ workers: 18, binding: 'cores', exportWorkers: 20 });
  });
});
