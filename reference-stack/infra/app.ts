/**
 * CDK app for the reference stack. Deploy (needs AWS credentials from the standard chain):
 *   npx aws-cdk@2 deploy --app "npx tsx reference-stack/infra/app.ts" -c memory=512
 * Context: memory (MB, all functions), arch (x86_64 | arm64), stage (default prod).
 */
import { App } from 'aws-cdk-lib';
import { ChatStack } from './chat-stack.ts';

const app = new App();
const memory = app.node.tryGetContext('memory');
const arch = app.node.tryGetContext('arch');
const memoryMB = memory === undefined ? undefined : Number(memory);
if (memoryMB !== undefined && (!Number.isInteger(memoryMB) || memoryMB < 128 || memoryMB > 10240)) {
  throw new Error(`context memory: must be an integer from 128 to 10240 MB, got ${memory}`);
}
if (arch !== undefined && arch !== 'x86_64' && arch !== 'arm64') {
  throw new Error(`context arch: must be x86_64 or arm64, got ${arch}`);
}
new ChatStack(app, 'FanoutBenchChat', { memoryMB, architecture: arch, stageName: app.node.tryGetContext('stage') });
app.synth();
