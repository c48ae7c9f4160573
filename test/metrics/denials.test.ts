import { describe, expect, it } from 'vitest';
import { LOCAL_IAM_DENIALS_LOG_GROUP } from '../../common/local-iam-denials.ts';
import { DenialLog } from '../../emulator/iam/denial-log.ts';
import type { AccessRecord } from '../../emulator/iam/access-ledger.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { FunctionError } from '../../src/contracts/cloudwatch-schema.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { allowingStatement } from '../../src/metrics/permissions/allowing-statement.ts';
import { deniedFromLogs, lineOf } from '../../src/metrics/permissions/denials-pull.ts';
import { deniedLine, deniedRows } from '../../src/report/run/denied-table.ts';
import { denialEvidence } from '../../src/diagnosis/denial-evidence.ts';

/** Denials: the emulator's record (written from the access ledger), read back, and what the verdict and the report make of them. */
const POSTS = 'arn:aws:execute-api:us-east-1:000000000000:abc123/prod/POST/@connections/*';
const record = (over: Partial<AccessRecord>): AccessRecord => ({ function: 'send', role: 'SendRole', action: 'execute-api:ManageConnections', resource: POSTS, decision: 'no-allow', count: 0, ...over });

describe("the emulator's record of refused calls (DenialLog)", () => {
  it('one line per key each time its count grew, summing to its calls; allowed calls never written; a post to another API alike', async () => {
    const logs = new LogStore();
    const ledger = [record({ count: 3 }), record({ action: 'dynamodb:Scan', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/t', decision: 'allowed', count: 9 })];
    const log = new DenialLog(async () => ledger.map((r) => ({ ...r })), logs, true);
    await log.flush();
    ledger[0]!.count = 5;
    log.foreignPost('send', 'https://4a7ipl75i0.execute-api.us-east-1.amazonaws.com/dev', '4a7ipl75i0', 'abc123');
    await log.flush();
    await log.flush(); // nothing grew: no line
    const lines = logs.filter({ logGroupName: LOCAL_IAM_DENIALS_LOG_GROUP })!.events.map((e) => lineOf(e.message));
    expect(lines).toEqual([
      { kind: 'denied', function: 'send', role: 'SendRole', action: 'execute-api:ManageConnections', resource: POSTS, decision: 'no-allow', enforced: true, count: 3 },
      { kind: 'denied', function: 'send', role: 'SendRole', action: 'execute-api:ManageConnections', resource: POSTS, decision: 'no-allow', enforced: true, count: 2 },
      { kind: 'foreign-api', function: 'send', endpoint: 'https://4a7ipl75i0.execute-api.us-east-1.amazonaws.com/dev', apiId: '4a7ipl75i0', stackApiId: 'abc123', count: 1 },
    ]);
    await log.close();
  });

  it('a line it cannot read is skipped, never thrown', () => {
    expect(lineOf('not json')).toBeNull();
    expect(lineOf('{"kind":"denied","function":"f"}')).toBeNull();
    expect(lineOf('{"kind":"foreign-api","endpoint":"e","apiId":"a","stackApiId":"b","count":2}')).toMatchObject({ function: null, count: 2 });
  });
});

describe('the statement that allows a denied call', () => {
  it("@connections' masked account is the principal's; {connectionId} is any connection", () => {
    expect(allowingStatement('execute-api:ManageConnections', 'arn:aws:execute-api:us-east-1:********0000:abc123/prod/POST/@connections/{connectionId}', 'arn:aws:sts::123456780000:assumed-role/R/f')).toEqual({
      Effect: 'Allow',
      Action: 'execute-api:ManageConnections',
      Resource: 'arn:aws:execute-api:us-east-1:123456780000:abc123/prod/POST/@connections/*',
    });
    expect(allowingStatement('dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/t').Resource).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/t');
  });
});

describe('denials from the logs (a target that keeps no record: AWS)', () => {
  it("the denied calls the functions' thrown and logged errors name, per function, action and resource, counted in log lines", () => {
    const principal = 'arn:aws:sts::123456780000:assumed-role/SendRole/send';
    const denied = { principal, action: 'execute-api:ManageConnections', resource: 'arn:aws:execute-api:us-east-1:********0000:abc123/prod/POST/@connections/{connectionId}' };
    const e = (count: number, logged?: true): FunctionError => ({ kind: 'AccessDeniedException', message: 'm', phase: 'invoke', count, firstFrame: null, firstAt: 0, denied, ...(logged ? { logged } : {}) });
    expect(deniedFromLogs({ functionErrors: { send: [e(2)] }, loggedErrors: { send: [e(5, true)] } })).toEqual([
      { function: 'send', role: 'SendRole', action: denied.action, resource: denied.resource, count: 7, source: 'log', allow: { Effect: 'Allow', Action: denied.action, Resource: 'arn:aws:execute-api:us-east-1:123456780000:abc123/prod/POST/@connections/*' } },
    ]);
    expect(deniedFromLogs(undefined)).toEqual([]);
  });
});

/** A run that lost 24 deliveries, its send's 24 posts denied and caught. */
function lossRun(): Results {
  return {
    deliveries: { lost: 24 },
    permissions: {
      window: { startMs: 0, endMs: 1 },
      functions: [],
      denied: [{ function: 'send', role: 'SendRole', action: 'execute-api:ManageConnections', resource: POSTS, count: 24, reason: 'no-allow', enforced: true, source: 'emulator', allow: allowingStatement('execute-api:ManageConnections', POSTS) }],
      foreignApiPosts: [{ function: 'notify', endpoint: 'https://4a7ipl75i0.execute-api.us-east-1.amazonaws.com/dev', apiId: '4a7ipl75i0', stackApiId: 'abc123', count: 4 }],
    },
    cloudwatch: {
      loggedErrors: {
        send: [{ kind: 'AccessDeniedException', message: 'posts failed: 24 of 24: AccessDeniedException: User: arn:aws:sts::0:assumed-role/SendRole/send is not authorized to perform: x', phase: 'invoke', count: 1, firstFrame: 'send.mjs:9', firstAt: 0, logged: true, denied: { principal: 'p', action: 'execute-api:ManageConnections', resource: 'r' } }],
        join: [{ kind: 'ConditionalCheckFailedException', message: 'join failed: ConditionalCheckFailedException: The conditional request failed', phase: 'invoke', count: 3, firstFrame: 'join.mjs:12', firstAt: 0, logged: true }],
      },
    },
  } as unknown as Results;
}

describe('denials as causes (denial-evidence.ts)', () => {
  it('denied posts are the loss, first, with the statement to add; a post to another API named with its endpoint; a logged error no denial explains', () => {
    const found = denialEvidence(lossRun(), new Set(['loss']));
    expect(found).toEqual([
      {
        kind: 'iam-denied',
        line: `send: 24 calls denied: execute-api:ManageConnections on ${POSTS} (no statement of its role SendRole allows it); its code caught them and logged "posts failed: 24 of 24: AccessDeniedException" ×1 (logged, not thrown, at send.mjs:9)`,
        share: 1,
        remedy: `add to the role SendRole the statement {"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"${POSTS}"}`,
      },
      { kind: 'iam-denied', line: expect.stringMatching(/^notify posted to https:\/\/4a7ipl75i0\.execute-api\.us-east-1\.amazonaws\.com\/dev, which is not this stack's API \(abc123\): 4 posts, none reaching the run's clients$/), share: 4 / 24, remedy: expect.stringMatching(/^build the @connections endpoint from the event/) },
      { kind: 'logged-errors', line: 'join logged 3 errors and went on (logged, not thrown; Lambda counts no error for them): join failed: ConditionalCheckFailedException: The conditional request failed ×3 (at join.mjs:12)', remedy: expect.any(String) },
    ]);
  });

  it('no cause for a latency, nor for a call `iam: report` let through', () => {
    expect(denialEvidence(lossRun(), new Set(['latency']))).toEqual([]);
    const r = lossRun();
    r.permissions!.denied![0]!.enforced = false;
    expect(denialEvidence(r, new Set(['loss'])).map((f) => f.line)).not.toContainEqual(expect.stringMatching(/calls denied/));
  });
});

describe('the denied rows of the permissions report', () => {
  it('each denial with its count, why and the statement to add; a post to another API', () => {
    expect(deniedRows(lossRun().permissions).map(deniedLine)).toEqual([
      `send: denied execute-api:ManageConnections on abc123/prod/POST/@connections/* ×24 (no statement allows it); allow with {"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"${POSTS}"}`,
      "notify: posted to https://4a7ipl75i0.execute-api.us-east-1.amazonaws.com/dev ×4 (not this stack's API (abc123))",
    ]);
    expect(deniedRows(undefined)).toEqual([]);
  });
});
