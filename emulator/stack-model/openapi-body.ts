import { templateError, type TemplatePath } from './template-errors.ts';

/**
 * What the HTTP and REST API readers share of an API's OpenAPI `Body` (what SAM writes, or a
 * template's own definition): the operation keys API Gateway reads as methods, and the body
 * itself, which CloudFormation takes as a mapping or as its JSON text.
 */

/** An OpenAPI operation's key → the method (API Gateway's extension for ANY). */
export const OPENAPI_METHODS: Readonly<Record<string, string>> = {
  get: 'GET',
  put: 'PUT',
  post: 'POST',
  delete: 'DELETE',
  options: 'OPTIONS',
  head: 'HEAD',
  patch: 'PATCH',
  'x-amazon-apigateway-any-method': 'ANY',
};

/** The Body as a value: a JSON string parsed, anything else as it is; a string that is not JSON is one line naming `at`. */
export function openApiBody(file: string, at: TemplatePath, body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    throw templateError(file, at, 'is a string that is not JSON: an OpenAPI definition is a mapping or its JSON text');
  }
}
