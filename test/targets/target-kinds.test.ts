import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { UserError } from '../../common/errors.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { openRemoteTarget } from '../../src/targets/remote.ts';
import { parseTargetSpec, type UrlSpec } from '../../src/contracts/target-spec.ts';

/**
 * What each kind of target says of itself, so that nothing outside src/targets asks which kind it
 * has: the spec before anything starts (whether the harness starts a stack on this host, whether
 * --region / --profile apply, what a target that never started records), and a URL target once
 * probed (a real ws server on 127.0.0.1): no metrics or Lambda API known, nothing of its start
 * recorded, and the scenario's misfits said.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-target-kinds-'));
let wss: WebSocketServer;
let url: string;

beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function scenarioFile(name: string, body: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, body);
  return p;
}

describe('a --target spec, before anything starts', () => {
  it('"local": the harness starts the stack on this host; no AWS account applies', () => {
    expect(parseTargetSpec('local')).toEqual({ kind: 'local', spec: 'local', recorded: { kind: 'local', url: 'local' }, startsLocalStack: true, usesAwsAccount: false });
  });

  it('aws:<stackName>: found through AWS (--region, --profile), started elsewhere', () => {
    expect(parseTargetSpec('aws:FanoutBenchChat')).toEqual({
      kind: 'aws-stack',
      spec: 'aws:FanoutBenchChat',
      recorded: { kind: 'remote', url: 'aws:FanoutBenchChat' },
      startsLocalStack: false,
      usesAwsAccount: true,
      stackName: 'FanoutBenchChat',
    });
  });

  it('a ws:// or wss:// URL: started elsewhere, no AWS account of its own; anything else is one line', () => {
    expect(parseTargetSpec('wss://abc.execute-api.eu-west-1.amazonaws.com/prod')).toEqual({
      kind: 'url',
      spec: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
      url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
      hostname: 'abc.execute-api.eu-west-1.amazonaws.com',
      recorded: { kind: 'remote', url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod' },
      startsLocalStack: false,
      usesAwsAccount: false,
    });
    // where it was written names it: a variants file's field, --targets
    expect(() => parseTargetSpec('http://x', 'v.yaml: variants[1].target')).toThrow('v.yaml: variants[1].target: expected "local", a ws:// or wss:// URL, aws:<stackName> or aws-api:<apiId>/<stage>, got "http://x"');
    for (const bad of ['http://example.com', 'aws:1bad', 'locale']) {
      expect(() => parseTargetSpec(bad)).toThrow(UserError);
    }
    expect(() => parseTargetSpec('http://example.com')).toThrow('--target: expected "local", a ws:// or wss:// URL, aws:<stackName> or aws-api:<apiId>/<stage>, got "http://example.com"');
  });
});

describe('a URL target, probed', () => {
  it('knows no CloudWatch or Lambda API of a stack of your own, records nothing of its start, and says what of the scenario does not fit it', async () => {
    const target = await openRemoteTarget(parseTargetSpec(url) as UrlSpec);
    try {
      expect(target.kind).toBe('remote');
      expect(target.cloudWatch).toBeNull();
      expect(target.lambdaApi).toBeNull();
      expect(target.startedWith).toEqual({});

      const knobs = loadScenario(scenarioFile('knobs', 'name: knobs\nclients: 2\nrooms: 1\ntarget: { idleReapSeconds: 3 }\nphases:\n  - connect: {}\n  - idle: { duration: 30s }\n'));
      expect(target.scenarioWarnings(knobs)).toEqual([
        'the scenario\'s "target" knobs apply to --target local only; ignored',
        'idle phase "idle" (30s) is shorter than AWS keeps idle Lambda environments (minutes): few cold starts will follow it',
      ]);
      const fits = loadScenario(scenarioFile('fits', 'name: fits\nclients: 2\nrooms: 1\nphases:\n  - connect: {}\n  - idle: { duration: 6m }\n'));
      expect(target.scenarioWarnings(fits)).toEqual([]);
    } finally {
      await target.stop();
    }
  });
});
