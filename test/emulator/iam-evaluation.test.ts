import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { IamAuthorizer } from '../../emulator/iam/iam-authorizer.ts';
import { parsePolicyDocument, type PolicyPath } from '../../common/iam/policy-document.ts';
import { evaluate, resourceMatches } from '../../common/iam/policy-evaluation.ts';

const fail = (path: PolicyPath, message: string): never => {
  throw new UserError(`policy ${path.join('.')}: ${message}`);
};
const parse = (doc: unknown) => parsePolicyDocument(doc, 'test policy', fail);
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/chat';

describe('IAM policy evaluation', () => {
  it('denies by default, allows what an Allow names, and an explicit Deny wins beside Allow *', () => {
    const statements = parse({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Sid: 'NoDeletes', Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: TABLE },
      ],
    });
    expect(evaluate(statements, 'dynamodb:PutItem', TABLE)).toMatchObject({ allowed: true });
    expect(evaluate(statements, 'dynamodb:DeleteItem', TABLE)).toMatchObject({ allowed: false, reason: 'explicit-deny', statement: { sid: 'NoDeletes' } });
    expect(evaluate(parse({ Statement: { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE } }), 'dynamodb:PutItem', TABLE)).toEqual({ allowed: false, reason: 'no-allow' });
  });

  it('matches actions case-insensitively with * and ?, resources case-sensitively field by field', () => {
    const s = parse({ Statement: [{ Effect: 'Allow', Action: ['DynamoDB:get*', 'dynamodb:Quer?'], Resource: 'arn:aws:dynamodb:*:*:table/chat*' }] });
    expect(evaluate(s, 'dynamodb:GetItem', TABLE).allowed).toBe(true);
    expect(evaluate(s, 'dynamodb:Query', `${TABLE}/index/byConnection`).allowed).toBe(true);
    expect(evaluate(s, 'dynamodb:Scan', TABLE).allowed).toBe(false);
    expect(evaluate(s, 'dynamodb:GetItem', TABLE.replace('chat', 'Chat')).allowed).toBe(false);
    // a wildcard in the region field stays in the region field
    expect(resourceMatches('arn:aws:dynamodb:*:000000000000:table/chat', TABLE)).toBe(true);
    expect(resourceMatches('arn:aws:dynamodb:us-east-1*:000000000000:table/chat', 'arn:aws:dynamodb:us-east-1:0:x:000000000000:table/chat')).toBe(false);
    expect(resourceMatches('arn:aws:dynamodb:*:*:*', TABLE)).toBe(true);
  });

  it('NotAction and NotResource apply to everything they do not name', () => {
    const s = parse({
      Statement: [
        { Effect: 'Allow', NotAction: 'dynamodb:Scan', Resource: '*' },
        { Effect: 'Deny', Action: 'dynamodb:*', NotResource: [TABLE, `${TABLE}/index/*`] },
      ],
    });
    expect(evaluate(s, 'dynamodb:Query', `${TABLE}/index/byRoom`).allowed).toBe(true);
    expect(evaluate(s, 'dynamodb:Scan', TABLE)).toMatchObject({ allowed: false, reason: 'no-allow' });
    expect(evaluate(s, 'dynamodb:GetItem', TABLE.replace('chat', 'other'))).toMatchObject({ allowed: false, reason: 'explicit-deny' });
  });

  it('takes a statement with a Condition as granting nothing when it allows and as denying when it denies', () => {
    const cond = { StringEquals: { 'aws:PrincipalTag/team': 'chat' } };
    expect(evaluate(parse({ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: cond } }), 'dynamodb:GetItem', TABLE).allowed).toBe(false);
    const s = parse({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'dynamodb:GetItem', Resource: '*', Condition: cond }] });
    expect(evaluate(s, 'dynamodb:GetItem', TABLE)).toMatchObject({ allowed: false, reason: 'explicit-deny' });
  });

  it('refuses what IAM refuses, naming the field', () => {
    expect(() => parse({ Version: '2012-10-17' })).toThrow('policy Statement: missing: a policy needs a Statement');
    expect(() => parse({ Statement: { Effect: 'Permit', Action: 'dynamodb:GetItem', Resource: '*' } })).toThrow('policy Statement.Effect: "Permit": must be Allow or Deny');
    expect(() => parse({ Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'PutItem'], Resource: '*' }] })).toThrow(
      'policy Statement.0.Action.1: "PutItem": an action is service:Action',
    );
    expect(() => parse({ Statement: { Effect: 'Allow', Resource: '*' } })).toThrow('Statement.Action: missing: a statement needs Action or NotAction');
    expect(() => parse({ Statement: { Effect: 'Allow', Action: '*' } })).toThrow('Statement.Resource: missing');
  });

  it('caches per role, action and resource, counts every call and words a denial as AWS does', () => {
    const roles = new Map([['arn:aws:iam::000000000000:role/chat-send', parse({ Statement: { Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE } })]]);
    const iam = new IamAuthorizer('enforce', roles, '000000000000');
    const who = { function: 'chat-send', role: 'chat-send', roleArn: 'arn:aws:iam::000000000000:role/chat-send' };
    expect(iam.authorize(who, 'dynamodb:Query', TABLE)).toMatchObject({ allowed: true, first: true, enforced: true });
    expect(iam.authorize(who, 'dynamodb:Query', TABLE)).toMatchObject({ allowed: true, first: false });
    const denied = iam.authorize(who, 'dynamodb:PutItem', TABLE);
    expect(denied).toMatchObject({ allowed: false, reason: 'no-allow' });
    expect(iam.denialMessage(who, 'dynamodb:PutItem', TABLE, denied.reason)).toBe(
      `User: arn:aws:sts::000000000000:assumed-role/chat-send/chat-send is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(iam.ledger.entries()).toEqual([
      { function: 'chat-send', role: 'chat-send', action: 'dynamodb:Query', resource: TABLE, decision: 'allowed', count: 2 },
      { function: 'chat-send', role: 'chat-send', action: 'dynamodb:PutItem', resource: TABLE, decision: 'no-allow', count: 1 },
    ]);
  });
});
