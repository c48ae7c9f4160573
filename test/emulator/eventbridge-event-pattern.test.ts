import { describe, expect, it } from 'vitest';
import { eventPatternProblem, matchesEventPattern } from '../../emulator/eventbridge/event-pattern.ts';

// The examples of the EventBridge user guide ("Amazon EventBridge event patterns" and "Content
// filtering in Amazon EventBridge event patterns"), each pattern against the events it documents
// as matching and not matching.

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });
const match = (pattern: Record<string, unknown>, event: unknown) => matchesEventPattern(pattern, event);

describe('EventBridge event patterns (the user guide examples)', () => {
  it('matches the EC2 termination pattern: keys ANDed, nested objects, and ignores fields it does not name', () => {
    const pattern = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };
    expect(match(pattern, ec2Event)).toBe(true);
    expect(match(pattern, withDetail({ state: 'running' }))).toBe(false);
    expect(match({ ...pattern, source: ['aws.s3'] }, ec2Event)).toBe(false);
    // values listed for a key are ORed
    expect(match({ detail: { state: ['pending', 'terminated'] } }, ec2Event)).toBe(true);
  });

  it('matches an array in the event when any of its elements matches', () => {
    const event = { ...ec2Event, resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] };
    expect(match({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, event)).toBe(true);
    expect(match({ resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, event)).toBe(false);
    // an array of objects: one element has to match the nested pattern
    expect(match({ detail: { items: { id: [2] } } }, withDetail({ items: [{ id: 1 }, { id: 2 }] }))).toBe(true);
    expect(match({ detail: { items: { id: [3] } } }, withDetail({ items: [{ id: 1 }, { id: 2 }] }))).toBe(false);
  });

  it('prefix, and prefix ignoring case', () => {
    expect(match({ time: [{ prefix: '2017-12-22' }] }, ec2Event)).toBe(true);
    expect(match({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(false);
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    for (const service of ['EventBridge', 'eventbridge', 'EVENTBRIDGE']) expect(match(pattern, withDetail({ service }))).toBe(true);
    expect(match(pattern, withDetail({ service: 'Lambda' }))).toBe(false);
    // prefix is for strings only
    expect(match({ detail: { n: [{ prefix: '1' }] } }, withDetail({ n: 12 }))).toBe(false);
  });

  it('suffix, and suffix ignoring case', () => {
    expect(match({ detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.png' }))).toBe(true);
    expect(match({ detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.PNG' }))).toBe(false);
    expect(match({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'image.PNG' }))).toBe(true);
  });

  it('anything-but: a value, a list of strings or numbers, a prefix, a suffix, ignoring case, a wildcard', () => {
    const state = (s: unknown) => withDetail({ state: s });
    expect(match({ detail: { state: [{ 'anything-but': 'initializing' }] } }, state('stopped'))).toBe(true);
    expect(match({ detail: { state: [{ 'anything-but': 'initializing' }] } }, state('initializing'))).toBe(false);
    expect(match({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, state('running'))).toBe(true);
    expect(match({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, state('overloaded'))).toBe(false);
    expect(match({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 456 }))).toBe(true);
    expect(match({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, withDetail({ 'x-limit': 200 }))).toBe(false);
    expect(match({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, state('initializing'))).toBe(false);
    expect(match({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, state('running'))).toBe(true);
    expect(match({ detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, withDetail({ FileName: 'notes.txt' }))).toBe(false);
    expect(match({ detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, withDetail({ FileName: 'photo.png' }))).toBe(true);
    const ignoreCase = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } };
    expect(match(ignoreCase, state('STOPPED'))).toBe(false);
    expect(match(ignoreCase, state('running'))).toBe(true);
    const wildcard = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/dir/*' } }] } };
    expect(match(wildcard, withDetail({ FilePath: 'root/dir/file.png' }))).toBe(false);
    expect(match(wildcard, withDetail({ FilePath: 'root/other/file.png' }))).toBe(true);
    // an absent field is not "anything but"
    expect(match({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it('numeric ranges and equality', () => {
    const pattern = { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } };
    expect(match(pattern, withDetail({ 'c-count': 5, 'd-count': 7, 'x-limit': 301.8 }))).toBe(true);
    expect(match(pattern, withDetail({ 'c-count': 0, 'd-count': 7, 'x-limit': 301.8 }))).toBe(false);
    expect(match(pattern, withDetail({ 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 }))).toBe(false);
    // a number in a string is not a number
    expect(match({ detail: { n: [{ numeric: ['>', 0] }] } }, withDetail({ n: '5' }))).toBe(false);
  });

  it('IP address matching (cidr), IPv4 and IPv6', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
    expect(match(pattern, withDetail({ sourceIPAddress: '10.0.0.255' }))).toBe(true);
    expect(match(pattern, withDetail({ sourceIPAddress: '10.0.1.1' }))).toBe(false);
    expect(match(pattern, withDetail({ sourceIPAddress: 'not an ip' }))).toBe(false);
    expect(match({ detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } }, withDetail({ sourceIPAddress: '2001:db8::1' }))).toBe(true);
  });

  it('exists true and false, on leaf nodes only', () => {
    expect(match({ detail: { state: [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(match({ detail: { state: [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(match({ detail: { 'c-count': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(match({ detail: { 'c-count': [{ exists: true }] } }, ec2Event)).toBe(false);
    // an intermediate node is not a leaf
    expect(match({ detail: { nested: [{ exists: true }] } }, withDetail({ nested: { a: 1 } }))).toBe(false);
  });

  it('equals-ignore-case, null and the empty string', () => {
    expect(match({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, ec2Event)).toBe(true);
    expect(match({ detail: { responseElements: [null] } }, withDetail({ responseElements: null }))).toBe(true);
    expect(match({ detail: { responseElements: [null] } }, ec2Event)).toBe(false);
    expect(match({ detail: { eventVersion: [''] } }, withDetail({ eventVersion: '' }))).toBe(true);
    expect(match({ detail: { eventVersion: [''] } }, withDetail({ eventVersion: '1.0' }))).toBe(false);
  });

  it('wildcard, with a literal star escaped', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(match(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' })).toBe(true);
    expect(match(pattern, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/orders' })).toBe(false);
    expect(match({ detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'dir/init.png' }))).toBe(true);
    expect(match({ detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'dir/init.jpg' }))).toBe(false);
    expect(match({ detail: { n: [{ wildcard: 'a\\*b' }] } }, withDetail({ n: 'a*b' }))).toBe(true);
    expect(match({ detail: { n: [{ wildcard: 'a\\*b' }] } }, withDetail({ n: 'axb' }))).toBe(false);
  });

  it('$or, inside detail and at the top next to other keys', () => {
    const inDetail = { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] } };
    expect(match(inDetail, withDetail({ 'c-count': 50, 'd-count': 7 }))).toBe(true);
    expect(match(inDetail, withDetail({ 'c-count': 50, 'd-count': 70 }))).toBe(false);
    const top = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] };
    expect(match(top, { source: 'aws.cloudwatch', metricName: 'CPUUtilization', namespace: 'AWS/RDS' })).toBe(true);
    expect(match(top, { source: 'aws.cloudwatch', metricName: 'Other', namespace: 'AWS/ES' })).toBe(true);
    expect(match(top, { source: 'aws.cloudwatch', metricName: 'Other', namespace: 'AWS/RDS' })).toBe(false);
    expect(match(top, { source: 'aws.ec2', metricName: 'CPUUtilization' })).toBe(false);
  });

  it('names what makes a pattern invalid, as InvalidEventPatternException does', () => {
    expect(eventPatternProblem({ source: ['aws.ec2'], detail: { state: [{ 'anything-but': { prefix: 'init' } }] } })).toBeUndefined();
    expect(eventPatternProblem({ source: 'aws.ec2' })).toMatch(/source must be an array/);
    expect(eventPatternProblem({ source: [] })).toMatch(/Empty arrays/);
    expect(eventPatternProblem({ n: [{ numeric: ['~', 1] }] })).toMatch(/Unrecognized numeric range operator/);
    expect(eventPatternProblem({ n: [{ bogus: 1 }] })).toMatch(/Unrecognized match type bogus/);
    expect(eventPatternProblem({ ip: [{ cidr: '10.0.0.0' }] })).toMatch(/CIDR/);
    expect(eventPatternProblem({ $or: [{ a: ['x'] }] })).toMatch(/at least two/);
  });
});
