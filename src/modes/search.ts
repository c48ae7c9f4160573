import { relative, resolve, sep } from 'node:path';
import { UserError } from '../../common/errors.ts';
import type { HostFacts } from '../fleet/host-facts.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { searchAnswer } from '../analyses/search/search-answer.ts';
import { judgeExpect, type Expectation } from '../analyses/search/search-expect.ts';
import { SEARCH_SCHEMA_VERSION, VARY_UNIT, type Search, type SearchStep, type SearchVary } from '../analyses/search/search-schema.ts';
import { searchStep } from '../analyses/search/search-step.ts';
import { nextStep, type PlanSettings } from '../analyses/search/step-plan.ts';
import { writeSearch } from '../report/search/write.ts';
import { FLAG_NAMES, withOverrides, type OverrideNames } from '../scenarios/scenario-overrides.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { memorySession, type MemorySession } from '../aws/memory-session.ts';
import { checkStackKnobs } from '../local-stack/stack-knobs-check.ts';
import { functionNamed } from '../targets/target-functions.ts';
import { collectThresholds } from '../verdict/threshold-list.ts';
import { checkRunInput, type RunInput } from '../session/run-input.ts';
import { withSession, type SessionOptions } from '../session/session.ts';
import { DEFAULT_WARM_UP_MS } from '../session/warm-up.ts';

/**
 * `search`: the load at which a scenario stops meeting its SLOs, against one target. Each step is
 * the scenario at one load (`vary`: its send rate, its clients, or its members per room): a short
 * warm-up at that load, then the measured hold, a complete run directory (`step-<n>-<load>/`)
 * judged against the SLOs like `run`'s thresholds. Which load comes next is the step plan's
 * (src/analyses/search/step-plan.ts); what limited a failing step is read from its results
 * (src/diagnosis/limit-evidence.ts). search.json and its reports are written after every step, so a search that
 * is interrupted, or stops on mass errors, keeps every step it measured. Memory changed for the
 * search (`memory`) goes back at the end, also after a failure or Ctrl-C, through Lambda's API as
 * compare's does.
 */
export interface SearchOptions extends Omit<SessionOptions, 'durationMs'> {
  vary: SearchVary;
  /** threshold expressions every step must meet (with the scenario's own thresholds) */
  slos: string[];
  /** the first load (default: the scenario's own) */
  from?: number;
  /** the highest load ever measured (default: 16 × from) */
  to?: number;
  /** bisection stops within this share of the passing load (default 0.1) */
  resolution?: number;
  /** the measured send phase's length at each step */
  holdMs: number;
  /** each step's warm-up send phase (0: none; default 3 s) */
  warmUpMs?: number;
  expect?: Expectation;
  /** memory for these functions while the search runs, set and restored through Lambda's API */
  memory?: Record<string, number>;
}

export interface SearchOutcome {
  search: Search;
  dir: string;
}

export const DEFAULT_RESOLUTION = 0.1;
/** --to's default, as a multiple of --from: four doublings. */
const DEFAULT_SPAN = 16;
/** At most this many steps, whatever the plan: a search ends in bounded time. */
const MAX_STEPS = 40;

export async function runSearch(o: SearchOptions): Promise<SearchOutcome> {
  const input = checkRunInput({ ...o, durationMs: o.holdMs, overrideNames: STEP_NAMES });
  const base = input.scenario;
  // a local stack's functions are known before it starts: the reference stack's, or a template's
  if (o.memory && input.target.startsLocalStack) checkStackKnobs([{ knobs: base.target, field: `${base.source}: target` }, { knobs: { ...o.stackKnobs, memory: o.memory } }]);
  if (!base.phases.some((p) => p.kind === 'send')) throw new UserError(`${base.source}: a search needs a send phase (its load is what a step holds)`);
  const from = o.from ?? currentLoad(base, o.vary);
  const to = o.to ?? from * DEFAULT_SPAN;
  if (to < from) throw new UserError(`--to: must be at least --from (${from}), got ${to}`);
  if (o.vary === 'clients' && from < base.rooms) throw new UserError(`--from: a search over clients starts at no fewer clients than rooms (${base.rooms}), got ${from}`);
  const atLoad = (load: number) => stepScenario(base, o.vary, load, o.holdMs);
  // the first and the largest step checked before anything starts, each named by its flag
  stepScenario(base, o.vary, from, o.holdMs, '--from');
  const { shards } = largestStepInput(o, base, to);
  const stepInput: RunInput = { ...input, shards };
  const slos = collectThresholds({ scenario: base.thresholds, flags: o.slos, flagName: '--slo', baseline: { none: 'a search has no baseline: give the SLO as a value, e.g. "broadcast.p99 < 250ms"' } });
  if (slos.length === 0) throw new UserError('--slo: a search needs at least one SLO, e.g. --slo "broadcast.p99 < 250ms"');

  const searchId = newRunId(`search-${base.name}`);
  const settings: PlanSettings = { from, to, resolution: o.resolution ?? DEFAULT_RESOLUTION };
  const unit = VARY_UNIT[o.vary];
  const warmUpMs = o.warmUpMs ?? DEFAULT_WARM_UP_MS;
  const startedAt = new Date().toISOString();
  const steps: SearchStep[] = [];
  const restored: string[] = [];
  let stopped: string | undefined;
  const current = (status: Search['status']): Search => {
    const answer = searchAnswer({ steps: steps.filter((s) => s.status !== 'interrupted'), from, to, resolution: settings.resolution, unit, stopped });
    return {
      schemaVersion: SEARCH_SCHEMA_VERSION,
      searchId,
      scenario: { name: base.name, source: base.source },
      target: input.target.spec,
      vary: o.vary,
      unit,
      from,
      to,
      resolution: settings.resolution,
      holdMs: o.holdMs,
      warmUpMs,
      slos: slos.map((t) => t.expression),
      status,
      ...(stopped ? { statusReason: stopped } : {}),
      startedAt,
      endedAt: new Date().toISOString(),
      steps: [...steps],
      answer,
      ...(o.expect ? { expect: judgeExpect(o.expect, answer, unit) } : {}),
      restored: [...restored],
    };
  };

  const dir = await withSession(o, searchId, async (session) => {
    const quotas = await session.planQuotas(atLoad(to), stepInput, `at --to ${to}`);
    const target = await session.start(stepInput);
    let memory: MemorySession | undefined;
    let lambda: ReturnType<typeof createLambdaClient> | undefined;
    try {
      if (o.memory && Object.keys(o.memory).length > 0) {
        if (!target.lambdaApi) throw new UserError(`--memory: --target ${input.target.spec} names no Lambda API to set memory through (use --target local or aws:<stackName>)`);
        lambda = createLambdaClient(target.lambdaApi);
        // a local template's functions by logical id too: Lambda's API knows them by name
        const { functions: listed } = await target.describeFunctions();
        const sizes = Object.fromEntries(Object.entries(o.memory).map(([fn, mb]) => [functionNamed(listed, fn), mb]));
        memory = await memorySession(lambda, Object.keys(sizes), { log: (line) => session.say(line) });
        session.say(`setting ${Object.entries(sizes).map(([fn, mb]) => `${fn} to ${mb} MB`).join(', ')} for the search`);
        try {
          await memory.set(sizes);
        } catch (err) {
          if (!session.aborted) throw err; // Ctrl-C while it took effect: interrupted, no step run
        }
      }
      for (let index = 1; index <= MAX_STEPS && !session.aborted; index++) {
        const next = nextStep(steps.filter((s) => s.status !== 'interrupted'), settings);
        if (!next) break;
        session.say(`step ${index}: ${next.load} ${unit} (${next.role})${warmUpMs === 0 ? '' : ', warming up'}`);
        const scenario = atLoad(next.load);
        const runId = `${searchId}-step-${index}`;
        if (warmUpMs > 0) {
          await session.warmUp(scenario, target, stepInput, { runId: `${runId}-warm`, warmUpMs });
          if (session.aborted) break;
        }
        const stepDir = session.subdir(`step-${index}-${next.load}`);
        const results = await session.measure({ dir: stepDir, runId, scenario, target, input: stepInput, quotas, judge: { thresholds: slos } });
        const step = searchStep(results, { index, load: next.load, role: next.role, dir: relativeDir(session.dir, stepDir) });
        steps.push(step);
        session.say(`step ${index}: ${next.load} ${unit}: ${step.status !== 'completed' ? step.status : step.passed ? 'met every SLO' : `did not meet the SLOs${step.evidence[0] ? ` (${step.evidence[0].line})` : ''}`}`);
        if (step.massErrors) {
          stopped = `mass errors at ${next.load} ${unit}: ${step.massErrors}`;
          session.warn(`stopping the search: ${stopped}`);
        } else if (step.status === 'failed') {
          stopped = `the step at ${next.load} ${unit} failed: ${results.statusReason ?? 'the target stopped answering'}`;
        }
        await writeSearch(current(session.aborted ? 'interrupted' : 'completed'), session.dir, { onWarning: o.onWarning });
        if (stopped) break;
      }
    } finally {
      try {
        if (memory) {
          await memory.restore();
          restored.push(...Object.entries(memory.original).map(([fn, mb]) => `${fn} memory back to ${mb} MB`));
        }
      } finally {
        lambda?.destroy();
      }
    }
    return session.dir;
  });
  if (o.signal?.aborted) stopped ??= `interrupted (${String(o.signal.reason ?? 'SIGINT')})`;
  const search = current(o.signal?.aborted ? 'interrupted' : stopped ? 'stopped' : 'completed');
  await writeSearch(search, dir, { onWarning: o.onWarning });
  return { search, dir };
}

/** The load the scenario itself has: its first send phase's rate, its clients, or its mean room size. */
export function currentLoad(s: Scenario, vary: SearchVary): number {
  switch (vary) {
    case 'rate': {
      const send = s.phases.find((p) => p.kind === 'send');
      return Math.max(1, Math.round(send?.kind === 'send' ? send.rate : 1));
    }
    case 'clients':
      return s.clients;
    case 'room-size':
      return Math.max(1, Math.round(s.clients / s.rooms));
  }
}

/**
 * The run input of the search's largest step (`to`), checked before anything starts: its fleet
 * against this host, and its shards (unless --shards: as its planned load needs) are every step's,
 * so that steps differ in their load only and the top steps do not saturate a single shard.
 */
export function largestStepInput(o: SearchOptions, base: Scenario, to: number, host?: HostFacts): RunInput {
  return checkRunInput({ ...o, durationMs: o.holdMs, ...sizeAt(base, o.vary, to), ...(o.vary === 'rate' ? { rate: to } : {}), overrideNames: stepNames(o.vary, '--to') }, host);
}

/** The scenario's clients at a load (a room-size search keeps the rooms and fills them). */
function sizeAt(s: Scenario, vary: SearchVary, load: number): { clients?: number } {
  if (vary === 'clients') return { clients: load };
  if (vary === 'room-size') return { clients: load * s.rooms };
  return {};
}

/** Who sets what in a step's scenario, for messages: the load flag (`--from`, `--to`), `--hold`, or run's flags. */
const STEP_NAMES: OverrideNames = { ...FLAG_NAMES, durationMs: '--hold' };
function stepNames(vary: SearchVary, load: string): OverrideNames {
  return { ...STEP_NAMES, ...(vary === 'rate' ? { rate: load } : { clients: load }) };
}

/** The scenario at one step's load, every send phase holding for `holdMs`; `loadFlag` names the flag that asked for the load. */
export function stepScenario(s: Scenario, vary: SearchVary, load: number, holdMs: number, loadFlag = '--to'): Scenario {
  return withOverrides(s, { ...sizeAt(s, vary, load), ...(vary === 'rate' ? { rate: load } : {}), durationMs: holdMs }, stepNames(vary, loadFlag));
}

/** A step's directory relative to the search's, with forward slashes (the search and its steps move together). */
function relativeDir(dir: string, stepDir: string): string {
  return relative(resolve(dir), resolve(stepDir)).split(sep).join('/');
}
