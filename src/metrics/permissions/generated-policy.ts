import { GetGeneratedPolicyCommand, StartPolicyGenerationCommand, type AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { parsePolicyDocument } from '../../../common/iam/policy-document.ts';
import type { Use } from '../../../common/iam/least-privilege.ts';

/**
 * What a role used over a window, as IAM Access Analyzer's policy generation writes it from the
 * role's CloudTrail activity: StartPolicyGeneration for the role over the run's window, then
 * GetGeneratedPolicy until the job is done. The generated policy is the least-privilege policy;
 * each of its actions on each of its resources is one thing used. On AWS this needs a trail and a
 * role Access Analyzer may read it with, and takes minutes; a job not done by `maxWaitMs` is said.
 */
export interface PolicyTrail {
  /** the trail whose events are read (CloudTrail ARN) */
  cloudTrailArn: string;
  /** the role Access Analyzer reads the trail with */
  accessRole: string;
}

export interface GeneratedPolicy {
  policy: { Version: string; Statement: Record<string, unknown>[] };
  used: Use[];
}

export async function generatedPolicy(
  analyzer: AccessAnalyzerClient,
  o: { roleArn: string; trail: PolicyTrail; window: { startMs: number; endMs: number }; maxWaitMs: number; pollMs: number },
): Promise<GeneratedPolicy> {
  const { jobId } = await analyzer.send(
    new StartPolicyGenerationCommand({
      policyGenerationDetails: { principalArn: o.roleArn },
      cloudTrailDetails: {
        trails: [{ cloudTrailArn: o.trail.cloudTrailArn, allRegions: true }],
        accessRole: o.trail.accessRole,
        startTime: new Date(o.window.startMs),
        endTime: new Date(o.window.endMs),
      },
    }),
  );
  const until = Date.now() + o.maxWaitMs;
  for (;;) {
    const answer = await analyzer.send(new GetGeneratedPolicyCommand({ jobId: jobId! }));
    const status = answer.jobDetails?.status;
    if (status === 'SUCCEEDED') {
      const text = answer.generatedPolicyResult?.generatedPolicies?.[0]?.policy;
      const policy = (text ? JSON.parse(text) : { Version: '2012-10-17', Statement: [] }) as GeneratedPolicy['policy'];
      const statements = parsePolicyDocument(policy, 'generated policy', (path, message) => {
        throw new Error(`Access Analyzer's generated policy: ${path.join('.')}: ${message}`);
      });
      const used = statements.flatMap((s) => (s.action ?? []).flatMap((action) => (s.resource ?? []).map((resource) => ({ action, resource }))));
      return { policy, used };
    }
    if (status !== 'IN_PROGRESS') throw new Error(`Access Analyzer's policy generation job ${jobId} ended ${status ?? 'without a status'}${answer.jobDetails?.jobError ? `: ${answer.jobDetails.jobError.message}` : ''}`);
    if (Date.now() >= until) throw new Error(`Access Analyzer's policy generation job ${jobId} was still running after ${Math.round(o.maxWaitMs / 1000)} s (CloudTrail delivers events minutes late; read it later with GetGeneratedPolicy)`);
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
