import { describe, expect, it } from 'vitest';
import type { TargetFunction } from '../../src/contracts/target-schema.ts';
import { provisionedSubject } from '../../src/modes/provisioned-setting.ts';
import { snapStartSubject } from '../../src/modes/snapstart-setting.ts';

/** Which function a `compare --provisioned` or `--snapstart` sweep changes, and the one line when it cannot say. */
const fn = (name: string, o: Partial<TargetFunction> = {}): TargetFunction => ({ name, route: '$connect', memoryMB: 512, ...o });

describe('the function a sweep changes', () => {
  const stack = [fn('chat-connect', { logicalId: 'ConnectFunction', qualifier: 'live', snapStart: true, provisioned: [{ qualifier: 'live', version: '1', environments: 2 }] }), fn('chat-send', { route: 'sendMessage', qualifier: '3' })];

  it('is the one named (by name or logical id), else the one with the setting', () => {
    expect(provisionedSubject(stack, undefined)).toEqual({ function: 'chat-connect', qualifier: 'live', memoryMB: 512 });
    expect(snapStartSubject(stack, 'ConnectFunction')).toEqual({ function: 'chat-connect', alias: 'live', memoryMB: 512 });
  });

  it('refuses a name the stack lacks, none or several with the setting, and (SnapStart) a route invoking a version number', () => {
    expect(() => snapStartSubject(stack, 'Nope')).toThrow('--function: Nope is not a function of this stack (its functions: ConnectFunction (chat-connect), chat-send)');
    expect(() => snapStartSubject([stack[1]!], undefined)).toThrow("--function: name the function whose SnapStart to compare (none of this stack's has SnapStart on; its functions: chat-send)");
    const two = [stack[0]!, fn('chat-join', { snapStart: true, qualifier: 'live' })];
    expect(() => snapStartSubject(two, undefined)).toThrow('--function: name the function whose SnapStart to compare (chat-connect, chat-join have it; its functions: ConnectFunction (chat-connect), chat-join)');
    expect(() => snapStartSubject(stack, 'chat-send')).toThrow('--function: its route sendMessage invokes version 3 of chat-send: each point publishes a version and moves an alias to it, so the route must invoke an alias (AutoPublishAlias in SAM)');
    expect(() => provisionedSubject([stack[1]!], undefined)).toThrow("none of this stack's has provisioned concurrency configured");
  });
});
