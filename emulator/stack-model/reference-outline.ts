import { ROUTE_SELECTION_EXPRESSION } from '../../reference-stack/functions/manifest.ts';
import type { StackTableNames } from '../../reference-stack/functions/stack-names.ts';
import type { StackOutline } from './stack-outline.ts';

/**
 * The reference stack as the describing APIs see it, made from the facts the emulator runs it with
 * (its functions by route, its tables, its authorizer), with the logical ids the CDK app's
 * constructs would give: the bridge until the emulator runs a StackDescription of its own
 * (the manifest reader), which then replaces it.
 */
export interface ReferenceFacts {
  stackName: string;
  stage: string;
  tables: StackTableNames;
  functions: ReadonlyArray<{ route: string; name: string; returnResponse?: boolean }>;
  authorizer?: { name: string; parameterName: string; identitySource: string };
}

/** `$connect` → Connect, `sendMessage` → SendMessage */
const pascal = (route: string) => {
  const bare = route.replace(/^\$/, '');
  return `${bare.charAt(0).toUpperCase()}${bare.slice(1)}`;
};

export function referenceOutline(f: ReferenceFacts): StackOutline {
  const functions = f.functions.map((fn) => ({ logicalId: `${pascal(fn.route)}Function`, name: fn.name }));
  const authorizer = f.authorizer && { logicalId: 'ConnectAuthorizer', name: f.authorizer.name, functionId: 'AuthorizerFunction', identitySource: [f.authorizer.identitySource] };
  const allFunctions = authorizer ? [...functions, { logicalId: authorizer.functionId, name: f.authorizer!.name }] : functions;
  return {
    stackName: f.stackName,
    api: { logicalId: 'ChatApi', name: `${f.stackName}-api`, routeSelectionExpression: ROUTE_SELECTION_EXPRESSION, stage: { logicalId: 'ChatStage', name: f.stage } },
    routes: f.functions.map((fn) => ({
      logicalId: `${pascal(fn.route)}Route`,
      routeKey: fn.route,
      functionId: `${pascal(fn.route)}Function`,
      integrationId: `${pascal(fn.route)}Integration`,
      authorizationType: authorizer && fn.route === '$connect' ? ('CUSTOM' as const) : ('NONE' as const),
      twoWay: fn.returnResponse === true,
    })),
    ...(authorizer ? { authorizer } : {}),
    functions: allFunctions,
    tables: [
      { logicalId: 'ConnectionsTable', definition: { TableName: f.tables.connections } },
      { logicalId: 'RoomMembersTable', definition: { TableName: f.tables.roomMembers } },
      { logicalId: 'MessagesTable', definition: { TableName: f.tables.messages } },
    ],
    parameters: f.authorizer ? [{ logicalId: 'ConnectTokenParameter', name: f.authorizer.parameterName }] : [],
    notEmulated: [
      { logicalId: 'ChatApiDeployment', type: 'AWS::ApiGatewayV2::Deployment' },
      ...allFunctions.flatMap((fn) => [
        { logicalId: `${fn.logicalId}ServiceRole`, type: 'AWS::IAM::Role' },
        { logicalId: `${fn.logicalId}InvokePermission`, type: 'AWS::Lambda::Permission' },
      ]),
    ],
    // DescribeStacks keeps the outputs contract for the reference stack (stack-outputs.ts)
    outputs: [],
  };
}
