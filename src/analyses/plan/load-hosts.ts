import {
  clientsPerShard,
  CPU_MS_PER_CONNECT,
  CPU_S_PER_10K_DELIVERIES,
  EPHEMERAL_PORTS,
  FILES_HEADROOM,
  HARNESS_COSTS_SOURCE,
  MB_PARENT,
  MB_PER_1000_CLIENTS,
  MB_PER_SHARD,
  OPEN_FILES_MEASURED,
  SHARDS_PER_CORE,
} from '../../contracts/harness-costs.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { fmtInt, fmtNum } from '../../number-format.ts';
import { INSTANCE_SIZES } from './instance-sizes.ts';
import type { HostResource, LoadHosts, LoadHostSize, PlanTraffic } from './plan-schema.ts';

/**
 * The load hosts a rehearsal of the planned peak needs: its connections held at once and its
 * deliveries/s (every member of a room receives each message, the sender too), sized by the
 * harness's measured memory and CPU per client and per delivery. A run plan reads gives those
 * figures where it was big enough to measure them (its results.json's harness section), else the
 * recorded bench figures (src/contracts/harness-costs.ts). For this host and a few EC2 sizes.
 *
 * A host holds the fewest connections its memory, its open files (shards of clients, 4 a core)
 * and its ports (one source address to one target address) allow, and reads the deliveries its
 * cores do within the busy share; the hosts needed are the larger of the two counts.
 */

/** The share of a host's memory and cores the harness is planned at: the rest is the OS's and slack (a shard above 90 % of a core is saturated). */
export const BUSY_SHARE = 0.7;
/** A run measures memory per client only with this many open: below, the shards' baseline is most of it. */
const MIN_CLIENTS_MEASURED = 10_000;
/** ...and CPU per delivery only with this many received: below, connects and timers are most of it. */
const MIN_DELIVERIES_MEASURED = 100_000;
/**
 * An Artillery worker (artillery/README.md, "Sizing"): one Node process on one thread; Fargate
 * tasks allow it 8,192 open files unless --launch-config raises nofile, and the engine keeps 200
 * of them for itself (it refuses a larger share up front).
 */
const ARTILLERY_OPEN_FILES = 8_192;
const ARTILLERY_FILES_RESERVE = 200;
/**
 * Ports one source address has for one address of the target with the widest range an
 * unprivileged connect may use (net.ipv4.ip_local_port_range = 1024 65535), against Linux's
 * default 32768–60999 (EPHEMERAL_PORTS).
 */
export const WIDE_PORTS = 65_535 - 1_024 + 1;

/** This machine, as the plan command reads it. */
export interface ThisHost {
  vcpus: number;
  memoryBytes: number;
  /** open files per process; undefined: unknown (the measured machine's) */
  openFiles?: number;
  /** ephemeral ports per source address; undefined: Linux's default */
  ports?: number;
}

interface Figures {
  mbPer1000Clients: { value: number; source: string };
  cpuSecondsPer10kDeliveries: { value: number; source: string };
}

export function loadHosts(traffic: PlanTraffic, runs: readonly { results: Results }[], host?: ThisHost): LoadHosts {
  const connections = Math.round(traffic.connections);
  const deliveriesPerS = traffic.messagesPerS * traffic.roomSize;
  const connectsPerS = traffic.connectsPerS;
  const f = measuredFigures(runs);
  const cpuPer10k = f.cpuSecondsPer10kDeliveries.value;
  const coresNeeded = (deliveriesPerS * cpuPer10k) / 10_000 + (connectsPerS * CPU_MS_PER_CONNECT) / 1000;
  // deliveries/s `cores` read; scaled before dividing, so 0.7 of a core at 0.1 CPU-s reads 70,000, not 69,999.99
  const deliveriesFor = (cores: number) => Math.floor((cores * 10_000) / cpuPer10k);
  const sizeOf = (name: string, vcpus: number, memoryGiB: number, openFiles: number, ports: number): LoadHostSize => {
    const perShard = clientsPerShard(openFiles);
    // a shard's empty RSS spread over the clients it holds
    const mbPerClient = f.mbPer1000Clients.value / 1000 + MB_PER_SHARD / perShard;
    const caps: [HostResource, number, string][] = [
      ['memory', Math.max(0, Math.floor((memoryGiB * 1024 * BUSY_SHARE - MB_PARENT) / mbPerClient)), `${fmtNum(round(memoryGiB, 1))} GiB × ${pct(BUSY_SHARE)} at ${fmtNum(f.mbPer1000Clients.value)} MB per 1,000 clients and ${fmtNum(MB_PER_SHARD)} MB per shard`],
      ['open files', vcpus * SHARDS_PER_CORE * perShard, `${vcpus} vCPUs × ${SHARDS_PER_CORE} shards of ${fmtInt(perShard)} clients (${fmtInt(openFiles)} open files a process)`],
      ['ports', ports, `one source address's ${fmtInt(ports)} ports to one address of the target`],
    ];
    const tightest = (cs: typeof caps) => cs.reduce((a, b) => (b[1] < a[1] ? b : a));
    const [by, perHost, how] = tightest(caps);
    const deliveriesPerHostPerS = deliveriesFor(vcpus * BUSY_SHARE);
    const hostsFor = (n: number) => (connections === 0 ? 0 : n === 0 ? Infinity : Math.ceil(connections / n));
    const byConnections = hostsFor(perHost);
    const byCores = Math.ceil(coresNeeded / (vcpus * BUSY_SHARE));
    const cores = byCores > byConnections;
    const hosts = Math.max(byConnections, byCores);
    // with source addresses enough, what binds next
    const [nextBy, nextPerHost] = tightest(caps.filter(([r]) => r !== 'ports'));
    const pastPorts = !cores && by === 'ports' ? { hosts: Math.max(hostsFor(nextPerHost), byCores), binding: hostsFor(nextPerHost) >= byCores ? nextBy : ('cores' as const) } : undefined;
    return {
      name,
      vcpus,
      memoryGiB: round(memoryGiB, 1),
      openFiles,
      connectionsPerHost: perHost,
      connectionsBy: by,
      deliveriesPerHostPerS,
      hosts: Number.isFinite(hosts) ? hosts : 0,
      binding: cores ? 'cores' : by,
      why: cores
        ? `${fmtInt(deliveriesPerS)} deliveries/s at ${fmtNum(f.cpuSecondsPer10kDeliveries.value)} CPU-s per 10,000 and ${fmtNum(connectsPerS)} connects/s at ${fmtNum(CPU_MS_PER_CONNECT)} ms: ${fmtNum(coresNeeded)} cores ÷ (${vcpus} vCPUs × ${pct(BUSY_SHARE)})`
        : `${fmtInt(connections)} connections ÷ ${fmtInt(perHost)} a host${by === 'ports' ? '' : ` (${how})`}; ${otherCaps(caps, by)}`,
      holds: { memory: caps[0]![1], openFiles: caps[1]![1], ports: caps[2]![1] },
      ...(pastPorts ? { pastPorts } : {}),
    };
  };
  const sizes: LoadHostSize[] = [];
  // each size again with the wide port range, for the note on lifting the port bound
  const wide: LoadHostSize[] = [];
  if (host) {
    sizes.push(sizeOf('this host', host.vcpus, host.memoryBytes / 2 ** 30, host.openFiles ?? OPEN_FILES_MEASURED, host.ports ?? EPHEMERAL_PORTS));
    wide.push(sizeOf('this host', host.vcpus, host.memoryBytes / 2 ** 30, host.openFiles ?? OPEN_FILES_MEASURED, Math.max(WIDE_PORTS, host.ports ?? 0)));
  }
  for (const s of INSTANCE_SIZES) {
    sizes.push(sizeOf(s.name, s.vcpus, s.memoryGiB, OPEN_FILES_MEASURED, EPHEMERAL_PORTS));
    wide.push(sizeOf(s.name, s.vcpus, s.memoryGiB, OPEN_FILES_MEASURED, WIDE_PORTS));
  }
  const portsPerAddress = host?.ports ?? EPHEMERAL_PORTS;

  const rooms = traffic.roomSize > 0 ? Math.round(connections / traffic.roomSize) : 0;
  const clientsPerWorker = ARTILLERY_OPEN_FILES - ARTILLERY_FILES_RESERVE;
  const byFiles = Math.ceil(connections / clientsPerWorker);
  const byCpu = Math.ceil(coresNeeded / BUSY_SHARE);
  const workers = Math.max(byFiles, byCpu);
  return {
    connections,
    deliveriesPerS: round(deliveriesPerS, 3),
    connectsPerS: round(connectsPerS, 3),
    figures: {
      ...f,
      mbPerShard: { value: MB_PER_SHARD, source: HARNESS_COSTS_SOURCE },
      mbParent: { value: MB_PARENT, source: HARNESS_COSTS_SOURCE },
      cpuMsPerConnect: { value: CPU_MS_PER_CONNECT, source: HARNESS_COSTS_SOURCE },
      shardsPerCore: SHARDS_PER_CORE,
      filesHeadroom: FILES_HEADROOM,
      portsPerAddress,
      widePortsPerAddress: WIDE_PORTS,
      busyShare: BUSY_SHARE,
    },
    sizes,
    artillery: {
      clientsPerWorker,
      deliveriesPerWorkerPerS: deliveriesFor(BUSY_SHARE),
      workers,
      binding: byCpu > byFiles ? 'cores' : 'open files',
      exportWorkers: exportWorkers(connections, rooms, workers),
      rooms,
    },
    notes: [
      `load hosts at ${pct(BUSY_SHARE)} of their memory and cores; memory ${f.mbPer1000Clients.value} MB per 1,000 clients (${f.mbPer1000Clients.source}), CPU ${f.cpuSecondsPer10kDeliveries.value} CPU-s per 10,000 deliveries (${f.cpuSecondsPer10kDeliveries.source})`,
      `EC2 sizes at ${fmtInt(OPEN_FILES_MEASURED)} open files a process, as measured here (a higher nofile lets a shard hold more); a host size's memory and cores set what it holds, its ports do not: every size reaches one address of the target from one source address ${fmtInt(EPHEMERAL_PORTS)} times (Linux's default port range)`,
      portsNote(sizes, wide),
      `Artillery workers of one thread and ${fmtInt(ARTILLERY_OPEN_FILES)} open files (Fargate's default; --launch-config raises nofile): artillery export --workers N wants N to divide the clients and the rooms`,
    ],
  };
}

/** What the resources that do not bind would allow: "memory 388,464 and open files 144,000 would hold more". */
function otherCaps(caps: readonly [HostResource, number, string][], by: HostResource): string {
  return `${caps.filter(([r]) => r !== by).map(([r, n]) => `${r} ${fmtInt(n)}`).join(' and ')} would hold ${caps.some(([r, n]) => r !== by && n === caps.find(([b]) => b === by)![1]) ? 'as many or more' : 'more'}`;
}

/**
 * Where ports bind, what lifts them, with the number: an AWS endpoint resolves to several
 * addresses (each is another destination, with its own ports for the same source address), and
 * a wider port range holds more an address; with it, each size's hosts and what binds next.
 */
function portsNote(sizes: readonly LoadHostSize[], wide: readonly LoadHostSize[]): string {
  const bound = sizes.filter((s) => s.binding === 'ports');
  const base = `against an AWS endpoint, which resolves to several addresses, each address a connection lands on gives a source address another ${fmtInt(EPHEMERAL_PORTS)}, and a wider port range (net.ipv4.ip_local_port_range = 1024 65535) gives ${fmtInt(WIDE_PORTS)} an address`;
  if (bound.length === 0) return `ports bind no size here: ${base}`;
  const lifted = wide.filter((w) => bound.some((b) => b.name === w.name));
  const hosts = (n: number) => `${fmtInt(n)} host${n === 1 ? '' : 's'}`;
  const at = lifted.every((w) => w.hosts === lifted[0]!.hosts)
    ? `${lifted.length === sizes.length ? 'every size takes' : `${lifted.map((w) => w.name).join(', ')} take`} ${hosts(lifted[0]!.hosts)}`
    : lifted.map((w) => `${w.name} ${hosts(w.hosts)}`).join(', ');
  return `ports bind ${bound.length === sizes.length ? 'every size' : bound.map((s) => s.name).join(', ')} at ${fmtInt(bound[0]!.connectionsPerHost)} a host: ${base}; at ${fmtInt(WIDE_PORTS)} to one address ${at}`;
}

/** Memory per 1,000 clients and CPU per delivery: from the biggest run that measured them, else the bench's. */
function measuredFigures(runs: readonly { results: Results }[]): Figures {
  const f: Figures = {
    mbPer1000Clients: { value: MB_PER_1000_CLIENTS, source: HARNESS_COSTS_SOURCE },
    cpuSecondsPer10kDeliveries: { value: CPU_S_PER_10K_DELIVERIES, source: HARNESS_COSTS_SOURCE },
  };
  const opened = (r: Results) => r.connections?.opened ?? 0;
  const byClients = [...runs].filter((m) => opened(m.results) >= MIN_CLIENTS_MEASURED).sort((a, b) => opened(b.results) - opened(a.results))[0];
  if (byClients) {
    const r = byClients.results;
    const mb = ((r.harness.rssMB - r.harness.shards * MB_PER_SHARD) / opened(r)) * 1000;
    if (mb > 0) f.mbPer1000Clients = { value: round(mb, 2), source: `run ${r.runId}: ${fmtInt(r.harness.rssMB)} MB over ${r.harness.shards} shard(s) holding ${fmtInt(opened(r))} clients` };
  }
  const byDeliveries = [...runs].filter((m) => m.results.deliveries.received >= MIN_DELIVERIES_MEASURED).sort((a, b) => b.results.deliveries.received - a.results.deliveries.received)[0];
  if (byDeliveries) {
    const r = byDeliveries.results;
    const cpu = r.harness.cpuSeconds - (opened(r) * CPU_MS_PER_CONNECT) / 1000;
    if (cpu > 0) {
      f.cpuSecondsPer10kDeliveries = { value: round((cpu / r.deliveries.received) * 10_000, 4), source: `run ${r.runId}: ${round(r.harness.cpuSeconds, 1)} CPU-s for ${fmtInt(r.deliveries.received)} deliveries and ${fmtInt(opened(r))} connects` };
    }
  }
  return f;
}

/** The fewest workers from `from` up that divide both the clients and the rooms (artillery export's rule); null when none up to the rooms does. */
export function exportWorkers(clients: number, rooms: number, from: number): number | null {
  for (let n = Math.max(1, from); n <= rooms; n++) if (clients % n === 0 && rooms % n === 0) return n;
  return null;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const pct = (share: number) => `${Math.round(share * 100)} %`;
