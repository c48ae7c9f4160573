import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import { CLOUDFORMATION_YAML_TAGS } from '../../emulator/stack-model/cloudformation-yaml-tags.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';

// A template is untrusted input: the fixture stacks with one value anywhere replaced by anything
// (another type, an intrinsic, a reference to a resource or to nothing) are read or refused in
// one line, never a TypeError, a stack overflow or a hang.

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'template-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FIXTURES = join(ROOT, 'test/fixtures/stacks');
const cfn = JSON.parse(readFileSync(join(FIXTURES, 'provisioned-cfn/template.json'), 'utf8')) as unknown;
const sam = readDataFile(join(FIXTURES, 'sam-rooms/template.yaml'), { what: 'template', yamlTags: CLOUDFORMATION_YAML_TAGS });

/** Every path to a value in the document. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function replaced(doc: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

const names = ['Api', 'RoomsApi', 'Stage', 'SendFunction', 'PublishFunction', 'ConnectionsTable', 'MembersTable', 'Nowhere', 'AWS::Region', 'AWS::NoValue', 'StageName', 'IsProd'];
const anything: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, 0, -1, 1e9, '', 'nodejs18.x', 'HTTP', '$default', 'integrations/x', '${Api}', '${!x}', '${Nowhere.Arn}', '../x'),
    fc.string({ maxLength: 12 }),
    fc.constantFrom(...names).map((n) => ({ Ref: n })),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom('Arn', 'ApiEndpoint', 'Nope')).map(([r, a]) => ({ 'Fn::GetAtt': [r, a] })),
    fc.constantFrom('Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::If', 'Fn::Sub', 'Fn::FindInMap', 'Fn::ImportValue', 'Fn::Equals', 'Fn::Base64', 'Condition').chain((fn) =>
      tie('v').map((arg) => ({ [fn]: arg })),
    ),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('Type', 'Properties', 'Ref', 'ZipFile', 'Variables', 'a'), tie('v'), { maxKeys: 2 }),
  ),
})).v;

describe('mutated templates', () => {
  const cases: Array<[string, unknown, string, number]> = [
    ['provisioned-cfn', cfn, 'provisioned-cfn/src', 400],
    ['sam-rooms', sam, 'sam-rooms/src', 200],
  ];
  for (const [name, original, code, runs] of cases) {
    it(`${name}: read or refused in one line`, async () => {
      const all = paths(original);
      let tried = 0;
      let refused = 0;
      // the functions' code directory, beside the templates as in the fixture: copied once (the
      // reader only reads it), each case a template file and a work directory of its own, removed
      // after it (a copy and a removal of the code per case were most of this test's time)
      const dir = join(work, name);
      cpSync(join(FIXTURES, code), join(dir, 'src'), { recursive: true });
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: all.length - 1 }), anything, async (at, value) => {
          const file = join(dir, `template-${tried}.json`);
          const workDir = join(dir, `work-${tried++}`);
          writeFileSync(file, JSON.stringify(replaced(original, all[at]!, value)));
          try {
            await readTemplateStack({ path: file, parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'fuzz123456', workDir });
          } catch (err) {
            if (!(err instanceof UserError)) throw new Error(`${all[at]!.join('.')} = ${JSON.stringify(value)}: ${(err as Error).stack}`);
            expect((err as Error).message).not.toContain('\n');
            refused++;
          } finally {
            rmSync(file);
            rmSync(workDir, { recursive: true, force: true });
          }
        }),
        { numRuns: runs, seed: 31 },
      );
      // the mutations reach far enough to be refused often, and not always
      expect(refused).toBeGreaterThan(runs / 10);
      expect(refused).toBeLessThan(tried);
      console.log(`template fuzz (${name}): ${tried} mutated templates, ${refused} refused`);
    });
  }
});
