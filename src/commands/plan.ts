import type { Command } from 'commander';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { UserError } from '../../common/errors.ts';
import { buildPlan } from '../analyses/plan/build-plan.ts';
import type { TrafficInput } from '../analyses/plan/monthly-cost.ts';
import type { LimitFlags } from '../analyses/plan/plan-limits.ts';
import type { GrowthAxis } from '../analyses/plan/plan-schema.ts';
import { DEFAULT_TARGET_TRACKING, type TargetTracking } from '../analyses/plan/provisioned-need.ts';
import { readPlanDirs, type VariantRuns } from '../analyses/plan/run-dirs.ts';
import { checkTraffic, DEFAULT_SESSION, type TrafficField } from '../analyses/plan/traffic-check.ts';
import { readTrafficFile } from '../analyses/plan/traffic-file.ts';
import { TOOL_VERSION } from '../metrics/results/results-builder.ts';
import { createRunDir, RESULTS_FILE } from '../metrics/results/run-dir.ts';
import { COMPARE_FILES } from '../report/compare/write.ts';
import { readComparison } from '../report/compare/read-comparison.ts';
import { renderPlanConsole } from '../report/plan/console.ts';
import { readResults } from '../report/run/results-file.ts';
import { PLAN_FILES, writePlan } from '../report/plan/write.ts';
import { renderVariantPlansConsole, renderVariantPlansMarkdown, variantPlanRows } from '../report/plan/variants.ts';
import { writeTextFiles } from '../report/shared/write-files.ts';
import { fmtNum } from '../number-format.ts';
import { writeLines } from '../report/shared/console-lines.ts';
import { summaryFlag, summaryLength } from './summary-flag.ts';
import { collect, durationFlag, intFlag, memoryFlags, numberFlag } from './shared-flags.ts';
import { hostFacts } from '../fleet/host-facts.ts';

/**
 * `fanout-bench plan <run-dir|compare-dir|sweep-dir>… [--connections N --room-size S
 * --messages-per-s R [--connects-per-s C] [--session 30m] | --traffic file.yaml] [--memory fn=MB]
 * [--region r] [--reserved fn=N] [--table-capacity read=R,write=W] [--account-concurrency N]
 * [--grow axis] [--target-tracking target=T,min=N] [--out dir]`: the measured runs' work per operation, the traffic's cost per month
 * by line, its headroom at the peak against every limit and the first limit to break as it grows
 * (plan.json, index.html, summary.md, in a folder of its own). A room-size sweep's runs give the
 * fan-out functions' billed time against the room size. With no traffic, the one run's own traffic over its own duration,
 * its measured figures beside the planned ones. Bad traffic, a dir with neither results.json nor
 * compare.json, a comparison a plan cannot pool, or --memory/--reserved naming a function the
 * runs lack: one line, exit 2.
 */
interface PlanFlags {
  summary?: string;
  connections?: string;
  roomSize?: string;
  messagesPerS?: string;
  connectsPerS?: string;
  session?: string;
  traffic?: string;
  memory?: string[];
  region?: string;
  reserved?: string[];
  tableCapacity?: string;
  accountConcurrency?: string;
  grow?: string;
  targetTracking?: string;
  out?: string;
}

/** --grow's names for the axes */
const GROW_AXES: Record<string, GrowthAxis> = { connections: 'connections', 'room-size': 'roomSize', rate: 'messagesPerS' };

export function addPlanCommand(program: Command): void {
  const command = program
    .command('plan')
    .description("project measured runs to a traffic: the work per connect, join, message and recipient, the month's cost by line, the headroom at the peak and the first limit to break (plan.json, index.html, summary.md)")
    .argument('<dirs...>', `run directories (holding ${RESULTS_FILE}), or compare or sweep directories (holding ${COMPARE_FILES.json}): a room-size sweep's runs fit billed time against the room size`)
    .option('--connections <n>', 'concurrent connections planned')
    .option('--room-size <n>', 'members per room, the sender too')
    .option('--messages-per-s <r>', 'messages sent per second over all rooms')
    .option('--connects-per-s <c>', 'new connections per second (default: connections ÷ --session)')
    .option('--session <d>', `how long a connection lasts (default ${DEFAULT_SESSION})`)
    .option('--traffic <file>', 'the traffic as a YAML/JSON file, with a daily profile of peak and off-peak hours (instead of the traffic flags)')
    .option('--memory <fn=MB>', "plan a function at this memory size (repeatable; billed time stays as measured)", collect)
    .option('--region <r>', "price at this region's built-in prices (default: the prices the run was estimated at)")
    .option('--reserved <fn=N>', "a function's reserved concurrency (repeatable; default: the runs' scenario's target.reserved)", collect)
    .option('--table-capacity <read=R,write=W>', 'the tables are provisioned at R read and W write units/s (default: on-demand)')
    .option('--account-concurrency <n>', "the account's Lambda concurrency (default: as the runs read it from the account, else 1,000)")
    .option('--grow <axis>', `the traffic grown first to find the first limit to break: ${Object.keys(GROW_AXES).join(', ')} (default connections)`)
    .option('--target-tracking <target=T,min=N>', "provisioned concurrency's target tracking in a launch's first minutes, against scheduled scaling: its target utilization (0 to 1) and the environments it starts from (default target=0.7,min=1)")
    .option('--out <dir>', 'the plan\'s own folder: plan.json, index.html and summary.md (new, empty or an earlier plan\'s; default: a new directory under reports/)');
  summaryFlag(command).action(async (dirs: string[], flags: PlanFlags) => {
    summaryLength(flags.summary);
    const { files, summary } = await planCommand(dirs, flags);
    writeLines(process.stdout, summary, 'summary.md');
    for (const f of files) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
  });
}

const TRAFFIC_FLAGS = [
  ['--connections', 'connections'],
  ['--room-size', 'roomSize'],
  ['--messages-per-s', 'messagesPerS'],
  ['--connects-per-s', 'connectsPerS'],
  ['--session', 'session'],
] as const;

const FLAG_NAMES: Record<TrafficField, string> = Object.fromEntries(TRAFFIC_FLAGS.map(([flag, field]) => [field, flag])) as Record<TrafficField, string>;

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
  const raw: Record<TrafficField, string | undefined> = { connections: flags.connections, roomSize: flags.roomSize, messagesPerS: flags.messagesPerS, connectsPerS: flags.connectsPerS, session: flags.session ?? DEFAULT_SESSION };
  // the flags' form here (a whole number, a number, a duration); what the traffic may be, in checkTraffic as for a file
  const connectsPerS = numberFlag('--connects-per-s', flags.connectsPerS);
  return checkTraffic(
    {
      connections: intFlag('--connections', flags.connections, 1)!,
      roomSize: intFlag('--room-size', flags.roomSize, 1)!,
      messagesPerS: numberFlag('--messages-per-s', flags.messagesPerS)!,
      sessionSec: durationFlag('--session', raw.session)! / 1000,
      ...(connectsPerS !== undefined ? { connectsPerS } : {}),
    },
    { names: FLAG_NAMES, got: (field) => `"${raw[field]}"` },
  );
}

/**
 * `--traffic file`: the file gives the whole traffic, so a traffic flag beside it is refused
 * rather than merged (one place says what is planned; plan.json's profile names the file).
 */
function trafficOf(flags: PlanFlags): TrafficInput | undefined {
  if (flags.traffic === undefined) return trafficFlags(flags);
  for (const [flag, field] of TRAFFIC_FLAGS) {
    if (flags[field] !== undefined) throw new UserError(`${flag}: --traffic ${flags.traffic} gives the traffic: set ${field} in the file, or plan by flags without --traffic`);
  }
  return readTrafficFile(flags.traffic);
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

/** `--target-tracking target=T,min=N`: either or both, over the default (a target above 0 up to 1; at least 1 environment: with none there is no utilization to track). */
function targetTrackingFlag(v: string | undefined): TargetTracking | undefined {
  if (v === undefined) return undefined;
  const out: TargetTracking = { ...DEFAULT_TARGET_TRACKING };
  for (const part of v.split(',')) {
    const m = /^(target|min)=(.+)$/.exec(part.trim());
    const n = m ? Number(m[2]) : Number.NaN;
    if (m?.[1] === 'target' && n > 0 && n <= 1) out.targetValue = n;
    else if (m?.[1] === 'min' && Number.isSafeInteger(n) && n >= 1) out.minCapacity = n;
    else throw new UserError(`--target-tracking: expected target=T (above 0, at most 1) and/or min=N (a whole number >= 1), comma-separated, got "${v}"`);
  }
  return out;
}

function growFlag(v: string | undefined): GrowthAxis | undefined {
  if (v === undefined) return undefined;
  const axis = Object.hasOwn(GROW_AXES, v) ? GROW_AXES[v] : undefined;
  if (!axis) throw new UserError(`--grow: must be ${Object.keys(GROW_AXES).join(', ')}, got "${v}"`);
  return axis;
}

export async function planCommand(dirs: readonly string[], flags: PlanFlags): Promise<{ files: string[]; summary: string[] }> {
  const traffic = trafficOf(flags);
  const memory = memoryFlags(flags.memory) ?? {};
  const limits = limitFlags(flags);
  const grow = growFlag(flags.grow);
  const targetTracking = targetTrackingFlag(flags.targetTracking);
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(flags.region)) throw new UserError(`--region: not an AWS region name, got "${flags.region}"`);
  const { runs, notes, variants } = await readPlanDirs(dirs, { resultsFile: RESULTS_FILE, readResults, comparisonFile: COMPARE_FILES.json, readComparison });
  const dirOf = (createdAt: string) => flags.out ?? createRunDir('reports', `plan-${createdAt.replace(/[:.]/g, '-')}`);
  if (variants) return planVariants(variants, { notes, traffic, memory, limits, grow, region: flags.region, targetTracking }, dirOf(new Date().toISOString()));
  const plan = buildPlan({
    runs,
    readNotes: notes,
    ...(traffic ? { traffic } : {}),
    memory,
    limits,
    ...(grow ? { grow } : {}),
    ...(targetTracking ? { targetTracking } : {}),
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    host: thisHost(),
    toolVersion: TOOL_VERSION,
    createdAt: new Date().toISOString(),
  });
  const dir = dirOf(plan.createdAt);
  const files = await writePlan(plan, dir);
  return { files, summary: renderPlanConsole(plan, undefined, summaryLength(flags.summary)) };
}

/**
 * A grid's variants, each planned on its own into `<dir>/<variant>/`, side by side in `<dir>/summary.md`
 * and on the console. With a traffic, each from its runs at every room size (its fan-out's billed
 * time fitted against the room size); without, at the own traffic of its run at the largest room
 * size it measured: a run's own traffic is one run's, and the largest room is the nearest to a
 * launch's and the first to meet a limit.
 */
async function planVariants(
  variants: readonly VariantRuns[],
  o: { notes: string[]; traffic?: TrafficInput; memory: Record<string, number>; limits: LimitFlags; grow?: GrowthAxis; region?: string; targetTracking?: TargetTracking | undefined },
  dir: string,
): Promise<{ files: string[]; summary: string[] }> {
  const createdAt = new Date().toISOString();
  const planned = variants.map((v) => {
    const basis = o.traffic
      ? `its runs at every room size measured (${v.runs.length} run${v.runs.length === 1 ? '' : 's'})`
      : `no traffic given: its run's own traffic at the largest room size it measured, ${fmtNum(v.largestRoomSize)} members`;
    const plan = buildPlan({
      runs: o.traffic ? v.runs : v.atLargest.slice(0, 1),
      readNotes: [...o.notes, `variant ${v.name}: planned from ${basis}`],
      ...(o.traffic ? { traffic: o.traffic } : {}),
      memory: o.memory,
      limits: o.limits,
      ...(o.grow ? { grow: o.grow } : {}),
      ...(o.targetTracking ? { targetTracking: o.targetTracking } : {}),
      ...(o.region !== undefined ? { region: o.region } : {}),
      host: thisHost(),
      toolVersion: TOOL_VERSION,
      createdAt,
    });
    return { name: v.name, basis, plan, dir: join(dir, v.name.replace(/[^A-Za-z0-9_.-]+/g, '_')) };
  });
  // like a plan's own folder: new, empty or these variants' plans, never a run's (its summary.md)
  await mkdir(dir, { recursive: true });
  const own = new Set([PLAN_FILES.summary, ...planned.map((p) => basename(p.dir))]);
  const other = (await readdir(dir)).filter((e) => !own.has(e));
  if (other.length > 0) throw new UserError(`--out ${dir}: holds ${other.sort().slice(0, 3).join(', ')}, not these variants' plans: a grid's plans are written to a folder of their own; name a new or empty directory`);
  const files: string[] = [];
  for (const p of planned) files.push(...(await writePlan(p.plan, p.dir)));
  const rows = variantPlanRows(planned);
  files.push(...(await writeTextFiles(dir, [[PLAN_FILES.summary, renderVariantPlansMarkdown(rows)]])));
  return { files, summary: renderVariantPlansConsole(rows) };
}

/** This machine as the plan sizes its load hosts: its vCPUs, memory, open files and ports. */
function thisHost(): { vcpus: number; memoryBytes: number; openFiles?: number; ports?: number } {
  const h = hostFacts();
  return { vcpus: h.cores, memoryBytes: h.totalMemoryBytes, ...(h.openFilesPerProcess !== undefined ? { openFiles: h.openFilesPerProcess } : {}), ...(h.localPorts !== undefined ? { ports: h.localPorts } : {}) };
}
