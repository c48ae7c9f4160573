import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { CONFIGURABLE_FUNCTION_NAMES } from '../../src/contracts/reference-functions.ts';
import type { StackKnobs } from '../../src/contracts/scenario-schema.ts';
import { checkStackKnobs, type KnobLayer } from '../../src/local-stack/stack-knobs-check.ts';
import { stackLaunchOf, withKnobs } from '../../src/local-stack/stack-knobs.ts';
import { stackUpArgs } from '../../src/local-stack/stack-flags.ts';

/**
 * The local stack's knobs checked with every layer that sets them: a template named by the flags
 * makes the scenario's function names the template's (and the other way round), and a mistake is
 * named where it was written (the scenario's field, the flag, a variant's field).
 */
const KNOWN = `(known: ${CONFIGURABLE_FUNCTION_NAMES.join(', ')})`;
const scenario = (knobs: StackKnobs): KnobLayer => ({ knobs, field: 's.yaml: target' });
const flags = (knobs: StackKnobs): KnobLayer => ({ knobs });

function refusal(layers: KnobLayer[]): string {
  try {
    checkStackKnobs(layers);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('checkStackKnobs', () => {
  it("a template from either layer makes the other layer's function names and parameters the template's", () => {
    // the scenario names the template's functions, the flags name the template
    expect(() => checkStackKnobs([scenario({ memory: { PublishFunction: 1024 }, reserved: { JoinFunction: 5 }, parameters: { Stage: 'dev' } }), flags({ template: '/t.yaml' })])).not.toThrow();
    // the scenario names the template, the flags its functions and parameters
    expect(() => checkStackKnobs([scenario({ template: '/t.yaml' }), flags({ memory: { 'rooms-PublishFunction-ABC': 512 }, parameters: { Stage: 'dev' } })])).not.toThrow();
  });

  it('without a template, names the reference functions, each mistake where it was written', () => {
    expect(() => checkStackKnobs([scenario({ memory: { 'fanout-send-message': 512 } }), flags({ memory: { 'fanout-connect': 256, 'fanout-push-worker': 512 } })])).not.toThrow();
    expect(refusal([scenario({ memory: { PublishFunction: 512 } }), flags({})])).toBe(`s.yaml: target.memory.PublishFunction: unknown function ${KNOWN}`);
    expect(refusal([scenario({ reserved: { nope: 1 } }), flags({})])).toBe(`s.yaml: target.reserved.nope: unknown function ${KNOWN}`);
    expect(refusal([scenario({}), flags({ memory: { connect: 512 } })])).toBe(`--memory: unknown function "connect" ${KNOWN}`);
    expect(refusal([scenario({}), flags({}), { knobs: { memory: { x: 512 } }, field: 'v.yaml: variants[1].knobs' }])).toBe(`v.yaml: variants[1].knobs.memory.x: unknown function ${KNOWN}`);
    expect(refusal([scenario({ parameters: { Stage: 'dev' } }), flags({})])).toBe('s.yaml: target.parameters: are for a template: name one too (template, or --template)');
    expect(refusal([scenario({}), flags({ parameters: { Stage: 'dev' } })])).toBe('--parameter: a parameter is for a template: give --template too');
  });

  it("with a template, the reference stack's authorizer is refused in the layer that asks for it", () => {
    expect(refusal([scenario({ auth: true }), flags({ template: '/t.yaml' })])).toBe("s.yaml: target.auth: is the reference stack's authorizer: a template's own authorizer runs as written");
  });

  it("with a template, the reference stack's server push setting is refused in the layer that asks for it; without one it goes to the stack", () => {
    expect(refusal([scenario({ pushFanout: 'queued' }), flags({ template: '/t.yaml' })])).toBe("s.yaml: target.pushFanout: is the reference stack's server push: a template's own paths run as written");
    expect(refusal([scenario({ template: '/t.yaml' }), flags({}), { knobs: { pushFanout: 'direct' }, field: 'v.yaml: variants[0].knobs' }])).toBe("v.yaml: variants[0].knobs.pushFanout: is the reference stack's server push: a template's own paths run as written");
    expect(() => checkStackKnobs([scenario({ pushFanout: 'queued' }), flags({})])).not.toThrow();
    expect(stackLaunchOf({ pushFanout: 'queued' }).settings).toEqual({ pushFanout: 'queued' });
    expect(stackUpArgs({ settings: { pushFanout: 'queued' } })).toEqual(['--push-fanout', 'queued']);
  });

  it("with a template, the reference stack's provisioned concurrency is refused in the layer that asks for it; without one it goes to the stack", () => {
    expect(refusal([scenario({ provisionedConnect: 2 }), flags({ template: '/t.yaml' })])).toBe(
      "s.yaml: target.provisionedConnect: is the reference stack's provisioned concurrency: a template's own runs as written (its ProvisionedConcurrencyConfig)",
    );
    expect(refusal([scenario({ template: '/t.yaml' }), flags({ provisionedSend: 1 })])).toBe("--provisioned-send: is the reference stack's provisioned concurrency: a template's own runs as written (its ProvisionedConcurrencyConfig)");
    expect(() => checkStackKnobs([scenario({ provisionedConnect: 2 }), flags({})])).not.toThrow();
    expect(stackLaunchOf({ provisionedConnect: 2, provisionedSend: 4 }).settings).toEqual({ provisionedConnect: 2, provisionedSend: 4 });
    expect(stackUpArgs({ settings: { provisionedConnect: 2 } })).toEqual(['--provisioned-connect', '2']);
  });
});

describe('withKnobs', () => {
  it("a flag's parameter wins over the scenario's for that parameter only", () => {
    expect(withKnobs({ template: '/t.yaml', parameters: { Stage: 'dev', Memory: '256' } }, { parameters: { Memory: '1024' } })).toEqual({ template: '/t.yaml', parameters: { Stage: 'dev', Memory: '1024' } });
  });
});
