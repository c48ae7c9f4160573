import { z } from 'zod';
import { lambdaNameOf } from './physical-ids.ts';
import { parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { InvokePermission } from './stack-description.ts';

const TYPE = 'AWS::Lambda::Permission';
const permissionSchema = z.object({ Action: z.string(), FunctionName: z.string(), Principal: z.string(), SourceArn: z.string().optional(), SourceAccount: z.string().optional() }).loose();

/**
 * The template's AWS::Lambda::Permission resources on its own functions: who may invoke which
 * function (a function's resource-based policy). API Gateway may invoke an integration's function
 * only with one for `apigateway.amazonaws.com`, SNS and EventBridge a subscribed or targeted one
 * only with one for `sns.amazonaws.com` / `events.amazonaws.com` (emulator/iam/invoke-permission.ts
 * decides). The
 * FunctionName is a name, an ARN (Fn::GetAtt … Arn) or a partial ARN; one naming a function of
 * no route is kept (it simply never matches); one on a function outside the stack is left out.
 */
export function readLambdaPermissions(t: StackTemplate, functionIdsByName: ReadonlyMap<string, string>): InvokePermission[] {
  const permissions: InvokePermission[] = [];
  for (const id of t.ofType(TYPE)) {
    const p = parseProperties(t.file, id, permissionSchema, t.properties(id));
    const functionId = functionIdsByName.get(lambdaNameOf(p.FunctionName));
    if (functionId === undefined) continue;
    permissions.push({ logicalId: id, functionId, principal: p.Principal, action: p.Action, ...(p.SourceArn === undefined ? {} : { sourceArn: p.SourceArn }), ...(p.SourceAccount === undefined ? {} : { sourceAccount: p.SourceAccount }) });
  }
  return permissions;
}
