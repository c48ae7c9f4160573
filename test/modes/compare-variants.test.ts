import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { CONFIGURABLE_FUNCTION_NAMES } from '../../src/contracts/reference-functions.ts';
import { parseVariants } from '../../src/modes/compare-variants.ts';
import { runSweep } from '../../src/modes/compare-sweep.ts';

/**
 * `compare --targets`: a list of targets or a variants file, and every mistake in one line naming
 * the flag or the file and field: the file's shape when it is read, each target when the sweep
 * checks its input (the one parse of a target spec), before anything starts.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-variants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The sweep's own input check, as `compare --targets` makes it before any target starts. */
async function sweepRefusal(flag: string): Promise<string> {
  const err = await runSweep({ scenario: 'fanout', sweep: { parameter: 'targets', variants: parseVariants(flag) }, outDir: dir }).then(
    () => new Error(`accepted ${flag}`),
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(UserError);
  expect(err.message.includes('\n')).toBe(false);
  return err.message;
}

function refusal(flag: string): string {
  try {
    parseVariants(flag);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as Error).message.includes('\n')).toBe(false);
    return (err as Error).message;
  }
  throw new Error(`accepted ${flag}`);
}

describe('parseVariants: a list of targets', () => {
  it('names each variant by its target, numbering a target given twice (an A/A comparison)', () => {
    expect(parseVariants('aws:ChatArm64, aws:ChatX86')).toEqual([
      { name: 'aws:ChatArm64', target: 'aws:ChatArm64', field: { target: '--targets' } },
      { name: 'aws:ChatX86', target: 'aws:ChatX86', field: { target: '--targets' } },
    ]);
    expect(parseVariants('local,local,wss://chat.example.com/prod').map((v) => [v.name, v.target])).toEqual([
      ['local', 'local'],
      ['local#2', 'local'],
      ['wss://chat.example.com/prod', 'wss://chat.example.com/prod'],
    ]);
  });

  it('refuses one target, an empty item, too many and a target it does not know, naming --targets', async () => {
    expect(refusal('local')).toBe('--targets: list 2 to 12 targets to compare, got 1 ("local")');
    expect(refusal('local,,aws:B')).toBe('--targets: an empty item in "local,,aws:B" (a comma-separated list, e.g. --targets aws:ChatArm64,aws:ChatX86, or a variants file)');
    expect(refusal(Array.from({ length: 13 }, (_, k) => `aws:S${k}`).join(','))).toMatch(/^--targets: list 2 to 12 targets to compare, got 13 /);
    expect(await sweepRefusal('nope,local')).toBe('--targets: expected "local", a ws:// or wss:// URL, aws:<stackName> or aws-api:<apiId>/<stage>, got "nope"');
    expect(await sweepRefusal('local,aws:1bad')).toBe('--targets: aws:<stackName> needs a CloudFormation stack name (a letter, then up to 127 letters, digits or "-"), got "aws:1bad"');
  });
});

describe('parseVariants: a variants file', () => {
  it('reads names, targets, a local stack\'s knobs (its files relative to the variants file) and the architecture to price', () => {
    const f = file(
      'variants.yaml',
      `variants:
  - { name: node22, target: local, knobs: { runtime: nodejs22.x, config: stack.yaml, template: sam/template.yaml } }
  - { name: node24, target: local, knobs: { runtime: nodejs24.x, memory: { fanout-send-message: 1024 } } }
  - { target: "aws:ChatArm64", arch: arm64 }
`,
    );
    const field = (i: number) => ({ target: `${f}: variants[${i}].target`, knobs: `${f}: variants[${i}].knobs` });
    expect(parseVariants(f)).toEqual([
      { name: 'node22', target: 'local', field: field(0), knobs: { runtime: 'nodejs22.x', config: join(dir, 'stack.yaml'), template: join(dir, 'sam/template.yaml') } },
      { name: 'node24', target: 'local', field: field(1), knobs: { runtime: 'nodejs24.x', memory: { 'fanout-send-message': 1024 } } },
      { name: 'variant-3', target: 'aws:ChatArm64', field: field(2), arch: 'arm64' },
    ]);
    const json = file('variants.json', JSON.stringify({ variants: [{ target: 'local' }, { target: 'local', knobs: { cpuModel: 'off' } }] }));
    expect(parseVariants(json).map((v) => [v.name, v.knobs])).toEqual([
      ['variant-1', undefined],
      ['variant-2', { cpuModel: 'off' }],
    ]);
  });

  it('refuses each mistake in one line naming the file and the field', async () => {
    const cases: Array<[string, string, string]> = [
      ['one.yaml', 'variants:\n  - { name: a, target: local }\n', 'variants: list 2 to 12 variants'],
      ['unknown-key.yaml', 'variants:\n  - { name: a, target: local, colour: red }\n  - { name: b, target: local }\n', 'variants[0].colour: unknown key'],
      ['bad-knob.yaml', 'variants:\n  - { name: a, target: local, knobs: { runtime: nodejs99.x } }\n  - { name: b, target: local }\n', 'variants[0].knobs.runtime: Invalid option: expected one of "nodejs20.x"|"nodejs22.x"|"nodejs24.x"'],
      ['twice.yaml', 'variants:\n  - { name: a, target: local }\n  - { name: a, target: "aws:Chat" }\n', 'variants[1].name: "a" is given twice (names must be unique)'],
      ['bad-name.yaml', 'variants:\n  - { name: "a b", target: local }\n  - { target: local }\n', 'variants[0].name: must be 1-64 characters of A-Z a-z 0-9 _ . : @ -'],
      ['bad-arch.yaml', 'variants:\n  - { target: local, arch: sparc }\n  - { target: local }\n', 'variants[0].arch: Invalid option: expected one of "x86_64"|"arm64"'],
    ];
    for (const [name, text, line] of cases) expect(refusal(file(name, text)), name).toBe(`${join(dir, name)}: ${line}`);
    // each variant's target and knobs, when the sweep checks its input
    const checked: Array<[string, string, string]> = [
      ['remote-knobs.yaml', 'variants:\n  - { name: a, target: local }\n  - { name: b, target: "aws:Chat", knobs: { runtime: nodejs24.x } }\n', 'variants[1].knobs: apply to a local target only (this one is aws:Chat)'],
      ['bad-target.yaml', 'variants:\n  - { name: a, target: local }\n  - { name: b, target: "ftp://x" }\n', 'variants[1].target: expected "local", a ws:// or wss:// URL, aws:<stackName> or aws-api:<apiId>/<stage>, got "ftp://x"'],
      ['bad-first.yaml', 'variants:\n  - { name: a, target: "aws:" }\n  - { name: b, target: local }\n', 'variants[0].target: aws:<stackName> needs a CloudFormation stack name (a letter, then up to 127 letters, digits or "-"), got "aws:"'],
      // the reference stack's functions, as no layer names a template
      ['bad-function.yaml', 'variants:\n  - { name: a, target: local }\n  - { name: b, target: local, knobs: { memory: { PublishFunction: 512 } } }\n', `variants[1].knobs.memory.PublishFunction: unknown function (known: ${CONFIGURABLE_FUNCTION_NAMES.join(', ')})`],
    ];
    for (const [name, text, line] of checked) expect(await sweepRefusal(file(name, text)), name).toBe(`${join(dir, name)}: ${line}`);
    expect(refusal(join(dir, 'missing.yaml'))).toBe(`${join(dir, 'missing.yaml')}: cannot read variants file (ENOENT)`);
    expect(refusal(file('broken.yaml', 'variants: [\n'))).toMatch(new RegExp(`^${join(dir, 'broken.yaml')}:2:1: not valid YAML: `));
  });
});
