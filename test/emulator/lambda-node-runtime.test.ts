import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { bundleFunctions } from '../../emulator/lambda/bundling/bundle.ts';
import { NODE_RUNTIMES, nodeMajorOf, type NodeRuntime } from '../../common/node-runtimes.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { findNode, majorOf } from '../../src/local-stack/node-binaries.ts';
import { expectOk, fixture } from './lambda-test-helpers.ts';

/** A runtime whose Node is not this process's but is at hand (cache or PATH), if any. */
function otherRuntimeAtHand(): { runtime: NodeRuntime; node: { path: string; version: string } } | undefined {
  for (const runtime of NODE_RUNTIMES) {
    if (nodeMajorOf(runtime) === majorOf(process.versions.node)) continue;
    const node = findNode(nodeMajorOf(runtime));
    if (node) return { runtime, node };
  }
  return undefined;
}

const other = otherRuntimeAtHand();

describe('Lambda runtime: the emulated Node.js runtime', () => {
  it('tells each function its runtime in AWS_EXECUTION_ENV and runs it on the host process\'s Node', async () => {
    const runtime = await createLambdaRuntime({
      runtime: 'nodejs24.x',
      cpuModel: 'off',
      metrics: new MetricStore(),
      logs: new LogStore(),
      functions: [{ name: 'echo', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 10, environment: {} }],
    });
    try {
      const r = expectOk(await runtime.invoke('echo', { action: 'echo' })).result as { nodeVersion: string; env: { executionEnv: string } };
      expect(r.env.executionEnv).toBe('AWS_Lambda_nodejs24.x');
      expect(r.nodeVersion).toBe(process.version); // worker threads of this process
    } finally {
      await runtime.close();
    }
  });

  it('takes each function\'s own runtime (AWS_EXECUTION_ENV, esbuild target), the runtime option for those that name none', async () => {
    const runtime = await createLambdaRuntime({
      runtime: 'nodejs24.x',
      cpuModel: 'off',
      metrics: new MetricStore(),
      logs: new LogStore(),
      functions: [
        { name: 'own', runtime: 'nodejs20.x', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 10 },
        { name: 'default', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 10 },
      ],
    });
    try {
      const env = async (name: string) => (expectOk(await runtime.invoke(name, { action: 'echo' })).result as { env: { executionEnv: string } }).env.executionEnv;
      expect(await env('own')).toBe('AWS_Lambda_nodejs20.x');
      expect(await env('default')).toBe('AWS_Lambda_nodejs24.x');
    } finally {
      await runtime.close();
    }
  });

  it('refuses a runtime it does not emulate, naming the field', async () => {
    await expect(
      createLambdaRuntime({
        // @ts-expect-error: not a runtime
        runtime: 'nodejs18.x',
        metrics: new MetricStore(),
        logs: new LogStore(),
        functions: [{ name: 'echo', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 10 }],
      }),
    ).rejects.toThrow(/^lambda runtime: runtime: Invalid option/);
  });

  it('bundles for the runtime\'s Node (esbuild target nodeNN, as CDK derives it)', async () => {
    // The target is what can be checked: for the CommonJS function bundles esbuild emits the same
    // code for node20, node22 and node24 today (no syntax the chat functions use differs).
    const seen: Record<string, { target: string; bundled: boolean }> = {};
    for (const runtime of NODE_RUNTIMES) {
      const bundles = await bundleFunctions([{ name: 'echo', entry: fixture('behaviour.ts') }], runtime);
      try {
        seen[runtime] = { target: bundles.target, bundled: /exports|module\.exports/.test(readFileSync(bundles.handlerPaths.get('echo')!, 'utf8')) };
      } finally {
        await bundles.dispose();
      }
    }
    expect(seen).toEqual({
      'nodejs20.x': { target: 'node20', bundled: true },
      'nodejs22.x': { target: 'node22', bundled: true },
      'nodejs24.x': { target: 'node24', bundled: true },
    });
  });

  it.skipIf(!other)(`on the runtime's own Node (${other?.runtime} on ${other?.node.version}), a function sees that Node and runtime`, async () => {
    const script = fileURLToPath(new URL('../fixtures/node/invoke-echo.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(other!.node.path, ['--import', 'tsx', script, other!.runtime], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: 60_000,
    });
    const seen = JSON.parse(stdout.trim()) as { nodeVersion: string; executionEnv: string; host: string };
    expect(seen).toEqual({ nodeVersion: `v${other!.node.version}`, executionEnv: `AWS_Lambda_${other!.runtime}`, host: `v${other!.node.version}` });
    expect(majorOf(seen.nodeVersion)).toBe(nodeMajorOf(other!.runtime));
  });
});
