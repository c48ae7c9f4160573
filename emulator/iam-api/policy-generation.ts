import { randomUUID } from 'node:crypto';
import { policyOf } from '../../common/iam/least-privilege.ts';
import type { AccessRecord } from '../iam/access-ledger.ts';
import type { IamMode } from '../iam/execution-role.ts';

/**
 * IAM Access Analyzer's policy generation (StartPolicyGeneration, GetGeneratedPolicy), answered
 * from the access ledger: on AWS it reads the role's CloudTrail activity over a window and writes
 * the actions on the resources it used; here the ledger is that activity, every call the role's
 * functions made since the stack started (a local target is started for its run, so: the run).
 * The calls that went through count: those IAM allowed, and under `report` the ones it would have
 * denied as well. A job finishes at once. The trail is taken as given (the emulator has one
 * record of activity, whatever trail is named); its window is echoed, not applied.
 */
export interface GenerationJob {
  jobId: string;
  principalArn: string;
  startedOn: Date;
  completedOn: Date;
  trail: { cloudTrailArn: string; regions?: string[]; allRegions?: boolean } | undefined;
  startTime?: string;
  endTime?: string;
  policy: ReturnType<typeof policyOf>;
}

export class PolicyGenerations {
  private readonly jobs = new Map<string, GenerationJob>();

  constructor(
    private readonly ledger: () => Promise<AccessRecord[]>,
    /** role ARN → role name, for the roles the stack's functions have */
    private readonly roles: ReadonlyMap<string, string>,
    private readonly mode: IamMode,
  ) {}

  /** A job for a role of the stack; a string saying why there is none (a principal the stack does not have, no activity kept). */
  async start(principalArn: string, details: Pick<GenerationJob, 'trail' | 'startTime' | 'endTime'>): Promise<GenerationJob | string> {
    const role = this.roles.get(principalArn);
    if (role === undefined) return `Invalid principalArn: ${principalArn} is no role of this stack`;
    if (this.mode === 'off') return 'the local emulator runs with iam: off: it checks and records no call, so there is no activity to generate a policy from';
    const went = (r: AccessRecord) => r.decision === 'allowed' || this.mode === 'report';
    const used = (await this.ledger()).filter((r) => r.role === role && went(r));
    const now = new Date();
    const job: GenerationJob = { jobId: randomUUID(), principalArn, startedOn: now, completedOn: now, ...details, policy: policyOf(used) };
    if (this.jobs.size >= 1_000) this.jobs.delete(this.jobs.keys().next().value!);
    this.jobs.set(job.jobId, job);
    return job;
  }

  get(jobId: string): GenerationJob | undefined {
    return this.jobs.get(jobId);
  }
}
