import type { CloudFormationClient, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { listStackResources } from '../aws/stack-resources.ts';
import { GetFunctionEventInvokeConfigCommand, paginateListEventSourceMappings, type EventSourceMappingConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetApiCommand, GetStagesCommand, type ApiGatewayV2Client, type Stage } from '@aws-sdk/client-apigatewayv2';
import { GetRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { restApiStages } from '../aws/rest-api-stages.ts';
import { apiGatewayPages } from '../aws/api-gateway-pages.ts';
import type { PathResources } from '../metrics/cloudwatch/path-queries.ts';
import { readFunctionConfig } from '../aws/function-configuration.ts';

/**
 * A stack's queued path, found from its own APIs the same way on AWS and on the emulator:
 * ListStackResources names its HTTP APIs (AWS::ApiGatewayV2::Api: API Gateway v2's GetApi and
 * GetStages say which are HTTP and their stage), REST APIs (AWS::ApiGateway::RestApi: GetRestApi and GetStages their name and stage), queues (AWS::SQS::Queue, whose physical id is the queue's URL),
 * topics (AWS::SNS::Topic: the ARN), rules (AWS::Events::Rule: the name, `bus|name` on a bus of
 * its own) and functions; Lambda's ListEventSourceMappings, asked per function, its mappings
 * (UUID, source, BatchSize, ScalingConfig, State); SQS's GetQueueAttributes each queue's
 * RedrivePolicy (its dead-letter queue and maxReceiveCount); Lambda's
 * GetFunctionEventInvokeConfig the MaximumEventAgeInSeconds of a function no route invokes, and
 * GetFunctionConfiguration its memory (what its compute is priced at).
 * undefined: the stack has no queue, topic, rule nor mapping (nothing about its run changes).
 * Never throws: what could not be read is a note, and the rest is kept.
 */

export interface StackPathClients {
  cloudformation: CloudFormationClient;
  lambda: LambdaClient;
  /** absent: no redrive policy is read */
  sqs?: SQSClient;
  /** absent: the stack's HTTP APIs are not read */
  apigateway?: ApiGatewayV2Client;
  /** absent: the stack's REST APIs are not read */
  restApis?: APIGatewayClient;
}

export async function discoverStackPath(clients: StackPathClients, o: { stackName: string; routeFunctions: readonly string[] }): Promise<PathResources | undefined> {
  const notes: string[] = [];
  let resources: StackResourceSummary[];
  try {
    resources = await listStackResources(clients.cloudformation, o.stackName);
  } catch (err) {
    notes.push(`the path was not read: ListStackResources of ${o.stackName} failed (${errorText(err)})`);
    return undefined;
  }
  const physical = (type: string) => resources.filter((r) => r.ResourceType === type && r.PhysicalResourceId).map((r) => r.PhysicalResourceId!);
  const queueUrls = physical('AWS::SQS::Queue');
  const topics = physical('AWS::SNS::Topic').map((arn) => ({ name: arn.split(':').pop()!, arn }));
  const rules = physical('AWS::Events::Rule').map(ruleOf);
  const functionNames = physical('AWS::Lambda::Function');
  const routed = new Set(o.routeFunctions);
  const apis = [
    ...(clients.apigateway ? await httpApisOf(clients.apigateway, physical('AWS::ApiGatewayV2::Api'), notes) : []),
    ...(clients.restApis ? await restApisOf(clients.restApis, physical('AWS::ApiGateway::RestApi'), notes) : []),
  ];

  // the mappings of every function of the stack (a mapping the stack declares names one of them)
  const mappings: PathResources['mappings'] = [];
  const declared = physical('AWS::Lambda::EventSourceMapping').length;
  if (declared > 0 || queueUrls.length > 0) {
    for (const fn of functionNames) {
      try {
        for await (const page of paginateListEventSourceMappings({ client: clients.lambda }, { FunctionName: fn })) {
          for (const m of page.EventSourceMappings ?? []) if (m.UUID && m.EventSourceArn) mappings.push(mappingOf(m, fn));
        }
      } catch (err) {
        notes.push(`event source mappings of ${fn} not read: ListEventSourceMappings failed (${errorText(err)})`);
      }
    }
  }
  if (apis.length + queueUrls.length + topics.length + rules.length + mappings.length === 0) return undefined;

  const queues: PathResources['queues'] = [];
  for (const url of queueUrls) {
    const name = url.split('/').pop()!;
    const queue: PathResources['queues'][number] = { name, url, fifo: name.endsWith('.fifo') };
    if (clients.sqs) {
      try {
        const attrs = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }))).Attributes ?? {};
        const redrive = attrs.RedrivePolicy ? (JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string }) : undefined;
        if (redrive?.deadLetterTargetArn) queue.deadLetterQueue = { name: redrive.deadLetterTargetArn.split(':').pop()!, maxReceiveCount: Number(redrive.maxReceiveCount) };
      } catch (err) {
        notes.push(`the redrive policy of queue ${name} not read: GetQueueAttributes failed (${errorText(err)})`);
      }
    }
    queues.push(queue);
  }

  // the functions no route invokes, and every mapping's
  const pathFunctions = [...new Set([...functionNames.filter((f) => !routed.has(f)), ...mappings.map((m) => m.functionName)])];
  const functions: PathResources['functions'] = [];
  for (const name of pathFunctions) functions.push({ name, ...(await memoryOf(clients.lambda, name)), ...(await maximumEventAge(clients.lambda, name)) });
  return { ...(apis.length > 0 ? { apis } : {}), queues, topics, rules, functions, mappings, notes };
}

/** The stack's HTTP APIs (GetApi: its WebSocket API is left out), each with its stage (GetStages: `$default`, else the first). */
async function httpApisOf(client: ApiGatewayV2Client, ids: readonly string[], notes: string[]): Promise<NonNullable<PathResources['apis']>> {
  const out: NonNullable<PathResources['apis']> = [];
  for (const apiId of ids) {
    try {
      const api = await client.send(new GetApiCommand({ ApiId: apiId }));
      if (api.ProtocolType !== 'HTTP') continue;
      const stages = (await apiGatewayPages<Stage>((NextToken) => client.send(new GetStagesCommand({ ApiId: apiId, NextToken })))).flatMap((s) => (s.StageName ? [s.StageName] : []));
      const stage = stages.includes('$default') ? '$default' : stages[0];
      if (stage !== undefined) out.push({ apiType: 'http', apiId, name: api.Name ?? apiId, stage });
    } catch (err) {
      notes.push(`API ${apiId} not read: GetApi or GetStages failed (${errorText(err)})`);
    }
  }
  return out;
}

/** The stack's REST APIs (GetRestApi: the name their metrics go by), each with its stage (GetStages: the first, SAM's `Stage` passed over). */
async function restApisOf(client: APIGatewayClient, ids: readonly string[], notes: string[]): Promise<NonNullable<PathResources['apis']>> {
  const out: NonNullable<PathResources['apis']> = [];
  for (const restApiId of ids) {
    try {
      const api = await client.send(new GetRestApiCommand({ restApiId }));
      const stage = (await restApiStages(client, restApiId))[0];
      if (stage !== undefined) out.push({ apiType: 'rest', apiId: restApiId, name: api.name ?? restApiId, stage });
    } catch (err) {
      notes.push(`REST API ${restApiId} not read: GetRestApi or GetStages failed (${errorText(err)})`);
    }
  }
  return out;
}

/** A rule's physical id: its name, or `bus|name` for a rule on a bus of its own. */
function ruleOf(id: string): { name: string; bus?: string } {
  const [bus, name] = id.includes('|') ? id.split('|') : [undefined, id];
  return { name: name!, ...(bus ? { bus } : {}) };
}

function mappingOf(m: EventSourceMappingConfiguration, fn: string): PathResources['mappings'][number] {
  return {
    uuid: m.UUID!,
    sourceArn: m.EventSourceArn!,
    functionName: m.FunctionArn?.split(':')[6] ?? fn,
    ...(m.BatchSize !== undefined ? { batchSize: m.BatchSize } : {}),
    ...(m.ScalingConfig?.MaximumConcurrency !== undefined ? { maximumConcurrency: m.ScalingConfig.MaximumConcurrency } : {}),
    ...(m.State ? { state: m.State } : {}),
    reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
  };
}

/** MemorySize and architecture (what its compute is priced at); unreadable: nothing (the cost model then says it assumed Lambda's default). */
async function memoryOf(lambda: LambdaClient, name: string): Promise<{ memoryMB?: number; architecture?: 'x86_64' | 'arm64' }> {
  try {
    const c = await readFunctionConfig(lambda, name);
    const arch = c.architectures[0];
    return { memoryMB: c.memoryMB, ...(arch === 'x86_64' || arch === 'arm64' ? { architecture: arch } : {}) };
  } catch {
    return {};
  }
}

/** MaximumEventAgeInSeconds where the function has an EventInvokeConfig; none (Lambda's 6 h default) or unreadable: nothing. */
async function maximumEventAge(lambda: LambdaClient, name: string): Promise<{ maximumEventAgeSeconds?: number }> {
  try {
    const c = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
    return c.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeSeconds: c.MaximumEventAgeInSeconds } : {};
  } catch {
    // none configured (ResourceNotFoundException), or an API that does not serve it
    return {};
  }
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(err)).split('\n')[0]}`;
}
