import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { callerArn, CallerUnknown, type CallerLookup } from '../aws/caller-identity.ts';
import { ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';
import type { PublishResource } from '../fleet/publish-channel.ts';
import { UserError } from '../../common/errors.ts';

/**
 * Whether the caller may publish, asked of IAM before any load: the caller is who the target's
 * credentials are (STS GetCallerIdentity, src/aws/caller-identity.ts); an assumed role's session
 * (`arn:aws:sts::A:assumed-role/R/S`) is simulated as its role, whose ARN carries the role's path
 * that the session's does not (GetRole answers it; without iam:GetRole the path-less ARN is
 * tried); an IAM user as itself. IAM's SimulatePrincipalPolicy then says whether the role's or
 * user's identity policies allow the phase's action on the resource's ARN: denied (implicitDeny,
 * explicitDeny), the run is refused in one line naming the caller, the action, the resource and
 * the phase (UserError, exit 2). What cannot be simulated (the root user, a federated user, a
 * caller lacking iam:SimulatePrincipalPolicy, one STS cannot name) is one warning saying the permission
 * is unchecked until the first call, and the run goes on. Identity policies only: a resource
 * policy, a permissions boundary or an SCP that denies is still learnt from the first call.
 */

/** What IAM's simulator is asked about for a caller: a role or user ARN, or why there is none. */
export type SimulationSource = { kind: 'role'; arn: string; roleName: string } | { kind: 'user'; arn: string } | { kind: 'none'; why: string };

/** One publish phase to check: its name, the scenario field it comes from, its resource and action. */
export interface PermissionCheck {
  phase: string;
  /** `scenario.yaml: phases[1].publish` */
  field: string;
  resource: PublishResource;
  /** the IAM action its calls need (publishPermission) */
  action: string;
}

export interface PermissionApis {
  /** the settings the publishes are sent with (their credentials are the caller) */
  sts: SdkClientSettings;
  iam: SdkClientSettings;
}

/** The ARN SimulatePrincipalPolicy takes for a caller's ARN (GetCallerIdentity's). */
export function simulationSource(caller: string): SimulationSource {
  const m = /^arn:([\w-]+):(sts|iam)::(\d{12}):(.+)$/.exec(caller);
  if (!m) return { kind: 'none', why: `${caller} is no IAM user or role session` };
  const [, partition, service, account, rest] = m as unknown as [string, string, string, string, string];
  if (service === 'sts') {
    // assumed-role/<role name>/<session name>: the role's path is not in it
    const role = /^assumed-role\/([^/]+)\/.+$/.exec(rest);
    if (role) return { kind: 'role', roleName: role[1]!, arn: `arn:${partition}:iam::${account}:role/${role[1]!}` };
    if (rest.startsWith('federated-user/')) return { kind: 'none', why: `${caller} is a federated user, which IAM's simulator cannot simulate` };
    return { kind: 'none', why: `${caller} is no IAM user or role session` };
  }
  if (rest === 'root') return { kind: 'none', why: `${caller} is the account's root user, which IAM's simulator cannot simulate` };
  if (rest.startsWith('user/')) return { kind: 'user', arn: caller };
  return { kind: 'none', why: `${caller} is no IAM user or role session` };
}

/** The ARN a publish's resource is authorized on, from what the call names (a topic's ARN, a queue's URL, a name). */
export function publishResourceArn(r: PublishResource, at: { partition: string; region: string; account: string }): string | undefined {
  const arn = (service: string, resource: string, account = at.account) => `arn:${at.partition}:${service}:${at.region}:${account}:${resource}`;
  switch (r.via) {
    case 'sns':
      return r.id.startsWith('arn:') ? r.id : arn('sns', r.id);
    case 'sqs': {
      // https://sqs.<region>.amazonaws.com/<account>/<name> (the emulator's the same after its origin)
      const [account, name] = new URL(r.id).pathname.split('/').filter(Boolean).slice(-2);
      return name && account ? arn('sqs', name, account) : undefined;
    }
    case 'dynamodb':
      return r.id.startsWith('arn:') ? r.id : arn('dynamodb', `table/${r.id}`);
    case 'lambda':
      return r.id.startsWith('arn:') ? r.id : arn('lambda', `function:${r.id}`);
    case 'eventbridge':
      return r.id.startsWith('arn:') ? r.id : arn('events', `event-bus/${r.id}`);
    case 'http':
      return undefined;
  }
}

/** The refusal: one line naming the phase, the caller, the action, the resource and IAM's decision. */
export function permissionRefusal(c: PermissionCheck, caller: string, source: SimulationSource & { kind: 'role' | 'user' }, resourceArn: string, decision: string): string {
  const why = decision === 'explicitDeny' ? `an explicit Deny in the policies of ${source.arn}` : `no identity-based policy of ${source.arn} allows it`;
  return `${c.field}: publish phase ${c.phase} is refused before load: ${caller} may not ${c.action} on ${resourceArn} (IAM SimulatePrincipalPolicy: ${decision}, ${why}); grant it, or run with credentials that have it`;
}

/** The warning when the permission cannot be asked about. */
export function uncheckedWarning(c: PermissionCheck, resourceArn: string | undefined, why: string): string {
  return `publish phase ${c.phase}: ${c.action} on ${resourceArn ?? c.resource.id} is unchecked until the first call (${why})`;
}

/**
 * Asks IAM about every check; throws the UserError of the first denied, warns once per phase for
 * what cannot be asked. `callerOf` is the caller lookup (STS by default).
 */
export async function checkPublishPermissions(checks: readonly PermissionCheck[], apis: PermissionApis, warn: (line: string) => void, callerOf: CallerLookup = callerArn): Promise<void> {
  if (checks.length === 0) return;
  let caller: string;
  try {
    caller = await callerOf(apis.sts);
  } catch (err) {
    const why = err instanceof CallerUnknown ? err.reason : `the caller cannot be found: ${errorText(err)}`;
    for (const c of checks) warn(uncheckedWarning(c, undefined, why));
    return;
  }
  const source = simulationSource(caller);
  const partition = caller.split(':')[1]!;
  const account = caller.split(':')[4]!;
  const iam = new IAMClient(ownSettings(apis.iam));
  try {
    const region = apis.sts.region ?? (await iam.config.region());
    const at = { partition, region, account };
    if (source.kind === 'none') {
      for (const c of checks) warn(uncheckedWarning(c, publishResourceArn(c.resource, at), source.why));
      return;
    }
    const policySource = source.kind === 'role' ? { ...source, arn: await roleArn(iam, source) } : source;
    for (const c of checks) {
      const resourceArn = publishResourceArn(c.resource, at);
      if (!resourceArn) continue;
      let decision: string | undefined;
      try {
        const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: policySource.arn, ActionNames: [c.action], ResourceArns: [resourceArn] }));
        decision = out.EvaluationResults?.[0]?.EvalDecision;
      } catch (err) {
        warn(uncheckedWarning(c, resourceArn, `${caller} cannot be simulated: IAM SimulatePrincipalPolicy of ${policySource.arn}: ${errorText(err)}`));
        continue;
      }
      if (decision === 'allowed') continue;
      if (decision === 'implicitDeny' || decision === 'explicitDeny') throw new UserError(permissionRefusal(c, caller, policySource, resourceArn, decision));
      warn(uncheckedWarning(c, resourceArn, `IAM SimulatePrincipalPolicy answered ${decision ?? 'no decision'}`));
    }
  } finally {
    iam.destroy();
  }
}

/** The role's ARN with its path (GetRole); the path-less one where GetRole is not allowed or fails. */
async function roleArn(iam: IAMClient, role: { arn: string; roleName: string }): Promise<string> {
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: role.roleName }))).Role?.Arn ?? role.arn;
  } catch {
    return role.arn;
  }
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(err)).split('\n')[0]}`;
}
