/**
 * The Lambda Node.js runtimes whose Node runs the emulator's stack (older Node.js runtimes run on
 * the first of them: common/lambda-runtimes.ts). A runtime fixes three things: the
 * `AWS_EXECUTION_ENV` functions see, the esbuild target they are bundled for (as CDK's
 * NodejsFunction derives it from the runtime), and the Node major that should run them. The
 * default is what the CDK app deploys.
 */
export const NODE_RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
export type NodeRuntime = (typeof NODE_RUNTIMES)[number];
export const DEFAULT_NODE_RUNTIME: NodeRuntime = 'nodejs22.x';

/** Any Node.js runtime identifier, run here or not (`nodejs16.x`). */
export type NodeRuntimeId = `nodejs${number}.x`;

/** 'nodejs22.x' → 22 */
export function nodeMajorOf(runtime: NodeRuntimeId): number {
  return Number(/^nodejs(\d+)\.x$/.exec(runtime)![1]);
}

/** 'nodejs22.x' → 'node22' */
export function esbuildTargetOf(runtime: NodeRuntimeId): string {
  return `node${nodeMajorOf(runtime)}`;
}

export function isNodeRuntime(value: string): value is NodeRuntime {
  return (NODE_RUNTIMES as readonly string[]).includes(value);
}
