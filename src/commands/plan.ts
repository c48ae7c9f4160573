import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { UserError } from '../../common/errors.ts';
import { buildPlan } from '../analyses/plan/build-plan.ts';
import type { TrafficInput } from '../analyses/plan/monthly-cost.ts';
import type { LimitFlags } from '../analyses/plan/plan-limits.ts';
import type { GrowthAxis } from '../analyses/plan/plan-schema.ts';
import type { MeasuredRun } from '../analyses/plan/work-model.ts';
import { TOOL_VERSION } from '../metrics/results/results-builder.ts';
import { createRunDir, RESULTS_FILE } from '../metrics/results/run-dir.ts';
import { renderPlanConsole } from '../report/plan/console.ts';
import { readResults } from '../report/run/read-results.ts';
import { writePlan } from '../report/plan/write.ts';
import { collect, durationFlag, intFlag, memoryFlags, numberFlag } from './shared-flags.ts';

/**
 * `fanout-bench plan <run-dir>… [--connections N --room-size S --messages-per-s R]
 * [--connects-per-s C] [--session 30m] [--memory fn=MB] [--region r] [--reserved fn=N]
 * [--table-capacity read=R,write=W] [--account-concurrency N] [--grow axis] [--out dir]`: the
 * measured runs' work per operation, the traffic's cost per month by line, its headroom at the
 * peak against every limit and the first limit to break as it grows (plan.json, summary.md). With
 * no traffic, the one run's own traffic over its own duration, its measured figures beside the
 * planned ones. Bad traffic, a run dir without results.json or --memory/--reserved naming a
 * function the runs lack: one line, exit 2.
 */
interface PlanFlags {
  connections?: string;
  roomSize?: string;
  messagesPerS?: string;
  connectsPerS?: string;
  session?: string;
  memory?: string[];
  region?: string;
  reserved?: string[];
  tableCapacity?: string;
  accountConcurrency?: string;
  grow?: string;
  out?: string;
}

const DEFAULT_SESSION = '30m';
/** --grow's names for the axes */
const GROW_AXES: Record<string, GrowthAxis> = { connections: 'connections', 'room-size': 'roomSize', rate: 'messagesPerS' };

export function addPlanCommand(program: Command): void {
  program
    .command('plan')
    .description("project measured runs to a traffic: the work per connect, join, message and recipient, the month's cost by line, the headroom at the peak and the first limit to break (plan.json, summary.md)")
    .argument('<run-dirs...>', `run directories (each holding ${RESULTS_FILE})`)
    .option('--connections <n>', 'concurrent connections planned')
    .option('--room-size <n>', 'members per room, the sender too')
    .option('--messages-per-s <r>', 'messages sent per second over all rooms')
    .option('--connects-per-s <c>', 'new connections per second (default: connections ÷ --session)')
    .option('--session <d>', `how long a connection lasts (default ${DEFAULT_SESSION})`)
    .option('--memory <fn=MB>', "plan a function at this memory size (repeatable; billed time stays as measured)", collect)
    .option('--region <r>', "price at this region's built-in prices (default: the prices the run was estimated at)")
    .option('--reserved <fn=N>', "a function's reserved concurrency (repeatable; default: the runs' scenario's target.reserved)", collect)
    .option('--table-capacity <read=R,write=W>', 'the tables are provisioned at R read and W write units/s (default: on-demand)')
    .option('--account-concurrency <n>', "the account's Lambda concurrency (default: as the runs read it from the account, else 1,000)")
    .option('--grow <axis>', `the traffic grown first to find the first limit to break: ${Object.keys(GROW_AXES).join(', ')} (default connections)`)
    .option('--out <dir>', 'where plan.json and summary.md are written (default: a new directory under reports/)')
    .action(async (dirs: string[], flags: PlanFlags) => {
      const { files, summary } = await planCommand(dirs, flags);
      for (const line of summary) process.stdout.write(`${line}\n`);
      for (const f of files) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
    });
}

/** A number > 0 (--messages-per-s, --connects-per-s). */
function positiveFlag(name: string, v: string | undefined): number | undefined {
  const n = numberFlag(name, v);
  if (n !== undefined && !(n > 0)) throw new UserError(`${name}: must be more than 0, got "${v}"`);
  return n;
}

/** The traffic the flags give, checked; undefined when none is given (the run's own). */
export function trafficFlags(flags: PlanFlags): TrafficInput | undefined {
  const main = [
    ['--connections', flags.connections],
    ['--room-size', flags.roomSize],
    ['--messages-per-s', flags.messagesPerS],
  ] as const;
  const given = main.filter(([, v]) => v !== undefined);
  if (given.length === 0) {
    for (const [flag, v] of [['--connects-per-s', flags.connectsPerS], ['--session', flags.session]] as const) {
      if (v !== undefined) throw new UserError(`${flag}: applies with --connections, --room-size and --messages-per-s (without them the run's own traffic is planned)`);
    }
    return undefined;
  }
  const missing = main.filter(([, v]) => v === undefined).map(([f]) => f);
  if (missing.length > 0) throw new UserError(`${missing.join(', ')}: missing (a traffic is --connections, --room-size and --messages-per-s together)`);
  const connections = intFlag('--connections', flags.connections, 1)!;
  const roomSize = intFlag('--room-size', flags.roomSize, 1)!;
  if (roomSize > connections) throw new UserError(`--room-size: ${roomSize} is more than --connections (${connections})`);
  const messagesPerS = positiveFlag('--messages-per-s', flags.messagesPerS)!;
  const connectsPerS = positiveFlag('--connects-per-s', flags.connectsPerS);
  const sessionSec = durationFlag('--session', flags.session ?? DEFAULT_SESSION)! / 1000;
  if (!(sessionSec > 0)) throw new UserError(`--session: must be longer than 0s, got "${flags.session}"`);
  return { connections, roomSize, messagesPerS, sessionSec, ...(connectsPerS !== undefined ? { connectsPerS } : {}) };
}

/** `--reserved fn=N`, each N at least 1; a function named twice keeps its last. */
function reservedFlags(v: readonly string[] | undefined): Record<string, number> | undefined {
  if (v === undefined) return undefined;
  return Object.fromEntries(
    v.map((item) => {
      const m = /^([\w.-]+)=(\d+)$/.exec(item);
      if (!m || Number(m[2]) < 1 || !Number.isSafeInteger(Number(m[2]))) throw new UserError(`--reserved: expected fn=N with N a whole number >= 1, got "${item}"`);
      return [m[1]!, Number(m[2])];
    }),
  );
}

/** `--table-capacity read=R,write=W`: both, whole numbers >= 1. */
function tableCapacityFlag(v: string | undefined): { read: number; write: number } | undefined {
  if (v === undefined) return undefined;
  const pairs = v.split(',').map((p) => /^(read|write)=(\d+)$/.exec(p.trim()));
  const got = Object.fromEntries(pairs.flatMap((m) => (m && Number(m[2]) >= 1 && Number.isSafeInteger(Number(m[2])) ? [[m[1]!, Number(m[2])]] : [])));
  if (pairs.length !== 2 || got.read === undefined || got.write === undefined) {
    throw new UserError(`--table-capacity: expected read=R,write=W in whole units/s >= 1, got "${v}"`);
  }
  return { read: got.read, write: got.write };
}

/** The limit flags, checked. */
export function limitFlags(flags: Pick<PlanFlags, 'reserved' | 'tableCapacity' | 'accountConcurrency'>): LimitFlags {
  const reserved = reservedFlags(flags.reserved);
  const tableCapacity = tableCapacityFlag(flags.tableCapacity);
  const accountConcurrency = intFlag('--account-concurrency', flags.accountConcurrency, 1);
  return { ...(reserved ? { reserved } : {}), ...(tableCapacity ? { tableCapacity } : {}), ...(accountConcurrency !== undefined ? { accountConcurrency } : {}) };
}

function growFlag(v: string | undefined): GrowthAxis | undefined {
  if (v === undefined) return undefined;
  const axis = Object.hasOwn(GROW_AXES, v) ? GROW_AXES[v] : undefined;
  if (!axis) throw new UserError(`--grow: must be ${Object.keys(GROW_AXES).join(', ')}, got "${v}"`);
  return axis;
}

export async function planCommand(dirs: readonly string[], flags: PlanFlags): Promise<{ files: string[]; summary: string[] }> {
  const traffic = trafficFlags(flags);
  const memory = memoryFlags(flags.memory) ?? {};
  const limits = limitFlags(flags);
  const grow = growFlag(flags.grow);
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(flags.region)) throw new UserError(`--region: not an AWS region name, got "${flags.region}"`);
  const runs: MeasuredRun[] = [];
  for (const dir of dirs) {
    const file = join(dir, RESULTS_FILE);
    runs.push({ file, results: await readResults(file) });
  }
  const plan = buildPlan({
    runs,
    ...(traffic ? { traffic } : {}),
    memory,
    limits,
    ...(grow ? { grow } : {}),
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    toolVersion: TOOL_VERSION,
    createdAt: new Date().toISOString(),
  });
  const dir = flags.out ?? createRunDir('reports', `plan-${plan.createdAt.replace(/[:.]/g, '-')}`);
  const files = await writePlan(plan, dir);
  return { files, summary: renderPlanConsole(plan) };
}
