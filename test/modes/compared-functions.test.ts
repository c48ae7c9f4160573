import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { comparedFunctions } from '../../src/modes/compare.ts';
import { functionsNotListed } from '../../src/targets/target-functions.ts';
import type { TargetFunctions } from '../../src/contracts/target-schema.ts';

// Which functions `compare` sets to each size, for a target's functions as the targets describe
// them (a deployed stack's list is what Lambda's and CloudFormation's APIs answered; here it is
// given, the functions that describe a target that could not be asked are the real ones).

const target = (functions: TargetFunctions) => ({ describeFunctions: async () => functions });
const own: TargetFunctions = { source: 'stack', functions: [{ name: 'chat-Send-1A2B', logicalId: 'SendFunction', route: 'send', memoryMB: 256 }] };

describe('the functions compare sets to each size', () => {
  it('takes those named, by name or logical id', async () => {
    expect(await comparedFunctions(target(own), ['SendFunction', 'chat-Send-1A2B'])).toEqual(['chat-Send-1A2B']);
  });

  it("defaults to the reference stack's send function where the stack has it, or answered as the reference stack", async () => {
    const reference: TargetFunctions = { source: 'stack', functions: [{ name: 'fanout-send-message', route: 'sendMessage', memoryMB: 1024 }] };
    expect(await comparedFunctions(target(reference), undefined)).toEqual(['fanout-send-message']);
    expect(await comparedFunctions(target(functionsNotListed({ connectColdFlag: true }, 'not asked')), undefined)).toEqual(['fanout-send-message']);
  });

  it("asks a stack of its own to name its functions: from its list, or where they could not be listed, by name; never the reference stack's", async () => {
    await expect(comparedFunctions(target(own), undefined)).rejects.toThrow(/^--function: this stack has no fanout-send-message .*\(its functions: SendFunction \(chat-Send-1A2B\)\)$/);
    const unknown = comparedFunctions(target(functionsNotListed({ connectColdFlag: false }, 'not asked')), undefined);
    await expect(unknown).rejects.toBeInstanceOf(UserError);
    await expect(unknown).rejects.toThrow("--function: this stack's functions could not be listed, and it did not answer as the reference stack: name the functions to set to each size");
  });
});
