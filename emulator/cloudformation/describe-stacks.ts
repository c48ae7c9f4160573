import { randomUUID } from 'node:crypto';
import { QueryApiError, type QueryValue } from '../query-api.ts';

/**
 * CloudFormation's DescribeStacks for the one stack the emulator runs: created when the emulator
 * started and CREATE_COMPLETE since, its outputs its template's, resolved. Asked by
 * name or by stack id (its ARN), or without a name (every stack: this one). Any other name is
 * what CloudFormation answers for a stack that does not exist in the region: a ValidationError
 * "Stack with id <name> does not exist".
 */

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
}

export interface LocalStackRecord {
  stackName: string;
  /** arn:aws:cloudformation:{region}:{account}:stack/{name}/{uuid} */
  stackId: string;
  creationTime: Date;
  outputs: readonly StackOutput[];
}

export function localStackRecord(o: { stackName: string; region: string; accountId: string; outputs: readonly StackOutput[] }): LocalStackRecord {
  return {
    stackName: o.stackName,
    stackId: `arn:aws:cloudformation:${o.region}:${o.accountId}:stack/${o.stackName}/${randomUUID()}`,
    creationTime: new Date(),
    outputs: o.outputs,
  };
}

export function describeStacks(stack: LocalStackRecord, params: URLSearchParams): Record<string, QueryValue> {
  const asked = params.get('StackName');
  if (asked !== null && asked !== stack.stackName && asked !== stack.stackId) {
    throw new QueryApiError('ValidationError', `Stack with id ${asked} does not exist`);
  }
  return {
    Stacks: [
      {
        StackId: stack.stackId,
        StackName: stack.stackName,
        CreationTime: stack.creationTime,
        StackStatus: 'CREATE_COMPLETE',
        DisableRollback: false,
        NotificationARNs: [],
        Outputs: stack.outputs.map((o) => ({ OutputKey: o.OutputKey, OutputValue: o.OutputValue })),
        Tags: [],
        EnableTerminationProtection: false,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      },
    ],
  };
}
