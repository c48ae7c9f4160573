import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import { startEdge, type EdgeHandlers } from '../../emulator/edge/server.ts';
import { EDGE_SERVICES } from '../../emulator/edge/request-service.ts';
import { roleSessions } from '../../emulator/iam/role-sessions.ts';
import { PolicyGenerations } from '../../emulator/iam-api/policy-generation.ts';
import { startIamApiServer } from '../../emulator/iam-api/server.ts';
import type { LocalEndpoint, ServiceEndpoint } from '../../emulator/local-listener.ts';
import { emulatorSettings, type SdkClientSettings } from '../../src/aws/sdk-settings.ts';
import { checkPublishPermissions, permissionRefusal, publishResourceArn, simulationSource, type PermissionCheck } from '../../src/session/publish-permission.ts';

// A publish phase's permission asked of IAM before load (issue 61), against the emulator's own
// endpoints in-process: its edge routes STS (signing name sts) and IAM to the IAM API, which
// answers GetCallerIdentity from the request's session token and SimulatePrincipalPolicy with the
// evaluation the services enforce. The harness's check runs with the real SDK v3 STS and IAM
// clients; boto3's reads both answers too.

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;
const OTHER_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:scores`;
const statements = (doc: unknown) =>
  parsePolicyDocument(doc, 'inline policy', (path, message) => {
    throw new UserError(`${path.join('.')}: ${message}`);
  });
const grants = roleSessions([
  {
    name: 'publisher',
    role: {
      name: 'PublisherRole',
      arn: `arn:aws:iam::${ACCOUNT}:role/PublisherRole`,
      notes: [],
      statements: statements({
        Statement: [
          { Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:*` },
          { Effect: 'Deny', Action: 'sns:Publish', Resource: OTHER_TOPIC },
        ],
      }),
    },
  },
  { name: 'reader', role: { name: 'ReaderRole', arn: `arn:aws:iam::${ACCOUNT}:role/ReaderRole`, notes: [], statements: statements({ Statement: { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' } }) } },
]);
const tokenOf = (fn: string) => grants.sessions.find((s) => s.function === fn)!.token;

let iamApi: ServiceEndpoint;
let edge: LocalEndpoint;
/** session token ('' for none) → the Arn boto3's GetCallerIdentity answered */
let callers: Map<string, string>;
/** boto3's SimulatePrincipalPolicy of PublisherRole on both topics: the decisions botocore read */
let botoSimulation: { top: string; each: string[] };

/** The harness's settings through the edge with a session's token (a role session) or none (the local caller). */
function settings(token?: string): SdkClientSettings {
  const s = emulatorSettings(edge.url, REGION);
  return token ? { ...s, credentials: { ...s.credentials!, sessionToken: token } as SdkClientSettings['credentials'] } : s;
}
const check = (topic: string): PermissionCheck => ({ phase: 'alerts', field: 'scenario.yaml: phases[1].publish', resource: { via: 'sns', id: topic }, action: 'sns:Publish' });

beforeAll(async () => {
  iamApi = await startIamApiServer({
    roles: grants.roles.map(([arn]) => ({ name: arn.split('/').pop()!, arn, inline: [], attached: [] })),
    generations: new PolicyGenerations(async () => [], new Map(), 'enforce'),
    created: new Date(),
    accountId: ACCOUNT,
    sessions: grants.sessions,
    statements: new Map(grants.roles),
  });
  // every service the edge knows points at the IAM API: only iam and sts are asked here
  edge = await startEdge(Object.fromEntries(EDGE_SERVICES.map((s) => [s, iamApi.handle])) as EdgeHandlers);
  const script = [
    'import boto3, json, sys',
    'def client(service, token):',
    `    return boto3.client(service, endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="local", aws_secret_access_key="local", aws_session_token=token or None)`,
    'callers = {t: client("sts", t).get_caller_identity()["Arn"] for t in sys.argv[2:]}',
    `r = client("iam", "").simulate_principal_policy(PolicySourceArn="arn:aws:iam::${ACCOUNT}:role/PublisherRole", ActionNames=["sns:Publish"], ResourceArns=["${TOPIC}", "${OTHER_TOPIC}"])["EvaluationResults"][0]`,
    'print(json.dumps({"callers": callers, "top": r["EvalDecision"], "each": [x["EvalResourceDecision"] for x in r["ResourceSpecificResults"]]}))',
  ].join('\n');
  const tokens = ['', tokenOf('publisher'), tokenOf('reader')];
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script, edge.url, ...tokens], { timeout: 30_000, env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' } });
  const out = JSON.parse(stdout) as { callers: Record<string, string>; top: string; each: string[] };
  callers = new Map(Object.entries(out.callers));
  botoSimulation = { top: out.top, each: out.each };
}, 40_000);

afterAll(async () => {
  await edge?.close();
  await iamApi?.close();
});

describe('STS GetCallerIdentity and IAM SimulatePrincipalPolicy on the emulator', () => {
  it("answers a role session's caller as its assumed role, and the local credentials as the emulator's local user (boto3 through the edge)", () => {
    expect(callers.get(tokenOf('publisher'))).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/PublisherRole/publisher`);
    expect(callers.get(tokenOf('reader'))).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ReaderRole/reader`);
    expect(callers.get('')).toBe(`arn:aws:iam::${ACCOUNT}:user/fanout-bench-local`);
  });

  it('simulates a role with the statements the services enforce: allowed, explicitDeny, implicitDeny, per resource and aggregated (SDK v3 and boto3)', async () => {
    const iam = new IAMClient({ ...settings(), maxAttempts: 1 });
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/PublisherRole`, ActionNames: ['sns:Publish', 'sqs:SendMessage'], ResourceArns: [TOPIC, OTHER_TOPIC] }));
    expect(out.IsTruncated).toBe(false);
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.ResourceSpecificResults!.map((x) => [x.EvalResourceName, x.EvalResourceDecision])])).toEqual([
      ['sns:Publish', 'explicitDeny', [[TOPIC, 'allowed'], [OTHER_TOPIC, 'explicitDeny']]],
      ['sqs:SendMessage', 'implicitDeny', [[TOPIC, 'implicitDeny'], [OTHER_TOPIC, 'implicitDeny']]],
    ]);
    expect(botoSimulation).toEqual({ top: 'explicitDeny', each: ['allowed', 'explicitDeny'] });
    // the local caller is the account's admin: allowed everything, as the services let it
    const local = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/fanout-bench-local`, ActionNames: ['sns:Publish'], ResourceArns: [OTHER_TOPIC] }));
    expect(local.EvaluationResults![0]).toMatchObject({ EvalActionName: 'sns:Publish', EvalResourceName: OTHER_TOPIC, EvalDecision: 'allowed' });
    await expect(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/Nobody`, ActionNames: ['sns:Publish'] }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role with name Nobody cannot be found.',
      $metadata: { httpStatusCode: 404 },
    });
    expect((await iam.send(new GetRoleCommand({ RoleName: 'PublisherRole' }))).Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/PublisherRole`);
    iam.destroy();
  });
});

describe("a publish phase's permission, checked before load through the emulator's endpoints", () => {
  it('refuses a role session lacking sns:Publish in one line naming the caller, the action, the topic and the phase', async () => {
    const warnings: string[] = [];
    const refused = await checkPublishPermissions([check(TOPIC)], { sts: settings(tokenOf('reader')), iam: settings(tokenOf('reader')) }, (w) => warnings.push(w)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toBe(
      `scenario.yaml: phases[1].publish: publish phase alerts is refused before load: arn:aws:sts::${ACCOUNT}:assumed-role/ReaderRole/reader may not sns:Publish on ${TOPIC} (IAM SimulatePrincipalPolicy: implicitDeny, no identity-based policy of arn:aws:iam::${ACCOUNT}:role/ReaderRole allows it); grant it, or run with credentials that have it`,
    );
    expect(warnings).toEqual([]);
  });

  it("passes a role session that has it, refuses the topic its role explicitly denies, and passes the local caller's every publish", async () => {
    const warnings: string[] = [];
    const publisher = { sts: settings(tokenOf('publisher')), iam: settings(tokenOf('publisher')) };
    await checkPublishPermissions([check(TOPIC)], publisher, (w) => warnings.push(w));
    await expect(checkPublishPermissions([check(TOPIC), check(OTHER_TOPIC)], publisher, (w) => warnings.push(w))).rejects.toThrow(/may not sns:Publish on arn:aws:sns:us-east-1:123456789012:scores \(IAM SimulatePrincipalPolicy: explicitDeny, an explicit Deny in the policies of arn:aws:iam::123456789012:role\/PublisherRole\)/);
    await checkPublishPermissions([check(TOPIC), check(OTHER_TOPIC)], { sts: settings(), iam: settings() }, (w) => warnings.push(w));
    expect(warnings).toEqual([]);
  });

  it('warns, and goes on, where the caller cannot be found or simulated', async () => {
    const warnings: string[] = [];
    const apis = { sts: settings(), iam: settings() };
    // STS unreachable (nothing listens there)
    await checkPublishPermissions([check(TOPIC)], { ...apis, sts: { ...apis.sts, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 } }, (w) => warnings.push(w));
    // a root caller, and a role the account does not have
    await checkPublishPermissions([check(TOPIC)], apis, (w) => warnings.push(w), async () => `arn:aws:iam::${ACCOUNT}:root`);
    await checkPublishPermissions([check(TOPIC)], apis, (w) => warnings.push(w), async () => `arn:aws:sts::${ACCOUNT}:assumed-role/Gone/s`);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^publish phase alerts: sns:Publish on ${TOPIC} is unchecked until the first call \\(the caller cannot be found: STS GetCallerIdentity: \\w+: .*ECONNREFUSED`)),
      `publish phase alerts: sns:Publish on ${TOPIC} is unchecked until the first call (arn:aws:iam::${ACCOUNT}:root is the account's root user, which IAM's simulator cannot simulate)`,
      `publish phase alerts: sns:Publish on ${TOPIC} is unchecked until the first call (arn:aws:sts::${ACCOUNT}:assumed-role/Gone/s cannot be simulated: IAM SimulatePrincipalPolicy of arn:aws:iam::${ACCOUNT}:role/Gone: NoSuchEntityException: The role with name Gone cannot be found.)`,
    ]);
  });
});

describe('the caller and the resource as IAM names them', () => {
  it('maps an assumed-role session to its role, keeps a user, and names what cannot be simulated', () => {
    expect(simulationSource('arn:aws:sts::111122223333:assumed-role/deploy-Role-1AB/session@example.com')).toEqual({ kind: 'role', roleName: 'deploy-Role-1AB', arn: 'arn:aws:iam::111122223333:role/deploy-Role-1AB' });
    expect(simulationSource('arn:aws-cn:sts::111122223333:assumed-role/R/s')).toMatchObject({ kind: 'role', arn: 'arn:aws-cn:iam::111122223333:role/R' });
    expect(simulationSource('arn:aws:iam::111122223333:user/ops/alice')).toEqual({ kind: 'user', arn: 'arn:aws:iam::111122223333:user/ops/alice' });
    expect(simulationSource('arn:aws:iam::111122223333:root')).toMatchObject({ kind: 'none', why: expect.stringContaining("root user") });
    expect(simulationSource('arn:aws:sts::111122223333:federated-user/bob')).toMatchObject({ kind: 'none', why: expect.stringContaining('federated user') });
  });

  it("builds each via's resource ARN from what its call names", () => {
    const at = { partition: 'aws', region: 'eu-west-1', account: '111122223333' };
    expect(publishResourceArn({ via: 'sns', id: 'arn:aws:sns:eu-west-1:111122223333:Alerts' }, at)).toBe('arn:aws:sns:eu-west-1:111122223333:Alerts');
    expect(publishResourceArn({ via: 'sqs', id: 'https://sqs.eu-west-1.amazonaws.com/444455556666/jobs.fifo' }, at)).toBe('arn:aws:sqs:eu-west-1:444455556666:jobs.fifo');
    expect(publishResourceArn({ via: 'dynamodb', id: 'stack-Rows-1X' }, at)).toBe('arn:aws:dynamodb:eu-west-1:111122223333:table/stack-Rows-1X');
    expect(publishResourceArn({ via: 'lambda', id: 'stack-Fanout-9Z' }, at)).toBe('arn:aws:lambda:eu-west-1:111122223333:function:stack-Fanout-9Z');
    expect(publishResourceArn({ via: 'eventbridge', id: 'default' }, at)).toBe('arn:aws:events:eu-west-1:111122223333:event-bus/default');
    expect(publishResourceArn({ via: 'http', id: 'https://example.com/push' }, at)).toBeUndefined();
  });

  it('words an explicit deny apart from a missing allow', () => {
    const c = { phase: 'rows', field: 's.yaml: phases[2].publish', resource: { via: 'dynamodb' as const, id: 't' }, action: 'dynamodb:PutItem' };
    const role = { kind: 'role' as const, roleName: 'R', arn: 'arn:aws:iam::1:role/app/R' };
    expect(permissionRefusal(c, 'arn:aws:sts::1:assumed-role/R/s', role, 'arn:aws:dynamodb:r:1:table/t', 'explicitDeny')).toBe(
      's.yaml: phases[2].publish: publish phase rows is refused before load: arn:aws:sts::1:assumed-role/R/s may not dynamodb:PutItem on arn:aws:dynamodb:r:1:table/t (IAM SimulatePrincipalPolicy: explicitDeny, an explicit Deny in the policies of arn:aws:iam::1:role/app/R); grant it, or run with credentials that have it',
    );
  });
});
