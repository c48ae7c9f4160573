import { UNSERVED_CALLS_PATH } from '../../../common/unserved-calls.ts';
import { UNSERVED_CALLS_KEY } from './aws-endpoint-redirect.ts';
import type { StackServiceEndpoints } from '../../aws-endpoint-urls.ts';

/**
 * The runtime's `awsEndpoints.services` for a stack: each AWS endpoint prefix a function's code
 * may name (`https://<prefix>.<region>.amazonaws.com`, `https://{api}.execute-api.…`) → the local
 * endpoint serving it. CloudWatch's `monitoring` and Logs' `logs` share one endpoint, as API
 * Gateway's v1 and v2 (`apigateway`) do. For execute-api, the gateway's origin: the request's path
 * already starts with /{stage}. DynamoDB Streams' host is `streams.dynamodb.…`: its prefix is `streams`.
 */
export function awsEndpointServices(e: Partial<StackServiceEndpoints> & { gatewayOrigin: string }): Record<string, string> {
  const services: Record<string, string | undefined> = {
    'execute-api': e.gatewayOrigin,
    dynamodb: e.dynamodb,
    ssm: e.ssm,
    secretsmanager: e.secretsManager,
    lambda: e.lambda,
    monitoring: e.cloudwatch,
    logs: e.cloudwatch,
    cloudformation: e.cloudformation,
    apigateway: e.apigatewayv2,
    // streams.dynamodb.<region>.amazonaws.com
    streams: e.dynamodbStreams,
    sqs: e.sqs,
    sns: e.sns,
    events: e.eventbridge,
    // not a service: where an environment posts each call to an endpoint none of the above serves
    [UNSERVED_CALLS_KEY]: `${e.gatewayOrigin}${UNSERVED_CALLS_PATH}`,
  };
  return Object.fromEntries(Object.entries(services).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
