import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { UserError } from '../../common/errors.ts';
import { buildPlan } from '../analyses/plan/build-plan.ts';
import type { TrafficInput } from '../analyses/plan/monthly-cost.ts';
import type { MeasuredRun } from '../analyses/plan/work-model.ts';
import { TOOL_VERSION } from '../metrics/results/results-builder.ts';
import { createRunDir, RESULTS_FILE } from '../metrics/results/run-dir.ts';
import { renderPlanConsole } from '../report/plan/console.ts';
import { readResults } from '../report/run/read-results.ts';
import { writePlan } from '../report/plan/write.ts';
import { collect, durationFlag, intFlag, memoryFlags, numberFlag } from './shared-flags.ts';

/**
 * `fanout-bench plan <run-dir>… [--connections N --room-size S --messages-per-s R]
 * [--connects-per-s C] [--session 30m] [--memory fn=MB] [--region r] [--out dir]`: the measured
 * runs' work per operation, the traffic's cost per month by line (plan.json, summary.md). With no
 * traffic, the one run's own traffic over its own duration, its measured figures beside the
 * planned ones. Bad traffic, a run dir without results.json or --memory naming a function the
 * runs lack: one line, exit 2.
 */
interface PlanFlags {
  connections?: string;
  roomSize?: string;
  messagesPerS?: string;
  connectsPerS?: string;
  session?: string;
  memory?: string[];
  region?: string;
  out?: string;
}

const DEFAULT_SESSION = '30m';

export function addPlanCommand(program: Command): void {
  program
    .command('plan')
    .description("project measured runs to a traffic: the work per connect, join, message and recipient, and the month's cost by line (plan.json, summary.md)")
    .argument('<run-dirs...>', `run directories (each holding ${RESULTS_FILE})`)
    .option('--connections <n>', 'concurrent connections planned')
    .option('--room-size <n>', 'members per room, the sender too')
    .option('--messages-per-s <r>', 'messages sent per second over all rooms')
    .option('--connects-per-s <c>', 'new connections per second (default: connections ÷ --session)')
    .option('--session <d>', `how long a connection lasts (default ${DEFAULT_SESSION})`)
    .option('--memory <fn=MB>', "plan a function at this memory size (repeatable; billed time stays as measured)", collect)
    .option('--region <r>', "price at this region's built-in prices (default: the prices the run was estimated at)")
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

export async function planCommand(dirs: readonly string[], flags: PlanFlags): Promise<{ files: string[]; summary: string[] }> {
  const traffic = trafficFlags(flags);
  const memory = memoryFlags(flags.memory) ?? {};
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
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    toolVersion: TOOL_VERSION,
    createdAt: new Date().toISOString(),
  });
  const dir = flags.out ?? createRunDir('reports', `plan-${plan.createdAt.replace(/[:.]/g, '-')}`);
  const files = await writePlan(plan, dir);
  return { files, summary: renderPlanConsole(plan) };
}
