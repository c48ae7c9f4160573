import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChatStack, type ChatStackProps } from '../../reference-stack/infra/chat-stack.ts';
import { DEFAULT_STACK_NAME } from '../../reference-stack/functions/stack-names.ts';
import { parseTemplate, StackTemplate } from '../../emulator/stack-model/stack-template.ts';
import { chatStackPropsFromContext, stackNameFromContext } from '../../reference-stack/infra/context.ts';

/**
 * The reference stack synthesized in process, for the test/infra files (no AWS account needed).
 *
 * Bundling is skipped: it is esbuild, exercised by the emulator's own bundler on the same entries
 * and by chat-stack.test.ts's CDK CLI synth. So is aws-cdk-lib's built-in CloudFormation validation
 * (`builtinCloudFormationValidation`): its WASM rule engine cost about 7 of a file's 12 CPU-s on
 * the first synth of a process and about 1 CPU-s on each later one, and it changes no template:
 * without the validateAgainstDefaultRules flag, which the app does not set, it only warns (its
 * report for this stack held nothing when measured, 2026-11-27).
 *
 * Each stack name and set of props is synthesized once per process: the templates are cached on
 * globalThis, which vitest keeps between the files of the shared project (isolate: false) that run
 * in one process, as module state is not. Templates are only read, never changed, so a file may
 * read one another file synthesized. (CI does not promise the four infra files one process: in its
 * recorded runs each ran in a different one, so each paid its own first synth.)
 */
const CACHE = Symbol.for('fanout-bench.test.infra.templates');
const cache = ((globalThis as { [CACHE]?: Map<string, Record<string, unknown>> })[CACHE] ??= new Map());

/** The template as synthesized, its names still expressions of the stack's name. */
export function synthesized(props: ChatStackProps = {}, stackName: string = DEFAULT_STACK_NAME): Record<string, unknown> {
  const key = JSON.stringify([stackName, props]);
  let template = cache.get(key);
  if (!template) {
    // an outdir of its own, removed once read: left to itself, the App leaves a cdk.outXXXX in the temp directory per synth
    const outdir = mkdtempSync(join(tmpdir(), 'fanout-bench-synth-'));
    try {
      const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
      template = Template.fromStack(new ChatStack(app, stackName, props)).toJSON();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
    cache.set(key, template);
  }
  return template;
}

/** The template as CloudFormation creates the stack `stackName` from it (deployedAs), its parameters as the props set their defaults. */
export function synth(props: ChatStackProps = {}, stackName: string = DEFAULT_STACK_NAME): Template {
  return Template.fromJSON(deployedAs(synthesized(props, stackName), stackName));
}

/** Synthesized from context as the app does (`-c key=value`): the stack's name and its props. */
export function synthFromContext(context: Record<string, string>): Template {
  const get = (key: string) => context[key];
  return synth(chatStackPropsFromContext(get), stackNameFromContext(get));
}

type Json = unknown;
const DROPPED = Symbol('AWS::NoValue');

/**
 * The template as CloudFormation creates the stack `stackName` from it with `parameters` (the
 * template's defaults for the rest), read by the emulator's own template reader: only the
 * resources and outputs whose Condition holds, each Fn::If decided, the parameters' and the stack
 * name's values put in (the resources' names worked out); Refs to resources and Fn::GetAtt left as
 * written, for the tests to follow.
 */
export function deployedAs(json: Record<string, unknown>, stackName: string, parameters: Record<string, string> = {}): Record<string, unknown> {
  const file = `${stackName}.template.json`;
  const t = new StackTemplate({ file, template: parseTemplate(file, json), parameters, stackName, region: 'us-east-1', accountId: '123456789012', apiId: 'a1b2c3d4e5' });
  const decided = new Set([...Object.keys((json.Parameters ?? {}) as object), 'AWS::StackName']);
  const walk = (v: Json): Json | typeof DROPPED => {
    if (Array.isArray(v)) return v.map(walk).filter((x) => x !== DROPPED);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, Json>;
    if ('Fn::If' in o) {
      const [condition, whenTrue, whenFalse] = o['Fn::If'] as [string, Json, Json];
      return walk(t.resolver.condition(condition, []) ? whenTrue : whenFalse);
    }
    if ('Ref' in o) return o.Ref === 'AWS::NoValue' ? DROPPED : decided.has(o.Ref as string) ? t.resolve(o, []) : o;
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, Json[]];
      const walked = (walk(parts) as Json[]).flatMap((p, i) => (i > 0 && separator !== '' ? [separator, p] : [p]));
      // adjacent strings joined: a part that was a parameter reads as the text around it
      const merged = walked.reduce<Json[]>((out, p) => (typeof p === 'string' && typeof out.at(-1) === 'string' ? [...out.slice(0, -1), `${out.at(-1)}${p}`] : [...out, p]), []);
      return merged.length === 1 && typeof merged[0] === 'string' ? merged[0] : { 'Fn::Join': ['', merged] };
    }
    return Object.fromEntries(Object.entries(o).flatMap(([k, x]) => {
      const w = walk(x);
      return w === DROPPED ? [] : [[k, w]];
    }));
  };
  const present = (section: unknown, holds: (id: string, condition: string) => boolean) =>
    Object.fromEntries(Object.entries((section ?? {}) as Record<string, { Condition?: string }>).filter(([id, r]) => r.Condition === undefined || holds(id, r.Condition)));
  const resources = present(json.Resources, (id) => Object.hasOwn(t.resources, id));
  const outputs = present(json.Outputs, (id, c) => t.resolver.condition(c, ['Outputs', id, 'Condition']));
  return { ...json, Resources: walk(resources), Outputs: walk(outputs) } as Record<string, unknown>;
}
