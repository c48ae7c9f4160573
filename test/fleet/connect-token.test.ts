import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import {
  CONNECT_AUTHORIZER,
  DEFAULT_TOKEN_REREAD_SECONDS,
  FUNCTION_ENV,
  TOKEN_IDENTITIES,
  TOKEN_IDENTITY_SOURCES,
} from '../../reference-stack/functions/manifest.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack } from '../../emulator/stack.ts';
import { runOptionsFromFlags, type RunFlags } from '../../src/commands/run.ts';
import { UserError } from '../../common/errors.ts';
import type { HostFacts } from '../../src/fleet/host-facts.ts';
import { REFERENCE_AUTHORIZER } from '../../src/contracts/reference-functions.ts';
import { refusedConnects } from '../../src/metrics/measurement/refused-connects.ts';
import { refusedConnectsText } from '../../src/report/run/status-reason-text.ts';
import { checkRunInput } from '../../src/session/run-input.ts';
import { deployedOutputs } from '../fixtures/targets/deployed-outputs.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { handshakeWith, tokenIdentitySources } from '../../src/fleet/protocols/connect-token.ts';
import { CHAT_V1 } from '../../src/contracts/protocol-schema.ts';
import { TOKEN_PLACEMENTS } from '../../src/contracts/token-placement.ts';
import { openAwsStackTarget } from '../../src/targets/aws-stack.ts';
import { AUTHORIZER_FUNCTION_OUTPUT } from '../../common/stack-outputs.ts';
import type { Target } from '../../src/targets/target.ts';
import {
  DEFAULT_TOKEN_REREAD_SECONDS as HARNESS_REREAD_SECONDS,
  expectedTokenSource,
  readTokenParameter,
  TOKEN_PARAMETER_ENV,
  TOKEN_REREAD_ENV,
} from '../../src/targets/token-parameter.ts';
import { stackUpArgs } from '../../src/local-stack/stack-flags.ts';
import { stackLaunchOf } from '../../src/local-stack/stack-knobs.ts';
import { DEFAULT_STACK_NAME, stackTokenParameter } from '../../reference-stack/functions/stack-names.ts';

// The harness's side of the $connect authorizer: where the token comes from and goes, what a
// run refuses before it starts, and when a run whose connects are all refused stops.

const dir = mkdtempSync(join(tmpdir(), 'fb-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOST: HostFacts = { cores: 2, availableMemoryBytes: 22 * 2 ** 30, totalMemoryBytes: 24 * 2 ** 30, openFilesPerProcess: 20_000, localPorts: 28_232 };

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const scenarioWith = (target: string) =>
  file(`s${Math.random().toString(36).slice(2)}.yaml`, `name: s\nclients: 10\nrooms: 2\n${target}phases:\n  - connect: {}\n  - join: {}\n  - send: { duration: 1s, rate: 1 }\n`);

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.FANOUT_BENCH_TOKEN;
  delete process.env.FANOUT_BENCH_TOKEN;
});
afterEach(() => {
  if (saved === undefined) delete process.env.FANOUT_BENCH_TOKEN;
  else process.env.FANOUT_BENCH_TOKEN = saved;
});

describe('the token: FANOUT_BENCH_TOKEN or --token-file, never in a message', () => {
  const base: RunFlags = { target: 'local', out: 'reports', progress: false };
  const refusal = (flags: Partial<RunFlags>) =>
    runOptionsFromFlags('fanout', { ...base, ...flags }).then(
      () => expect.fail('accepted'),
      (e: unknown) => {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      },
    );

  it('reads --token-file (one trailing newline dropped), else the variable, else none', async () => {
    const f = file('tok', 'file-secret-1\n');
    process.env.FANOUT_BENCH_TOKEN = 'env-secret-2';
    expect((await runOptionsFromFlags('fanout', { ...base, tokenFile: f })).token).toBe('file-secret-1');
    expect((await runOptionsFromFlags('fanout', base)).token).toBe('env-secret-2');
    delete process.env.FANOUT_BENCH_TOKEN;
    expect((await runOptionsFromFlags('fanout', base)).token).toBeUndefined();
  });

  it('refuses an empty, missing, oversized or multi-line token file in one line that does not quote it', async () => {
    expect(await refusal({ tokenFile: file('empty', '\n') })).toBe(`--token-file ${join(dir, 'empty')}: the token is empty`);
    expect(await refusal({ tokenFile: join(dir, 'nope') })).toBe(`${join(dir, 'nope')}: cannot read token file (ENOENT)`);
    expect(await refusal({ tokenFile: file('big', 'x'.repeat(5000)) })).toMatch(/: larger than .*, the most a token file may be$/);
    const twoLines = await refusal({ tokenFile: file('two', 'secret-part-one\nsecret-part-two\n') });
    expect(twoLines).toMatch(/: the token contains a control character/);
    expect(twoLines).not.toContain('secret-part');
    expect(await refusal({ tokenIn: 'cookie' })).toBe('--token-in: must be header or query, got "cookie"');
  });

  it('puts it in the x-api-key header by default, or in the token query parameter', () => {
    expect(handshakeWith('ws://h:1/prod', undefined)).toEqual({ url: 'ws://h:1/prod' });
    expect(handshakeWith('ws://h:1/prod', { token: 'a b&c', in: 'header' })).toEqual({ url: 'ws://h:1/prod', headers: { 'x-api-key': 'a b&c' } });
    expect(handshakeWith('ws://h:1/prod?name=x', { token: 'a b&c', in: 'query' })).toEqual({ url: 'ws://h:1/prod?name=x&token=a+b%26c' });
  });
});

describe('a run with a token, or with a local stack that wants one', () => {
  it('sends it where --token-in says, else where the local stack looks (target.auth.identitySource), else in the header', () => {
    const plain = scenarioWith('');
    expect(checkRunInput({ scenario: plain, token: 't0k' }, HOST).token).toEqual({ token: 't0k', in: 'header' });
    expect(checkRunInput({ scenario: plain, token: 't0k', tokenIn: 'query' }, HOST).token).toEqual({ token: 't0k', in: 'query' });
    const query = scenarioWith('target:\n  auth: { identitySource: query }\n');
    expect(checkRunInput({ scenario: query, token: 't0k' }, HOST).token).toEqual({ token: 't0k', in: 'query' });
    expect(checkRunInput({ scenario: plain }, HOST).token).toBeUndefined();
  });

  it('refuses a local stack with auth and no token to expect, --token-in without a token, and a header that cannot carry the token', () => {
    const auth = scenarioWith('target:\n  auth: true\n');
    expect(() => checkRunInput({ scenario: auth }, HOST)).toThrow(
      `${auth}: target.auth: the local stack's authorizer needs the token it expects: set FANOUT_BENCH_TOKEN or --token-file (or target.auth.tokenFile)`,
    );
    // a URL target's stack is not the harness's to configure: its token is the user's business
    expect(checkRunInput({ scenario: auth, target: 'wss://example.com/prod' }, HOST).token).toBeUndefined();
    expect(() => checkRunInput({ scenario: scenarioWith(''), tokenIn: 'query' }, HOST)).toThrow('--token-in: there is no token to send (set FANOUT_BENCH_TOKEN or --token-file)');
    expect(() => checkRunInput({ scenario: scenarioWith(''), token: 'with space' }, HOST)).toThrow(/^--token-in header: the token has characters a header cannot carry intact/);
    expect(checkRunInput({ scenario: scenarioWith(''), token: 'with space', tokenIn: 'query' }, HOST).token?.in).toBe('query');
  });

  it('starts a local stack with --auth, its identity source and its own token file (resolved next to the scenario)', () => {
    file('expected-token', 'x\n');
    const s = loadScenario(scenarioWith('target:\n  auth: { identitySource: query, tokenFile: ./expected-token }\n'));
    const launch = stackLaunchOf(s.target);
    expect(launch).toEqual({ settings: { auth: { enabled: true, identitySource: 'query', tokenFile: join(dir, 'expected-token') } } });
    expect(stackUpArgs(launch)).toEqual(['--auth', '--auth-identity', 'query', '--auth-token-file', join(dir, 'expected-token')]);
    expect(stackLaunchOf(loadScenario(scenarioWith('target:\n  auth: true\n')).target)).toEqual({ settings: { auth: { enabled: true } } });
    expect(stackUpArgs(stackLaunchOf(loadScenario(scenarioWith('target:\n  auth: true\n')).target))).toEqual(['--auth']);
    expect(stackLaunchOf(loadScenario(scenarioWith('target:\n  auth: false\n')).target)).toEqual({ settings: {} });
    expect(() => loadScenario(scenarioWith('target:\n  auth: { identitySource: cookie }\n'))).toThrow(/: target\.auth/);
  });

  it('knows the reference authorizer as the stack declares it', () => {
    expect(REFERENCE_AUTHORIZER).toEqual({ name: CONNECT_AUTHORIZER.name, route: CONNECT_AUTHORIZER.route, memoryMB: CONNECT_AUTHORIZER.memoryMB, authorizer: true });
    expect([...TOKEN_PLACEMENTS]).toEqual(TOKEN_IDENTITIES);
    expect(Object.keys(TOKEN_IDENTITY_SOURCES)).toEqual([...TOKEN_PLACEMENTS]);
    expect([TOKEN_PARAMETER_ENV, TOKEN_REREAD_ENV, HARNESS_REREAD_SECONDS]).toEqual([FUNCTION_ENV.tokenParameter, FUNCTION_ENV.tokenRereadSeconds, DEFAULT_TOKEN_REREAD_SECONDS]);
  });
});

/** The run's status reason, as the session words the finding. */
function refusedConnectsReason(...args: Parameters<typeof refusedConnects>): string | undefined {
  const found = refusedConnects(...args);
  return found && refusedConnectsText(found);
}

describe('a run whose connects are all refused stops early', () => {
  const counts = (connects: number, connectFailures: number) => ({ connects, connectFailures });

  it('found as counts and what the run could change, worded apart', () => {
    expect(refusedConnects(counts(0, 30), { 'handshake:401': 10, 'handshake:403': 20 }, 20, { identitySource: ['route.request.querystring.t'], fills: [], expected: 'the parameter /t' })).toEqual({
      unauthorized: 10,
      denied: 20,
      unfilled: ['route.request.querystring.t'],
      expected: 'the parameter /t',
    });
  });

  it('when no connect opened and every one tried was refused with 401 or 403, once enough were tried', () => {
    expect(refusedConnectsReason(counts(0, 20), { 'handshake:403': 20 }, 20)).toBe(
      'all 20 connects tried were refused with 403: the authorizer denied the token (set FANOUT_BENCH_TOKEN or --token-file to the token the stack expects)',
    );
    expect(refusedConnectsReason(counts(0, 5), { 'handshake:401': 5 }, 5)).toMatch(/^all 5 connects tried were refused with 401: no token reached the authorizer \(.*--token-in header\|query must be where the stack looks for it\)$/);
    expect(refusedConnectsReason(counts(0, 30), { 'handshake:401': 10, 'handshake:403': 20 }, 20)).toMatch(/^all 30 connects tried were refused \(10 with 401, 20 with 403\)/);
  });

  it('not while too few were tried, once one opened, or when other failures are in the mix (throttles, timeouts)', () => {
    expect(refusedConnectsReason(counts(0, 19), { 'handshake:403': 19 }, 20)).toBeUndefined();
    expect(refusedConnectsReason(counts(1, 40), { 'handshake:403': 40 }, 20)).toBeUndefined();
    expect(refusedConnectsReason(counts(0, 41), { 'handshake:403': 40, 'handshake:429': 1 }, 20)).toBeUndefined();
    expect(refusedConnectsReason(counts(0, 40), { 'handshake:429': 40 }, 20)).toBeUndefined();
    expect(refusedConnectsReason(counts(0, 0), {}, 20)).toBeUndefined();
  });
});

describe('the 403 line names where the stack\'s token comes from', () => {
  const counts = { connects: 0, connectFailures: 20 };
  const denied = { 'handshake:403': 20 };
  type Where = Pick<Target, 'local' | 'endpoints' | 'tokenParameter' | 'connectColdFlag'>;
  const aws: Where = { local: undefined, endpoints: { websocket: 'wss://a.execute-api.eu-west-1.amazonaws.com/prod', services: 'aws' } };

  it('on AWS: the parameter the authorizer reads, and that a token put or rotated there is read within its period', () => {
    const named = expectedTokenSource({ ...aws, tokenParameter: { name: '/fanout-bench/Bench/connect-token', rereadSeconds: 30 } });
    expect(refusedConnectsReason(counts, denied, 20, { expected: named! })).toBe(
      'all 20 connects tried were refused with 403: the authorizer denied the token (set FANOUT_BENCH_TOKEN or --token-file to the token the stack expects: ' +
        'the value of its token parameter /fanout-bench/Bench/connect-token; the authorizer reads a token put or rotated there within 30 s, no redeploy needed)',
    );
    // the authorizer's environment could not be read (a URL target, no permission): the reference stack's parameter, where it answered as the reference stack
    expect(expectedTokenSource({ ...aws, connectColdFlag: true })).toBe("the value of the stack's token parameter; the authorizer reads a token put or rotated there within 30 s, no redeploy needed");
    // another stack's authorizer reads no parameter the harness knows of
    expect(expectedTokenSource(aws)).toBeUndefined();
  });

  it('locally: how the local stack got its token; for a stack of your own, nothing the harness cannot know', () => {
    const local = { ready: true, websocketUrl: 'ws://127.0.0.1:1/local', auth: { parameterName: '/fanout-bench/connect-token' } } as unknown as Target['local'];
    expect(expectedTokenSource({ local, endpoints: { websocket: 'ws://127.0.0.1:1/local', services: 'local' } })).toBe(
      "the local stack expects the token in the scenario's target.auth.tokenFile, else the run's own, which it puts in its parameter /fanout-bench/connect-token when it starts",
    );
    expect(expectedTokenSource({ local: undefined, endpoints: { websocket: 'wss://chat.example.com/', services: 'unknown' } })).toBeUndefined();
    // a template's own authorizer that reads no parameter: its token is its own
    const own = { ready: true, websocketUrl: 'ws://127.0.0.1:1/local', auth: { authorizer: 'Auth', identitySource: ['route.request.header.Auth'] } } as unknown as Target['local'];
    expect(expectedTokenSource({ local: own, endpoints: { websocket: 'ws://127.0.0.1:1/local', services: 'local' } })).toBeUndefined();
  });
});

describe("a refusal at $connect is explained by the stack's own identity source", () => {
  const counts = { connects: 0, connectFailures: 20 };
  const chat = CHAT_V1;

  it('names what the authorizer reads where the run puts its token elsewhere, and the token advice where it goes there', () => {
    const fills = tokenIdentitySources(chat, { token: 't', in: 'header' });
    expect(fills).toEqual(['route.request.header.x-api-key']);
    expect(refusedConnectsReason(counts, { 'handshake:401': 20 }, 20, { identitySource: ['route.request.header.Auth'], fills })).toBe(
      "all 20 connects tried were refused with 401: no identity the authorizer accepts reached it (the stack's authorizer reads route.request.header.Auth, where the run puts no token: put it there with the protocol's connect.headers or connect.query ({{token}}))",
    );
    expect(refusedConnectsReason(counts, { 'handshake:403': 20 }, 20, { identitySource: ['route.request.header.Auth'], fills })).toMatch(/^all 20 connects tried were refused with 403: the authorizer denied what its identity source carried \(the stack's authorizer reads route\.request\.header\.Auth/);
    // header names are matched without case: X-Api-Key is where the run's token goes
    expect(refusedConnectsReason(counts, { 'handshake:403': 20 }, 20, { identitySource: ['route.request.header.X-Api-Key'], fills })).toMatch(/the authorizer denied the token \(set FANOUT_BENCH_TOKEN or --token-file/);
    // without a token the run fills nothing, so an authorizer reading x-api-key is told the token advice as well
    expect(tokenIdentitySources(chat, undefined)).toEqual([]);
  });

  it("a described protocol that puts {{token}} in its own header or query fills that, whatever --token-in says", () => {
    const described = {
      kind: 'described',
      name: 'own-auth',
      description: { connect: { headers: { Auth: 'Bearer {{token}}', 'x-room': '{{room}}' }, query: { t: '{{token}}' }, subprotocols: ['chat'] } },
    } as unknown as Parameters<typeof tokenIdentitySources>[0];
    const fills = tokenIdentitySources(described, { token: 't', in: 'header' });
    expect(fills).toEqual(['route.request.header.Auth', 'route.request.querystring.t']);
    expect(refusedConnectsReason(counts, { 'handshake:403': 20 }, 20, { identitySource: ['route.request.header.auth'], fills })).toMatch(/the authorizer denied the token/);
    // a protocol that places no token: the run's own placement
    const plain = { kind: 'described', name: 'plain', description: { connect: { query: { room: '{{room}}' } } } } as unknown as Parameters<typeof tokenIdentitySources>[0];
    expect(tokenIdentitySources(plain, { token: 't', in: 'query' })).toEqual(['route.request.querystring.token']);
  });

  // Lambda is the emulator's, through the real client; CloudFormation has no local endpoint here,
  // so DescribeStacks is mocked (aws-sdk-client-mock) with the outputs the CDK app publishes.
  it('reads the parameter and period from the authorizer function\'s environment (GetFunctionConfiguration, the emulator\'s Lambda API)', { timeout: 120_000 }, async () => {
    const stack = await startStack({
      // no environments prepared ahead (22 by default, about 5 CPU-s): the functions' configuration is read here, one handshake made
      config: defaultStackConfig({ auth: { enabled: true }, lambda: { preparedPerFunction: 0 }, functions: { [CONNECT_AUTHORIZER.name]: { environment: { [FUNCTION_ENV.tokenRereadSeconds]: '5' } } } }),
      authToken: 'not-read-here',
      log: () => {},
    });
    const cfn = mockClient(CloudFormationClient);
    const lambda = new LambdaClient({ endpoint: stack.ready.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      expect(await readTokenParameter(lambda, CONNECT_AUTHORIZER.name)).toEqual({ name: stackTokenParameter(DEFAULT_STACK_NAME), rereadSeconds: 5 });
      // a function without the variable, and one that does not exist: nothing to name, no failure
      expect(await readTokenParameter(lambda, 'fanout-connect')).toBeUndefined();
      expect(await readTokenParameter(lambda, 'no-such-function')).toBeUndefined();

      // an aws: target with an authorizer asks it at open, for the 403 line
      const outputs = {
        ...deployedOutputs(undefined, { websocketUrl: stack.ready.websocketUrl, callbackUrl: stack.ready.callbackUrl }),
        Region: 'us-east-1',
        [AUTHORIZER_FUNCTION_OUTPUT]: CONNECT_AUTHORIZER.name,
      };
      cfn.on(DescribeStacksCommand).resolves({
        Stacks: [{ StackName: 'Bench', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
      });
      const target = await openAwsStackTarget({ stackName: 'Bench', clients: { cloudformation: new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), lambda } });
      await target.stop();
      expect(target.tokenParameter).toEqual({ name: stackTokenParameter(DEFAULT_STACK_NAME), rereadSeconds: 5 });
      expect(expectedTokenSource(target)).toBe(`the value of its token parameter ${stackTokenParameter(DEFAULT_STACK_NAME)}; the authorizer reads a token put or rotated there within 5 s, no redeploy needed`);
    } finally {
      cfn.restore();
      lambda.destroy();
      await stack.close();
    }
  });
});
