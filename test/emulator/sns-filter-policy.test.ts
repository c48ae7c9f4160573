import { describe, expect, it } from 'vitest';
import { applyFilterPolicy, filterPolicyProblem } from '../../emulator/sns/filter-policy.ts';
import type { MessageAttribute } from '../../emulator/service-targets.ts';

// The examples of the SNS developer guide ("Amazon SNS message filtering": example filter
// policies, AND/OR logic, key matching, numeric and string value matching), each policy against
// the attributes and bodies it documents as matching and not matching.

const s = (v: string): MessageAttribute => ({ dataType: 'String', stringValue: v });
const n = (v: string): MessageAttribute => ({ dataType: 'Number', stringValue: v });
const arr = (v: unknown[]): MessageAttribute => ({ dataType: 'String.Array', stringValue: JSON.stringify(v) });

const onAttributes = (policy: Record<string, unknown>, attributes: Record<string, MessageAttribute>) => applyFilterPolicy(policy, 'MessageAttributes', { body: 'message-body-with-transaction-details', attributes });
const onBody = (policy: Record<string, unknown>, body: unknown) => applyFilterPolicy(policy, 'MessageBody', { body: typeof body === 'string' ? body : JSON.stringify(body), attributes: {} });

const transaction = { customer_interests: arr(['soccer', 'rugby', 'hockey']), store: s('example_corp'), event: s('order_placed'), price_usd: n('210.75') };
const transactionBody = { customer_interests: ['soccer', 'rugby', 'hockey'], store: 'example_corp', event: 'order_placed', price_usd: 210.75 };

describe('SNS filter policies (the developer guide examples)', () => {
  it('the example policy: accepts the transaction by attributes and by body; AND across keys', () => {
    const policy = { store: ['example_corp'], event: [{ 'anything-but': 'order_cancelled' }], customer_interests: ['rugby', 'football', 'baseball'], price_usd: [{ numeric: ['>=', 100] }] };
    expect(onAttributes(policy, transaction)).toBe('matched');
    expect(onBody(policy, transactionBody)).toBe('matched');
    expect(onAttributes(policy, { ...transaction, price_usd: n('99') })).toBe('MessageAttributes');
    expect(onBody(policy, { ...transactionBody, event: 'order_cancelled' })).toBe('MessageBody');
  });

  it('nested keys in the body scope', () => {
    const policy = { order: { store: ['example_corp'], total: { usd: [{ numeric: ['>', 100] }] } } };
    expect(filterPolicyProblem(policy, 'MessageBody')).toBeUndefined();
    expect(onBody(policy, { order: { store: 'example_corp', total: { usd: 210.75 } } })).toBe('matched');
    expect(onBody(policy, { order: { store: 'example_corp', total: { usd: 50 } } })).toBe('MessageBody');
    // nested keys are refused in the attributes scope
    expect(filterPolicyProblem(policy, 'MessageAttributes')).toMatch(/nested/);
  });

  it('OR within a key, and the $or operator', () => {
    expect(onAttributes({ customer_interests: ['rugby', 'tennis'] }, { customer_interests: s('tennis') })).toBe('matched');
    const policy = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] };
    expect(onAttributes(policy, { source: s('aws.cloudwatch'), metricName: s('ReadLatency') })).toBe('matched');
    expect(onAttributes(policy, { source: s('aws.cloudwatch'), namespace: s('AWS/EC2') })).toBe('matched');
    expect(onAttributes(policy, { source: s('aws.cloudwatch'), namespace: s('AWS/RDS') })).toBe('MessageAttributes');
  });

  it('key matching: exists true, exists false (which needs at least one attribute)', () => {
    const present = { store: s('fans'), customer_interests: arr(['baseball', 'basketball']) };
    const absent = { customer_interests: arr(['baseball', 'basketball']) };
    expect(onAttributes({ store: [{ exists: true }] }, present)).toBe('matched');
    expect(onAttributes({ store: [{ exists: true }] }, absent)).toBe('MessageAttributes');
    expect(onBody({ store: [{ exists: true }] }, { store: 'fans', customer_interests: ['baseball', 'basketball'] })).toBe('matched');
    expect(onBody({ store: [{ exists: true }] }, { customer_interests: ['baseball', 'basketball'] })).toBe('MessageBody');
    expect(onAttributes({ store: [{ exists: false }] }, present)).toBe('MessageAttributes');
    expect(onAttributes({ store: [{ exists: false }] }, absent)).toBe('matched');
    expect(onAttributes({ store: [{ exists: false }] }, {})).toBe('NoMessageAttributes');
  });

  it('numeric: exact (301.5 = 3.015e2), anything-but, ranges; a String attribute is no number', () => {
    const exact = { price_usd: [{ numeric: ['=', 301.5] }] };
    expect(onAttributes(exact, { price_usd: n('301.5') })).toBe('matched');
    expect(onAttributes(exact, { price_usd: n('3.015e2') })).toBe('matched');
    expect(onBody(exact, '{ "price_usd": 3.015e2 }')).toBe('matched');
    const anythingBut = { price: [{ 'anything-but': [100, 500] }] };
    expect(onAttributes(anythingBut, { price: n('101') })).toBe('matched');
    expect(onAttributes(anythingBut, { price: n('100.1') })).toBe('matched');
    expect(onAttributes(anythingBut, { price: n('100') })).toBe('MessageAttributes');
    expect(onBody(anythingBut, { price: 100 })).toBe('MessageBody');
    expect(onAttributes({ price_usd: [{ numeric: ['<', 0] }] }, { price_usd: n('-1') })).toBe('matched');
    const range = { price_usd: [{ numeric: ['>', 0, '<=', 150] }] };
    expect(onAttributes(range, { price_usd: n('150') })).toBe('matched');
    expect(onAttributes(range, { price_usd: n('150.01') })).toBe('MessageAttributes');
    expect(onAttributes(range, { price_usd: s('100') })).toBe('MessageAttributes');
  });

  it('string: exact (String.Array elements each), anything-but (a String.Array matches when none is listed)', () => {
    const exact = { customer_interests: ['rugby', 'tennis'] };
    expect(onAttributes(exact, { customer_interests: s('rugby') })).toBe('matched');
    expect(onAttributes(exact, { customer_interests: arr(['rugby', 'tennis']) })).toBe('matched');
    expect(onAttributes(exact, { customer_interests: s('baseball') })).toBe('MessageAttributes');
    expect(onAttributes(exact, { customer_interests: arr(['baseball']) })).toBe('MessageAttributes');
    expect(onBody(exact, { customer_interests: 'tennis' })).toBe('matched');
    const anythingBut = { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] };
    expect(onAttributes(anythingBut, { customer_interests: s('football') })).toBe('matched');
    expect(onAttributes(anythingBut, { customer_interests: arr(['baseball', 'football']) })).toBe('matched');
    expect(onAttributes(anythingBut, { customer_interests: arr(['rugby', 'baseball']) })).toBe('MessageAttributes');
    expect(onAttributes(anythingBut, { customer_interests: s('rugby') })).toBe('MessageAttributes');
  });

  it('string: prefix, suffix, their anything-but forms, equals-ignore-case, IP addresses', () => {
    const bas = { customer_interests: [{ prefix: 'bas' }] };
    expect(onAttributes(bas, { customer_interests: s('baseball') })).toBe('matched');
    expect(onAttributes(bas, { customer_interests: s('basketball') })).toBe('matched');
    expect(onAttributes(bas, { customer_interests: s('rugby') })).toBe('MessageAttributes');
    const notBas = { customer_interests: [{ 'anything-but': { prefix: 'bas' } }] };
    expect(onAttributes(notBas, { customer_interests: s('rugby') })).toBe('matched');
    expect(onAttributes(notBas, { customer_interests: s('baseball') })).toBe('MessageAttributes');
    const ball = { customer_interests: [{ suffix: 'ball' }] };
    expect(onAttributes(ball, { customer_interests: s('baseball') })).toBe('matched');
    expect(onAttributes(ball, { customer_interests: s('rugby') })).toBe('MessageAttributes');
    const notBall = { customer_interests: [{ 'anything-but': { suffix: 'ball' } }] };
    expect(onAttributes(notBall, { customer_interests: s('rugby') })).toBe('matched');
    expect(onAttributes(notBall, { customer_interests: s('baseball') })).toBe('MessageAttributes');
    const tennis = { customer_interests: [{ 'equals-ignore-case': 'tennis' }] };
    for (const v of ['TENNIS', 'Tennis', 'tennis']) expect(onAttributes(tennis, { customer_interests: s(v) })).toBe('matched');
    expect(onAttributes(tennis, { customer_interests: s('rugby') })).toBe('MessageAttributes');
    const ip = { source_ip: [{ cidr: '10.0.0.0/24' }] };
    expect(onAttributes(ip, { source_ip: s('10.0.0.0') })).toBe('matched');
    expect(onAttributes(ip, { source_ip: s('10.0.0.255') })).toBe('matched');
    expect(onAttributes(ip, { source_ip: s('10.1.1.0') })).toBe('MessageAttributes');
  });

  it('names the reason a message was filtered out: no attributes, a body that is not JSON, a malformed String.Array', () => {
    expect(onAttributes({ store: ['x'] }, {})).toBe('NoMessageAttributes');
    expect(onBody({ store: ['x'] }, 'plain text')).toBe('InvalidMessageBody');
    expect(onAttributes({ store: ['x'] }, { store: { dataType: 'String.Array', stringValue: 'not json' } })).toBe('InvalidAttributes');
    // Binary attributes are not filtered on
    expect(onAttributes({ blob: [{ exists: true }] }, { blob: { dataType: 'Binary', binaryValue: 'AAE=' } })).toBe('MessageAttributes');
  });

  it('refuses what SNS refuses', () => {
    expect(filterPolicyProblem({ store: [{ wildcard: 'ex*' }] }, 'MessageAttributes')).toMatch(/Unrecognized match type wildcard/);
    expect(filterPolicyProblem({ store: 'example_corp' }, 'MessageAttributes')).toMatch(/must be an array/);
    expect(filterPolicyProblem({ price: [{ numeric: ['>', 'a'] }] }, 'MessageAttributes')).toMatch(/must be numeric/);
  });
});
