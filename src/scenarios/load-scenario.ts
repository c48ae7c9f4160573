import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import { describeIssue } from '../contracts/schema-issue.ts';
import { BUILTIN_SCENARIOS } from './builtin/index.ts';
import { normalizeScenario, ScenarioSchema, type Scenario } from '../contracts/scenario-schema.ts';
import { resolveProtocolRef } from './protocol-file.ts';

/**
 * `run [scenario|file]`: a built-in name, or a YAML/JSON file. Every mistake is one line that
 * names the file and the field, e.g. `my.yaml: phases[2].send.rate: must be a number > 0 and at most 1000000`.
 */
export function loadScenario(ref: string | undefined): Scenario {
  const name = ref ?? 'default';
  const builtin = BUILTIN_SCENARIOS[name];
  if (builtin) return validateScenario(builtin, `built-in scenario ${name}`);
  if (!existsSync(name)) {
    throw new UserError(
      `${name}: not a built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) nor a scenario file`,
    );
  }
  const scenario = validateScenario(withProtocolResolved(readDataFile(name, { what: 'scenario file' }), name), name);
  // A stack config named in the file is relative to the file, not to where the run starts.
  if (scenario.target.config !== undefined) scenario.target.config = resolve(dirname(name), scenario.target.config);
  if (scenario.target.template !== undefined) scenario.target.template = resolve(dirname(name), scenario.target.template);
  const layers = scenario.target.layers;
  if (layers !== undefined) scenario.target.layers = Object.fromEntries(Object.entries(layers).map(([arn, dir]) => [arn, resolve(dirname(name), dir)]));
  const auth = scenario.target.auth;
  if (typeof auth === 'object' && auth.tokenFile !== undefined) auth.tokenFile = resolve(dirname(name), auth.tokenFile);
  // a publish header read from a file: the file's path too
  for (const phase of scenario.phases) {
    if (phase.kind !== 'publish' || phase.headers === undefined) continue;
    for (const [header, value] of Object.entries(phase.headers)) if (typeof value === 'object' && 'file' in value) phase.headers[header] = { ...value, file: resolve(dirname(name), value.file) };
  }
  return scenario;
}

/**
 * The scenario file's definition with its protocol's paths resolved against the file's folder:
 * a protocol file read, checked (its mistakes name it) and put inline, a module's path made
 * absolute. What is validated and recorded is then the same wherever the run starts.
 */
function withProtocolResolved(input: unknown, file: string): unknown {
  if (typeof input !== 'object' || input === null || !('protocol' in input)) return input;
  const d = input as Record<string, unknown>;
  return { ...d, protocol: resolveProtocolRef(d.protocol, dirname(file), file) };
}

/**
 * Who changed a field the schema refuses, if not the scenario's source: `by` names it (a flag);
 * `own` means the field is the one it sets, so the message needs no field path, and says what it
 * was `given`.
 */
export type Blame = (path: readonly PropertyKey[]) => { by: string; own: boolean; given?: string } | undefined;

/**
 * Validates a scenario definition; `source` names it in the message (a file path), or `blame`
 * the flag that set the field at fault.
 */
export function validateScenario(input: unknown, source: string, blame?: Blame, parsed?: Pick<Scenario, 'thresholds'>): Scenario {
  const result = ScenarioSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const who = blame?.(issue.path);
    if (!who) throw new UserError(`${source}: ${describeIssue(issue)}`);
    throw new UserError(`${who.by}: ${who.own ? issue.message : describeIssue(issue)}${who.own && who.given !== undefined ? `, got "${who.given}"` : ''}`);
  }
  return normalizeScenario(result.data, source, parsed);
}
