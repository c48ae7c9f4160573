import { z } from 'zod';
import { AwsApiError, parseRequest } from './aws-json.ts';
import { FilterPatternError } from './filter-pattern.ts';
import type { LogStore } from './log-store.ts';

/** CloudWatch Logs' FilterLogEvents, DescribeLogGroups and CreateLogGroup over the LogStore (AWS JSON 1.1 shapes). */

const GROUPS_PAGE_MAX = 50;

const FilterLogEventsInput = z.object({
  logGroupName: z.string().min(1).max(512).optional(),
  logGroupIdentifier: z.string().min(1).max(2048).optional(),
  logStreamNames: z.array(z.string().min(1)).min(1).max(100).optional(),
  logStreamNamePrefix: z.string().min(1).max(512).optional(),
  startTime: z.number().int().min(0).optional(),
  endTime: z.number().int().min(0).optional(),
  filterPattern: z.string().max(1024).optional(),
  nextToken: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  interleaved: z.boolean().optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});
const DescribeLogGroupsInput = z.object({
  logGroupNamePrefix: z.string().min(1).max(512).optional(),
  logGroupNamePattern: z.string().min(1).max(512).optional(),
  nextToken: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(GROUPS_PAGE_MAX).optional(),
  includeLinkedAccounts: z.boolean().optional(),
  logGroupClass: z.string().optional(),
  accountIdentifiers: z.array(z.string()).optional(),
  logGroupIdentifiers: z.array(z.string()).optional(),
});

const CreateLogGroupInput = z.object({
  // CloudWatch Logs' pattern for a log group name
  logGroupName: z.string().min(1).max(512).regex(/^[.\-_/#A-Za-z0-9]+$/, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+'),
  kmsKeyId: z.string().max(256).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  logGroupClass: z.enum(['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY']).optional(),
});

function invalidParameter(message: string): AwsApiError {
  return new AwsApiError('InvalidParameterException', message);
}
function inputError(_field: string, _missing: boolean, message: string): AwsApiError {
  return invalidParameter(message);
}

/** A log group given by name or by ARN (`arn:aws:logs:region:account:log-group:NAME[:*]`). */
function groupNameOf(identifier: string): string {
  const m = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(identifier);
  return m ? m[1] : identifier;
}

function decodeNumberToken(token: string): number {
  const n = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw invalidParameter('The specified nextToken is invalid.');
  return n;
}

function encodeNumberToken(n: number): string {
  return Buffer.from(String(n)).toString('base64url');
}

export function filterLogEvents(logs: LogStore, body: unknown): unknown {
  const input = parseRequest(FilterLogEventsInput, body, inputError);
  if ((input.logGroupName === undefined) === (input.logGroupIdentifier === undefined)) {
    throw invalidParameter('Exactly one of logGroupName or logGroupIdentifier must be specified.');
  }
  if (input.logStreamNames && input.logStreamNamePrefix) {
    throw invalidParameter('logStreamNames and logStreamNamePrefix cannot both be specified.');
  }
  if (input.startTime !== undefined && input.endTime !== undefined && input.startTime > input.endTime) {
    throw invalidParameter('startTime must be less than or equal to endTime.');
  }
  const logGroupName = input.logGroupName ?? groupNameOf(input.logGroupIdentifier as string);
  let page;
  try {
    page = logs.filter({
      logGroupName,
      startTime: input.startTime,
      endTime: input.endTime,
      filterPattern: input.filterPattern,
      logStreamNames: input.logStreamNames,
      logStreamNamePrefix: input.logStreamNamePrefix,
      limit: input.limit,
      after: input.nextToken ? decodeNumberToken(input.nextToken) : undefined,
    });
  } catch (err) {
    if (err instanceof FilterPatternError) throw invalidParameter(err.message);
    throw err;
  }
  if (!page) throw new AwsApiError('ResourceNotFoundException', 'The specified log group does not exist.');
  return {
    events: page.events,
    searchedLogStreams: page.searchedStreams.map((logStreamName) => ({
      logStreamName,
      searchedCompletely: page.next === undefined,
    })),
    ...(page.next !== undefined ? { nextToken: encodeNumberToken(page.next) } : {}),
  };
}

export function describeLogGroups(logs: LogStore, body: unknown, region: string, accountId: string): unknown {
  const input = parseRequest(DescribeLogGroupsInput, body, inputError);
  if (input.logGroupNamePrefix && input.logGroupNamePattern) {
    throw invalidParameter('logGroupNamePrefix and logGroupNamePattern cannot both be specified.');
  }
  let groups = logs.describeGroups(input.logGroupNamePrefix ?? '');
  if (input.logGroupNamePattern) {
    const pattern = input.logGroupNamePattern.toLowerCase();
    groups = groups.filter((g) => g.logGroupName.toLowerCase().includes(pattern));
  }
  const offset = input.nextToken ? decodeNumberToken(input.nextToken) : 0;
  const limit = input.limit ?? GROUPS_PAGE_MAX;
  const page = groups.slice(offset, offset + limit);
  return {
    logGroups: page.map((g) => {
      const logGroupArn = `arn:aws:logs:${region}:${accountId}:log-group:${g.logGroupName}`;
      return {
        logGroupName: g.logGroupName,
        creationTime: g.creationTime,
        ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
        metricFilterCount: 0,
        arn: `${logGroupArn}:*`,
        logGroupArn,
        storedBytes: g.storedBytes,
        logGroupClass: 'STANDARD',
      };
    }),
    ...(offset + limit < groups.length ? { nextToken: encodeNumberToken(offset + limit) } : {}),
  };
}

/** CreateLogGroup: an empty group (what an access log's destination must be before a stage logs to it); an existing one is refused. */
export function createLogGroup(logs: LogStore, body: unknown): unknown {
  const input = parseRequest(CreateLogGroupInput, body, inputError);
  if (!logs.createGroup(input.logGroupName)) throw new AwsApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
  return {};
}
