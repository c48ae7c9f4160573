import { describe, expect, it } from 'vitest';
import { PATH_ROUTE } from '../../common/stack-ready.ts';
import type { FunctionHop } from '../../src/contracts/path-schema.ts';
import { REFERENCE_FUNCTIONS } from '../../src/contracts/reference-functions.ts';
import { REFERENCE_TABLES } from '../../src/contracts/reference-tables.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { runFunctions, runPathFunctions, runTables } from '../../src/metrics/cost/run-functions.ts';
import { functionsNotListed } from '../../src/targets/target-functions.ts';
import { sqsFanoutPath } from '../fixtures/path/sqs-fanout-path.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * What a run pulls, judges and prices is its stack's own: the functions and tables its target
 * listed, a queue's consumer among them; the reference stack's only where the run is known to be
 * against it. Never another stack's names for a stack that listed none.
 */
type Target = Results['config']['target'];
const withTarget = (target: Partial<Target>) => {
  const r = buildResults();
  r.config = { ...r.config, target: { ...r.config.target, ...target } as Target };
  return r;
};
const own = { source: 'stack' as const, functions: [{ name: 'chat-Connect-1', route: '$connect', memoryMB: 256 }, { name: 'chat-Consumer-2', route: PATH_ROUTE, memoryMB: 512 }] };

describe("a run's functions and tables", () => {
  it("are the target's listing, a function of no route among them", () => {
    const r = withTarget({ kind: 'local', functions: own, endpoints: { websocket: 'ws://127.0.0.1:1/live', services: 'local', tables: ['chat-Connections-3'] } });
    expect(runFunctions(r).map((f) => f.name)).toEqual(['chat-Connect-1', 'chat-Consumer-2']);
    expect(runTables(r)).toEqual([{ name: 'chat-Connections-3', globalIndexes: [] }]);
  });

  it("are none for a stack that listed none and is not known to be ours; the reference stack's only where its functions were assumed", () => {
    const unknown = withTarget({ kind: 'remote', functions: functionsNotListed({ connectColdFlag: false }, 'not asked'), endpoints: { websocket: 'wss://x/prod', services: 'unknown' } });
    expect(runFunctions(unknown)).toEqual([]);
    expect(runTables(unknown)).toEqual([]);
    expect(unknown.config.target.functions!.note).toBe("not asked: no function's metrics, logs or permissions are read");
    const ours = withTarget({ kind: 'remote', functions: functionsNotListed({ connectColdFlag: true }, 'not asked'), endpoints: { websocket: 'wss://x/prod', services: 'unknown' } });
    expect(runFunctions(ours).map((f) => f.name)).toEqual(REFERENCE_FUNCTIONS.map((f) => f.name));
    expect(runTables(ours)).toEqual(REFERENCE_TABLES);
    // results written before targets listed their functions: a local target ran the reference stack; a deployed one is not assumed
    const { functions: _f, ...olderLocal } = withTarget({ kind: 'local' }).config.target;
    expect(runFunctions({ config: { ...buildResults().config, target: olderLocal as Target } })).toEqual(REFERENCE_FUNCTIONS);
    expect(runFunctions({ config: { ...buildResults().config, target: { ...olderLocal, kind: 'remote' } as Target } })).toEqual([]);
  });

  it('a listed function of no route on the path is priced as a path function at its listed memory, where CloudWatch has no REPORT lines for it', () => {
    const path = sqsFanoutPath(0);
    const hop = path.hops.find((h): h is FunctionHop => h.kind === 'function')!;
    const r = withTarget({ functions: { source: 'stack', functions: [{ name: hop.name, route: PATH_ROUTE, memoryMB: 512 }] } });
    r.path = path;
    const [p] = runPathFunctions(r);
    expect(p).toMatchObject({ fn: { name: hop.name, route: PATH_ROUTE, memoryMB: 512 }, memoryAssumed: false });
    const c = estimateCost(r, { prices: DEFAULT_PRICES });
    // priced once, from the hop's totals (the fixture's cloudwatch has no REPORT lines of it)
    expect(c.lines.filter((l) => l.item.startsWith(`${hop.name} compute`)).map((l) => l.item)).toEqual([`${hop.name} compute (512 MB, x86_64)`]);
    expect(c.assumptions.join('\n')).not.toContain(`${hop.name} (a path function): memory not read`);
  });
});
