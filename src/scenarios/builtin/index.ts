import type { ScenarioInput } from '../../contracts/scenario-schema.ts';
import { coldStart } from './cold-start.ts';
import { connectStorm } from './connect-storm.ts';
import { defaultScenario } from './default.ts';
import { fanout } from './fanout.ts';
import { push } from './push.ts';
import { staleCleanup } from './stale-cleanup.ts';

export const BUILTIN_SCENARIOS: Readonly<Record<string, ScenarioInput>> = {
  default: defaultScenario,
  'connect-storm': connectStorm,
  fanout,
  'cold-start': coldStart,
  'stale-cleanup': staleCleanup,
  push,
};
