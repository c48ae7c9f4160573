import type { StackTemplate } from './stack-template.ts';

/**
 * What a stack's APIs are reached through on AWS that the emulator does not run, one warning each
 * (the stack runs without them): custom domains (REST's `AWS::ApiGateway::DomainName` and
 * `DomainNameV2`, v2's `AWS::ApiGatewayV2::DomainName` for HTTP and WebSocket APIs), their mutual
 * TLS, base path and API mappings (the path a domain maps to an API's stage), and VPC links (an
 * integration through one is not served: the API readers say which). Each API is served on an
 * endpoint of its own, over plain HTTP.
 */

const DOMAINS = ['AWS::ApiGateway::DomainName', 'AWS::ApiGateway::DomainNameV2', 'AWS::ApiGatewayV2::DomainName'];
const MAPPINGS = ['AWS::ApiGateway::BasePathMapping', 'AWS::ApiGateway::BasePathMappingV2', 'AWS::ApiGatewayV2::ApiMapping'];
const VPC_LINKS = ['AWS::ApiGateway::VpcLink', 'AWS::ApiGatewayV2::VpcLink'];
const API_TYPES: Record<string, string> = { 'AWS::ApiGateway::RestApi': 'REST API', 'AWS::ApiGatewayV2::Api': 'API' };

export function customDomainWarnings(t: StackTemplate): string[] {
  const out: string[] = [];
  const named = (id: string, property: string): unknown => {
    try {
      return t.property(id, property);
    } catch {
      return undefined;
    }
  };
  const text = (id: string, property: string) => {
    const v = named(id, property);
    return typeof v === 'string' ? v : undefined;
  };
  for (const type of DOMAINS) {
    for (const id of t.ofType(type)) {
      const name = text(id, 'DomainName');
      const mtls = named(id, 'MutualTlsAuthentication') !== undefined;
      out.push(`custom domain ${id}${name ? ` (${name})` : ''}${mtls ? ' and its mutual TLS (MutualTlsAuthentication) are' : ' is'} not emulated: each API is served on its own endpoint`);
    }
  }
  for (const type of MAPPINGS) {
    for (const id of t.ofType(type)) {
      const apiRef = text(id, type === 'AWS::ApiGatewayV2::ApiMapping' ? 'ApiId' : 'RestApiId');
      const api = Object.keys(API_TYPES).flatMap((apiType) => t.ofType(apiType).map((a) => ({ a, kind: API_TYPES[apiType]! }))).find(({ a }) => t.ref(a) === apiRef);
      const base = text(id, type === 'AWS::ApiGatewayV2::ApiMapping' ? 'ApiMappingKey' : 'BasePath');
      const what = type === 'AWS::ApiGatewayV2::ApiMapping' ? 'API mapping' : 'base path mapping';
      out.push(`${what} ${id}${api ? ` of ${api.kind} ${api.a}` : ''}${base ? ` (/${base.replace(/^\//, '')})` : ''} is not emulated: the API is served on its own endpoint`);
    }
  }
  for (const type of VPC_LINKS) {
    for (const id of t.ofType(type)) out.push(`VPC link ${id} is not emulated: an integration through it is not served`);
  }
  return out;
}
