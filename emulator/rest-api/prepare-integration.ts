import { integrationTarget, type AwsIntegrationService } from '../gateway/aws-integration-uri.ts';
import { compileMappingTemplate, type MappingTemplate } from '../gateway/vtl/mapping-template.ts';
import type { RestApiDescription, RestMethodDescription, RestStageDescription } from '../stack-model/stack-description.ts';
import { localBackend, withStageVariables, type BackendClient } from '../gateway/backend-call.ts';
import { GATEWAY_ANSWERS } from './gateway-responses.ts';
import { httpProxyIntegration } from './http-proxy-integration.ts';
import { notRun, type MethodIntegration } from './integration.ts';
import { compileResponses } from './integration-response.ts';
import { lambdaProxyIntegration } from './lambda-proxy-integration.ts';
import { awsServiceBackend, httpBackend, mappedIntegration, mockBackend, type Backend } from './mapped-integration.ts';
import { parseRequestParameters } from './request-mapping.ts';

/**
 * Each method's integration on one stage, made ready at start: what the emulator runs (AWS_PROXY,
 * MOCK, HTTP_PROXY and HTTP to this host, AWS to SQS, SNS or EventBridge), or, for what it does
 * not run (a backend elsewhere, another AWS service, a template or mapping it cannot read, an AWS
 * integration with no CredentialsArn), an integration answering 500 `{"message": "Internal
 * server error"}` whose `why` the provider says once at start.
 */

export interface IntegrationDeps {
  api: RestApiDescription;
  /** the function (name, or name:qualifier) an AWS_PROXY integration invokes */
  functionOf(target: { functionId: string; qualifier?: string }): string;
  /** API Gateway may not invoke the method's function on this stage: enforced or reported */
  refusal?: 'enforce' | 'report';
  client: BackendClient;
  endpointOf(service: AwsIntegrationService): string | undefined;
  sessionTokenOf?(roleArn: string): string | undefined;
  log: (line: string) => void;
}

export function prepareIntegration(method: RestMethodDescription, stage: RestStageDescription, deps: IntegrationDeps): MethodIntegration & { why?: string } {
  const i = method.integration;
  const fail = (label: string, why: string) => notRun(label, why, GATEWAY_ANSWERS.internalServerError);
  switch (i.type) {
    case 'AWS_PROXY':
      return lambdaProxyIntegration({
        functionName: deps.functionOf(i),
        timeoutMs: i.timeoutMs,
        binaryMediaTypes: deps.api.binaryMediaTypes,
        ...(deps.refusal ? { refusal: deps.refusal } : {}),
        log: deps.log,
      });
    case 'HTTP_PROXY': {
      const uri = withStageVariables(i.uri, stage.variables);
      const label = `HTTP_PROXY ${uri}`;
      const local = localBackend(uri);
      if ('refused' in local) return fail(label, local.refused);
      try {
        return httpProxyIntegration({ uri, httpMethod: i.httpMethod, timeoutMs: i.timeoutMs, parameters: parseRequestParameters(i.requestParameters), client: deps.client, log: deps.log });
      } catch (err) {
        return fail(label, (err as Error).message);
      }
    }
    case 'MOCK':
    case 'HTTP':
    case 'AWS': {
      const label = i.type === 'MOCK' ? 'MOCK' : `${i.type} ${i.uri}`;
      let backend: Backend;
      if (i.type === 'MOCK') backend = mockBackend;
      else if (i.type === 'HTTP') {
        const uri = withStageVariables(i.uri, stage.variables);
        const local = localBackend(uri);
        if ('refused' in local) return fail(label, local.refused);
        backend = httpBackend({ uri, httpMethod: i.httpMethod, timeoutMs: i.timeoutMs, client: deps.client });
      } else {
        const target = integrationTarget(i.uri);
        if ('refused' in target) return fail(label, `not run: ${target.refused}`);
        if (!i.credentials) return fail(label, `not run: the integration has no CredentialsArn to call ${target.service} with`);
        backend = awsServiceBackend({
          target,
          httpMethod: i.httpMethod,
          timeoutMs: i.timeoutMs,
          roleArn: i.credentials.arn,
          endpointOf: deps.endpointOf,
          ...(deps.sessionTokenOf ? { sessionTokenOf: deps.sessionTokenOf } : {}),
          client: deps.client,
        });
      }
      try {
        const requestTemplates = new Map<string, MappingTemplate>();
        for (const [type, source] of Object.entries(i.requestTemplates)) {
          try {
            requestTemplates.set(type.toLowerCase(), compileMappingTemplate(source));
          } catch (err) {
            throw new Error(`RequestTemplates "${type}": ${(err as Error).message}`);
          }
        }
        return mappedIntegration({
          label,
          requestTemplates,
          passthrough: i.passthroughBehavior,
          parameters: i.type === 'MOCK' ? [] : parseRequestParameters(i.requestParameters),
          responses: compileResponses(i.responses),
          backend,
          log: deps.log,
        });
      } catch (err) {
        return fail(label, (err as Error).message);
      }
    }
  }
}
