import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveLocal, type ServiceEndpoint } from '../local-listener.ts';
import type { StackOutline } from '../stack-model/stack-outline.ts';
import { describeStacks, type LocalStackRecord } from './describe-stacks.ts';
import { QueryApiError, queryError, queryResult, readQueryBody, sendXml, type QueryValue } from '../query-api.ts';
import { describeStackResources, listStackResources } from './stack-resources.ts';

/**
 * The emulator's CloudFormation endpoint: the AWS Query protocol (API version 2010-05-15) the
 * SDK's CloudFormationClient speaks, a form-encoded `Action=…&Version=…&…` (POST body, or GET
 * query string) answered in XML. DescribeStacks, DescribeStackResources and ListStackResources, for
 * the stack the emulator runs; any other action is CloudFormation's InvalidAction. Signatures are
 * not checked.
 */

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const MAX_BODY_BYTES = 64 * 1024;

type Operation = (params: URLSearchParams) => Record<string, QueryValue>;

export interface CloudFormationFacts {
  record: LocalStackRecord;
  /** the stack's resources (DescribeStackResources, ListStackResources) */
  stack: StackOutline;
  apiId: string;
}

export async function startCloudFormationServer(facts: CloudFormationFacts, host = '127.0.0.1', port = 0): Promise<ServiceEndpoint> {
  const { record, stack, apiId } = facts;
  const operations: Record<string, Operation> = {
    DescribeStacks: (params) => describeStacks(record, params),
    DescribeStackResources: (params) => describeStackResources(record, stack, apiId, params),
    ListStackResources: (params) => listStackResources(record, stack, apiId, params),
  };
  return serveLocal((req, res) => {
    const requestId = randomUUID();
    handle(req, res, operations, requestId).catch((err: unknown) => {
      const error = err instanceof QueryApiError ? err : new QueryApiError('InternalFailure', String(err), 500, 'Receiver');
      sendXml(res, error.status, queryError(XMLNS, error, requestId), requestId);
    });
  }, host, port);
}

async function handle(req: IncomingMessage, res: ServerResponse, operations: Record<string, Operation>, requestId: string): Promise<void> {
  let params: URLSearchParams;
  if (req.method === 'POST') {
    params = new URLSearchParams(await readQueryBody(req, MAX_BODY_BYTES));
  } else {
    req.resume();
    params = new URL(req.url ?? '/', 'http://cloudformation.local').searchParams;
  }
  const action = params.get('Action') ?? '';
  const operation = operations[action];
  if (!operation) {
    throw new QueryApiError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service (the local emulator serves ${Object.keys(operations).join(', ')})`);
  }
  sendXml(res, 200, queryResult(action, XMLNS, operation(params), requestId), requestId);
}

