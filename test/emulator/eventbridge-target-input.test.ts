import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../emulator/eventbridge/event-envelope.ts';
import { selectJsonPath } from '../../emulator/json-path.ts';
import { targetInput } from '../../emulator/eventbridge/target-input.ts';

// What a rule's target receives: Input, InputPath, and InputTransformer as the EventBridge user
// guide's "Amazon EventBridge input transformation" examples render the EC2 state-change event.

const event: EventEnvelope = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', count: 3, tags: { team: 'chat' } },
};
const rule = { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/ec2', ruleName: 'ec2', ingestionTime: '2015-11-11T21:29:55.000Z' };
const transform = (inputTemplate: string, inputPathsMap: Record<string, string> = { instance: '$.detail.instance-id', state: '$.detail.state' }) => targetInput({ inputTransformer: { inputTemplate, inputPathsMap } }, event, rule);

describe('EventBridge target input', () => {
  it('sends the event, Input verbatim, or the part InputPath names', () => {
    expect(JSON.parse(targetInput({}, event, rule))).toEqual(event);
    expect(targetInput({ input: '{"fixed": true}' }, event, rule)).toBe('{"fixed": true}');
    expect(JSON.parse(targetInput({ inputPath: '$.detail' }, event, rule))).toEqual(event.detail);
    expect(targetInput({ inputPath: '$.detail.state' }, event, rule)).toBe('"RUNNING"');
  });

  it('InputTransformer: a string template writes values bare inside its quotes', () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it('InputTransformer: a JSON template writes a string value as a JSON string outside quotes and bare inside them', () => {
    expect(JSON.parse(transform('{"instance" : <instance>, "state": [9, <state>, true], "Transformed" : "Yes"}'))).toEqual({ instance: 'i-0123456789', state: [9, 'RUNNING', true], Transformed: 'Yes' });
    expect(JSON.parse(transform('{"instance" : "<instance>", "state": "<state>"}'))).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
    expect(JSON.parse(transform('{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<state>\\""}'))).toEqual({ myInstance: 'i-0123456789', myStatus: 'i-0123456789 is in state "RUNNING"' });
  });

  it('InputTransformer: text outside any JSON string quotes string values; numbers and objects go as JSON', () => {
    expect(transform('<instance> is in state <state>')).toBe('"i-0123456789" is in state "RUNNING"');
    expect(JSON.parse(transform('{"n": <n>, "tags": <tags>}', { n: '$.detail.count', tags: '$.detail.tags' }))).toEqual({ n: 3, tags: { team: 'chat' } });
    // a path the event lacks: null outside a string, empty inside one
    expect(JSON.parse(transform('{"a": <missing>, "b": "<missing>"}', { missing: '$.detail.nope' }))).toEqual({ a: null, b: '' });
  });

  it('InputTransformer: the predefined variables', () => {
    const out = JSON.parse(transform('{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", "at": "<aws.events.event.ingestion-time>", "event": <aws.events.event>, "whole": <aws.events.event.json>}'));
    expect(out.rule).toBe('ec2');
    expect(out.arn).toBe(rule.ruleArn);
    expect(out.at).toBe(rule.ingestionTime);
    expect(out.event.detail).toBeUndefined();
    expect(out.event.source).toBe('aws.ec2');
    expect(out.whole).toEqual(event);
  });

  it('JSONPath: dots, dashes, indices, wildcards', () => {
    expect(selectJsonPath(event, '$.detail.instance-id')).toBe('i-0123456789');
    expect(selectJsonPath(event, '$.resources[0]')).toBe('arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111');
    expect(selectJsonPath(event, '$.resources[*]')).toEqual(event.resources);
    expect(selectJsonPath(event, '$')).toEqual(event);
    expect(selectJsonPath(event, '$.detail.none')).toBeUndefined();
    // the one JSONPath API Gateway's templates use too (emulator/json-path.ts): slashes in a name, bracketed names
    expect(selectJsonPath({ detail: { 'a/b': 1 } }, '$.detail.a/b')).toBe(1);
    expect(selectJsonPath(event, "$['detail']['instance-id']")).toBe('i-0123456789');
    expect(selectJsonPath(event, '$..id')).toBeUndefined();
  });
});
