import { UserError, fieldPath } from '../../common/errors.ts';
import { foreignProjectRefusal } from '../../common/foreign-projects.ts';
import { CONFIGURABLE_FUNCTION_NAMES } from '../contracts/reference-functions.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';

/**
 * What the local stack's knobs may say depends on which stack runs, and that is known only once
 * every layer is put together: the scenario's `target:`, the flags (`--template`, `--parameter`,
 * `--memory`) and a compared variant's knobs. A template may come from any layer and the function
 * names from another (`target: { memory: { PublishFunction: 1024 } }` run with `--template`), so
 * the layers are checked together, each mistake named where it was written:
 * - without a template, `memory` and `reserved` name the reference stack's functions (a template's
 *   are its own: the emulator names an unknown one when it reads the template);
 * - template parameters and layers need a template;
 * - `auth` is the reference stack's authorizer, `pushFanout` its server push, `provisionedConnect`
 *   and `provisionedSend` its provisioned concurrency: a template's own run as written;
 * - the template is CloudFormation, not another tool's project (common/foreign-projects.ts).
 */
export interface KnobLayer {
  knobs: StackKnobs | undefined;
  /** where a file holds these knobs, e.g. `scenario.yaml: target`; none for the flags */
  field?: string;
}

/** The flags that set knobs, for the layer without a file. */
const FLAG: Partial<Record<keyof StackKnobs, string>> = {
  memory: '--memory',
  reserved: '--reserved',
  parameters: '--parameter',
  auth: '--auth',
  pushFanout: '--push-fanout',
  provisionedConnect: '--provisioned-connect',
  provisionedSend: '--provisioned-send',
};

export function checkStackKnobs(layers: readonly KnobLayer[]): void {
  const template = layers.some((l) => l.knobs?.template !== undefined);
  // the template the stack would read (the last layer's), when it is another tool's project: said before any stack starts
  const chosen = layers.findLast((l) => l.knobs?.template !== undefined);
  const foreign = chosen && foreignProjectRefusal(chosen.knobs!.template!);
  if (foreign) throw new UserError(`${chosen!.field ? `${chosen!.field}.template:` : '--template'} ${chosen!.knobs!.template}: ${foreign}`);
  for (const { knobs, field } of layers) {
    if (!knobs) continue;
    const at = (key: keyof StackKnobs, name?: string) => (field ? `${field}.${fieldPath(name === undefined ? [key] : [key, name])}` : FLAG[key]!);
    if (template) {
      if (knobs.auth !== undefined) throw new UserError(`${at('auth')}: is the reference stack's authorizer: a template's own authorizer runs as written`);
      if (knobs.pushFanout !== undefined) throw new UserError(`${at('pushFanout')}: is the reference stack's server push: a template's own paths run as written`);
      for (const key of ['provisionedConnect', 'provisionedSend'] as const) {
        if (knobs[key] !== undefined) throw new UserError(`${at(key)}: is the reference stack's provisioned concurrency: a template's own runs as written (its ProvisionedConcurrencyConfig)`);
      }
      continue;
    }
    if (knobs.layers !== undefined && field) throw new UserError(`${at('layers')}: are for a template's functions: name a template too (template, or --template)`);
    if (knobs.parameters !== undefined) {
      throw new UserError(field ? `${at('parameters')}: are for a template: name one too (template, or --template)` : '--parameter: a parameter is for a template: give --template too');
    }
    for (const key of ['memory', 'reserved'] as const) {
      for (const name of Object.keys(knobs[key] ?? {})) {
        if (CONFIGURABLE_FUNCTION_NAMES.includes(name)) continue;
        const known = `(known: ${CONFIGURABLE_FUNCTION_NAMES.join(', ')})`;
        throw new UserError(field ? `${at(key, name)}: unknown function ${known}` : `${at(key)}: unknown function "${name}" ${known}`);
      }
    }
  }
}
