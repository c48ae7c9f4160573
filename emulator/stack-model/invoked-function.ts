import { lambdaNameOf, lambdaQualifierOf } from './physical-ids.ts';
import { templateError, type TemplatePath } from './template-errors.ts';

/** The function an integration or authorizer URI invokes: its logical id, and the alias or version named (absent: unqualified). */
export interface InvokedFunction {
  functionId: string;
  qualifier?: string;
}

/**
 * The function of the stack an API Gateway integration or authorizer invokes, from its invocation
 * URI (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`)
 * or, as HTTP APIs also take it, the function's ARN itself. Any other URI, or a function outside
 * the stack, is one line naming `at`.
 */
export function invokedFunction(file: string, at: TemplatePath, uri: string | undefined, functionIdsByName: ReadonlyMap<string, string>): InvokedFunction {
  const invocation = uri === undefined ? undefined : /^arn:[^:]+:apigateway:[^:]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(uri);
  const functionArn = invocation ? invocation[1]! : uri !== undefined && /^arn:[^:]+:lambda:/.test(uri) ? uri : undefined;
  if (functionArn === undefined) throw templateError(file, at, `${uri ?? '(missing)'} is not a Lambda function's invocation URI (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations)`);
  const functionId = functionIdsByName.get(lambdaNameOf(functionArn));
  if (!functionId) throw templateError(file, at, `${functionArn} is not a function of this stack: the emulator runs the stack's own functions`);
  const qualifier = lambdaQualifierOf(functionArn);
  return qualifier === undefined ? { functionId } : { functionId, qualifier };
}
