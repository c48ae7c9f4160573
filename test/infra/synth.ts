import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChatStack, type ChatStackProps } from '../../reference-stack/infra/chat-stack.ts';
import { DEFAULT_STACK_NAME } from '../../reference-stack/functions/stack-names.ts';
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
const cache = ((globalThis as { [CACHE]?: Map<string, Template> })[CACHE] ??= new Map());

export function synth(props: ChatStackProps = {}, stackName: string = DEFAULT_STACK_NAME): Template {
  const key = JSON.stringify([stackName, props]);
  let template = cache.get(key);
  if (!template) {
    // an outdir of its own, removed once read: left to itself, the App leaves a cdk.outXXXX in the temp directory per synth
    const outdir = mkdtempSync(join(tmpdir(), 'fanout-bench-synth-'));
    try {
      const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
      template = Template.fromStack(new ChatStack(app, stackName, props));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
    cache.set(key, template);
  }
  return template;
}

/** Synthesized from context as the app does (`-c key=value`): the stack's name and its props. */
export function synthFromContext(context: Record<string, string>): Template {
  const get = (key: string) => context[key];
  return synth(chatStackPropsFromContext(get), stackNameFromContext(get));
}
