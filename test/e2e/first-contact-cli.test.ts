import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './cli.ts';

/**
 * What a new user points the tool at first, through the real CLI: an Architect project, an SST
 * app, a Terraform configuration, a project folder. Each is one line saying what fanout-bench
 * reads and what to run to get it, exit 2, said before any stack starts (no run directory).
 * test/common/foreign-projects.test.ts holds every line; these are the ones users met.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/first-contact/', import.meta.url));
const at = (name: string) => join(FIXTURES, name);
const out = mkdtempSync(join(tmpdir(), 'fb-first-contact-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const READS = 'not CloudFormation, which is what fanout-bench reads (a template file, a CDK cloud assembly or a Serverless package)';
const run = (template: string) => runCli(['run', '--target', 'local', '--template', template, '--out', out], { timeoutMs: 60_000 });

describe('first contact, from the CLI', { timeout: 120_000 }, () => {
  it('app.arc, sst.json, main.tf and a project folder: one line each, nothing started', async () => {
    const [arc, sst, tf, folder] = await Promise.all([at('architect/app.arc'), at('sst/sst.json'), at('terraform/main.tf'), at('project')].map(run));
    expectOneLine(
      arc!,
      `--template ${at('architect/app.arc')}: an Architect project's manifest, ${READS}: run \`npx arc deploy --dry-run\` in ${at('architect')} (it writes ${at('architect/sam.json')} and deploys nothing), then --template ${at('architect/sam.json')}`,
    );
    expectOneLine(
      sst!,
      `--template ${at('sst/sst.json')}: an SST v1 app's config, ${READS}: run \`npx sst build\` in ${at('sst')} (it synthesizes the app's stacks into ${at('sst/.build/cdk.out')}, a CDK cloud assembly), then --template ${at('sst/.build/cdk.out')}`,
    );
    expectOneLine(
      tf!,
      `--template ${at('terraform/main.tf')}: a Terraform configuration file, ${READS}: Terraform writes no template to run here; deploy it (\`terraform apply\`), then --target aws-api:<id>/<stage> with its WebSocket API's id and stage`,
    );
    expectOneLine(
      folder!,
      `--template ${at('project')}: a folder with no CloudFormation in it, which is what fanout-bench reads: give a template file (.yaml, .yml, .json, .template), a CDK cloud assembly (cdk.out) or a Serverless package (.serverless/)`,
    );
    // refused before a stack or a run directory: nothing under --out
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
