import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, type CliResult } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * A run of a publish phase to a route of the stack's own HTTP or REST API (`via: http`, `to: POST
 * /notify`): 3 clients in one room, 2 publishes at 1/s, each delivered to every client; its
 * results read back. Shared by publish-http-route.test.ts and publish-rest-route.test.ts.
 */
export interface PublishRouteRun {
  r: CliResult;
  results: Results;
  dir: string;
}

function scenarioFile(work: string, name: string, publish: string): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'clients: 3',
      'rooms: 1',
      'seed: 7',
      'timeouts: { loss: 15s, grace: 1s }',
      'thresholds: ["deliveries.lostShare < 1%"]',
      'protocol:',
      '  name: push',
      '  membership: { model: all }',
      '  send:',
      '    frame: { action: send, data: "{{probe}}" }',
      'phases:',
      '  - connect: { rate: 20 }',
      `  - publish: { name: notify, via: http, ${publish}, rate: 1, duration: 2s, payload: "goal {{probe}}" }`,
      '',
    ].join('\n'),
  );
  return file;
}

/** `headers`: the phase's headers as YAML (`{ Authorization: { env: TOKEN } }`). */
export async function runPublishRoute(work: string, p: { name: string; to: string; apiKey?: string; headers?: string }, target: string[], env?: NodeJS.ProcessEnv): Promise<PublishRouteRun> {
  const out = join(work, `out-${p.name}`);
  const publish = `to: "${p.to}"${p.apiKey !== undefined ? `, apiKey: ${p.apiKey}` : ''}${p.headers !== undefined ? `, headers: ${p.headers}` : ''}`;
  const r = await runCli(['run', scenarioFile(work, p.name, publish), ...target, '--shards', '1', '--summary', 'full', '--out', out], { timeoutMs: 150_000, ...(env ? { env, cwd: work } : {}) });
  const dir = existsSync(out) && readdirSync(out)[0] ? join(out, readdirSync(out)[0]!) : '';
  const file = join(dir, 'results.json');
  return { r, dir, results: dir && existsSync(file) ? Results.parse(JSON.parse(readFileSync(file, 'utf8'))) : (undefined as unknown as Results) };
}

/** Both publishes acked, each reaching the 3 clients: 6 of 6 deliveries; the request went to `resource`. */
export function accountedFor(x: PublishRouteRun, resource = /^http:\/\/127\.0\.0\.1:\d+\/notify$/): void {
  expectPassedButForHost(x.r.code, x.results, x.r.stdout + x.r.stderr);
  const p = x.results.publish![0]!;
  expect(p).toMatchObject({ phase: 'notify', via: 'http', recipientsPerPublish: 3, calls: { intended: 2, sent: 2, acked: 2, failed: 0 }, errors: {} });
  expect(p.deliveries).toEqual({ expected: 6, received: 6, lost: 0, duplicates: 0 });
  expect(p.resource).toMatch(resource);
}
