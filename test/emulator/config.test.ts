import { availableParallelism } from 'node:os';
import { DEFAULTS as LAMBDA_DEFAULTS } from '../../emulator/lambda/options.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { checkConfigAgainstStack, defaultStackConfig, loadStackConfig } from '../../emulator/config.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'fanout-config-'));
// the default stack (its names and routes are the same for every config these tests load)
let reference: DescribedStack;
beforeAll(async () => {
  reference = await describeStack(defaultStackConfig(), () => {});
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await reference?.dispose();
});
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('StackConfig defaults are AWS values', () => {
  it('fills every default', () => {
    const c = defaultStackConfig();
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      stage: 'local',
      region: 'us-east-1',
      accountId: '000000000000',
      limits: {
        maxMessageBytes: 131_072,
        frameBytes: 32_768,
        idleTimeoutSeconds: 600,
        maxConnectionSeconds: 7_200,
        newConnectionsPerSecond: 500,
        accountRps: 10_000,
        accountBurst: 5_000,
        // no stage throttle of the config's own (the stack's applies), no route of its own, either direction resets the idle timer
        routeThrottles: {},
        idleTimeoutRule: 'either',
      },
      lambda: {
        accountConcurrency: 1_000,
        hostMaxEnvironments: LAMBDA_DEFAULTS.hostMaxEnvironments, // 30 % of the host's memory, 16..256
        hostEnvironmentsPerCore: 0.5,
        initConcurrency: Math.max(1, availableParallelism() - 1),
        preparedPerFunction: 2,
        cpuModel: 'throttle',
      },
      functions: {},
      faults: { lostDisconnectShare: 0, stallPostShare: 0 },
      dynamodb: { inMemory: true },
    });
    expect(c.apiId).toMatch(/^[a-z0-9]{10}$/);
    expect(defaultStackConfig().apiId).not.toBe(c.apiId);
  });
});

describe('loadStackConfig', () => {
  it('reads YAML, keeps defaults for what it does not name, and lets flags win', () => {
    const path = file(
      'ok.yaml',
      ['stage: bench', 'limits:', '  idleTimeoutSeconds: 30', 'functions:', '  fanout-send-message:', '    memoryMB: 512', '    reservedConcurrency: 10'].join('\n'),
    );
    const c = loadStackConfig({ file: path, overrides: { stage: 'cli', faults: { lostDisconnectShare: 0.25 } } });
    expect(c.stage).toBe('cli');
    expect(c.limits.idleTimeoutSeconds).toBe(30);
    expect(c.limits.maxConnectionSeconds).toBe(7_200);
    expect(c.functions['fanout-send-message']).toEqual({ memoryMB: 512, reservedConcurrency: 10 });
    expect(c.faults.lostDisconnectShare).toBe(0.25);
  });

  it('reads JSON', () => {
    const path = file('ok.json', JSON.stringify({ port: 9123, lambda: { cpuModel: 'off' } }));
    const c = loadStackConfig({ file: path });
    expect(c.port).toBe(9123);
    expect(c.lambda.cpuModel).toBe('off');
  });

  it('names the file and the field of a bad value', () => {
    const path = file('bad.yaml', 'limits:\n  idleTimeoutSeconds: -1\n');
    expect(errorOf(() => loadStackConfig({ file: path })).message).toMatch(new RegExp(`^${path}: limits\\.idleTimeoutSeconds: .+`));
  });

  it('refuses an unknown key', () => {
    const path = file('unknown.yaml', 'limits:\n  idleTimeout: 5\n');
    expect(errorOf(() => loadStackConfig({ file: path })).message).toBe(`${path}: limits.idleTimeout: unknown key`);
  });

  it('refuses a memory size outside 128-10240 MB', () => {
    const path = file('mem.yaml', 'functions:\n  fanout-whoami:\n    memoryMB: 64\n');
    expect(errorOf(() => loadStackConfig({ file: path })).message).toMatch(new RegExp(`^${path}: functions\\.fanout-whoami\\.memoryMB: `));
  });

  it('refuses a function the stack does not have, naming it', () => {
    const path = file('fn.yaml', 'functions:\n  fanout-nope:\n    memoryMB: 256\n');
    const config = loadStackConfig({ file: path });
    const err = errorOf(() => checkConfigAgainstStack(config, reference.stack, { file: path }));
    expect(err.message).toMatch(new RegExp(`^${path}: functions\\.fanout-nope: unknown function "fanout-nope"`));
  });

  it('names the flag when the bad value came from a flag', () => {
    const err = errorOf(() =>
      loadStackConfig({
        overrides: { faults: { lostDisconnectShare: 2 } },
        flagFor: (field) => (field === 'faults.lostDisconnectShare' ? '--lost-disconnect-share' : undefined),
      }),
    );
    expect(err.message).toMatch(/^--lost-disconnect-share: faults\.lostDisconnectShare: /);
  });

  it('reports unreadable and unparsable files in one line', () => {
    const missing = join(dir, 'missing.yaml');
    expect(errorOf(() => loadStackConfig({ file: missing })).message).toBe(`${missing}: cannot read emulator config file (ENOENT)`);
    const broken = file('broken.yaml', 'limits: [unclosed\n');
    const err = errorOf(() => loadStackConfig({ file: broken }));
    expect(err.message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not valid YAML`));
    expect(err.message).not.toContain('\n');
    const dup = file('dup.yaml', 'stage: a\nstage: b\n');
    expect(errorOf(() => loadStackConfig({ file: dup })).message).toMatch(/dup\.yaml:2:\d+: .*stage/);
  });

  it('takes extra function environment variables, numbers as their text', () => {
    const path = file('env.yaml', 'functions:\n  fanout-send-message:\n    environment:\n      POST_TIMEOUT_MS: 500\n      FANOUT_CONCURRENCY: "4"\n');
    expect(loadStackConfig({ file: path }).functions['fanout-send-message']?.environment).toEqual({ POST_TIMEOUT_MS: '500', FANOUT_CONCURRENCY: '4' });
  });

  it.each([
    ['AWS_ENDPOINT_URL_DYNAMODB', 'is set by the emulator and cannot be replaced'],
    ['AWS_ACCESS_KEY_ID', 'is set by the emulator and cannot be replaced'],
    ['not-a-name', 'must be an environment variable name'],
  ])('refuses function environment variable %s, naming it', (name, why) => {
    const path = file('env-bad.yaml', `functions:\n  fanout-send-message:\n    environment:\n      ${name}: x\n`);
    const check = () => {
      const config = loadStackConfig({ file: path });
      return checkConfigAgainstStack(config, reference.stack, { file: path });
    };
    expect(errorOf(check).message).toBe(`${path}: functions.fanout-send-message.environment.${name}: ${why}`);
  });

  it("replaces a variable of the stack's own (the function's, as a deploy could), but none the emulator sets", () => {
    const path = file('env-own.yaml', 'functions:\n  fanout-send-message:\n    environment:\n      CONNECTIONS_TABLE: other\n');
    const config = loadStackConfig({ file: path });
    expect(checkConfigAgainstStack(config, reference.stack, { file: path }).functions['fanout-send-message']?.environment).toEqual({ CONNECTIONS_TABLE: 'other' });
  });

  it('refuses a stall share outside 0..1', () => {
    const path = file('stall.yaml', 'faults:\n  stallPostShare: 1.5\n');
    expect(errorOf(() => loadStackConfig({ file: path })).message).toMatch(new RegExp(`^${path}: faults\\.stallPostShare: `));
  });

  it("reads the stage's throttle, route throttles and the idle rule, and names a bad one", () => {
    const path = file('throttles.yaml', ['limits:', '  stageRps: 50', '  stageBurst: 0', '  routeThrottles:', '    sendMessage: { rps: 2.5, burst: 5 }', '    $connect: { rps: 10, burst: 10 }', '  idleTimeoutRule: client'].join('\n'));
    expect(loadStackConfig({ file: path }).limits).toMatchObject({
      stageRps: 50,
      stageBurst: 0,
      routeThrottles: { sendMessage: { rps: 2.5, burst: 5 }, $connect: { rps: 10, burst: 10 } },
      idleTimeoutRule: 'client',
    });
    const cases: Array<[string, RegExp]> = [
      ['limits:\n  stageRps: 0\n', /: limits\.stageRps: /],
      ['limits:\n  stageBurst: 2.5\n', /: limits\.stageBurst: /],
      ['limits:\n  idleTimeoutRule: server\n', /: limits\.idleTimeoutRule: /],
      ['limits:\n  routeThrottles:\n    sendMessage: { rps: -1, burst: 5 }\n', /: limits\.routeThrottles\.sendMessage\.rps: /],
      ['limits:\n  routeThrottles:\n    sendMessage: { rps: 1 }\n', /: limits\.routeThrottles\.sendMessage\.burst: /],
      ['limits:\n  routeThrottles:\n    sendMessage: { rps: 1, burst: 1, rate: 1 }\n', /: limits\.routeThrottles\.sendMessage\.rate: unknown key$/],
    ];
    for (const [text, message] of cases) {
      const bad = file('throttle-bad.yaml', text);
      const err = errorOf(() => loadStackConfig({ file: bad }));
      expect(err.message.startsWith(`${bad}: `)).toBe(true);
      expect(err.message).toMatch(message);
    }
  });

  it('refuses a route throttle for a route the stack does not have, as UpdateStage does', () => {
    const path = file('route.yaml', 'limits:\n  routeThrottles:\n    sendMesage: { rps: 1, burst: 1 }\n');
    const config = loadStackConfig({ file: path });
    expect(errorOf(() => checkConfigAgainstStack(config, reference.stack, { file: path })).message).toMatch(
      new RegExp(`^${path}: limits\\.routeThrottles\\.sendMesage: unknown route "sendMesage" \\(routes: \\$connect, \\$disconnect, \\$default, `),
    );
    // a stack of other routes names its own
    const echo = loadStackConfig({ file: file('echo.yaml', 'limits:\n  routeThrottles:\n    echo: { rps: 1, burst: 1 }\n') });
    const echoStack = { functions: [{ name: 'fx-echo', logicalId: 'Echo' }], routes: [{ routeKey: 'echo' }] };
    expect(checkConfigAgainstStack(echo, echoStack).limits.routeThrottles).toEqual({ echo: { rps: 1, burst: 1 } });
    // a template's function by its logical id is answered by its physical name
    const byLogicalId = loadStackConfig({ overrides: { functions: { Echo: { memoryMB: 512 } } } });
    expect(checkConfigAgainstStack(byLogicalId, echoStack).functions).toEqual({ 'fx-echo': { memoryMB: 512 } });
  });

  it('requires a path when DynamoDB is not in memory', () => {
    const path = file('ddb.yaml', 'dynamodb:\n  inMemory: false\n');
    expect(errorOf(() => loadStackConfig({ file: path })).message).toMatch(new RegExp(`^${path}: dynamodb\\.path: `));
  });
});
