import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ChatStack } from '../../reference-stack/infra/chat-stack.ts';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { REFERENCE_TABLES } from '../../src/metrics/reference-tables.ts';

// Synthesis only (no AWS account needed). Bundling is skipped: it is esbuild, exercised by the
// emulator's own bundler on the same entries.
function synth(props: ConstructorParameters<typeof ChatStack>[2] = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new ChatStack(app, 'Test', props));
}

describe('CDK reference stack', () => {
  const template = synth({ memoryByFunction: { 'fanout-send-message': 512 } });

  it('declares one function per route and every route of the manifest', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', FUNCTIONS.length);
    for (const spec of FUNCTIONS) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: spec.route });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('sets memory per function and makes message routes two-way', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, Runtime: 'nodejs22.x' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'sendMessage',
      RouteResponseSelectionExpression: '$default',
    });
  });

  it('creates the three tables, named as the harness pulls their metrics, with the byConnection index', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const t of REFERENCE_TABLES) template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: t.name });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byConnection' })],
    });
  });

  it('grants @connections access only to the fan-out functions', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const manage = Object.entries(policies).filter(([, p]) =>
      JSON.stringify(p).includes('execute-api:ManageConnections'),
    );
    // sendMessage and broadcast, nothing else
    expect(manage).toHaveLength(2);
    const text = JSON.stringify(policies);
    expect(text).not.toContain('"dynamodb:*"');
  });
});
