import { UserError } from '../../common/errors.ts';
import type { TargetFunction } from '../contracts/target-schema.ts';

/**
 * The one function a `compare --provisioned` or `--snapstart` sweep changes: the one `--function`
 * names (by name or a template's logical id), else the stack's one function that has the setting
 * (`has`). A name the stack does not have, or none or several with the setting and none named, is
 * one line naming what to give (the stack's functions), exit 2.
 */
export function sweptFunction(listed: readonly TargetFunction[], named: string | undefined, setting: { what: string; has: (f: TargetFunction) => boolean; hasText: string }): TargetFunction {
  const its = () => listed.map((f) => (f.logicalId ? `${f.logicalId} (${f.name})` : f.name)).join(', ');
  if (named !== undefined) {
    const fn = listed.find((f) => f.name === named) ?? listed.find((f) => f.logicalId === named);
    if (!fn) throw new UserError(`--function: ${named} is not a function of this stack (its functions: ${its()})`);
    return fn;
  }
  const candidates = listed.filter(setting.has);
  if (candidates.length !== 1) {
    const which = candidates.length === 0 ? `none of this stack's has ${setting.hasText}` : `${candidates.map((f) => f.name).join(', ')} have it`;
    throw new UserError(`--function: name the function whose ${setting.what} to compare (${which}; its functions: ${its()})`);
  }
  return candidates[0]!;
}
