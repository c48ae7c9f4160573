import type { Command } from 'commander';
import { randomInt } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { ARTILLERY_VERSION, ENGINE_DIR, ENGINE_ENTRY, engineBundleForExport } from '../artillery-interop/engine-bundle.ts';
import { exportArtilleryScript } from '../artillery-interop/export-script.ts';
import { UserError } from '../../common/errors.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/index.ts';
import { DEFAULT_TOKEN_PLACEMENT, type TokenPlacement } from '../contracts/token-placement.ts';
import { checkRunInput } from '../session/run-input.ts';
import { durationFlag, intFlag, numberFlag, tokenInFlag } from './shared-flags.ts';

/**
 * `fanout-bench artillery export [scenario] --target <url> [--workers N] [--out file]`: the
 * scenario as an Artillery script for the fanout engine (src/artillery-interop/export-script.ts),
 * its load split over N workers, and the engine's bundle built from this harness (engine-bundle.ts), so
 * the engine a worker loads plays the plan the way this harness would. Nothing is started; the
 * token is never written (each worker reads FANOUT_BENCH_TOKEN). Bad input is one line, exit 2.
 */
export const ARTILLERY_DIR = dirname(ENGINE_DIR);

interface ExportFlags {
  target?: string;
  workers?: string;
  out?: string;
  clients?: string;
  rooms?: string;
  duration?: string;
  rate?: string;
  seed?: string;
  tokenIn?: string;
}

export function addArtilleryCommand(program: Command): void {
  const artillery = program.command('artillery').description('scale out on Artillery: export a scenario as an Artillery script for the fanout engine');
  artillery
    .command('export')
    .description('write a scenario as an Artillery script for artillery-engine-fanout, its load split over --workers Artillery workers')
    .argument('[scenario]', `built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or a YAML/JSON file`, 'default')
    .option('--target <url>', 'the ws:// or wss:// URL the workers connect to (`artillery run -t <url>` overrides it)')
    .option('--workers <n>', 'Artillery workers the load is split over (run-fargate/run-lambda --count n); each plays 1/n of the rooms and clients', '1')
    .option('--out <file>', 'write the script here (default: stdout)')
    .option('--clients <n>', 'simulated clients, all workers together (overrides the scenario)')
    .option('--rooms <n>', 'rooms, all workers together (overrides the scenario)')
    .option('--duration <d>', 'length of every send phase, e.g. 30s')
    .option('--rate <n>', 'messages per second of every send phase, all workers together')
    .option('--seed <n>', 'seed for room sizes and drops')
    .option('--token-in <where>', "where the workers put FANOUT_BENCH_TOKEN: header (x-api-key, default) or query (?token=); default: the scenario's target.auth.identitySource, else header")
    .action((scenario: string, flags: ExportFlags) => {
      const { text, notes } = artilleryExport(scenario, flags);
      if (flags.out === undefined) process.stdout.write(text);
      for (const n of notes) process.stderr.write(`fanout-bench: ${n}\n`);
    });
}

export function artilleryExport(scenarioRef: string, flags: ExportFlags): { text: string; notes: string[] } {
  const workers = intFlag('--workers', flags.workers ?? '1', 1, 10_000)!;
  if (flags.target === undefined) {
    throw new UserError('--target: the ws:// or wss:// URL the workers connect to is needed (`artillery run -t <url>` can change it later)');
  }
  // checked as a run's input is (the fleet plays on Artillery's workers, not on this host)
  const { scenario, target } = checkRunInput({
    scenario: scenarioRef,
    target: flags.target,
    clients: intFlag('--clients', flags.clients),
    rooms: intFlag('--rooms', flags.rooms),
    durationMs: durationFlag('--duration', flags.duration),
    rate: numberFlag('--rate', flags.rate),
    seed: intFlag('--seed', flags.seed),
    ignoreHostLimits: true,
  });
  if (target.kind !== 'url') throw new UserError(`--target: the workers connect to a ws:// or wss:// URL, got "${target.spec}"`);
  const url = target.url;
  const tokenIn = tokenInFlag(flags.tokenIn) ?? scenarioTokenIn(scenario.target.auth) ?? DEFAULT_TOKEN_PLACEMENT;
  const scriptDir = flags.out === undefined ? process.cwd() : dirname(resolve(flags.out));
  const { text, plan } = exportArtilleryScript(scenario, {
    workers,
    targetUrl: url,
    tokenIn,
    seed: scenario.seed ?? randomInt(2 ** 31 - 1),
    engineDir: relative(scriptDir, ENGINE_DIR).split(sep).join('/') || '.',
  });
  engineBundleForExport();
  if (flags.out !== undefined) {
    try {
      writeFileSync(flags.out, text);
    } catch (err) {
      throw new UserError(`--out ${flags.out}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  const each = plan.rooms.reduce((a, b) => a + b, 0);
  const notes = [
    `${flags.out ?? 'the script'}: scenario ${scenario.name} for ${workers} worker${workers === 1 ? '' : 's'}, each ${each} clients in ${plan.rooms.length} rooms; ` +
      (workers === 1 ? 'run it with: artillery run --output out.json <script>' : `run it with: artillery run-fargate --count ${workers} --output out.json <script> (see README, "Scale out on Artillery")`),
  ];
  if (Object.keys(scenario.target).length > 0) notes.push('the scenario\'s "target" knobs apply to the local emulator only (--target local of run); ignored');
  if (!existsSync(ENGINE_ENTRY)) {
    // installed: Artillery loads engines by package name, so the project installs this one beside Artillery
    const engine = relative(process.cwd(), ENGINE_DIR).split(sep).join('/');
    notes.push(`Artillery loads the engine by name: \`npm install --save-dev artillery@${ARTILLERY_VERSION} ./${engine}\` in this project, then run the script from here`);
  } else if (workers > 1 && scriptDir !== ARTILLERY_DIR) {
    notes.push(`for run-fargate or run-lambda, write the script into ${relative(process.cwd(), ARTILLERY_DIR) || '.'}/: its package.json and the engine are uploaded with it`);
  }
  return { text, notes };
}

function scenarioTokenIn(auth: unknown): TokenPlacement | undefined {
  return typeof auth === 'object' && auth !== null && 'identitySource' in auth ? (auth as { identitySource?: TokenPlacement }).identitySource : undefined;
}
