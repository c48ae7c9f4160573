import { readToken } from '../../../common/auth-token.ts';
import { readPlan } from './plan.ts';
import { Player } from './player.ts';

/**
 * artillery-engine-fanout: an Artillery v2 engine that plays fanout-bench's chat client.
 * Artillery loads it for `config.engines.fanout` (module `artillery-engine-fanout`) and gives each
 * virtual user of a scenario with `engine: fanout` the function createScenario() returns. One
 * virtual user plays one worker's whole share of the scenario (the plan under
 * `config.engines.fanout`): its rooms live in that one process, so a room never spans machines
 * and every broadcast latency is taken on one clock.
 *
 * Metrics leave through Artillery's scenario events: `histogram` (ms), `counter`, and `error`
 * (Artillery's `errors.<kind>` counters); their names are src/artillery-interop/metric-names.ts.
 *
 * The token of a $connect authorizer comes from FANOUT_BENCH_TOKEN at run time (never from the
 * script), sent as the plan's tokenIn says: the x-api-key header or the token query parameter.
 */
interface ScenarioEvents {
  emit(event: string, ...args: unknown[]): unknown;
}

type ScenarioDone = (err: Error | null, context: unknown) => void;

export default class FanoutEngine {
  constructor(
    private readonly script: { config: Record<string, any> },
    _ee?: unknown,
    _helpers?: unknown,
  ) {}

  createScenario(spec: { protocol?: unknown } | undefined, ee: ScenarioEvents): (context: unknown, callback: ScenarioDone) => void {
    return (context, callback) => {
      ee.emit('started');
      const fail = (problem: string) => {
        ee.emit('error', `fanout: ${problem}`);
        callback(new Error(problem), context);
      };
      const read = readPlan(this.script.config.engines?.fanout, spec?.protocol);
      if ('problem' in read) return fail(read.problem);
      const url = this.script.config.target;
      if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) return fail(`config.target: must be a ws:// or wss:// URL, got ${JSON.stringify(url)}`);
      let token: string | undefined;
      try {
        // a mistake names the variable, never the token
        token = readToken({ env: process.env });
      } catch (err) {
        return fail((err as Error).message);
      }
      const player = new Player(read.plan, {
        url,
        ...(token ? { token: { token, in: read.plan.tokenIn } } : {}),
        emit: {
          counter: (name, n) => ee.emit('counter', name, n),
          histogram: (name, ms) => ee.emit('histogram', name, ms),
          error: (kind) => ee.emit('error', kind),
        },
      });
      player.play().then(
        (failure) => (failure ? fail(failure) : callback(null, context)),
        (err) => fail(err instanceof Error ? err.message : String(err)),
      );
    };
  }
}
