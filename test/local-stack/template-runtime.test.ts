import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeOf, templateRuntime } from '../../src/local-stack/stack-launcher.ts';

// The launcher starts the emulator on the Node of the runtime a template's functions name, as
// it does for --runtime: peeked from the template file, a cdk.out's templates or a Serverless package.
const dir = mkdtempSync(join(tmpdir(), 'fb-template-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the runtime of a template, for the Node the emulator runs on', () => {
  it('reads the one runtime every function names, in YAML and JSON, in a file, a cdk.out and a .serverless package', () => {
    const yaml = join(dir, 'template.yaml');
    writeFileSync(yaml, 'Globals:\n  Function:\n    Runtime: nodejs24.x\nResources: {}\n');
    expect(templateRuntime(yaml)).toBe('nodejs24.x');
    const cdk = join(dir, 'cdk.out');
    mkdirSync(cdk);
    writeFileSync(join(cdk, 'Chat.template.json'), JSON.stringify({ Resources: { A: { Properties: { Runtime: 'nodejs20.x' } }, B: { Properties: { Runtime: 'nodejs20.x' } } } }));
    expect(templateRuntime(cdk)).toBe('nodejs20.x');
    const project = join(dir, 'project');
    mkdirSync(join(project, '.serverless'), { recursive: true });
    writeFileSync(join(project, '.serverless', 'cloudformation-template-update-stack.json'), '{"Resources":{"F":{"Properties":{"Runtime":"nodejs22.x"}}}}');
    expect(templateRuntime(project)).toBe('nodejs22.x');
    expect(runtimeOf({ settings: { template: { path: yaml } } })).toBe('nodejs24.x');
    // the flag wins over the template
    expect(runtimeOf({ settings: { template: { path: yaml }, lambda: { runtime: 'nodejs22.x' } } })).toBe('nodejs22.x');
  });

  it('leaves it to the default when functions disagree, or the path is not there', () => {
    const mixed = join(dir, 'mixed.json');
    writeFileSync(mixed, JSON.stringify({ Resources: { A: { Properties: { Runtime: 'nodejs20.x' } }, B: { Properties: { Runtime: 'nodejs24.x' } } } }));
    expect(templateRuntime(mixed)).toBeUndefined();
    expect(templateRuntime(join(dir, 'missing.yaml'))).toBeUndefined();
    expect(runtimeOf({ settings: { template: { path: mixed } } })).toBe('nodejs22.x');
  });
});
