import type { LoadHosts, LoadHostSize } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtNum } from '../../number-format.ts';

/** The load hosts' words, one phrasing for the console, summary.md and index.html. Pure. */

/** "rehearsing 100,000 connections at 20,000 deliveries/s" */
export function rehearsalText(l: LoadHosts): string {
  return `rehearsing ${fmtInt(l.connections)} connections at ${fmtInt(Math.round(l.deliveriesPerS))} deliveries/s`;
}

/** "c7i.large (2 vCPUs, 4 GiB)" */
export function hostText(s: LoadHostSize): string {
  return `${s.name} (${s.vcpus} vCPUs, ${fmtNum(s.memoryGiB)} GiB)`;
}

/** "4 hosts, bound by ports" */
export function hostsText(s: LoadHostSize): string {
  return `${count(s.hosts)}, bound by ${s.binding}`;
}

/** "1 host past the ports (more source or target addresses; open files next)" */
export function pastPortsText(s: LoadHostSize): string {
  return s.pastPorts ? `${count(s.pastPorts.hosts)} past the ports (more source or target addresses; ${s.pastPorts.binding} next)` : '';
}

const count = (n: number) => `${fmtInt(n)} host${n === 1 ? '' : 's'}`;

/** "artillery export --workers 14 (13 by open files: 7,992 clients a worker; 28,000 deliveries/s a worker)" */
export function artilleryText(l: LoadHosts): string {
  const a = l.artillery;
  const why = `${fmtInt(a.workers)} by ${a.binding}: ${fmtInt(a.clientsPerWorker)} clients a worker, ${fmtInt(a.deliveriesPerWorkerPerS)} deliveries/s a worker`;
  if (a.exportWorkers === null) return `Artillery: ${why}; no worker count from ${fmtInt(a.workers)} up divides both the ${fmtInt(l.connections)} clients and the ${fmtInt(a.rooms)} rooms (export's rule): plan clients and rooms that do`;
  return `Artillery: artillery export --workers ${fmtInt(a.exportWorkers)} (${why}${a.exportWorkers > a.workers ? `; ${fmtInt(a.exportWorkers)} divides the clients and the ${fmtInt(a.rooms)} rooms` : ''})`;
}
