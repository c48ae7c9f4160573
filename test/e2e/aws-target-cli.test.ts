import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli, type CliResult } from './cli.ts';

/**
 * `--target aws:<stackName>` through the real CLI when the stack cannot be used: one line, exit 2,
 * nothing started or written, and no credential in anything printed. CloudFormation has no local
 * endpoint, and aws-sdk-client-mock cannot reach into a child process: the CLI's real
 * CloudFormation client is pointed (AWS_ENDPOINT_URL_CLOUDFORMATION, the SDK's own setting) at a
 * 127.0.0.1 server that answers DescribeStacks with the errors AWS gives, in AWS's Query protocol,
 * so the SDK signs with the credentials and parses the answers exactly as it would AWS's.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-aws-cli-'));

const KEY_ID = 'AKIAFANOUTBENCHTEST7';
const SECRET = 'fanoutBenchSecretAccessKeyNeverPrinted0001';
const TOKEN = 'fanoutBenchSessionTokenNeverPrinted0002';

let server: Server;
let endpoint: string;
const seen: Array<{ authorization: string; body: string }> = [];

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>4f1c0f5e-0000-4000-8000-000000000000</RequestId></ErrorResponse>`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ authorization: String(req.headers.authorization ?? ''), body });
      const stack = new URLSearchParams(body).get('StackName');
      const [status, xml] =
        stack === 'Denied'
          ? [403, errorXml('AccessDenied', `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:eu-west-1:123456789012:stack/${stack}/*`)]
          : [400, errorXml('ValidationError', `Stack with id ${stack} does not exist`)];
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': '4f1c0f5e-0000-4000-8000-000000000000' });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI with a clean AWS environment: only what `aws` adds, no config files, no instance metadata. */
function cli(args: string[], aws: Record<string, string>): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...aws,
  });
  return runCli(args, { env, timeoutMs: 90_000 });
}

/** One line, exit 2, and no credential in anything printed. */
function expectOneLineNoSecret(r: CliResult, line: string | RegExp): void {
  expectOneLine(r, line);
  for (const secret of [SECRET, TOKEN, KEY_ID]) expect(r.stdout + r.stderr).not.toContain(secret);
}

const CREDENTIALS = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN };

describe('--target aws:<stackName> from the CLI', { timeout: 120_000 }, () => {
  it('a stack that does not exist: one line, exit 2, no credential printed, no run directory', async () => {
    const out = join(dir, 'reports-missing');
    const r = await cli(['run', 'fanout', '--target', 'aws:Missing', '--region', 'eu-west-1', '--out', out, '--no-progress'], {
      ...CREDENTIALS,
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    });
    expectOneLineNoSecret(r, 'aws:Missing: no such stack in eu-west-1 (deploy it with "npm run cdk -- deploy", or give the stack\'s --region / --profile)');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    // the real SDK signed with those credentials: the key id is in the request, never in the output
    const asked = seen.find((s) => s.body.includes('StackName=Missing'));
    expect(asked?.authorization).toContain(`Credential=${KEY_ID}/`);
    expect(asked?.body).toContain('Action=DescribeStacks');
  });

  it('no permission: the action it needs, and AWS\'s message (which names the caller, not a credential)', async () => {
    const r = await cli(['run', 'fanout', '--target', 'aws:Denied', '--region', 'eu-west-1', '--out', join(dir, 'reports-denied'), '--no-progress'], {
      ...CREDENTIALS,
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    });
    expectOneLineNoSecret(
      r,
      /^fanout-bench: aws:Denied: not allowed: cloudformation:DescribeStacks is needed in eu-west-1 \(AccessDenied: User: arn:aws:iam::123456789012:user\/ci is not authorized to perform: cloudformation:DescribeStacks on resource: .*\)\n$/,
    );
  });

  it('no credentials at all: one line naming the chain; nothing is sent', async () => {
    const before = seen.length;
    const r = await cli(['run', 'fanout', '--target', 'aws:FanoutBenchChat', '--region', 'eu-west-1', '--out', join(dir, 'reports-nocreds'), '--no-progress'], {
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    });
    expectOneLineNoSecret(r, "aws:FanoutBenchChat: no AWS credentials: the SDK's standard chain (environment, profile, SSO, instance role) found none usable");
    expect(seen.length).toBe(before);
  });

  it('--region and --profile belong to aws: targets, and a bad stack name is refused before anything is asked', async () => {
    expectOneLineNoSecret(await cli(['run', 'fanout', '--region', 'eu-west-1', '--dry-run'], {}), '--region: applies to --target aws:<stackName> only (a URL names its region; the local stack needs none)');
    expectOneLineNoSecret(await cli(['run', 'fanout', '--target', 'aws:Fanout', '--region', 'Ireland', '--dry-run'], {}), '--region: must be an AWS region such as us-east-1, got "Ireland"');
    expectOneLineNoSecret(
      await cli(['run', 'fanout', '--target', 'aws:my_stack', '--dry-run'], {}),
      '--target: aws:<stackName> needs a CloudFormation stack name (a letter, then up to 127 letters, digits or "-"), got "aws:my_stack"',
    );
    // --dry-run reads an aws: target's quotas from its account: a stack that is not there is its one line
    const before = seen.length;
    const dry = await cli(['run', 'fanout', '--target', 'aws:FanoutBenchChat', '--region', 'eu-west-1', '--dry-run'], { ...CREDENTIALS, AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint });
    expectOneLineNoSecret(dry, 'aws:FanoutBenchChat: no such stack in eu-west-1 (deploy it with "npm run cdk -- deploy", or give the stack\'s --region / --profile)');
    expect(seen.length).toBe(before + 1);
  });
});
