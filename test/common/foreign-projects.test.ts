import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { foreignProjectRefusal } from '../../common/foreign-projects.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';

// What a user points --template at first: another tool's project or a folder with no
// CloudFormation. Each is one line saying what fanout-bench reads and what to run to get it, from
// the template reader (`stack up`) as from the harness before it starts a stack, never a parser's
// complaint about a file it was not meant to parse.

const FIXTURES = fileURLToPath(new URL('../fixtures/first-contact/', import.meta.url));
const at = (name: string) => join(FIXTURES, name);
const dir = mkdtempSync(join(tmpdir(), 'first-contact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const READS = 'not CloudFormation, which is what fanout-bench reads (a template file, a CDK cloud assembly or a Serverless package)';
const DEPLOYED = "--target aws-api:<id>/<stage> with its WebSocket API's id and stage";

/** The template reader's one line for a path. */
async function readerLine(path: string): Promise<string> {
  const err = await readTemplateStack({ path, parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(dir, 'work') }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

/** A folder of its own under the test's directory, with these files. */
function project(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

describe('another tool\'s project, named by the tool that writes its CloudFormation', () => {
  it('an Architect project: `arc deploy --dry-run` writes sam.json; once written, that file is named', async () => {
    const arc = at('architect/app.arc');
    const sam = at('architect/sam.json');
    const line = `--template ${arc}: an Architect project's manifest, ${READS}: run \`npx arc deploy --dry-run\` in ${at('architect')} (it writes ${sam} and deploys nothing), then --template ${sam}`;
    expect(await readerLine(arc)).toBe(line);
    expect(`--template ${arc}: ${foreignProjectRefusal(arc)}`).toBe(line);
    // the project folder says the same of its manifest
    expect(foreignProjectRefusal(at('architect'))).toBe(
      `an Architect project (app.arc), ${READS}: run \`npx arc deploy --dry-run\` in ${at('architect')} (it writes ${sam} and deploys nothing), then --template ${sam}`,
    );
    const built = project('arc-built', { 'app.arc': '@app\nchat\n\n@ws\n', 'sam.json': '{}' });
    expect(foreignProjectRefusal(join(built, 'app.arc'))).toBe(
      `an Architect project's manifest, ${READS}: Architect's is at ${join(built, 'sam.json')} (\`npx arc deploy --dry-run\` writes it): give --template ${join(built, 'sam.json')}`,
    );
  });

  it('an SST app: v1 and v2 synthesize a CDK cloud assembly with `sst build`; v3 deploys through Pulumi and has none', async () => {
    const v1 = at('sst/sst.json');
    expect(await readerLine(v1)).toBe(
      `--template ${v1}: an SST v1 app's config, ${READS}: run \`npx sst build\` in ${at('sst')} (it synthesizes the app's stacks into ${at('sst/.build/cdk.out')}, a CDK cloud assembly), then --template ${at('sst/.build/cdk.out')}`,
    );
    const v2 = project('sst-v2', { 'sst.config.ts': 'import type { SSTConfig } from "sst";\nexport default { config() { return { name: "chat", region: "us-east-1" }; }, stacks(app) {} } satisfies SSTConfig;\n' });
    expect(await readerLine(join(v2, 'sst.config.ts'))).toBe(
      `--template ${join(v2, 'sst.config.ts')}: an SST v2 app's config, ${READS}: run \`npx sst build\` in ${v2} (it synthesizes the app's stacks into ${join(v2, '.sst', 'dist')}, a CDK cloud assembly), then --template ${join(v2, '.sst', 'dist')}`,
    );
    const v3 = project('sst-v3', { 'sst.config.ts': '/// <reference path="./.sst/platform/config.d.ts" />\nexport default $config({\n  app() { return { name: "chat", home: "aws" }; },\n  async run() {},\n});\n' });
    const v3Line = `an SST v3 app's config: SST v3 deploys through Pulumi, not CloudFormation, so there is no template for fanout-bench to read (it reads a template file, a CDK cloud assembly or a Serverless package): deploy it (\`npx sst deploy\`), then ${DEPLOYED}`;
    expect(await readerLine(join(v3, 'sst.config.ts'))).toBe(`--template ${join(v3, 'sst.config.ts')}: ${v3Line}`);
    expect(foreignProjectRefusal(v3)).toBe(v3Line.replace("an SST v3 app's config", 'an SST v3 app (sst.config.ts)'));
  });

  it('a Terraform configuration, a file or its folder: target the deployed API', async () => {
    const tf = at('terraform/main.tf');
    const then = `Terraform writes no template to run here; deploy it (\`terraform apply\`), then ${DEPLOYED}`;
    expect(await readerLine(tf)).toBe(`--template ${tf}: a Terraform configuration file, ${READS}: ${then}`);
    expect(await readerLine(at('terraform'))).toBe(`--template ${at('terraform')}: a Terraform configuration (*.tf), ${READS}: ${then}`);
  });
});

describe('a project folder', () => {
  it('with none of these: what fanout-bench reads', async () => {
    expect(await readerLine(at('project'))).toBe(
      `--template ${at('project')}: a folder with no CloudFormation in it, which is what fanout-bench reads: give a template file (.yaml, .yml, .json, .template), a CDK cloud assembly (cdk.out) or a Serverless package (.serverless/)`,
    );
  });

  it("of a CDK app, a SAM project or a Serverless service: the file or the command that gives what it reads", () => {
    const cdk = project('cdk-app', { 'cdk.json': '{"app":"npx tsx bin/app.ts"}' });
    expect(foreignProjectRefusal(cdk)).toBe(`a CDK app, not its cloud assembly: run \`npx cdk synth\` in ${cdk} (it writes ${join(cdk, 'cdk.out')}), then --template ${join(cdk, 'cdk.out')}`);
    const sam = project('sam-app', { 'template.yaml': 'Resources: {}\n' });
    expect(foreignProjectRefusal(sam)).toBe(`a SAM project: give its template, --template ${join(sam, 'template.yaml')} (or, after \`sam build\`, ${join(sam, '.aws-sam', 'build', 'template.yaml')})`);
    const sls = project('sls-app', { 'serverless.yml': 'service: chat\nprovider:\n  name: aws\n' });
    expect(foreignProjectRefusal(sls)).toBe(
      `a Serverless Framework service, not its CloudFormation: run \`npx serverless package\` in ${sls} (it writes ${join(sls, '.serverless', 'cloudformation-template-update-stack.json')}), then --template ${join(sls, '.serverless')}`,
    );
  });

  it('leaves what the reader reads to the reader: templates, cloud assemblies, Serverless packages, a path that is not there', () => {
    expect(foreignProjectRefusal(project('tpl', { 'chat.yaml': 'Resources: {}\n' }) + '/chat.yaml')).toBeUndefined();
    expect(foreignProjectRefusal(project('assembly', { 'manifest.json': '{}' }))).toBeUndefined();
    expect(foreignProjectRefusal(project('packaged', { '.serverless/cloudformation-template-update-stack.json': '{}', 'serverless.yml': 'service: x\n' }))).toBeUndefined();
    expect(foreignProjectRefusal(join(dir, 'nowhere'))).toBeUndefined();
  });
});
