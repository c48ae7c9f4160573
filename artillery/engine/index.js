// @ts-check
import { readPlan } from './plan.js';
import { Player } from './player.js';

/**
 * artillery-engine-fanout: an Artillery v2 engine that plays fanout-bench's chat client.
 * Artillery loads it for `config.engines.fanout` (module `artillery-engine-fanout`) and gives each
 * virtual user of a scenario with `engine: fanout` the function createScenario() returns. One
 * virtual user plays one worker's whole share of the scenario (the plan under
 * `config.engines.fanout`): its rooms live in that one process, so a room never spans machines
 * and every broadcast latency is taken on one clock.
 *
 * Metrics leave through Artillery's scenario events: `histogram` (ms), `counter`, and `error`
 * (Artillery's `errors.<kind>` counters); their names are in metric-names.js.
 *
 * The token of a $connect authorizer comes from FANOUT_BENCH_TOKEN at run time (never from the
 * script), sent as the plan's tokenIn says: the x-api-key header or the token query parameter.
 */
export const TOKEN_ENV = 'FANOUT_BENCH_TOKEN';
const MAX_TOKEN_BYTES = 4096;

export default class FanoutEngine {
  /**
   * @param {{ config: Record<string, any> }} script
   * @param {unknown} _ee
   * @param {unknown} _helpers
   */
  constructor(script, _ee, _helpers) {
    this.script = script;
  }

  /**
   * @param {Record<string, any>} _spec
   * @param {{ emit(event: string, ...args: any[]): unknown }} ee
   * @returns {(context: any, callback: (err: Error | null, context: any) => void) => void}
   */
  createScenario(_spec, ee) {
    return (context, callback) => {
      ee.emit('started');
      const fail = (/** @type {string} */ problem) => {
        ee.emit('error', `fanout: ${problem}`);
        callback(new Error(problem), context);
      };
      const read = readPlan(this.script.config.engines?.fanout);
      if ('problem' in read) return fail(read.problem);
      const url = this.script.config.target;
      if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) return fail(`config.target: must be a ws:// or wss:// URL, got ${JSON.stringify(url)}`);
      const token = readToken();
      if (typeof token === 'string') return fail(token);
      const player = new Player(read.plan, {
        url,
        ...(token ? { token: { token: token.value, in: read.plan.tokenIn } } : {}),
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

/**
 * The token from the environment: undefined when unset or empty (an unset CI secret), a problem
 * (a string naming the variable, never its value) when it cannot be sent in a handshake.
 * @returns {{ value: string } | string | undefined}
 */
function readToken() {
  const value = process.env[TOKEN_ENV];
  if (value === undefined || value === '') return undefined;
  if (Buffer.byteLength(value) > MAX_TOKEN_BYTES) return `${TOKEN_ENV}: the token is longer than ${MAX_TOKEN_BYTES} bytes`;
  if (/[\x00-\x1f\x7f]/.test(value)) return `${TOKEN_ENV}: the token contains a control character (a line break inside?)`;
  return { value };
}
