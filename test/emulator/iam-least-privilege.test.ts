import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { leastPrivilege } from '../../common/iam/least-privilege.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/members';
const INDEX = `${TABLE}/index/byConnection`;
const parse = (doc: unknown) =>
  parsePolicyDocument(doc, 'inline policy p', (path, message) => {
    throw new UserError(`${path.join('.')}: ${message}`);
  });

describe('least privilege from use', () => {
  it('names dynamodb:* on * as broader than used, an unused grant as unused, and writes the policy for what was used', () => {
    const granted = parse({
      Statement: [
        { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
        { Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: 'arn:aws:execute-api:*:*:*' },
      ],
    });
    const used = [
      { action: 'dynamodb:PutItem', resource: TABLE },
      { action: 'dynamodb:DeleteItem', resource: TABLE },
      { action: 'dynamodb:PutItem', resource: TABLE },
      { action: 'dynamodb:Query', resource: INDEX },
    ];
    const out = leastPrivilege(used, granted);
    expect(out.unused).toEqual([{ action: 'execute-api:ManageConnections', resource: 'arn:aws:execute-api:*:*:*', source: 'inline policy p', used: [] }]);
    expect(out.broader).toEqual([{ action: 'dynamodb:*', resource: '*', source: 'inline policy p', used: [used[0], used[1], used[3]] }]);
    expect(out.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem'], Resource: TABLE },
        { Effect: 'Allow', Action: 'dynamodb:Query', Resource: INDEX },
      ],
    });
  });

  it('leaves out of the policy a call the role did not allow, and merges resources that share their actions', () => {
    const other = TABLE.replace('members', 'messages');
    const granted = parse({ Statement: { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [TABLE, other] } });
    const out = leastPrivilege(
      [
        { action: 'dynamodb:GetItem', resource: other },
        { action: 'dynamodb:GetItem', resource: TABLE },
        { action: 'dynamodb:Scan', resource: TABLE },
      ],
      granted,
    );
    expect(out.policy.Statement).toEqual([{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: [TABLE, other] }]);
    expect(out.unused).toEqual([]);
    expect(out.broader).toEqual([]);
  });
});
