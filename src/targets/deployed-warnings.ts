import { formatDuration } from '../contracts/duration.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';

/** How long AWS keeps an idle Lambda environment, at the least (minutes, in practice). */
const AWS_IDLE_ENVIRONMENT_MS = 5 * 60_000;

/**
 * A scenario against a stack the harness did not start (a URL, aws:<stackName>): its `target:`
 * knobs configure a local stack only, and an idle phase shorter than AWS keeps idle environments
 * cools none of them down.
 */
export function deployedStackWarnings(scenario: Scenario): string[] {
  const out: string[] = [];
  if (Object.keys(scenario.target).length > 0) out.push('the scenario\'s "target" knobs apply to --target local only; ignored');
  const idle = scenario.phases.find((p) => p.kind === 'idle');
  if (idle && idle.kind === 'idle' && idle.durationMs < AWS_IDLE_ENVIRONMENT_MS) {
    out.push(`idle phase "${idle.name}" (${formatDuration(idle.durationMs)}) is shorter than AWS keeps idle Lambda environments (minutes): few cold starts will follow it`);
  }
  return out;
}
