import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { leastPrivilege } from '../../../common/iam/least-privilege.ts';
import type { PolicyStatement } from '../../../common/iam/policy-document.ts';
import type { SdkClientSettings } from '../../aws/sdk-settings.ts';
import type { FunctionPermissions, PermissionsSection } from '../../contracts/permissions-schema.ts';
import { generatedPolicy, type PolicyTrail } from './generated-policy.ts';
import { roleGrants } from './role-grants.ts';

/**
 * Each function's permissions: what its role grants (IAM) beside what the run used (Access
 * Analyzer), the grants no call used, those wider than their use, and the policy of what was used.
 * One code path for AWS and the emulator: only the clients' settings differ. Never throws: a
 * function whose role or use cannot be read is `not-observable`, its note naming the call and why
 * (a permission the harness lacks, no trail), never an empty or zero section.
 */
export interface PermissionsPullOptions {
  functions: readonly string[];
  lambda: LambdaClient;
  /** IAM's and Access Analyzer's settings (the emulator's edge, or AWS) */
  iamApi: SdkClientSettings;
  window: { startMs: number; endMs: number };
  /** the trail Access Analyzer reads; absent: what a function used is not observable, `noTrail` says why */
  trail?: PolicyTrail;
  noTrail?: string;
  /** how long to wait for a generation job (local: at once; AWS: minutes) */
  maxWaitMs: number;
  pollMs: number;
}

export async function pullPermissions(o: PermissionsPullOptions): Promise<PermissionsSection> {
  const iam = new IAMClient(o.iamApi);
  const analyzer = new AccessAnalyzerClient(o.iamApi);
  // functions sharing a role read it once
  const grantsOf = new Map<string, Promise<PolicyStatement[]>>();
  const usedOf = new Map<string, ReturnType<typeof generatedPolicy>>();
  try {
    const functions: FunctionPermissions[] = [];
    for (const fn of o.functions) {
      let step = 'lambda:GetFunctionConfiguration';
      let roleArn: string | undefined;
      try {
        roleArn = (await o.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).Role;
        if (!roleArn) throw new Error('its configuration names no Role');
        const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
        step = 'iam:GetRolePolicy / iam:GetPolicyVersion';
        if (!grantsOf.has(roleArn)) grantsOf.set(roleArn, roleGrants(iam, roleName));
        const granted = await grantsOf.get(roleArn)!;
        // every Allow, one action on one resource each: the grants of a role no call used
        const grants = leastPrivilege([], granted).unused.map(({ used: _used, ...g }) => g);
        if (!o.trail) {
          functions.push({ function: fn, role: roleArn, status: 'not-observable', note: o.noTrail ?? 'no trail to generate a policy from', granted: grants });
          continue;
        }
        step = 'access-analyzer:StartPolicyGeneration / GetGeneratedPolicy';
        if (!usedOf.has(roleArn)) usedOf.set(roleArn, generatedPolicy(analyzer, { roleArn, trail: o.trail, window: o.window, maxWaitMs: o.maxWaitMs, pollMs: o.pollMs }));
        const generated = await usedOf.get(roleArn)!;
        const compared = leastPrivilege(generated.used, granted);
        functions.push({
          function: fn,
          role: roleArn,
          status: 'observed',
          granted: grants,
          used: generated.used,
          unused: compared.unused.map(({ used: _used, ...g }) => g),
          broader: compared.broader,
          leastPrivilege: generated.policy,
        });
      } catch (err) {
        const e = err as Error & { name?: string };
        functions.push({ function: fn, ...(roleArn ? { role: roleArn } : {}), status: 'not-observable', note: `${step} failed: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` });
      }
    }
    return { window: o.window, functions };
  } finally {
    iam.destroy();
    analyzer.destroy();
  }
}
