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

/** The template as CloudFormation creates the stack `stackName` from it: its names worked out. */
export function synth(props: ChatStackProps = {}, stackName: string = DEFAULT_STACK_NAME): Template {
  return Template.fromJSON(withStackName(synthesized(props, stackName), stackName));
}

/** Synthesized from context as the app does (`-c key=value`): the stack's name and its props. */
export function synthFromContext(context: Record<string, string>): Template {
  const get = (key: string) => context[key];
  return synth(chatStackPropsFromContext(get), stackNameFromContext(get));
}

type Json = unknown;

/**
 * The template with the values its stack's name decides (the resources' names: Fn::If on the
 * default stack, Fn::Join of AWS::StackName) worked out as CloudFormation would for `stackName`,
 * by the emulator's own template reader; everything else (Refs, Fn::GetAtt) left as written, for
 * the tests to follow.
 */
export function withStackName(json: Record<string, unknown>, stackName: string): Record<string, unknown> {
  const file = `${stackName}.template.json`;
  const t = new StackTemplate({ file, template: parseTemplate(file, json), parameters: {}, stackName, region: 'us-east-1', accountId: '123456789012', apiId: 'a1b2c3d4e5' });
  const resources = new Set(Object.keys(json.Resources as object));
  const mentions = (v: Json, test: (ref: string) => boolean): boolean =>
    Array.isArray(v) ? v.some((x) => mentions(x, test)) : v !== null && typeof v === 'object' ? Object.entries(v).some(([k, x]) => (k === 'Ref' && typeof x === 'string' && test(x)) || (k === 'Fn::GetAtt' && test(String([x].flat()[0]))) || mentions(x, test)) : false;
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    const decided = keys.length === 1 && (keys[0] === 'Fn::If' || keys[0] === 'Fn::Join') && mentions(v, (r) => r === 'AWS::StackName') && !mentions(v, (r) => resources.has(r));
    if (decided) return t.resolve(v, []);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return { ...json, Resources: walk(json.Resources), Outputs: walk(json.Outputs) } as Record<string, unknown>;
}
