/**
 * CDK app for the reference stack, run by the CDK CLI pinned in package.json:
 *   npm run cdk -- synth | deploy | destroy   [-c key=value …]
 * (deploy and destroy need AWS credentials from the standard chain; synth needs none: the stack is
 * environment-agnostic). Context: memory (MB, all functions), arch (x86_64 | arm64), stage
 * (default prod), throttleRate / throttleBurst (stage throttling, default 500 / 1000), broadcast
 * (true deploys the naive broadcast route; default false), detailedMetrics (per-route API Gateway
 * metrics; default true), auth (false deploys no $connect authorizer; default true), authIdentity
 * (header | query), authParameter (an existing parameter holding the token). See context.ts. The stack's outputs are the contract in
 * common/stack-outputs.ts, which `--target aws:FanoutBenchChat` reads.
 */
import { App } from 'aws-cdk-lib';
import { ChatStack } from './chat-stack.ts';
import { chatStackPropsFromContext, ContextError } from './context.ts';

const app = new App();
try {
  new ChatStack(app, 'FanoutBenchChat', chatStackPropsFromContext((key) => app.node.tryGetContext(key)));
} catch (error) {
  if (!(error instanceof ContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
app.synth();
