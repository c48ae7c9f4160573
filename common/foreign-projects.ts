import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * What a user points `--template` at first, when it is not what the emulator reads: another
 * tool's project (Architect's `app.arc`, SST's `sst.json` or `sst.config.ts`, Terraform's `*.tf`)
 * or a project folder with no CloudFormation in it. Each gets one line saying what the emulator
 * reads (CloudFormation: a template file, a CDK cloud assembly, a Serverless package) and what
 * to run to get it, in place of a parser's complaint about a file it was never meant to parse.
 * Architect and SST v1/v2 synthesize CloudFormation; SST v3 deploys through Pulumi and
 * Terraform through its own providers, so neither has a template: their stack is measured once
 * deployed, through `--target aws-api:<id>/<stage>`. Both programs ask (the harness before it
 * starts a stack, the stack's template reader); nothing here reads more than a name or a few bytes.
 */

/** What the emulator reads, said once for every line below. */
const KINDS = 'a template file, a CDK cloud assembly or a Serverless package';
const NOT_CLOUDFORMATION = `not CloudFormation, which is what fanout-bench reads (${KINDS})`;

const ARCHITECT_FILES = ['app.arc', '.arc', 'arc.json', 'arc.yaml', 'arc.yml'];
const SST_CONFIGS = ['sst.config.ts', 'sst.config.js', 'sst.config.mjs'];
/** SST v3 and later (Ion): its config calls `$config(`; v2's exports a plain object with `stacks`. */
const SST_PULUMI_CONFIG = /\$config\s*\(/;
const TERRAFORM_FILE = /\.tf(\.json)?$/;
const SERVERLESS_FILES = ['serverless.yml', 'serverless.yaml', 'serverless.ts', 'serverless.js', 'serverless.json'];
const SAM_TEMPLATES = ['template.yaml', 'template.yml', 'template.json'];
/** A deployed stack, found by its WebSocket API: what Terraform's and SST v3's stacks are measured through. */
const TARGET_DEPLOYED = "--target aws-api:<id>/<stage> with its WebSocket API's id and stage";

/**
 * Why `path` is not something the emulator reads, in one phrase to follow `--template <path>: `;
 * undefined for a path the template reader should read (or name the problem of) itself.
 */
export function foreignProjectRefusal(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) return folderRefusal(path);
  if (!st.isFile()) return undefined;
  const name = basename(path);
  const dir = dirname(path);
  if (ARCHITECT_FILES.includes(name) || name.endsWith('.arc')) return architect(dir, `an Architect project's manifest`);
  if (name === 'sst.json') return sstV1(dir, `an SST v1 app's config`);
  if (SST_CONFIGS.includes(name)) return sstConfig(path, dir, (v) => `an SST ${v} app's config`);
  if (TERRAFORM_FILE.test(name) || name === 'terraform.tfstate' || name.endsWith('.tfvars')) return terraform('a Terraform configuration file');
  return undefined;
}

function folderRefusal(dir: string): string | undefined {
  const has = (name: string) => existsSync(join(dir, name));
  // what the reader reads: a cloud assembly, a Serverless package
  if (has('manifest.json') || has('cloudformation-template-update-stack.json') || has(join('.serverless', 'cloudformation-template-update-stack.json'))) return undefined;
  if (SERVERLESS_FILES.some(has)) {
    const pkg = join(dir, '.serverless');
    return `a Serverless Framework service, not its CloudFormation: run \`npx serverless package\` in ${dir} (it writes ${join(pkg, 'cloudformation-template-update-stack.json')}), then --template ${pkg}`;
  }
  const architectFile = ARCHITECT_FILES.find(has);
  if (architectFile) return architect(dir, `an Architect project (${architectFile})`);
  if (has('sst.json')) return sstV1(dir, 'an SST v1 app (sst.json)');
  const sstFile = SST_CONFIGS.find(has);
  if (sstFile) return sstConfig(join(dir, sstFile), dir, (v) => `an SST ${v} app (${sstFile})`);
  if (terraformFiles(dir)) return terraform('a Terraform configuration (*.tf)');
  if (has('cdk.out')) return `a CDK app, not its cloud assembly: its assembly is at ${join(dir, 'cdk.out')}: give --template ${join(dir, 'cdk.out')}`;
  if (has('cdk.json')) return `a CDK app, not its cloud assembly: run \`npx cdk synth\` in ${dir} (it writes ${join(dir, 'cdk.out')}), then --template ${join(dir, 'cdk.out')}`;
  const built = join(dir, '.aws-sam', 'build', 'template.yaml');
  if (existsSync(built)) return `a SAM project: give its built template, --template ${built}`;
  const sam = SAM_TEMPLATES.find(has);
  if (sam) return `a SAM project: give its template, --template ${join(dir, sam)} (or, after \`sam build\`, ${built})`;
  return `a folder with no CloudFormation in it, which is what fanout-bench reads: give a template file (.yaml, .yml, .json, .template), a CDK cloud assembly (cdk.out) or a Serverless package (.serverless/)`;
}

function architect(dir: string, what: string): string {
  const sam = join(dir, 'sam.json');
  return existsSync(sam)
    ? `${what}, ${NOT_CLOUDFORMATION}: Architect's is at ${sam} (\`npx arc deploy --dry-run\` writes it): give --template ${sam}`
    : `${what}, ${NOT_CLOUDFORMATION}: run \`npx arc deploy --dry-run\` in ${dir} (it writes ${sam} and deploys nothing), then --template ${sam}`;
}

function sstV1(dir: string, what: string): string {
  const out = join(dir, '.build', 'cdk.out');
  return `${what}, ${NOT_CLOUDFORMATION}: run \`npx sst build\` in ${dir} (it synthesizes the app's stacks into ${out}, a CDK cloud assembly), then --template ${out}`;
}

function sstConfig(file: string, dir: string, what: (version: string) => string): string {
  if (SST_PULUMI_CONFIG.test(head(file))) {
    return `${what('v3')}: SST v3 deploys through Pulumi, not CloudFormation, so there is no template for fanout-bench to read (it reads ${KINDS}): deploy it (\`npx sst deploy\`), then ${TARGET_DEPLOYED}`;
  }
  const out = join(dir, '.sst', 'dist');
  return `${what('v2')}, ${NOT_CLOUDFORMATION}: run \`npx sst build\` in ${dir} (it synthesizes the app's stacks into ${out}, a CDK cloud assembly), then --template ${out}`;
}

function terraform(what: string): string {
  return `${what}, ${NOT_CLOUDFORMATION}: Terraform writes no template to run here; deploy it (\`terraform apply\`), then ${TARGET_DEPLOYED}`;
}

/** The first bytes of a config file: enough to tell SST v3's `$config(` from v2's object. */
function head(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(65_536);
    return buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function terraformFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => TERRAFORM_FILE.test(n));
  } catch {
    return false;
  }
}
