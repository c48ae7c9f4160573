/**
 * CDK app for the reference stack. Deploy (needs AWS credentials from the standard chain):
 *   npx aws-cdk@2 deploy --app "npx tsx reference-stack/infra/app.ts" -c memory=512
 * Context: memory (MB, all functions), arch (x86_64 | arm64), stage (default prod),
 * throttleRate / throttleBurst (stage throttling, default 500 / 1000), broadcast (true deploys
 * the naive broadcast route; default false), auth (false deploys no $connect authorizer; default
 * true), authIdentity (header | query), authParameter (an existing parameter holding the token).
 * See context.ts.
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
