import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { IamAuthorizer } from '../../emulator/iam/iam-authorizer.ts';
import { parsePolicyDocument, type PolicyPath } from '../../common/iam/policy-document.ts';
import { conditionOutcome } from '../../common/iam/policy-conditions.ts';
import { evaluate } from '../../common/iam/policy-evaluation.ts';
import { resourceMatches } from '../../common/iam/policy-patterns.ts';

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

/**
 * A resource-based policy on a service's delivery (a queue's policy letting SNS send), with the
 * condition operators IAM documents ("IAM JSON policy elements: Condition operators") held to their
 * semantics against the context a delivery carries (aws:SourceArn, aws:SourceAccount).
 */
describe('a resource-based policy, its principals and conditions', () => {
  const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:jobs';
  const TOPIC = 'arn:aws:sns:us-east-1:000000000000:alerts';
  const resourceParse = (doc: unknown) => parsePolicyDocument(doc, 'queue policy', fail, 'resource');
  const fromSns = (sourceArn: string | undefined, account = '000000000000') => ({
    service: 'sns.amazonaws.com',
    context: { ...(sourceArn !== undefined ? { 'aws:SourceArn': sourceArn } : {}), 'aws:SourceAccount': account },
  });
  const ctx = (extra: Record<string, string> = {}) => ({ 'aws:SourceArn': TOPIC, 'aws:SourceAccount': '000000000000', ...extra });

  it('allows the service its Principal names, with a matching aws:SourceArn; not another service, not another source', () => {
    const s = resourceParse({
      Statement: { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { ArnEquals: { 'aws:SourceArn': TOPIC } } },
    });
    expect(evaluate(s, 'sqs:SendMessage', QUEUE, fromSns(TOPIC))).toMatchObject({ allowed: true });
    expect(evaluate(s, 'sqs:SendMessage', QUEUE, fromSns(`${TOPIC}-other`))).toEqual({ allowed: false, reason: 'no-allow' });
    expect(evaluate(s, 'sqs:SendMessage', QUEUE, { ...fromSns(TOPIC), service: 'events.amazonaws.com' }).allowed).toBe(false);
    // "*" and {AWS: "*"} name every principal, services too; NotPrincipal every one it does not list
    for (const Principal of ['*', { AWS: '*' }, { AWS: ['*'] }]) {
      expect(evaluate(resourceParse({ Statement: { Effect: 'Allow', Principal, Action: 'SQS:SendMessage', Resource: QUEUE } }), 'sqs:SendMessage', QUEUE, fromSns(TOPIC)).allowed).toBe(true);
    }
    const allButSns = resourceParse({ Statement: { Effect: 'Allow', NotPrincipal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:*', Resource: QUEUE } });
    expect(evaluate(allButSns, 'sqs:SendMessage', QUEUE, fromSns(TOPIC)).allowed).toBe(false);
    expect(evaluate(allButSns, 'sqs:SendMessage', QUEUE, { ...fromSns(TOPIC), service: 'events.amazonaws.com' }).allowed).toBe(true);
    // a statement without Resource is about the resource it is attached to; an empty policy allows nothing
    expect(evaluate(resourceParse({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage' } }), 'sqs:SendMessage', QUEUE, fromSns(TOPIC)).allowed).toBe(true);
    expect(evaluate(resourceParse({ Statement: [] }), 'sqs:SendMessage', QUEUE, fromSns(TOPIC))).toEqual({ allowed: false, reason: 'no-allow' });
  });

  it('ArnEquals and ArnLike: case-sensitive, field by field, * and ? within a field; any listed value will do', () => {
    expect(conditionOutcome({ ArnEquals: { 'aws:SourceArn': TOPIC } }, ctx())).toBe('met');
    expect(conditionOutcome({ ArnEquals: { 'aws:SourceArn': TOPIC.toUpperCase() } }, ctx())).toBe('unmet');
    expect(conditionOutcome({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:000000000000:alert?' } }, ctx())).toBe('met');
    expect(conditionOutcome({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:000000000000:*' } }, ctx())).toBe('met');
    // a wildcard stays in its field: the account field does not match a region's text
    expect(conditionOutcome({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1*:alerts' } }, ctx())).toBe('unmet');
    expect(conditionOutcome({ ArnLike: { 'aws:SourceArn': ['arn:aws:sns:us-east-1:000000000000:other', TOPIC] } }, ctx())).toBe('met');
    expect(conditionOutcome({ ArnNotEquals: { 'aws:SourceArn': TOPIC } }, ctx())).toBe('unmet');
    expect(conditionOutcome({ ArnNotLike: { 'aws:SourceArn': ['arn:aws:sns:*:*:other', 'arn:aws:sqs:*:*:*'] } }, ctx())).toBe('met');
  });

  it('StringEquals, StringLike and their Not and IgnoreCase forms; key names in any case; Bool', () => {
    expect(conditionOutcome({ StringEquals: { 'aws:SourceAccount': '000000000000' } }, ctx())).toBe('met');
    expect(conditionOutcome({ StringEquals: { 'AWS:SOURCEACCOUNT': '000000000000' } }, ctx())).toBe('met');
    expect(conditionOutcome({ StringEquals: { 'aws:SourceAccount': '111122223333' } }, ctx())).toBe('unmet');
    expect(conditionOutcome({ StringLike: { 'aws:SourceArn': 'arn:aws:sns:*:alerts' } }, ctx())).toBe('met');
    expect(conditionOutcome({ StringLike: { 'aws:SourceArn': 'arn:aws:sns:*:Alerts' } }, ctx())).toBe('unmet');
    expect(conditionOutcome({ StringEqualsIgnoreCase: { 'aws:SourceArn': TOPIC.toUpperCase() } }, ctx())).toBe('met');
    expect(conditionOutcome({ StringNotEquals: { 'aws:SourceAccount': ['111122223333', '444455556666'] } }, ctx())).toBe('met');
    expect(conditionOutcome({ StringNotLike: { 'aws:SourceArn': '*alerts' } }, ctx())).toBe('unmet');
    // a Deny of plain HTTP (the CDK's enforceSSL) does not hold for a service's delivery over TLS
    expect(conditionOutcome({ Bool: { 'aws:SecureTransport': false } }, ctx({ 'aws:SecureTransport': 'true' }))).toBe('unmet');
  });

  it('a key the request lacks: a positive operator fails, a negated one holds, IfExists holds, Null says which', () => {
    const noSource = { 'aws:SourceAccount': '000000000000' };
    expect(conditionOutcome({ ArnEquals: { 'aws:SourceArn': TOPIC } }, noSource)).toBe('unmet');
    expect(conditionOutcome({ StringEquals: { 'aws:SourceArn': TOPIC } }, noSource)).toBe('unmet');
    expect(conditionOutcome({ ArnNotLike: { 'aws:SourceArn': TOPIC } }, noSource)).toBe('met');
    expect(conditionOutcome({ StringNotEquals: { 'aws:SourceArn': TOPIC } }, noSource)).toBe('met');
    expect(conditionOutcome({ ArnEqualsIfExists: { 'aws:SourceArn': TOPIC } }, noSource)).toBe('met');
    expect(conditionOutcome({ StringLikeIfExists: { 'aws:SourceArn': 'nothing' } }, noSource)).toBe('met');
    // …IfExists with the key present: the operator itself decides
    expect(conditionOutcome({ ArnEqualsIfExists: { 'aws:SourceArn': `${TOPIC}-other` } }, ctx())).toBe('unmet');
    expect(conditionOutcome({ Null: { 'aws:SourceArn': 'true' } }, noSource)).toBe('met');
    expect(conditionOutcome({ Null: { 'aws:SourceArn': 'false' } }, noSource)).toBe('unmet');
  });

  it('every operator of a block and every key of an operator must hold; an operator not evaluated here is said so', () => {
    const both = { ArnEquals: { 'aws:SourceArn': TOPIC }, StringEquals: { 'aws:SourceAccount': '000000000000' } };
    expect(conditionOutcome(both, ctx())).toBe('met');
    expect(conditionOutcome(both, ctx({ 'aws:SourceAccount': '111122223333' }))).toBe('unmet');
    expect(conditionOutcome({ StringEquals: { 'aws:SourceAccount': '000000000000', 'aws:SourceArn': 'x' } }, ctx())).toBe('unmet');
    expect(conditionOutcome({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ctx())).toBe('unsupported');
    expect(conditionOutcome({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, ctx())).toBe('unsupported');
    // such a statement is taken as for identity policies: an Allow grants nothing, a Deny denies
    const s = resourceParse({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      ],
    });
    expect(evaluate(s, 'sqs:SendMessage', QUEUE, fromSns(TOPIC)).allowed).toBe(false);
    const denied = resourceParse({
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE },
        { Sid: 'OnlyOurAccount', Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { StringNotEquals: { 'aws:SourceAccount': '000000000000' } } },
      ],
    });
    expect(evaluate(denied, 'sqs:SendMessage', QUEUE, fromSns(TOPIC)).allowed).toBe(true);
    expect(evaluate(denied, 'sqs:SendMessage', QUEUE, fromSns(TOPIC, '111122223333'))).toMatchObject({ allowed: false, reason: 'explicit-deny', statement: { sid: 'OnlyOurAccount' } });
  });

  it('needs Principal or NotPrincipal in a resource-based policy, refuses one in an identity-based policy, naming the field', () => {
    expect(() => resourceParse({ Statement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE } })).toThrow('policy Statement.Principal: missing: a resource-based policy names its Principal');
    expect(() => resourceParse({ Statement: { Effect: 'Allow', Principal: { Service: 7 }, Action: 'sqs:SendMessage' } })).toThrow('policy Statement.Principal: must be "*" or a mapping');
    expect(() => parse({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: QUEUE } })).toThrow('policy Statement.Principal: an identity-based policy cannot name a principal');
  });
});
