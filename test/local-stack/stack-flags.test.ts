import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { StackLaunch } from '../../common/stack-launch.ts';
import { stackLaunchOf, type StackUpFlags } from '../../src/commands/stack.ts';
import { sourcesOf, stackUpArgs } from '../../src/local-stack/stack-flags.ts';
import { STACK_SETTING_ENTRIES } from '../../common/stack-settings.ts';

// `stack up`'s flags as the stack's launch object and back: every flag lands in its setting,
// each setting is named by its flag (how the stack reports a bad value), and the command line
// results.json records starts the same stack.

const ALL: StackUpFlags = {
  port: '0',
  host: '127.0.0.1',
  stage: 'cli',
  config: '/tmp/stack.yaml',
  lostDisconnectShare: '0.25',
  dynamodbThrottleShare: '0.1',
  memory: ['fanout-whoami=512', 'fanout-send-message=1769'],
  reserved: ['fanout-whoami=3'],
  idleReapSeconds: '30',
  cpuModel: 'off',
  hostMaxEnvironments: '40',
  hostEnvironmentsPerCore: '0.75',
  initConcurrency: '2',
  prepared: '1',
  accountConcurrency: '5',
  accountRps: '200',
  accountBurst: '50',
  runtime: 'nodejs24.x',
  auth: true,
  authIdentity: 'query',
  authTokenFile: '/tmp/token',
  iam: 'report',
  exitWithStdin: true,
};

describe('stack up flags as a launch object', () => {
  it('sets the setting of every flag, as the config file writes it', () => {
    const launch = stackLaunchOf(ALL);
    expect(launch).toEqual({
      configFile: '/tmp/stack.yaml',
      exitWithStdin: true,
      settings: {
        port: 0,
        host: '127.0.0.1',
        stage: 'cli',
        faults: { lostDisconnectShare: 0.25, dynamodbThrottleShare: 0.1 },
        lambda: { idleReapSeconds: 30, cpuModel: 'off', hostMaxEnvironments: 40, hostEnvironmentsPerCore: 0.75, initConcurrency: 2, preparedPerFunction: 1, accountConcurrency: 5, runtime: 'nodejs24.x' },
        limits: { accountRps: 200, accountBurst: 50 },
        functions: { 'fanout-whoami': { memoryMB: 512, reservedConcurrency: 3 }, 'fanout-send-message': { memoryMB: 1769 } },
        auth: { enabled: true, identitySource: 'query', tokenFile: '/tmp/token' },
        iam: 'report',
      },
    });
    expect(StackLaunch.parse(launch)).toMatchObject(launch); // the shape the stack program reads
  });

  it('names each setting by the flag that sets it', () => {
    const sources = sourcesOf(stackLaunchOf(ALL).settings!);
    expect(sources).toMatchObject({
      port: '--port',
      'faults.lostDisconnectShare': '--lost-disconnect-share',
      'lambda.preparedPerFunction': '--prepared',
      'lambda.runtime': '--runtime',
      'lambda.accountConcurrency': '--account-concurrency',
      'limits.accountRps': '--account-rps',
      'functions.fanout-whoami': '--memory',
      'functions.fanout-whoami.memoryMB': '--memory',
      'functions.fanout-whoami.reservedConcurrency': '--reserved',
      'auth.enabled': '--auth',
      'auth.tokenFile': '--auth-token-file',
      iam: '--iam',
    });
    expect(sourcesOf(stackLaunchOf({ reserved: ['fanout-nope=1'] }).settings!)['functions.fanout-nope']).toBe('--reserved');
  });

  it('gives back the command line that starts the same stack', () => {
    const args = stackUpArgs(stackLaunchOf(ALL));
    const again = stackLaunchOf(parse(args));
    expect(again).toEqual({ ...stackLaunchOf(ALL), exitWithStdin: false });
    expect(stackUpArgs(stackLaunchOf({}))).toEqual([]);
  });

  it('takes every setting of one value by its flag, names it by that flag, and gives the flag back (common/stack-settings.ts)', () => {
    for (const { path, keys, flag, setting } of STACK_SETTING_ENTRIES) {
      const text = setting.kind === 'number' ? '3' : 'x';
      const launch = stackLaunchOf(parse([flag, text]));
      expect(keys.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], launch.settings), path).toBe(setting.kind === 'number' ? 3 : 'x');
      expect(sourcesOf(launch.settings!)[path], path).toBe(flag);
      expect(stackUpArgs(launch).slice(-2), path).toEqual([flag, text]);
      expect(StackLaunch.parse(launch).settings, path).toEqual(launch.settings); // the stack program reads it as written
    }
    // the launch object's settings are the table's and the others, nothing else, each of its type
    expect(StackLaunch.safeParse({ settings: { lambda: { nope: 1 } } }).success).toBe(false);
    expect(StackLaunch.safeParse({ settings: { port: '1' } }).success).toBe(false);
    expect(StackLaunch.safeParse({ settings: { lambda: { enabled: true } } }).success).toBe(false);
  });

  it('a flag that is not a number where one is due is one line naming it', () => {
    expect(() => stackLaunchOf({ port: 'abc' })).toThrow(new UserError('--port: expected a number, got "abc"'));
    expect(() => stackLaunchOf({ memory: ['fanout-whoami'] })).toThrow(new UserError('--memory: expected FUNCTION=MB, got "fanout-whoami"'));
    expect(() => stackLaunchOf({ reserved: ['fanout-whoami=x'] })).toThrow(new UserError('--reserved: expected a number, got "x"'));
  });
});

/** A `stack up` command line back into commander's option object (what commander would make of it). */
function parse(args: string[]): StackUpFlags {
  const key = (flag: string) => flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const flags: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const name = key(args[i]!);
    if (name === 'auth') flags.auth = true;
    else if (name === 'memory' || name === 'reserved') flags[name] = [...((flags[name] as string[]) ?? []), args[++i]];
    else flags[name] = args[++i];
  }
  return flags as StackUpFlags;
}
