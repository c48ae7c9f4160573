import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importsOf, packageOf, undeclaredPackages } from './module-imports.ts';
import { ROOT, runtimeFiles } from './runtime-files.ts';

/**
 * Every package the tool loads at run time is in package.json's `dependencies`: a devDependency
 * is not installed beside a user's copy of the package, so an import only a devDependency brings
 * works in the checkout and fails in their project. The files walked are runtime-files.ts's (what
 * `npm run build` compiles, and the functions the emulator bundles; its comment says why those).
 */
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const { compiled, bundled } = runtimeFiles();
const walked = [...compiled, ...bundled];
const imports = importsOf(ROOT, walked);

describe('runtime dependencies', () => {
  it('every package a runtime file imports is a dependency, not a devDependency', () => {
    expect(undeclaredPackages(imports, manifest.dependencies).join('\n')).toBe('');
  });

  it('the walk reaches every runtime tree and what each imports', () => {
    for (const tree of ['bin/', 'common/', 'src/', 'emulator/', 'reference-stack/functions/']) expect(walked.some((f) => f.startsWith(tree)), tree).toBe(true);
    expect(walked).toContain('src/cli.ts');
    // of the CDK app, only what runs its CLI (a checkout's synthesis), none of its constructs
    expect(walked.filter((f) => f.startsWith('reference-stack/infra/'))).toEqual(['reference-stack/infra/synthesize.ts']);
    expect(walked.some((f) => f.startsWith('test/') || f.startsWith('src/report/shared/assets/'))).toBe(false);
    const packages = new Set([...imports.values()].flat().flatMap((i) => packageOf(i.specifier) ?? []));
    // one from each kind of place: the emulator (a CDK assembly), a function (the $connect authorizer), the CLI, a report asset read from disk
    for (const pkg of ['@aws-cdk/cloud-assembly-schema', '@aws-sdk/client-ssm', 'commander', 'uplot']) expect(packages, pkg).toContain(pkg);
  });

  describe('the check catches a devDependency loaded in any form', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-runtime-deps-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'module.ts'),
      [
        "import { App } from 'aws-cdk-lib';",
        "import type { Construct } from 'constructs';",
        "import { type Arbitrary } from 'fast-check';",
        "import { readFileSync } from 'node:fs';",
        "import { join } from 'path';",
        "import './sibling.ts';",
        "export * from 'aws-cdk-lib/aws-lambda';",
        "export type { Browser } from 'playwright-core';",
        "import { z } from 'zod';",
        "const vitest = await import('vitest');",
        "const cjs = require('source-map-js');",
        "const file = createRequire(import.meta.url).resolve('dependency-cruiser/package.json');",
        "import { Manifest } from '@aws-cdk/cloud-assembly-schema/lib/manifest';",
        "type T = import('typescript').Node;",
        '',
      ].join('\n'),
    );

    it('names each undeclared package with every place it is imported; type-only imports, built-ins, files and dependencies pass', () => {
      expect(undeclaredPackages(importsOf(dir, ['module.ts']), manifest.dependencies)).toEqual([
        'aws-cdk-lib: module.ts:1, module.ts:7',
        'dependency-cruiser: module.ts:12',
        'source-map-js: module.ts:11',
        'vitest: module.ts:10',
      ]);
      // each of them is a devDependency here: the check does not count those
      for (const pkg of ['aws-cdk-lib', 'dependency-cruiser', 'source-map-js', 'vitest']) expect(manifest.devDependencies).toHaveProperty([pkg]);
    });

    it('a scoped package is @scope/name, a deep import its package', () => {
      expect(undeclaredPackages(importsOf(dir, ['module.ts']), {})).toContain('@aws-cdk/cloud-assembly-schema: module.ts:13');
      expect(['@smithy/core/retry', 'uplot/dist/uPlot.min.css', 'node:fs', 'fs', './x.ts', '/abs/x.js', 'file:///x.js'].map(packageOf)).toEqual(['@smithy/core', 'uplot', undefined, undefined, undefined, undefined, undefined]);
    });
  });
});
