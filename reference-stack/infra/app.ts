/**
 * CDK app for the reference stack, run by the CDK CLI pinned in package.json:
 *   npm run cdk -- synth | deploy | destroy   [-c key=value …]
 * (deploy and destroy need AWS credentials from the standard chain; synth needs none: the stack is
 * environment-agnostic). Context: name (the stack's name, default FanoutBenchChat; its functions,
 * tables and token parameter are named after it, so stacks of other names deploy side by side),
 * memory (MB, all functions), arch (x86_64 | arm64), stage (default prod), throttleRate /
 * throttleBurst (stage throttling, default 500 / 1000), broadcast (true deploys the naive broadcast
 * route; default false), detailedMetrics (per-route API Gateway metrics; default true), auth (false
 * deploys no $connect authorizer; default true), authIdentity (header | query), authParameter (an
 * existing parameter holding the token), pushFanout (the server push: direct, the default, or queued).
 * See context.ts. The stack's outputs are the contract in
 * common/stack-outputs.ts, which `--target aws:<name>` reads.
 */
import { App } from 'aws-cdk-lib';
import { ChatStack } from './chat-stack.ts';
import { chatStackPropsFromContext, ContextError, stackNameFromContext } from './context.ts';

const app = new App();
try {
  const context = (key: string) => app.node.tryGetContext(key);
  new ChatStack(app, stackNameFromContext(context), chatStackPropsFromContext(context));
} catch (error) {
  if (!(error instanceof ContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
app.synth();
